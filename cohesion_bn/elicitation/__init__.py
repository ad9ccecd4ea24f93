"""Expert elicitation: from questionnaire to pooled model, with every judgement kept.

Modules (import them directly; this package imports nothing on its own):

- :mod:`.questions` -- what to ask per CPT method, and what an answer is;
- :mod:`.study` -- the study definition file (model, round, pseudonymous experts, seeds);
- :mod:`.questionnaire` -- XLSX / CSV / YAML questionnaires and their import, every problem
  named by sheet and cell;
- :mod:`.store` -- the append-only SQLite store of a study's answers;
- :mod:`.pooling` -- linear and logarithmic opinion pools, equal / given / Cooke weights;
- :mod:`.cooke` -- Cooke's classical model (calibration, information, weights, decision
  maker, robustness), matching the peer implementation ANDURYL;
- :mod:`.excalibur` -- reader for Excalibur's ``.dtt``/``.rls`` study files;
- :mod:`.disagreement` -- how far apart the experts are, node by node;
- :mod:`.writeback` -- the pooled model file, with provenance and uncertainty.
"""
