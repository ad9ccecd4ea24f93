"""``cohesion-bn sensitivity [ANALYSIS] ...``: sensitivity and uncertainty analyses.

One-way parameter sensitivity is the default analysis; the others are named:
``tune``, ``twoway``, ``expert``, ``findings``, ``uncertainty``, ``sobol``, ``arcs``. Thin: parse
the arguments, call :mod:`cohesion_bn.sensitivity`, print a table or JSON.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np
import pandas as pd

from .errors import AnalysisError

__all__ = ["add_sensitivity_parser"]

ANALYSES = ("oneway", "tune", "twoway", "expert", "findings", "uncertainty", "sobol", "arcs")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return str(obj)


def _clean(obj: Any) -> Any:
    """NaN and infinities become null, so the JSON is standard."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating) and not np.isfinite(obj):
        return None
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _print_json(data: Any) -> None:
    print(json.dumps(_clean(data), indent=2, default=_json_default))


def _print_df(df: pd.DataFrame, rows: int) -> None:
    df = df.copy()
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]):
            df[c] = df[c].mask(df[c].abs() < 1e-12, 0.0)  # rounding noise reads as zero
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:.4g}".format):
        print(df.head(rows).to_string())


def _evidence(args: argparse.Namespace) -> dict[str, str]:
    from .cli import _pairs

    return _pairs(args.evidence, "--evidence")


def _need_target(args: argparse.Namespace) -> str:
    if not args.target:
        raise AnalysisError(f"`sensitivity {args.analysis}` needs --target NODE=STATE, "
                            "e.g. --target cohesion=weak")
    return str(args.target)


def _run(args: argparse.Namespace) -> int:
    from .cli import _load

    model = _load(args)
    kind = args.analysis
    ev = _evidence(args)
    result: Any
    if kind == "oneway":
        from .sensitivity import oneway

        result = oneway.analyze(model, _need_target(args), evidence=ev,
                                denominator=args.over, scheme=args.scheme)
        if args.json:
            _print_json(result.to_records())
            return 0
        df = result.to_df()
        order = df["derivative"].abs().sort_values(ascending=False).index
        shown = [c for c in ("node", "parents", "state", "value", "derivative",
                             "admissible_lo", "admissible_hi") if c in df]
        df = df[shown].reset_index(drop=True).loc[order] if shown else df
        print(f"One-way sensitivity of P({args.target}"
              f"{' | ' + ', '.join(f'{k}={v}' for k, v in ev.items()) if ev else ''}) = "
              f"{result.baseline:.4f} ({args.scheme} co-variation); top {args.top} of "
              f"{len(df)} parameters by |derivative|:\n")
        _print_df(df.set_index("node") if "node" in df else df, args.top)
        print("\n(admissible_lo/hi: how far the value can move before the most likely state "
              "of the target node changes; NaN: no bound. --json gives every coefficient.)")
        return 0
    if kind == "tune":
        from .sensitivity import tuning

        if (args.at_least is None) == (args.at_most is None):
            raise AnalysisError("`sensitivity tune` needs exactly one of --at-least P or "
                                "--at-most P")
        result = tuning.analyze(model, _need_target(args), at_least=args.at_least,
                                at_most=args.at_most, minus=args.minus, over=args.over,
                                evidence=ev, scheme=args.scheme)
        if args.json:
            _print_json({"message": result.message(), "candidates": result.to_records()})
            return 0
        print(result.message())
        if result.candidates:
            print()
            _print_df(result.to_df(), args.top)
        return 0
    if kind == "twoway":
        from .sensitivity import twoway

        result = twoway.analyze(model, _need_target(args), evidence=ev, denominator=args.over,
                                scheme=args.scheme, k=args.k)
        if args.json:
            _print_json(result.to_records())
            return 0
        _print_df(result.to_df(), args.top)
        return 0
    if kind == "expert":
        from .sensitivity import expert

        result = expert.analyze(model, _need_target(args), evidence=ev, denominator=args.over)
        if args.json:
            _print_json(result.to_records())
            return 0
        df = result.to_df()
        _print_df(df.loc[df["elasticity"].abs().sort_values(ascending=False).index], args.top)
        return 0
    if kind == "findings":
        from .sensitivity import findings

        target = args.target or model.spec.topological_order()[-1]
        result = findings.analyze(model, target, scenarios=args.scenario,
                                  evidence=ev or None)
        df = result.to_df()
        if args.json:
            _print_json(df.reset_index().to_dict(orient="records"))
            return 0
        _print_df(df, args.top * max(1, df["scenario"].nunique() if "scenario" in df else 1))
        return 0
    if kind == "uncertainty":
        from .sensitivity import uncertainty

        target = args.target or model.spec.topological_order()[-1]
        result = uncertainty.analyze(model, target, n=args.n, scenarios=args.scenario,
                                     evidence=ev or None, ess=args.ess, seed=args.seed)
        summary = result.target_summary()
        if args.json:
            _print_json({"target": summary.reset_index().to_dict(orient="records"),
                         "timing": result.timing()})
            return 0
        ess = f"equivalent sample size {result.ess:g} where the file gives no uncertainty" \
            if result.ess is not None else "the uncertainty the model file gives"
        print(f"Monte Carlo: P({result.target}={result.target_state} | scenario) over "
              f"{result.n} parameter draws ({ess}); "
              f"P(the scenarios' ranking changes) = {result.prob_ranking_change:.3g}\n")
        _print_df(summary, 50)
        t = result.timing()
        print(f"\ndrawing {t.get('draw_seconds', 0):.3g} s, evaluating "
              f"{t.get('eval_seconds', 0):.3g} s")
        return 0
    if kind == "sobol":
        from .sensitivity import sobol

        target = args.target or model.spec.topological_order()[-1]
        result = sobol.analyze(model, target, inputs=args.inputs, n=args.n,
                               scenarios=args.scenario, evidence=ev or None, ess=args.ess,
                               seed=args.seed)
        df = result.to_df()
        if args.json:
            _print_json({"converged": result.converged,
                         "indices": df.reset_index().to_dict(orient="records")})
            return 0
        flat = df.reset_index()
        for sc in result.scenarios:
            part = flat[flat["scenario"] == sc].sort_values("ST", ascending=False)
            ok = bool(result.converged.get(sc))
            status = "converged" if ok else (
                f"NOT converged: the indices moved by {result.max_change.get(sc, 0.0):.3g} "
                "from N/2 to N; raise --n")
            print(f"Sobol' indices of P({result.target}={result.target_state} | {sc}), "
                  f"N = {result.n}, inputs {args.inputs}: top {args.top} by total index "
                  f"({status})")
            cols = [c for c in ("group", "S1", "S1_conf", "ST", "ST_conf") if c in part]
            _print_df(part[cols].set_index(cols[0]) if cols else part, args.top)
            print()
        return 0
    if kind == "arcs":
        from .sensitivity import arcs

        result = arcs.analyze(model, measure=args.measure, aggregate=args.aggregate)
        df = result.to_df()
        if args.json:
            _print_json(df.to_dict(orient="records"))
            return 0
        print(f"Strength of influence of each arc ({args.measure} distance, {args.aggregate} "
              f"over the other parents' states), strongest first; top {args.top} of "
              f"{len(df)}:\n")
        _print_df(df.set_index(["parent", "child"]), args.top)
        print("\n(0: the parent never changes its child's distribution; `cohesion-bn plot "
              "network --arc-strength` draws them.)")
        return 0
    raise AnalysisError(f"unknown analysis {kind!r}; choose from {', '.join(ANALYSES)}")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def add_sensitivity_parser(sub: Any, model_args: Any) -> None:
    """Add ``sensitivity`` to the CLI's subparsers."""
    p = sub.add_parser(
        "sensitivity",
        help="parameter sensitivity (default), tuning, findings, uncertainty, Sobol, arcs",
        description="One-way parameter sensitivity of P(--target | --evidence) by default; "
                    "name another analysis first: " + ", ".join(ANALYSES[1:]) + ".")
    p.add_argument("analysis", nargs="?", default="oneway", choices=ANALYSES,
                   help="the analysis (default: oneway)")
    model_args(p)
    p.add_argument("--target", "-t", metavar="NODE=STATE",
                   help="the query P(NODE=STATE | evidence); findings, uncertainty and sobol "
                        "also take a node")
    p.add_argument("--evidence", "-e", action="append", metavar="NODE=STATE")
    p.add_argument("--over", metavar="NODE=STATE",
                   help="a ratio target P(target|e) / P(over|e) (same evidence)")
    p.add_argument("--scheme", choices=["proportional", "uniform", "order_preserving"],
                   default="proportional", help="co-variation of the rest of a column")
    p.add_argument("--at-least", type=float, help="tune: make P(target|e) >= this")
    p.add_argument("--at-most", type=float, help="tune: make P(target|e) <= this")
    p.add_argument("--minus", metavar="NODE=STATE",
                   help="tune: constrain P(target|e) - P(minus|e) instead")
    p.add_argument("--scenario", action="append", metavar="ID",
                   help="findings/uncertainty/sobol: only these scenarios (default: all)")
    p.add_argument("--n", type=_positive_int, default=2000,
                   help="uncertainty: draws; sobol: base samples, a power of two")
    p.add_argument("--ess", type=float, default=None,
                   help="equivalent sample size for CPTs that carry no uncertainty")
    p.add_argument("--inputs", choices=["columns", "ranked", "all"], default="columns",
                   help="sobol: the uncertain inputs")
    p.add_argument("--k", type=_positive_int, default=20, help="twoway: pairs among the top k")
    p.add_argument("--measure", choices=["hellinger", "total_variation", "euclidean", "js"],
                   default="hellinger", help="arcs: the distance between distributions")
    p.add_argument("--aggregate", choices=["max", "mean"], default="max",
                   help="arcs: over the other parents' states and the pairs of states")
    p.add_argument("--seed", type=int, default=None, help="random seed (reproducible)")
    p.add_argument("--top", type=_positive_int, default=15, help="rows to print")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_run)
