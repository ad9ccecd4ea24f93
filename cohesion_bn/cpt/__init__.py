"""Ways to make a conditional probability table (CPT).

Every method is one module in this package with the same two entry points::

    check(params, node) -> list[Problem]    # every problem with the parameters, none raised
    build(params, node) -> numpy.ndarray    # the CPT, shape (n_states, *parent_cards)

``params`` is the node's ``cpt:`` mapping from the model file without ``method``,
``provenance`` and ``uncertainty``; ``node`` is a :class:`NodeContext`. The array's
first axis is the node's own states and the other axes its parents in the order the model
file lists them, so ``cpt[:, i, j]`` is the column for parent 1 in its i-th state and
parent 2 in its j-th; every column sums to 1. ``build`` is only called on parameters that
``check`` passed. Adding a method is adding a module and one line in :data:`METHODS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import Problem
from . import noisy_max, ranked, table, weighted_sum

__all__ = ["METHODS", "NodeContext", "ParentInfo", "build_cpt", "check_cpt"]

METHODS: dict[str, ModuleType] = {
    "table": table,
    "ranked": ranked,
    "weighted_sum": weighted_sum,
    "noisy_max": noisy_max,
}


@dataclass(frozen=True)
class ParentInfo:
    """A parent as a CPT method sees it."""

    id: str
    states: tuple[str, ...]
    ordered: bool = True


@dataclass(frozen=True)
class NodeContext:
    """What a CPT method needs to know about the node it makes a table for.

    ``where`` is the location prefix for problems, e.g. ``"model.yaml: node 'threats', cpt"``.
    """

    id: str
    states: tuple[str, ...]
    parents: tuple[ParentInfo, ...]
    ordered: bool = True
    where: str = ""

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.states), *(len(p.states) for p in self.parents))

    def at(self, field: str) -> str:
        """The location of ``field`` of this node's CPT, for a :class:`Problem`."""
        return f"{self.where}.{field}" if self.where else field


def check_cpt(method: str, params: Mapping[str, Any], node: NodeContext) -> list[Problem]:
    """Check ``params`` for ``method``; an unknown method is itself a problem."""
    module = METHODS.get(method)
    if module is None:
        allowed = ", ".join(sorted(METHODS))
        return [Problem(node.at("method"), f"unknown CPT method {method!r}; allowed: {allowed}")]
    problems: list[Problem] = module.check(params, node)
    return problems


def build_cpt(method: str, params: Mapping[str, Any], node: NodeContext) -> np.ndarray:
    """Build the CPT of ``node`` with ``method`` (parameters already checked)."""
    cpt = np.asarray(METHODS[method].build(params, node), dtype=float)
    return cpt
