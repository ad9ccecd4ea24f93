r"""The weighted-sum algorithm: a CPT from one distribution per parent state and weights.

The method of B. Das (2004), "Generating conditional probabilities for Bayesian networks:
easing the knowledge acquisition problem", arXiv:cs/0411034; evaluated by Baker & Mendes
(2010), "Evaluating the weighted sum algorithm for estimating conditional probabilities in
Bayesian networks", SEKE 2010.

**When to use it.** The parents' states need not form a scale and need not be comparable
across parents: the war outcome (``ukraine_wins, ukraine_loses, stalemate``) can sit beside
ordered factors. The expert answers one question per parent state, "what is the node's
distribution when this parent is in this state and the other parents are in the states
most *compatible* with it?", plus a relative weight per parent. A 4-parent node with 3
states each needs 12 distributions and 4 weights instead of 81 distributions. Prefer
:mod:`.ranked` when every parent is an ordered scale and the relation is monotone (fewer,
more interpretable numbers: weights, a function, a variance); prefer the weighted sum when
a parent is unordered, when parents' effects are not monotone, or when the expert would
rather state distributions than a function. The weighted sum is additive: it cannot
express a strong interaction (one parent that makes another irrelevant, "weakest link");
use ranked ``wmin``/``wmax`` or :mod:`.noisy_max` for that.

The maths
---------
For a node ``X`` with parents ``Y_1..Y_n``, the *compatible parental configuration*
``Comp(Y_i = y)`` is the configuration of all parents in which ``Y_i = y`` and every other
parent is in the state the expert judges most compatible with ``Y_i = y`` (for parents on
one ordered scale, usually the same rank). The expert gives

- ``P(X | Comp(Y_i = y))`` for every parent ``Y_i`` and every state ``y`` of it, and
- a relative weight ``w_i >= 0`` per parent, normalised here to sum to 1.

Every column is then the weighted sum::

    P(X = x | Y_1 = y_1, ..., Y_n = y_n) = sum_i w_i P(X = x | Comp(Y_i = y_i))

Each column is a convex combination of distributions, so it sums to 1 and needs no
normalisation. Where the expert's answers agree (``P(X | Comp(Y_i = y_i))`` equal for every
``i`` in a configuration that is compatible for all parents at once) the column reproduces
that distribution exactly. The compatible configurations shape the questions, not the
arithmetic: they are recorded (optionally) in ``compatible`` so that a questionnaire can
phrase them and a reader can see what was asked.

In a model file
---------------
::

    cpt:
      method: weighted_sum
      weights: {war_outcome: 3, threats: 2, institutions: 1}    # relative; normalised
      distributions:            # P(node | parent in state, the other parents compatible)
        war_outcome:
          ukraine_wins:  {strengthens: 0.70, neutral: 0.20, weakens: 0.10}
          ukraine_loses: {strengthens: 0.15, neutral: 0.35, weakens: 0.50}
          stalemate:     {strengthens: 0.10, neutral: 0.30, weakens: 0.60}
        threats:
          strengthens:   {strengthens: 0.60, neutral: 0.30, weakens: 0.10}
          neutral:       {strengthens: 0.20, neutral: 0.60, weakens: 0.20}
          weakens:       {strengthens: 0.10, neutral: 0.30, weakens: 0.60}
        institutions:
          strengthens:   [0.7, 0.2, 0.1]                 # a list in state order also works
          neutral:       [0.2, 0.6, 0.2]
          weakens:       [0.1, 0.2, 0.7]
      compatible:               # optional: the other parents' states each question assumed
        war_outcome:
          ukraine_wins:  {threats: strengthens, institutions: neutral}
          ukraine_loses: {threats: weakens, institutions: strengthens}

Everything is keyed by parent and state name. ``weights`` and ``distributions`` name every
parent; ``distributions`` names every state of every parent; each distribution names every
state of the node (or lists them in order) and sums to 1. ``compatible`` may be partial;
:func:`compatible_configurations` fills in the rest for ordered parents by rank.

Without a model file, :func:`weighted_sum_table` builds the table from arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import Problem, did_you_mean
from . import table

if TYPE_CHECKING:
    from . import NodeContext

__all__ = ["build", "check", "compatible_configurations", "weighted_sum_table"]

_FIELDS = ("weights", "distributions", "compatible")


def weighted_sum_table(
    distributions: Sequence[np.ndarray | Sequence[Sequence[float]]],
    weights: Sequence[float],
) -> np.ndarray:
    """The weighted-sum CPT from per-parent distributions and weights.

    ``distributions[i]`` has shape ``(n_states, card_i)``: column ``s`` is
    ``P(node | Comp(parent_i = state s))``. ``weights`` (one per parent, >= 0, positive sum)
    are normalised. Returns shape ``(n_states, card_1, ..., card_n)`` with
    ``cpt[:, s_1, ..., s_n] = sum_i w_i distributions[i][:, s_i]``. Raises ``ValueError``
    for invalid arguments.

    >>> a = [[0.8, 0.2], [0.2, 0.8]]
    >>> weighted_sum_table([a, a], [3, 1])[:, 0, 1].tolist()  # 0.75*0.8 + 0.25*0.2
    [0.65, 0.35]
    """
    if len(distributions) == 0:
        raise ValueError("the weighted sum needs at least one parent")
    if len(weights) != len(distributions):
        raise ValueError(f"{len(weights)} weights for {len(distributions)} parents")
    w = np.asarray(weights, dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be finite, >= 0 and not all 0: {list(weights)!r}")
    w = w / w.sum()
    arrays = [np.asarray(d, dtype=float) for d in distributions]
    n_states = arrays[0].shape[0] if arrays[0].ndim == 2 else 0
    n = len(arrays)
    for i, a in enumerate(arrays):
        if a.ndim != 2 or a.shape[0] != n_states or n_states == 0:
            raise ValueError(f"distributions[{i}] must have shape (node states, states of "
                             f"parent {i}), not {a.shape}")
        if not np.all(np.isfinite(a)) or np.any(a < 0) or not np.allclose(
            a.sum(axis=0), 1.0, atol=1e-6
        ):
            raise ValueError(f"distributions[{i}]: every column must be >= 0 and sum to 1")
    out = np.zeros((n_states, *(a.shape[1] for a in arrays)))
    for i, (a, wi) in enumerate(zip(arrays, w, strict=True)):
        shape = [1] * (n + 1)
        shape[0], shape[i + 1] = n_states, a.shape[1]
        out += wi * a.reshape(shape)
    out /= out.sum(axis=0, keepdims=True)
    return out


def compatible_configurations(
    params: Mapping[str, Any], node: NodeContext
) -> dict[str, dict[str, dict[str, str]]]:
    """``{parent: {state: {other parent: state}}}``: the configuration each question assumed.

    Entries given in ``compatible`` are used as they are. For an ordered parent in state
    ``s`` (0-based, of ``m`` states) every other ordered parent missing from them gets the
    state of the same relative rank, ``round(s * (m' - 1) / (m - 1))``; unordered parents
    (and other parents of an unordered parent) have no default and are left out. Assumes
    ``params`` passed :func:`check`.
    """
    given = params.get("compatible") or {}
    out: dict[str, dict[str, dict[str, str]]] = {}
    for q in node.parents:
        per_state: dict[str, dict[str, str]] = {}
        for s_index, s in enumerate(q.states):
            config = dict((given.get(q.id) or {}).get(s) or {})
            for other in node.parents:
                if other.id == q.id or other.id in config or not (q.ordered and other.ordered):
                    continue
                rank = s_index / (len(q.states) - 1) if len(q.states) > 1 else 0.0
                config[other.id] = other.states[round(rank * (len(other.states) - 1))]
            per_state[s] = {o.id: config[o.id] for o in node.parents if o.id in config}
        out[q.id] = per_state
    return out


def check(params: Mapping[str, Any], node: NodeContext) -> list[Problem]:
    """Every problem with ``params`` for the weighted-sum method (none raised)."""
    problems: list[Problem] = []
    _parse(params, node, problems)
    return problems


def build(params: Mapping[str, Any], node: NodeContext) -> np.ndarray:
    """The weighted-sum CPT of ``node``, shape ``(n_states, *parent_cards)``."""
    problems: list[Problem] = []
    parsed = _parse(params, node, problems)
    if parsed is None:  # pragma: no cover - build is only called after check passed
        raise ValueError("; ".join(map(str, problems)))
    distributions, weights = parsed
    return weighted_sum_table(distributions, weights)


def _number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)


def _parse(
    params: Mapping[str, Any], node: NodeContext, problems: list[Problem]
) -> tuple[list[np.ndarray], list[float]] | None:
    start = len(problems)
    for key in params:
        if key not in _FIELDS:
            problems.append(Problem(node.at(str(key)), "unknown field for method "
                                    f"'weighted_sum'{did_you_mean(str(key), _FIELDS)}; "
                                    f"allowed: {', '.join(_FIELDS)}"))
    if not node.parents:
        problems.append(Problem(node.at("method"), f"weighted_sum needs parents; {node.id!r} "
                                "has none (use table with p: {...})"))
        return None
    ids = [q.id for q in node.parents]
    weights = _weights(params.get("weights"), node, problems)
    distributions = _distributions(params.get("distributions"), node, problems)
    if "compatible" in params:
        _compatible(params["compatible"], node, problems)
    if len(problems) > start or weights is None or distributions is None:
        return None
    return distributions, [weights[pid] for pid in ids]


def _unknown_parent(key: Any, where: str, node: NodeContext) -> Problem:
    ids = [q.id for q in node.parents]
    return Problem(f"{where}.{key}", f"{key!r} is not a parent of {node.id!r}"
                   f"{did_you_mean(str(key), ids)}; its parents: {', '.join(ids)}")


def _weights(
    value: Any, node: NodeContext, problems: list[Problem]
) -> dict[str, float] | None:
    where = node.at("weights")
    ids = [q.id for q in node.parents]
    if value is None:
        problems.append(Problem(where, "missing; give a relative weight >= 0 for every parent "
                                f"({', '.join(ids)})"))
        return None
    if not isinstance(value, Mapping):
        problems.append(Problem(where, f"must map every parent to a weight >= 0, e.g. "
                                f"{{{ids[0]}: 2, ...}}"))
        return None
    start = len(problems)
    for key, w in value.items():
        if key not in ids:
            problems.append(_unknown_parent(key, where, node))
        elif not _number(w) or w < 0:
            problems.append(Problem(f"{where}.{key}", f"{w!r} is not a number >= 0"))
    for pid in ids:
        if pid not in value:
            problems.append(Problem(where, f"missing weight for parent {pid!r}; give a weight "
                                    f"for every parent ({', '.join(ids)})"))
    if len(problems) > start:
        return None
    if sum(value[pid] for pid in ids) <= 0:
        problems.append(Problem(where, "every weight is 0; at least one must be > 0"))
        return None
    return {pid: float(value[pid]) for pid in ids}


def _distributions(
    value: Any, node: NodeContext, problems: list[Problem]
) -> list[np.ndarray] | None:
    where = node.at("distributions")
    if value is None or not isinstance(value, Mapping):
        problems.append(Problem(where, f"{'missing' if value is None else 'not a mapping'}; "
                                "give {parent: {parent state: {node state: probability}}}, "
                                "the node's distribution for each parent state with the "
                                "other parents compatible"))
        return None
    start = len(problems)
    ids = [q.id for q in node.parents]
    for key in value:
        if key not in ids:
            problems.append(_unknown_parent(key, where, node))
    out: list[np.ndarray] = []
    for q in node.parents:
        if q.id not in value:
            problems.append(Problem(where, f"missing parent {q.id!r}; give a distribution "
                                    f"for each of its states ({', '.join(q.states)})"))
            continue
        per_state = value[q.id]
        at = f"{where}.{q.id}"
        if not isinstance(per_state, Mapping):
            problems.append(Problem(at, f"must map each state of {q.id!r} "
                                    f"({', '.join(q.states)}) to a distribution of "
                                    f"{node.id!r}"))
            continue
        for s in per_state:
            if s not in q.states:
                problems.append(Problem(f"{at}.{s}", f"{s!r} is not a state of {q.id!r}"
                                        f"{did_you_mean(str(s), q.states)}; its states are "
                                        f"{', '.join(q.states)}"))
        columns = []
        for s in q.states:
            if s not in per_state:
                problems.append(Problem(at, f"missing state {s!r}; give a distribution for "
                                        f"every state of {q.id!r} ({', '.join(q.states)})"))
                continue
            col = table.column(per_state[s], node, f"{at}.{s}", problems)
            if col is not None:
                columns.append(col)
        if len(columns) == len(q.states):
            out.append(np.column_stack(columns))
    return out if len(problems) == start else None


def _compatible(value: Any, node: NodeContext, problems: list[Problem]) -> None:
    where = node.at("compatible")
    if not isinstance(value, Mapping):
        problems.append(Problem(where, "must map parent -> its state -> {other parent: "
                                "state}, the configuration each question assumed"))
        return
    parents = {q.id: q for q in node.parents}
    for pid, per_state in value.items():
        if pid not in parents:
            problems.append(_unknown_parent(pid, where, node))
            continue
        q = parents[pid]
        at = f"{where}.{pid}"
        if not isinstance(per_state, Mapping):
            problems.append(Problem(at, f"must map states of {pid!r} to {{other parent: "
                                    "state}"))
            continue
        for s, config in per_state.items():
            if s not in q.states:
                problems.append(Problem(f"{at}.{s}", f"{s!r} is not a state of {pid!r}"
                                        f"{did_you_mean(str(s), q.states)}; its states are "
                                        f"{', '.join(q.states)}"))
                continue
            if not isinstance(config, Mapping):
                problems.append(Problem(f"{at}.{s}", "must map other parents to states"))
                continue
            for other, state in config.items():
                if other == pid:
                    problems.append(Problem(f"{at}.{s}.{other}", f"names {pid!r} itself; "
                                            "give the states of the other parents"))
                elif other not in parents:
                    problems.append(_unknown_parent(other, f"{at}.{s}", node))
                elif state not in parents[other].states:
                    states = parents[other].states
                    problems.append(Problem(f"{at}.{s}.{other}", f"{state!r} is not a state "
                                            f"of {other!r}{did_you_mean(str(state), states)}; "
                                            f"its states are {', '.join(states)}"))
