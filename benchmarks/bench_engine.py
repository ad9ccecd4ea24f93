"""Benchmark of the batched exact inference engine (cohesion_bn.engine).

Run from the repository root::

    .venv/bin/python benchmarks/bench_engine.py            # about a minute
    .venv/bin/python benchmarks/bench_engine.py --quick    # smaller loops

What it measures, in one run and on the same parameter draws:

1. A 17-node test network of 3-state nodes: a root ``war`` -> 11 children -> 4 factor nodes
   (3, 4, 2, 2 of the children as parents) -> an outcome with the 4 factors as parents;
   723 CPT entries. Its CPTs are RANDOM (seeded): it has the shape of the shipped NATO
   model, not its numbers, which are being written separately and can be swapped in.
2. ``--draws`` parameter sets: every CPT column drawn from a Dirichlet centred on it with
   equivalent sample size ``--ess`` (seeded). Drawing is timed on its own.
3. The outcome's posterior under 3 evidence scenarios (``war`` = each of its states), for
   all draws: the batched engine (float64, float32), a generic opt_einsum expression with a
   batch index (the baseline the engine replaced), a loop of pgmpy VariableElimination
   queries and a loop of pyagrum LazyPropagation queries (on a subset of the draws, then
   per evaluation). The answers are cross-checked on that subset.
4. Bytes of parameters the engine reads per draw and the time a plain read of those bytes
   takes (the memory-bandwidth bound), measured now, on this machine.
5. Derivatives of P(t, e) and P(e) w.r.t. every CPT entry of one query: the 17-node network
   and pgmpy's alarm, insurance and hepar2 (read from the installed pgmpy), against a
   pyagrum finite-difference loop (a few entries timed, extrapolated to all entries).

Timings are the best of several repeats (the machine may be shared); each line says how
many evaluations it covers.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cohesion_bn.engine import CompiledNetwork  # noqa: E402

WAR_STATES = ("ukraine_wins", "stalemate", "russia_wins")
GROUPS = ((0, 1, 2), (3, 4, 5, 6), (7, 8), (9, 10))


# --------------------------------------------------------------------------------------
# the test network and its draws
# --------------------------------------------------------------------------------------


def build_test_network(seed: int = 0) -> CompiledNetwork:
    """The 17-node test network with RANDOM CPTs (seeded); see the module docstring."""
    rng = np.random.default_rng(seed)
    three = ("low", "medium", "high")
    nodes = ["war", *(f"d{i + 1:02d}" for i in range(11)), "f1", "f2", "f3", "f4", "cohesion"]
    states: dict[str, tuple[str, ...]] = {n: three for n in nodes}
    states["war"] = WAR_STATES
    parents: dict[str, tuple[str, ...]] = {"war": ()}
    for i in range(11):
        parents[f"d{i + 1:02d}"] = ("war",)
    for k, group in enumerate(GROUPS):
        parents[f"f{k + 1}"] = tuple(f"d{i + 1:02d}" for i in group)
    parents["cohesion"] = ("f1", "f2", "f3", "f4")
    cpts = {}
    for n in nodes:
        shape = (3, *(3 for _ in parents[n]))
        cols = rng.dirichlet(np.full(3, 2.0), size=shape[1:])      # (*parents, 3)
        cpts[n] = np.moveaxis(cols, -1, 0)
    return CompiledNetwork(nodes, states, parents, cpts)


def shipped_network() -> CompiledNetwork:
    """The shipped NATO model's CPTs on the test network's node names (same shape: the war's
    three states, 11 sub-factors grouped 3/4/2/2 under four factors, cohesion)."""
    import cohesion_bn as cb

    model = cb.load_model()
    subs = [p for f in ("threats", "institutions", "norms", "leadership")
            for p in model.parents(f)]
    names = {"war_outcome": "war", "cohesion": "cohesion",
             **{f: f"f{k + 1}" for k, f in enumerate(("threats", "institutions", "norms",
                                                      "leadership"))},
             **{s: f"d{i + 1:02d}" for i, s in enumerate(subs)}}
    test = build_test_network(0)
    cpts = {names[n]: model.cpt(n) for n in model.nodes}
    for n in model.nodes:
        if tuple(names[p] for p in model.parents(n)) != test.parents[names[n]]:
            raise SystemExit(f"the shipped model's {n} does not have the test network's shape")
    return CompiledNetwork(test.nodes, test.states, test.parents, cpts)


def scaling(net: CompiledNetwork, args: argparse.Namespace) -> None:
    """Cost against the number of draws: linear if the time per evaluation stays flat."""
    print("\n== Cost against the number of draws (engine float64, 3 scenarios) ==")
    for n in (1_000, 3_000, 10_000, 30_000):
        draws = dirichlet_draws(net, n, ess=args.ess, seed=args.seed)
        ps = net.parameters(draws, batch_last=True, validate=False)
        t = best_of(lambda: [net.query("cohesion", evidence={"war": s}, params=ps)  # noqa: B023
                             for s in WAR_STATES], repeat=max(3, args.repeat // 2))
        line(f"{n:>6} draws", t, f"{t / (3 * n) * 1e9:7.0f} ns / evaluation")


def dirichlet_draws(net: CompiledNetwork, n: int, *, ess: float, seed: int
                    ) -> dict[str, np.ndarray]:
    """``n`` draws of every CPT, each column ~ Dirichlet(ess * column), batch axis LAST.

    Drawn straight into the engine's layout ``(n_states, *parent_cards, n)``, so the
    engine uses them without a copy. (A zero entry gives a zero draw.)
    """
    rng = np.random.default_rng(seed)
    out = {}
    for node, cpt in net.cpts.items():
        g = rng.standard_gamma(np.broadcast_to((cpt * ess)[..., None], (*cpt.shape, n)))
        g /= g.sum(axis=0, keepdims=True)
        out[node] = g
    return out


# --------------------------------------------------------------------------------------
# timing helpers
# --------------------------------------------------------------------------------------


def best_of(f: Callable[[], object], *, repeat: int, min_time: float = 0.0) -> float:
    """Best wall time of ``repeat`` calls (after one warm-up), in seconds."""
    f()
    best = float("inf")
    spent = 0.0
    k = 0
    while k < repeat or spent < min_time:
        t = time.perf_counter()
        f()
        d = time.perf_counter() - t
        best = min(best, d)
        spent += d
        k += 1
    return best


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.2f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:8.2f} µs"
    return f"{seconds * 1e9:8.1f} ns"


def line(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<58} {fmt_time(seconds)}  {note}")


# --------------------------------------------------------------------------------------
# pgmpy and pyagrum copies of a network
# --------------------------------------------------------------------------------------


def to_pgmpy(net: CompiledNetwork) -> Any:
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    model = DiscreteBayesianNetwork([(p, n) for n in net.nodes for p in net.parents[n]])
    model.add_nodes_from(net.nodes)
    for n in net.nodes:
        cpt = net.cpts[n]
        ps = net.parents[n]
        model.add_cpds(TabularCPD(
            n, cpt.shape[0], cpt.reshape(cpt.shape[0], -1), evidence=list(ps) or None,
            evidence_card=[len(net.states[p]) for p in ps] or None,
            state_names={v: list(net.states[v]) for v in (n, *ps)}))
    return model


class Agrum:
    """A pyagrum copy of a network whose CPTs can be refilled from the engine's layout."""

    def __init__(self, net: CompiledNetwork) -> None:
        import pyagrum as gum

        self.gum = gum
        self.net = net
        self.bn = gum.BayesNet("bench")
        for n in net.nodes:
            self.bn.add(gum.LabelizedVariable(n, n, list(net.states[n])))
        for n in net.nodes:
            for p in net.parents[n]:
                self.bn.addArc(p, n)
        # pyagrum stores a CPT with its first variable varying fastest
        self.perm: dict[str, list[int]] = {}
        for n in net.nodes:
            ours = (n, *net.parents[n])
            names = list(self.bn.cpt(n).names)
            self.perm[n] = [ours.index(v) for v in reversed(names)]
        self.fill(net.cpts)
        self.ie: Any = None

    def fill(self, cpts: Mapping[str, np.ndarray]) -> None:
        for n, cpt in cpts.items():
            self.bn.cpt(n).fillWith(np.ascontiguousarray(np.transpose(cpt, self.perm[n])).ravel())

    def joint_and_pe(self, target: str, evidence: Mapping[str, str], *, fresh: bool = False
                     ) -> tuple[np.ndarray, float]:
        """P(t, e) and P(e) by LazyPropagation.

        A LazyPropagation keeps the results it computed until the evidence changes, even
        if a CPT changed: so either make a fresh one (``fresh``) or reset the evidence,
        which makes it recompute (the cross-checks against the engine confirm it).
        """
        if fresh or not evidence or self.ie is None:
            self.ie = self.gum.LazyPropagation(self.bn)
            # one thread: faster here than 2 threads on 2 (shared) cores
            self.ie.setNumberOfThreads(1)
            self.ie.addTarget(target)
        else:
            self.ie.eraseAllEvidence()
        self.ie.setEvidence(dict(evidence))
        self.ie.makeInference()
        post = np.asarray(self.ie.posterior(target).toarray())
        pe = float(self.ie.evidenceProbability()) if evidence else 1.0
        return post * pe, pe


def read_example(name: str) -> CompiledNetwork | None:
    """One of pgmpy's bundled networks, from the installed package (never downloaded)."""
    import pgmpy
    from pgmpy.readwrite import BIFReader

    found = sorted(Path(pgmpy.__file__).parent.glob(f"**/{name}.bif.gz"))
    if not found:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with gzip.open(found[0], "rt") as fh:
            model = BIFReader(string=fh.read()).get_model()
    return CompiledNetwork.from_pgmpy(model)


def sample_evidence(net: CompiledNetwork, k: int, seed: int) -> dict[str, str]:
    """``k`` findings from one forward sample (so P(e) > 0)."""
    rng = np.random.default_rng(seed)
    value: dict[str, int] = {}
    order: list[str] = []
    while len(order) < len(net.nodes):
        for n in net.nodes:
            if n not in order and all(p in order for p in net.parents[n]):
                order.append(n)
    for n in order:
        col = net.cpts[n][(slice(None), *(value[p] for p in net.parents[n]))]
        value[n] = int(rng.choice(len(col), p=col / col.sum()))
    leaves = [n for n in net.nodes if not any(n in net.parents[c] for c in net.nodes)]
    chosen = rng.choice(leaves, size=min(k, len(leaves)), replace=False)
    return {str(n): net.states[str(n)][value[str(n)]] for n in chosen}


# --------------------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------------------


def bench_batched(net: CompiledNetwork, draws: dict[str, np.ndarray], args: argparse.Namespace
                  ) -> dict[str, float]:
    n = args.draws
    scenarios = [{"war": s} for s in WAR_STATES]
    target = "cohesion"
    res: dict[str, float] = {}
    print(f"\n== Batched posterior of '{target}': {n} draws x {len(scenarios)} scenarios "
          f"(war = each state) ==")
    ps64 = net.parameters(draws, batch_last=True, validate=False)
    ps32 = net.parameters(draws, batch_last=True, validate=False, dtype=np.float32)

    def run(ps: Any) -> list[Any]:
        return [net.query(target, evidence=e, params=ps) for e in scenarios]

    t64 = best_of(lambda: run(ps64), repeat=args.repeat)
    t32 = best_of(lambda: run(ps32), repeat=args.repeat)
    evals = n * len(scenarios)
    line("engine float64 (all scenarios)", t64, f"{t64 / evals * 1e9:7.0f} ns / evaluation")
    line("engine float32 (all scenarios)", t32, f"{t32 / evals * 1e9:7.0f} ns / evaluation")
    res["engine64"] = t64 / evals
    res["engine32"] = t32 / evals
    ref = run(ps64)
    diff32 = max(float(np.abs(r[target] - q[target]).max()) for r, q in zip(
        ref, run(ps32), strict=True))
    print(f"  float32 vs float64: max |difference| of posteriors {diff32:.1e}")

    t_am = best_of(lambda: net.all_marginals(evidence=scenarios[0], params=ps64),
                   repeat=max(2, args.repeat // 2))
    line("engine all_marginals (17 posteriors, 1 scenario)", t_am,
         f"{t_am / n * 1e9:7.0f} ns / draw")
    t_nov = best_of(lambda: net.query(target, params=ps64), repeat=args.repeat)
    line("engine, no evidence (1 scenario)", t_nov, f"{t_nov / n * 1e9:7.0f} ns / draw")

    # what the engine's input costs when given batch-first arrays (a transposing copy)
    first = {k: np.ascontiguousarray(np.moveaxis(v, -1, 0)) for k, v in draws.items()}
    t_conv = best_of(lambda: net.parameters(first, validate=False), repeat=3)
    t_val = best_of(lambda: net.parameters(draws, batch_last=True), repeat=3)
    line("parameters(): batch-first input -> internal layout (copy)", t_conv)
    line("parameters(): batch-last input, validation on (no copy)", t_val)

    # memory bandwidth bound: bytes of parameters the plans read per draw
    total_bytes = 0
    for e in scenarios:
        info = net.plan_info(target, evidence=list(e), batched=net.nodes)[0]
        for node in info.nodes:
            shape = net.cpts[node].shape
            axes = (node, *net.parents[node])
            size = int(np.prod([1 if a in e else s for a, s in zip(axes, shape, strict=True)]))
            total_bytes += size * 8 * n
    flat = np.concatenate([v.ravel() for v in draws.values()])
    t_read = best_of(lambda: flat.sum(), repeat=args.repeat)
    bandwidth = flat.nbytes / t_read
    bound = total_bytes / bandwidth
    per_draw = total_bytes / n / len(scenarios)
    print(f"  parameters read per draw and scenario: {per_draw:.0f} B (float64; of "
          f"{net.n_parameters * 8} B per draw); read bandwidth now {bandwidth / 1e9:.1f} GB/s")
    line("memory-bandwidth bound for the float64 run", bound,
         f"engine is {t64 / bound:4.1f}x the bound ({total_bytes / t64 / 1e9:.1f} GB/s)")
    line("memory-bandwidth bound for the float32 run", bound / 2,
         f"engine is {t32 / (bound / 2):4.1f}x the bound")

    # the baseline: one generic opt_einsum expression with a batch index
    import opt_einsum as oe

    sym = {v: oe.get_symbol(i) for i, v in enumerate(net.nodes)}
    z = oe.get_symbol(len(net.nodes))
    terms = [z + "".join(sym[v] for v in (nd, *net.parents[nd])) for nd in net.nodes]
    eq = ",".join([*terms, sym["war"]]) + "->" + z + sym[target]
    ops = [first[nd] for nd in net.nodes]
    expr = oe.contract_expression(eq, *(o.shape for o in ops), (3,))

    def generic() -> list[np.ndarray]:
        out = []
        for s in range(len(WAR_STATES)):
            ind = np.zeros(3)
            ind[s] = 1.0
            j = expr(*ops, ind)
            out.append(j / j.sum(axis=1, keepdims=True))
        return out

    t_gen = best_of(generic, repeat=max(2, args.repeat // 3))
    gen = generic()
    diff = max(float(np.abs(g - r[target]).max()) for g, r in zip(gen, ref, strict=True))
    line("generic opt_einsum + batch index (batch-first arrays)", t_gen,
         f"{t_gen / evals * 1e9:7.0f} ns / evaluation  (max |diff| {diff:.0e})")
    res["generic"] = t_gen / evals
    return res


def bench_loops(net: CompiledNetwork, draws: dict[str, np.ndarray], args: argparse.Namespace,
                res: dict[str, float]) -> None:
    target = "cohesion"
    scenarios = [{"war": s} for s in WAR_STATES]
    ref = [net.query(target, evidence=e, params=net.parameters(draws, batch_last=True,
                                                             validate=False))[target]
           for e in scenarios]
    print("\n== Loops of single queries on the same draws (subset, then per evaluation) ==")

    # pgmpy
    from pgmpy.inference import VariableElimination

    model = to_pgmpy(net)
    cpds = {c.variable: c for c in model.get_cpds()}
    ve = VariableElimination(model)
    k_pg = args.pgmpy_draws
    worst = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        for b in range(k_pg):
            for node, arr in draws.items():
                cpds[node].values = arr[..., b]
            for s, e in enumerate(scenarios):
                f = ve.query([target], evidence=e, show_progress=False)
                worst = max(worst, float(np.abs(f.values - ref[s][b]).max()))
        t_pg = (time.perf_counter() - t) / (k_pg * len(scenarios))
    line(f"pgmpy VariableElimination, {k_pg} draws x 3 (per evaluation)", t_pg,
         f"max |diff| vs engine {worst:.0e}")

    # pyagrum: a fresh LazyPropagation per draw, and one re-used with its evidence reset
    ag = Agrum(net)
    timings = {}
    for fresh in (True, False):
        k_ag = args.agrum_draws // (5 if fresh else 1)
        worst = 0.0
        t = time.perf_counter()
        for b in range(k_ag):
            ag.fill({node: arr[..., b] for node, arr in draws.items()})
            for s, e in enumerate(scenarios):
                joint, pe = ag.joint_and_pe(target, e, fresh=fresh)
                worst = max(worst, float(np.abs(joint / pe - ref[s][b]).max()))
        timings[fresh] = (time.perf_counter() - t) / (k_ag * len(scenarios))
        how = "fresh engine per draw" if fresh else "re-used, evidence reset"
        line(f"pyagrum LazyPropagation ({how}), {k_ag} draws x 3", timings[fresh],
             f"max |diff| vs engine {worst:.0e}")
    t_ag, t_ag_fresh = timings[False], timings[True]

    evals = args.draws * len(scenarios)
    print(f"\n  per evaluation (one draw, one scenario) and for all {evals} evaluations:")
    rows = [("engine float64", res["engine64"]), ("engine float32", res["engine32"]),
            ("generic opt_einsum", res["generic"]), ("pyagrum loop (re-used)", t_ag),
            ("pyagrum loop (fresh)", t_ag_fresh), ("pgmpy loop", t_pg)]
    for name, per in rows:
        print(f"    {name:<22} {fmt_time(per)}   all: {fmt_time(per * evals)}   "
              f"{per / res['engine64']:9.1f}x engine float64")


def bench_derivatives(args: argparse.Namespace, net17: CompiledNetwork) -> None:
    print("\n== Derivatives of P(t, e) and P(e) w.r.t. every CPT entry, one query ==")
    print(f"  {'network':<10} {'entries':>7} {'engine':>11} {'(1st call)':>11} "
          f"{'pyagrum FD':>11}  {'ratio':>7}   target | evidence")
    cases: list[tuple[str, CompiledNetwork | None]] = [("17-node", net17)]
    for name in args.networks:
        t = time.perf_counter()
        cases.append((name, read_example(name)))
        print(f"  (read {name} with pgmpy's BIFReader in {time.perf_counter() - t:.1f} s, "
              "not timed below)")
    for name, net in cases:
        if net is None:
            print(f"  {name}: not bundled with this pgmpy; skipped")
            continue
        evidence = ({"war": WAR_STATES[0]} if name == "17-node"
                    else sample_evidence(net, 3, seed=11))
        target = "cohesion" if name == "17-node" else next(
            n for n in net.nodes if n not in evidence and net.parents[n])
        t0 = time.perf_counter()
        grad = net.gradient(target, evidence=evidence)
        first = time.perf_counter() - t0
        t_eng = best_of(lambda: net.gradient(target, evidence=evidence),  # noqa: B023
                        repeat=args.repeat, min_time=0.2)
        # pyagrum: a forward-difference loop needs one evaluation per entry (+1). Time a
        # few, and check the engine's derivatives with them along co-varied directions
        # (entry x up by h, the rest of its column down in proportion: the column keeps
        # summing to 1, which pyagrum's pruning assumes). P(t, e) is linear along such a
        # direction, so a forward difference is exact up to rounding.
        ag = Agrum(net)
        rng = np.random.default_rng(0)
        entries = []
        while len(entries) < args.fd_entries:
            nd = str(rng.choice(list(net.nodes)))
            entry = tuple(int(rng.integers(k)) for k in net.cpts[nd].shape)
            if 1e-6 < net.cpts[nd][entry] < 1 - 1e-6:
                entries.append((nd, entry))
        base, _ = ag.joint_and_pe(target, evidence)
        worst = 0.0
        t = time.perf_counter()
        for nd, entry in entries:
            cpt = net.cpts[nd]
            col = (slice(None), *entry[1:])
            v = np.zeros_like(cpt)
            v[col] = -cpt[col] / (1 - cpt[entry])
            v[entry] = 1.0
            h = 0.5 * min(cpt[entry], 1 - cpt[entry])
            ag.fill({nd: cpt + h * v})
            joint, _ = ag.joint_and_pe(target, evidence)
            ag.fill({nd: cpt})
            fd = (joint - base) / h
            d_joint = grad.d_joint[nd][0] if grad.d_joint is not None else None
            if d_joint is None:
                raise SystemExit("no derivatives of P(t, e)")
            ours = np.tensordot(d_joint, v, axes=v.ndim)
            worst = max(worst, float(np.abs(fd - ours).max() / base.max()))
        per = (time.perf_counter() - t) / len(entries)
        t_fd = per * (net.n_parameters + 1)
        ev = ", ".join(f"{k}={v}" for k, v in evidence.items())
        print(f"  {name:<10} {net.n_parameters:>7} {fmt_time(t_eng)} {fmt_time(first)} "
              f"{fmt_time(t_fd)}  {t_fd / t_eng:6.0f}x   {target} | {ev}")
        print(f"  {'':<10} {'':>7} (FD check, {len(entries)} co-varied directions: "
              f"max |FD - engine| / max P(t,e) = {worst:.0e}; FD time = "
              f"{fmt_time(per).strip()} per evaluation x {net.n_parameters + 1})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--ess", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--pgmpy-draws", type=int, default=40)
    parser.add_argument("--agrum-draws", type=int, default=300)
    parser.add_argument("--fd-entries", type=int, default=30)
    parser.add_argument("--networks", nargs="*", default=["alarm", "insurance", "hepar2"])
    parser.add_argument("--quick", action="store_true", help="smaller loops and repeats")
    parser.add_argument("--random", action="store_true",
                        help="random CPTs of the shipped model's shape instead of the model")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.pgmpy_draws, args.agrum_draws, args.fd_entries = 3, 10, 50, 10

    import platform

    print(f"cohesion-bn engine benchmark | numpy {np.__version__} | python "
          f"{platform.python_version()} | {platform.machine()}")
    try:
        with open("/proc/loadavg") as fh:
            print(f"load average at start: {fh.read().split()[0]} (the machine may be shared; "
                  "times are best of repeats)")
    except OSError:
        pass
    if args.random:
        net = build_test_network(args.seed)
        what = "17-node test network with RANDOM CPTs"
    else:
        net = shipped_network()
        what = "the shipped NATO model (models/nato_cohesion.yaml)"
    print(f"\n{what}: {len(net.nodes)} nodes, {net.n_parameters} CPT entries")
    t = time.perf_counter()
    draws = dirichlet_draws(net, args.draws, ess=args.ess, seed=args.seed)
    t_draw = time.perf_counter() - t
    line(f"drawing {args.draws} parameter sets (Dirichlet, ESS {args.ess:g})", t_draw,
         f"{t_draw / args.draws * 1e6:.1f} µs / draw (not part of any timing below)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        res = bench_batched(net, draws, args)
        bench_loops(net, draws, args, res)
        scaling(net, args)
        bench_derivatives(args, net)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
