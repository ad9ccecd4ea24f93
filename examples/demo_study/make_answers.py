"""Write the demo study's filled-in questionnaires: MADE-UP experts, MADE-UP answers.

The four experts E1-E4 do not exist. Their answers are seeded random perturbations of the
shipped model's own numbers, written into the XLSX questionnaires that
``write_questionnaire`` makes, cell by cell as an expert would type them. They exist to
demonstrate the workflow (import, store, pooling, disagreement), not to say anything about
NATO. By design:

* the experts disagree most on two nodes, ``norms_turkey_us`` and ``lead_national`` (E1
  and E2 lean optimistic, E3 and E4 pessimistic), and on the weights of ``cohesion``;
* E4 leaves two questions blank (a partial questionnaire): one distribution and one seed.

Run from the repository root (the files are never overwritten; ``--replace`` deletes the
four old files first)::

    .venv/bin/python examples/demo_study/make_answers.py [--replace]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import load_workbook

from cohesion_bn.elicitation.questionnaire import workbook_layout, write_questionnaire
from cohesion_bn.elicitation.questions import SPREAD_SCALE, Question
from cohesion_bn.elicitation.study import Study, level_name, load_study

HERE = Path(__file__).resolve().parent
STUDY = HERE / "study.yaml"
ANSWERS = HERE / "answers"

#: Nodes on which the made-up experts are made to disagree: a tilt towards the best
#: (positive) or the worst (negative) state, per expert.
CONTESTED = {"norms_turkey_us": (1.6, 0.9, -0.9, -1.6), "lead_national": (1.2, 1.6, -1.6, -1.0)}
#: The made-up experts' weights for cohesion's four factors (the model has 1, 1, 3, 3).
COHESION_WEIGHTS = ({"threats": 1, "institutions": 1, "norms": 3, "leadership": 3},
                    {"threats": 2, "institutions": 1, "norms": 2, "leadership": 4},
                    {"threats": 6, "institutions": 3, "norms": 1, "leadership": 1},
                    {"threats": 5, "institutions": 2, "norms": 1, "leadership": 2})
#: E4 leaves these blank, to show a partial questionnaire.
BLANK = {"E4": ("inst_nato_eu/p/war_outcome=stalemate", "seed/demo_summit_days")}
#: Each made-up expert's seed answers: median bias (log-ratio), its noise, and half-width.
SEED_STYLE = ((0.0, 0.15, 0.35), (0.05, 0.1, 0.08), (0.45, 0.2, 0.3), (-0.1, 0.3, 0.9))
#: A made-up "centre" for the target item (no realisation), so answers are plausible.
TARGET_CENTRE = 6.0


def _round_distribution(p: np.ndarray) -> list[float]:
    """Two decimals summing to 1, as a person would write them."""
    r = np.round(p, 2)
    r[int(np.argmax(r))] += round(1.0 - float(r.sum()), 2)
    return [round(float(x), 2) for x in r]


def _column(study: Study, node: str, q: Question) -> np.ndarray:
    model = study.model
    arr = model.cpt(node)
    idx = tuple(model.states(p).index(s) for p, s in q.given.items())
    return np.asarray(arr[(slice(None), *idx)], dtype=float)


def _distribution(study: Study, node: str, q: Question, k: int,
                  rng: np.random.Generator) -> list[float]:
    p = _column(study, node, q)
    if node in CONTESTED:
        values = np.linspace(1, -1, len(p))  # best state first
        p = p * np.exp(CONTESTED[node][k] * values)
        p = p / p.sum()
    noisy = rng.dirichlet(60 * p + 0.6)
    return _round_distribution(noisy)


def _sig3(x: float) -> float:
    return float(f"{x:.3g}")


def _quantiles(study: Study, q: Question, k: int, rng: np.random.Generator) -> list[float]:
    item = study.seed(q.id.removeprefix("seed/"))
    centre = item.realisation if item.realisation is not None else TARGET_CENTRE
    bias, noise, half = SEED_STYLE[k]
    median = centre * math.exp(bias + noise * rng.standard_normal())
    z = [-1.645, 0.0, 1.645]  # the 5/50/95 levels of a normal
    out = [_sig3(median * math.exp(half * zi / 1.645)) for zi in z]
    for i in range(1, len(out)):  # keep them increasing after rounding
        out[i] = max(out[i], _sig3(out[i - 1] * 1.01))
    return out


def answers_for(study: Study, expert: str, k: int) -> dict[str, dict[str, Any]]:
    """The made-up answers of expert number ``k`` (0-based): {question id: {field: value}}."""
    rng = np.random.default_rng(20270 + k)
    out: dict[str, dict[str, Any]] = {}
    spreads = [w for w, _ in SPREAD_SCALE]
    for q in study.questions(expert):
        node = q.node or ""
        if q.id in BLANK.get(expert, ()):
            continue
        if q.kind == "distribution":
            out[q.id] = dict(zip(q.states, _distribution(study, node, q, k, rng), strict=True))
        elif q.kind == "weight":
            parent = q.parent or ""
            if node == "cohesion":
                w = float(COHESION_WEIGHTS[k][parent])
            else:  # the model's weight 1 read as 3 on the 0-10 scale, give or take
                base = 3 * float(study.model.node(node).cpt.params["weights"][parent])
                w = min(10.0, round(2 * base * math.exp(0.35 * rng.standard_normal())) / 2)
            out[q.id] = {"value": w}
        elif q.kind == "function":
            fn = "wmean"
            if (k, q.node) in {(2, "cohesion"), (3, "cohesion")}:
                fn = "wmin"
            elif (k, q.node) == (1, "institutions"):
                fn = "mixminmax"
            out[q.id] = {"value": fn}
        elif q.kind == "spread":
            i = int(np.clip(2 + rng.integers(-1, 2), 0, len(spreads) - 1))
            out[q.id] = {"value": spreads[i]}
        elif q.kind == "quantiles":
            out[q.id] = dict(zip((level_name(x) for x in q.levels),
                                 _quantiles(study, q, k, rng), strict=True))
        if q.node in CONTESTED and q.id.endswith("war_outcome=stalemate"):
            lean = "holds up" if CONTESTED[q.node][k] > 0 else "erodes"
            out[q.id]["rationale"] = (f"Made-up demo rationale ({expert} is not a real "
                                      f"expert): in a stalemate this factor {lean}.")
    return out


def write_answers(study: Study, directory: Path) -> list[Path]:
    """Write each made-up expert's filled-in XLSX questionnaire into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, expert in enumerate(study.expert_ids):
        path = write_questionnaire(study, expert, directory / f"{expert}.xlsx")
        layout = workbook_layout(path)
        wb = load_workbook(path)
        for qid, fields in answers_for(study, expert, k).items():
            for name, value in fields.items():
                sheet, cell = layout[qid][name]
                wb[sheet][cell] = value
        wb.save(path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replace", action="store_true",
                        help="delete the existing answers/E*.xlsx first")
    parser.add_argument("--out", type=Path, default=ANSWERS, help="output directory")
    args = parser.parse_args()
    study = load_study(STUDY)
    if args.replace:
        for expert in study.expert_ids:
            (args.out / f"{expert}.xlsx").unlink(missing_ok=True)
    for p in write_answers(study, args.out):
        print(f"wrote {p} (made-up answers for demonstration)")


if __name__ == "__main__":
    main()
