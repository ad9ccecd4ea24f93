"""Study files and questionnaires: write, fill in as an expert would, read back, check.

The workbook is filled with openpyxl, cell by cell, the way an expert's spreadsheet
program would save it; every import problem must name its sheet and cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from cohesion_bn.elicitation.questionnaire import (
    SUM_TOLERANCE,
    read_questionnaire,
    workbook_layout,
    write_questionnaire,
    write_questionnaires,
)
from cohesion_bn.elicitation.questions import SPREAD_SCALE, Answer, Question
from cohesion_bn.elicitation.study import Study, level_name, load_study
from cohesion_bn.errors import ElicitationError, QuestionnaireError

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo_study"
MODEL = REPO / "models" / "nato_cohesion.yaml"

STUDY_TEXT = f"""\
id: test-study
title: A test study
model: {MODEL}
round: 1
experts:
  - id: E1
    nodes: [threat_russia, threat_mena, norms, cohesion]
  - id: E2
    nodes: [norms, Turkey and the United States]
  - E3
seeds:
  - {{id: troops, text: "How many?", realisation: 42, scale: log, unit: thousand}}
  - {{id: share, text: "What share?", realisation: 2.5, scale: uni, unit: "%"}}
"""


def write_study(tmp_path: Path, text: str = STUDY_TEXT, name: str = "study.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return load_study(write_study(tmp_path_factory.mktemp("study")))


def value_for(q: Question, i: int) -> tuple[dict[str, Any], Any]:
    """A deterministic valid answer to ``q`` (number ``i``): (cells to type, the value)."""
    if q.kind == "distribution":
        probs = [0.2, 0.3, 0.5] if i % 2 else [0.7, 0.25, 0.05]
        probs = probs[:len(q.states)]
        probs[-1] = round(1 - sum(probs[:-1]), 2)
        cells = dict(zip(q.states, probs, strict=True))
        return cells, dict(cells)
    if q.kind == "weight":
        return {"value": float(i % 11)}, float(i % 11)
    if q.kind == "function":
        word = q.options[i % len(q.options)]
        return {"value": word}, word
    if q.kind == "spread":
        word = q.options[i % len(q.options)]
        return {"value": word}, word
    vals = [10.0 + i, 20.0 + i, 40.0 + i]
    return dict(zip((level_name(x) for x in q.levels), vals, strict=True)), vals


def fill_xlsx(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Type ``entries`` ({question id: {field: value}}) into the workbook and save it."""
    layout = workbook_layout(path)
    wb = load_workbook(path)
    for qid, fields in entries.items():
        for name, value in fields.items():
            sheet, cell = layout[qid][name]
            wb[sheet][cell] = value
    wb.save(path)


def set_cells(path: Path, cells: dict[str, Any]) -> None:
    """Set cells given as ``"Sheet!C7"``."""
    wb = load_workbook(path)
    for ref, value in cells.items():
        sheet, _, cell = ref.rpartition("!")
        wb[sheet][cell] = value
    wb.save(path)


def full_answers(study: Study, expert: str) -> tuple[dict[str, dict[str, Any]], list[Answer]]:
    entries: dict[str, dict[str, Any]] = {}
    expected: list[Answer] = []
    for i, q in enumerate(study.questions(expert)):
        cells, value = value_for(q, i)
        why = f"reason {i}" if i % 3 == 0 else ""
        entries[q.id] = {**cells, **({"rationale": why} if why else {})}
        expected.append(Answer(study=study.id, round=study.round, expert=expert,
                               question=q.id, value=value, rationale=why,
                               questionnaire_version=study.version))
    return entries, expected


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory: pytest.TempPathFactory, study: Study) -> Path:
    p = write_questionnaire(study, "E1", tmp_path_factory.mktemp("filled") / "E1.xlsx")
    fill_xlsx(p, full_answers(study, "E1")[0])
    return p


@pytest.fixture
def filled(tmp_path: Path, filled_template: Path) -> Path:
    """A copy of E1's questionnaire, every question answered, for a test to spoil."""
    return Path(shutil.copy(filled_template, tmp_path / "E1.xlsx"))


def where_of(result: Any) -> dict[str, str]:
    return {p.where: p.message for p in result.problems}


# ------------------------------------------------------------------------- study file


def test_study_file_loads_with_defaults(study: Study) -> None:
    assert study.id == "test-study"
    assert study.expert_ids == ("E1", "E2", "E3")
    assert study.levels == (0.05, 0.5, 0.95)
    assert study.seeds[0].scale == "log" and study.seeds[0].realisation == 42.0
    e3 = study.questions("E3")  # the default: every node with parents
    assert {q.node for q in e3 if q.node} == {
        n for n in study.model.nodes if study.model.parents(n)}
    e2 = study.questions("E2")
    assert {q.node for q in e2 if q.node} == {"norms", "norms_turkey_us"}  # label resolved
    assert [q.id for q in e2 if q.kind == "quantiles"] == ["seed/troops", "seed/share"]
    assert len(study.version) == 10


def test_model_path_is_relative_to_the_study_file(tmp_path: Path) -> None:
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    shutil.copy(MODEL, tmp_path / "a" / "m.yaml")
    p = write_study(sub, STUDY_TEXT.replace(str(MODEL), "../m.yaml"))
    assert load_study(p).model.spec.id == "nato_cohesion"


def test_version_follows_the_questions_not_the_round(tmp_path: Path, study: Study) -> None:
    round2 = load_study(write_study(tmp_path, STUDY_TEXT.replace("round: 1", "round: 2")))
    assert round2.version == study.version
    reworded = load_study(write_study(tmp_path, STUDY_TEXT.replace("What share?", "Share?"),
                                      name="s2.yaml"))
    assert reworded.version != study.version
    fewer = load_study(write_study(tmp_path, STUDY_TEXT + "check_columns: 2\n",
                                   name="s3.yaml"))
    assert fewer.version != study.version


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("- id: E1", "- id: Jane Smith", "experts[0].id", "never put an expert's name"),
    ("- E3\n", "- {id: E3, name: Jane}\n", "experts[2].name", "unknown field"),
    ("[norms, Turkey and the United States]", "[norms, nrms]", "experts[1].nodes",
     "unknown node 'nrms'"),
    ("scale: log", "scale: ln", "seeds[0].scale", "'uni' or 'log'"),
    ("realisation: 42", "realisation: many", "seeds[0].realisation", "not a number"),
    ("round: 1", "round: first", "round", "round number"),
    ("id: test-study\n", "", "id", "missing"),
    ("- id: E2\n", "- id: E1\n", "experts[1].id", "listed twice"),
])
def test_study_file_problems_name_file_and_field(tmp_path: Path, old: str, new: str,
                                                 field: str, words: str) -> None:
    assert old in STUDY_TEXT
    p = write_study(tmp_path, STUDY_TEXT.replace(old, new, 1))
    with pytest.raises(QuestionnaireError) as err:
        load_study(p)
    found = [str(x) for x in err.value.problems if x.where == f"{p}: {field}"]
    assert found and words in found[0], err.value.problems


def test_study_file_duplicate_keys_and_quantile_levels(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="duplicate key 'round'"):
        load_study(write_study(tmp_path, STUDY_TEXT + "round: 2\n"))
    with pytest.raises(QuestionnaireError, match="must increase strictly"):
        load_study(write_study(tmp_path, STUDY_TEXT + "quantile_levels: [0.5, 0.05, 0.95]\n",
                               name="q.yaml"))


def test_unknown_expert(study: Study, tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="no expert 'E4'"):
        write_questionnaire(study, "E4", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


# ------------------------------------------------------------------------- workbook


def test_xlsx_round_trip_gives_exact_answers(filled: Path, study: Study) -> None:
    result = read_questionnaire(filled, study, expert="E1")
    assert result.problems == [] and result.missing == [] and result.ok
    assert result.answers == full_answers(study, "E1")[1]
    assert (result.study, result.expert, result.round, result.version) == (
        "test-study", "E1", 1, study.version)


def test_workbook_layout_and_protection(tmp_path: Path, study: Study) -> None:
    p = write_questionnaire(study, "E1", tmp_path / "E1.xlsx")
    wb = load_workbook(p)
    assert wb.sheetnames[0] == "Instructions" and wb.sheetnames[-2:] == ["Seeds", "Meta"]
    assert "Node cohesion" in wb.sheetnames
    assert wb["Meta"].sheet_state == "hidden"
    assert wb.security is not None and wb.security.lockStructure
    ws = wb["Node threat_russia"]
    assert ws["A1"].value == "Russia"
    assert "Russian threat" in str(ws["A3"].value)
    # the first question: text in B8, one state per row in C9:C11, rationale in E8
    layout = workbook_layout(p)
    first = layout["threat_russia/p/war_outcome=ukraine_wins"]
    assert first == {"rationale": ("Node threat_russia", "E8"),
                     "strengthens": ("Node threat_russia", "C9"),
                     "neutral": ("Node threat_russia", "C10"),
                     "weakens": ("Node threat_russia", "C11")}
    assert "SUM(C9:C11)" in str(ws["C12"].value)
    assert layout["seed/troops"]["5%"] == ("Seeds", "D5")
    instructions = " ".join(str(c.value) for row in wb["Instructions"].iter_rows()
                            for c in row if c.value is not None)
    for word, prob in (("probable", "0.85"), ("fifty-fifty", "0.50")):
        assert word in instructions and prob in instructions
    assert all(w in instructions for w, _ in SPREAD_SCALE)
    assert "you are E1" in instructions and "pseudonym" in instructions
    for name in wb.sheetnames:
        assert wb[name].protection.sheet, name


def test_every_input_cell_is_unlocked_and_validated(tmp_path: Path, study: Study) -> None:
    p = write_questionnaire(study, "E3", tmp_path / "E3.xlsx")
    wb = load_workbook(p)
    kinds = {q.id: q for q in study.questions("E3")}
    n = 0
    for qid, fields in workbook_layout(p).items():
        q = kinds[qid]
        for name, (sheet, cell) in fields.items():
            ws = wb[sheet]
            assert ws[cell].protection.locked is False, (sheet, cell)
            dvs = [d for d in ws.data_validations.dataValidation if cell in d.sqref]
            assert len(dvs) == 1, (sheet, cell)
            dv = dvs[0]
            if name == "rationale":
                assert dv.type == "textLength"
            elif q.kind == "distribution":
                assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "1")
            elif q.kind == "weight":
                assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "10")
            elif q.kind in ("function", "spread"):
                assert dv.type == "list"
                assert dv.formula1 == '"' + ",".join(q.options) + '"'
            else:
                seed = study.seed(qid.removeprefix("seed/"))
                assert dv.type == "decimal"
                assert (dv.operator == "greaterThan") == (seed.scale == "log")
            assert dv.showErrorMessage
            n += 1
    assert n > 200
    # a locked cell (a question's text) has no validation and stays locked
    ws = wb["Node threat_russia"]
    assert ws["B8"].protection.locked is not False
    # the live sum is coloured by conditional formatting
    rules = {str(rng.sqref): [r.formula for r in rng.rules]
             for rng in ws.conditional_formatting}
    assert any("C12" in k and len(v) == 2 for k, v in rules.items()), rules


def test_never_overwrites(tmp_path: Path, study: Study) -> None:
    for fmt in ("xlsx", "csv", "yaml"):
        p = tmp_path / f"q.{fmt}"
        p.write_text("precious", encoding="utf-8")
        with pytest.raises(FileExistsError, match="never overwritten") as err:
            write_questionnaire(study, "E1", p)
        assert str(p) in str(err.value)
        assert p.read_text(encoding="utf-8") == "precious"
    paths = write_questionnaires(study, tmp_path / "all", format="csv")
    assert [x.name for x in paths] == [f"test-study_E{i}_round1.csv" for i in (1, 2, 3)]
    with pytest.raises(FileExistsError):
        write_questionnaires(study, tmp_path / "all", format="csv")


def test_unknown_format(tmp_path: Path, study: Study) -> None:
    with pytest.raises(ElicitationError, match="suffix"):
        write_questionnaire(study, "E1", tmp_path / "q.txt")
    with pytest.raises(ElicitationError, match="unknown questionnaire format"):
        write_questionnaire(study, "E1", tmp_path / "q.xlsx", format="ods")


# --------------------------------------------------------------------- import problems

R = "threat_russia/p/war_outcome=ukraine_wins"  # cells C9:C11 of "Node threat_russia"
M = "threat_mena/p/war_outcome=ukraine_wins"    # cells C9:C11 of "Node threat_mena"


def test_out_of_range_probability_and_weight(filled: Path, study: Study) -> None:
    layout = workbook_layout(filled)
    w_sheet, w_cell = layout["cohesion/weight/norms"]["value"]
    set_cells(filled, {"Node threat_russia!C9": 1.5, f"{w_sheet}!{w_cell}": 11})
    res = read_questionnaire(filled, study)
    got = where_of(res)
    assert "out of range" in got["Node threat_russia!C9"]
    assert "from 0 to 1" in got["Node threat_russia!C9"]
    assert "weight 11 is out of range" in got[f"Node cohesion!{w_cell}"]
    assert set(res.refused) == {R, "cohesion/weight/norms"}
    assert not {a.question for a in res.answers} & set(res.refused)
    assert len(res.answers) == len(study.questions("E1")) - 2


def test_non_numbers(filled: Path, study: Study) -> None:
    set_cells(filled, {"Node threat_russia!C9": "abc", "Node threat_russia!C10": "0,25",
                       "Node threat_mena!C9": dt.datetime(2026, 1, 3)})
    got = where_of(read_questionnaire(filled, study))
    assert "'abc' is not a number" in got["Node threat_russia!C9"]
    assert "decimal point" in got["Node threat_russia!C10"]
    assert "date" in got["Node threat_mena!C9"]


def test_numeric_text_is_read_as_its_number(filled: Path, study: Study) -> None:
    set_cells(filled, {"Node threat_russia!C9": " 0.7 "})
    res = read_questionnaire(filled, study)
    assert res.ok
    assert next(a for a in res.answers if a.question == R).value["strengthens"] == 0.7


def test_distribution_not_summing_to_one_is_refused_not_rescaled(filled: Path,
                                                                  study: Study) -> None:
    set_cells(filled, {"Node threat_russia!C9": 0.5, "Node threat_russia!C10": 0.3,
                       "Node threat_russia!C11": 0.1,
                       "Node threat_mena!C9": 0.33, "Node threat_mena!C10": 0.33,
                       "Node threat_mena!C11": 0.335})
    res = read_questionnaire(filled, study)
    msg = where_of(res)["Node threat_russia!C9:C11"]
    assert "sum to 0.9" in msg and f"tolerance {SUM_TOLERANCE:g}" in msg and "refused" in msg
    assert R in res.refused and R not in {a.question for a in res.answers}
    # within the tolerance: accepted as written, with a note
    mena = next(a for a in res.answers if a.question == M)
    assert mena.value == {"strengthens": 0.33, "neutral": 0.33, "weakens": 0.335}
    assert any(n.where == "Node threat_mena!C9:C11" for n in res.notes)


def test_missing_and_incomplete_answers_are_flagged_not_filled(filled: Path,
                                                              study: Study) -> None:
    layout = workbook_layout(filled)
    s_sheet, s_cell = layout["cohesion/spread"]["value"]
    set_cells(filled, {"Node threat_russia!C9": None, "Node threat_russia!C10": None,
                       "Node threat_russia!C11": None, f"{s_sheet}!{s_cell}": None,
                       "Node threat_mena!C10": None, "Seeds!E6": None})
    res = read_questionnaire(filled, study)
    got = where_of(res)
    assert res.missing == [R, "cohesion/spread"]
    assert "no answer" in got["Node threat_russia!C9:C11"]
    assert "no answer" in got[f"Node cohesion!{s_cell}"]
    assert "incomplete distribution" in got["Node threat_mena!C9:C11"]
    assert "neutral" in got["Node threat_mena!C9:C11"]
    assert "incomplete" in got["Seeds!D6:F6"] and "50%" in got["Seeds!D6:F6"]
    assert set(res.refused) == {M, "seed/share"}
    asked = {a.question for a in res.answers}
    assert not asked & {R, M, "cohesion/spread", "seed/share"}
    assert not res.ok


def test_unknown_words(filled: Path, study: Study) -> None:
    layout = workbook_layout(filled)
    f_sheet, f_cell = layout["cohesion/function"]["value"]
    s_sheet, s_cell = layout["norms/spread"]["value"]
    set_cells(filled, {f"{f_sheet}!{f_cell}": "wmeen", f"{s_sheet}!{s_cell}": " Loosely "})
    res = read_questionnaire(filled, study)
    msg = where_of(res)[f"Node cohesion!{f_cell}"]
    assert "'wmeen' is not one of wmean, wmin, wmax, mixminmax" in msg
    assert "did you mean 'wmean'" in msg
    assert res.refused == ["cohesion/function"]
    # case and blanks do not matter for a known word
    assert next(a for a in res.answers if a.question == "norms/spread").value == "loosely"


def test_quantiles_not_increasing_or_not_positive(filled: Path, study: Study) -> None:
    set_cells(filled, {"Seeds!D5": 30, "Seeds!E5": 20, "Seeds!F5": 40,   # troops, log
                       "Seeds!D6": -5, "Seeds!E6": 1, "Seeds!F6": 2})     # share, uni: fine
    res = read_questionnaire(filled, study)
    msg = where_of(res)["Seeds!D5:F5"]
    assert "must increase" in msg and "5% = 30" in msg
    assert res.refused == ["seed/troops"]
    assert next(a for a in res.answers if a.question == "seed/share").value == [-5, 1, 2]
    set_cells(filled, {"Seeds!D5": -1})
    assert "must be above 0" in where_of(read_questionnaire(filled, study))["Seeds!D5"]


@pytest.mark.parametrize(("cell", "value", "words"), [
    ("Meta!B6", "0123456789", "questionnaire version '0123456789' is not the study's"),
    ("Meta!B3", "other-study", "for study 'other-study', not 'test-study'"),
    ("Meta!B4", "E9", "expert 'E9' is not in study"),
    ("Meta!B5", 2, "for round 2; the study is in round 1"),
])
def test_wrong_questionnaire_imports_nothing(filled: Path, study: Study, cell: str,
                                             value: Any, words: str) -> None:
    set_cells(filled, {cell: value})
    res = read_questionnaire(filled, study)
    assert res.answers == []
    assert words in where_of(res)[cell]
    with pytest.raises(QuestionnaireError) as err:
        read_questionnaire(filled, study, strict=True)
    assert f"{cell}: " in str(err.value) and str(filled) in str(err.value)


def test_wrong_expert(filled: Path, study: Study) -> None:
    res = read_questionnaire(filled, study, expert="E2")
    assert res.answers == []
    assert "expert E1's, not E2's" in where_of(res)["Meta!B4"]


def test_questionnaire_of_another_version_of_the_study(filled: Path, tmp_path: Path) -> None:
    changed = load_study(write_study(tmp_path, STUDY_TEXT.replace("How many?", "How many, "
                                                                  "roughly?"), name="v2.yaml"))
    res = read_questionnaire(filled, changed)
    assert res.answers == [] and "questions have changed" in where_of(res)["Meta!B6"]


def test_strict_raises_listing_every_problem(filled: Path, study: Study) -> None:
    set_cells(filled, {"Node threat_russia!C9": 1.5, "Seeds!D5": 30, "Seeds!E5": 20})
    with pytest.raises(QuestionnaireError) as err:
        read_questionnaire(filled, study, strict=True)
    assert [p.where for p in err.value.problems] == ["Node threat_russia!C9",
                                                     "Seeds!D5:F5"]
    assert "2 problems" in str(err.value)


def test_not_a_questionnaire(tmp_path: Path, study: Study) -> None:
    from openpyxl import Workbook

    p = tmp_path / "other.xlsx"
    Workbook().save(p)
    res = read_questionnaire(p, study)
    assert res.answers == [] and "no Meta sheet" in res.problems[0].message
    with pytest.raises(QuestionnaireError, match="no such file"):
        read_questionnaire(tmp_path / "nope.xlsx", study)


# ------------------------------------------------------------------------ CSV and YAML


def test_csv_round_trip(tmp_path: Path, study: Study) -> None:
    p = write_questionnaire(study, "E2", tmp_path / "E2.csv")
    entries, expected = full_answers(study, "E2")
    with p.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["question_id", "kind", "field", "allowed", "value", "rationale",
                             "text"]
    for row in rows:
        if row["kind"] == "meta":
            continue
        fields = entries[row["question_id"]]
        row["value"] = str(fields[row["field"]])
        if row["allowed"]:  # the first row of a question
            row["rationale"] = fields.get("rationale", "")
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    res = read_questionnaire(p, study)
    assert res.problems == []
    assert res.answers == expected


def test_csv_problems_name_row_and_column(tmp_path: Path, study: Study) -> None:
    p = write_questionnaire(study, "E2", tmp_path / "E2.csv")
    lines = p.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines, start=1) if line.startswith("norms/function"))
    lines[n - 1] = lines[n - 1].replace(",,,", ",average,,", 1)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = read_questionnaire(p, study)
    assert "'average' is not one of" in where_of(res)[f"row {n}, column value"]
    assert "norms/spread" in res.missing


def test_yaml_round_trip(tmp_path: Path, study: Study) -> None:
    p = write_questionnaire(study, "E2", tmp_path / "E2.yaml")
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    entries, expected = full_answers(study, "E2")
    for item in data["questions"]:
        fields = dict(entries[item["id"]])
        item["rationale"] = fields.pop("rationale", "")
        item["value"] = fields.get("value", fields) if item["kind"] in (
            "weight", "function", "spread") else fields
    p.unlink()
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    res = read_questionnaire(p, study)
    assert res.problems == []
    assert res.answers == expected
    # a problem names its YAML path
    data["questions"][0]["value"]["strengthens"] = 2
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    res = read_questionnaire(p, study)
    assert "out of range" in where_of(res)["questions[0].value.strengthens"]


# -------------------------------------------------------------------------- the demo


def test_demo_study_questionnaires_import_with_partial_flags() -> None:
    study = load_study(DEMO / "study.yaml")
    assert study.expert_ids == ("E1", "E2", "E3", "E4")
    assert 6 <= len(study.seeds) <= 10
    assert all("made-up" in s.text.lower() for s in study.seeds)
    assert "made up" in (DEMO / "study.yaml").read_text(encoding="utf-8").lower()
    n = len(study.questions("E1"))
    results = {e: read_questionnaire(DEMO / "answers" / f"{e}.xlsx", study, expert=e)
               for e in study.expert_ids}
    for e in ("E1", "E2", "E3"):
        assert results[e].ok and len(results[e].answers) == n, results[e].problems
    e4 = results["E4"]
    assert e4.missing == ["inst_nato_eu/p/war_outcome=stalemate", "seed/demo_summit_days"]
    assert e4.refused == [] and len(e4.answers) == n - 2
    assert {p.where for p in e4.problems} == {"Node inst_nato_eu!C21:C23", "Seeds!D10:F10"}
    # the experts disagree most on the contested nodes
    def spread_of(qid: str) -> float:
        firsts = [next(a.value for a in r.answers if a.question == qid)["strengthens"]
                  for r in results.values()]
        return max(firsts) - min(firsts)

    assert spread_of("norms_turkey_us/p/war_outcome=ukraine_wins") > spread_of(
        "threat_china/p/war_outcome=ukraine_wins")


def test_renamed_sheet_is_one_problem_that_says_what_to_do(filled: Path, study: Study) -> None:
    """A renamed node sheet: one problem naming the sheet, how many questions it held and
    the unexpected sheet, not one line per question; its questions count as missing."""
    wb = load_workbook(filled)
    wb["Node threat_russia"].title = "Russia (mine)"
    wb.save(filled)
    res = read_questionnaire(filled, study)
    sheet_problems = [p for p in res.problems if "is missing" in p.message]
    assert len(sheet_problems) == 1
    msg = sheet_problems[0].message
    assert "the sheet 'Node threat_russia' is missing, so its 3 question(s)" in msg
    assert "'Russia (mine)'" in msg and "give it its name back" in msg
    assert not [p for p in res.problems if "is not in the file" in p.message]
    assert len([q for q in res.missing if q.startswith("threat_russia/")]) == 3
    assert not res.ok
