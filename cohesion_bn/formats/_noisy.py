"""Parametric and deterministic nodes expanded to full conditional tables.

Every function returns a flat table in the order all readers use: the node's own state
fastest, then the last parent, the first parent slowest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ._model import fail

__all__ = ["deterministic_table", "expand_bif_function_max", "noisy_adder_table", "noisy_max_table"]


def deterministic_table(
    result: Sequence[str],
    states: Sequence[str],
    parent_states: Sequence[Sequence[str]],
    *,
    source: str,
    node: str,
    construct: str = "<resultingstates>",
) -> np.ndarray:
    """A deterministic (truth-table) node: ``result`` names the node's state for each
    parent configuration; the table puts probability 1 on it."""
    configs = math.prod(len(s) for s in parent_states)
    if len(result) != configs:
        raise fail(
            source,
            f"lists {len(result)} resulting states; its parents have {configs} configurations",
            node=node,
            construct=construct,
        )
    table = np.zeros((configs, len(states)))
    index = {s: i for i, s in enumerate(states)}
    for row, name in enumerate(result):
        if name not in index:
            raise fail(
                source,
                f"resulting state {name!r} is not one of its states ({', '.join(states)})",
                node=node,
                construct=construct,
            )
        table[row, index[name]] = 1.0
    return table.ravel()


def noisy_max_table(
    states: Sequence[str],
    parent_states: Sequence[Sequence[str]],
    *,
    strengths: np.ndarray,
    parameters: np.ndarray,
    source: str,
    node: str,
) -> np.ndarray:
    """Not expanded yet: refused with a message that says how to get a readable file."""
    raise fail(
        source,
        "is a noisy-MAX node, which cannot be read yet; in GeNIe, change the node's "
        "definition to a CPT (Node Properties > Definition) and save again",
        node=node,
        construct="<noisymax>",
    )


def noisy_adder_table(
    states: Sequence[str],
    parent_states: Sequence[Sequence[str]],
    *,
    dstates: np.ndarray,
    weights: np.ndarray,
    parameters: np.ndarray,
    source: str,
    node: str,
) -> np.ndarray:
    """Not expanded yet: refused with a message that says how to get a readable file."""
    raise fail(
        source,
        "is a noisy-adder node, which cannot be read yet; in GeNIe, change the node's "
        "definition to a CPT and save again",
        node=node,
        construct="<noisyadder>",
    )


def expand_bif_function_max(
    text: str, *, source: str
) -> tuple[str, dict[str, np.ndarray], list[str]]:
    """Refuse ``property function max`` (noisy-MAX as partial tables) until it is
    expanded: pgmpy would read its partial tables as if they were full ones."""
    match = re.search(r"variable\s+([^\s{]+)\s*\{[^}]*property\s+function\s*=?\s*max", text)
    if match is None:
        match = re.search(r"probability\s*\(\s*([^\s|)]+)[^{]*\{[^}]*function\s*=?\s*max", text)
    if match is not None:
        raise fail(
            source,
            "is a noisy-MAX node ('function max'), which cannot be read yet",
            node=match.group(1),
            construct="property function max",
        )
    return text, {}, []
