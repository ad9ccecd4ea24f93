"""The ``cohesion-bn`` command: parse arguments, call the public API, print.

Every command that reads a model takes ``--model PATH`` (a model file, or a BIF, XMLBIF,
XDSL, NET, UAI... file); the default is the shipped NATO cohesion model. A user's mistake
ends with a message and exit status 2 (``validate`` exits 1 on an invalid file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import CohesionBNError, EvidenceError, ModelFileError

__all__ = ["main"]


def _pairs(items: Sequence[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise EvidenceError(f"{flag} {item!r}: write NODE=STATE")
        key, value = key.strip(), value.strip()
        if key in out and out[key] != value:
            raise EvidenceError(f"{flag} gives {key} twice ({key}={out[key]} and {key}={value}); "
                                "a node has one observed state")
        out[key] = value
    return out


def _vectors(items: Sequence[str] | None, flag: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise EvidenceError(f"{flag} {item!r}: write NODE=p1,p2,... (one number per state)")
        try:
            out[key.strip()] = [float(v) for v in value.split(",")]
        except ValueError:
            raise EvidenceError(f"{flag} {item!r}: {value!r} is not a list of numbers") from None
    return out


def _load(args: argparse.Namespace) -> Any:
    from .model import load_model

    return load_model(args.model, format=getattr(args, "format", None),
                      normalize=getattr(args, "normalize", False))


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


# ---------------------------------------------------------------------- commands


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from .inference import check_expectations, compare_scenarios

    model = _load(args)
    if not model.spec.scenarios:
        raise CohesionBNError(f"{args.model or 'the model'} defines no scenarios; use "
                              "`cohesion-bn query --evidence NODE=STATE` instead")
    targets = [model.resolve_node(t, context="--target") for t in args.target or []] or None
    table = compare_scenarios(model, targets=targets)
    checks = check_expectations(model)
    if args.csv:
        _write_new(Path(args.csv), table.reset_index().to_csv(index=False), args.force)
    if args.json:
        _print_json({
            "model": model.spec.id,
            "scenarios": _scenario_json(table, [sc.id for sc in model.spec.scenarios]),
            "expectations": checks.to_dict(orient="records"),
        })
        return 0
    wide = table["probability"].unstack("scenario")
    wide = wide[[s.id for s in model.spec.scenarios]]
    order = list(dict.fromkeys((node, state) for _, node, state in table.index))
    wide = wide.loc[order]
    shown = targets or _expectation_nodes(model) or model.nodes
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(f"{model.spec.title or model.spec.id}: posteriors by scenario\n")
        print(wide.loc[[i for i in wide.index if i[0] in shown]].to_string())
    if len(checks):
        print("\nThe source's expectations (effect E = P(strengthens) - P(weakens)):")
        for _, row in checks.iterrows():
            mark = "ok  " if row.ok else "MISS"
            value = f"P = {row.value:.3f}" if row.kind == "most_likely" else f"E = {row.value:+.3f}"
            print(f"  {mark} {row.scenario:<14} {row.node:<13} expected {row.expected:<11} "
                  f"got {row.observed:<11} ({value})")
        bad = int((~checks["ok"]).sum())
        print(f"\n{len(checks) - bad} of {len(checks)} expectations hold.")
    return 0


def _scenario_json(table: pd.DataFrame, scenarios: list[str]) -> dict[str, Any]:
    """{scenario: {node: {state: probability}}} from compare_scenarios' long table."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    flat = table.reset_index()
    for scenario, node, state, p in zip(flat["scenario"], flat["node"], flat["state"],
                                        flat["probability"], strict=True):
        out.setdefault(str(scenario), {}).setdefault(str(node), {})[str(state)] = float(p)
    return {sc: out.get(sc, {}) for sc in scenarios}


def _expectation_nodes(model: Any) -> list[str]:
    nodes: list[str] = []
    for sc in model.spec.scenarios:
        for n in [*sc.expect_effects, *sc.expect_most_likely]:
            if n not in nodes:
                nodes.append(n)
    return nodes


def _findings_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "evidence": _pairs(args.evidence, "--evidence"),
        "soft": _vectors(args.soft, "--soft"),
        "likelihood": _vectors(args.likelihood, "--likelihood"),
        "do": _pairs(args.do, "--do"),
    }


def _cmd_query(args: argparse.Namespace) -> int:
    model = _load(args)
    post = model.query(args.target or None, **_findings_kwargs(args))
    if args.json:
        _print_json(post.to_dict())
        return 0
    print(f"Given {post.findings.describe()} "
          f"(P(evidence) = {post.probability_of_evidence:.6g}):\n")
    for node, ser in post.marginals.items():
        print(f"{node}  ({model.label(node)})")
        for state, p in ser.items():
            bar = "#" * round(40 * float(p))
            print(f"  {state:<20} {float(p):.4f}  {bar}")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    model = _load(args)
    kwargs = _findings_kwargs(args)
    result = model.map(args.nodes, **kwargs) if args.nodes else model.mpe(**kwargs)
    if args.json:
        _print_json(result.to_dict())
        return 0
    kind = "MAP" if args.nodes else "MPE"
    print(f"{kind} given {result.findings.describe()}: probability {result.probability:.6g}\n")
    for node, state in result.assignment.items():
        print(f"  {node:<24} {state}")
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    model = _load(args)
    nodes = [model.resolve_node(n) for n in args.node] if args.node else model.nodes
    if args.json:
        out: dict[str, Any] = {"model": {"id": model.spec.id, "title": model.spec.title,
                         "description": model.spec.description, "source": model.spec.source_text,
                         "schema_version": model.spec.schema_version},
               "nodes": []}
        for nid in nodes:
            n = model.spec.node(nid)
            entry = n.to_dict()
            entry["cpt"] = {"method": n.cpt.method, "parameters": _plain(n.cpt.params),
                            "provenance": n.cpt.provenance.to_dict(),
                            "table": _table_json(model, nid)}
            if n.cpt.uncertainty is not None:
                entry["cpt"]["uncertainty"] = _plain(n.cpt.uncertainty)
            out["nodes"].append(entry)
        out["scenarios"] = [s.to_dict() for s in model.spec.scenarios]
        _print_json(out)
        return 0
    spec = model.spec
    print(f"{spec.title or spec.id}  ({len(spec.nodes)} nodes, {model.n_parameters} CPT entries, "
          f"{len(spec.scenarios)} scenarios)")
    if spec.description:
        print(spec.description.strip())
    for nid in nodes:
        n = spec.node(nid)
        print(f"\n{n.id}: {n.display}")
        print(f"  states:  {', '.join(n.states)}{'' if n.ordered else '  (not ordered)'}")
        print(f"  parents: {', '.join(n.parents) or '-'}")
        prov = n.cpt.provenance
        print(f"  cpt:     {n.cpt.method}; {prov.method} ({prov.source}, {prov.date})")
        if prov.notes:
            print(f"  notes:   {prov.notes}")
        if n.cpt.method != "table":
            params = ", ".join(f"{k}: {_plain(v)}" for k, v in n.cpt.params.items())
            print(f"  parameters: {params}")
        if args.tables:
            # one row per parent combination, one column per state: readable at any size
            frame = model.cpt_frame(nid).T
            with pd.option_context("display.float_format", "{:.4g}".format,
                                   "display.width", 150, "display.max_rows", 1000):
                print(frame.to_string())
    return 0


def _table_json(model: Any, nid: str) -> list[dict[str, Any]]:
    import itertools

    n = model.spec.node(nid)
    arr = model.cpt(nid)
    rows = []
    for combo in itertools.product(*(range(len(model.states(p))) for p in n.parents)):
        given = {p: model.states(p)[i] for p, i in zip(n.parents, combo, strict=True)}
        col = arr[(slice(None), *combo)]
        rows.append({"given": given, "p": {s: float(v) for s, v in zip(n.states, col,
                                                                       strict=True)}})
    return rows


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict) or hasattr(obj, "items"):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


def _cmd_validate(args: argparse.Namespace) -> int:
    from .model import load_model

    failed = 0
    for path in args.files:
        try:
            model = load_model(path, format=args.format)
            model.network  # noqa: B018 - building it is part of the check
            if any(model.spec.node(n).cpt.uncertainty is not None for n in model.nodes):
                from .sensitivity._draws import read_uncertainty

                read_uncertainty(model)  # what the Monte Carlo will read, checked now
        except ModelFileError as exc:
            failed += 1
            print(str(exc))
            continue
        except CohesionBNError as exc:
            failed += 1
            print(f"{path}: {exc}")
            continue
        print(f"{path}: valid ({len(model.nodes)} nodes, {model.n_parameters} CPT entries, "
              f"{len(model.spec.scenarios)} scenarios)")
    return 1 if failed else 0


def _write_new(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise CohesionBNError(f"{path} exists; nothing was overwritten (use --force to replace "
                              "it, or choose another name)")
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def _cmd_export(args: argparse.Namespace) -> int:
    from .spec import dump_spec

    model = _load(args)
    out = Path(args.to)
    if out.exists() and not args.force:
        raise CohesionBNError(f"{out} exists; nothing was overwritten (use --force to replace "
                              "it, or choose another name)")
    fmt = args.to_format
    if fmt == "yaml" or (fmt is None and out.suffix.lower() in (".yaml", ".yml")):
        dump_spec(model.spec, out, overwrite=True)
    else:
        from .formats import detect_format, write_network

        labels = {n.id: n.label for n in model.spec.nodes if n.label}
        write_network(model.network, out, format=fmt, labels=labels)
        kind = fmt or detect_format(out)
        lost = "scenarios, provenance, descriptions and CPT methods (tables only)"
        if kind in ("bif", "xmlbif", "uai"):
            lost = "labels, " + lost
        if kind == "uai":
            lost = "node and state names (by position only), " + lost
        print(f"note: {kind.upper()} keeps the network and its tables; {lost} stay only in "
              "the YAML model file", file=sys.stderr)
    print(f"wrote {out}", file=sys.stderr)
    return 0


FIGURE_FORMATS = ("png", "pdf", "svg", "jpg", "jpeg", "eps", "ps", "tif", "tiff", "webp")


def _check_figure_path(out: Path, dpi: int = 150, *, force: bool = False) -> None:
    """Refuse a figure path that matplotlib cannot write, or that exists (without force)."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        got = repr(suffix) if suffix else "a file without a suffix"
        raise CohesionBNError(f"{out}: cannot write a figure as {got}; use one of ."
                              + ", .".join(FIGURE_FORMATS))
    if dpi <= 0:
        raise CohesionBNError(f"--dpi {dpi}: the resolution must be a positive number")
    if not out.parent.exists():
        raise CohesionBNError(f"{out}: the folder {out.parent} does not exist")
    if out.exists() and not force:
        raise CohesionBNError(f"{out} exists; nothing was overwritten (use --force)")


def _cmd_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import network_figsize, plot_network, plot_scenarios

    model = _load(args)
    out = Path(args.out or f"{model.spec.id}_{args.what}.png")
    _check_figure_path(out, args.dpi, force=args.force)
    if args.what == "scenarios" and not model.spec.scenarios:
        raise CohesionBNError(f"{args.model or 'the model'} defines no scenarios to plot; "
                              "add scenarios to a model file, or use `cohesion-bn query`")
    given = {"evidence": _pairs(args.evidence, "--evidence"), "do": _pairs(args.do, "--do")}
    if args.what == "network":
        post = None
        if args.scenario:
            sc = model.scenario(args.scenario)
            given["evidence"] = {**sc.evidence, **given["evidence"]}
        if args.beliefs or args.scenario or any(given.values()):
            post = model.query(None, **given)
        weights = None
        if args.arc_strength:
            from .sensitivity import arcs

            weights = arcs.analyze(model, measure=args.arc_strength).weights()
        fig, ax = plt.subplots(figsize=network_figsize(model, beliefs=post is not None))
        plot_network(model, posterior=post, arc_weights=weights, ax=ax)
    else:
        if args.scenario or args.beliefs or args.arc_strength or any(given.values()):
            raise CohesionBNError("--scenario, --beliefs, --evidence, --do and --arc-strength "
                                  "are for `plot network`; `plot scenarios` draws every "
                                  "scenario")
        node = model.resolve_node(args.node) if args.node else model.spec.topological_order()[-1]
        fig, ax = plt.subplots(figsize=(7.0, 3.6))
        plot_scenarios(model.scenarios(targets=[node]), node, ax=ax)
    fig.tight_layout()
    fig.savefig(out, dpi=args.dpi)
    plt.close(fig)
    print(f"wrote {out}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------ parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cohesion-bn",
        description="Bayesian networks of NATO cohesion: query, compare scenarios, analyse "
                    "sensitivity, elicit expert judgement, export.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def model_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", metavar="PATH", default=None,
                       help="model file (YAML) or BIF/XMLBIF/XDSL/DSL/NET/DNE/UAI file "
                            "(default: the shipped NATO cohesion model)")
        p.add_argument("--format", default=None,
                       help="read the model in this format (default: from the file)")
        p.add_argument("--normalize", action="store_true",
                       help="normalise foreign tables whose columns do not sum to 1")

    def findings_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--evidence", "-e", action="append", metavar="NODE=STATE",
                       help="hard evidence (repeatable)")
        p.add_argument("--soft", action="append", metavar="NODE=P1,P2,...",
                       help="soft evidence: the node's new distribution (Jeffrey's rule)")
        p.add_argument("--likelihood", action="append", metavar="NODE=L1,L2,...",
                       help="likelihood (virtual) evidence: ratios multiplying the joint")
        p.add_argument("--do", action="append", metavar="NODE=STATE",
                       help="intervention: set the node, cutting it from its parents")
        p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("scenarios", help="posteriors under each scenario of the model file, "
                       "and the source's expectations")
    model_args(p)
    p.add_argument("--target", "-t", action="append", metavar="NODE", help="nodes to show")
    p.add_argument("--csv", metavar="FILE", help="also write the long table as CSV")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--force", action="store_true", help="overwrite an existing --csv file")
    p.set_defaults(func=_cmd_scenarios)

    p = sub.add_parser("query", help="posterior marginals given evidence")
    model_args(p)
    findings_args(p)
    p.add_argument("--target", "-t", action="append", metavar="NODE",
                   help="nodes to report (repeatable; default: all)")
    p.set_defaults(func=_cmd_query)

    p = sub.add_parser("explain", help="most probable explanation (MPE), or MAP over --nodes")
    model_args(p)
    findings_args(p)
    p.add_argument("--nodes", "-n", action="append", metavar="NODE",
                   help="explain only these nodes (MAP); default: every unobserved node (MPE)")
    p.set_defaults(func=_cmd_explain)

    p = sub.add_parser("describe", help="nodes, states, parents and CPT provenance")
    model_args(p)
    p.add_argument("--node", action="append", metavar="NODE", help="only these nodes")
    p.add_argument("--tables", action="store_true", help="print each CPT")
    p.add_argument("--json", action="store_true",
                   help="print JSON, with each CPT's method, parameters and table")
    p.set_defaults(func=_cmd_describe)

    p = sub.add_parser("validate", help="check model files; exit 1 listing every problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default=None, help="read the files in this format")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("export",
                       help="write the model as YAML, BIF, XMLBIF, XDSL, DSL, NET, DNE or UAI")
    model_args(p)
    p.add_argument("--to", required=True, metavar="FILE",
                   help="output file; the suffix chooses the format")
    p.add_argument("--to-format", default=None, help="output format, if not from the suffix")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("plot", help="draw the network, or a node's distribution by scenario")
    p.add_argument("what", choices=["network", "scenarios"])
    model_args(p)
    p.add_argument("--node", help="for `plot scenarios`: the node (default: the last one)")
    p.add_argument("--beliefs", action="store_true",
                   help="for `plot network`: draw each node's distribution as bars")
    p.add_argument("--scenario", metavar="NAME",
                   help="for `plot network`: beliefs under this scenario of the model file")
    p.add_argument("--evidence", "-e", action="append", metavar="NODE=STATE",
                   help="for `plot network`: beliefs given this evidence (repeatable)")
    p.add_argument("--do", action="append", metavar="NODE=STATE",
                   help="for `plot network`: beliefs under this intervention (repeatable)")
    p.add_argument("--arc-strength", nargs="?", const="hellinger", default=None,
                   choices=["hellinger", "total_variation", "euclidean", "js"],
                   metavar="MEASURE",
                   help="for `plot network`: arcs as thick as their strength of influence "
                        "(default measure: hellinger)")
    p.add_argument("--out", "-o", metavar="FILE.png", help="output file")
    p.add_argument("--dpi", type=int, default=150)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_cmd_plot)

    from ._cli_elicit import add_elicit_parser
    from ._cli_sensitivity import add_sensitivity_parser
    from ._cli_serve import add_serve_parser

    add_sensitivity_parser(sub, model_args)
    add_elicit_parser(sub)
    add_serve_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    import warnings

    args = _parser().parse_args(argv)
    with warnings.catch_warnings():
        # pgmpy 1.1.2 announces its own deprecations on import; not the user's concern
        warnings.filterwarnings("ignore", category=FutureWarning, module="pgmpy")

        def one_line(message: Warning | str, category: type[Warning], filename: str,
                     lineno: int, file: Any = None, line: str | None = None) -> None:
            print(f"cohesion-bn: warning: {message}", file=sys.stderr)

        warnings.showwarning = one_line
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except CohesionBNError as exc:  # ModelFileError included: its message lists every problem
        print(f"cohesion-bn: error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError) as exc:
        print(f"cohesion-bn: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. `| head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
