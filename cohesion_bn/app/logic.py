"""What the web app computes, by calling the elicitation modules (no second copy of them).

* :func:`check_form` checks one node's submitted fields with the questionnaire import's own
  per-answer check (:mod:`cohesion_bn.elicitation.questionnaire`: ranges, numbers,
  distributions summing to 1 within its ``SUM_TOLERANCE``, quantiles increasing, known
  words) and maps each problem back to its form field;
* :func:`ranked_preview` builds the CPT an expert's ranked-node answers imply with
  :func:`cohesion_bn.elicitation.pooling.expert_cpts` (the same code the pool uses);
* :func:`round_spread` is the anonymised spread of a round's answers, question by question;
* :func:`dashboard` pools the store's latest answers (:func:`~.pooling.pool`), ranks the
  disagreement (:func:`~.disagreement.disagreement`), builds the pooled model
  (:func:`~.writeback.pooled_spec`) and compares its scenario posteriors with the model's
  (:func:`cohesion_bn.compare_scenarios`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..elicitation import questionnaire as _qn
from ..elicitation.pooling import PoolMethod
from ..elicitation.questions import Answer, Question
from ..elicitation.store import Store
from ..elicitation.study import Study, level_name
from ..errors import CohesionBNError

__all__ = [
    "FIELD_SEP",
    "MAX_RATIONALE",
    "Checked",
    "Dashboard",
    "check_form",
    "dashboard",
    "field_name",
    "fields_of",
    "node_questions",
    "ranked_preview",
    "round_spread",
]

#: Between a question id and its field in a form field's name: ``"<question>::<field>"``.
FIELD_SEP = "::"

#: The longest rationale accepted (the questionnaire's workbook allows the same).
MAX_RATIONALE = 2000


def field_name(question: str, field_: str) -> str:
    """The form field name of one field of one question."""
    return f"{question}{FIELD_SEP}{field_}"


def fields_of(q: Question) -> list[str]:
    """The value fields of a question: its states, its quantile levels, or ``value``."""
    return _qn.answer_fields(q)


def node_questions(study: Study, expert: str) -> dict[str, list[Question]]:
    """The expert's questions grouped by node, in the study's order; seeds under ``seed``."""
    out: dict[str, list[Question]] = {}
    for q in study.questions(expert):
        out.setdefault(q.node if q.node is not None else "seed", []).append(q)
    return out


@dataclass
class Checked:
    """The outcome of checking one node's form.

    ``answers`` are the accepted answers (ready for the store); ``errors`` maps a form
    field name to its message (``<question>::`` for the question as a whole);
    ``blank`` lists the questions left empty; ``notes`` remarks that refuse nothing.
    """

    answers: list[Answer] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    blank: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_form(study: Study, expert: str, round: int, questions: Sequence[Question],
               form: Mapping[str, str]) -> Checked:
    """Check the submitted fields of ``questions`` with the questionnaire import's check."""
    out = Checked()
    for q in questions:
        rationale = str(form.get(field_name(q.id, "rationale"), "") or "").strip()
        if len(rationale) > MAX_RATIONALE:
            out.errors[field_name(q.id, "rationale")] = (
                f"at most {MAX_RATIONALE} characters, please (this one has {len(rationale)})")
            continue
        names = {f: field_name(q.id, f) for f in fields_of(q)}
        checked = _qn.check_answer(q, {f: form.get(n) for f, n in names.items()}, study,
                                   where={"": field_name(q.id, ""), **names})
        for p in checked.problems:
            out.errors.setdefault(p.where, p.message.removeprefix(f"{q.id}: "))
        out.notes.extend(p.message for p in checked.notes)
        if checked.status == "missing":
            out.blank.append(q.id)
            continue
        if checked.status == "refused":
            continue
        value = checked.value
        out.answers.append(Answer(study=study.id, round=round, expert=expert, question=q.id,
                                  value=value, rationale=rationale,
                                  questionnaire_version=study.version))
    return out


# ------------------------------------------------------------------ ranked preview


def ranked_preview(study: Study, expert: str, node: str, weights: Mapping[str, Any],
                   function: Any, spread: Any, *, max_columns: int = 9) -> dict[str, Any]:
    """The CPT the expert's ranked answers for ``node`` imply, as JSON-ready data.

    Built by :func:`~cohesion_bn.elicitation.pooling.expert_cpts` from answers made of
    ``weights`` (parent -> number), ``function`` and ``spread`` (a word of the spread
    scale). Returns ``{"states", "columns": [{"label", "p"}], "error"}``: every column
    when there are at most ``max_columns``, else the columns the node's check questions
    ask (all best, all worst, mixed, middle). ``error`` says why nothing could be built.
    """
    from ..elicitation.pooling import expert_cpts

    model = study.model
    answers = [Answer(study.id, 1, expert, f"{node}/weight/{p}", _num(w))
               for p, w in weights.items()]
    answers += [Answer(study.id, 1, expert, f"{node}/function", function),
                Answer(study.id, 1, expert, f"{node}/spread", spread)]
    states = list(model.states(node))
    try:
        cpts, excluded, _, notes = expert_cpts(model, answers, nodes=[node])
    except CohesionBNError as exc:
        return {"states": states, "columns": [], "error": str(exc)}
    if node not in cpts or expert not in cpts[node]:
        why = "; ".join(x.reason for x in excluded) or "; ".join(notes) or "incomplete"
        return {"states": states, "columns": [], "error": why}
    table = cpts[node][expert].table
    parents = model.parents(node)
    flat = table.reshape(len(states), -1)
    combos = list(np.ndindex(*[len(model.states(p)) for p in parents])) if parents else [()]
    givens = [{p: model.states(p)[i] for p, i in zip(parents, c, strict=True)} for c in combos]
    if len(givens) > max_columns:
        wanted = [q.given for q in study.questions(expert)
                  if q.node == node and q.kind == "distribution"]
        keep = [j for j, g in enumerate(givens) if g in wanted]
    else:
        keep = list(range(len(givens)))
    cols = [{"label": ", ".join(f"{model.label(p)}: {s}" for p, s in givens[j].items())
             or "(no parents)",
             "p": [round(float(x), 4) for x in flat[:, j]]} for j in keep]
    return {"states": states, "columns": cols, "error": ""}


def _num(x: Any) -> Any:
    try:
        return float(x)
    except (TypeError, ValueError):
        return x


# ------------------------------------------------------------------ round spread


def round_spread(store: Store, round: int, questions: Sequence[Question]
                 ) -> dict[str, dict[str, Any]]:
    """The anonymised spread of ``round``'s latest answers, per question id.

    For numbers (each state of a distribution, each quantile level, a weight): ``n`` and
    per field ``min``, ``median``, ``max``; for words: ``n`` and the count of each word.
    No pseudonym is in the result.
    """
    wanted = {q.id: q for q in questions}
    by_q: dict[str, list[Any]] = {}
    for a in store.latest(round=round):
        if a.question in wanted:
            by_q.setdefault(a.question, []).append(a.value)
    out: dict[str, dict[str, Any]] = {}
    for qid, values in by_q.items():
        q = wanted[qid]
        if q.kind in ("function", "spread"):
            out[qid] = {"n": len(values), "words": dict(Counter(map(str, values)))}
            continue
        per: dict[str, list[float]] = {}
        for v in values:
            if q.kind == "distribution" and isinstance(v, Mapping):
                for s in q.states:
                    if s in v:
                        per.setdefault(s, []).append(float(v[s]))
            elif q.kind == "quantiles" and isinstance(v, list):
                for lvl, x in zip(q.levels, v, strict=False):
                    per.setdefault(level_name(lvl), []).append(float(x))
            elif isinstance(v, int | float):
                per.setdefault("value", []).append(float(v))
        out[qid] = {"n": len(values), "fields": {
            f: {"min": min(xs), "median": statistics.median(xs), "max": max(xs)}
            for f, xs in per.items()}}
    return out


# ------------------------------------------------------------------ facilitator


@dataclass
class Dashboard:
    """What the facilitator's live view shows, computed from the store."""

    status: pd.DataFrame
    experts: list[str]
    nodes: list[str]
    pooled: Any = None  # PoolResult
    disagreement: pd.DataFrame | None = None
    cpts: dict[str, pd.DataFrame] = field(default_factory=dict)
    scenarios: pd.DataFrame | None = None
    excluded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    n_answers: int = 0
    #: the nodes (and ``seed``) each expert is asked about
    asked: dict[str, set[str]] = field(default_factory=dict)


def scenario_targets(study: Study) -> list[str]:
    """The nodes whose scenario posteriors are shown: those the scenarios expect
    something of, else the nodes without children."""
    model = study.model
    want: list[str] = []
    for sc in model.spec.scenarios:
        for n in (*sc.expect_most_likely, *sc.expect_effects):
            if n not in want:
                want.append(n)
    return want or [n for n in model.nodes if not model.children(n)]


#: the pools a facilitator can choose: (method, weights) -> what the page says
POOLS = {
    ("linear", "equal"): "linear pool, equal weights",
    ("log", "equal"): "logarithmic pool, equal weights",
    ("linear", "cooke"): "linear pool, Cooke's classical-model weights (from the seeds)",
    ("log", "cooke"): "logarithmic pool, Cooke's classical-model weights (from the seeds)",
}


StudyWeights = Literal["equal", "cooke"]


def pool_choice(method: str | None, weights: str | None) -> tuple[PoolMethod, StudyWeights]:
    """The pool asked for (query parameters ``method`` and ``weights``); anything else,
    or nothing, is the default linear pool with equal weights."""
    m: PoolMethod = "log" if method == "log" else "linear"
    w: StudyWeights = "cooke" if weights == "cooke" else "equal"
    return m, w


def dashboard(study: Study, store: Store, round: int, *, method: PoolMethod = "linear",
              weights: StudyWeights = "equal") -> Dashboard:
    """Status of ``round``, and the pool (``method``: linear/log, ``weights``: equal/cooke),
    disagreement and scenarios of the latest answers."""
    from ..elicitation.disagreement import disagreement
    from ..elicitation.pooling import pool
    from ..elicitation.writeback import pooled_spec
    from ..inference import compare_scenarios
    from ..model import Model
    from ..spec import parse_spec

    questions = study.all_questions
    status = store.status(questions, round=round)
    nodes = list(dict.fromkeys(n for _, n in status.index)) if len(status) else []
    experts = sorted({e for e, _ in status.index})
    out = Dashboard(status=status, experts=experts, nodes=nodes)
    out.asked = {e: {q.node or "seed" for q in study.questions(e)} for e in study.expert_ids}
    answers = store.latest()
    out.n_answers = len(answers)
    if not answers:
        return out
    model = study.model
    try:
        result = pool(model, answers, method=method, weights=weights, seeds=study.seeds,
                      levels=study.levels)
    except CohesionBNError as exc:
        out.error = str(exc)
        return out
    out.pooled = result
    out.excluded = [str(x) for x in result.excluded]
    out.notes = list(result.notes)
    if not result.nodes:
        return out
    out.disagreement = disagreement(result)
    for nid, npool in result.nodes.items():
        states = list(result.states[nid])
        out.cpts[nid] = pd.DataFrame(npool.table.reshape(len(states), -1), index=states,
                                     columns=list(result.columns[nid]))
    targets = scenario_targets(study)
    if model.spec.scenarios and targets:
        try:
            pooled_model = Model(parse_spec(pooled_spec(model, result, study=study.id),
                                            source="<pooled model>"))
            before = compare_scenarios(model, targets=targets)["probability"]
            after = compare_scenarios(pooled_model, targets=targets)["probability"]
        except CohesionBNError as exc:
            out.error = f"scenario posteriors: {exc}"
            return out
        out.scenarios = pd.DataFrame({"model": before, "pooled": after,
                                      "change": after - before})
    return out
