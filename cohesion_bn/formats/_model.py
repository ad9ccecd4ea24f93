"""The format-neutral picture of a network that every reader builds and every writer reads.

A reader turns a file into a list of :class:`NodeSpec` (ids, states, parents, a table with
the node's own state varying fastest) and hands it to :func:`build_network`, which checks
everything a pgmpy network needs, turns each check that fails into a
:class:`~cohesion_bn.errors.FormatError` naming the file, the node and the construct,
normalises columns within :data:`SUM_TOLERANCE` exactly, and builds the
:class:`pgmpy.models.DiscreteBayesianNetwork`. A writer calls :func:`nodes_of` to get the
same picture back from a network, in a topological order.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from pgmpy.factors.discrete import TabularCPD
from pgmpy.models import DiscreteBayesianNetwork

from ..errors import FormatError

__all__ = [
    "CAUTION",
    "SUM_TOLERANCE",
    "NodeSpec",
    "build_network",
    "column_name",
    "fail",
    "labels_of",
    "nodes_of",
    "numbers",
    "topological",
]

#: How far (absolute) a column of a file's table may sum away from 1 and still be read as
#: a distribution (then normalised exactly). Files print numbers with few digits (Netica 6-7
#: significant digits, Hugin's own exports often 4-6), so this is looser than the YAML
#: model format's tolerance; anything further off is refused, or, with ``normalize=True``,
#: normalised with a warning per column.
SUM_TOLERANCE = 1e-4
_EXACT = 1e-12

#: A reader's note that starts with this is also a warning: :func:`read_network` warns it
#: (one :func:`warnings.warn` each) and keeps it, without the prefix, among the notes.
CAUTION = "caution: "


def fail(
    source: str, message: str, *, node: str | None = None, construct: str | None = None
) -> FormatError:
    """Return (not raise) a :class:`FormatError` whose message reads
    ``"<file>: node 'X': <construct>: <message>"`` with the parts that are known."""
    parts = [source]
    if node is not None:
        parts.append(f"node {node!r}")
    if construct is not None:
        parts.append(construct)
    return FormatError(": ".join(parts) + ": " + message)


@dataclass
class NodeSpec:
    """One chance node as a file describes it.

    ``values`` has shape ``(*parent cardinalities, number of states)``: the first parent
    varies slowest and the node's own state fastest, the order BIF, XDSL, Hugin, Netica and
    UAI all list a table in.
    """

    id: str
    states: list[str]
    parents: list[str]
    values: np.ndarray
    label: str | None = None
    construct: str = "table"
    properties: dict[str, str] = field(default_factory=dict)


def column_name(
    parents: Sequence[str], parent_states: Sequence[Sequence[str]], index: Sequence[int]
) -> str:
    """``"column (A=a1, B=b2)"`` for one parent configuration, ``"the table"`` for a root."""
    if not parents:
        return "the table"
    given = ", ".join(f"{p}={s[i]}" for p, s, i in zip(parents, parent_states, index, strict=True))
    return f"column ({given})"


def topological(nodes: Sequence[NodeSpec]) -> list[NodeSpec]:
    """``nodes`` in a topological order, keeping the given order where it is free."""
    by_id = {n.id: n for n in nodes}
    graph = nx.DiGraph()
    graph.add_nodes_from(by_id)
    graph.add_edges_from((p, n.id) for n in nodes for p in n.parents)
    order = list(by_id)
    position = {name: i for i, name in enumerate(order)}
    result = nx.lexicographical_topological_sort(graph, key=lambda name: position[name])
    return [by_id[name] for name in result]


def _check_structure(nodes: Sequence[NodeSpec], source: str) -> None:
    seen: set[str] = set()
    for node in nodes:
        if not node.id or not node.id.strip():
            raise fail(source, "a node has an empty name", construct="node")
        if node.id in seen:
            raise fail(source, "defined more than once", node=node.id, construct="node")
        seen.add(node.id)
    for node in nodes:
        if len(node.states) < 2:
            raise fail(
                source,
                f"has {len(node.states)} state(s); a chance node needs at least two",
                node=node.id,
                construct="states",
            )
        dup = sorted({s for s in node.states if node.states.count(s) > 1})
        if dup:
            raise fail(
                source,
                f"state(s) {', '.join(map(repr, dup))} appear twice",
                node=node.id,
                construct="states",
            )
        if len(set(node.parents)) != len(node.parents):
            raise fail(source, "a parent is listed twice", node=node.id, construct="parents")
        for parent in node.parents:
            if parent not in seen:
                raise fail(
                    source,
                    f"parent {parent!r} is not a node of the network",
                    node=node.id,
                    construct="parents",
                )
            if parent == node.id:
                raise fail(source, "is its own parent", node=node.id, construct="parents")
    graph = nx.DiGraph()
    graph.add_edges_from((p, n.id) for n in nodes for p in n.parents)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    path = " -> ".join([edge[0] for edge in cycle] + [cycle[0][0]])
    raise fail(source, f"the parents form a cycle: {path}", node=cycle[0][0], construct="parents")


def _checked_values(
    node: NodeSpec, states: Mapping[str, list[str]], source: str, *, normalize: bool
) -> np.ndarray:
    cards = [len(states[p]) for p in node.parents]
    shape = (*cards, len(node.states))
    values = np.asarray(node.values, dtype=float)
    if values.size == 0:
        raise fail(source, "the table is empty", node=node.id, construct=node.construct)
    if values.size != math.prod(shape):
        raise fail(
            source,
            f"has {values.size} numbers; {len(node.states)} states x "
            f"{math.prod(cards)} parent configuration(s) need {math.prod(shape)}",
            node=node.id,
            construct=node.construct,
        )
    values = values.reshape(shape).copy()
    if not np.all(np.isfinite(values)):
        raise fail(
            source, "has a number that is not finite", node=node.id, construct=node.construct
        )
    parent_states = [states[p] for p in node.parents]
    for index in itertools.product(*(range(c) for c in cards)):
        col = values[index]
        where = column_name(node.parents, parent_states, index)
        if np.any(col < 0):
            raise fail(
                source,
                f"{where} has a negative probability",
                node=node.id,
                construct=node.construct,
            )
        total = float(col.sum())
        if abs(total - 1.0) <= _EXACT:
            continue  # rounding noise of the last bit: keep the file's numbers as they are
        if abs(total - 1.0) <= SUM_TOLERANCE:
            values[index] = col / total
            continue
        if not normalize:
            raise fail(
                source,
                f"{where} sums to {total:.6g}, not 1 (--normalize, or normalize=True in "
                "Python, rescales it)",
                node=node.id,
                construct=node.construct,
            )
        if total > 0:
            values[index] = col / total
            what = "rescaled to sum to 1"
        else:
            values[index] = 1.0 / len(node.states)
            what = "all zero, replaced by a uniform distribution"
        warnings.warn(
            f"{source}: node {node.id!r}: {where} summed to {total:.6g}; {what}",
            stacklevel=4,
        )
    return values


def build_network(
    nodes: Sequence[NodeSpec], *, source: str, normalize: bool = False, name: str | None = None
) -> DiscreteBayesianNetwork:
    """Check ``nodes`` and build the pgmpy network (``check_model()`` passes on it)."""
    if not nodes:
        raise fail(source, "the file defines no nodes")
    _check_structure(nodes, source)
    states = {n.id: list(n.states) for n in nodes}
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(n.id for n in nodes)
    model.add_edges_from((p, n.id) for n in nodes for p in n.parents)
    if name:
        model.name = name
    cpds = []
    for node in nodes:
        values = _checked_values(node, states, source, normalize=normalize)
        k = len(node.states)
        cpds.append(
            TabularCPD(
                node.id,
                k,
                values.reshape(-1, k).T,
                evidence=list(node.parents) or None,
                evidence_card=[len(states[p]) for p in node.parents] or None,
                state_names={v: states[v] for v in [node.id, *node.parents]},
            )
        )
    model.add_cpds(*cpds)
    try:
        model.check_model()
    except ValueError as exc:  # pragma: no cover - every check above should prevent this
        raise fail(source, f"the network is not valid: {exc}") from None
    return model


def nodes_of(
    network: DiscreteBayesianNetwork,
    *,
    labels: Mapping[str, str] | None = None,
    target: str = "file",
) -> list[NodeSpec]:
    """The network's nodes as :class:`NodeSpec`, in a topological order (for writers)."""
    if not isinstance(network, DiscreteBayesianNetwork):
        raise FormatError(
            f"{target}: can only write a pgmpy DiscreteBayesianNetwork, "
            f"not {type(network).__name__}"
        )
    try:
        network.check_model()
    except ValueError as exc:
        raise FormatError(
            f"{target}: the network is not valid, so it is not written: {exc}"
        ) from None
    labels = labels or {}
    specs = []
    position = {name: i for i, name in enumerate(network.nodes())}
    for name in nx.lexicographical_topological_sort(network, key=lambda n: position[n]):
        cpd = network.get_cpds(name)
        if cpd is None:
            raise FormatError(f"{target}: node {name!r} has no table")
        parents = [str(p) for p in cpd.variables[1:]]
        k = int(cpd.variable_card)
        cards = [int(c) for c in cpd.cardinality[1:]]
        values = np.asarray(cpd.get_values(), dtype=float).T.reshape(*cards, k)
        specs.append(
            NodeSpec(
                id=str(name),
                states=[str(s) for s in cpd.state_names[name]],
                parents=parents,
                values=values,
                label=labels.get(str(name)),
            )
        )
    return specs


def labels_of(nodes: Iterable[NodeSpec]) -> dict[str, str]:
    """node id -> display name, for the nodes that have one."""
    return {n.id: n.label for n in nodes if n.label and n.label != n.id}


def numbers(texts: Iterable[str], *, source: str, node: str, construct: str) -> np.ndarray:
    """Parse ``texts`` as floats, naming the node and construct of the first bad one."""
    out = []
    for text in texts:
        try:
            out.append(float(text))
        except ValueError:
            raise fail(
                source, f"{text!r} is not a number", node=node, construct=construct
            ) from None
    return np.asarray(out, dtype=float)
