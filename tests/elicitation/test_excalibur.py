"""Reading Excalibur .dtt/.rls files: the format's rules and its error messages."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from cohesion_bn.elicitation.excalibur import read_excalibur
from cohesion_bn.errors import ElicitationError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cooke"

HEADER = "* CLASS ASCII OUTPUT FILE. NQ=   3   QU=   5  50  95"


def dtt_line(eno: int, eid: str, ino: int, name: str, scale: str, *qs: float,
             question: str = "") -> str:
    """One .dtt line in Excalibur's fixed-width layout."""
    values = " ".join(f"{q: .5E}".replace("E+", "E+00").replace("E-", "E-00") for q in qs)
    return f"{eno:5d} {eid:>8s}{ino:5d} {name:>14s} {scale} {values} {question}".rstrip()


def rls_line(ino: int, name: str, value: float, scale: str, question: str = "") -> str:
    return f"{ino:5d} {name:>14s} {value: .5E} {scale} {question}".rstrip()


def write(tmp_path: Path, dtt: list[str], rls: list[str] | None, stem: str = "study") -> Path:
    path = tmp_path / f"{stem}.dtt"
    path.write_text("\n".join(dtt) + "\n")
    if rls is not None:
        (tmp_path / f"{stem}.rls").write_text("\n".join(rls) + "\n")
    return path


def good_dtt() -> list[str]:
    return [
        HEADER,
        dtt_line(1, "Ann", 1, "seed one", "UNI", 1, 2, 3, question="How many?"),
        dtt_line(1, "Ann", 2, "log reduction", "LOG", 10, 100, 1000),
        dtt_line(1, "Ann", 3, "target", "uni", 5, 6, 7),
        dtt_line(2, "Bob", 1, "seed one", "UNI", 0, 2, 4),
        dtt_line(2, "Bob", 2, "log reduction", "LOG", -996, -996, -996),
        dtt_line(2, "Bob", 3, "target", "uni", 4, 6, 8),
    ]


def good_rls() -> list[str]:
    # Numbered differently from the .dtt, and in another order: matched by name.
    return [
        rls_line(7, "log reduction", 50.0, "LOG"),
        rls_line(9, "seed one", 2.5, "UNI", "How many?"),
        rls_line(8, "target", -995.0, "UNI"),
    ]


def test_reads_a_study(tmp_path: Path) -> None:
    study = read_excalibur(write(tmp_path, good_dtt(), good_rls()))
    assert study.experts == ("Ann", "Bob")
    assert study.item_names == ("seed one", "log reduction", "target")
    assert study.quantiles == (0.05, 0.5, 0.95)
    assert [it.scale for it in study.items] == ["uni", "log", "uni"]
    assert [it.realisation for it in study.items] == [2.5, 50.0, None]
    assert study.items[0].question == "How many?"
    np.testing.assert_array_equal(study.answers[0, 0], [1, 2, 3])
    assert np.isnan(study.answers[1, 1]).all()  # -996 is a missing answer
    np.testing.assert_array_equal(study.answers[1, 2], [4, 6, 8])


def test_item_missing_from_rls_is_a_target(tmp_path: Path) -> None:
    rls = [rls_line(1, "seed one", 2.5, "UNI")]
    study = read_excalibur(write(tmp_path, good_dtt(), rls))
    assert [it.is_seed for it in study.items] == [True, False, False]


def test_explicit_rls_path_and_uppercase_default(tmp_path: Path) -> None:
    dtt = write(tmp_path, good_dtt(), None, stem="UPPER")
    (tmp_path / "UPPER.RLS").write_text("\n".join(good_rls()) + "\n")
    assert read_excalibur(dtt).items[0].realisation == 2.5
    other = tmp_path / "elsewhere.txt"
    other.write_text(rls_line(1, "seed one", 9.0, "UNI") + "\n")
    assert read_excalibur(dtt, other).items[0].realisation == 9.0


def test_partially_missing_answer_is_missing_with_a_warning(tmp_path: Path) -> None:
    dtt = good_dtt()
    dtt[4] = dtt_line(2, "Bob", 1, "seed one", "UNI", -999.5, -999.5, 4)
    with pytest.warns(UserWarning, match="line\\(s\\) 5 give some quantiles"):
        study = read_excalibur(write(tmp_path, dtt, good_rls()))
    assert np.isnan(study.answers[1, 0]).all()


def test_shared_studies_read() -> None:
    arkansas = read_excalibur(DATA / "Arkansas.dtt")
    assert arkansas.quantiles == (0.05, 0.25, 0.5, 0.75, 0.95)
    assert arkansas.answers.shape == (4, 30, 5)
    assert int(arkansas.seed_mask.sum()) == 10
    assert "Unins <100 FPL" in arkansas.item_names
    food = read_excalibur(DATA / "Food_prices_seeds.dtt")
    # The .rls numbers S02..S13 1..10; the .dtt numbers them 47..57: matched by name.
    assert food.answers.shape == (10, 57, 3)
    assert int(food.seed_mask.sum()) == 10
    s08 = food.items[food.item_names.index("S08")]
    assert s08.scale == "log" and s08.realisation == pytest.approx(74067.0)
    pv = read_excalibur(DATA / "PoliticalViolence_seeds_CW_seeds.dtt")
    assert int(np.isnan(pv.answers[:, :, 0]).sum()) == 2  # Exp13 on S11 and S12


# --------------------------------------------------------------------------------------
# Bad files: ElicitationError naming the file, the line and the problem
# --------------------------------------------------------------------------------------


def _error(tmp_path: Path, dtt: list[str], rls: list[str] | None) -> str:
    path = write(tmp_path, dtt, rls)
    with pytest.raises(ElicitationError) as info:
        read_excalibur(path)
    return str(info.value)


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        (1, "NQ= 3 but no levels", r"study\.dtt, line 1: expected the header"),
        (1, "* CLASS ASCII OUTPUT FILE. NQ=   3   QU=   5  50", r"line 1: NQ= 3 but QU= lists 2"),
        (1, "* CLASS ASCII OUTPUT FILE. NQ=   3   QU=   5  95  50",
         r"line 1: the quantile levels must be strictly increasing"),
        (3, dtt_line(1, "Ann", 2, "log reduction", "LOG", 10, 100, 1000)[:-15],
         r"study\.dtt, line 3: expected an item name, the scale UNI or LOG and 3 numbers"),
        (3, dtt_line(1, "Ann", 2, "log reduction", "XYZ", 10, 100, 1000),
         r"study\.dtt, line 3: expected an item name, the scale UNI or LOG"),
        (3, "    1      Ann    2  log reduction LOG  1.0E+0001  abc  1.0E+0003",
         r"study\.dtt, line 3: expected an item name"),
        (2, dtt_line(1, "Ann", 1, "seed one", "UNI", 3, 2, 1),
         r"study\.dtt, line 2: expert 'Ann', item 'seed one': the quantiles \[3\.0, 2\.0, "
         r"1\.0\] must be strictly increasing"),
        (2, dtt_line(1, "Ann", 1, "seed one", "UNI", 1, 1, 3), r"line 2: .*strictly increasing"),
        (3, dtt_line(1, "Ann", 2, "log reduction", "LOG", -5, 100, 1000),
         r"study\.dtt, line 3: item 'log reduction' has a log scale, so its quantiles must be "
         r"positive"),
        (4, dtt_line(1, "Ann", 3, "target", "LOG", 5, 6, 7),
         r"study\.dtt, line 7: item 'target' has scale UNI here but LOG on line 4"),
        (5, dtt_line(2, "Eve", 1, "seed one", "UNI", 0, 2, 4),
         r"study\.dtt, line 6: expert number 2 is 'Bob' here but 'Eve' earlier"),
        (6, dtt_line(2, "Bob", 1, "seed one", "UNI", 0, 2, 4),
         r"study\.dtt, line 6: expert 'Bob' answers item 'seed one' a second time \(first on "
         r"line 5\)"),
        (7, "garbage", r"study\.dtt, line 7: expected 'expert-no expert-id item-no"),
    ],
)
def test_bad_dtt_names_the_line(
    tmp_path: Path, line: int, replacement: str, message: str
) -> None:
    dtt = good_dtt()
    dtt[line - 1] = replacement
    assert re.search(message, _error(tmp_path, dtt, good_rls()))


def test_missing_expert_item_line(tmp_path: Path) -> None:
    dtt = good_dtt()
    del dtt[6]
    msg = _error(tmp_path, dtt, good_rls())
    assert "study.dtt: expert 'Bob' has no line for item 'target'" in msg


@pytest.mark.parametrize(
    ("index", "replacement", "message"),
    [
        (0, "    7  log reduction  not-a-number LOG", r"study\.rls, line 1: expected 'item-no"),
        (0, rls_line(7, "log reduction", 50.0, "UNI"),
         r"study\.rls, line 1: item 'log reduction' has scale UNI here but LOG in the \.dtt "
         r"file \(line 3\)"),
        (0, rls_line(7, "log reduction", -3.0, "LOG"),
         r"study\.rls, line 1: item 'log reduction' has a log scale, so its realisation must "
         r"be positive"),
        (1, rls_line(9, "seed on", 2.5, "UNI"),
         r"study\.rls, line 2: item 'seed on' is not in the \.dtt file \(did you mean "
         r"'seed one'\?\)"),
        (2, rls_line(8, "seed one", 2.5, "UNI"),
         r"study\.rls, line 3: item 'seed one' is listed a second time \(first on line 2\)"),
    ],
)
def test_bad_rls_names_the_line(
    tmp_path: Path, index: int, replacement: str, message: str
) -> None:
    rls = good_rls()
    rls[index] = replacement
    assert re.search(message, _error(tmp_path, good_dtt(), rls))


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ElicitationError, match=r"nope\.dtt: no such \.dtt"):
        read_excalibur(tmp_path / "nope.dtt")
    path = write(tmp_path, good_dtt(), None)
    with pytest.raises(ElicitationError, match=r"study\.rls: no such \.rls"):
        read_excalibur(path)


def test_empty_and_header_only(tmp_path: Path) -> None:
    assert "the file is empty" in _error(tmp_path, ["", "  "], good_rls())
    assert "header but no answers" in _error(tmp_path, [HEADER], good_rls())


def test_latin1_file(tmp_path: Path) -> None:
    dtt = good_dtt()
    dtt[1] = dtt_line(1, "Ann", 1, "seed one", "UNI", 1, 2, 3, question="Größe?")
    path = tmp_path / "study.dtt"
    path.write_bytes(("\n".join(dtt) + "\n").encode("latin-1"))
    (tmp_path / "study.rls").write_text("\n".join(good_rls()) + "\n")
    study = read_excalibur(path)
    assert study.items[0].question == "Größe?"
    assert math.isfinite(study.answers[0, 0, 0])
