"""GeNIe/SMILE ``.dsl`` files (the older text format): our reader and writer.

pgmpy has no reader or writer for this format. The grammar, as SMILE and GeNIe write it
(BayesFusion's GeNIe manual lists ``.dsl`` among its file formats,
https://support.bayesfusion.com/docs/GeNIe/saving_fileformats.html; aGrUM reads and
writes the same grammar)::

    net NetId
    {
     HEADER = { ID = NetId; NAME = "Display name"; };
     ... other network attributes (CREATION, SCREEN, ...) ...
     node NodeId
      {
       TYPE = CPT;                  (or TRUTHTABLE: deterministic, NOISY_MAX)
       HEADER = { ID = NodeId; NAME = "Display name"; };
       PARENTS = (P1, P2);
       DEFINITION =
        {
         NAMESTATES = (s1, s2);
         PROBABILITIES = (numbers);           (TYPE = CPT)
         RESULTINGSTATES = (state names);     (TYPE = TRUTHTABLE)
        };
       ... other attributes (SCREEN, EXTRA_DEFINITION, ...) ...
      };
     OBSERVATION_COST = { ... };
    };

``PROBABILITIES`` lists the node's states fastest, then the last parent, the first
parent slowest, like XDSL; ``RESULTINGSTATES`` gives the node's state for each parent
configuration in that order. A noisy-MAX node (``TYPE = NOISY_MAX``) has
``STRENGTHS = (...)`` and its ``PROBABILITIES`` are SMILE's CI weights, laid out as in
XDSL's ``<strengths>`` and ``<parameters>``; it is expanded to the full table (semantics
and sources in :mod:`cohesion_bn.formats._noisy`). ``//`` and ``/* */`` are comments.
Decision (``LIST``), utility (``TABLE``, ``MAU``) and equation nodes are refused, naming
the node, and so is a noisy-adder: its .dsl spelling is documented nowhere, while the same
node saved as .xdsl is read and expanded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pgmpy.models import DiscreteBayesianNetwork

from ..errors import FormatError
from ._blocks import Assign, Block, flat_atoms, parse_items
from ._model import NodeSpec, fail, nodes_of, numbers
from ._noisy import DSL_NOISY_ADDER_REFUSAL, deterministic_table, noisy_max_table
from ._text import tokenize

__all__ = ["parse_dsl", "write_dsl"]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REFUSED = {
    "LIST": "a decision node",
    "TABLE": "a utility node",
    "MAU": "a multi-attribute utility node",
    "EQUATION": "an equation (continuous) node",
}


_CONSTRUCT = {
    "CPT": "PROBABILITIES",
    "TRUTHTABLE": "RESULTINGSTATES",
    "NOISY_MAX": "TYPE = NOISY_MAX",
}


def _words(item: Assign | None) -> list[str]:
    return [a.text for a in flat_atoms(item.value)] if item is not None else []


def _header_name(body: Block) -> str | None:
    header = body.get("HEADER")
    if header is None:
        return None
    for term in header.value:
        if isinstance(term, Block):
            names = _words(term.get("NAME"))
            return names[0] if names else None
    return None


def parse_dsl(text: str, *, source: str) -> tuple[list[NodeSpec], list[str], str | None]:
    """Parse GeNIe ``.dsl`` text into node specs (labels from each node's HEADER NAME)."""
    top = parse_items(tokenize(text, source=source), source)
    nets = [n for n in top.named() if n.words()[:1] == ["net"]]
    if len(nets) != 1:
        raise fail(source, "is not a GeNIe .dsl file (expected one 'net Name { ... }')")
    net = nets[0]
    words = net.words()
    name = words[1] if len(words) > 1 else None
    specs: list[NodeSpec] = []
    notes: list[str] = []
    states_of: dict[str, list[str]] = {}
    for item in net.body.named():
        w = item.words()
        if w[:1] != ["node"]:
            continue
        if len(w) < 2:
            raise fail(source, f"line {item.line}: a node without an id", construct="node")
        nid = w[1]
        body = item.body
        kind = (_words(body.get("TYPE")) or ["CPT"])[0].upper()
        if kind == "NOISY_ADDER":
            raise fail(source, DSL_NOISY_ADDER_REFUSAL, node=nid, construct="TYPE = NOISY_ADDER")
        if kind in _REFUSED:
            raise fail(
                source,
                f"is {_REFUSED[kind]}; only chance nodes with tables can be represented",
                node=nid,
                construct=f"TYPE = {kind}",
            )
        if kind not in ("CPT", "TRUTHTABLE", "NOISY_MAX"):
            raise fail(
                source,
                f"has TYPE = {kind}, which cannot be represented",
                node=nid,
                construct=f"TYPE = {kind}",
            )
        parents = _words(body.get("PARENTS"))
        definition = body.get("DEFINITION")
        block = (
            next((t for t in definition.value if isinstance(t, Block)), None)
            if definition
            else None
        )
        if block is None:
            raise fail(source, "has no DEFINITION = { ... }", node=nid, construct="DEFINITION")
        states = _words(block.get("NAMESTATES"))
        for p in parents:
            if p not in states_of:
                raise fail(
                    source,
                    f"parent {p!r} is not a node defined before it",
                    node=nid,
                    construct="PARENTS",
                )
        if kind == "CPT":
            prob = block.get("PROBABILITIES")
            if prob is None:
                raise fail(source, "has no PROBABILITIES", node=nid, construct="DEFINITION")
            values = numbers(
                [a.text for a in flat_atoms(prob.value)],
                source=source,
                node=nid,
                construct="PROBABILITIES",
            )
        elif kind == "NOISY_MAX":
            prob = block.get("PROBABILITIES")
            if prob is None:
                raise fail(source, "has no PROBABILITIES", node=nid, construct="DEFINITION")
            values = noisy_max_table(
                states,
                [states_of[p] for p in parents],
                strengths=numbers(
                    _words(block.get("STRENGTHS")),
                    source=source,
                    node=nid,
                    construct="STRENGTHS",
                ),
                parameters=numbers(
                    [a.text for a in flat_atoms(prob.value)],
                    source=source,
                    node=nid,
                    construct="PROBABILITIES",
                ),
                source=source,
                node=nid,
                parents=parents,
                construct="TYPE = NOISY_MAX",
            )
            notes.append(f"node {nid!r}: noisy-MAX expanded to a full table")
        else:
            values = deterministic_table(
                _words(block.get("RESULTINGSTATES")),
                states,
                [states_of[p] for p in parents],
                source=source,
                node=nid,
                construct="RESULTINGSTATES",
            )
        states_of[nid] = states
        specs.append(
            NodeSpec(
                nid,
                states,
                parents,
                values,
                label=_header_name(body),
                construct=_CONSTRUCT[kind],
            )
        )
    return specs, notes, name


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_dsl(network: DiscreteBayesianNetwork, *, labels: Mapping[str, str], target: str) -> str:
    """The network as GeNIe ``.dsl`` text: nodes in a topological order, exact numbers."""
    specs = nodes_of(network, labels=labels, target=target)
    for spec in specs:
        if not _ID.match(spec.id):
            raise FormatError(
                f"{target}: node {spec.id!r}: a GeNIe node id must be letters, digits and '_', "
                "not starting with a digit"
            )
        for state in spec.states:
            if not _ID.match(state):
                raise FormatError(
                    f"{target}: node {spec.id!r}: state {state!r}: a GeNIe state id must be "
                    "letters, digits and '_', not starting with a digit"
                )
    name = str(network.name) if getattr(network, "name", None) else "Network"
    if not _ID.match(name):
        name = "Network"
    out = [
        f"net {name}",
        "{",
        f" HEADER =\n  {{\n   ID = {name};\n   NAME = {_quote(name)};\n  }};",
    ]
    for spec in specs:
        probs = ", ".join(repr(float(x)) for x in spec.values.ravel())
        out.append(
            f"\n node {spec.id}\n  {{\n   TYPE = CPT;\n   HEADER =\n    {{\n"
            f"     ID = {spec.id};\n     NAME = {_quote(spec.label or spec.id)};\n    }};\n"
            f"   PARENTS = ({', '.join(spec.parents)});\n   DEFINITION =\n    {{\n"
            f"     NAMESTATES = ({', '.join(spec.states)});\n"
            f"     PROBABILITIES = ({probs});\n    }};\n  }};"
        )
    out.append("};\n")
    return "\n".join(out)
