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

GeNIe **noisy-adder** (``<noisyadder>`` in .xdsl) with the "average" function is expanded
by the rule GeNIe's manual states ("Noisy-Adder model",
https://support.bayesfusion.com/docs/GeNIe/components_noisyadder.html): the table "takes the
average of probabilities of the effect given each of the causes in separation", "the leak
node (and the leak probability) also take part in this calculation" and "each of the nodes
is taken with the weight specified". With parent weights ``w_i``, leak weight ``w_L``, the
stored column ``theta_{i, x_i}`` for parent ``i`` in state ``x_i`` and the leak column
``theta_L``::

    P(Y | x) = (sum_i w_i theta_{i, x_i} + w_L theta_L) / (sum_i w_i + w_L)

Layout, from the SMILE manual ("Noisy-Adder", https://support.bayesfusion.com/docs/SMILE/
noisy-adder.html, whose example indexes parent 2's block at ``2 * 3``): one column per
parent state, in the parent's own state order, parent by parent, then the leak column;
``<weights>`` lists the parents' weights then the leak's. Every parent takes part with the
column of its current state, its distinguished state included (that column is the one GeNIe
constrains; ``<dstates>`` only marks which it is, so the formula does not read it). Two
limits, said on every load: GeNIe publishes no formula beyond that sentence and no public
file pairs a noisy-adder with the table GeNIe computed for it, so the expansion is checked
against the manual's rule (hand-worked example in the tests), not against GeNIe itself;
and the "single fault" function, which the manual names without defining, is refused, as is
a noisy-adder in the older .dsl text format, whose grammar for it is documented nowhere
(save the network as .xdsl).

BIF ``property function max`` blocks (Microsoft's 1996 DSC convention, still in the CARPO
network) are expanded as well; see :func:`expand_bif_function_max`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

import numpy as np

from ..errors import FormatError
from ._bif_text import FUNCTION_MAX, ROW, probability_blocks, strip_comments, variables
from ._model import CAUTION, SUM_TOLERANCE, fail

__all__ = [
    "DSL_NOISY_ADDER_REFUSAL",
    "NOISY_ADDER_NOTE",
    "deterministic_table",
    "expand_bif_function_max",
    "noisy_adder_table",
    "noisy_max_table",
]

#: why a noisy-adder in a .dsl file is refused, and what the user can do
DSL_NOISY_ADDER_REFUSAL = (
    "is a GeNIe noisy-adder node in the older .dsl text format, whose grammar for "
    "noisy-adder parameters is documented nowhere, so its numbers cannot be read with "
    "confidence. Open the file in GeNIe and save it as .xdsl (read here, noisy-adder "
    "included), or change the node's type to CPT and save again"
)

#: said on every load of a noisy-adder: what was done and how far it is checked
NOISY_ADDER_NOTE = (
    "GeNIe noisy-adder expanded to a full table as the weighted average of its parents' "
    "columns and the leak, the rule GeNIe's manual states; GeNIe publishes no formula "
    "beyond it, so compare with the table GeNIe shows for this node before relying on it"
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


def _checked_columns(
    columns: np.ndarray, where: Sequence[str], *, source: str, node: str, construct: str
) -> np.ndarray:
    """The parameter columns (one distribution of the child per row), each checked to be
    non-negative and to sum to 1 within :data:`SUM_TOLERANCE` (naming the column), then
    normalised exactly."""
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
    return columns / columns.sum(axis=1, keepdims=True)


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
    columns = _checked_columns(columns, where, source=source, node=node, construct=construct)
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
    weights: np.ndarray,
    parameters: np.ndarray,
    source: str,
    node: str,
    parents: Sequence[str] = (),
    construct: str = "<noisyadder>",
) -> np.ndarray:
    """GeNIe noisy-adder ("average" function) expanded to the full table.

    ``P(Y | x) = (sum_i w_i theta_{i, x_i} + w_L theta_L) / (sum_i w_i + w_L)``, with the
    layout and sources in the module docstring. Known answer (binary child ``(x, y)``,
    parents ``A (a1, a2)`` and ``B (b1, b2)``, weights ``A 2, B 1, leak 1``; columns
    ``A=a1 (0.9, 0.1)``, ``A=a2 (0.2, 0.8)``, ``B=b1 (0.5, 0.5)``, ``B=b2 (0, 1)``, leak
    ``(1, 0)``): ``P(x | a1, b1) = (2 * 0.9 + 0.5 + 1) / 4 = 0.825``,
    ``P(x | a1, b2) = (1.8 + 0 + 1) / 4 = 0.7``, ``P(x | a2, b1) = (0.4 + 0.5 + 1) / 4 =
    0.475``, ``P(x | a2, b2) = (0.4 + 0 + 1) / 4 = 0.35``.

    Refused with a :class:`~cohesion_bn.errors.FormatError`: a wrong number of parameters or
    weights, a negative or non-finite number, a column that does not sum to 1 (within
    :data:`~cohesion_bn.formats._model.SUM_TOLERANCE`), weights that sum to 0.
    """
    n = len(states)
    sizes = [len(s) for s in parent_states]
    total = sum(sizes) + 1
    params = np.asarray(parameters, dtype=float)
    if n < 2 or params.size != n * total:
        raise fail(
            source,
            f"has {params.size} parameters; {n} states x ({total - 1} parent states + "
            f"the leak) need {n * total}",
            node=node,
            construct=construct,
        )
    w = np.asarray(weights, dtype=float)
    names = list(parents) or [f"parent {i + 1}" for i in range(len(parent_states))]
    if w.size != len(sizes) + 1:
        raise fail(
            source,
            f"has {w.size} weights; {len(sizes)} parents and the leak need {len(sizes) + 1}",
            node=node,
            construct="<weights>",
        )
    for label, x in zip([*names, "the leak"], w, strict=True):
        if not math.isfinite(float(x)) or x < 0:
            raise fail(
                source,
                f"the weight of {label} is {float(x):g}; weights are finite and >= 0",
                node=node,
                construct="<weights>",
            )
    if float(w.sum()) <= 0:
        raise fail(source, "its weights sum to 0", node=node, construct="<weights>")
    columns = params.reshape(total, n)
    where = [
        f"column for {name}={st}"
        for name, ps in zip(names, parent_states, strict=True)
        for st in ps
    ]
    where.append("the leak column")
    columns = _checked_columns(columns, where, source=source, node=node, construct=construct)
    starts = np.cumsum([0, *sizes[:-1]]).astype(int) if sizes else np.zeros(0, dtype=int)
    leak = w[-1] * columns[-1]
    table = np.empty((math.prod(sizes), n))
    for row, config in enumerate(itertools.product(*(range(k) for k in sizes))):
        acc = leak.copy()
        for i, state in enumerate(config):
            acc += w[i] * columns[starts[i] + state]
        table[row] = acc / w.sum()
    return table.ravel()


def _names(parents: list[str], cfg: Sequence[int], states: dict[str, list[str]]) -> list[str]:
    return [states[p][c] for p, c in zip(parents, cfg, strict=True)]


def _function_max_table(
    child: str,
    parents: list[str],
    body: str,
    states: dict[str, list[str]],
) -> tuple[np.ndarray | None, list[str]]:
    """One ``function max`` block: ``(table, rows against noisy-MAX)`` or ``(None,
    problems)``."""
    problems: list[str] = []
    for name in [child, *parents]:
        if name not in states:
            return None, [f"{name!r} has no variable block"]
    cstates = states[child]
    m = len(cstates)
    sizes = [len(states[p]) for p in parents]
    if re.search(r"(^|;)\s*(default|table)\b", body):
        return None, [
            "mixes a 'default' or 'table' entry with 'function max'; such a block lists "
            "only the leak row and one row per single cause"
        ]
    rows: dict[tuple[int, ...], np.ndarray] = {}
    for cfg_text, values_text in ROW.findall(body):
        cfg_names = [c.strip() for c in cfg_text.split(",")]
        label = f"row ({', '.join(cfg_names)})"
        if len(cfg_names) != len(parents):
            problems.append(f"{label} names {len(cfg_names)} states for {len(parents)} parents")
            continue
        cfg: list[int] = []
        for p, st in zip(parents, cfg_names, strict=True):
            if st not in states[p]:
                problems.append(f"{label}: {st!r} is not a state of {p}")
                break
            cfg.append(states[p].index(st))
        if len(cfg) != len(parents):
            continue
        try:
            vals = np.array([float(v) for v in values_text.replace(",", " ").split()])
        except ValueError:
            problems.append(f"{label} has a value that is not a number")
            continue
        if vals.size != m or not np.all(np.isfinite(vals)) or np.any(vals < 0):
            problems.append(f"{label} must list {m} non-negative numbers")
            continue
        if abs(float(vals.sum()) - 1.0) > SUM_TOLERANCE:
            problems.append(f"{label} sums to {float(vals.sum()):.6g}, not 1")
            continue
        if sum(1 for c in cfg if c) > 1:
            problems.append(
                f"{label} has more than one parent away from its first state; a noisy-MAX "
                "block lists only the leak row and one row per single cause"
            )
            continue
        if tuple(cfg) in rows:
            problems.append(f"{label} is listed twice")
            continue
        rows[tuple(cfg)] = vals / vals.sum()
    if problems:
        return None, problems
    zero = (0,) * len(parents)
    if zero not in rows:
        first = ", ".join(states[p][0] for p in parents)
        return None, [f"has no leak row ({first}): every parent in its first state"]
    for i, p in enumerate(parents):
        for s in range(1, sizes[i]):
            alone = tuple(s if j == i else 0 for j in range(len(parents)))
            if alone not in rows:
                names = ", ".join(_names(parents, alone, states))
                problems.append(f"has no row ({names}) for {p}={states[p][s]} alone")
    if problems:
        return None, problems
    # cumulative[k] = P(Y <= k); the last state's cumulative is 1 whatever the row
    leak = np.cumsum(rows[zero])[:-1]
    ratios: dict[tuple[int, int], np.ndarray] = {}
    against: list[str] = []
    for i in range(len(parents)):
        for s in range(1, sizes[i]):
            alone = tuple(s if j == i else 0 for j in range(len(parents)))
            cum = np.cumsum(rows[alone])[:-1]
            if np.any(cum > leak + SUM_TOLERANCE):
                against.append(", ".join(_names(parents, alone, states)))
            ratios[(i, s)] = np.where(leak > 0, cum / np.where(leak > 0, leak, 1.0), 1.0)
    table = np.empty((math.prod(sizes), m))
    for r, config in enumerate(itertools.product(*(range(k) for k in sizes))):
        if config in rows:  # the listed rows are rows of the table: kept as written
            table[r] = rows[config]
            continue
        cum = leak.copy()
        for i, s in enumerate(config):
            if s:
                cum = cum * ratios[(i, s)]
        full = np.concatenate([[0.0], cum, [1.0]])
        step = np.diff(full)
        if np.any(step < -SUM_TOLERANCE):
            k = int(np.argmin(step))
            problems.append(
                f"combining its rows for ({', '.join(_names(parents, config, states))}) "
                f"gives P({child} = {cstates[k]!r}) = {step[k]:.6g} < 0: rows ("
                + "), (".join(against)
                + ") give the child's first states more probability than the leak row, "
                "which no noisy-MAX does, and here they cannot be combined"
            )
            break
        table[r] = np.maximum(step, 0.0)
        table[r] /= table[r].sum()
    if problems:
        return None, problems
    return table.ravel(), against


def expand_bif_function_max(
    text: str, *, source: str
) -> tuple[str, dict[str, np.ndarray], list[str]]:
    """Expand the BIF probability blocks that carry ``property function max``.

    The construct is Microsoft Research's (DSC interchange proposal, 1996; the CARPO
    network still carries it): the block lists a "Leak term" row, every parent in its
    first state, and one row per state of each parent with the other parents in their
    first state. Each row is what BIF's syntax says a row is, the child's distribution
    given that parent configuration, so the rows are kept as written; they are Henrion's
    parameters (Henrion 1989, "Some practical issues in constructing belief networks":
    the effect observed with one cause present, the leak included). A parent's first state
    is its absent state (the leak row says so) and so is the child's: MAX moves the child
    towards its later states. The other rows follow Henrion's rule in cumulative form,
    with ``F_L`` the leak row's and ``F_{i, s}`` the row of parent ``i`` in state ``s``::

        P(Y <= k | x) = F_L(k) * prod_{i: x_i not first} F_{i, x_i}(k) / F_L(k)

    (Díez's parameters are the ratios ``F_{i, s} / F_L``; the tests check the expansion
    against the GeNIe noisy-MAX expansion above, itself checked against GeNIe.) Known
    answer: child ``(0, 1)``, parents ``A`` and ``B`` binary, leak ``(0.9, 0.1)``, ``A=1``
    alone ``(0.3, 0.7)``, ``B=1`` alone ``(0.6, 0.4)``: ``P(Y=0 | A=1, B=1) = 0.9 *
    (0.3/0.9) * (0.6/0.9) = 0.2`` (a leaky noisy-OR).

    A row that gives the child's first states *more* probability than the leak row (a
    cause that moves the child backwards) fits no noisy-MAX. CARPO has three such nodes
    (N5, N57, N66); a load note names their rows, and the rule still applies wherever the
    combination stays a distribution (it does in all three), while a combination that would
    give a negative probability is refused naming the configuration. Missing, duplicate or
    multi-cause rows are refused naming the row; every problem in the file is reported at
    once. pgmpy 1.1.2 and pyAgrum 3.3.1 read the partial rows as a full table
    with zeros elsewhere (columns summing to 0), so neither is a reference here.

    Returns the text unchanged, the expanded tables by child (flat, the child's state
    fastest) and one note per expanded node.
    """
    if not FUNCTION_MAX.search(text):
        return text, {}, []
    clean = strip_comments(text)
    states = variables(clean)
    tables: dict[str, np.ndarray] = {}
    notes: list[str] = []
    errors: list[str] = []
    for block in probability_blocks(clean):
        if not FUNCTION_MAX.search(block.body):
            continue
        child, parents, body = block.child, block.parents, block.body
        table, found = _function_max_table(child, parents, body, states)
        if table is None:
            errors.extend(
                str(fail(source, msg, node=child, construct="property function max"))
                for msg in found
            )
            continue
        tables[child] = table
        notes.append(
            f"node {child!r}: 'property function max' rows expanded to a full table "
            "(noisy-MAX by Henrion's rule, the listed rows kept)"
        )
        if found and len(parents) > 1:
            rows = "), (".join(found)
            notes.append(
                f"{CAUTION}node {child!r}: 'property function max' rows ({rows}) give "
                "the child's first states more probability than the leak row, which a "
                "noisy-MAX cause cannot do; its other rows follow Henrion's rule all the same"
            )
    if errors:
        raise FormatError("\n".join(errors))
    return text, tables, notes
