"""Questionnaires: write one per expert (XLSX, CSV or YAML), read the filled-in one back.

The XLSX workbook is for experts who do not program. Its sheets:

* **Instructions** — purpose, what is stored and that the expert appears only as a
  pseudonym, how to answer, the verbal-numerical probability scale
  (:data:`~cohesion_bn.elicitation.questions.VERBAL_SCALE`) and the spread scale.
* **Node <id>** — one per node asked: the node's label, description, states and parents,
  then its questions. Columns: ``A`` question number, ``B`` question (and, under a
  distribution question, one state per row), ``C`` the answer (yellow, unlocked, with data
  validation: probabilities 0..1, weights 0..10, a drop-down list for the combination
  function and the spread), ``D`` a live check (a distribution's sum, green when it is 1
  within :data:`SUM_TOLERANCE`, red otherwise), ``E`` "Why?" — the expert's rationale.
* **Seeds** — the calibration items: question, unit, one column per quantile level
  (5% / 50% / 95% by default), a live check that they increase, and a rationale.
* **Meta** (hidden) — the study id, expert, round, questionnaire version, and for every
  answer cell the question id, the field (state, level, ``value`` or ``rationale``), sheet
  and cell, so that import reads the cells the generator wrote rather than guessing.

Every sheet is protected (only the yellow cells and the rationale cells can be edited) and
the workbook structure is locked (no sheets added, removed, renamed or unhidden); there is
no password: this guards against slips, not against a determined user, and import checks
everything again.

The CSV and YAML forms carry the same content for scripted use. CSV, one row per value
field: ``question_id, kind, field, allowed, value, rationale, text`` (rows of kind ``meta``
first: format, study, expert, round, questionnaire_version). YAML: a ``questionnaire``
mapping (the same meta fields) and a ``questions`` list of ``{id, kind, allowed, text,
value, rationale}``, where ``value`` is a mapping state -> probability or level -> number,
or a single number or word.

:func:`read_questionnaire` checks every answer and reports each problem with its place
(``"Node cohesion!C7"``, ``"row 12, column value"``, ``"questions[3].value.neutral"``):
out of range, not a number, a distribution not summing to 1 within :data:`SUM_TOLERANCE`
(that answer is refused, never rescaled), an incomplete distribution or set of quantiles,
an unknown word, quantiles not increasing, a questionnaire for another study, expert,
round or questionnaire version (then nothing is imported). Unanswered questions are
listed in :attr:`ImportResult.missing` and never filled in.
"""

from __future__ import annotations

import csv
import datetime as _dt
import errno
import io
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from ..errors import ElicitationError, Problem, QuestionnaireError, did_you_mean
from ..spec import _UniqueKeyLoader
from .questions import SPREAD_SCALE, VERBAL_SCALE, WEIGHT_RANGE, Answer, Question
from .study import Study, level_name

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "FORMATS",
    "FORMAT_TAG",
    "SUM_TOLERANCE",
    "CheckedAnswer",
    "ImportResult",
    "answer_fields",
    "check_answer",
    "read_questionnaire",
    "workbook_layout",
    "write_questionnaire",
    "write_questionnaires",
]

#: The file forms a questionnaire can take, by suffix.
FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}

#: Written on every questionnaire so that import recognises one.
FORMAT_TAG = "cohesion-bn questionnaire 1"

#: How far a distribution's probabilities may sum from 1 and still be accepted (as
#: written, not rescaled). Further off, the answer is refused and reported.
SUM_TOLERANCE = 0.01

_META_KEYS = ("format", "study", "expert", "round", "questionnaire_version")
_CSV_COLUMNS = ("question_id", "kind", "field", "allowed", "value", "rationale", "text")
_SPREAD_MEANING = {
    "very tightly": "almost exactly the combination of its factors",
    "tightly": "close to the combination, rarely a state away",
    "moderately": "usually the combination, sometimes a state away",
    "loosely": "often a state away from the combination",
    "very loosely": "only loosely related to the combination",
}


# ------------------------------------------------------------------------ results


@dataclass
class ImportResult:
    """What :func:`read_questionnaire` found in a filled-in questionnaire.

    ``answers`` are ready for the study store; ``problems`` lists every problem, each with
    its sheet and cell (or CSV row and column, or YAML path), including each unanswered
    question; ``missing`` the ids of unanswered questions (never filled in); ``refused``
    the ids of questions answered but not accepted; ``notes`` remarks that do not refuse
    anything (a sum accepted within the tolerance, a rationale without an answer).
    """

    path: str
    study: str = ""
    expert: str = ""
    round: int | None = None
    version: str = ""
    answers: list[Answer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every question was answered and every answer accepted."""
        return not self.problems


@dataclass(frozen=True)
class _Cell:
    """A raw value read from a questionnaire, and where it was."""

    value: Any
    where: str


@dataclass
class _Raw:
    """One question's raw entries in a file."""

    where: str
    fields: dict[str, _Cell] = field(default_factory=dict)
    rationale: list[_Cell] = field(default_factory=list)


@dataclass
class _RawFile:
    meta: dict[str, _Cell] = field(default_factory=dict)
    answers: dict[str, _Raw] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: questions on a missing sheet: reported once, with the sheet, not one by one
    unread: set[str] = field(default_factory=set)


# ------------------------------------------------------------------------ writing


def write_questionnaire(study: Study, expert: str, path: str | Path, *,
                        format: str | None = None) -> Path:
    """Write ``expert``'s questionnaire to ``path`` and return the path.

    ``format`` is ``"xlsx"``, ``"csv"`` or ``"yaml"``; by default the suffix decides. An
    existing file is never overwritten: :class:`FileExistsError` names it.
    """
    p = Path(path)
    fmt = _format(p, format)
    questions = study.questions(expert)
    if fmt == "xlsx":
        buf = io.BytesIO()
        _workbook(study, expert, questions).save(buf)
        data = buf.getvalue()
    elif fmt == "csv":
        data = _csv_text(study, expert, questions).encode("utf-8")
    else:
        data = _yaml_text(study, expert, questions).encode("utf-8")
    try:
        fh = open(p, "xb")  # noqa: SIM115 - closed below; "x": never overwrite
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, "questionnaire not written, the file already "
                              "exists (questionnaires are never overwritten)", str(p)) from None
    try:
        with fh:
            fh.write(data)
    except BaseException:
        p.unlink(missing_ok=True)
        raise
    return p


def write_questionnaires(study: Study, directory: str | Path, *,
                         format: str = "xlsx") -> list[Path]:
    """Write every expert's questionnaire into ``directory`` (created if needed).

    Files are named ``<study>_<expert>_round<r>.<format>``; none is overwritten.
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    return [write_questionnaire(study, e, d / f"{study.id}_{e}_round{study.round}.{format}",
                                format=format)
            for e in study.expert_ids]


def _format(p: Path, format: str | None) -> str:
    if format is not None:
        if format not in set(FORMATS.values()):
            raise ElicitationError(f"unknown questionnaire format {format!r}; "
                                   "use xlsx, csv or yaml")
        return format
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise ElicitationError(f"{p}: cannot tell the questionnaire format from the suffix "
                               f"{p.suffix!r}; use .xlsx, .csv or .yaml, or pass format=")
    return fmt


def _fields(q: Question) -> list[str]:
    """The value fields of a question: its states, its levels, or ``value``."""
    if q.kind == "distribution":
        return list(q.states)
    if q.kind == "quantiles":
        return [level_name(x) for x in q.levels]
    return ["value"]


def _allowed(q: Question, study: Study) -> str:
    """What an answer may be, in words."""
    if q.kind == "distribution":
        return "0..1 each, summing to 1"
    if q.kind == "weight":
        lo, hi = (q.low, q.high) if q.low is not None and q.high is not None else WEIGHT_RANGE
        return f"{lo:g}..{hi:g}"
    if q.kind in ("function", "spread"):
        return " | ".join(q.options)
    if _seed_scale(q, study) == "log":
        return "numbers > 0, increasing"
    return "numbers, increasing"


def _seed_scale(q: Question, study: Study) -> str:
    if q.kind != "quantiles":
        return "uni"
    try:
        return study.seed(q.id.removeprefix("seed/")).scale
    except KeyError:
        return "uni"


def _meta(study: Study, expert: str) -> dict[str, Any]:
    return {"format": FORMAT_TAG, "study": study.id, "expert": expert, "round": study.round,
            "questionnaire_version": study.version}


def _csv_text(study: Study, expert: str, questions: list[Question]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(_CSV_COLUMNS)
    notes = {"format": "do not change the meta rows", "study": "study id",
             "expert": "your pseudonym", "round": "round",
             "questionnaire_version": "questionnaire version"}
    for key, value in _meta(study, expert).items():
        w.writerow(["", "meta", key, "", value, "", notes[key]])
    for q in questions:
        for i, f in enumerate(_fields(q)):
            first = i == 0
            w.writerow([q.id, q.kind, f, _allowed(q, study) if first else "", "", "",
                        q.text if first else ""])
    return out.getvalue()


def _yaml_text(study: Study, expert: str, questions: list[Question]) -> str:
    items: list[dict[str, Any]] = []
    for q in questions:
        value: Any = ({f: None for f in _fields(q)}
                      if q.kind in ("distribution", "quantiles") else None)
        items.append({"id": q.id, "kind": q.kind, "text": q.text,
                      "allowed": _allowed(q, study), "value": value, "rationale": ""})
    head = (f"# {study.title}: questionnaire for expert {expert}, round {study.round}.\n"
            f"# Fill in each 'value' ({_allowed_summary()}) and, if you like, 'rationale'.\n"
            f"# Probabilities of one question must sum to 1 (within {SUM_TOLERANCE:g}).\n"
            "# Leave a value null if you cannot answer. Do not change 'questionnaire'.\n")
    body = yaml.safe_dump({"questionnaire": _meta(study, expert), "questions": items},
                          sort_keys=False, allow_unicode=True, width=100)
    return head + body


def _allowed_summary() -> str:
    return ("probabilities 0..1, weights "
            f"{WEIGHT_RANGE[0]:g}..{WEIGHT_RANGE[1]:g}, a word from 'allowed', quantiles "
            "increasing")


# ------------------------------------------------------------------- the workbook

_INPUT_FILL = "FFF2CC"
_GREEN = "C6EFCE"
_RED = "FFC7CE"
_GREY = "808080"
_WIDTHS = {"A": 6, "B": 64, "C": 14, "D": 26, "E": 60}


def _workbook(study: Study, expert: str, questions: list[Question]) -> Workbook:
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    wb = Workbook()
    ins = wb.worksheets[0]
    ins.title = "Instructions"
    _instructions(ins, study, expert, questions)

    layout: list[tuple[str, str, str, str, str]] = []  # qid, kind, field, sheet, cell
    by_node: dict[str, list[Question]] = {}
    for q in questions:
        if q.node is not None:
            by_node.setdefault(q.node, []).append(q)
    number = 0
    used: set[str] = {"Instructions", "Seeds", "Meta"}
    for node, qs in by_node.items():
        title = _sheet_title(f"Node {node}", used)
        ws = wb.create_sheet(title)
        number = _node_sheet(ws, study, node, qs, number, layout)
    seeds = [q for q in questions if q.kind == "quantiles"]
    if seeds:
        _seeds_sheet(wb.create_sheet("Seeds"), study, seeds, number, layout)
    meta = wb.create_sheet("Meta")
    _meta_sheet(meta, study, expert, layout)
    meta.sheet_state = "hidden"
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def _sheet_title(want: str, used: set[str]) -> str:
    clean = "".join("_" if c in "[]:*?/\\" else c for c in want)[:31]
    title, i = clean, 2
    while title.lower() in {u.lower() for u in used}:
        suffix = f"~{i}"
        title, i = clean[:31 - len(suffix)] + suffix, i + 1
    used.add(title)
    return title


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatRows = False  # experts may resize rows and columns
    ws.protection.formatColumns = False


def _style_input(ws: Worksheet, coord: str) -> None:
    from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side

    c = ws[coord]
    c.fill = PatternFill("solid", fgColor=_INPUT_FILL)
    c.protection = Protection(locked=False)
    thin = Side(style="thin", color="BFBFBF")
    c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    c.alignment = Alignment(wrap_text=True, vertical="top")


def _validations(ws: Worksheet, study: Study) -> dict[str, Any]:
    """Data validations of a sheet, by name; add cells to them with ``.add(coord)``."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def dv(**kw: Any) -> DataValidation:
        v = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True,
                           errorStyle="stop", **kw)
        ws.add_data_validation(v)
        return v

    lo, hi = WEIGHT_RANGE
    return {
        "probability": dv(type="decimal", operator="between", formula1="0",
                          formula2="1", errorTitle="Probability",
                          error="Type a probability from 0 to 1 (e.g. 0.25, not 25).",
                          promptTitle="Probability", prompt="A number from 0 to 1."),
        "weight": dv(type="decimal", operator="between", formula1=f"{lo:g}",
                     formula2=f"{hi:g}", errorTitle="Weight",
                     error=f"Type a weight from {lo:g} (not at all) to {hi:g} (decisive).",
                     promptTitle="Weight", prompt=f"A number from {lo:g} to {hi:g}."),
        "number": dv(type="decimal", operator="between", formula1="-1E+300",
                     formula2="1E+300", errorTitle="Number", error="Type a number.",
                     promptTitle="Quantile", prompt="A number; the row must increase."),
        "positive": dv(type="decimal", operator="greaterThan", formula1="0",
                       errorTitle="Positive number", error="Type a number above 0.",
                       promptTitle="Quantile", prompt="A number above 0; the row must "
                       "increase."),
        "rationale": dv(type="textLength", operator="lessThanOrEqual", formula1="2000",
                        errorTitle="Rationale", error="At most 2000 characters, please.",
                        promptTitle="Why?", prompt="A sentence or two on your reasoning "
                        "(optional). Please no names."),
    }


def _list_validation(ws: Worksheet, options: Iterable[str], title: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    opts = list(options)
    v = DataValidation(type="list", formula1='"' + ",".join(opts) + '"', allow_blank=True,
                       showErrorMessage=True, showInputMessage=True, errorTitle=title,
                       error="Choose one of: " + ", ".join(opts) + ".",
                       promptTitle=title, prompt="Choose from the list.")
    ws.add_data_validation(v)
    return v


def _rows_height(text: str, width: int) -> float:
    lines = sum(max(1, math.ceil(len(part) / max(width * 1.1, 1)))
                for part in text.split("\n"))
    return 15.0 * max(1, lines)


def _node_sheet(ws: Worksheet, study: Study, node: str, qs: list[Question], number: int,
                layout: list[tuple[str, str, str, str, str]]) -> int:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill

    model = study.model
    spec = model.node(node)
    for col, width in _WIDTHS.items():
        ws.column_dimensions[col].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    ws["A1"] = model.label(node)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = (f"Node {node}. Its states, best first: " + ", ".join(spec.states) + ".")
    ws["A2"].font = Font(color=_GREY)
    row = 3
    if spec.description:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        ws.cell(row, 1, spec.description).alignment = wrap
        ws.row_dimensions[row].height = _rows_height(spec.description, 150)
        row += 1
    if spec.parents:
        ws.cell(row, 1, "It depends on:").font = Font(bold=True)
        row += 1
        for p in spec.parents:
            ps = model.node(p)
            text = (f"{ps.display} (states: {', '.join(ps.states)})"
                    + (f": {ps.description}" if ps.description else ""))
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
            ws.cell(row, 2, text).alignment = wrap
            ws.row_dimensions[row].height = _rows_height(text, 140)
            row += 1
    if any(q.check for q in qs):
        note = ("The questions marked 'check' ask directly for a few cases, to check that "
                "the weights, combination and spread above describe your judgement.")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        ws.cell(row, 1, note).font = Font(italic=True, color=_GREY)
        row += 1
    row += 1
    header = {"A": "No.", "B": "Question", "C": "Your answer", "D": "Check",
              "E": "Why? (optional: your reasoning in a sentence or two)"}
    for col, text in header.items():
        ws[f"{col}{row}"] = text
        ws[f"{col}{row}"].font = Font(bold=True)
    ws.freeze_panes = f"A{row + 1}"
    row += 1

    dv = _validations(ws, study)
    lists: dict[str, Any] = {}
    green = PatternFill("solid", fgColor=_GREEN, bgColor=_GREEN)
    red = PatternFill("solid", fgColor=_RED, bgColor=_RED)
    title = ws.title
    for q in qs:
        number += 1
        ws.cell(row, 1, f"Q{number}").font = Font(bold=True)
        qcell = ws.cell(row, 2, q.text)
        qcell.font = Font(bold=True)
        qcell.alignment = wrap
        ws.row_dimensions[row].height = max(30.0, _rows_height(q.text, _WIDTHS["B"]))
        why = f"E{row}"
        _style_input(ws, why)
        dv["rationale"].add(why)
        layout.append((q.id, q.kind, "rationale", title, why))
        if q.kind == "distribution":
            if q.check:
                ws.cell(row, 4, "check").font = Font(italic=True, color=_GREY)
            first = row + 1
            for i, state in enumerate(q.states):
                r = first + i
                ws.cell(r, 2, f"    {state}")
                coord = f"C{r}"
                _style_input(ws, coord)
                ws[coord].number_format = "0.00"
                dv["probability"].add(coord)
                layout.append((q.id, q.kind, state, title, coord))
            last = first + len(q.states) - 1
            srow = last + 1
            rng = f"C{first}:C{last}"
            ws.cell(srow, 2, f"Sum (must be 1, within {SUM_TOLERANCE:g})").font = Font(
                italic=True)
            ws.cell(srow, 3, f'=IF(COUNT({rng})=0,"",SUM({rng}))').number_format = "0.00"
            ws.cell(srow, 4, (f'=IF(COUNT({rng})=0,"not answered yet",'
                              f'IF(COUNT({rng})<{len(q.states)},"give every state a number",'
                              f'IF(ABS(SUM({rng})-1)<={SUM_TOLERANCE},"OK: sums to 1",'
                              '"does not sum to 1")))'))
            ok = (f"AND(COUNT({rng})={len(q.states)},"
                  f"ABS(SUM({rng})-1)<={SUM_TOLERANCE})")
            bad = f"AND(COUNT({rng})>0,NOT({ok}))"
            target = f"C{srow}:D{srow}"
            ws.conditional_formatting.add(target, FormulaRule(formula=[ok], fill=green))
            ws.conditional_formatting.add(target, FormulaRule(formula=[bad], fill=red))
            row = srow + 2
        else:
            coord = f"C{row}"
            _style_input(ws, coord)
            if q.kind == "weight":
                dv["weight"].add(coord)
                ws.cell(row, 4, _allowed(q, study)).font = Font(color=_GREY)
            else:
                key = q.kind + "|" + ",".join(q.options)
                if key not in lists:
                    lists[key] = _list_validation(ws, q.options, q.kind.capitalize())
                lists[key].add(coord)
                ws.cell(row, 4, "choose from the list").font = Font(color=_GREY)
            layout.append((q.id, q.kind, "value", title, coord))
            row += 2
    _protect(ws)
    return number


def _seeds_sheet(ws: Worksheet, study: Study, qs: list[Question], number: int,
                 layout: list[tuple[str, str, str, str, str]]) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    levels = qs[0].levels
    names = [level_name(x) for x in levels]
    ws["A1"] = "Calibration questions (seed items)"
    ws["A1"].font = Font(size=14, bold=True)
    parts = [f"under '{n}' your median (as likely above as below)" if x == 0.5 else
             f"under '{n}' a value the true value has a {n} chance of falling below"
             for x, n in zip(levels, names, strict=True)]
    text = ("For each quantity give one number per column, increasing from left to right: "
            + "; ".join(parts) + ". These questions, some of whose answers are known to the "
            "facilitator, help weigh the experts' judgements fairly (Cooke's classical model).")
    ws.merge_cells("A2:H2")
    ws["A2"] = text
    ws["A2"].alignment = wrap
    ws.row_dimensions[2].height = 62
    header_row = 4
    cols = ["No.", "Question", "Unit", *names, "Check", "Why? (optional)"]
    for j, h in enumerate(cols, start=1):
        c = ws.cell(header_row, j, h)
        c.font = Font(bold=True)
    widths = [6, 64, 14, *([12] * len(names)), 18, 50]
    for j, wdt in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = wdt
    ws.freeze_panes = f"A{header_row + 1}"
    dv = _validations(ws, study)
    green = PatternFill("solid", fgColor=_GREEN, bgColor=_GREEN)
    red = PatternFill("solid", fgColor=_RED, bgColor=_RED)
    first_col, last_col = 4, 3 + len(names)
    check_col, why_col = last_col + 1, last_col + 2
    for i, q in enumerate(qs):
        r = header_row + 1 + i
        number += 1
        item = study.seed(q.id.removeprefix("seed/"))
        ws.cell(r, 1, f"Q{number}").font = Font(bold=True)
        ws.cell(r, 2, item.text).alignment = wrap
        ws.row_dimensions[r].height = max(30.0, _rows_height(item.text, 64))
        ws.cell(r, 3, item.unit).alignment = wrap
        cells = [f"{get_column_letter(c)}{r}" for c in range(first_col, last_col + 1)]
        for name, coord in zip(names, cells, strict=True):
            _style_input(ws, coord)
            dv["positive" if item.scale == "log" else "number"].add(coord)
            layout.append((q.id, q.kind, name, ws.title, coord))
        rng = f"{cells[0]}:{cells[-1]}"
        inc = ",".join(f"{a}<{b}" for a, b in itertools.pairwise(cells))
        ok = f"AND(COUNT({rng})={len(cells)},{inc})"
        bad = f"AND(COUNT({rng})>0,NOT({ok}))"
        check = f"{get_column_letter(check_col)}{r}"
        ws[check] = (f'=IF(COUNT({rng})=0,"",IF(COUNT({rng})<{len(cells)},"incomplete",'
                     f'IF(AND({inc}),"OK","must increase")))')
        ws.conditional_formatting.add(check, FormulaRule(formula=[ok], fill=green))
        ws.conditional_formatting.add(check, FormulaRule(formula=[bad], fill=red))
        why = f"{get_column_letter(why_col)}{r}"
        _style_input(ws, why)
        dv["rationale"].add(why)
        layout.append((q.id, q.kind, "rationale", ws.title, why))
    _protect(ws)


def _instructions(ws: Worksheet, study: Study, expert: str, questions: list[Question]) -> None:
    from openpyxl.styles import Alignment, Font

    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 1

    def put(a: str, b: str = "", *, bold: bool = False, size: int | None = None) -> None:
        nonlocal row
        ca = ws.cell(row, 1, a)
        ca.font = Font(bold=True, size=size) if (bold or size) else Font(bold=bool(b))
        ca.alignment = wrap
        if b:
            ws.cell(row, 2, b).alignment = wrap
            ws.row_dimensions[row].height = _rows_height(b, 100)
        row += 1

    def gap() -> None:
        nonlocal row
        row += 1

    model = study.model
    n_seeds = sum(q.kind == "quantiles" for q in questions)
    n_nodes = len({q.node for q in questions if q.node is not None})
    put(f"{study.title}", size=14)
    put(f"Questionnaire for expert {expert} — round {study.round}", bold=True)
    gap()
    put("Purpose", study.description or (
        f"This questionnaire asks for your judgement on the Bayesian network "
        f"'{model.spec.title or model.spec.id}'. {model.spec.description}"))
    put("", f"It has {n_nodes} sheet(s) 'Node …', one per factor of the network, and "
        + (f"a sheet 'Seeds' with {n_seeds} calibration questions. " if n_seeds else "")
        + "Your answers are combined with the other experts' answers to set the "
        "network's probabilities; disagreements are discussed in the next round.")
    gap()
    put("Your pseudonym", f"In this study you are {expert}. Your name is not in this file "
        f"and is not stored with your answers. What is stored, under {expert} only: each "
        "answer, the reason you give for it, the round, the questionnaire version and the "
        "time the answers were read in. The list linking pseudonyms to people is kept by the "
        f"facilitator, apart from the answers. Reports show only '{expert}'.")
    put("", "Please do not write your name, or anything else that identifies you, in the "
        "answers or reasons.")
    gap()
    put("How to answer", "Type your answers in the yellow cells; all other cells are "
        "locked. Each question has a number (Q1, Q2, ...).")
    put("Probabilities", "A number from 0 to 1 for each state (0.25, not 25). The "
        "probabilities of one question must add up to 1: the Sum cell turns green when "
        f"they do (within {SUM_TOLERANCE:g}) and red when they do not. A question whose "
        "probabilities do not add up to 1 is not used (it is never rescaled for you): "
        "the facilitator will ask you about it. The verbal scale below may help.")
    lo, hi = WEIGHT_RANGE
    put("Weights", f"How much a factor counts, from {lo:g} (not at all) to {hi:g} "
        "(decisive). Only the weights' sizes relative to each other matter.")
    put("Combination", "How the factors combine, chosen from the list: wmean (they average "
        "out), wmin (the weakest drags it down), wmax (the strongest lifts it), mixminmax "
        "(a mix of the weakest and the strongest).")
    put("Spread", "How tightly a factor follows that combination, chosen from the list "
        "(see the spread scale below).")
    if n_seeds:
        put("Seeds", "For each quantity, numbers that increase from left to right: the "
            "first is a value you think the true value is unlikely to fall below, the middle "
            "one your best estimate (as likely above as below), the last a value it is "
            "unlikely to exceed.")
    put("Why?", "The last column of each question takes your reasoning, in a sentence or "
        "two. It is optional but helps the discussion between rounds.")
    put("Blank answers", "If you cannot answer a question, leave it blank: it is recorded "
        "as unanswered, never filled in for you.")
    put("Please", "Do not rename, add, remove or reorder sheets, and do not move rows: the "
        "file is read automatically. Return the file to the facilitator when done.")
    gap()
    put("Verbal-numerical probability scale", bold=True)
    put("Words", "Probability", bold=True)
    for word, prob in VERBAL_SCALE:
        put(word, f"{prob:.2f}")
    put("", "(Renooij & Witteman 1999. Use any number from 0 to 1; the words are a guide.)")
    gap()
    put("Spread scale", bold=True)
    put("Words", "The factor follows the combination of its factors ...", bold=True)
    for word, _variance in SPREAD_SCALE:
        put(word, _SPREAD_MEANING.get(word, ""))
    gap()
    put("Study", f"{study.id}; questionnaire version {study.version}; model "
        f"{model.spec.id}; made {_dt.date.today().isoformat()}")
    for r in range(1, row):
        ws.cell(r, 1).alignment = wrap
    _protect(ws)


def _meta_sheet(ws: Worksheet, study: Study, expert: str,
                layout: list[tuple[str, str, str, str, str]]) -> None:
    ws["A1"] = "Read by cohesion-bn on import. Do not edit."
    row = 2
    meta = _meta(study, expert)
    meta["model"] = study.model.spec.id
    for key, value in meta.items():
        ws.cell(row, 1, key)
        ws.cell(row, 2, value)
        row += 1
    row += 1
    for j, h in enumerate(("question_id", "kind", "field", "sheet", "cell"), start=1):
        ws.cell(row, j, h)
    for entry in layout:
        row += 1
        for j, v in enumerate(entry, start=1):
            ws.cell(row, j, v)
    ws.column_dimensions["A"].width = 48
    _protect(ws)


# ------------------------------------------------------------------------ reading


def workbook_layout(path: str | Path) -> dict[str, dict[str, tuple[str, str]]]:
    """Where each answer goes in a questionnaire workbook, from its Meta sheet.

    Returns ``{question id: {field: (sheet, cell)}}``; the fields are the states, the
    quantile levels (``"5%"``), ``"value"`` and ``"rationale"``. For scripts that fill
    workbooks (tests, demonstrations).
    """
    raw = _read_xlsx(Path(path))
    if raw.problems:
        raise QuestionnaireError(str(path), raw.problems)
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for qid, r in raw.answers.items():
        cells = {**r.fields, **({"rationale": r.rationale[0]} if r.rationale else {})}
        out[qid] = {}
        for f, c in cells.items():
            sheet, _, coord = c.where.rpartition("!")
            out[qid][f] = (sheet, coord)
    return out


def read_questionnaire(path: str | Path, study: Study, *, expert: str | None = None,
                       strict: bool = False, format: str | None = None) -> ImportResult:
    """Read a filled-in questionnaire and check every answer against ``study``.

    ``expert``, if given, is the pseudonym the file must be for. Returns an
    :class:`ImportResult`: accepted answers, and every problem with its sheet and cell (or
    CSV row and column, or YAML path). Unanswered questions are listed in ``missing`` (and
    as problems), never filled in; a distribution more than :data:`SUM_TOLERANCE` from 1 is
    refused, not rescaled. A questionnaire for another study, expert, round or version
    yields no answers. ``strict=True`` raises :class:`QuestionnaireError` listing every
    problem instead of returning a result with problems.
    """
    p = Path(path)
    if not p.exists():
        raise QuestionnaireError(str(p), [Problem(str(p), "no such file")])
    fmt = _format(p, format)
    reader: Callable[[Path], _RawFile] = {"xlsx": _read_xlsx, "csv": _read_csv,
                                          "yaml": _read_yaml}[fmt]
    raw = reader(p)
    result = _check(raw, study, source=str(p), expected=expert)
    if strict and result.problems:
        raise QuestionnaireError(str(p), result.problems)
    return result


def _sheet_values(p: Path, *, data_only: bool) -> dict[str, dict[str, Any]]:
    """Every non-empty cell of every sheet: {sheet: {coordinate: value}} (one fast pass)."""
    from openpyxl import load_workbook

    wb = load_workbook(p, read_only=True, data_only=data_only)
    try:
        out: dict[str, dict[str, Any]] = {}
        for ws in wb.worksheets:
            cells = out[ws.title] = {}
            for row in ws.iter_rows():
                for c in row:
                    value = getattr(c, "value", None)
                    if value is not None:
                        cells[c.coordinate] = value
        return out
    finally:
        wb.close()


def _read_xlsx(p: Path) -> _RawFile:
    raw = _RawFile()
    try:
        sheets = _sheet_values(p, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raw.problems.append(Problem(str(p), f"cannot read the workbook: {exc}"))
        return raw
    if "Meta" not in sheets:
        raw.problems.append(Problem(str(p), "not a cohesion-bn questionnaire: no Meta "
                                    "sheet (was the file made by write_questionnaire?)"))
        return raw
    meta = sheets["Meta"]
    n_rows = max((int("".join(ch for ch in k if ch.isdigit())) for k in meta), default=0)
    cached: dict[str, dict[str, Any]] | None = None
    i = 2  # row 1 is a note
    while i <= n_rows and meta.get(f"A{i}") != "question_id":
        if meta.get(f"A{i}") is not None:
            raw.meta[str(meta[f"A{i}"])] = _Cell(meta.get(f"B{i}"), f"Meta!B{i}")
        i += 1
    missing: dict[str, list[str]] = {}  # a missing sheet -> the questions it held
    for j in range(i + 1, n_rows + 1):
        qid = meta.get(f"A{j}")
        if qid is None:
            continue
        qid, fld = str(qid), str(meta.get(f"C{j}"))
        sheet, coord = str(meta.get(f"D{j}")), str(meta.get(f"E{j}"))
        where = f"{sheet}!{coord}"
        if sheet not in sheets:
            if qid not in missing.setdefault(sheet, []):
                missing[sheet].append(qid)
            raw.unread.add(qid)
            continue
        value = sheets[sheet].get(coord)
        if isinstance(value, str) and value.startswith("="):  # a formula typed by the expert
            if cached is None:
                cached = _sheet_values(p, data_only=True)
            computed = cached[sheet].get(coord)
            value = computed if computed is not None else value
        r = raw.answers.setdefault(qid, _Raw(where))
        if fld == "rationale":
            r.rationale.append(_Cell(value, where))
        else:
            r.fields[fld] = _Cell(value, where)
            first = next(iter(r.fields.values())).where
            r.where = first if first == where else f"{first}:{coord}"  # the value cells
    unexpected = [name for name in sheets if name not in _written_sheets(meta, i, n_rows)]
    for sheet, qids in missing.items():
        hint = (f"; the workbook has sheet(s) {', '.join(map(repr, unexpected))} the "
                "questionnaire did not have: if one was renamed, give it its name back"
                if unexpected else "")
        raw.problems.append(Problem(
            str(p), f"the sheet {sheet!r} is missing, so its {len(qids)} question(s) "
            f"({qids[0]}{', ...' if len(qids) > 1 else ''}) were not read{hint}"))
    return raw


def _written_sheets(meta: Mapping[str, Any], header_row: int, n_rows: int) -> set[str]:
    """The sheets a questionnaire was written with: Meta's listed ones, and the fixed ones."""
    names = {"Meta", "Instructions", "Seeds"}
    names.update(str(meta.get(f"D{j}")) for j in range(header_row + 1, n_rows + 1)
                 if meta.get(f"D{j}") is not None)
    return names


def _read_csv(p: Path) -> _RawFile:
    raw = _RawFile()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raw.problems.append(Problem(str(p), f"cannot read: {exc}"))
        return raw
    reader = csv.DictReader(io.StringIO(text))
    need = {"question_id", "kind", "field", "value", "rationale"}
    have = set(reader.fieldnames or ())
    if not need <= have:
        raw.problems.append(Problem("row 1", "the header must have the columns "
                                    + ", ".join(_CSV_COLUMNS) + "; missing: "
                                    + ", ".join(sorted(need - have))))
        return raw
    for n, row in enumerate(reader, start=2):
        kind = (row.get("kind") or "").strip()
        fld = (row.get("field") or "").strip() or "value"
        where = f"row {n}, column value"
        if kind == "meta":
            raw.meta[fld] = _Cell(row.get("value"), where)
            continue
        qid = (row.get("question_id") or "").strip()
        if not qid:
            if any((v or "").strip() for v in row.values()):
                raw.problems.append(Problem(f"row {n}, column question_id", "no question id"))
            continue
        r = raw.answers.setdefault(qid, _Raw(f"row {n}"))
        if fld in r.fields:
            raw.problems.append(Problem(f"row {n}, column field", f"{qid} has {fld!r} twice"))
            continue
        r.fields[fld] = _Cell(row.get("value"), where)
        rat = row.get("rationale")
        if rat is not None and str(rat).strip():
            r.rationale.append(_Cell(rat, f"row {n}, column rationale"))
        first = next(iter(r.fields.values())).where.split(",")[0]
        r.where = first if first == f"row {n}" else f"{first}-{n}"
    return raw


def _read_yaml(p: Path) -> _RawFile:
    raw = _RawFile()
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raw.problems.append(Problem(str(p), f"cannot read: {exc}"))
        return raw
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else str(p)
        raw.problems.append(Problem(where, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return raw
    if not isinstance(data, Mapping) or not isinstance(data.get("questionnaire"), Mapping) \
            or not isinstance(data.get("questions"), list):
        raw.problems.append(Problem(str(p), "not a questionnaire: expected a mapping with "
                                    "'questionnaire' and a list 'questions'"))
        return raw
    for key, value in data["questionnaire"].items():
        raw.meta[str(key)] = _Cell(value, f"questionnaire.{key}")
    for i, item in enumerate(data["questions"]):
        at = f"questions[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raw.problems.append(Problem(at, "a question is a mapping with an 'id'"))
            continue
        qid = item["id"]
        if qid in raw.answers:
            raw.problems.append(Problem(f"{at}.id", f"{qid} appears twice"))
            continue
        r = raw.answers[qid] = _Raw(f"{at}.value")
        value = item.get("value")
        if isinstance(value, Mapping):
            for k, v in value.items():
                key = level_name(k) if isinstance(k, float) else str(k)
                r.fields[key] = _Cell(v, f"{at}.value.{k}")
        elif value is not None:
            r.fields["value"] = _Cell(value, f"{at}.value")
        rat = item.get("rationale")
        if rat is not None and str(rat).strip():
            r.rationale.append(_Cell(rat, f"{at}.rationale"))
    return raw


# ----------------------------------------------------------------------- checking


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _number(cell: _Cell) -> tuple[float | None, str]:
    """The cell's number, or ``(None, reason)``."""
    v = cell.value
    if isinstance(v, bool):
        return None, f"{v!r} is not a number"
    if isinstance(v, int | float):
        x = float(v)
        return (x, "") if math.isfinite(x) else (None, f"{v!r} is not a finite number")
    if isinstance(v, _dt.date | _dt.datetime | _dt.time):
        return None, (f"read as a date or time ({v}), not a number: type a decimal number "
                      "such as 0.33")
    s = str(v).strip()
    if s.startswith("="):
        return None, (f"a formula ({s}) whose value was not saved: type the number itself")
    try:
        x = float(s)
    except ValueError:
        hint = ""
        if "," in s and s.replace(",", ".", 1).replace(".", "", 1).isdigit():
            hint = ": use a decimal point (0.25), not a comma"
        elif s.endswith("%"):
            hint = ": type a decimal number (0.25), not a percentage text"
        return None, f"{s!r} is not a number{hint}"
    if not math.isfinite(x):
        return None, f"{s!r} is not a finite number"
    return x, ""


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _check(raw: _RawFile, study: Study, *, source: str, expected: str | None) -> ImportResult:
    res = ImportResult(path=source, problems=list(raw.problems))
    if raw.problems and not raw.meta:
        return res
    meta = raw.meta

    def get(key: str) -> _Cell:
        return meta.get(key, _Cell(None, f"meta field {key!r}"))

    fatal: list[Problem] = []
    fmt = get("format")
    if str(fmt.value or "").strip() != FORMAT_TAG:
        fatal.append(Problem(fmt.where, f"{fmt.value!r} is not {FORMAT_TAG!r}: not a "
                             "questionnaire written by cohesion-bn"))
    st = get("study")
    res.study = str(st.value or "").strip()
    if res.study != study.id:
        fatal.append(Problem(st.where, f"this questionnaire is for study {res.study!r}, not "
                             f"{study.id!r}"))
    ex = get("expert")
    res.expert = str(ex.value or "").strip()
    if res.expert not in study.expert_ids:
        fatal.append(Problem(ex.where, f"expert {res.expert!r} is not in study {study.id!r}"
                             f"{did_you_mean(res.expert, study.expert_ids)}; its experts "
                             f"are: {', '.join(study.expert_ids)}"))
    elif expected is not None and res.expert != expected:
        fatal.append(Problem(ex.where, f"this questionnaire is expert {res.expert}'s, "
                             f"not {expected}'s"))
    rd = get("round")
    rnd, _why = _number(rd) if not _blank(rd.value) else (None, "")
    res.round = int(rnd) if rnd is not None and rnd == int(rnd) else None
    if res.round != study.round:
        fatal.append(Problem(rd.where, f"this questionnaire is for round {rd.value!r}; the "
                             f"study is in round {study.round}"))
    ver = get("questionnaire_version")
    res.version = str(ver.value or "").strip()
    if res.version != study.version:
        fatal.append(Problem(ver.where, f"questionnaire version {res.version!r} is not the "
                             f"study's {study.version!r}: the questions have changed since "
                             "this questionnaire was made; send the expert a new one"))
    if fatal:
        res.problems.extend(fatal)
        res.problems.append(Problem(source, "nothing imported from this questionnaire"))
        return res

    questions = study.questions(res.expert)
    known = {q.id for q in questions}
    for qid, found in raw.answers.items():
        if qid not in known:
            res.problems.append(Problem(found.where, f"unknown question {qid!r} for expert "
                                        f"{res.expert}: ignored"))
    for q in questions:
        r = raw.answers.get(q.id)
        if r is None:
            res.missing.append(q.id)
            if q.id not in raw.unread:
                res.problems.append(Problem(source, f"question {q.id} is not in the file: "
                                            "no answer"))
            continue
        value = _check_one(q, r, study, res)
        if value is _MISSING:
            res.missing.append(q.id)
            res.problems.append(Problem(r.where, f"no answer to {q.id}"))
            given = [c for c in r.rationale if not _blank(c.value)]
            if given:
                res.notes.append(Problem(given[0].where, f"a reason is given for {q.id} "
                                         "but no answer; the reason is not stored"))
            continue
        if value is _REFUSED:
            res.refused.append(q.id)
            continue
        rationale = " / ".join(dict.fromkeys(str(c.value).strip() for c in r.rationale
                                             if not _blank(c.value)))
        res.answers.append(Answer(study=study.id, round=study.round, expert=res.expert,
                                  question=q.id, value=value, rationale=rationale,
                                  questionnaire_version=study.version))
    return res


_MISSING: Any = object()
_REFUSED: Any = object()


def answer_fields(q: Question) -> list[str]:
    """The value fields of a question: its states, its quantile levels' names, or ``value``."""
    return _fields(q)


@dataclass(frozen=True)
class CheckedAnswer:
    """One answer checked as the import checks it.

    ``status`` is ``"ok"`` (``value`` is the accepted value), ``"missing"`` (left blank)
    or ``"refused"`` (``problems`` say why, each at the ``where`` of its field).
    """

    status: Literal["ok", "missing", "refused"]
    value: Any = None
    problems: tuple[Problem, ...] = ()
    notes: tuple[Problem, ...] = ()


def check_answer(q: Question, fields: Mapping[str, Any], study: Study, *,
                 where: Mapping[str, str] | None = None) -> CheckedAnswer:
    """Check one question's raw entries (``{field: value}``, fields from
    :func:`answer_fields`) exactly as :func:`read_questionnaire` does, so other front ends
    (the workshop app) accept and refuse the same answers. ``where`` names each field's
    location for the problems (default: the field's name)."""
    loc = dict(where or {})
    raw = _Raw(where=loc.get("", q.id))
    for f in _fields(q):
        raw.fields[f] = _Cell(fields.get(f), loc.get(f, f))
    res = ImportResult(path="form")
    value = _check_one(q, raw, study, res)
    if value is _MISSING:
        return CheckedAnswer("missing", notes=tuple(res.notes))
    if value is _REFUSED:
        return CheckedAnswer("refused", problems=tuple(res.problems), notes=tuple(res.notes))
    return CheckedAnswer("ok", value, tuple(res.problems), tuple(res.notes))


def _check_one(q: Question, r: _Raw, study: Study, res: ImportResult) -> Any:
    """The accepted value of one answer, or :data:`_MISSING` / :data:`_REFUSED`."""
    want = _fields(q)
    extra = [f for f in r.fields if f not in want]
    bad: list[Problem] = []
    for f in extra:
        if not _blank(r.fields[f].value):
            bad.append(Problem(r.fields[f].where, f"{q.id}: unexpected {f!r}; expected "
                               + ", ".join(want)))
    present = {f: r.fields[f] for f in want if f in r.fields and not _blank(r.fields[f].value)}
    if not present and not bad:
        return _MISSING
    absent = [f for f in want if f not in present]
    if absent and present:
        what = "states" if q.kind == "distribution" else "levels"
        where = r.where
        if q.kind == "distribution":
            msg = (f"{q.id}: incomplete distribution, no probability for "
                   f"{', '.join(absent)}; give every state a number (0 is allowed)")
        else:
            msg = f"{q.id}: incomplete, no number for the {what} {', '.join(absent)}"
        bad.append(Problem(where, msg))

    if q.kind in ("function", "spread"):
        if "value" in present:
            word = str(present["value"].value).strip()
            lowered = {o.lower(): o for o in q.options}
            if word.lower() in lowered and not bad:
                return lowered[word.lower()]
            if word.lower() not in lowered:
                bad.append(Problem(present["value"].where, f"{q.id}: {word!r} is not one of "
                                   f"{', '.join(q.options)}{did_you_mean(word, q.options)}"))
        return _refuse(bad, q, res)

    numbers: dict[str, float] = {}
    for f, cell in present.items():
        x, why = _number(cell)
        if x is None:
            bad.append(Problem(cell.where, f"{q.id}: {why}"))
            continue
        numbers[f] = x
        if q.kind == "distribution" and not 0.0 <= x <= 1.0:
            bad.append(Problem(cell.where, f"{q.id}: probability {_fmt(x)} is out of range; "
                               "give a number from 0 to 1 (0.25, not 25)"))
        elif q.kind == "weight":
            lo, hi = (q.low, q.high) if q.low is not None and q.high is not None \
                else WEIGHT_RANGE
            if not lo <= x <= hi:
                bad.append(Problem(cell.where, f"{q.id}: weight {_fmt(x)} is out of range; "
                                   f"give a number from {lo:g} to {hi:g}"))
        elif q.kind == "quantiles" and _seed_scale(q, study) == "log" and x <= 0:
            bad.append(Problem(cell.where, f"{q.id}: {_fmt(x)} must be above 0 (this "
                               "quantity is on a log scale)"))
    if bad:
        return _refuse(bad, q, res)

    if q.kind == "weight":
        return numbers["value"]
    if q.kind == "distribution":
        total = math.fsum(numbers.values())
        if abs(total - 1.0) > SUM_TOLERANCE:
            bad.append(Problem(r.where, f"{q.id}: the probabilities sum to {_fmt(total)}, not "
                               f"1 (tolerance {SUM_TOLERANCE:g}); answer refused, not "
                               "rescaled"))
            return _refuse(bad, q, res)
        if abs(total - 1.0) > 1e-9:
            res.notes.append(Problem(r.where, f"{q.id}: the probabilities sum to "
                                     f"{_fmt(total)}; accepted within the tolerance "
                                     f"{SUM_TOLERANCE:g}, stored as written"))
        return {s: numbers[s] for s in q.states}
    # quantiles
    values = [numbers[f] for f in want]
    if any(b <= a for a, b in itertools.pairwise(values)):
        shown = ", ".join(f"{f} = {_fmt(numbers[f])}" for f in want)
        bad.append(Problem(r.where, f"{q.id}: the quantiles must increase strictly "
                           f"({shown})"))
        return _refuse(bad, q, res)
    return values


def _refuse(bad: list[Problem], q: Question, res: ImportResult) -> Any:
    res.problems.extend(bad)
    return _REFUSED
