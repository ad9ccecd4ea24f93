#!/usr/bin/env python
"""One-way parameter sensitivity and sensitivity to findings, written as CSV tables and PNGs.

Runs, through the public API only (:mod:`cohesion_bn.sensitivity.oneway` and
:mod:`cohesion_bn.sensitivity.findings`), for every scenario of the model (or those named
with ``--scenario``):

- ``oneway.csv``: every CPT entry's sensitivity function for the target, one row per
  (scenario, entry): ``OneWayResult.to_df()`` with a ``scenario`` column in front
  (derivative, coefficients a-d, admissible deviation, vertex proximity);
- ``tornado.png``: one tornado chart per scenario (``plot_tornado_scenarios``, top ``--k``);
- ``findings.csv``: mutual information and variance reduction of the target for a finding
  at every other node, per scenario (``FindingsResult.to_df()``);
- ``findings.png``: the mutual information per node and scenario (``plot_findings``).

Both analyses are exact (no random numbers); ``--seed`` is accepted for the same interface
as ``uncertainty_report.py`` and recorded in ``run.json``. Existing files in ``--out`` are
never overwritten unless ``--force`` is given; if any would be, nothing is written.

Example::

    .venv/bin/python scripts/sensitivity_report.py --out /tmp/sens --target cohesion=weak
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

OUTPUTS = ("oneway.csv", "tornado.png", "findings.csv", "findings.png", "run.json")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="One-way sensitivity and sensitivity to findings of a target query, "
                    "per scenario, as CSV tables and PNG figures.")
    p.add_argument("--model", default=None,
                   help="model file (default: the shipped NATO cohesion model)")
    p.add_argument("--target", default="cohesion=weak",
                   help="NODE=STATE whose posterior is analysed (default: cohesion=weak)")
    p.add_argument("--out", required=True, type=Path, help="directory for the outputs")
    p.add_argument("--seed", type=int, default=0,
                   help="recorded only: both analyses are exact (default 0)")
    p.add_argument("--scenario", action="append", default=None, dest="scenarios",
                   help="a scenario id of the model (repeatable; default: all)")
    p.add_argument("--scheme", default="proportional",
                   choices=("proportional", "uniform", "order_preserving"),
                   help="co-variation scheme of the one-way analysis (default proportional)")
    p.add_argument("--k", type=int, default=10, help="entries per tornado (default 10)")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    taken = [name for name in OUTPUTS if (out / name).exists()]
    if taken and not args.force:
        print(f"error: {', '.join(taken)} already exist in {out}; nothing written "
              "(use --force to overwrite)", file=sys.stderr)
        return 2

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    import cohesion_bn as cb
    from cohesion_bn.errors import CohesionBNError
    from cohesion_bn.sensitivity import findings, oneway

    t0 = time.perf_counter()
    try:
        model = cb.load_model(args.model) if args.model else cb.load_model()
        if model.spec.scenarios:
            results = oneway.analyze_scenarios(model, args.target, scenarios=args.scenarios,
                                               scheme=args.scheme)
        else:
            results = {"prior": oneway.analyze(model, args.target, scheme=args.scheme)}
        scen = list(results) if model.spec.scenarios else None
        found = findings.analyze(model, args.target, scenarios=scen)
    except CohesionBNError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    out.mkdir(parents=True, exist_ok=True)
    frames = []
    for sid, res in results.items():
        df = res.to_df()
        df.insert(0, "scenario", sid)
        df["baseline"] = res.baseline
        df["most_likely"] = res.most_likely
        frames.append(df)
    pd.concat(frames, ignore_index=True).to_csv(out / "oneway.csv", index=False)
    fig, grid = plt.subplots(len(results), 1, squeeze=False,
                             figsize=(15, (0.4 * args.k + 1.2) * len(results)))
    oneway.plot_tornado_scenarios(results, k=args.k, axes=list(grid[:, 0]))
    fig.tight_layout()
    fig.savefig(out / "tornado.png", dpi=110)
    plt.close(fig)

    found.to_df().to_csv(out / "findings.csv", index=False)
    fig, ax = plt.subplots(figsize=(8, 7))
    findings.plot_findings(found, ax=ax)
    fig.tight_layout()
    fig.savefig(out / "findings.png", dpi=120)
    plt.close(fig)

    run = {"script": "sensitivity_report.py", "model": args.model or "(shipped)",
           "target": args.target, "scenarios": list(results), "scheme": args.scheme,
           "seed": args.seed, "seconds": round(time.perf_counter() - t0, 3)}
    (out / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {', '.join(OUTPUTS)} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
