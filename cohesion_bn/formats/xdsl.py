"""GeNIe/SMILE ``.xdsl`` files: our reader (ids, display names, parametric nodes), pgmpy's
writer made exact and deterministic.

Grammar (BayesFusion, "XDSL file format",
https://support.bayesfusion.com/docs/GeNIe/saving_xdslfileformat.html, and the SMILE
manual's chapter on node definitions)::

    <smile version="1.0" id="Net">
      <nodes>
        <cpt id="A"><state id="a1"/>...<parents>P1 P2</parents>
             <probabilities>numbers</probabilities></cpt>
        <deterministic id="D"><state .../>...<parents>..</parents>
             <resultingstates>state ids, one per parent configuration</resultingstates>
        </deterministic>
        <noisymax id="N"> ... <strengths>..</strengths><parameters>..</parameters></noisymax>
        <noisyadder id="M"> ... <dstates>..</dstates><weights>..</weights>
             <parameters>..</parameters></noisyadder>
        (equation, decision, utility, mau, ... cannot be represented)
      </nodes>
      <extensions><genie ...><node id="A"><name>Display name</name>...</node>
                  <submodel ...> (nodes nested in submodels) </submodel></genie></extensions>
    </smile>

``probabilities`` lists the node's states fastest, then the last parent, the first parent
slowest. ``resultingstates`` names the node's state for each parent configuration in the
same order (a deterministic node: probability 1 on that state). A ``<noisymax>`` node is
expanded to its full table (SMILE's Díez parameterisation, leak as the last column;
semantics and sources in :mod:`cohesion_bn.formats._noisy`); so is a ``<noisyadder>`` node
with the "average" function (the weighted average of its parents' columns and the leak, the
rule GeNIe's manual states; a note on every load says it is checked against that rule, not
against GeNIe), while the undocumented "single fault" function is refused by name.

pgmpy 1.1.2's ``XDSLReader`` reads only ``<cpt>`` nodes (a deterministic or noisy-MAX
parent makes its children's tables unreadable), drops the display names, and refuses ids
with spaces; hence this reader. Its ``XDSLWriter`` prints numbers with 16 fixed decimals
(``1.234e-20`` becomes ``0.0000000000000000``), lists nodes in insertion order (GeNIe
requires parents before children) and places nodes at random positions; the subclass here
prints exact numbers, writes nodes in a topological order with the display names, and lays
them out on a grid.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import numpy as np
from pgmpy.models import DiscreteBayesianNetwork
from pgmpy.readwrite import XDSLWriter

from ..errors import FormatError
from ._model import CAUTION, NodeSpec, fail, nodes_of, numbers
from ._noisy import NOISY_ADDER_NOTE, deterministic_table, noisy_adder_table, noisy_max_table

__all__ = ["parse_xdsl", "write_xdsl"]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REFUSED = {
    "equation": "an equation (continuous) node",
    "decision": "a decision node",
    "utility": "a utility node",
    "mau": "a multi-attribute utility node",
    "list": "a decision node",
    "table": "a utility node",
}


def _text(elem: ET.Element | None) -> str:
    return (elem.text or "").strip() if elem is not None else ""


def _genie_names(root: ET.Element) -> dict[str, str]:
    names: dict[str, str] = {}
    ext = root.find("extensions")
    if ext is None:
        return names
    for genie in ext.iter("genie"):
        for node in genie.iter("node"):
            nid = node.get("id")
            name = _text(node.find("name"))
            if nid and name:
                names[nid] = name
    return names


def _numbers(elem: ET.Element, tag: str, *, source: str, node: str) -> np.ndarray:
    """The numbers of the child element ``<tag>``, naming it if one is not a number."""
    return numbers(_text(elem.find(tag)).split(), source=source, node=node, construct=f"<{tag}>")


def _single_fault(elem: ET.Element) -> bool:
    """Whether a ``<noisyadder>`` says it uses SMILE's ``fun_single_fault`` function, as
    an attribute or a child element (the XDSL schema leaves the spelling open)."""
    texts = [v for k, v in elem.attrib.items() if k != "id"]
    texts += [f"{child.tag} {_text(child)}" for child in elem if child.tag == "function"]
    return any("single" in t.lower() for t in texts)


def parse_xdsl(text: str, *, source: str) -> tuple[list[NodeSpec], list[str], str | None]:
    """Parse XDSL text into node specs with display names as labels."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise fail(source, f"is not well-formed XML ({exc})") from None
    if root.tag != "smile":
        raise fail(source, f"is not a GeNIe .xdsl file (its root element is <{root.tag}>)")
    nodes_elem = root.find("nodes")
    if nodes_elem is None:
        raise fail(source, "has no <nodes>", construct="smile")
    if root.find("dynamic") is not None:
        raise fail(
            source,
            "is a dynamic (temporal) network; only static networks can be read",
            construct="dynamic",
        )
    names = _genie_names(root)
    specs: list[NodeSpec] = []
    known: dict[str, list[str]] = {}
    notes: list[str] = []
    for elem in nodes_elem:
        nid = elem.get("id", "")
        kind = elem.tag
        if kind in _REFUSED:
            raise fail(
                source,
                f"is {_REFUSED[kind]}; only discrete chance nodes can be represented",
                node=nid,
                construct=f"<{kind}>",
            )
        if kind not in ("cpt", "deterministic", "noisymax", "noisyadder"):
            raise fail(
                source,
                f"is a <{kind}> node, which cannot be represented",
                node=nid,
                construct=f"<{kind}>",
            )
        if not nid:
            raise fail(source, f"a <{kind}> node has no id", construct=f"<{kind}>")
        if elem.get("dynamic"):
            raise fail(
                source,
                "is a temporal node of a dynamic network",
                node=nid,
                construct=f"<{kind} dynamic>",
            )
        states = [s.get("id", "") for s in elem.findall("state")]
        parents = _text(elem.find("parents")).split()
        for p in parents:
            if p not in known:
                raise fail(
                    source,
                    f"parent {p!r} is not a node defined before it",
                    node=nid,
                    construct="<parents>",
                )
        parent_states = [known[p] for p in parents]
        if kind == "cpt":
            prob = elem.find("probabilities")
            if prob is None:
                raise fail(source, "has no <probabilities>", node=nid, construct="<cpt>")
            values = numbers(
                _text(prob).split(), source=source, node=nid, construct="<probabilities>"
            )
        elif kind == "deterministic":
            result = _text(elem.find("resultingstates")).split()
            values = deterministic_table(result, states, parent_states, source=source, node=nid)
        elif kind == "noisymax":
            values = noisy_max_table(
                states,
                parent_states,
                strengths=_numbers(elem, "strengths", source=source, node=nid),
                parameters=_numbers(elem, "parameters", source=source, node=nid),
                source=source,
                node=nid,
                parents=parents,
            )
            notes.append(f"node {nid!r}: noisy-MAX expanded to a full table")
        else:
            if _single_fault(elem):
                raise fail(
                    source,
                    "is a GeNIe noisy-adder with the 'single fault' function, which GeNIe's "
                    "manual names without defining; only the 'average' function is "
                    "expanded. Change the node's type to CPT in GeNIe and save again",
                    node=nid,
                    construct="<noisyadder>",
                )
            values = noisy_adder_table(
                states,
                parent_states,
                weights=_numbers(elem, "weights", source=source, node=nid),
                parameters=_numbers(elem, "parameters", source=source, node=nid),
                source=source,
                node=nid,
                parents=parents,
            )
            notes.append(f"{CAUTION}node {nid!r}: {NOISY_ADDER_NOTE}")
        known[nid] = states
        label = names.get(nid)
        specs.append(NodeSpec(nid, states, parents, values, label=label, construct=f"<{kind}>"))
    return specs, notes, root.get("id")


class _XDSLWriter(XDSLWriter):
    """pgmpy's writer: exact numbers, topological order, display names, grid layout."""

    def __init__(
        self,
        model: DiscreteBayesianNetwork,
        labels: Mapping[str, str],
        order: list[str],
        network_id: str,
    ) -> None:
        self._labels = dict(labels)
        self._order = order
        super().__init__(model, network_id=network_id)

    def get_variables(self) -> dict[str, ET.Element]:
        nodes_elem = ET.SubElement(self.root, "nodes")
        return {var: ET.SubElement(nodes_elem, "cpt", {"id": var}) for var in self._order}

    def get_cpds(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for var in self._order:
            cpd = self.model.get_cpds(var)
            elem = self.variables[var]
            for st in cpd.state_names[var]:
                ET.SubElement(elem, "state", {"id": str(st)})
            if len(cpd.variables) > 1:
                ET.SubElement(elem, "parents").text = " ".join(map(str, cpd.variables[1:]))
            flat = np.asarray(cpd.get_values(), dtype=float).T.ravel()
            ET.SubElement(elem, "probabilities").text = " ".join(repr(float(x)) for x in flat)
            out[var] = cpd
        return out

    def _create_extensions(self) -> None:
        ext = ET.SubElement(self.root, "extensions")
        genie = ET.SubElement(
            ext, "genie", {"version": "1.0", "app": "cohesion-bn", "name": self.network_id}
        )
        for i, var in enumerate(self._order):
            node = ET.SubElement(genie, "node", {"id": var})
            ET.SubElement(node, "name").text = self._labels.get(var, var)
            ET.SubElement(node, "interior", {"color": "e5f6f7"})
            ET.SubElement(node, "outline", {"color": "000080"})
            ET.SubElement(node, "font", {"color": "000000", "name": "Arial", "size": "8"})
            x, y = 40 + 160 * (i % 6), 40 + 100 * (i // 6)
            ET.SubElement(node, "position").text = f"{x} {y} {x + 120} {y + 48}"


def write_xdsl(network: DiscreteBayesianNetwork, *, labels: Mapping[str, str], target: str) -> str:
    """The network as XDSL text. GeNIe requires ids of letters, digits and ``_`` that do
    not start with a digit, for nodes and states alike; others are refused."""
    specs = nodes_of(network, target=target)
    for spec in specs:
        if not _ID.match(spec.id):
            raise FormatError(
                f"{target}: node {spec.id!r}: a GeNIe node id must be letters, "
                "digits and '_', not starting with a digit"
            )
        for state in spec.states:
            if not _ID.match(state):
                raise FormatError(
                    f"{target}: node {spec.id!r}: state {state!r}: a GeNIe state id "
                    "must be letters, digits and '_', not starting with a digit"
                )
    name = str(network.name) if getattr(network, "name", None) else "Network"
    if not _ID.match(name):
        name = "Network"
    writer = _XDSLWriter(network, labels, [s.id for s in specs], name)
    ET.indent(writer.root)
    xml = ET.tostring(writer.root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n"
