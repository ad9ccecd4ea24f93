"""``cohesion-bn elicit ...``: the elicitation commands (thin: parse, call the API, print)."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pandas as pd

__all__ = ["add_elicit_parser"]


def _cmd_cooke(args: argparse.Namespace) -> int:
    from .elicitation.cooke import analyze, robustness
    from .elicitation.excalibur import read_excalibur

    study = read_excalibur(args.file, args.rls)
    result = analyze(study, weights=args.weights, alpha=args.alpha, overshoot=args.overshoot,
                     calibration_power=args.calibration_power)
    equal = analyze(study, weights="equal", overshoot=args.overshoot,
                    calibration_power=args.calibration_power)
    robust = {kind: robustness(study, leave_out=kind, weights=args.weights, alpha=args.alpha,
                               overshoot=args.overshoot,
                               calibration_power=args.calibration_power)
              for kind in (args.robustness or [])}
    if args.json:
        out: dict[str, Any] = result.to_dict()
        out["weights"] = args.weights
        out["equal_weight_decision_maker"] = equal.to_dict()["decision_maker"]
        for kind, df in robust.items():
            out[f"robustness_{kind}"] = [
                {"left_out": str(idx), **{k: (None if pd.isna(v) else float(v))
                                          for k, v in row.items()}}
                for idx, row in df.iterrows()]
        print(json.dumps(out, indent=2))
        return 0
    print(f"Cooke's classical model: {args.file} ({len(study.experts)} experts, "
          f"{int(study.seed_mask.sum())} seed items, {args.weights} weights)\n")
    with pd.option_context("display.float_format", "{:.6g}".format, "display.width", 120):
        print(result.to_df().to_string())
        dm = result.decision_maker
        print(f"\ncutoff alpha = {result.alpha:.6g}")
        print(f"decision maker ({args.weights}): calibration {dm.calibration:.6g}, "
              f"information {dm.information:.6g}, seed information {dm.information_seed:.6g}")
        eq = equal.decision_maker
        print(f"decision maker (equal):  calibration {eq.calibration:.6g}, "
              f"information {eq.information:.6g}, seed information {eq.information_seed:.6g}")
        for kind, df in robust.items():
            print(f"\nRobustness: the decision maker with each {kind[:-1]} left out")
            print(df.to_string())
    return 0


def add_elicit_parser(sub: Any) -> None:
    """Add ``elicit`` and its subcommands to the CLI's subparsers."""
    p = sub.add_parser("elicit", help="expert elicitation: Cooke's classical model, ...")
    esub = p.add_subparsers(dest="elicit_command", metavar="SUBCOMMAND", required=True)

    c = esub.add_parser("cooke", help="Cooke's classical model on an Excalibur .dtt/.rls study")
    c.add_argument("file", metavar="FILE.dtt")
    c.add_argument("--rls", default=None, help="realisations file (default: FILE.rls)")
    c.add_argument("--weights", choices=["global", "item", "equal"], default="global")
    c.add_argument("--alpha", type=float, default=None,
                   help="calibration cutoff (default: optimised for the decision maker)")
    c.add_argument("--overshoot", type=float, default=0.1,
                   help="intrinsic-range overshoot (default 0.1)")
    c.add_argument("--calibration-power", type=float, default=1.0)
    c.add_argument("--robustness", action="append", choices=["experts", "items"],
                   help="also the decision maker with each expert / seed item left out")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(func=_cmd_cooke)
