r"""Noisy-MAX: independent causes, each able to push the node to a worse degree; the worst wins.

The noisy-MAX gate of Díez (1993), "Parameter adjustment in Bayes networks. The
generalized noisy OR-gate", *Proceedings of UAI-93*, pp. 99-105, which generalises the
noisy-OR to graded variables, with the leak of Henrion (1989), "Some practical issues in
constructing belief networks", *Uncertainty in Artificial Intelligence 3*, pp. 161-173.

**When to use it.** Each parent is a cause that can, on its own and independently of the
others, move the node away from its normal state by some degree, and the node ends up at
the worst degree any cause produced ("the weakest link"; any one crisis can fragment the
alliance). The expert gives, per parent, the node's distribution when only that parent is
active in each of its non-normal states: ``sum_i (states_i - 1)`` distributions plus a
leak, linear in the number of parents. It fits badly when causes compensate each other (a
good factor offsetting a bad one: use :mod:`.ranked` WMEAN or :mod:`.weighted_sum`), or
when the node can move both ways from its normal state (noisy-MAX moves it one way only).

The maths
---------
The node's states are *degrees* ``0, 1, ..., m-1``: degree 0 is its ``absent`` state, the
state when no cause acts, which must be its first or its last listed state; degrees count
along the listed order away from it (``absent: strong`` on ``strong, fragmented, weak``
makes fragmented degree 1 and weak degree 2). Each parent ``X_i`` has an ``absent`` state
too, in which it produces degree 0. Independently, cause ``i`` in state ``x_i`` produces a
degree ``Y_i`` with distribution ``c_i(. | x_i)``, unmodelled causes produce ``Y_L`` with
distribution ``leak``, and the node is ``Y = max(Y_1, ..., Y_n, Y_L)``, so with cumulative
distributions ``C(d) = P(degree <= d)``::

    P(Y <= d | x_1..x_n) = C_leak(d) * prod_i C_i(d | x_i)

and ``P(Y = d | x) = P(Y <= d | x) - P(Y <= d-1 | x)``.

*Parametrisation.* The ``effects`` an expert gives for ``X_i = x`` answer "the node's
distribution when only ``X_i`` is active (in state ``x``), every other parent absent". Under
``parametrization: henrion`` (the default, and GeNIe's) that answer includes the leak:
``P_H(Y <= d) = C_leak(d) C_i(d | x)``, so ``C_i = P_H / C_leak``. That is only possible if
the cause makes the node no better than the leak alone at every degree (``P_H(Y <= d) <=
C_leak(d)``) and the ratio rises with ``d``; :func:`check` reports an effect that breaks
this. Under ``parametrization: diez`` the effects exclude the leak and are ``c_i`` directly.
Without a ``leak`` (no unmodelled causes) the two coincide.

In a model file
---------------
::

    cpt:
      method: noisy_max
      absent: strong                     # the node's state when no cause acts
      leak: {strong: 0.90, fragmented: 0.08, weak: 0.02}      # optional; default none
      parametrization: henrion           # optional; henrion (default) or diez
      causes:                            # every parent, by name
        norms:
          absent: strengthens            # the parent's state in which it does nothing
          effects:                       # every other state of the parent
            neutral: {strong: 0.80, fragmented: 0.15, weak: 0.05}
            weakens: {strong: 0.40, fragmented: 0.40, weak: 0.20}
        war_outcome:                     # an unordered parent works the same way
          absent: ukraine_wins
          effects:
            stalemate:     {strong: 0.50, fragmented: 0.35, weak: 0.15}
            ukraine_loses: {strong: 0.60, fragmented: 0.30, weak: 0.10}

Without a model file, :func:`noisy_max_table` builds the table in degree order from arrays
of net (Díez) parameters and :func:`henrion_to_diez` converts leak-including effects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import Problem, did_you_mean
from . import table

if TYPE_CHECKING:
    from . import NodeContext

__all__ = ["PARAMETRIZATIONS", "build", "check", "henrion_to_diez", "noisy_max_table"]

#: How the effects are meant: including the leak (henrion) or excluding it (diez).
PARAMETRIZATIONS: tuple[str, ...] = ("henrion", "diez")
#: How far a leak-including effect may break the noisy-MAX constraints before it is refused.
TOLERANCE = 1e-9

_FIELDS = ("absent", "leak", "parametrization", "causes")


def noisy_max_table(
    effects: Sequence[np.ndarray | Sequence[Sequence[float]]],
    *,
    leak: np.ndarray | Sequence[float] | None = None,
) -> np.ndarray:
    """The noisy-MAX CPT in degree order from net (Díez) parameters.

    ``effects[i]`` has shape ``(m, card_i)``: column ``s`` is the distribution over degrees
    ``0..m-1`` that parent ``i`` in state ``s`` produces alone, without the leak (its absent
    state's column is normally ``(1, 0, ..., 0)``). ``leak`` is the distribution of the
    leak's degree (default: always 0). Returns shape ``(m, card_1, ..., card_n)``, axis 0 in
    degree order. Raises ``ValueError`` for invalid arguments.

    >>> noisy_max_table([[[1, 0.2], [0, 0.8]], [[1, 0.5], [0, 0.5]]])[:, 1, 1].tolist()
    [0.1, 0.9]
    """
    arrays = [np.asarray(e, dtype=float) for e in effects]
    if not arrays:
        raise ValueError("noisy-MAX needs at least one parent")
    m = arrays[0].shape[0] if arrays[0].ndim == 2 else 0
    for i, a in enumerate(arrays):
        if a.ndim != 2 or a.shape[0] != m or m == 0:
            raise ValueError(f"effects[{i}] must have shape (degrees, states of parent {i}), "
                             f"not {a.shape}")
        _check_columns(a, f"effects[{i}]")
    lk = np.eye(m)[0] if leak is None else np.asarray(leak, dtype=float)
    if lk.shape != (m,):
        raise ValueError(f"leak must have {m} probabilities, not shape {lk.shape}")
    _check_columns(lk[:, None], "leak")
    n = len(arrays)
    cum = np.cumsum(lk).reshape((m,) + (1,) * n)
    for i, a in enumerate(arrays):
        shape = [1] * (n + 1)
        shape[0], shape[i + 1] = m, a.shape[1]
        cum = cum * np.cumsum(a, axis=0).reshape(shape)
    out = np.diff(cum, axis=0, prepend=0.0)
    out = np.clip(out, 0.0, None)
    out /= out.sum(axis=0, keepdims=True)
    return out


def henrion_to_diez(compound: np.ndarray | Sequence[float], leak: np.ndarray | Sequence[float]
                    ) -> np.ndarray:
    """Net (Díez) effect distributions from leak-including (Henrion) ones, in degree order.

    ``compound`` is one distribution ``(m,)`` or columns ``(m, k)``; ``C_net(d) =
    P_H(Y <= d) / C_leak(d)``. Raises ``ValueError`` when no net effect gives ``compound``
    with this leak (see the module docstring).
    """
    q = np.asarray(compound, dtype=float)
    lk = np.asarray(leak, dtype=float)
    one = q.ndim == 1
    q2 = q[:, None] if one else q
    problems = _henrion_problems(q2, lk)
    if problems:
        raise ValueError("; ".join(problems))
    net = _henrion_net(q2, lk)
    return net[:, 0] if one else net


def _check_columns(a: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(a)) or np.any(a < 0) or not np.allclose(a.sum(axis=0), 1.0,
                                                                         atol=1e-6):
        raise ValueError(f"{what}: every distribution must be >= 0 and sum to 1")


def _henrion_net(q: np.ndarray, leak: np.ndarray) -> np.ndarray:
    big_q = np.cumsum(q, axis=0)
    big_l = np.cumsum(leak)[:, None]
    ratio = np.divide(big_q, big_l, out=np.zeros_like(big_q), where=big_l > 0)
    ratio = np.minimum(np.maximum.accumulate(np.clip(ratio, 0.0, 1.0), axis=0), 1.0)
    ratio[-1] = 1.0
    net = np.diff(ratio, axis=0, prepend=0.0)
    return net / net.sum(axis=0, keepdims=True)


def _henrion_problems(q: np.ndarray, leak: np.ndarray, labels: Sequence[str] | None = None
                      ) -> list[str]:
    """Why leak-including effects ``q`` (columns, degree order) are impossible; ``[]`` if not."""
    big_q = np.cumsum(q, axis=0)
    big_l = np.cumsum(leak)
    out: list[str] = []
    for j in range(q.shape[1]):
        for d in range(q.shape[0] - 1):
            name = f"degree <= {d}" + (f", i.e. {labels[d]!r} or nearer absent" if labels else "")
            if big_q[d, j] > big_l[d] + TOLERANCE:
                out.append(f"P({name}) = {big_q[d, j]:.4g} is more than with the leak alone "
                           f"({big_l[d]:.4g}); a cause cannot move the node nearer its absent "
                           "state than the leak does (use parametrization: diez if these "
                           "effects exclude the leak)")
                break
        else:
            ratio = np.divide(big_q[:, j], big_l, out=np.zeros(len(big_l)), where=big_l > 0)
            for d in range(1, q.shape[0]):
                if big_l[d - 1] > 0 and ratio[d] < ratio[d - 1] - TOLERANCE:
                    out.append(f"P(degree <= d) / P_leak(degree <= d) falls from "
                               f"{ratio[d - 1]:.4g} to {ratio[d]:.4g} at degree {d}; no "
                               "cause acting alone gives this with this leak")
                    break
    return out


def check(params: Mapping[str, Any], node: NodeContext) -> list[Problem]:
    """Every problem with ``params`` for the noisy-MAX method (none raised)."""
    problems: list[Problem] = []
    _parse(params, node, problems)
    return problems


def build(params: Mapping[str, Any], node: NodeContext) -> np.ndarray:
    """The noisy-MAX CPT of ``node``, shape ``(n_states, *parent_cards)``."""
    problems: list[Problem] = []
    parsed = _parse(params, node, problems)
    if parsed is None:  # pragma: no cover - build is only called after check passed
        raise ValueError("; ".join(map(str, problems)))
    effects, leak, reverse = parsed
    cpt = noisy_max_table(effects, leak=leak)
    return np.ascontiguousarray(cpt[::-1]) if reverse else cpt


def _parse(
    params: Mapping[str, Any], node: NodeContext, problems: list[Problem]
) -> tuple[list[np.ndarray], np.ndarray, bool] | None:
    start = len(problems)
    for key in params:
        if key not in _FIELDS:
            problems.append(Problem(node.at(str(key)), "unknown field for method 'noisy_max'"
                                    f"{did_you_mean(str(key), _FIELDS)}; allowed: "
                                    f"{', '.join(_FIELDS)}"))
    if not node.parents:
        problems.append(Problem(node.at("method"), f"noisy_max needs parents; {node.id!r} has "
                                "none (use table with p: {...})"))
        return None
    if not node.ordered:
        problems.append(Problem(node.at("method"), f"noisy_max needs an ordered node (its "
                                f"states are degrees); {node.id!r} is not ordered"))
    # The node's degrees.
    absent = params.get("absent")
    ends = (node.states[0], node.states[-1])
    reverse = False
    if absent not in ends:
        what = "missing" if absent is None else f"{absent!r} is not the first or last state"
        hint = did_you_mean(str(absent), ends) if absent is not None else ""
        problems.append(Problem(node.at("absent"), f"{what}{hint}; the node's state when no "
                                f"cause acts: {ends[0]!r} or {ends[-1]!r}"))
    else:
        reverse = absent == node.states[-1] and absent != node.states[0]
    order = list(reversed(node.states)) if reverse else list(node.states)
    # Parametrization and leak.
    parametrization = params.get("parametrization", "henrion")
    if parametrization not in PARAMETRIZATIONS:
        problems.append(Problem(node.at("parametrization"), f"{parametrization!r} is not "
                                f"one of {', '.join(PARAMETRIZATIONS)}"))
    leak = np.eye(len(order))[0]
    if "leak" in params:
        col = table.column(params["leak"], node, node.at("leak"), problems)
        if col is not None:
            leak = col[::-1] if reverse else col
    # Causes.
    causes = params.get("causes")
    where = node.at("causes")
    if not isinstance(causes, Mapping):
        problems.append(Problem(where, f"{'missing' if causes is None else 'not a mapping'}; "
                                "give {parent: {absent: state, effects: {state: {...}}}} for "
                                "every parent"))
        return None
    ids = [q.id for q in node.parents]
    for key in causes:
        if key not in ids:
            problems.append(Problem(f"{where}.{key}", f"{key!r} is not a parent of "
                                    f"{node.id!r}{did_you_mean(str(key), ids)}; its "
                                    f"parents: {', '.join(ids)}"))
    effects: list[np.ndarray] = []
    for q in node.parents:
        if q.id not in causes:
            problems.append(Problem(where, f"missing parent {q.id!r}; every parent is a cause"))
            continue
        parsed = _cause(causes[q.id], q, len(order) - 1 if reverse else 0, f"{where}.{q.id}",
                        node, problems)
        if parsed is None:
            continue
        arr, absent_index = parsed
        arr = arr[::-1] if reverse else arr  # degree order
        if parametrization == "henrion" and "leak" in params:
            ok = True
            for s_index, s in enumerate(q.states):
                if s_index == absent_index:
                    continue  # produces degree 0, net and compound alike
                found = _henrion_problems(arr[:, s_index:s_index + 1], leak, order)
                for text in found:
                    problems.append(Problem(f"{where}.{q.id}.effects.{s}", text))
                    ok = False
            if not ok:
                continue
            arr = _henrion_net(arr, leak)
            arr[:, absent_index] = np.eye(len(order))[0]
        effects.append(arr)
    if len(problems) > start:
        return None
    return effects, leak, reverse


def _cause(
    value: Any, q: Any, absent_row: int, where: str, node: NodeContext, problems: list[Problem]
) -> tuple[np.ndarray, int] | None:
    """One parent's effects as columns ``(n_states, card)`` in listed node-state order.

    ``absent_row`` is the listed index of the node's absent state, which the parent's
    absent state produces with certainty. Also returns the parent's absent state's index.
    """
    if not isinstance(value, Mapping):
        problems.append(Problem(where, "must be {absent: state, effects: {state: {...}}}"))
        return None
    start = len(problems)
    for key in value:
        if key not in ("absent", "effects"):
            problems.append(Problem(f"{where}.{key}", "unknown field; a cause has absent and "
                                    "effects"))
    absent = value.get("absent")
    if absent not in q.states:
        what = "missing" if absent is None else f"{absent!r} is not a state of {q.id!r}"
        hint = did_you_mean(str(absent), q.states) if absent is not None else ""
        problems.append(Problem(f"{where}.absent", f"{what}{hint}; the state of {q.id!r} in "
                                f"which it does not act, one of {', '.join(q.states)}"))
        return None
    effects = value.get("effects")
    active = [s for s in q.states if s != absent]
    if not isinstance(effects, Mapping):
        what = "missing" if effects is None else "not a mapping"
        problems.append(Problem(f"{where}.effects", f"{what}; give the node's distribution "
                                f"for each active state of {q.id!r} ({', '.join(active)})"))
        return None
    for s in effects:
        if s == absent:
            problems.append(Problem(f"{where}.effects.{s}", f"{s!r} is the absent state; it "
                                    "produces the absent state of the node by definition"))
        elif s not in q.states:
            problems.append(Problem(f"{where}.effects.{s}", f"{s!r} is not a state of "
                                    f"{q.id!r}{did_you_mean(str(s), q.states)}; its states "
                                    f"are {', '.join(q.states)}"))
    arr = np.zeros((len(node.states), len(q.states)))
    for s_index, s in enumerate(q.states):
        if s == absent:
            continue
        if s not in effects:
            problems.append(Problem(f"{where}.effects", f"missing state {s!r}; give a "
                                    f"distribution for every active state ({', '.join(active)})"))
            continue
        col = table.column(effects[s], node, f"{where}.effects.{s}", problems)
        if col is not None:
            arr[:, s_index] = col
    if len(problems) > start:
        return None
    arr[absent_row, q.states.index(absent)] = 1.0  # an absent cause produces degree 0
    return arr, q.states.index(absent)
