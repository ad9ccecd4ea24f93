"""The explicit table: every column written out, keyed by its parents' states.

In a model file::

    cpt:
      method: table
      table:
        - given: {war_outcome: ukraine_wins}
          p: {strengthens: 0.70, neutral: 0.20, weakens: 0.10}
        - given: {war_outcome: ukraine_loses}
          p: {strengthens: 0.10, neutral: 0.20, weakens: 0.70}
        ...

A node without parents may write ``p: {...}`` directly instead of ``table:``. Each parent
combination appears exactly once; each ``p`` names every state of the node once, with a
probability in [0, 1]; each column sums to 1 within :data:`SUM_TOLERANCE` and is then
normalised exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import Problem

if TYPE_CHECKING:
    from . import NodeContext

__all__ = ["SUM_TOLERANCE", "build", "check", "column", "from_array"]

#: How far a column's sum may be from 1 (absolute) before it is refused.
SUM_TOLERANCE = 1e-6


def _rows(params: Mapping[str, Any], node: NodeContext) -> tuple[list[Any] | None, str]:
    if "table" in params:
        rows = params["table"]
        return (rows if isinstance(rows, list) else None), "table"
    if "p" in params and not node.parents:
        return [{"given": {}, "p": params["p"]}], "p"
    return None, "table"


def column(
    p: Any, node: NodeContext, where: str, problems: list[Problem]
) -> np.ndarray | None:
    """Parse one column ``{state: probability}`` (or a list in state order); report problems."""
    n = len(node.states)
    if isinstance(p, list):
        if len(p) != n:
            problems.append(Problem(where, f"has {len(p)} numbers; node {node.id!r} has {n} "
                                    f"states ({', '.join(node.states)})"))
            return None
        p = dict(zip(node.states, p, strict=True))
    if not isinstance(p, Mapping):
        problems.append(Problem(where, "must map each state to a probability, e.g. "
                                f"{{{node.states[0]}: 0.5, ...}}"))
        return None
    ok = True
    for key in p:
        if key not in node.states:
            problems.append(Problem(where, f"{key!r} is not a state of {node.id!r}; "
                                    f"its states are {', '.join(node.states)}"))
            ok = False
    values = np.zeros(n)
    for i, s in enumerate(node.states):
        if s not in p:
            problems.append(Problem(where, f"missing state {s!r}; give a probability for every "
                                    f"state ({', '.join(node.states)})"))
            ok = False
            continue
        v = p[s]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            problems.append(Problem(f"{where}.{s}", f"{v!r} is not a number; probabilities "
                                    "are numbers in [0, 1]"))
            ok = False
            continue
        if v < 0 or v > 1:
            problems.append(Problem(f"{where}.{s}", f"{v} is outside [0, 1]"))
            ok = False
            continue
        values[i] = float(v)
    if not ok:
        return None
    total = float(values.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        problems.append(Problem(where, f"sums to {total:.6g}, not 1 (tolerance {SUM_TOLERANCE:g})"))
        return None
    return values / total


def check(params: Mapping[str, Any], node: NodeContext) -> list[Problem]:
    problems: list[Problem] = []
    _parse(params, node, problems)
    return problems


def build(params: Mapping[str, Any], node: NodeContext) -> np.ndarray:
    problems: list[Problem] = []
    cpt = _parse(params, node, problems)
    if cpt is None:  # pragma: no cover - build is only called after check passed
        raise ValueError("; ".join(map(str, problems)))
    return cpt


def _parse(
    params: Mapping[str, Any], node: NodeContext, problems: list[Problem]
) -> np.ndarray | None:
    unknown = set(params) - {"table", "p"}
    for key in sorted(unknown):
        problems.append(Problem(node.at(key), "unknown field for method 'table'; allowed: "
                                "table (p for a node without parents)"))
    rows, field = _rows(params, node)
    if rows is None:
        hint = "p: {state: probability, ...}" if not node.parents else "table: a list of columns"
        problems.append(Problem(node.at("table"), f"missing or not a list; give {hint}"))
        return None
    cpt = np.full(node.shape, np.nan)
    parent_ids = [q.id for q in node.parents]
    seen: dict[tuple[int, ...], int] = {}
    ok = not unknown
    for r, row in enumerate(rows):
        where = node.at(f"table[{r}]") if field == "table" else node.at("p")
        if not isinstance(row, Mapping) or "p" not in row:
            problems.append(Problem(where, "each column is a mapping {given: {parent: state}, "
                                    "p: {state: probability}}"))
            ok = False
            continue
        given = row.get("given", {}) or {}
        if not isinstance(given, Mapping):
            problems.append(Problem(f"{where}.given", "must map each parent to one of its states"))
            ok = False
            continue
        index: list[int] = []
        for key in given:
            if key not in parent_ids:
                allowed = ", ".join(parent_ids) if parent_ids else "none (the node has no parents)"
                problems.append(Problem(f"{where}.given", f"{key!r} is not a parent of "
                                        f"{node.id!r}; its parents: {allowed}"))
                ok = False
        for q in node.parents:
            if q.id not in given:
                problems.append(Problem(f"{where}.given", f"missing parent {q.id!r}"))
                ok = False
                break
            s = given[q.id]
            if s not in q.states:
                problems.append(Problem(f"{where}.given.{q.id}", f"{s!r} is not a state of "
                                        f"{q.id!r}; its states are {', '.join(q.states)}"))
                ok = False
                break
            index.append(q.states.index(s))
        else:
            key_ = tuple(index)
            if key_ in seen:
                problems.append(Problem(where, f"duplicate column: the same parent states as "
                                        f"{field}[{seen[key_]}]"))
                ok = False
                continue
            seen[key_] = r
            given_text = ", ".join(f"{q.id}={given[q.id]}" for q in node.parents)
            col_where = f"{where} ({given_text}).p" if given_text else (
                f"{where}.p" if field == "table" else where)
            col = column(row["p"], node, col_where, problems)
            if col is None:
                ok = False
                continue
            cpt[(slice(None), *key_)] = col  # type: ignore[index]
    if ok:
        missing = [
            combo for combo in itertools.product(*(range(len(q.states)) for q in node.parents))
            if combo not in seen
        ]
        if missing:
            examples = "; ".join(
                ", ".join(f"{q.id}={q.states[i]}" for q, i in zip(node.parents, combo, strict=True))
                for combo in missing[:3]
            )
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            total = len(seen) + len(missing)
            problems.append(Problem(node.at("table"), f"{len(missing)} of {total} parent "
                                    f"combinations have no column: {examples}{more}"))
            ok = False
    return cpt if ok else None


def from_array(cpt: np.ndarray, node: NodeContext, *, digits: int | None = None) -> dict[str, Any]:
    """The ``cpt:`` parameters of a table method for an array (the inverse of :func:`build`)."""

    def col(values: np.ndarray) -> dict[str, float]:
        vals = [float(v) if digits is None else round(float(v), digits) for v in values]
        return dict(zip(node.states, vals, strict=True))

    if not node.parents:
        return {"p": col(cpt.reshape(-1))}
    rows = []
    for combo in itertools.product(*(range(len(q.states)) for q in node.parents)):
        given = {q.id: q.states[i] for q, i in zip(node.parents, combo, strict=True)}
        rows.append({"given": given, "p": col(cpt[(slice(None), *combo)])})  # type: ignore[arg-type]
    return {"table": rows}
