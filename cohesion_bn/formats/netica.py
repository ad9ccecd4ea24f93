"""Netica ``.dne`` files (Netica's text format): our reader and writer.

pgmpy has no reader or writer for this format. The grammar, from Norsys' "Netica API
Programmer's Library Reference Manual" (section "DNET file format",
https://www.norsys.com/onLineAPIManual/index.html) and the files Netica writes::

    // ~->[DNET-1]->~
    bnet NetName {
        autoupdate = TRUE;  ... other attributes and blocks (visual, NodeSet) ...
        node NodeName {
            kind = NATURE;              (DECISION, UTILITY, CONSTANT are refused)
            discrete = TRUE;            (FALSE: continuous, read only if discretised
                                         with levels, its states being the intervals)
            chance = CHANCE;            (DETERMIN: deterministic, see functable)
            states = (s1, s2);
            parents = (P1, P2);
            probs = (((p, p), (p, p)), ...);   (node's state fastest, first parent slowest)
            functable = (s1, s2, ...);          (deterministic: a state per parent config)
            title = "Display name";
            ... other attributes (numcases, belief, visual, whenchanged, ...) ...
            };
        };

``//`` and ``/* */`` are comments; the nesting of ``probs`` is for reading only. Node
names are identifiers of at most 30 letters, digits and ``_``, starting with a letter.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

import numpy as np
from pgmpy.models import DiscreteBayesianNetwork

from ..errors import FormatError
from ._blocks import Assign, Named, flat_atoms, parse_items
from ._model import NodeSpec, fail, nodes_of, numbers
from ._noisy import deterministic_table
from ._text import tokenize

__all__ = ["parse_dne", "write_dne"]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,29}$")
_REFUSED = {
    "DECISION": "a decision node",
    "UTILITY": "a utility node",
    "CONSTANT": "a constant node",
    "DISCONNECTED": "a disconnected node",
}


def _words(item: Assign | None) -> list[str]:
    return [a.text for a in flat_atoms(item.value) if a.text != "|"] if item is not None else []


def _word(item: Assign | None) -> str | None:
    words = _words(item)
    return words[0] if words else None


def _node(item: Named, source: str) -> tuple[NodeSpec, list[str] | None]:
    words = item.words()
    if len(words) < 2:
        raise fail(source, f"line {item.line}: a node without a name", construct="node")
    nid = words[1]
    body = item.body
    kind = (_word(body.get("kind")) or "NATURE").upper()
    if kind in _REFUSED:
        raise fail(
            source,
            f"is {_REFUSED[kind]}; only nature (chance) nodes can be represented",
            node=nid,
            construct=f"kind = {kind}",
        )
    states = _words(body.get("states"))
    discrete = (_word(body.get("discrete")) or "TRUE").upper() == "TRUE"
    if not discrete:
        levels = _words(body.get("levels"))
        if len(levels) < 2:
            raise fail(
                source,
                "is a continuous node that is not discretised (no levels)",
                node=nid,
                construct="discrete = FALSE",
            )
        if not states:
            states = [f"{lo}_to_{hi}" for lo, hi in itertools.pairwise(levels)]
    parents = _words(body.get("parents"))
    probs = body.get("probs")
    functable = body.get("functable")
    if probs is not None:
        values = numbers(
            [a.text for a in flat_atoms(probs.value)], source=source, node=nid, construct="probs"
        )
        return NodeSpec(
            nid, states, parents, values, label=_word(body.get("title")), construct="probs"
        ), None
    if functable is not None:
        spec = NodeSpec(
            nid, states, parents, np.zeros(0), label=_word(body.get("title")), construct="functable"
        )
        return spec, _words(functable)
    if body.get("equation") is not None:
        raise fail(
            source,
            "is defined only by an equation; convert it to a table in Netica and save again",
            node=nid,
            construct="equation",
        )
    raise fail(source, "has no probs (table)", node=nid, construct="probs")


def parse_dne(text: str, *, source: str) -> tuple[list[NodeSpec], list[str], str | None]:
    """Parse Netica ``.dne`` text into node specs (labels from each node's ``title``)."""
    top = parse_items(tokenize(text, source=source), source)
    nets = [n for n in top.named() if n.words()[:1] == ["bnet"]]
    if len(nets) != 1:
        raise fail(source, "is not a Netica .dne file (expected one 'bnet Name { ... }')")
    net = nets[0]
    words = net.words()
    specs: list[NodeSpec] = []
    functables: dict[str, list[str]] = {}
    for item in net.body.named():
        if item.words()[:1] != ["node"]:
            continue
        spec, functable = _node(item, source)
        specs.append(spec)
        if functable is not None:
            functables[spec.id] = functable
    states_of = {s.id: s.states for s in specs}
    for spec in specs:
        if spec.id in functables:
            for p in spec.parents:
                if p not in states_of:
                    raise fail(
                        source, f"parent {p!r} is not a node", node=spec.id, construct="parents"
                    )
            spec.values = deterministic_table(
                functables[spec.id],
                spec.states,
                [states_of[p] for p in spec.parents],
                source=source,
                node=spec.id,
                construct="functable",
            )
    return specs, [], words[1] if len(words) > 1 else None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _nested(values: np.ndarray, indent: str) -> str:
    if values.ndim == 1:
        return "(" + ", ".join(repr(float(v)) for v in values) + ")"
    inner = (",\n" + indent + " ").join(_nested(sub, indent + " ") for sub in values)
    return "(" + inner + ")"


def write_dne(network: DiscreteBayesianNetwork, *, labels: Mapping[str, str], target: str) -> str:
    """The network as Netica ``.dne`` text: nodes in a topological order, exact numbers."""
    specs = nodes_of(network, labels=labels, target=target)
    for spec in specs:
        if not _ID.match(spec.id):
            raise FormatError(
                f"{target}: node {spec.id!r}: a Netica name must be 1-30 letters, digits and "
                "'_', starting with a letter"
            )
        for state in spec.states:
            if not _ID.match(state):
                raise FormatError(
                    f"{target}: node {spec.id!r}: state {state!r}: a Netica state name must be "
                    "1-30 letters, digits and '_', starting with a letter"
                )
    name = str(network.name) if getattr(network, "name", None) else "Network"
    if not _ID.match(name):
        name = "Network"
    out = ["// ~->[DNET-1]->~", "", f"bnet {name} {{", "autoupdate = TRUE;"]
    for spec in specs:
        lines = [
            "",
            f"node {spec.id} {{",
            "\tkind = NATURE;",
            "\tdiscrete = TRUE;",
            "\tchance = CHANCE;",
            f"\tstates = ({', '.join(spec.states)});",
            f"\tparents = ({', '.join(spec.parents)});",
            f"\tprobs = \n\t\t// {'  '.join(spec.states)}"
            + (f"    // {'  '.join(spec.parents)}" if spec.parents else ""),
            f"\t\t{_nested(np.asarray(spec.values, dtype=float), chr(9) * 2)};",
        ]
        if spec.label:
            lines.append(f"\ttitle = {_quote(spec.label)};")
        lines.append("\t};")
        out.extend(lines)
    out.append("};\n")
    return "\n".join(out)
