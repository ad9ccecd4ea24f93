"""Parametric and deterministic nodes expanded to full conditional tables.

Every function returns a flat table in the order all readers use: the node's own state
fastest, then the last parent, the first parent slowest.

Noisy-MAX, as GeNIe and SMILE store it (``<noisymax>`` in .xdsl, ``TYPE = NOISY_MAX`` in
.dsl), is expanded; the semantics, with their sources:

* The stored numbers are SMILE's "CI weights" in **Díez's parameterisation** (Díez 1993,
  "Parameter adjustment in Bayes networks. The generalized noisy OR-gate", UAI), not
  Henrion's (Henrion 1989, "Some practical issues in constructing belief networks"). SMILE's
  public header ``defnoisymax.h`` says so: "As native parametrization we use weight[i] =
  P(Y|Xi), called 'Diez' ... We DON'T use P(Y|~X1,...,Xi,...,Xn)"; the Henrion form is
  only offered through conversion functions (``GetHenrionProbabilities``). The SMILE
  reference manual (http://genie.sis.pitt.edu/wiki/Reference_Manual:_DSL_noisyMAX) calls
  the first form "native" and "Diez parameters". Each column is the distribution of the
  effect produced by that one cause in that state *alone*, the leak excluded.
* Layout (SMILE manual, "Canonical nodes > Noisy-MAX",
  https://support.bayesfusion.com/docs/SMILE/noisy-max.html): one column per parent state
  for each parent in turn, then one **leak** column, each column the child's states; "the
  last column for each of the parents is constrained to contain zero probabilities in all
  but its last element". So a parent's last column (in strength order) is its
  distinguished (absent) state, and the child's **last** state is its distinguished
  (absent) state: child states run from the most to the least severe, and MAX picks the
  most severe, i.e. the *smallest* state index.
* ``strengths`` lists, for each parent in turn, SMILE's ``parentOutcomeStrengths`` array:
  position ``j`` holds the parent state whose column is ``j`` in that parent's block
  (``GetOutcomeOfStrength(parent, j)`` returns ``strengths[parent][j]`` in the header; "A
  Noisy-MAX CI table always follows the order of strengths").
* The expansion is Díez's: with the survival function ``S_c(k) = P(index >= k)`` of each
  column ``c``, ``P(Y index >= k | x) = S_leak(k) * prod_i S_{i, x_i}(k)`` and
  ``P(Y = k | x) = S(k) - S(k + 1)``. All parents distinguished gives the leak column.

Checked against a real GeNIe 2.0 pair (a ``<noisymax>`` node and the CPT GeNIe wrote for
it, in a public repository without a licence, so not copied into the test corpus): the
formula above reproduces every number of that CPT; the test suite repeats the check on a
hand-worked example. A third-party converter that cumulates from the *first* child state
(``P(Y <= k)``) gets every column with a distinguished parent wrong: such a parent's
``(0, ..., 0, 1)`` column would force the last state.

Noisy-adder (``<noisyadder>``, ``TYPE = NOISY_ADDER``) is still refused. What the primary
sources say: the GeNIe manual ("Noisy-Adder model",
https://support.bayesfusion.com/docs/GeNIe/components_noisyadder.html) and the SMILE manual
("Noisy-Adder", https://support.bayesfusion.com/docs/SMILE/noisy-adder.html) describe it
only as "the average of probabilities of the effect given each of the causes in
separation", the leak taking part and each cause weighted, with a distinguished state for
the node and for each parent, and two functions, "average" and "single fault"; both point
to Zagorecki's 2010 dissertation (section 5.3.1, "Non-decomposable Noisy-average") for the
model. SMILE's public header ``defnoisyadder.h`` (class ``DSL_noisyAdder``) confirms the
stored data (``dState``, ``dParentStates``, ``parentWeights``, ``enum Function
{fun_average, fun_single_fault}``) but declares ``CiToCptAverage`` and
``CiToCptSingleFault`` without their formulas. None of them says how a parent in its
distinguished state enters the weighted average (dropped, or counted with its
``(0, ..., 1, ..., 0)`` column), how the weights are normalised, or what "single fault"
computes, and no public file pairs a ``<noisyadder>`` node with the CPT GeNIe computed for
it, so there is nothing to check a guess against. The refusal says so and tells the user
to convert the node to a CPT in GeNIe (:data:`NOISY_ADDER_REFUSAL`).
BIF ``property function max`` (noisy-MAX as partial rows) is refused as well; see
:func:`expand_bif_function_max`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

import numpy as np

from ._model import SUM_TOLERANCE, fail

__all__ = [
    "BIF_FUNCTION_MAX_REFUSAL",
    "NOISY_ADDER_REFUSAL",
    "deterministic_table",
    "expand_bif_function_max",
    "noisy_adder_table",
    "noisy_max_table",
]

#: why a GeNIe noisy-adder node is refused, and what the user can do (.xdsl and .dsl alike)
NOISY_ADDER_REFUSAL = (
    "is a GeNIe noisy-adder node (a canonical model whose table GeNIe derives from "
    "per-cause distributions, parent weights and distinguished states, as an 'average' or "
    "a 'single fault' function); it is not expanded because neither GeNIe's manual nor "
    "SMILE's public header says how the weights, the leak and parents in their "
    "distinguished state enter that table, and a guessed table would give wrong answers "
    "silently. To read this file, open it in GeNIe, change the node's type to CPT (GeNIe "
    "then computes the table itself) and save it again"
)

#: why a BIF ``property function max`` block is refused, and what the user can do
BIF_FUNCTION_MAX_REFUSAL = (
    "is a noisy-MAX node written as 'property function max' with partial rows (a leak row "
    "with all parents in state 0, then one row per parent state with the others in state "
    "0: Microsoft's 1996 DSC convention); it is not expanded because no specification "
    "says whether those rows include the leak (Henrion) or not (Diez), nor which end of "
    "the state order is the absent state, and the two readings give different tables. "
    "pgmpy and pyAgrum fill the missing rows with zeros, which is wrong as well. To read "
    "this file, give the node a full table (one row per parent configuration), for "
    "instance by re-exporting the network from the tool that built it"
)


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


def _strength_orders(
    strengths: np.ndarray,
    parent_states: Sequence[Sequence[str]],
    *,
    source: str,
    node: str,
    construct: str,
) -> list[list[int]]:
    """Split the flat ``strengths`` list into one permutation of state indices per parent."""
    sizes = [len(s) for s in parent_states]
    if len(strengths) != sum(sizes):
        raise fail(
            source,
            f"lists {len(strengths)} strengths; its parents have {sum(sizes)} states in all",
            node=node,
            construct=construct,
        )
    orders: list[list[int]] = []
    start = 0
    for size in sizes:
        block = strengths[start : start + size]
        start += size
        if not all(float(x).is_integer() for x in block) or sorted(int(x) for x in block) != list(
            range(size)
        ):
            raise fail(
                source,
                f"strengths {' '.join(f'{x:g}' for x in block)} are not an order of the "
                f"parent's {size} states (0 to {size - 1}, each once)",
                node=node,
                construct=construct,
            )
        orders.append([int(x) for x in block])
    return orders


def noisy_max_table(
    states: Sequence[str],
    parent_states: Sequence[Sequence[str]],
    *,
    strengths: np.ndarray,
    parameters: np.ndarray,
    source: str,
    node: str,
    parents: Sequence[str] = (),
    construct: str = "<noisymax>",
) -> np.ndarray:
    """GeNIe/SMILE noisy-MAX expanded to the full table (semantics in the module docstring).

    ``parameters`` holds one column of ``len(states)`` numbers per parent state, parent by
    parent in ``strengths`` order, then the leak column. Example (binary child
    ``(present, absent)``, parents ``A`` and ``B`` with states ``(on, off)``, strengths
    ``0 1 0 1``): columns A=on ``(0.8, 0.2)``, A=off ``(0, 1)``, B=on ``(0.6, 0.4)``, B=off
    ``(0, 1)``, leak ``(0.1, 0.9)`` give P(absent | on, on) = 0.2 * 0.4 * 0.9 = 0.072,
    P(absent | on, off) = 0.2 * 0.9 = 0.18, P(absent | off, on) = 0.4 * 0.9 = 0.36 and
    P(absent | off, off) = 0.9, the leak (Pearl's leaky noisy-OR).

    Refused with a :class:`~cohesion_bn.errors.FormatError`: strengths that are not an order
    of each parent's states, a wrong number of parameters, a negative parameter, a column
    that does not sum to 1 (within :data:`~cohesion_bn.formats._model.SUM_TOLERANCE`), and
    a distinguished column other than ``(0, ..., 0, 1)``, which SMILE never writes.
    """
    n = len(states)
    orders = _strength_orders(
        np.asarray(strengths, dtype=float),
        parent_states,
        source=source,
        node=node,
        construct=construct,
    )
    total = sum(len(s) for s in parent_states) + 1
    params = np.asarray(parameters, dtype=float)
    if n < 2 or params.size != n * total:
        raise fail(
            source,
            f"has {params.size} parameters; {n} states x ({total - 1} parent states + "
            f"the leak) need {n * total}",
            node=node,
            construct=construct,
        )
    columns = params.reshape(total, n)
    names = [*(parents or [f"parent {i + 1}" for i in range(len(parent_states))])]
    where: list[str] = []
    for name, pstates, order in zip(names, parent_states, orders, strict=True):
        where.extend(f"column for {name}={pstates[o]}" for o in order)
    where.append("the leak column")
    for label, col in zip(where, columns, strict=True):
        if not np.all(np.isfinite(col)) or np.any(col < 0):
            raise fail(
                source,
                f"{label} has a negative or non-finite number",
                node=node,
                construct=construct,
            )
        if abs(float(col.sum()) - 1.0) > SUM_TOLERANCE:
            raise fail(
                source,
                f"{label} sums to {float(col.sum()):.6g}, not 1",
                node=node,
                construct=construct,
            )
    columns = columns / columns.sum(axis=1, keepdims=True)
    # survival[c, k] = P(index >= k) under column c, for k = 0..n (survival[:, n] = 0)
    survival = np.zeros((total, n + 1))
    survival[:, :n] = np.cumsum(columns[:, ::-1], axis=1)[:, ::-1]
    survival[:, 0] = 1.0
    per_parent: list[np.ndarray] = []
    start = 0
    unit = np.zeros(n)
    unit[-1] = 1.0
    for name, pstates, order in zip(names, parent_states, orders, strict=True):
        last = columns[start + len(order) - 1]
        if np.max(np.abs(last - unit)) > SUM_TOLERANCE:
            raise fail(
                source,
                f"the column for {name}={pstates[order[-1]]} (its distinguished state) is "
                f"{' '.join(f'{x:g}' for x in last)}, not 0 ... 0 1",
                node=node,
                construct=construct,
            )
        block = np.empty((len(order), n + 1))
        for position, state in enumerate(order):
            block[state] = survival[start + position]
        per_parent.append(block)
        start += len(order)
    leak = survival[-1]
    table = np.empty((math.prod(len(s) for s in parent_states), n))
    for row, config in enumerate(itertools.product(*(range(len(s)) for s in parent_states))):
        surv = leak.copy()
        for block, state in zip(per_parent, config, strict=True):
            surv = surv * block[state]
        table[row] = np.maximum(surv[:n] - surv[1:], 0.0)
    return table.ravel()


def noisy_adder_table(
    states: Sequence[str],
    parent_states: Sequence[Sequence[str]],
    *,
    source: str,
    node: str,
    construct: str = "<noisyadder>",
) -> np.ndarray:
    """Refused (see the module docstring and :data:`NOISY_ADDER_REFUSAL`)."""
    raise fail(source, NOISY_ADDER_REFUSAL, node=node, construct=construct)


def expand_bif_function_max(
    text: str, *, source: str
) -> tuple[str, dict[str, np.ndarray], list[str]]:
    """Refuse ``property function max`` in BIF.

    The construct comes from Microsoft Research's DSC interchange proposal (1996; the
    CARPO network, ``network DXPNetwork``, still carries it): a probability block with
    ``function max`` lists a "Leak term" row (all parents in state 0) and one row per
    parent state with the other parents in state 0. The documents looked at: Microsoft
    Research's "Proposal for a Bayesian Network Interchange Format" (Decision Theory
    Group, version 0.2, 8/28/96; only mirrored now, e.g. wiki.preterhuman.net), Cozman's
    "Interchange Format for Bayesian Networks" (BIF 0.15,
    http://sites.poli.usp.br/p/fabio.cozman/Research/InterchangeFormat/), and the readers
    of pgmpy and pyAgrum. BIF 0.15 does not define ``function``, and no document we could
    read says whether those rows are Henrion's parameters (the effect
    observed with that cause and the leak) or Díez's (that cause alone), nor which end of
    the state order is the distinguished one. carpo.bif itself decides nothing: under
    Henrion's reading with state 0 as the absent state, node N5's rows are inconsistent
    (P(N5=0) rises from 0.25 to 0.5 when a cause is added), under the reverse order N9's
    are. pgmpy 1.1.2 reads the partial rows as a full table with zeros elsewhere (columns
    sum to 0) and pyAgrum 3.3.1 does the same, so neither is a reference. A wrong
    expansion being worse than none, such a node is refused by name.
    """
    match = re.search(r"variable\s+([^\s{]+)\s*\{[^}]*property\s+function\s*=?\s*max", text)
    if match is None:
        match = re.search(r"probability\s*\(\s*([^\s|)]+)[^{]*\{[^}]*function\s*=?\s*max", text)
    if match is not None:
        raise fail(
            source,
            BIF_FUNCTION_MAX_REFUSAL,
            node=match.group(1),
            construct="property function max",
        )
    return text, {}, []
