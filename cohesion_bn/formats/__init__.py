"""Reading and writing networks in other tools' formats.

========  ===================================  ============================  =========
format    tool                                 suffixes                      reader
========  ===================================  ============================  =========
bif       BIF 0.15 (bnlearn, pgmpy, ...)       ``.bif``                      pgmpy, guarded
xmlbif    XMLBIF 0.3 (JavaBayes, Weka, ...)    ``.xmlbif .xml .bifxml``      pgmpy, repaired
xdsl      GeNIe / SMILE, XML                   ``.xdsl``                     ours
dsl       GeNIe / SMILE, older text format     ``.dsl``                      ours
net       Hugin                                ``.net .hugin``               ours
dne       Netica, text                         ``.dne``                      ours
uai       UAI competitions                     ``.uai``                      ours
========  ===================================  ============================  =========

Every format also reads gzipped (``asia.bif.gz``). :func:`read_network` returns an
:class:`ImportedNetwork` whose ``network`` passes pgmpy's ``check_model()``; anything in a
file that cannot be represented (continuous, decision or utility nodes, a node with a
single state, an empty table, a column that does not sum to 1 without ``normalize=True``)
raises :class:`~cohesion_bn.errors.FormatError` naming the file, the node and the
construct. GeNIe deterministic, noisy-MAX and noisy-adder nodes and BIF ``property
function max`` blocks are expanded to full tables, each with a load note (see
:mod:`cohesion_bn.formats._noisy` for the semantics, their sources and how far each is
checked); GeNIe's undefined "single fault" noisy-adder and a noisy-adder in .dsl are
refused by name, with what to do instead. Each module's
docstring gives its grammar, its sources, and what pgmpy 1.1.2 gets wrong that it works
around. Numbers are written with Python's shortest round-trip representation, so every
writable format reads back to the very same floats. Line ends may be LF, CRLF or a lone CR
(classic Mac OS).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pgmpy.models import DiscreteBayesianNetwork

from ..errors import FormatError
from ._model import CAUTION, NodeSpec, build_network, labels_of
from ._text import decode, read_bytes

__all__ = [
    "FORMATS",
    "ImportedNetwork",
    "detect_format",
    "read_network",
    "write_network",
]

#: format name -> the file suffixes that name it (the first is the one written).
FORMATS: dict[str, tuple[str, ...]] = {
    "bif": (".bif",),
    "xmlbif": (".xmlbif", ".bifxml", ".xml"),
    "xdsl": (".xdsl",),
    "dsl": (".dsl",),
    "net": (".net", ".hugin"),
    "dne": (".dne",),
    "uai": (".uai",),
}

#: suffixes that more than one format uses, or none: decided by the content.
_AMBIGUOUS = {".xml", ".net", ".txt", ".gz"}


@dataclass(frozen=True)
class ImportedNetwork:
    """A network read from a file, with what the file said besides the tables."""

    network: DiscreteBayesianNetwork
    labels: dict[str, str]
    format: str
    source: str
    notes: tuple[str, ...]


def _suffixes(path: Path) -> list[str]:
    return [s.lower() for s in path.suffixes]


def _sniff(text: str) -> str | None:
    """The format the text is in, from its first meaningful words, or None."""
    head = text.lstrip("\ufeff")[:4096].replace("\r\n", "\n").replace("\r", "\n")
    if "~->[DNET" in head or re.search(r"^\s*(//[^\n]*\n\s*)*bnet\s+\S+\s*\{", head):
        return "dne"
    stripped = re.sub(r"(?m)^\s*(%|//|#)[^\n]*$", "", head).lstrip()
    if stripped.startswith("<"):
        if re.search(r"<smile[\s>]", head):
            return "xdsl"
        if re.search(r"<(BIF|NETWORK)[\s>]", head, re.IGNORECASE):
            return "xmlbif"
        return None
    if re.match(r"(BAYES|MARKOV)\s+\d", stripped):
        return "uai"
    if re.match(r"network\s+[^{]*\{", stripped) or re.match(r"variable\s", stripped):
        return "bif"
    if re.match(r"net\s*\{", stripped) or re.match(r"class\s+\S+\s*\{", stripped):
        return "net"
    if re.match(r"net\s+\S+\s*\{", stripped):
        return "dsl"
    if re.match(r"((discrete|continuous|decision|utility)\s+)*node\s+\S+\s*\{", stripped):
        return "net"
    return None


def detect_format(path: str | Path) -> str:
    """The format of ``path``: from its suffix, and from its content where the suffix is
    ambiguous (``.xml``, ``.net``, ``.txt``, ``.gz`` or none we know)."""
    p = Path(path)
    suffixes = _suffixes(p)
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last == ".neta":
        raise FormatError(f"{p}: is a binary Netica file; save it from Netica as .dne (text)")
    if last not in _AMBIGUOUS:
        for name, sfx in FORMATS.items():
            if last in sfx:
                return name
    text = decode(read_bytes(p))
    found = _sniff(text)
    if found is None:
        known = ", ".join(s for sfx in FORMATS.values() for s in sfx)
        raise FormatError(
            f"{p}: cannot tell the network format from the name or the content; "
            f"name it with one of {known} or give the format (--format; format= in Python)"
        )
    return found


def _check_format(format: str, where: str) -> str:
    name = format.lower().lstrip(".")
    for fmt, sfx in FORMATS.items():
        if name == fmt or "." + name in sfx:
            return fmt
    raise FormatError(f"{where}: unknown format {format!r}; the formats are: {', '.join(FORMATS)}")


def read_network(
    path: str | Path, *, format: str | None = None, normalize: bool = False
) -> ImportedNetwork:
    """Read a network file in any of :data:`FORMATS` (gzipped or not).

    ``format`` overrides the detection from the name and content. With ``normalize``, a
    table column that does not sum to 1 is rescaled (an all-zero one made uniform) with a
    :func:`warnings.warn` per column instead of raising. What a reader did beyond copying
    tables (a parametric node expanded, ...) is in ``notes``, one per node (``"node 'X':
    ..."``) or per file; the notes a user should check before relying on the numbers (a
    noisy-adder expanded by a rule the tool does not publish, ``function max`` rows that go
    against noisy-MAX) are also warned.
    """
    p = Path(path)
    source = str(path)
    fmt = _check_format(format, source) if format is not None else detect_format(p)
    text = decode(read_bytes(p))
    nodes: list[NodeSpec]
    notes: list[str]
    name: str | None = None
    if fmt == "bif":
        from .bif import parse_bif

        nodes, notes, name = parse_bif(text, source=source)
    elif fmt == "xmlbif":
        from .xmlbif import parse_xmlbif

        nodes, notes, name = parse_xmlbif(text, source=source)
    elif fmt == "xdsl":
        from .xdsl import parse_xdsl

        nodes, notes, name = parse_xdsl(text, source=source)
    elif fmt == "dsl":
        from .genie_dsl import parse_dsl

        nodes, notes, name = parse_dsl(text, source=source)
    elif fmt == "net":
        from .hugin import parse_net

        nodes, notes, name = parse_net(text, source=source)
    elif fmt == "dne":
        from .netica import parse_dne

        nodes, notes, name = parse_dne(text, source=source)
    else:
        from .uai import parse_uai

        nodes, notes = parse_uai(text, source=source)
    network = build_network(nodes, source=source, normalize=normalize, name=name)
    kept: list[str] = []
    for note in notes:
        if note.startswith(CAUTION):
            note = note[len(CAUTION) :]
            warnings.warn(f"{source}: {note}", UserWarning, stacklevel=2)
        kept.append(note)
    return ImportedNetwork(network, labels_of(nodes), fmt, source, tuple(kept))


def _writer(fmt: str) -> Callable[[DiscreteBayesianNetwork, Mapping[str, str], str], str]:
    if fmt == "bif":
        from .bif import write_bif

        return lambda n, labels, target: write_bif(n, target=target)
    if fmt == "xmlbif":
        from .xmlbif import write_xmlbif

        return lambda n, labels, target: write_xmlbif(n, labels=labels, target=target)
    if fmt == "xdsl":
        from .xdsl import write_xdsl

        return lambda n, labels, target: write_xdsl(n, labels=labels, target=target)
    if fmt == "dsl":
        from .genie_dsl import write_dsl

        return lambda n, labels, target: write_dsl(n, labels=labels, target=target)
    if fmt == "net":
        from .hugin import write_net

        return lambda n, labels, target: write_net(n, labels=labels, target=target)
    if fmt == "dne":
        from .netica import write_dne

        return lambda n, labels, target: write_dne(n, labels=labels, target=target)
    from .uai import write_uai

    return lambda n, labels, target: write_uai(n, target=target)


def write_network(
    network: DiscreteBayesianNetwork,
    path: str | Path,
    *,
    format: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Write ``network`` to ``path`` in ``format`` (default: from the suffix), replacing
    any file there (the caller decides whether that is wanted). ``labels`` (node id ->
    display name) are written where the format has display names (XDSL, DSL, Hugin,
    Netica). Everything is built in memory first, so a refused network leaves no file."""
    p = Path(path)
    target = str(path)
    if format is not None:
        fmt = _check_format(format, target)
    else:
        suffixes = [s for s in _suffixes(p) if s != ".gz"]
        last = suffixes[-1] if suffixes else ""
        matches = [name for name, sfx in FORMATS.items() if last in sfx]
        if not matches:
            raise FormatError(
                f"{target}: cannot tell the format from the suffix {last!r}; "
                f"give the format (--to-format; format= in Python): one of {', '.join(FORMATS)}"
            )
        fmt = matches[0]
    text = _writer(fmt)(network, dict(labels or {}), target)
    data = text.encode("utf-8")
    if _suffixes(p)[-1:] == [".gz"]:
        import gzip

        data = gzip.compress(data, mtime=0)
    try:
        p.write_bytes(data)
    except OSError as exc:
        raise FormatError(f"{target}: cannot be written: {exc.strerror or exc}") from None
