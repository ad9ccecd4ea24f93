"""Hugin ``.net`` files: our reader, pgmpy's writer with exact numbers and labels.

The grammar is the NET language of the Hugin API Reference Manual (chapter "The NET
Language", https://download.hugin.com/webdocs/manuals/api-manual.pdf)::

    net { attribute* }                          (or: class Name { ... } for one class)
    [discrete|continuous] [decision|utility|function] node Name { attribute* }
    potential ( Child | Parent1 Parent2 ... ) { data = ( ... ); experience = ( ... ); }
    attribute := name = value ;                 value := number | "string" | ( value* )

``%`` starts a comment that runs to the end of the line, anywhere (also inside ``data``).
A node's ``states`` is a list of strings and ``label`` its display name. ``data`` lists
the conditional table with the child's state varying fastest and the *last* parent next,
i.e. the first parent slowest (Hugin API manual, section "Potentials"). Tables may be
written nested in parentheses or flat; the nesting is ignored.

pgmpy 1.1.2's ``NETReader`` fails on files saved by Hugin itself: a ``%`` comment or an
``experience`` table inside a potential makes it read extra numbers ("cannot reshape
array"), and a non-ASCII ``label`` breaks its grammar (IndexError). Node names with
characters beyond ``[A-Za-z0-9_-]`` fail too. So this module parses the grammar itself.
Continuous, decision, utility and function nodes, object-oriented ``instance`` nodes and
tables given only as expressions (``model_data`` without ``data``) are refused with a
:class:`~cohesion_bn.errors.FormatError` naming the node.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
from pgmpy.models import DiscreteBayesianNetwork
from pgmpy.readwrite import NETWriter

from ..errors import FormatError
from ._blocks import Assign, Block, Group, Named, flat_atoms, parse_items
from ._model import NodeSpec, fail, nodes_of, numbers
from ._text import tokenize

__all__ = ["parse_net", "write_net"]

_REFUSED = {
    "continuous": "a continuous node",
    "decision": "a decision node",
    "utility": "a utility node",
    "function": "a function node",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _strings(item: Assign | None) -> list[str] | None:
    if item is None:
        return None
    return [a.text for a in flat_atoms(item.value)]


def _string(item: Assign | None) -> str | None:
    if item is None:
        return None
    atoms = flat_atoms(item.value)
    return atoms[0].text if atoms else ""


def _items(block: Block) -> list[Named]:
    """Top-level named blocks, looking inside one ``class X { ... }``."""
    out: list[Named] = []
    for item in block.named():
        words = item.words()
        if words and words[0] == "class":
            out.extend(_items(item.body))
        else:
            out.append(item)
    return out


def parse_net(text: str, *, source: str) -> tuple[list[NodeSpec], list[str], str | None]:
    """Parse a Hugin ``.net`` text into node specs (and notes, and the network's name)."""
    top = parse_items(
        tokenize(text, percent_comments=True, slash_comments=False, source=source), source
    )
    nodes: dict[str, NodeSpec] = {}
    potentials: dict[str, tuple[list[str], Block, int]] = {}
    name: str | None = None
    saw_net = False
    for item in _items(top):
        words = item.words()
        if words and words[0] == "net":
            saw_net = True
            name = _string(item.body.get("name")) or None
            continue
        if "node" in words:
            at = words.index("node")
            if at + 1 >= len(words):
                raise fail(source, f"line {item.line}: a node without a name", construct="node")
            node_id = words[at + 1]
            kinds = words[:at]
            for kind in kinds:
                if kind in _REFUSED:
                    raise fail(
                        source,
                        f"is {_REFUSED[kind]}; only discrete chance nodes can be represented",
                        node=node_id,
                        construct=f"{kind} node",
                    )
            states = _strings(item.body.get("states", case=True))
            if states is None:
                raise fail(source, "has no 'states'", node=node_id, construct="node")
            label = _string(item.body.get("label", case=True))
            nodes[node_id] = NodeSpec(
                node_id, states, [], np.zeros(0), label=label or None, construct="potential"
            )
            continue
        if words and words[0] == "instance":
            raise fail(
                source,
                "is an instance of a class (object-oriented network); save the network unfolded",
                node=words[1] if len(words) > 1 else None,
                construct="instance",
            )
        if words and words[0] == "potential":
            groups = [t for t in item.head if isinstance(t, Group)]
            if not groups:
                raise fail(
                    source,
                    f"line {item.line}: a potential without its variables",
                    construct="potential",
                )
            atoms = flat_atoms(groups[0].terms)
            texts = [a.text for a in atoms]
            bar = texts.index("|") if "|" in texts else len(texts)
            heads, parents = texts[:bar], texts[bar + 1 :]
            if len(heads) != 1:
                raise fail(
                    source,
                    f"line {item.line}: potential ({' '.join(texts)}) has "
                    f"{len(heads)} variables before '|'; a Bayesian network needs one",
                    node=heads[0] if heads else None,
                    construct="potential",
                )
            if heads[0] in potentials:
                raise fail(source, "has two potentials", node=heads[0], construct="potential")
            potentials[heads[0]] = (parents, item.body, item.line)
            continue
        raise fail(source, f"line {item.line}: unknown construct {' '.join(words)!r}")
    if not saw_net and not nodes:
        raise fail(source, "is not a Hugin .net file (no 'net { }' and no nodes)")
    for node_id, (parents, body, line) in potentials.items():
        if node_id not in nodes:
            raise fail(
                source,
                f"line {line}: a potential for an undefined node",
                node=node_id,
                construct="potential",
            )
        node = nodes[node_id]
        node.parents = parents
        data = body.get("data", case=True)
        if data is None:
            if body.get("model_nodes", case=True) or body.get("model_data", case=True):
                raise fail(
                    source,
                    "its table is given only as an expression (model_data); "
                    "save it from Hugin with the table generated",
                    node=node_id,
                    construct="potential model_data",
                )
            raise fail(source, "its potential has no 'data'", node=node_id, construct="potential")
        node.values = numbers(
            [a.text for a in flat_atoms(data.value)],
            source=source,
            node=node_id,
            construct="potential data",
        )
    for node_id in nodes:
        if node_id not in potentials:
            raise fail(source, "has no potential (table)", node=node_id, construct="potential")
    return list(nodes.values()), [], name


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nested(values: np.ndarray) -> str:
    """A table as nested parentheses of exact (shortest round-trip) numbers."""
    if values.ndim == 1:
        return "(" + " ".join(repr(float(v)) for v in values) + ")"
    return "(" + " ".join(nested(sub) for sub in values) + ")"


class _NETWriter(NETWriter):
    """pgmpy's writer with exact numbers (pgmpy rounds to 8 decimals), quoted labels as
    the only node attribute, and nodes and potentials in a topological order."""

    def __init__(self, model: DiscreteBayesianNetwork, labels: Mapping[str, str]) -> None:
        self._labels = dict(labels)
        super().__init__(model)

    def get_properties(self) -> dict[str, list[str]]:
        return {
            str(v): ([f"label = {_quote(self._labels[str(v)])}"] if str(v) in self._labels else [])
            for v in self.model.nodes()
        }

    def get_states(self) -> dict[str, list[str]]:
        return {
            var: [s.replace("\\", "\\\\").replace('"', '\\"') for s in states]
            for var, states in super().get_states().items()
        }

    def net_cpd(self, var_name: str) -> str:
        cpt = np.asarray(self.tables[var_name], dtype=float)
        return nested(np.moveaxis(cpt, 0, -1))


def write_net(network: DiscreteBayesianNetwork, *, labels: Mapping[str, str], target: str) -> str:
    """The network as Hugin ``.net`` text."""
    for spec in nodes_of(network, target=target):
        if not _NAME.match(spec.id):
            raise FormatError(
                f"{target}: node {spec.id!r}: Hugin node names must be letters, digits and '_' "
                "not starting with a digit"
            )
    text: str = str(_NETWriter(network, labels))
    return text
