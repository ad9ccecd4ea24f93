"""BIF (the Bayesian Interchange Format, version 0.15): pgmpy's reader and writer, guarded.

Grammar (Cozman, "The Interchange Format for Bayesian Networks",
https://www.cs.cmu.edu/~fgcozman/Research/InterchangeFormat/Old/xmlbif02.html, and the
BIF files of the bnlearn repository, https://www.bnlearn.com/bnrepository/)::

    network Name { property ... ; }
    variable Name { type discrete [ k ] { s1, s2, ..., sk }; property ... ; }
    probability ( Child ) { table p1, ..., pk; }
    probability ( Child | P1, P2 ) { (p1state, p2state) q1, ..., qk; ... }

Reading uses pgmpy's ``BIFReader`` (it is right for the files the bnlearn repository and
pgmpy write) after pre-passes: line ends normalised (its block pattern needs ``}``
followed by ``\\n``, so a Windows file read nothing); every row checked first, so a wrong
state, a row of the wrong length or a missing row is named with its node and row (pgmpy
says "cannot convert float NaN to integer" or "inhomogeneous shape"); ``default`` entries
written out as the rows they stand for (pgmpy cannot read them); then our checks
(:func:`~cohesion_bn.formats._model.build_network`) so every problem names its node.
Writing uses pgmpy's ``BIFWriter``, which prints each number with Python's shortest
round-trip representation, so a written file reads back to the very same floats; we only
drop node attributes (pgmpy would print them as ``property`` lines) and refuse names the
grammar cannot carry.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pyparsing as pp
from pgmpy.models import DiscreteBayesianNetwork
from pgmpy.readwrite import BIFReader, BIFWriter

from ..errors import FormatError
from ._bif_text import FUNCTION_MAX, Block, probability_blocks, strip_comments, variables
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


def _row_problems(block: Block, states: dict[str, list[str]]) -> list[str]:
    """What is wrong with the rows of one (non-``function max``) probability block."""
    n = len(states[block.child])
    cards = [len(states[p]) for p in block.parents]
    problems: list[str] = []
    entries = [e.strip() for e in block.body.split(";") if e.strip()]
    seen: set[tuple[int, ...]] = set()
    has_default = False
    for entry in entries:
        if entry.startswith("property"):
            continue
        m = re.match(r"(table|default)\b(.*)", entry, re.DOTALL)
        row = re.match(r"\(([^)]*)\)(.*)", entry, re.DOTALL)
        if m is not None:
            label, values = m.group(1), m.group(2)
            want = n * math.prod(cards) if label == "table" else n
            has_default |= label == "default"
        elif row is not None:
            names = [c.strip() for c in row.group(1).split(",")]
            label, values, want = f"row ({', '.join(names)})", row.group(2), n
            if len(names) != len(block.parents):
                problems.append(
                    f"{label} names {len(names)} states for "
                    f"{len(block.parents)} parent(s) ({', '.join(block.parents)})"
                )
                continue
            wrong = [
                (p, st) for p, st in zip(block.parents, names, strict=True) if st not in states[p]
            ]
            if wrong:
                p, st = wrong[0]
                problems.append(
                    f"{label}: {st!r} is not a state of {p} (its states: {', '.join(states[p])})"
                )
                continue
            key = tuple(states[p].index(st) for p, st in zip(block.parents, names, strict=True))
            if key in seen:
                problems.append(f"{label} is given twice")
            seen.add(key)
        else:
            problems.append(
                f"{entry.split()[0]!r}... is neither a row '(states) numbers;' "
                "nor 'table numbers;' nor 'default numbers;'"
            )
            continue
        numbers = [v for v in re.split(r"[\s,]+", values.strip()) if v]
        bad = [v for v in numbers if not _is_number(v)]
        if bad:
            problems.append(f"{label}: {bad[0]!r} is not a number")
        elif len(numbers) != want:
            problems.append(
                f"{label} has {len(numbers)} number{'' if len(numbers) == 1 else 's'}; "
                f"{block.child} needs {want}"
                + (
                    f" ({n} states x {math.prod(cards)} parent configurations)"
                    if label == "table" and cards
                    else ""
                )
            )
    if block.parents and not has_default and not any(e.startswith("table") for e in entries):
        for key in itertools.product(*(range(c) for c in cards)):
            if key not in seen:
                config = ", ".join(states[p][k] for p, k in zip(block.parents, key, strict=True))
                problems.append(f"has no row ({config}) and no 'default' row")
                break
    return problems


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _expand_defaults(clean: str) -> str:
    """Replace each ``default p1, ..., pn;`` entry by the rows it stands for (BIF 0.15: the
    distribution of every parent configuration not listed). pgmpy 1.1.2's reader cannot
    read a ``default`` entry in a block with parents ("could not convert string to float").
    ``clean`` is comment-free text whose rows :func:`_check_rows` has checked."""
    states = variables(clean)

    def rewrite(m: re.Match[str]) -> str:
        block = probability_blocks(m.group(0))[0]
        entries = [e.strip() for e in block.body.split(";") if e.strip()]
        default = [e for e in entries if re.match(r"default\b", e)]
        if not default or not block.parents or FUNCTION_MAX.search(block.body):
            return m.group(0)
        values = default[0][len("default") :].strip()
        listed = set()
        kept = []
        for e in entries:
            row = re.match(r"\(([^)]*)\)", e)
            if row is not None:
                listed.add(tuple(c.strip() for c in row.group(1).split(",")))
            if not re.match(r"default\b", e):
                kept.append(e + ";")
        for config in itertools.product(*(states[p] for p in block.parents)):
            if config not in listed:
                kept.append(f"({', '.join(config)}) {values};")
        head = m.group(0)[: m.group(0).index("{") + 1]
        return head + "\n  " + "\n  ".join(kept) + "\n}"

    return re.sub(r"probability\s*\([^)]*\)\s*\{[^}]*\}", rewrite, clean)


def _check_rows(text: str, *, source: str) -> None:
    """Every row of every probability block checked before pgmpy reads it (whose errors
    name neither the node nor the row); all problems reported at once."""
    clean = strip_comments(text)
    states = variables(clean)
    errors = []
    for block in probability_blocks(clean):
        if FUNCTION_MAX.search(block.body) or block.child not in states:
            continue  # expanded elsewhere / reported by _diagnose
        if any(p not in states for p in block.parents):
            continue
        errors += [
            str(fail(source, msg, node=block.child, construct="probability"))
            for msg in _row_problems(block, states)
        ]
    if errors:
        raise FormatError("\n".join(errors))


def parse_bif(text: str, *, source: str) -> tuple[list[NodeSpec], list[str], str | None]:
    """Parse BIF text into node specs (and notes, and the network's name)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    _check_rows(text, source=source)
    text = _expand_defaults(strip_comments(text))
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
