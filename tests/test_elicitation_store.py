"""The study store: append-only, idempotent, atomic, concurrent, exportable.

Every expert here is made up (pseudonyms E01, E02, ...); their answers are arbitrary.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
from pathlib import Path

import pytest

from cohesion_bn.elicitation.questions import Answer, Question
from cohesion_bn.elicitation.store import Store, check_pseudonym, read_export
from cohesion_bn.errors import ElicitationError

STUDY = "test-study"


def ans(expert: str, question: str, value: object, *, round: int = 1, rationale: str = "",
        time: str = "") -> Answer:
    """A made-up expert's answer."""
    return Answer(STUDY, round, expert, question, value, rationale, "v1", time)


def dist(p: float) -> dict[str, float]:
    return {"on": p, "off": round(1 - p, 10)}


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "study.sqlite")


def test_add_is_idempotent_and_revisions_append(store: Store) -> None:
    batch = [ans("E01", "sprinkler/p/rain=yes", dist(0.1)),
             ans("E01", "sprinkler/p/rain=no", dist(0.4)),
             ans("E02", "sprinkler/p/rain=yes", dist(0.2))]
    r1 = store.add(batch)
    assert (r1.new, r1.revised, r1.unchanged) == (3, 0, 0)
    r2 = store.add(batch)  # the same answers again: a no-op
    assert (r2.new, r2.revised, r2.unchanged) == (0, 0, 3)
    assert r2.statuses == ("unchanged",) * 3
    assert len(store.history()) == 3
    # a changed value and, separately, a changed rationale each add a revision
    r3 = store.add([ans("E01", "sprinkler/p/rain=yes", dist(0.3)),
                    ans("E02", "sprinkler/p/rain=yes", dist(0.2), rationale="rain rarely")])
    assert (r3.new, r3.revised, r3.unchanged) == (0, 2, 0)
    hist = store.history(expert="E01", question="sprinkler/p/rain=yes")
    assert [h.revision for h in hist] == [1, 2]
    assert [h.answer.value for h in hist] == [dist(0.1), dist(0.3)]  # nothing was updated
    latest = {(a.expert, a.question): a for a in store.latest()}
    assert latest[("E01", "sprinkler/p/rain=yes")].value == dist(0.3)
    assert latest[("E02", "sprinkler/p/rain=yes")].rationale == "rain rarely"
    assert len(store.latest()) == 3
    # only time and questionnaire version differ: the same answer, still a no-op
    again = Answer(STUDY, 1, "E01", "sprinkler/p/rain=no", dist(0.4), "", "v2",
                   "2030-01-01T00:00:00+00:00")
    assert store.add([again]).unchanged == 1
    # back to an earlier value is a change from the latest: revision 3
    assert store.add([ans("E01", "sprinkler/p/rain=yes", dist(0.1))]).revised == 1
    assert store.experts() == ["E01", "E02"]
    assert all(h.node == "sprinkler" for h in store.history())
    assert all(h.answer.time.endswith("+00:00") for h in store.history())


def test_latest_by_round(store: Store) -> None:
    store.add([ans("E01", "wet/function", "wmean", round=1),
               ans("E01", "wet/spread", "tightly", round=1),
               ans("E01", "wet/function", "wmin", round=2)])
    assert {a.question: a.value for a in store.latest(round=1)} == {
        "wet/function": "wmean", "wet/spread": "tightly"}
    assert [a.value for a in store.latest(round=2)] == ["wmin"]
    # across rounds: the highest round's answer, and round 1's where round 2 did not ask
    assert {a.question: (a.round, a.value) for a in store.latest()} == {
        "wet/function": (2, "wmin"), "wet/spread": (1, "tightly")}
    assert store.latest(expert="E02") == []
    assert store.rounds() == [1, 2]


@pytest.mark.parametrize("name", ["Jane Doe", "jane@mod.gov", "j.doe", "", "O'Neill",
                                  "Alice", "e1", "E12345", "ABCD1", "-E1", 7])
def test_pseudonyms_only(store: Store, name: object) -> None:
    with pytest.raises(ElicitationError, match="pseudonym"):
        check_pseudonym(name)
    with pytest.raises(ElicitationError, match="pseudonym"):
        store.add([ans(name, "wet/function", "wmean")])  # type: ignore[arg-type]
    assert store.history() == []


def test_bad_answers_refuse_the_whole_batch(store: Store) -> None:
    good = ans("E01", "wet/function", "wmean")
    for bad, msg in [(ans("E02", "wet", "x"), "question id"),
                     (ans("E02", "wet/p/", float("nan")), "JSON"),
                     (ans("E02", "wet/function", "x", round=-1), "round"),
                     (ans("E02", "wet/function", "x", time="yesterday"), "ISO"),
                     (ans("E02", "wet/function", "x", time="2026-01-01T10:00:00"), "UTC"),
                     (Answer("other-study", 1, "E02", "wet/function", "x"), "one study")]:
        with pytest.raises(ElicitationError, match=msg):
            store.add([good, bad])
    assert store.history() == []


def test_one_study_per_store(tmp_path: Path) -> None:
    s = Store(tmp_path / "a.sqlite", study=STUDY)
    with pytest.raises(ElicitationError, match="store of study"):
        s.add([Answer("another", 1, "E01", "wet/function", "wmean")])
    with pytest.raises(ElicitationError, match="store of study"):
        Store(tmp_path / "a.sqlite", study="another")
    assert Store(tmp_path / "a.sqlite").study == STUDY


def test_delete_expert_is_logged_and_tables_are_append_only(store: Store) -> None:
    store.add([ans("E01", "wet/function", "wmean", rationale="secret reasoning"),
               ans("E01", "wet/spread", "tightly"),
               ans("E02", "wet/function", "wmin")])
    store.add([ans("E01", "wet/function", "wmax")])
    assert store.delete_expert("E01", "withdrew consent", actor="analyst1") == 3
    assert store.experts() == ["E02"]
    assert store.history(expert="E01") == []
    ev = store.events()
    last = ev.iloc[-1]
    assert (last["action"], last["expert"], last["actor"], last["reason"], last["rows"]) == (
        "delete_expert", "E01", "analyst1", "withdrew consent", 3)
    assert "secret" not in ev.to_csv() and "wmean" not in ev.to_csv()
    with pytest.raises(ElicitationError, match="reason"):
        store.delete_expert("E02", " ")
    with pytest.raises(ElicitationError, match="no answers"):
        store.delete_expert("E01", "again")
    # the file itself refuses edits other than delete_expert's
    con = sqlite3.connect(store.path)
    try:
        for sql in ("UPDATE answers SET value = '1'", "DELETE FROM answers",
                    "UPDATE events SET reason = 'x'", "DELETE FROM events"):
            with pytest.raises(sqlite3.DatabaseError, match=r"append-only|delete_expert"):
                con.execute(sql)
    finally:
        con.close()
    assert len(store.history()) == 1 and len(store.events()) == len(ev)


def test_not_a_store(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("just some text, not a database\n" * 50)
    with pytest.raises(ElicitationError, match="not a cohesion-bn study store"):
        Store(text)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE answers (x)")
    con.commit()
    con.close()
    with pytest.raises(ElicitationError, match="not a cohesion-bn study store"):
        Store(other)


def test_exception_inside_the_transaction_leaves_nothing(store: Store,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store.add([ans("E01", "wet/function", "wmean")])
    calls = {"n": 0}
    real = Store._insert_row

    def failing(self: Store, *args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_insert_row", failing)
    batch = [ans("E02", f"wet/weight/p{i}", i) for i in range(5)]
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.add(batch)
    assert calls["n"] == 3  # two rows were inserted before the failure ...
    monkeypatch.undo()
    assert [a.expert for a in store.latest()] == ["E01"]  # ... and rolled back
    assert store.add(batch).new == 5


def _die_mid_batch(path: str) -> None:
    """Child process: start a batch, then die (no commit, no rollback) after two rows."""
    calls = {"n": 0}
    real = Store._insert_row

    def dying(self: Store, *args: object) -> None:
        real(self, *args)  # type: ignore[arg-type]
        calls["n"] += 1
        if calls["n"] == 2:
            os._exit(3)

    Store._insert_row = dying  # type: ignore[method-assign]
    Store(path).add([ans("E02", f"wet/weight/p{i}", i) for i in range(5)])


def test_process_killed_mid_transaction(store: Store) -> None:
    store.add([ans("E01", "wet/function", "wmean")])
    proc = mp.get_context("fork").Process(target=_die_mid_batch, args=(str(store.path),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 3
    reopened = Store(store.path)
    assert [a.expert for a in reopened.latest()] == ["E01"]
    assert reopened.add([ans("E02", "wet/function", "wmin")]).new == 1


def _writer(path: str, expert: str, start: mp.synchronize.Event) -> None:  # type: ignore[name-defined]
    start.wait(30)
    s = Store(path)
    shared = [ans("E99", f"wet/weight/q{i}", i) for i in range(20)]
    for b in range(10):
        s.add([ans(expert, f"wet/weight/p{b}_{i}", b * 10 + i) for i in range(10)])
        s.add(shared)  # both processes add the same answers: exactly once afterwards


def test_two_processes_write_at_once(store: Store) -> None:
    ctx = mp.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(str(store.path), e, start))
             for e in ("E01", "E02")]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    hist = store.history()
    keys = [(h.answer.expert, h.answer.question) for h in hist]
    assert len(keys) == len(set(keys)) == 2 * 100 + 20
    assert all(h.revision == 1 for h in hist)
    assert store.experts() == ["E01", "E02", "E99"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_round_trip(store: Store, tmp_path: Path, fmt: str) -> None:
    store.add([ans("E01", "wet/function", "wmean", rationale='says "mean", with, commas'),
               ans("E01", "sprinkler/p/rain=yes", dist(0.1)),
               ans("E02", "seed/item1", [1.5, 2.0, 3.25]),
               ans("E02", "wet/weight/rain", 7)])
    store.add([ans("E01", "wet/function", "wmin", round=2)])
    store.add([ans("E01", "sprinkler/p/rain=yes", dist(0.2))])
    out = store.export(tmp_path / f"all.{fmt}", format=fmt)  # type: ignore[arg-type]
    with pytest.raises(FileExistsError, match="exists"):
        store.export(out, format=fmt)  # type: ignore[arg-type]
    back = read_export(out)
    assert back == [h.answer for h in store.history()]
    fresh = Store(tmp_path / "fresh.sqlite")
    fresh.add(back)
    assert [(h.answer, h.revision, h.node) for h in fresh.history()] == [
        (h.answer, h.revision, h.node) for h in store.history()]
    assert fresh.latest() == store.latest()


def test_export_expert(store: Store, tmp_path: Path) -> None:
    store.add([ans("E01", "wet/function", "wmean"), ans("E02", "wet/function", "wmin")])
    out = store.export_expert("E02", tmp_path / "e02.json")
    assert [a.expert for a in read_export(out)] == ["E02"]
    assert "E01" not in out.read_text()
    with pytest.raises(ElicitationError, match="no answers"):
        store.export_expert("E03", tmp_path / "e03.json")


def test_status(store: Store) -> None:
    qs = [Question("sprinkler/p/rain=yes", "distribution", "?", node="sprinkler"),
          Question("sprinkler/p/rain=no", "distribution", "?", node="sprinkler"),
          Question("wet/function", "function", "?", node="wet"),
          Question("seed/item1", "quantiles", "?")]
    store.add([ans("E01", "sprinkler/p/rain=yes", dist(0.1)),
               ans("E01", "wet/function", "wmean"),
               ans("E02", "seed/item1", [1, 2, 3])])
    st = store.status(qs)
    assert st.loc[("E01", "sprinkler"), "answered"] == 1
    assert st.loc[("E01", "sprinkler"), "total"] == 2
    assert bool(st.loc[("E01", "wet"), "complete"])
    assert st.loc[("E02", "seed"), "answered"] == 1
    assert st.loc[("E02", "wet"), "answered"] == 0
