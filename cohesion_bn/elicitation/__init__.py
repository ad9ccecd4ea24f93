"""Expert elicitation: questionnaires, the study store, pooling, and Cooke's classical model.

Import the modules directly; this package imports nothing on its own. Among them:

- :mod:`cohesion_bn.elicitation.cooke` -- Cooke's classical model for structured expert
  judgement (calibration, information, performance-based weights, decision maker,
  robustness), matching the peer implementation ANDURIL.
- :mod:`cohesion_bn.elicitation.excalibur` -- reader for Excalibur's ``.dtt``/``.rls``
  study files.
"""
