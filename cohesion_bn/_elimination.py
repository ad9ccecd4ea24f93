"""Bucket elimination over named factors: sums, maxima and maximisers.

pgmpy's ``map_query`` builds the joint of the queried variables (infeasible for an MPE on
alarm) and its belief propagation returns max-marginals, not a joint MAP; this module does
what both need, exactly. A factor is ``(variables, array)`` with one axis per variable.

For a query with summed variables S and maximised variables M (Dechter 1999, "Bucket
elimination: a unifying framework for reasoning", AIJ 113), the value is
``max_M sum_S prod_f f`` and the maximiser is recovered by a traceback: variables in S are
eliminated first (a constrained order, which makes MAP exact), each in the greedy order
that keeps the next intermediate factor smallest.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["Factor", "eliminate", "network_factors"]

Factor = tuple[tuple[str, ...], np.ndarray]
_LETTERS = string.ascii_letters


def network_factors(
    variables: Sequence[str],
    parents: Mapping[str, Sequence[str]],
    cpts: Mapping[str, np.ndarray],
) -> list[Factor]:
    """One factor per CPT, axes (node, *parents)."""
    return [((v, *parents[v]), np.asarray(cpts[v], dtype=float)) for v in variables]


def _product(factors: Sequence[Factor]) -> Factor:
    union: list[str] = []
    for vs, _ in factors:
        for v in vs:
            if v not in union:
                union.append(v)
    if len(union) > len(_LETTERS):
        raise ValueError(f"an intermediate factor over {len(union)} variables is too large")
    letter = {v: _LETTERS[i] for i, v in enumerate(union)}
    subs = ",".join("".join(letter[v] for v in vs) for vs, _ in factors)
    out = "".join(letter[v] for v in union)
    arrays = [a for _, a in factors]
    return tuple(union), np.einsum(f"{subs}->{out}", *arrays)


def _cost(var: str, factors: Sequence[Factor], cards: Mapping[str, int]) -> int:
    scope: set[str] = set()
    for vs, _ in factors:
        if var in vs:
            scope.update(vs)
    size = 1
    for v in scope:
        size *= cards[v]
    return size


def eliminate(
    factors: Iterable[Factor],
    *,
    maximise: Iterable[str] = (),
) -> tuple[float, dict[str, int]]:
    """``max_M sum_S prod f`` over all variables, and the maximising indices of M.

    Every variable that appears in a factor and is not in ``maximise`` is summed out.
    Returns the value and ``{variable: state index}`` for the maximised variables.
    """
    work = list(factors)
    cards: dict[str, int] = {}
    for vs, a in work:
        for v, c in zip(vs, a.shape, strict=True):
            cards[v] = c
    max_vars = set(maximise)
    sum_vars = [v for v in cards if v not in max_vars]
    traceback: list[tuple[str, tuple[str, ...], np.ndarray]] = []
    for group, is_max in ((sum_vars, False), ([v for v in cards if v in max_vars], True)):
        remaining = list(group)
        while remaining:
            var = min(remaining, key=lambda v: _cost(v, work, cards))
            remaining.remove(var)
            bucket = [f for f in work if var in f[0]]
            work = [f for f in work if var not in f[0]]
            if not bucket:
                continue
            vs, arr = _product(bucket)
            axis = vs.index(var)
            rest = vs[:axis] + vs[axis + 1:]
            if is_max:
                traceback.append((var, rest, np.argmax(arr, axis=axis)))
                work.append((rest, np.max(arr, axis=axis)))
            else:
                work.append((rest, np.sum(arr, axis=axis)))
    value = 1.0
    for vs, a in work:
        value *= float(np.asarray(a).reshape(()))
        del vs
    assignment: dict[str, int] = {}
    for var, rest, best in reversed(traceback):
        assignment[var] = int(best[tuple(assignment[v] for v in rest)])
    for var in max_vars:
        assignment.setdefault(var, 0)  # a variable in no factor: any state is a maximiser
    return value, assignment
