"""BIF text read with regular expressions: the variables' states and the probability blocks.

pgmpy's BIF grammar (pyparsing) is kept for reading; these small patterns serve the checks
it does not make (a row naming a wrong state, a row of the wrong length, a missing row) and
the ``property function max`` expansion, so every problem can name its node and row. The
grammar they follow is BIF 0.15's (see :mod:`cohesion_bn.formats.bif`); ``//`` and
``/* */`` comments are removed first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FUNCTION_MAX", "ROW", "Block", "probability_blocks", "strip_comments", "variables"]

# a quoted string (kept whole: a URL's '//' is not a comment) or a comment
_COMMENT = re.compile(r'("(?:[^"\\]|\\.)*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_VARIABLE = re.compile(r"variable\s+([^\s{]+)\s*\{\s*type\s+discrete\s*\[\s*\d+\s*\]\s*\{([^}]*)\}")
_PROBABILITY = re.compile(r"probability\s*\(([^)]*)\)\s*\{([^}]*)\}")
#: ``property function max;`` (also ``function = max``)
FUNCTION_MAX = re.compile(r"property\s+function\s*=?\s*max\s*;")
#: one row ``(state, state) p1, p2;``: the configuration and the numbers
ROW = re.compile(r"\(([^)]*)\)\s*([^;]*);")


@dataclass(frozen=True)
class Block:
    """One ``probability ( child | parents ) { body }`` block."""

    child: str
    parents: list[str]
    body: str


def strip_comments(text: str) -> str:
    """``text`` with ``//`` and ``/* */`` comments blanked, quoted strings left alone."""
    return _COMMENT.sub(lambda m: m.group(1) or " ", text)


def variables(clean: str) -> dict[str, list[str]]:
    """Each discrete variable's states, in order (``clean``: text without comments)."""
    return {
        name: [s.strip() for s in body.split(",") if s.strip()]
        for name, body in _VARIABLE.findall(clean)
    }


def probability_blocks(clean: str) -> list[Block]:
    out = []
    for header, body in _PROBABILITY.findall(clean):
        child, _, rest = header.partition("|")
        parents = [p for p in re.split(r"[\s,]+", rest.strip()) if p]
        out.append(Block(child.strip(), parents, body))
    return out
