"""What to ask each expert about a model, and what an answer is.

The questions for a node depend on how its CPT is made (its method in the model file):

* ``table`` nodes (small tables, e.g. a sub-factor given the war's outcome): one
  ``distribution`` question per column — the node's distribution given that parent
  combination;
* ``ranked`` nodes (Fenton, Neil & Caballero 2007): one ``weight`` question per ordered
  parent (how much it counts, 0-10), one ``function`` question (how the parents combine:
  wmean, wmin, wmax, mixminmax), one ``spread`` question (how tightly the node follows the
  combination, on the verbal scale :data:`SPREAD_SCALE`, turned into the TNormal variance),
  and ``check_columns`` direct ``distribution`` questions on chosen columns (all parents at
  their best state, all at their worst, and a mixed one) to check the parametric fit;
* other methods: ``distribution`` questions for :data:`DEFAULT_CHECK_COLUMNS` columns.

A study also asks its seed (calibration) items as ``quantiles`` questions (Cooke 1991).

Question ids are stable strings, so answers from different rounds and questionnaire
versions line up: ``"<node>/weight/<parent>"``, ``"<node>/function"``,
``"<node>/spread"``, ``"<node>/p/<parent>=<state>,<parent>=<state>"`` (``"<node>/p/"`` for a
root), ``"seed/<item id>"``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..model import Model

__all__ = [
    "DEFAULT_CHECK_COLUMNS",
    "SPREAD_SCALE",
    "VERBAL_SCALE",
    "WEIGHT_RANGE",
    "Answer",
    "Question",
    "SeedItem",
    "column_question_id",
    "questions_for",
    "spread_variance",
]

Kind = Literal["distribution", "weight", "function", "spread", "quantiles"]

#: Verbal-numerical probability scale shown to experts (Renooij & Witteman 1999).
VERBAL_SCALE: tuple[tuple[str, float], ...] = (
    ("certain", 1.00), ("probable", 0.85), ("expected", 0.75), ("fifty-fifty", 0.50),
    ("uncertain", 0.25), ("improbable", 0.15), ("impossible", 0.00),
)

#: How tightly a ranked node follows its parents, in words, and the TNormal variance each
#: stands for (AgenaRisk's practice of eliciting the variance verbally).
SPREAD_SCALE: tuple[tuple[str, float], ...] = (
    ("very tightly", 0.001), ("tightly", 0.005), ("moderately", 0.01),
    ("loosely", 0.05), ("very loosely", 0.1),
)

#: Direct columns asked of a parametric node as a check of its fit.
DEFAULT_CHECK_COLUMNS = 3

#: Range of a parent weight.
WEIGHT_RANGE = (0.0, 10.0)


@dataclass(frozen=True)
class SeedItem:
    """A calibration question with a known answer (or a target item: realisation None)."""

    id: str
    text: str
    realisation: float | None = None
    scale: Literal["uni", "log"] = "uni"
    unit: str = ""


@dataclass(frozen=True)
class Question:
    """One question to one expert."""

    id: str
    kind: Kind
    text: str
    node: str | None = None
    #: for ``distribution``: the node's states (the answer gives one probability each)
    states: tuple[str, ...] = ()
    #: for ``distribution``: the parent states of the column asked
    given: Mapping[str, str] = field(default_factory=dict)
    #: for ``weight``: the parent whose weight is asked
    parent: str | None = None
    #: for ``function`` and ``spread``: the allowed answers
    options: tuple[str, ...] = ()
    #: for ``weight``: the allowed range
    low: float | None = None
    high: float | None = None
    #: for ``quantiles``: the quantile levels asked, e.g. (0.05, 0.5, 0.95)
    levels: tuple[float, ...] = ()
    #: a direct column asked as a check of a parametric node
    check: bool = False


@dataclass(frozen=True)
class Answer:
    """One expert's answer to one question, as the study store keeps it.

    ``value`` is, by question kind: ``distribution`` a mapping state -> probability
    (summing to 1); ``weight`` a number in the question's range; ``function`` and
    ``spread`` one of the question's options; ``quantiles`` a list of increasing numbers,
    one per level. ``expert`` is a pseudonym, never a name.
    """

    study: str
    round: int
    expert: str
    question: str
    value: Any
    rationale: str = ""
    questionnaire_version: str = ""
    time: str = ""  # ISO 8601, UTC; set by the store when empty


def column_question_id(node: str, given: Mapping[str, str]) -> str:
    return f"{node}/p/" + ",".join(f"{k}={v}" for k, v in given.items())


def _columns(model: Model, node: str) -> list[dict[str, str]]:
    parents = model.parents(node)
    return [dict(zip(parents, combo, strict=True))
            for combo in itertools.product(*(model.states(p) for p in parents))]


def _check_columns(model: Model, node: str, k: int) -> list[dict[str, str]]:
    """All parents best, all worst, then mixed ones (first half best, rest worst), ..."""
    parents = model.parents(node)
    if not parents:
        return [{}]
    best = {p: model.states(p)[0] for p in parents}
    worst = {p: model.states(p)[-1] for p in parents}
    half = math.ceil(len(parents) / 2)
    mixed = {p: (model.states(p)[0] if i < half else model.states(p)[-1])
             for i, p in enumerate(parents)}
    middle = {p: model.states(p)[len(model.states(p)) // 2] for p in parents}
    out: list[dict[str, str]] = []
    for col in (best, worst, mixed, middle, *_columns(model, node)):
        if col not in out:
            out.append(col)
        if len(out) == k:
            break
    return out


def _words(state: str) -> str:
    """A state name as an expert reads it: ``ukraine_wins`` -> ``ukraine wins``."""
    return state.replace("_", " ")


def _distribution(model: Model, node: str, given: Mapping[str, str], *,
                  check: bool) -> Question:
    label = model.label(node)
    cond = "; ".join(f"{model.label(p)} is '{_words(s)}'" for p, s in given.items())
    text = (f"If {cond}: how likely is each state of {label}?" if cond
            else f"How likely is each state of {label}?")
    return Question(column_question_id(node, given), "distribution", text, node=node,
                    states=model.states(node), given=dict(given), check=check)


def questions_for(
    model: Model,
    *,
    nodes: Iterable[str] | None = None,
    check_columns: int = DEFAULT_CHECK_COLUMNS,
    seeds: Sequence[SeedItem] = (),
    levels: Sequence[float] = (0.05, 0.5, 0.95),
) -> list[Question]:
    """The questions for ``nodes`` (default: every node with parents) and the seed items."""
    ids = ([model.resolve_node(n) for n in nodes] if nodes is not None
           else [n for n in model.nodes if model.parents(n)])
    out: list[Question] = []
    for nid in ids:
        n = model.spec.node(nid)
        label = model.label(nid)
        if n.cpt.method == "table":
            out.extend(_distribution(model, nid, g, check=False) for g in _columns(model, nid))
        elif n.cpt.method == "ranked":
            ordered = [p for p in n.parents if model.spec.node(p).ordered]
            for p in ordered:
                out.append(Question(
                    f"{nid}/weight/{p}", "weight",
                    f"How much does {model.label(p)} count for {label}, from 0 (not at all) "
                    f"to 10 (decisive)?", node=nid, parent=p, low=WEIGHT_RANGE[0],
                    high=WEIGHT_RANGE[1]))
            out.append(Question(
                f"{nid}/function", "function",
                f"How do the factors combine into {label}? wmean: they average out; wmin: "
                "the weakest drags it down; wmax: the strongest lifts it; mixminmax: a mix "
                "of the weakest and the strongest.",
                node=nid, options=("wmean", "wmin", "wmax", "mixminmax")))
            out.append(Question(
                f"{nid}/spread", "spread",
                f"How tightly does {label} follow that combination?", node=nid,
                options=tuple(w for w, _ in SPREAD_SCALE)))
            out.extend(_distribution(model, nid, g, check=True)
                       for g in _check_columns(model, nid, check_columns))
        else:
            out.extend(_distribution(model, nid, g, check=True)
                       for g in _check_columns(model, nid, check_columns))
    for item in seeds:
        unit = f" ({item.unit})" if item.unit else ""
        pct = "/".join(f"{round(q * 100)}%" for q in levels)
        out.append(Question(f"seed/{item.id}", "quantiles",
                            f"{item.text}{unit} Give your {pct} quantiles.",
                            levels=tuple(levels)))
    return out


def spread_variance(word: str) -> float:
    """The TNormal variance a verbal spread answer stands for."""
    return dict(SPREAD_SCALE)[word]

