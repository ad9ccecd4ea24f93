"""Read Excalibur's study files (``.dtt`` answers and ``.rls`` realisations).

Excalibur (TU Delft's classical-model program) and ANDURYL store a study in two fixed-width
text files.

``NAME.dtt``, the experts' answers: a header line ``* CLASS ASCII OUTPUT FILE. NQ= n QU=
l1 l2 ...`` giving the number of quantiles and their levels in percent, then one line per
expert and item::

    {expert no:5d} {expert id:>8s}{item no:5d} {item name:>14s} {UNI|LOG} {quantiles ...} [question]

The item name may contain spaces; the scale is ``UNI`` or ``LOG`` in either case; the
quantiles are numbers such as ``7.08400E+0001``; a quantile in [-1000, -990] (e.g. -996)
marks a missing answer.

``NAME.rls``, the realisations: one line per item::

    {item no:5d} {item name:>14s} {realisation} {UNI|LOG} [question]

A realisation in [-1000, -990] (e.g. ``-9.99600E+0002``) marks a target item.

Items are matched between the two files by name, not number. An item of the ``.dtt`` that
the ``.rls`` lacks is a target item; an item of the ``.rls`` that the ``.dtt`` lacks is an
error (usually a misspelt name). An answer with some but not all quantiles missing cannot be
scored, so it is read as missing altogether (with a warning), as ANDURYL treats it.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import ElicitationError, did_you_mean
from .cooke import Item, SeedStudy

__all__ = ["MISSING_RANGE", "read_excalibur"]

#: Values in this closed range mark a missing answer (.dtt) or a target item (.rls).
MISSING_RANGE: tuple[float, float] = (-1000.0, -990.0)

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?"
_HEADER = re.compile(r"NQ=\s*(\d+)\s+QU=\s*(.*)$", re.IGNORECASE)
# Excalibur's fixed columns: expert no (5), expert id (9, right-aligned), item no (5).
_DTT_FIXED = re.compile(r"^(?P<eno>[ \d]{4}\d)(?P<eid>.{9})(?P<ino>[ \d]{4}\d) (?P<rest>.*)$")
_DTT_LOOSE = re.compile(r"^\s*(?P<eno>\d+)\s+(?P<eid>\S+)\s+(?P<ino>\d+)\s(?P<rest>.*)$")
_RLS = re.compile(
    rf"^\s*(?P<ino>\d+)\s(?P<name>.*?)\s+(?P<value>{_NUMBER})\s+(?P<scale>uni|log)(?:\s+(?P<question>.*?))?\s*$",
    re.IGNORECASE,
)


def _is_missing(x: float) -> bool:
    return MISSING_RANGE[0] <= x <= MISSING_RANGE[1]


def _number(token: str) -> float:
    """Parse a Fortran-style number (``1.5E+0002``, ``1.5D+02``)."""
    return float(token.replace("D", "E").replace("d", "e"))


def _read_lines(path: Path, what: str) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ElicitationError(f"{path}: no such {what} file") from None
    except OSError as exc:
        raise ElicitationError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # Excalibur is a Windows program
    return text.splitlines()


@dataclass
class _ItemInfo:
    number: int
    scale: str
    line: int
    question: str


def _default_rls(dtt: Path) -> Path:
    for suffix in (".rls", ".RLS", ".Rls"):
        candidate = dtt.with_suffix(suffix)
        if candidate.exists():
            return candidate
    return dtt.with_suffix(".rls")


def read_excalibur(dtt_path: str | Path, rls_path: str | Path | None = None) -> SeedStudy:
    """Read an Excalibur study: the ``.dtt`` answers and the ``.rls`` realisations.

    ``rls_path`` defaults to the ``.dtt`` path with the suffix ``.rls`` (or ``.RLS``).
    Experts and items keep the order in which the ``.dtt`` first names them. Raises
    :class:`ElicitationError` naming the file, the line and what is wrong for a file that
    cannot be read or parsed, and for answers the classical model cannot use (quantiles not
    strictly increasing, non-positive values on a log scale, an expert without a line for
    some item, an item named twice, an item whose scale differs between lines or files).
    """
    dtt = Path(dtt_path)
    rls = _default_rls(dtt) if rls_path is None else Path(rls_path)

    levels, experts, items, answers = _read_dtt(dtt)
    realisations = _read_rls(rls, items)

    item_objs = []
    for name, info in items.items():
        real = realisations.get(name)
        try:
            item_objs.append(
                Item(name=name, scale="log" if info.scale == "log" else "uni",
                     realisation=real, question=info.question)
            )
        except ElicitationError as exc:
            raise ElicitationError(f"{rls}: {exc}") from None

    names = list(items)
    arr = np.full((len(experts), len(names), len(levels)), np.nan)
    for (e_id, name), (values, _line) in answers.items():
        arr[experts.index(e_id), names.index(name)] = values
    missing_pairs = [
        (e_id, name)
        for e_id in experts
        for name in names
        if (e_id, name) not in answers
    ]
    if missing_pairs:
        e_id, name = missing_pairs[0]
        more = f" (and {len(missing_pairs) - 1} more)" if len(missing_pairs) > 1 else ""
        raise ElicitationError(
            f"{dtt}: expert {e_id!r} has no line for item {name!r}{more}; write every "
            "expert x item line, with -999.6 for a missing answer"
        )
    for it in item_objs:
        if it.scale != "log":
            continue
        for e_id in experts:
            values, line = answers[(e_id, it.name)]
            if not np.isnan(values).any() and (values <= 0.0).any():
                raise ElicitationError(
                    f"{dtt}, line {line}: item {it.name!r} has a log scale, so its quantiles "
                    f"must be positive, got {values.tolist()}"
                )
    try:
        return SeedStudy(
            experts=tuple(experts), items=tuple(item_objs), quantiles=levels, answers=arr
        )
    except ElicitationError as exc:
        raise ElicitationError(f"{dtt}: {exc}") from None


def _read_header(path: Path, lines: list[str]) -> tuple[int, tuple[float, ...]]:
    first = next((k for k, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ElicitationError(f"{path}: the file is empty")
    header = lines[first]
    where = f"{path}, line {first + 1}"
    m = _HEADER.search(header)
    if m is None:
        raise ElicitationError(
            f"{where}: expected the header '* CLASS ASCII OUTPUT FILE. NQ= n QU= l1 l2 ...', "
            f"got {header.strip()[:80]!r}"
        )
    nq = int(m.group(1))
    tokens = m.group(2).split()
    try:
        percents = [float(t) for t in tokens]
    except ValueError:
        raise ElicitationError(
            f"{where}: the quantile levels after QU= must be numbers (percent), got "
            f"{m.group(2).strip()!r}"
        ) from None
    if nq < 1 or len(percents) != nq:
        raise ElicitationError(
            f"{where}: NQ= {nq} but QU= lists {len(percents)} level(s) ({m.group(2).strip()})"
        )
    if not all(0.0 < q < 100.0 for q in percents) or any(
        b <= a for a, b in itertools.pairwise(percents)
    ):
        raise ElicitationError(
            f"{where}: the quantile levels must be strictly increasing percentages between "
            f"0 and 100, got {percents}"
        )
    return first, tuple(q / 100.0 for q in percents)


_Answers = dict[tuple[str, str], tuple[npt.NDArray[np.float64], int]]


def _read_dtt(path: Path) -> tuple[tuple[float, ...], list[str], dict[str, _ItemInfo], _Answers]:
    lines = _read_lines(path, ".dtt (answers)")
    first, levels = _read_header(path, lines)
    nq = len(levels)
    body = re.compile(
        rf"^(?P<name>.*?)\s+(?P<scale>uni|log)(?P<values>(?:\s+{_NUMBER}){{{nq}}})"
        rf"(?:\s+(?P<question>.*?))?\s*$",
        re.IGNORECASE,
    )
    experts: list[str] = []
    expert_numbers: dict[int, str] = {}
    items: dict[str, _ItemInfo] = {}
    answers: _Answers = {}
    partial: list[int] = []

    for k in range(first + 1, len(lines)):
        line = lines[k]
        if not line.strip():
            continue
        lineno = k + 1
        where = f"{path}, line {lineno}"
        m = _DTT_FIXED.match(line)
        if m is None or not m.group("eid").strip() or body.match(m.group("rest")) is None:
            m = _DTT_LOOSE.match(line)
        if m is None:
            raise ElicitationError(
                f"{where}: expected 'expert-no expert-id item-no item-name UNI|LOG "
                f"{nq} quantiles', got {line.strip()[:80]!r}"
            )
        b = body.match(m.group("rest"))
        if b is None:
            raise ElicitationError(
                f"{where}: expected an item name, the scale UNI or LOG and {nq} numbers "
                f"(NQ= {nq} in the header), got {m.group('rest').strip()[:80]!r}"
            )
        e_no, e_id = int(m.group("eno")), m.group("eid").strip()
        i_no, name = int(m.group("ino")), b.group("name").strip()
        scale = b.group("scale").lower()
        if not name:
            raise ElicitationError(f"{where}: the item name is empty")
        if e_no in expert_numbers and expert_numbers[e_no] != e_id:
            raise ElicitationError(
                f"{where}: expert number {e_no} is {e_id!r} here but "
                f"{expert_numbers[e_no]!r} earlier"
            )
        expert_numbers.setdefault(e_no, e_id)
        if e_id not in experts:
            experts.append(e_id)
        try:
            values = np.array([_number(t) for t in b.group("values").split()], dtype=np.float64)
        except ValueError:  # pragma: no cover - the regex only admits numbers
            raise ElicitationError(f"{where}: the quantiles are not numbers") from None
        if not np.isfinite(values).all():
            raise ElicitationError(f"{where}: the quantiles must be finite numbers")

        info = items.get(name)
        if info is None:
            items[name] = _ItemInfo(i_no, scale, lineno, (b.group("question") or "").strip())
        elif info.scale != scale:
            raise ElicitationError(
                f"{where}: item {name!r} has scale {scale.upper()} here but "
                f"{info.scale.upper()} on line {info.line}"
            )
        if (e_id, name) in answers:
            raise ElicitationError(
                f"{where}: expert {e_id!r} answers item {name!r} a second time (first on "
                f"line {answers[(e_id, name)][1]})"
            )
        missing = np.array([_is_missing(v) for v in values])
        if missing.any():
            if not missing.all():
                partial.append(lineno)
            values = np.full(nq, np.nan)
        elif (np.diff(values) <= 0.0).any():
            raise ElicitationError(
                f"{where}: expert {e_id!r}, item {name!r}: the quantiles "
                f"{values.tolist()} must be strictly increasing"
            )
        answers[(e_id, name)] = (values, lineno)

    if not answers:
        raise ElicitationError(f"{path}: the file has a header but no answers")
    if partial:
        warnings.warn(
            f"{path}: line(s) {', '.join(map(str, partial))} give some quantiles and mark "
            "others missing; those answers are treated as missing altogether",
            UserWarning,
            stacklevel=3,
        )
    return levels, experts, items, answers


def _read_rls(path: Path, items: dict[str, _ItemInfo]) -> dict[str, float | None]:
    lines = _read_lines(path, ".rls (realisations)")
    out: dict[str, float | None] = {}
    seen: dict[str, int] = {}
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        lineno = k + 1
        where = f"{path}, line {lineno}"
        m = _RLS.match(line)
        if m is None:
            raise ElicitationError(
                f"{where}: expected 'item-no item-name realisation UNI|LOG', got "
                f"{line.strip()[:80]!r}"
            )
        name = m.group("name").strip()
        scale = m.group("scale").lower()
        if not name:
            raise ElicitationError(f"{where}: the item name is empty")
        if name in seen:
            raise ElicitationError(
                f"{where}: item {name!r} is listed a second time (first on line {seen[name]})"
            )
        seen[name] = lineno
        if name not in items:
            raise ElicitationError(
                f"{where}: item {name!r} is not in the .dtt file{did_you_mean(name, items)}"
            )
        if items[name].scale != scale:
            raise ElicitationError(
                f"{where}: item {name!r} has scale {scale.upper()} here but "
                f"{items[name].scale.upper()} in the .dtt file (line {items[name].line})"
            )
        value = _number(m.group("value"))
        if not math.isfinite(value):
            raise ElicitationError(f"{where}: the realisation must be a finite number")
        if _is_missing(value):
            out[name] = None
        else:
            if scale == "log" and value <= 0.0:
                raise ElicitationError(
                    f"{where}: item {name!r} has a log scale, so its realisation must be "
                    f"positive, got {value}"
                )
            out[name] = value
    return out
