"""Sensitivity and uncertainty analysis on the batched exact engine (:mod:`cohesion_bn.engine`).

One module per method, each with an ``analyze(model, ...)`` entry point returning a result
with ``to_df()``; plots take an optional ``ax`` and return it. Modules (import them
directly; this package imports nothing on its own):

- :mod:`.oneway` -- one-way parameter sensitivity: sensitivity functions, values, vertex
  proximity, admissible deviations (proportional, uniform, order-preserving co-variation);
- :mod:`.tuning` -- the smallest single-parameter change that makes a constraint hold;
- :mod:`.twoway` -- the strongest two-way parameter interactions;
- :mod:`.expert` -- sensitivity to the parameters experts gave (ranked-node weights, spread);
- :mod:`.findings` -- sensitivity to findings: mutual information, variance reduction;
- :mod:`.uncertainty` -- Monte Carlo propagation of the CPTs' uncertainty;
- :mod:`.sobol` -- Sobol' indices of a query over groups of uncertain inputs (SALib);
- :mod:`.arcs` -- the strength of influence of each arc, read off the CPTs.
"""
