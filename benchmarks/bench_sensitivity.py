"""Benchmark of one-way sensitivity analysis (cohesion_bn.sensitivity.oneway).

Run from the repository root::

    .venv/bin/python benchmarks/bench_sensitivity.py           # well under a minute
    .venv/bin/python benchmarks/bench_sensitivity.py --quick

For the shipped NATO model and pgmpy's alarm, insurance and hepar2 (read from the
installed pgmpy with ``cohesion_bn.load_model(path)``, never downloaded) it times
``oneway.analyze`` -- every CPT entry's sensitivity function, sensitivity value, vertex
and admissible deviation for one query, from one reverse sweep -- against the classical
alternative: a pyagrum LazyPropagation loop that re-runs inference twice per entry (a
central finite difference with proportional co-variation). The loop is timed on a few
entries and extrapolated to all of them; its derivatives are cross-checked against ours.
Timings are the best of several repeats (the machine may be shared).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

import cohesion_bn as cb
from cohesion_bn.sensitivity import oneway
from cohesion_bn.sensitivity._target import compile_model


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def fmt(t: float) -> str:
    return f"{t * 1e3:9.2f} ms" if t < 10 else f"{t:9.1f} s "


class Agrum:
    """A pyagrum copy of a model whose CPTs can be refilled."""

    def __init__(self, model: cb.Model) -> None:
        import pyagrum as gum

        self.gum = gum
        self.model = model
        self.bn = gum.BayesNet("bench")
        for n in model.nodes:
            self.bn.add(gum.LabelizedVariable(n, n, list(model.states(n))))
        for n in model.nodes:
            for p in model.parents(n):
                self.bn.addArc(p, n)
        self.perm: dict[str, list[int]] = {}
        for n in model.nodes:
            ours = (n, *model.parents(n))
            names = list(self.bn.cpt(n).names)  # first varies fastest
            self.perm[n] = [ours.index(v) for v in reversed(names)]
        for n in model.nodes:
            self.fill(n, model.cpt(n))

    def fill(self, node: str, cpt: np.ndarray) -> None:
        flat = np.ascontiguousarray(np.transpose(cpt, self.perm[node])).ravel()
        self.bn.cpt(node).fillWith(flat.tolist())

    def posterior(self, target: str, evidence: Mapping[str, str]) -> np.ndarray:
        ie = self.gum.LazyPropagation(self.bn)
        ie.setNumberOfThreads(1)
        ie.addTarget(target)
        ie.setEvidence(dict(evidence))
        ie.makeInference()
        return np.asarray(ie.posterior(target).toarray())


def query_of(model: cb.Model, seed: int) -> tuple[str, str, dict[str, str]]:
    """A target (a root with the most descendants) and evidence on two sampled leaves."""
    rng = np.random.default_rng(seed)
    value: dict[str, int] = {}
    for n in model.spec.topological_order():
        col = model.cpt(n)[(slice(None), *(value[p] for p in model.parents(n)))]
        value[n] = int(rng.choice(len(col), p=col / col.sum()))
    leaves = [n for n in model.nodes if not model.children(n)]
    chosen = [str(x) for x in rng.choice(leaves, size=min(2, len(leaves)), replace=False)]
    evidence = {n: model.states(n)[value[n]] for n in chosen}

    def n_desc(n: str) -> int:
        seen, stack = set(), [n]
        while stack:
            for c in model.children(stack.pop()):
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        return len(seen)

    roots = [n for n in model.nodes if not model.parents(n) and n not in evidence]
    target = max(roots, key=n_desc)
    return target, model.states(target)[0], evidence


def bench(name: str, model: cb.Model, target: str, state: str, evidence: dict[str, str],
          args: argparse.Namespace) -> None:
    cn = compile_model(model)
    spec = f"{target}={state}"
    res = oneway.analyze(model, spec, evidence=evidence, network=cn)  # plan compiled, cached
    t_ours = best_of(lambda: oneway.analyze(model, spec, evidence=evidence, network=cn),
                     args.repeat)
    t_rows = best_of(lambda: oneway.analyze(model, spec, evidence=evidence,
                                            network=cn).to_records(), max(1, args.repeat // 3))
    t_grad = best_of(lambda: cn.gradient(target, **{"evidence": evidence}), args.repeat)
    agrum = Agrum(model)
    rng = np.random.default_rng(0)
    rows = [r for r in res.rows if 0.01 < r.value < 0.99]
    picks = [rows[int(i)] for i in rng.choice(len(rows), size=min(args.fd, len(rows)),
                                              replace=False)]
    k = model.states(target).index(state)
    h = 1e-5
    worst = 0.0
    t0 = time.perf_counter()
    for row in picks:
        cpt = model.cpt(row.node)
        j = model.states(row.node).index(row.state)
        idx = tuple(model.states(p).index(s) for p, s in row.parents.items())
        vals = []
        for x in (row.value + h, row.value - h):
            new = cpt.copy()
            new[(slice(None), *idx)] = oneway.covary(cpt[(slice(None), *idx)], j, x)
            agrum.fill(row.node, new)
            vals.append(agrum.posterior(target, evidence)[k])
        agrum.fill(row.node, cpt)
        fd = (vals[0] - vals[1]) / (2 * h)
        worst = max(worst, abs(fd - row.derivative))
    per = (time.perf_counter() - t0) / max(1, len(picks))
    t_fd = per * len(res)
    print(f"{name:10s} {len(model.nodes):4d} nodes {len(res):6d} entries | oneway.analyze "
          f"{fmt(t_ours)} (gradient sweep {fmt(t_grad)}; + to_records {fmt(t_rows - t_ours)})"
          f" | pyagrum FD loop {fmt(t_fd)} (extrapolated from {len(picks)}) | "
          f"{t_fd / t_ours:8.0f}x | max |FD - ours| {worst:.1e} | {spec} given "
          f"{', '.join(f'{a}={b}' for a, b in evidence.items())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fd", type=int, default=20, help="entries timed in the FD loop")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.fd = 5, 6
    import pgmpy

    examples = Path(pgmpy.__file__).parent / "utils" / "example_models"
    nato = cb.load_model()
    bench("nato", nato, "cohesion", "strong", {"war_outcome": "stalemate"}, args)
    for name in ("alarm", "insurance", "hepar2"):
        path = examples / f"{name}.bif.gz"
        if not path.exists():
            print(f"{name}: not found in the installed pgmpy; skipped")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = cb.load_model(path)
        target, state, evidence = query_of(model, seed=1)
        bench(name, model, target, state, evidence, args)


if __name__ == "__main__":
    main()
