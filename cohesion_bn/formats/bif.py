"""BIF (the Bayesian Interchange Format, version 0.15): pgmpy's reader and writer, guarded.

Grammar (Cozman, "The Interchange Format for Bayesian Networks",
https://www.cs.cmu.edu/~fgcozman/Research/InterchangeFormat/Old/xmlbif02.html, and the
BIF files of the bnlearn repository, https://www.bnlearn.com/bnrepository/)::

    network Name { property ... ; }
    variable Name { type discrete [ k ] { s1, s2, ..., sk }; property ... ; }
    probability ( Child ) { table p1, ..., pk; }
    probability ( Child | P1, P2 ) { (p1state, p2state) q1, ..., qk; ... }

Reading uses pgmpy's ``BIFReader`` (it is right for the files the bnlearn repository and
pgmpy write) after a pre-pass that normalises line ends (its block pattern needs ``}``
followed by ``\\n``, so a Windows file read nothing), then our checks
(:func:`~cohesion_bn.formats._model.build_network`) so every problem names its node.
Writing uses pgmpy's ``BIFWriter``, which prints each number with Python's shortest
round-trip representation, so a written file reads back to the very same floats; we only
drop node attributes (pgmpy would print them as ``property`` lines) and refuse names the
grammar cannot carry.
"""

from __future__ import annotations

import re

import numpy as np
import pyparsing as pp
from pgmpy.models import DiscreteBayesianNetwork
from pgmpy.readwrite import BIFReader, BIFWriter

from ..errors import FormatError
from ._model import NodeSpec, fail, nodes_of
from ._noisy import expand_bif_function_max

__all__ = ["parse_bif", "write_bif"]

_BAD_NAME = re.compile(r"[\s,;{}()|\"]")


def _diagnose(text: str, source: str) -> FormatError | None:
    """Find the block pgmpy tripped on and say what is wrong with it, if we can."""
    declared: dict[str, int] = {}
    starts = list(re.finditer(r"(?m)^\s*(variable|probability)\b", text))
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        block = text[start.start() : end]
        m = re.match(r"\s*variable\s+([^\s{]+)\s*\{(.*)", block, re.DOTALL)
        if m is None:
            continue
        name, body = m.group(1), m.group(2)
        t = re.search(r"type\s+(\w+)\s*\[\s*(\d+)\s*\]", body)
        if t is None:
            return fail(
                source, "has no 'type discrete [ k ] { ... }'", node=name, construct="variable"
            )
        if t.group(1) != "discrete":
            return fail(
                source,
                f"is of type {t.group(1)!r}; only discrete variables can be read",
                node=name,
                construct="variable",
            )
        declared[name] = int(t.group(2))
    for m in re.finditer(r"probability\s*\(\s*([^\s|)]+)", text):
        if m.group(1) not in declared:
            return fail(
                source,
                "has a probability block but no variable block",
                node=m.group(1),
                construct="probability",
            )
    for name in declared:
        if not re.search(r"probability\s*\(\s*" + re.escape(name) + r"[\s|)]", text):
            return fail(source, "has no probability block", node=name, construct="probability")
    return None


def parse_bif(text: str, *, source: str) -> tuple[list[NodeSpec], list[str], str | None]:
    """Parse BIF text into node specs (and notes, and the network's name)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    text, parametric, notes = expand_bif_function_max(text, source=source)
    try:
        reader = _BIFReader(string=text)
    except Exception as exc:  # pgmpy raises anything from IndexError to pyparsing errors
        diag = _diagnose(text, source)
        if diag is not None:
            raise diag from None
        raise fail(source, f"is not valid BIF ({type(exc).__name__}: {exc})") from None
    diag = _diagnose(text, source)
    if diag is not None:
        raise diag
    specs = []
    for name in reader.variable_names:
        if name not in reader.variable_cpds:
            raise fail(source, "has no probability block", node=name, construct="probability")
        states = [str(s) for s in reader.variable_states[name]]
        parents = list(reader.variable_parents.get(name, []))
        for p in parents:
            if p not in reader.variable_states:
                raise fail(
                    source,
                    f"parent {p!r} is not a variable of the network",
                    node=name,
                    construct="probability",
                )
        if name in parametric:
            values = parametric[name]
        else:
            arr = np.asarray(reader.variable_cpds[name], dtype=float)
            values = arr.T.ravel()
        specs.append(NodeSpec(name, states, parents, values, construct="probability"))
    return specs, notes, reader.network_name


class _BIFReader(BIFReader):
    """pgmpy's reader with its two grammars built once per process and with
    ``pyparsing.Regex`` in place of ``Word(pyparsing.unicode.alphanums ...)``: the same
    language, but pgmpy builds those character sets from every Unicode letter on each
    reader, which took 2-4 s per file."""

    _grammars: tuple[object, ...] | None = None

    @classmethod
    def _build(cls) -> tuple[object, ...]:
        if cls._grammars is None:
            word = pp.Regex(r"[\w.\-]+")
            name_expr = (
                pp.Suppress("variable")
                + pp.Regex(r"[^{]+").set_parse_action(lambda t: t[0].strip())
                + pp.Suppress("{")
            )
            state_value = pp.Regex(r"[^,};]+").set_parse_action(lambda t: t[0].strip())
            state_expr = (
                pp.Suppress("type")
                + pp.Suppress(word)
                + pp.Suppress("[")
                + pp.Suppress(pp.Word(pp.nums))
                + pp.Suppress("]")
                + pp.Suppress("{")
                + pp.Group(state_value + pp.ZeroOrMore(pp.Suppress(",") + state_value))
                + pp.Suppress("}")
                + pp.Suppress(";")
            )
            property_expr = pp.Suppress("property") + pp.CharsNotIn(";") + pp.Suppress(";")
            word_expr = word + pp.Suppress(pp.Optional("|")) + pp.Suppress(pp.Optional(","))
            num_expr = pp.Word(pp.nums + "-+eE.") + pp.Suppress(pp.Optional(","))
            probability_expr = (
                pp.Suppress("probability")
                + pp.Suppress("(")
                + pp.OneOrMore(word_expr)
                + pp.Suppress(")")
            )
            row_value = pp.Regex(r"[^,)]+").set_parse_action(lambda t: t[0].strip())
            optional_expr = (
                pp.Suppress("(")
                + row_value
                + pp.ZeroOrMore(pp.Suppress(",") + row_value)
                + pp.Suppress(")")
            )
            attributes = optional_expr | pp.Suppress("table") | pp.Suppress("default")
            cpd_expr = attributes + pp.OneOrMore(num_expr)
            cls._grammars = (name_expr, state_expr, property_expr, probability_expr, cpd_expr)
        return cls._grammars

    def get_variable_grammar(self) -> tuple[object, ...]:
        return self._build()[:3]

    def get_probability_grammar(self) -> tuple[object, ...]:
        return self._build()[3:]


class _BIFWriter(BIFWriter):
    """pgmpy's writer without node attributes as ``property`` lines."""

    def get_properties(self) -> dict[str, list[str]]:
        return {v: [] for v in self.model.nodes()}


def write_bif(network: DiscreteBayesianNetwork, *, target: str) -> str:
    """The network as BIF text, numbers exact."""
    for spec in nodes_of(network, target=target):
        if _BAD_NAME.search(spec.id):
            raise FormatError(
                f"{target}: node {spec.id!r}: a BIF name cannot contain spaces or "
                'any of , ; { } ( ) | "'
            )
        for state in spec.states:
            if _BAD_NAME.search(state):
                raise FormatError(
                    f"{target}: node {spec.id!r}: state {state!r}: a BIF state cannot "
                    'contain spaces or any of , ; { } ( ) | "'
                )
    return str(_BIFWriter(network))
