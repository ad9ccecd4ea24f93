"""Benchmark of Monte Carlo uncertainty propagation on the shipped NATO model.

Run from the repository root (one run, about a minute)::

    .venv/bin/python benchmarks/bench_uncertainty.py [--draws 10000] [--subset 30]

1. ``--draws`` parameter sets of the shipped model (every CPT column Dirichlet around the
   model's column, equivalent sample size 20: ``cohesion_bn.sensitivity._draws``), timed
   on their own; then the 3 scenarios evaluated in one batched engine call each
   (``uncertainty.analyze`` does exactly this), every node's posterior (all_marginals)
   and the target's alone (query).
2. Bytes of CPT parameters read per draw (723 entries x 8 bytes) and the rate achieved.
3. A loop of pgmpy VariableElimination and of pyagrum LazyPropagation queries of the
   target on the first ``--subset`` draws of every scenario (the answers checked against
   the engine), extrapolated to all draws.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

warnings.simplefilter("ignore", FutureWarning)

import cohesion_bn as cb  # noqa: E402
from cohesion_bn.sensitivity import uncertainty  # noqa: E402
from cohesion_bn.sensitivity._draws import read_uncertainty  # noqa: E402
from cohesion_bn.sensitivity._target import compile_model  # noqa: E402


def _best(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--subset", type=int, default=30)
    args = ap.parse_args()
    n, k = args.draws, args.subset

    model = cb.load_model()
    net = compile_model(model)
    scen = [(s.id, dict(s.evidence)) for s in model.spec.scenarios]
    target, t_idx = "cohesion", 0
    unc = read_uncertainty(model)
    print(f"shipped model: {len(model.nodes)} nodes, {model.n_parameters} CPT entries, "
          f"{len(unc.groups)} uncertain columns (ess={unc.ess:g}), {len(scen)} scenarios, "
          f"{n} draws")

    t0 = time.perf_counter()
    draws = unc.draw(n, seed=1)
    t_draw = time.perf_counter() - t0
    t0 = time.perf_counter()
    params = net.parameters(draws, batch_last=True, validate=False)
    t_pack = time.perf_counter() - t0
    print(f"drawing:            {t_draw:8.3f} s  ({1e6 * t_draw / n:.1f} us per draw; "
          f"{model.n_parameters * n / t_draw / 1e6:.1f} M entries/s, numpy gamma variates)")
    print(f"packing (engine):   {t_pack:8.3f} s")

    res: dict[str, np.ndarray] = {}

    def run_all() -> None:
        for _sid, ev in scen:
            net.all_marginals(evidence=ev, params=params)

    def run_target() -> None:
        for sid, ev in scen:
            res[sid] = net.query(target, evidence=ev, params=params)[target][:, t_idx]

    net.query(target, evidence=scen[0][1], params=params)  # compile plans
    run_all()
    t_all = _best(run_all)
    t_tgt = _best(run_target)
    evals = n * len(scen)
    bytes_per_draw = model.n_parameters * 8
    for name, t in (("all marginals", t_all), ("target only", t_tgt)):
        print(f"evaluation, {name:13s} {t:8.3f} s for {evals} evaluations = "
              f"{1e6 * t / evals:6.2f} us each; {bytes_per_draw} B of parameters per draw "
              f"-> {bytes_per_draw * evals / t / 1e9:5.2f} GB/s")

    r = uncertainty.analyze(model, "cohesion=strong", n=n, seed=1, progress=False)
    print(f"uncertainty.analyze end to end: draw {r.draw_seconds:.3f} s + evaluate "
          f"{r.eval_seconds:.3f} s (its own timers)")

    # ----- loops on a subset
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    base = model.network
    t_pg = 0.0
    pg_vals = {}
    for sid, ev in scen:
        out = []
        for b in range(k):
            t0 = time.perf_counter()
            bn = base.copy()
            for node in model.nodes:
                old = bn.get_cpds(node)
                vals = draws[node][..., b].reshape(old.cardinality[0], -1)
                bn.add_cpds(TabularCPD(node, old.cardinality[0], vals,
                                       evidence=old.variables[1:] or None,
                                       evidence_card=list(old.cardinality[1:]) or None,
                                       state_names=old.state_names))
            q = VariableElimination(bn).query([target], evidence=ev, show_progress=False)
            t_pg += time.perf_counter() - t0
            out.append(q.values[t_idx])
        pg_vals[sid] = np.array(out)
        assert np.allclose(pg_vals[sid], res[sid][:k], atol=1e-9), sid
    per_pg = t_pg / (k * len(scen))

    import pyagrum as gum

    bn = gum.BayesNet("nato")
    for node in model.nodes:
        bn.add(gum.LabelizedVariable(node, node, list(model.states(node))))
    for node in model.nodes:
        for p in model.parents(node):
            bn.addArc(p, node)
    # pyAgrum stores a CPT with the node's own variable varying fastest and the parents
    # in reverse order: the transpose of our (node, *parents) array, flattened
    t_ag = 0.0
    for sid, ev in scen:
        for b in range(k):
            t0 = time.perf_counter()
            for node in model.nodes:
                arr = draws[node][..., b]
                bn.cpt(node).fillWith(np.transpose(arr).reshape(-1).tolist())
            ie = gum.LazyPropagation(bn)
            ie.setEvidence(ev)
            ie.makeInference()
            v = ie.posterior(target).tolist()[t_idx]
            t_ag += time.perf_counter() - t0
            assert abs(v - res[sid][b]) < 1e-9, (sid, b, v, res[sid][b])
    per_ag = t_ag / (k * len(scen))
    per_engine = t_tgt / evals
    print(f"pgmpy VariableElimination loop: {1e3 * per_pg:7.3f} ms per evaluation "
          f"({k} draws x {len(scen)} scenarios, incl. setting the CPDs) -> "
          f"{per_pg * evals:8.1f} s extrapolated; engine is {per_pg / per_engine:,.0f}x faster")
    print(f"pyagrum LazyPropagation loop:   {1e3 * per_ag:7.3f} ms per evaluation "
          f"(incl. filling the CPTs) -> {per_ag * evals:8.1f} s extrapolated; engine is "
          f"{per_ag / per_engine:,.0f}x faster")
    print("(answers of both loops equal the engine's to 1e-9 on the subset)")


if __name__ == "__main__":
    main()
