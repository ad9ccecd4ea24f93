#!/usr/bin/env python
"""Monte Carlo uncertainty and Sobol' indices of a target query, as CSV tables and PNGs.

Runs, through the public API only (:mod:`cohesion_bn.sensitivity.uncertainty` and
:mod:`cohesion_bn.sensitivity.sobol`), for every scenario of the model (or those named with
``--scenario``):

- ``mc_summary.csv``: every node's posterior per scenario under ``--n`` draws of the
  uncertain CPTs: point, mean, sd and the 5/50/95 % quantiles (``UncertaintyResult.to_df()``);
- ``mc_target.csv``: the target's row per scenario plus P(the most likely state changes)
  (``target_summary()``);
- ``mc_pairwise.csv``: P(row scenario has the larger P(target)) (``pairwise``), with
  P(the ranking of the scenarios changes) in ``run.json``;
- ``mc_groups.csv``: the uncertain parameter groups and where their distribution comes from;
- ``mc_violin.png``: the distribution of P(target) per scenario (``plot_uncertainty``);
- ``sobol.csv``: first-order and total Sobol' indices per group with SALib's bootstrap
  half-widths, and the same from the first N/2 points (``SobolResult.to_df()``);
- ``sobol_convergence.csv``: per scenario, the largest change from N/2 to N and whether it
  is within the tolerance (``convergence()``);
- ``sobol_<scenario>.png``: S1 and ST of the top groups (``plot_sobol``);
- ``run.json``: the options, the equivalent sample size used, timings.

Where the CPTs' uncertainty comes from: the model file's ``uncertainty:`` entries; a model
without any (the shipped one) gets Dirichlet columns with equivalent sample size ``--ess``
(default: the library's, 20). Existing files in ``--out`` are never overwritten unless
``--force`` is given; if any would be, nothing is written.

Example::

    .venv/bin/python scripts/uncertainty_report.py --out /tmp/unc --n 2000 --sobol-n 256
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FIXED_OUTPUTS = ("mc_summary.csv", "mc_target.csv", "mc_pairwise.csv", "mc_groups.csv",
                 "mc_violin.png", "sobol.csv", "sobol_convergence.csv", "run.json")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Monte Carlo propagation of the CPTs' uncertainty and Sobol' indices of "
                    "a target query, per scenario, as CSV tables and PNG figures.")
    p.add_argument("--model", default=None,
                   help="model file (default: the shipped NATO cohesion model)")
    p.add_argument("--target", default="cohesion=weak",
                   help="NODE=STATE whose posterior is analysed (default: cohesion=weak)")
    p.add_argument("--out", required=True, type=Path, help="directory for the outputs")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the draws and of the Sobol' design (default 0)")
    p.add_argument("--scenario", action="append", default=None, dest="scenarios",
                   help="a scenario id of the model (repeatable; default: all)")
    p.add_argument("--n", type=int, default=2000, help="Monte Carlo draws (default 2000)")
    p.add_argument("--sobol-n", type=int, default=256,
                   help="base points of the Saltelli design, a power of two (default 256)")
    p.add_argument("--sobol-inputs", default="columns", choices=("columns", "ranked", "all"),
                   help="groups of the Sobol' analysis (default: one per CPT column)")
    p.add_argument("--ess", type=float, default=None,
                   help="equivalent sample size of CPTs without uncertainty: in the file "
                        "(default: the library's policy)")
    p.add_argument("--top", type=int, default=15, help="groups per Sobol' chart (default 15)")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import cohesion_bn as cb
    from cohesion_bn.errors import CohesionBNError
    from cohesion_bn.sensitivity import sobol, uncertainty

    try:
        model = cb.load_model(args.model) if args.model else cb.load_model()
    except CohesionBNError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    scenarios = args.scenarios if args.scenarios is not None else (
        [s.id for s in model.spec.scenarios] or ["prior"])
    outputs = [*FIXED_OUTPUTS, *(f"sobol_{s}.png" for s in scenarios)]
    taken = [name for name in outputs if (out / name).exists()]
    if taken and not args.force:
        print(f"error: {', '.join(taken)} already exist in {out}; nothing written "
              "(use --force to overwrite)", file=sys.stderr)
        return 2

    scen = args.scenarios if model.spec.scenarios or args.scenarios else None
    try:
        mc = uncertainty.analyze(model, args.target, n=args.n, scenarios=scen, ess=args.ess,
                                 seed=args.seed, progress=False)
        si = sobol.analyze(model, args.target, inputs=args.sobol_inputs, n=args.sobol_n,
                           scenarios=scen, ess=args.ess, seed=args.seed)
    except CohesionBNError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    out.mkdir(parents=True, exist_ok=True)
    mc.to_df().to_csv(out / "mc_summary.csv", index=False)
    mc.target_summary().to_csv(out / "mc_target.csv")
    mc.pairwise.to_csv(out / "mc_pairwise.csv")
    mc.groups.to_csv(out / "mc_groups.csv", index=False)
    fig, ax = plt.subplots(figsize=(7, 4))
    uncertainty.plot_uncertainty(mc, ax=ax)
    fig.tight_layout()
    fig.savefig(out / "mc_violin.png", dpi=120)
    plt.close(fig)

    si.to_df().to_csv(out / "sobol.csv", index=False)
    si.convergence().rename_axis("scenario").to_csv(out / "sobol_convergence.csv")
    for sid in si.scenarios:
        fig, ax = plt.subplots(figsize=(9, 0.35 * args.top + 1.5))
        sobol.plot_sobol(si, ax=ax, scenario=sid, top=args.top)
        fig.tight_layout()
        fig.savefig(out / f"sobol_{sid}.png", dpi=120)
        plt.close(fig)

    run = {"script": "uncertainty_report.py", "model": args.model or "(shipped)",
           "target": f"{mc.target}={mc.target_state}", "scenarios": list(mc.scenarios),
           "seed": args.seed, "n": mc.n, "ess": mc.ess,
           "prob_ranking_change": mc.prob_ranking_change,
           "point_ranking": list(mc.point_ranking), "mc_timing": mc.timing(),
           "sobol_n": si.n, "sobol_inputs": si.inputs, "sobol_groups": si.n_groups,
           "sobol_evaluations": si.n_evaluations, "sobol_eval_seconds": si.eval_seconds,
           "sobol_converged": dict(si.converged)}
    (out / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(outputs)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
