"""``cohesion-bn elicit ...``: the elicitation commands (thin: parse, call the API, print)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["add_elicit_parser"]


def _study(args: argparse.Namespace) -> Any:
    from .elicitation.study import load_study

    return load_study(args.study)


def _store(args: argparse.Namespace, study: Any, *, create: bool = False) -> Any:
    """The study's store: ``--store``, else ``<study id>.sqlite`` beside the study file.

    Only ``import`` creates it; the read-only commands say there is nothing yet instead.
    """
    from .elicitation.store import Store
    from .errors import ElicitationError

    path = Path(args.store) if args.store else Path(study.path).parent / f"{study.id}.sqlite"
    if not create and not path.exists():
        raise ElicitationError(f"no answers yet: the store {path} does not exist; run "
                               "`cohesion-bn elicit import` first (or give --store)")
    return Store(path, study=study.id)


def _cmd_template(args: argparse.Namespace) -> int:
    from .elicitation.questionnaire import write_questionnaire

    study = _study(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    experts = args.expert or list(study.expert_ids)
    unknown = [e for e in experts if e not in study.expert_ids]
    if unknown:
        from .errors import ElicitationError

        raise ElicitationError(f"--expert {unknown[0]}: not an expert of study {study.id}; its "
                               f"experts are {', '.join(study.expert_ids)} (nothing written)")
    planned = [out / f"{study.id}_{e}_round{study.round}.{args.format}" for e in experts]
    taken = [p for p in planned if p.exists()]
    if taken:
        raise FileExistsError(f"{taken[0]} exists; nothing was written (choose another --out)")
    for e in experts:
        path = out / f"{study.id}_{e}_round{study.round}.{args.format}"
        write_questionnaire(study, e, path, format=args.format)
        print(f"wrote {path}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .elicitation.questionnaire import read_questionnaire

    study = _study(args)
    store = _store(args, study, create=True)
    worst = 0
    for f in args.files:
        result = read_questionnaire(f, study, strict=args.strict)
        added = store.add(result.answers) if result.answers else None
        head = (f"{f}: expert {result.expert}, {len(result.answers)} answers"
                + (f" ({added.new} new, {added.revised} revised, {added.unchanged} unchanged)"
                   if added is not None else ""))
        print(head)
        for problem in result.problems:
            print(f"  - {problem}")
        for note in result.notes:
            print(f"  note: {note}")
        if result.missing:
            print(f"  {len(result.missing)} unanswered (kept as missing, not filled in)")
        if result.refused:
            worst = 1  # answers refused (blanks alone are kept as missing: not a failure)
    print(f"store: {store.path}")
    return worst


def _cmd_status(args: argparse.Namespace) -> int:
    study = _study(args)
    store = _store(args, study)
    table = store.status(study.all_questions)
    if args.json:
        print(table.reset_index().to_json(orient="records", indent=2))
        return 0
    with pd.option_context("display.width", 120, "display.max_rows", 500):
        print(table.to_string())
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    study = _study(args)
    store = _store(args, study)
    fmt = "json" if str(args.to).lower().endswith(".json") else "csv"
    if args.expert:
        path = store.export_expert(args.expert, args.to, format=fmt)
    else:
        path = store.export(args.to, format=fmt)
    print(f"wrote {path}")
    return 0


def _cmd_forget(args: argparse.Namespace) -> int:
    study = _study(args)
    store = _store(args, study)
    n = store.delete_expert(args.expert, args.reason)
    print(f"deleted {n} answer rows of expert {args.expert} from {store.path}; the deletion "
          "is logged (time, reason, row count; no answer content)")
    return 0


def _weights_arg(text: str) -> Any:
    if text in ("equal", "cooke"):
        return text
    out: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            from .errors import ElicitationError

            raise ElicitationError(f"--weights {text!r}: write equal, cooke, or E1=0.5,E2=0.3,...")
    return out


def _pooled(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    from .elicitation.pooling import pool
    from .model import load_model

    study = _study(args)
    store = _store(args, study)
    answers = store.latest(round=args.round)
    if not answers:
        from .errors import ElicitationError

        rounds = store.rounds()
        if args.round is not None and rounds:
            raise ElicitationError(f"the store {store.path} has no answers for round "
                                   f"{args.round}; it has round(s) "
                                   + ", ".join(map(str, rounds)))
        raise ElicitationError(f"the store {store.path} holds no answers yet; run "
                               "`cohesion-bn elicit import` first")
    model = load_model(study.model_path)
    result = pool(model, answers, method=args.method, weights=_weights_arg(args.weights),
                  parametric=args.parametric, seeds=study.seeds, levels=study.levels)
    return study, model, result


def _cmd_pool(args: argparse.Namespace) -> int:
    from .elicitation.writeback import write_pooled_model

    study, model, result = _pooled(args)
    path = write_pooled_model(model, result, args.out, study=study.id)
    left: dict[str, list[str]] = {}
    for ex in result.excluded:
        left.setdefault(f"expert {ex.expert}: {ex.reason}", []).append(ex.node)
    for reason, nodes in left.items():
        where = ", ".join(nodes) if len(nodes) <= 3 else f"{len(nodes)} nodes"
        print(f"  left out: {reason} ({where})")
    for note in result.notes:
        print(f"  note: {note}")
    print(f"wrote {path} ({len(result.nodes)} pooled nodes, {args.method} pool, "
          f"{args.weights} weights)")
    return 0


def _cmd_disagreement(args: argparse.Namespace) -> int:
    from .elicitation.disagreement import disagreement, plot_disagreement

    _, _, result = _pooled(args)
    table = disagreement(result)
    if args.plot:
        from .cli import _check_figure_path

        _check_figure_path(Path(args.plot))
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 0.35 * len(table) + 1.5))
        plot_disagreement(table, ax=ax)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=150)
        plt.close(fig)
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.json:
        print(table.reset_index().to_json(orient="records", indent=2))
        return 0
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(table.to_string())
    return 0


def _cmd_cooke(args: argparse.Namespace) -> int:
    from .elicitation.cooke import analyze, robustness
    from .elicitation.excalibur import read_excalibur

    if Path(args.file).suffix.lower() in (".yaml", ".yml"):
        from .elicitation.pooling import cooke_weights

        args.study = args.file
        study = _study(args)
        answers = _store(args, study).latest()
        _, full, _ = cooke_weights(answers, study.seeds, levels=study.levels)
        seed_study = None
        result = full
    else:
        seed_study = read_excalibur(args.file, args.rls)
        result = analyze(seed_study, weights=args.weights, alpha=args.alpha,
                         overshoot=args.overshoot, calibration_power=args.calibration_power)
    if seed_study is None:
        if args.json:
            print(json.dumps(result.to_dict(), indent=2))
        else:
            with pd.option_context("display.float_format", "{:.6g}".format):
                print(result.to_df().to_string())
        return 0
    study = seed_study
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
    p = sub.add_parser("elicit", help="expert elicitation: questionnaires, import, status, "
                       "pooling, Cooke weights, disagreement")
    esub = p.add_subparsers(dest="elicit_command", metavar="SUBCOMMAND", required=True)

    def study_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("study", metavar="STUDY.yaml", help="the study definition file")
        q.add_argument("--store", default=None,
                       help="the study's answer store (default: <study id>.sqlite beside it)")

    t = esub.add_parser("template", help="write each expert's questionnaire (XLSX, CSV, YAML)")
    study_args(t)
    t.add_argument("--expert", action="append", metavar="PSEUDONYM",
                   help="only these experts (default: all)")
    t.add_argument("--format", choices=["xlsx", "csv", "yaml"], default="xlsx")
    t.add_argument("--out", default=".", help="directory (files are never overwritten)")
    t.set_defaults(func=_cmd_template)

    i = esub.add_parser("import", help="read filled-in questionnaires into the study's store")
    study_args(i)
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--strict", action="store_true",
                   help="refuse a questionnaire with any problem or missing answer")
    i.set_defaults(func=_cmd_import)

    s = esub.add_parser("status", help="answered / total questions per expert and node")
    study_args(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_cmd_status)

    x = esub.add_parser("export", help="write the store (or one expert's answers) to CSV/JSON")
    study_args(x)
    x.add_argument("--to", required=True, metavar="FILE.csv|FILE.json",
                   help="output file (never overwritten)")
    x.add_argument("--expert", metavar="PSEUDONYM",
                   help="only this expert's answers (what the store holds about them)")
    x.set_defaults(func=_cmd_export)

    f = esub.add_parser("forget", help="delete one expert's answers on request (logged)")
    study_args(f)
    f.add_argument("expert", metavar="PSEUDONYM")
    f.add_argument("--reason", required=True, help="why (kept in the log)")
    f.set_defaults(func=_cmd_forget)

    for name, helptext, func in (
            ("pool", "pool the experts' CPTs into a new model file", _cmd_pool),
            ("disagreement", "how far apart the experts are, node by node", _cmd_disagreement)):
        q = esub.add_parser(name, help=helptext)
        study_args(q)
        q.add_argument("--method", choices=["linear", "log"], default="linear")
        q.add_argument("--weights", default="equal",
                       help="equal, cooke (from the seed questions), or E1=0.5,E2=0.3,...")
        q.add_argument("--parametric", choices=["tables", "parameters"], default="tables",
                       help="ranked nodes: pool their tables or their parameters")
        q.add_argument("--round", type=int, default=None, help="default: each expert's latest")
        if name == "pool":
            q.add_argument("--out", required=True, metavar="MODEL.yaml",
                           help="the pooled model file (never overwritten)")
        else:
            q.add_argument("--plot", metavar="FILE.png", help="also draw the ranking")
            q.add_argument("--json", action="store_true")
        q.set_defaults(func=func)

    c = esub.add_parser("cooke", help="Cooke's classical model: an Excalibur .dtt/.rls study, "
                        "or a study file's seed questions")
    c.add_argument("file", metavar="FILE.dtt|STUDY.yaml")
    c.add_argument("--store", default=None, help="with a study file: its answer store")
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
