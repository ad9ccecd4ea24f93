r"""From each expert's answers to their CPTs, and from those to one pooled CPT per node.

**Each expert's CPTs** (:func:`expert_cpts`). For a ``table`` node, the expert's
``distribution`` answers, one per column (question ``<node>/p/<parent>=<state>,...``). For a
``ranked`` node (Fenton, Neil & Caballero 2007), the expert's ``weight`` answers (one per
ordered parent), ``function`` answer and ``spread`` answer (a word of
:data:`~.questions.SPREAD_SCALE`, turned into the TNormal variance) replace the model's
``function``, ``weights`` and ``variance``; the model's other ranked fields (``directions``,
``points``, and the ``cases`` of non-ordered parents such as ``war_outcome``) are kept, and
the table is rebuilt by :mod:`cohesion_bn.cpt.ranked`. A ranked node's ``check`` columns
are not used here (they check the parametric fit). ``mixminmax`` takes no per-parent
weights: its ``mix`` is the model's, or ``{min: 1, max: 1}``, and a note says so.

An expert whose answers for a node are incomplete or invalid (a missing column or weight, a
distribution that does not sum to 1 within :data:`SUM_TOLERANCE`, an unknown spread word,
a weight 0 for ``wmin``) is **left out of that node's pool and reported** in
:attr:`PoolResult.excluded` -- never filled in. Nodes of other methods (``weighted_sum``,
``noisy_max``) are asked only check columns, so they cannot be rebuilt and are reported in
:attr:`PoolResult.notes`.

**Pools**, per node and per column :math:`j`, with expert weights :math:`w_k \ge 0`
normalised over the experts in that node's pool (:math:`\sum_k w_k = 1`):

* *linear opinion pool* (Stone 1961): :math:`p_j(x) = \sum_k w_k\, p_{kj}(x)` -- a
  mixture; it keeps every expert's range of opinion, is the only pool that is
  marginalisation-consistent, and what Cooke's classical model uses;
* *logarithmic pool* (Genest & Zidek 1986): :math:`p_j(x) \propto \prod_k p_{kj}(x)^{w_k}`
  -- the normalised weighted geometric mean; externally Bayesian (pooling commutes with
  updating on shared evidence), sharper than the linear pool, and any expert's 0 is a veto.
  A column in which *every* state gets a 0 from some expert (the experts' supports are
  disjoint) has no logarithmic pool; ``on_disjoint="linear"`` (default) uses the linear
  pool for that column and reports it in :attr:`PoolResult.notes`, ``"raise"`` raises.

Clemen & Winkler (1999) review both and recommend simple rules (equal weights, or
performance weights) over elaborate ones.

**Weights**: ``"equal"``; a mapping pseudonym -> weight (normalised; every expert in the
answers must be given one, 0 allowed); ``"cooke"``: Cooke's (1991) performance weights from
:func:`.cooke.analyze` (global weights) on the study's seed answers -- answers whose
question id is ``seed/<item>`` with value ``[q05, q50, q95]`` (the quantile ``levels``) --
and the realisations of the :class:`~.questions.SeedItem` s passed as ``seeds``; or a
:class:`~.cooke.CookeResult` already computed. An expert who answered no seed item cannot
be scored and gets weight 0 (noted). If an expert is left out of a node, the other experts'
weights are renormalised for that node.

**Parametric (ranked) nodes**: ``parametric="tables"`` (default) builds each expert's full
table and pools the tables like any other; the result is written as a ``table`` node. Use
it when the experts differ in kind (different functions) or much in their parameters: a pool
of tables is a proper opinion pool, so it keeps what each expert predicts.
``parametric="parameters"`` pools the parameters instead and rebuilds a ranked node: the
weighted mean of each expert's *normalised* weights (:math:`w_{ki} / \sum_i w_{ki}`),
rescaled by the weighted mean of the experts' weight totals (``wmean`` ignores the scale,
but ``wmin``/``wmax`` depend on it); the weighted mean of the variances; and the function
by weighted majority (ties broken in the order wmean, wmin, wmax, mixminmax, noted). Use it
when the experts agree on the function and roughly on the weights and the node should stay
a compact, editable ranked node; averaging the parameters of a non-linear model is not
averaging the predictions, so with strong disagreement prefer ``"tables"``.

References:

- M. Stone (1961), "The opinion pool", *Annals of Mathematical Statistics* 32(4), 1339-1342.
- C. Genest and J. V. Zidek (1986), "Combining probability distributions: a critique and an
  annotated bibliography", *Statistical Science* 1(1), 114-148.
- R. T. Clemen and R. L. Winkler (1999), "Combining probability distributions from experts
  in risk analysis", *Risk Analysis* 19(2), 187-203.
- R. M. Cooke (1991), *Experts in Uncertainty*, Oxford University Press.
- N. E. Fenton, M. Neil and J. G. Caballero (2007), "Using ranked nodes to model qualitative
  judgments in Bayesian networks", *IEEE TKDE* 19(10), 1420-1432.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..cpt import build_cpt, check_cpt
from ..cpt.ranked import FUNCTIONS
from ..errors import ElicitationError, did_you_mean
from .cooke import CookeResult, Item, SeedStudy, analyze
from .questions import SPREAD_SCALE, Answer, SeedItem, column_question_id

if TYPE_CHECKING:
    from ..model import Model

__all__ = [
    "SUM_TOLERANCE",
    "Exclusion",
    "ExpertCPT",
    "NodePool",
    "PoolResult",
    "cooke_weights",
    "expert_cpts",
    "linear_pool",
    "log_pool",
    "pool",
]

#: How far an expert's distribution may sum from 1 before it is refused; within it, the
#: distribution is normalised. The same tolerance as the questionnaire import's
#: (``questionnaire.SUM_TOLERANCE``), which stores such answers as written.
SUM_TOLERANCE = 0.01

PoolMethod = Literal["linear", "log"]
Parametric = Literal["tables", "parameters"]
Weights = Literal["equal", "cooke"] | Mapping[str, float] | CookeResult


# ------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Exclusion:
    """An expert left out of a node's pool, and why."""

    node: str
    expert: str
    reason: str

    def __str__(self) -> str:
        return f"{self.node}: expert {self.expert} left out: {self.reason}"


@dataclass(frozen=True)
class ExpertCPT:
    """One expert's CPT for one node, shape ``(n_states, *parent_cards)``.

    ``params`` is the ranked parameters the expert gave (``function``, ``weights`` keyed by
    parent, ``variance``), None for a table node.
    """

    node: str
    expert: str
    table: np.ndarray
    params: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class NodePool:
    """The pool of one node.

    ``cpt`` is what to write in the model file: ``{"method": "table", "table": [...]}`` or
    ``{"method": "ranked", ...}`` (without provenance); ``table`` the pooled array;
    ``weights`` the normalised weights of the experts in this node's pool;
    ``expert_tables`` their tables; ``expert_params`` their ranked parameters.
    """

    node: str
    kind: Literal["table", "ranked"]
    table: np.ndarray
    cpt: Mapping[str, Any]
    weights: Mapping[str, float]
    expert_tables: Mapping[str, np.ndarray]
    expert_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def experts(self) -> tuple[str, ...]:
        """The pseudonyms of the experts in this node's pool."""
        return tuple(self.weights)


@dataclass(frozen=True)
class PoolResult:
    """What :func:`pool` computed.

    ``weights`` are the study-level weights per expert (before renormalising per node);
    ``answers`` the answers used (the pooled nodes' answers of the experts in their pools,
    plus the seed answers with Cooke weights), for the provenance hash.
    """

    method: PoolMethod
    weighting: str
    parametric: Parametric
    weights: Mapping[str, float]
    nodes: Mapping[str, NodePool]
    excluded: tuple[Exclusion, ...]
    notes: tuple[str, ...]
    answers: tuple[Answer, ...]
    states: Mapping[str, tuple[str, ...]]
    columns: Mapping[str, tuple[str, ...]]
    cooke: CookeResult | None = None

    def to_df(self) -> pd.DataFrame:
        """Long table: index (node, column, state); columns ``pooled`` and one per expert
        (NaN where the expert is not in the node's pool). ``column`` names the parent
        states as ``parent=state,...`` (empty for a root)."""
        experts = sorted(self.weights)
        rows = []
        for nid, npool in self.nodes.items():
            n_states = npool.table.shape[0]
            flat = npool.table.reshape(n_states, -1)
            ex = {e: t.reshape(n_states, -1) for e, t in npool.expert_tables.items()}
            for j, col in enumerate(self.columns[nid]):
                for s, state in enumerate(self.states[nid]):
                    rows.append((nid, col, state, float(flat[s, j]),
                                 *(float(ex[e][s, j]) if e in ex else math.nan
                                   for e in experts)))
        df = pd.DataFrame(rows, columns=["node", "column", "state", "pooled", *experts])
        # categorical levels in the model's order: rows keep that order and the index is
        # still sorted for pandas, so df.loc[node] and df.loc[(node, column)] do not warn
        levels = [pd.Categorical(df[k], categories=list(dict.fromkeys(df[k])))
                  for k in ("node", "column", "state")]
        df.index = pd.MultiIndex.from_arrays(levels, names=["node", "column", "state"])
        return df.drop(columns=["node", "column", "state"])

    def excluded_df(self) -> pd.DataFrame:
        """The exclusions as a table (node, expert, reason)."""
        return pd.DataFrame([(x.node, x.expert, x.reason) for x in self.excluded],
                            columns=["node", "expert", "reason"])


# ------------------------------------------------------------------------ pools


def _check_stack(tables: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(tables, dtype=float)
    wt = np.asarray(w, dtype=float)
    if t.ndim < 2 or wt.shape != (t.shape[0],):
        raise ElicitationError("pool: give one table per expert (experts on axis 0) and one "
                               "weight per expert")
    if not np.all(np.isfinite(wt)) or np.any(wt < 0) or wt.sum() <= 0:
        raise ElicitationError(f"pool weights must be >= 0 with a positive sum, got "
                               f"{wt.tolist()}")
    return t, wt / wt.sum()


def linear_pool(tables: np.ndarray, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    r"""The linear opinion pool (Stone 1961) of experts' tables.

    ``tables`` has shape ``(n_experts, n_states, ...)`` (states on axis 1; every column
    sums to 1). Returns :math:`\sum_k w_k p_k` with the weights normalised.

    >>> linear_pool(np.array([[0.8, 0.2], [0.4, 0.6]]), [1, 1]).round(3).tolist()
    [0.6, 0.4]
    """
    t, w = _check_stack(np.asarray(tables), np.asarray(weights))
    return np.tensordot(w, t, axes=1)


def log_pool(tables: np.ndarray, weights: Sequence[float] | np.ndarray, *,
             on_disjoint: Literal["linear", "raise"] = "linear") -> tuple[np.ndarray, list[int]]:
    r"""The logarithmic pool (Genest & Zidek 1986) of experts' tables, per column.

    :math:`p(x) = \prod_k p_k(x)^{w_k} / \sum_y \prod_k p_k(y)^{w_k}` with the weights
    normalised; experts of weight 0 take no part (so their zeros veto nothing). Returns the
    pooled array and the flat indices of the columns whose experts' supports are disjoint
    (every state gets a 0 from some expert), pooled linearly instead with
    ``on_disjoint="linear"``; ``"raise"`` raises :class:`ElicitationError` instead.

    By hand, (0.8, 0.2) and (0.4, 0.6) with equal weights: sqrt(0.32) = 0.5657 and
    sqrt(0.12) = 0.3464, normalised (0.6202, 0.3798).
    """
    t, w = _check_stack(np.asarray(tables), np.asarray(weights))
    keep = w > 0
    t, w = t[keep], w[keep]
    with np.errstate(divide="ignore"):
        logs = np.log(t)
    # 0 * log(0) would be nan; weights here are > 0, so w * -inf = -inf as wanted.
    s = np.tensordot(w, logs, axes=1)
    top = np.max(s, axis=0, keepdims=True)
    disjoint = ~np.isfinite(top)
    safe_top = np.where(disjoint, 0.0, top)
    g = np.exp(s - safe_top)
    total = g.sum(axis=0, keepdims=True)
    out = g / np.where(disjoint, 1.0, total)
    bad = np.flatnonzero(disjoint.reshape(-1))
    if bad.size:
        if on_disjoint == "raise":
            raise ElicitationError(
                f"{bad.size} column(s) have no logarithmic pool: for every state some expert "
                "gives probability 0 (their supports are disjoint); use the linear pool or "
                "on_disjoint='linear'")
        lin = np.tensordot(w / w.sum(), t, axes=1)
        flat_out = out.reshape(out.shape[0], -1)
        flat_out[:, bad] = lin.reshape(lin.shape[0], -1)[:, bad]
        out = flat_out.reshape(out.shape)
    return out, [int(b) for b in bad]


# ------------------------------------------------------------------------ experts' CPTs


def _column_keys(model: Model, nid: str) -> list[dict[str, str]]:
    parents = model.parents(nid)
    return [dict(zip(parents, combo, strict=True))
            for combo in itertools.product(*(model.states(p) for p in parents))]


def _col_label(given: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in given.items())


def _distribution(value: Any, states: Sequence[str]) -> np.ndarray | str:
    """The answer as a probability vector in state order, or the reason it is invalid."""
    if isinstance(value, list):
        if len(value) != len(states):
            return f"{len(value)} probabilities for {len(states)} states"
        value = dict(zip(states, value, strict=True))
    if not isinstance(value, Mapping):
        return f"{value!r} is not a distribution (a mapping state -> probability)"
    unknown = sorted(set(map(str, value)) - set(states))
    if unknown:
        return f"unknown state(s) {', '.join(unknown)}"
    missing = [s for s in states if s not in value]
    if missing:
        return f"no probability for {', '.join(missing)}"
    try:
        p = np.array([float(value[s]) for s in states])
    except (TypeError, ValueError):
        return "a probability is not a number"
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        return f"probabilities must be in [0, 1], got {p.tolist()}"
    if abs(p.sum() - 1.0) > SUM_TOLERANCE:
        return f"probabilities sum to {p.sum():.4f}, not 1"
    return p / p.sum()


def _index_answers(answers: Iterable[Answer]) -> dict[str, dict[str, Answer]]:
    """expert -> question -> answer; refuses two answers to one question by one expert."""
    out: dict[str, dict[str, Answer]] = {}
    for a in answers:
        if not isinstance(a, Answer):
            raise ElicitationError(f"expected Answers, got {type(a).__name__}")
        mine = out.setdefault(a.expert, {})
        if a.question in mine:
            raise ElicitationError(
                f"expert {a.expert!r} has two answers to {a.question!r} (rounds "
                f"{mine[a.question].round} and {a.round}); pool one answer per question, "
                "e.g. Store.latest(round=...)")
        mine[a.question] = a
    return out


def _table_cpt(model: Model, nid: str, mine: Mapping[str, Answer]
               ) -> tuple[np.ndarray, list[Answer]] | str:
    states = model.states(nid)
    cards = [len(model.states(p)) for p in model.parents(nid)]
    cols, used, missing = [], [], []
    for given in _column_keys(model, nid):
        qid = column_question_id(nid, given)
        a = mine.get(qid)
        if a is None:
            missing.append(qid)
            continue
        p = _distribution(a.value, states)
        if isinstance(p, str):
            return f"{qid}: {p}"
        cols.append(p)
        used.append(a)
    if missing:
        more = f" and {len(missing) - 2} more" if len(missing) > 2 else ""
        return f"{len(missing)} column(s) unanswered: {', '.join(missing[:2])}{more}"
    arr = np.stack(cols, axis=1).reshape(len(states), *cards)
    return arr, used


def _ranked_answers(model: Model, nid: str, mine: Mapping[str, Answer]
                    ) -> tuple[dict[str, Any], list[Answer]] | str:
    """The expert's ranked parameters (function, weights, variance) or why not."""
    ordered = [p for p in model.parents(nid) if model.spec.node(p).ordered]
    spread = dict(SPREAD_SCALE)
    need = [f"{nid}/weight/{p}" for p in ordered] + [f"{nid}/function", f"{nid}/spread"]
    missing = [q for q in need if q not in mine]
    if missing:
        return f"unanswered: {', '.join(missing)}"
    weights: dict[str, float] = {}
    for p in ordered:
        v = mine[f"{nid}/weight/{p}"].value
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                or v < 0:
            return f"{nid}/weight/{p}: {v!r} is not a number >= 0"
        weights[p] = float(v)
    function = mine[f"{nid}/function"].value
    if function not in FUNCTIONS:
        return (f"{nid}/function: {function!r} is not one of {', '.join(FUNCTIONS)}"
                f"{did_you_mean(str(function), FUNCTIONS)}")
    word = mine[f"{nid}/spread"].value
    if word not in spread:
        return (f"{nid}/spread: {word!r} is not one of {', '.join(spread)}"
                f"{did_you_mean(str(word), spread)}")
    params = {"function": function, "weights": weights, "variance": spread[word]}
    return params, [mine[q] for q in need]


def _ranked_params(model: Model, nid: str, params: Mapping[str, Any],
                   notes: list[str] | None) -> dict[str, Any]:
    """The model's ranked fields with function, weights and variance replaced."""
    base = {k: v for k, v in model.spec.node(nid).cpt.params.items()
            if k not in ("function", "weights", "variance", "mix")}
    out: dict[str, Any] = {**base, "function": params["function"],
                           "variance": float(params["variance"])}
    if params["function"] == "mixminmax":
        mix = model.spec.node(nid).cpt.params.get("mix", {"min": 1, "max": 1})
        out["mix"] = dict(mix)
        if notes is not None:
            notes.append(f"{nid}: mixminmax takes no per-parent weights; mix {dict(mix)} "
                         "(the model's, else {min: 1, max: 1}) used")
    else:
        out["weights"] = {p: float(w) for p, w in params["weights"].items()}
    if params["function"] == "wmean":
        out.pop("points", None)
    return out


def _build(model: Model, nid: str, method: str, params: Mapping[str, Any]
           ) -> np.ndarray | str:
    ctx = model.spec.context(nid)
    problems = check_cpt(method, params, ctx)
    if problems:
        return "; ".join(p.message for p in problems)
    return np.asarray(build_cpt(method, params, ctx), dtype=float)


def expert_cpts(
    model: Model, answers: Iterable[Answer], *, nodes: Iterable[str] | None = None,
) -> tuple[dict[str, dict[str, ExpertCPT]], list[Exclusion], list[Answer], list[str]]:
    """Each expert's CPT per node, from their answers (one per expert x question).

    Returns ``(cpts, excluded, used, notes)``: ``cpts[node][expert]``; the experts left out
    of a node and why; the answers used; notes on nodes that cannot be rebuilt. ``nodes``
    defaults to every table and ranked node that some expert answered a question about.
    """
    by_expert = _index_answers(answers)
    asked = {q.split("/", 1)[0] for mine in by_expert.values() for q in mine}
    if nodes is None:
        ids = [n for n in model.nodes if n in asked]
    else:
        ids = [model.resolve_node(n) for n in nodes]
    cpts: dict[str, dict[str, ExpertCPT]] = {}
    excluded: list[Exclusion] = []
    used: list[Answer] = []
    notes: list[str] = []
    for nid in ids:
        method = model.spec.node(nid).cpt.method
        if method not in ("table", "ranked"):
            notes.append(f"{nid}: method {method!r} is asked only check columns, so its CPT "
                         "cannot be rebuilt from the answers; not pooled")
            continue
        cpts[nid] = {}
        if method == "ranked":
            overriding = sorted({k for case in model.spec.node(nid).cpt.params.get("cases", [])
                                 if isinstance(case, Mapping) for k in case
                                 if k in ("p", "function", "weights", "variance", "mix")})
            if overriding:
                notes.append(f"{nid}: the model's cases give their own {', '.join(overriding)}"
                             "; those cases keep them, whatever the experts answered")
        for expert in sorted(by_expert):
            mine = by_expert[expert]
            if not any(q.split("/", 1)[0] == nid for q in mine):
                excluded.append(Exclusion(nid, expert, "answered no question about it"))
                continue
            if method == "table":
                got = _table_cpt(model, nid, mine)
                if isinstance(got, str):
                    excluded.append(Exclusion(nid, expert, got))
                    continue
                arr, mine_used = got
                cpts[nid][expert] = ExpertCPT(nid, expert, arr)
            else:
                got_r = _ranked_answers(model, nid, mine)
                if isinstance(got_r, str):
                    excluded.append(Exclusion(nid, expert, got_r))
                    continue
                params, mine_used = got_r
                built = _build(model, nid, "ranked", _ranked_params(model, nid, params, None))
                if isinstance(built, str):
                    excluded.append(Exclusion(nid, expert, built))
                    continue
                cpts[nid][expert] = ExpertCPT(nid, expert, built, params)
            used.extend(mine_used)
        if not cpts[nid]:
            notes.append(f"{nid}: no expert answered completely; not pooled")
            del cpts[nid]
    return cpts, excluded, used, notes


# ------------------------------------------------------------------------ weights


def cooke_weights(
    answers: Iterable[Answer], seeds: Sequence[SeedItem], *,
    experts: Sequence[str] | None = None, alpha: float | None = None,
    levels: Sequence[float] = (0.05, 0.5, 0.95),
) -> tuple[dict[str, float], CookeResult, list[Answer]]:
    """Cooke's global performance weights from the seed answers (``seed/<item>``).

    Builds a :class:`~.cooke.SeedStudy` of the seed items with a realisation and the experts
    who answered at least one of them, and runs :func:`~.cooke.analyze` (global weights,
    ``alpha`` optimised unless given). Returns the weights per expert (``experts`` not
    scored get 0), the :class:`~.cooke.CookeResult`, and the seed answers used.
    """
    items = [s for s in seeds if s.realisation is not None]
    if not items:
        raise ElicitationError("Cooke weights need seed items with known realisations")
    ids = [s.id for s in items]
    seed_answers: dict[str, dict[str, Answer]] = {}
    for a in answers:
        if a.question.startswith("seed/") and a.question[5:] in ids:
            mine = seed_answers.setdefault(a.expert, {})
            if a.question in mine:
                raise ElicitationError(f"expert {a.expert!r} has two answers to "
                                       f"{a.question!r}; give one per question")
            mine[a.question] = a
    scored = sorted(seed_answers)
    if not scored:
        raise ElicitationError("no expert answered a seed item; Cooke weights need seed "
                               f"answers (questions {', '.join('seed/' + i for i in ids)})")
    arr = np.full((len(scored), len(items), len(levels)), np.nan)
    used: list[Answer] = []
    for e, expert in enumerate(scored):
        for i, item in enumerate(items):
            got = seed_answers[expert].get(f"seed/{item.id}")
            if got is None:
                continue
            v = got.value
            if not isinstance(v, list) or len(v) != len(levels) or not all(
                    isinstance(x, int | float) and not isinstance(x, bool) for x in v):
                raise ElicitationError(f"expert {expert!r}, seed/{item.id}: {v!r} is not a "
                                       f"list of {len(levels)} quantiles")
            arr[e, i] = v
            used.append(got)
    answered = ~np.isnan(arr[:, :, 0]).all(axis=0)
    keep = [i for i in range(len(items)) if answered[i]]
    study = SeedStudy(
        experts=tuple(scored),
        items=tuple(Item(items[i].id, items[i].scale, items[i].realisation, items[i].text)
                    for i in keep),
        quantiles=tuple(levels), answers=arr[:, keep, :])
    result = analyze(study, weights="global", alpha=alpha)
    w = {e: float(x) for e, x in zip(result.experts, result.weights, strict=True)}
    for name in experts or ():
        w.setdefault(name, 0.0)
    return w, result, used


def _study_weights(weights: Weights, experts: Sequence[str], answers: Sequence[Answer],
                   seeds: Sequence[SeedItem] | None, alpha: float | None,
                   levels: Sequence[float], notes: list[str]
                   ) -> tuple[dict[str, float], str, CookeResult | None, list[Answer]]:
    if isinstance(weights, str) and weights == "equal":
        return {e: 1.0 / len(experts) for e in experts}, "equal", None, []
    if isinstance(weights, str) and weights == "cooke":
        if seeds is None:
            raise ElicitationError("weights='cooke' needs seeds=[SeedItem, ...] (the study's "
                                   "seed items with their realisations)")
        w, result, used = cooke_weights(answers, seeds, experts=experts, alpha=alpha,
                                        levels=levels)
        unscored = [e for e in experts if e not in result.experts]
        if unscored:
            notes.append(f"Cooke weights: {', '.join(unscored)} answered no seed item, so "
                         "could not be scored: weight 0")
        return {e: w.get(e, 0.0) for e in experts}, "cooke (global)", result, used
    if isinstance(weights, CookeResult):
        w = {e: float(x) for e, x in zip(weights.experts, weights.weights, strict=True)}
        unscored = [e for e in experts if e not in w]
        if unscored:
            notes.append(f"Cooke weights: {', '.join(unscored)} not in the Cooke result: "
                         "weight 0")
        return ({e: w.get(e, 0.0) for e in experts}, f"cooke ({weights.weight_scheme})",
                weights, [])
    if isinstance(weights, str):
        raise ElicitationError(f"unknown weights {weights!r}; use 'equal', 'cooke', a "
                               "mapping pseudonym -> weight, or a CookeResult")
    if not isinstance(weights, Mapping):
        raise ElicitationError("weights must be 'equal', 'cooke', a mapping pseudonym -> "
                               "weight, or a CookeResult")
    unknown = [e for e in weights if e not in experts]
    if unknown:
        raise ElicitationError(f"weights for unknown expert(s) {', '.join(map(str, unknown))}"
                               f"{did_you_mean(str(unknown[0]), experts)}; the experts are: "
                               f"{', '.join(experts)}")
    missing = [e for e in experts if e not in weights]
    if missing:
        raise ElicitationError(f"no weight for expert(s) {', '.join(missing)}; give every "
                               "expert a weight (0 to leave one out)")
    out: dict[str, float] = {}
    for e in experts:
        v = weights[e]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) \
                or v < 0:
            raise ElicitationError(f"weight of expert {e!r} is {v!r}; weights are numbers >= 0")
        out[e] = float(v)
    total = sum(out.values())
    if total <= 0:
        raise ElicitationError("every expert weight is 0; at least one must be > 0")
    return {e: v / total for e, v in out.items()}, "given", None, []


# ------------------------------------------------------------------------ pooling


def _table_rows(model: Model, nid: str, arr: np.ndarray) -> list[dict[str, Any]]:
    states = model.states(nid)
    flat = arr.reshape(len(states), -1)
    return [{"given": dict(g), "p": {s: float(flat[i, j]) for i, s in enumerate(states)}}
            for j, g in enumerate(_column_keys(model, nid))]


def _pool_parameters(model: Model, nid: str, params: Mapping[str, Mapping[str, Any]],
                     w: Mapping[str, float], notes: list[str]) -> dict[str, Any]:
    """Weighted mean of normalised weights (rescaled), of variances; majority function."""
    experts = list(w)
    votes = {f: sum(w[e] for e in experts if params[e]["function"] == f) for f in FUNCTIONS}
    best = max(votes.values())
    tied = [f for f in FUNCTIONS if math.isclose(votes[f], best, rel_tol=1e-12, abs_tol=1e-15)]
    function = tied[0]
    if len(tied) > 1:
        notes.append(f"{nid}: functions {', '.join(tied)} tie on weight; {function} used")
    variance = sum(w[e] * float(params[e]["variance"]) for e in experts)
    parents = list(params[experts[0]]["weights"])
    totals = {e: sum(params[e]["weights"].values()) for e in experts}
    scored = [e for e in experts if totals[e] > 0]
    wsum = sum(w[e] for e in scored)
    pooled_w: dict[str, float] = {}
    if scored and wsum > 0:
        scale = sum(w[e] * totals[e] for e in scored) / wsum
        for p in parents:
            pooled_w[p] = scale * sum(w[e] * params[e]["weights"][p] / totals[e]
                                      for e in scored) / wsum
    else:
        pooled_w = {p: 1.0 for p in parents}
    return {"function": function, "weights": pooled_w, "variance": variance}


def pool(
    model: Model,
    answers: Iterable[Answer],
    *,
    method: PoolMethod = "linear",
    weights: Weights = "equal",
    nodes: Iterable[str] | None = None,
    parametric: Parametric = "tables",
    seeds: Sequence[SeedItem] | None = None,
    alpha: float | None = None,
    levels: Sequence[float] = (0.05, 0.5, 0.95),
    on_disjoint: Literal["linear", "raise"] = "linear",
) -> PoolResult:
    """Pool the experts' CPTs for ``nodes`` (default: every node answered about).

    ``answers``: one answer per expert x question (e.g. ``Store.latest(round=2)``).
    ``method``: ``"linear"`` or ``"log"``; ``weights``, ``seeds``, ``alpha``, ``levels``:
    see the module docstring; ``parametric``: how ranked nodes are pooled.
    Raises :class:`ElicitationError` for bad options; an expert's incomplete answers are
    reported in :attr:`PoolResult.excluded`, not raised.
    """
    if method not in ("linear", "log"):
        raise ElicitationError(f"unknown pool {method!r}; use 'linear' or 'log'")
    if parametric not in ("tables", "parameters"):
        raise ElicitationError(f"unknown parametric {parametric!r}; use 'tables' or "
                               "'parameters'")
    if on_disjoint not in ("linear", "raise"):
        raise ElicitationError(f"unknown on_disjoint {on_disjoint!r}; use 'linear' or 'raise'")
    answers = list(answers)
    by_expert = _index_answers(answers)
    if not by_expert:
        raise ElicitationError("no answers to pool")
    studies = sorted({a.study for a in answers})
    if len(studies) > 1:
        raise ElicitationError(f"answers from several studies ({', '.join(studies)}); pool "
                               "one study at a time")
    cpts, excluded, used, notes = expert_cpts(model, answers, nodes=nodes)
    experts = sorted({e for per in cpts.values() for e in per} | set(by_expert))
    study_w, weighting, cooke, seed_used = _study_weights(
        weights, experts, answers, seeds, alpha, levels, notes)
    pools: dict[str, NodePool] = {}
    used_keys: set[tuple[str, str]] = set()
    for nid, per in cpts.items():
        members = [e for e in per if study_w.get(e, 0.0) > 0]
        for e in per:
            if e not in members:
                excluded.append(Exclusion(nid, e, "weight 0"))
        if not members:
            notes.append(f"{nid}: every expert who answered it has weight 0; not pooled")
            continue
        total = sum(study_w[e] for e in members)
        w = {e: study_w[e] / total for e in members}
        stack = np.stack([per[e].table for e in members])
        wv = np.array([w[e] for e in members])
        if method == "linear":
            table = linear_pool(stack, wv)
        else:
            table, bad = log_pool(stack, wv, on_disjoint=on_disjoint)
            cols = [_col_label(g) for g in _column_keys(model, nid)]
            for b in bad:
                notes.append(f"{nid}, column {cols[b] or '(root)'}: no logarithmic pool (the "
                             "experts' supports are disjoint); linear pool used")
        kind = model.spec.node(nid).cpt.method
        eparams: dict[str, Mapping[str, Any]] = {}
        for e in members:
            ep = per[e].params
            if ep is not None:
                eparams[e] = ep
        cpt: dict[str, Any]
        if kind == "ranked" and parametric == "parameters":
            pp = _pool_parameters(model, nid, {e: eparams[e] for e in members}, w, notes)
            cpt = {"method": "ranked", **_ranked_params(model, nid, pp, notes)}
            built = _build(model, nid, "ranked", {k: v for k, v in cpt.items()
                                                  if k != "method"})
            if isinstance(built, str):
                notes.append(f"{nid}: pooled parameters are invalid ({built}); not pooled")
                continue
            table = built
            node_kind: Literal["table", "ranked"] = "ranked"
        else:
            table = table / table.sum(axis=0, keepdims=True)
            cpt = {"method": "table", "table": _table_rows(model, nid, table)}
            node_kind = "table"
        pools[nid] = NodePool(nid, node_kind, table, cpt, w,
                              {e: per[e].table for e in members},
                              {e: dict(p) for e, p in eparams.items()})
        used_keys.update((e, nid) for e in members)
    used_answers = [a for a in used if (a.expert, a.question.split("/", 1)[0]) in used_keys]
    used_answers.extend(seed_used)
    return PoolResult(
        method=method, weighting=weighting, parametric=parametric, weights=study_w,
        nodes=pools, excluded=tuple(excluded), notes=tuple(notes),
        answers=tuple(used_answers),
        states={nid: model.states(nid) for nid in pools},
        columns={nid: tuple(_col_label(g) for g in _column_keys(model, nid)) for nid in pools},
        cooke=cooke,
    )
