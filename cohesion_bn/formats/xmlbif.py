"""XMLBIF 0.3 files: pgmpy's reader after a repairing pre-pass, pgmpy's writer.

Grammar (Cozman, "The XML BIF format", version 0.3,
https://www.cs.cmu.edu/~fgcozman/Research/InterchangeFormat/)::

    <BIF VERSION="0.3"><NETWORK>
      <NAME>net</NAME>                                   (optional in practice)
      <VARIABLE TYPE="nature"><NAME>A</NAME><OUTCOME>a1</OUTCOME>...
                <PROPERTY>k = v</PROPERTY></VARIABLE>
      <DEFINITION><FOR>A</FOR><GIVEN>P1</GIVEN>...<TABLE>numbers</TABLE></DEFINITION>
    </NETWORK></BIF>

``TABLE`` lists the child's outcomes fastest, then the last ``GIVEN``, the first slowest.

pgmpy 1.1.2's ``XMLBIFReader`` raises ``AttributeError`` on a ``<NETWORK>`` without
``<NAME>`` (several tools omit it), keeps the whitespace around ``OUTCOME`` texts, and
fails on a ``PROPERTY`` without exactly one ``=``. The pre-pass fixes all three (a missing
name, stripped texts, such properties dropped) and checks the structure so problems name
their variable; the values then come from pgmpy's reader. Its ``XMLBIFWriter`` rewrites
state names to ``[A-Za-z0-9_]`` (so ``<7.5`` and ``>=7.5`` in bnlearn's *child* both
become ``_7_5`` and the file cannot be read back): our subclass writes them as they are,
XML-escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

import numpy as np
from pgmpy.models import DiscreteBayesianNetwork
from pgmpy.readwrite import XMLBIFReader, XMLBIFWriter

from ._model import NodeSpec, fail, nodes_of

__all__ = ["parse_xmlbif", "write_xmlbif"]


def _text(elem: ET.Element | None) -> str:
    return (elem.text or "").strip() if elem is not None else ""


def parse_xmlbif(text: str, *, source: str) -> tuple[list[NodeSpec], list[str], str | None]:
    """Parse XMLBIF text into node specs (and notes, and the network's name)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise fail(source, f"is not well-formed XML ({exc})") from None
    network = root if root.tag == "NETWORK" else root.find("NETWORK")
    if network is None:
        raise fail(source, "has no <NETWORK> element", construct="BIF")
    name_elem = network.find("NAME")
    name = _text(name_elem) or None
    if name_elem is None:
        name_elem = ET.Element("NAME")
        network.insert(0, name_elem)
    name_elem.text = name or "unnamed"
    states: dict[str, list[str]] = {}
    for var in network.findall("VARIABLE"):
        vname = _text(var.find("NAME"))
        if not vname:
            raise fail(source, "a <VARIABLE> has no <NAME>", construct="VARIABLE")
        vtype = (var.get("TYPE") or "nature").strip().lower()
        if vtype != "nature":
            raise fail(
                source,
                f"is a {vtype} variable; only chance (nature) variables can be read",
                node=vname,
                construct="VARIABLE TYPE",
            )
        for child in var:
            if child.text is not None:
                child.text = child.text.strip()
        for prop in var.findall("PROPERTY"):
            if (prop.text or "").count("=") != 1:
                var.remove(prop)
        states[vname] = [_text(o) for o in var.findall("OUTCOME")]
    defined: set[str] = set()
    for definition in network.findall("DEFINITION") + network.findall("PROBABILITY"):
        for child in definition:
            if child.text is not None and child.tag in ("FOR", "GIVEN"):
                child.text = child.text.strip()
        target = _text(definition.find("FOR"))
        if target not in states:
            raise fail(
                source,
                "has a <DEFINITION> but no <VARIABLE>",
                node=target or "?",
                construct="DEFINITION",
            )
        if definition.find("TABLE") is None:
            raise fail(
                source, "its <DEFINITION> has no <TABLE>", node=target, construct="DEFINITION"
            )
        for given in definition.findall("GIVEN"):
            if _text(given) not in states:
                raise fail(
                    source,
                    f"<GIVEN> {_text(given)!r} is not a variable",
                    node=target,
                    construct="DEFINITION",
                )
        defined.add(target)
    for vname in states:
        if vname not in defined:
            raise fail(source, "has no <DEFINITION> (table)", node=vname, construct="DEFINITION")
    if root.tag == "NETWORK":
        wrapper = ET.Element("BIF", {"VERSION": "0.3"})
        wrapper.append(root)
        root = wrapper
    for definition in network.findall("PROBABILITY"):
        definition.tag = "DEFINITION"
    try:
        reader = XMLBIFReader(string=ET.tostring(root, encoding="unicode"))
    except Exception as exc:  # pragma: no cover - the checks above should prevent this
        raise fail(source, f"is not valid XMLBIF ({type(exc).__name__}: {exc})") from None
    specs = []
    for vname in reader.variables:
        table = " ".join(
            _text(t)
            for t in network.findall("DEFINITION")
            if _text(t.find("FOR")) == vname
            for t in t.findall("TABLE")
        )
        try:
            values = np.asarray([float(x) for x in table.split()], dtype=float)
        except ValueError:
            raise fail(
                source,
                "its <TABLE> has something that is not a number",
                node=vname,
                construct="TABLE",
            ) from None
        specs.append(
            NodeSpec(
                vname,
                states[vname],
                list(reader.variable_parents[vname]),
                values,
                construct="TABLE",
            )
        )
    return specs, [], name


class _XMLBIFWriter(XMLBIFWriter):
    """pgmpy's writer with state names kept as they are and no node attributes."""

    def _make_valid_state_name(self, state_name: object) -> str:
        return str(state_name)

    def get_properties(self) -> dict[str, ET.Element]:
        return {v: ET.SubElement(self.variables[v], "PROPERTY") for v in self.model.nodes()}


def write_xmlbif(
    network: DiscreteBayesianNetwork, *, labels: Mapping[str, str], target: str
) -> str:
    """The network as XMLBIF 0.3 text; numbers exact."""
    nodes_of(network, target=target)
    writer = _XMLBIFWriter(network)
    return str(writer)
