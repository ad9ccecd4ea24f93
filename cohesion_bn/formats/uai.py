"""UAI files (the UAI inference competitions' model format): our reader and writer.

Grammar (https://uaicompetition.github.io/uci-2022/file-formats/model-format/)::

    BAYES
    n                       number of variables
    c0 c1 ... c(n-1)        their cardinalities
    m                       number of functions (one per variable in a Bayesian network)
    k v1 ... vk             m scopes; in BAYES the child is the last variable of its scope
    t  x1 ... xt            m tables, in the order of the scopes; the *last* variable of
                            the scope varies fastest (so the child fastest, the first
                            parent slowest)

Whitespace separates everything; line breaks carry no meaning, except that a line
starting with the word ``c`` is a comment (UAI 2016) and so is ``#`` to the end of a line.
The format keeps no
names: we name variables ``v0..v(n-1)`` and states ``s0..s(c-1)`` by position, and say
so in the notes.

pgmpy 1.1.2's ``UAIReader`` takes each table's parents in the order networkx happens to
list a node's predecessors instead of the scope's order, so tables come out transposed
and ``check_model`` fails, and it names variables ``var_N``. Its ``UAIWriter`` lays each
table out with the *child* varying slowest, the reverse of the specification, so its
files are misread by other tools. Both are replaced here.
"""

from __future__ import annotations

import math
import re

import numpy as np
from pgmpy.models import DiscreteBayesianNetwork

from ._model import NodeSpec, fail, nodes_of

__all__ = ["UAI_NOTE", "parse_uai", "write_uai"]

UAI_NOTE = (
    "UAI files keep no names: variables are named v0, v1, ... and states s0, s1, ... "
    "by their position in the file"
)


def parse_uai(text: str, *, source: str) -> tuple[list[NodeSpec], list[str]]:
    """Parse UAI ``BAYES`` text into node specs and the note about names."""
    lines = [re.sub(r"#.*", "", line) for line in text.splitlines()]
    words = [w for line in lines if not re.match(r"\s*c(\s|$)", line) for w in line.split()]
    pos = 0

    def take(what: str) -> str:
        nonlocal pos
        if pos >= len(words):
            raise fail(source, f"the file ends where {what} was expected")
        pos += 1
        return words[pos - 1]

    def integer(what: str) -> int:
        word = take(what)
        try:
            value = int(word)
        except ValueError:
            raise fail(source, f"expected {what} (a whole number), found {word!r}") from None
        if value < 0:
            raise fail(source, f"{what} is negative: {value}")
        return value

    kind = take("BAYES or MARKOV")
    if kind.upper() != "BAYES":
        raise fail(
            source,
            f"is a UAI {kind} network; only BAYES (Bayesian) networks can be read",
            construct="preamble",
        )
    n = integer("the number of variables")
    cards = [integer(f"the cardinality of variable v{i}") for i in range(n)]
    m = integer("the number of functions")
    scopes: list[list[int]] = []
    for f in range(m):
        k = integer(f"the size of scope {f}")
        scope = [integer(f"a variable of scope {f}") for _ in range(k)]
        for v in scope:
            if v >= n:
                raise fail(
                    source,
                    f"scope {f} names variable {v}, but there are only {n}",
                    construct="preamble",
                )
        if not scope:
            raise fail(source, f"scope {f} is empty", construct="preamble")
        scopes.append(scope)
    names = [f"v{i}" for i in range(n)]
    specs: dict[int, NodeSpec] = {}
    for f, scope in enumerate(scopes):
        child = scope[-1]
        node = names[child]
        count = integer(f"the number of entries of table {f} ({node})")
        expected = math.prod(cards[v] for v in scope)
        if count != expected:
            raise fail(
                source,
                f"table {f} declares {count} entries; its scope needs {expected}",
                node=node,
                construct="function table",
            )
        values = []
        for _ in range(count):
            word = take(f"an entry of table {f}")
            try:
                values.append(float(word))
            except ValueError:
                raise fail(
                    source, f"{word!r} is not a number", node=node, construct="function table"
                ) from None
        if child in specs:
            raise fail(
                source,
                "has two tables (a BAYES file has one per variable)",
                node=node,
                construct="function table",
            )
        specs[child] = NodeSpec(
            node,
            [f"s{j}" for j in range(cards[child])],
            [names[v] for v in scope[:-1]],
            np.asarray(values, dtype=float),
            construct="function table",
        )
    if pos < len(words):
        raise fail(source, f"has {len(words) - pos} extra word(s) after the last table")
    for i in range(n):
        if i not in specs:
            raise fail(source, "has no table", node=names[i], construct="function table")
    return [specs[i] for i in range(n)], [UAI_NOTE]


def write_uai(network: DiscreteBayesianNetwork, *, target: str) -> str:
    """The network as UAI ``BAYES`` text (variables in a topological order; exact numbers)."""
    specs = nodes_of(network, target=target)
    index = {s.id: i for i, s in enumerate(specs)}
    lines = ["BAYES", str(len(specs)), " ".join(str(len(s.states)) for s in specs), str(len(specs))]
    for s in specs:
        scope = [index[p] for p in s.parents] + [index[s.id]]
        lines.append(" ".join(str(x) for x in [len(scope), *scope]))
    lines.append("")
    for s in specs:
        flat = np.asarray(s.values, dtype=float).ravel()
        lines.append(str(flat.size))
        lines.append(" ".join(repr(float(x)) for x in flat))
        lines.append("")
    return "\n".join(lines)
