"""The study store: every answer every expert gave, append-only, in one SQLite file.

One file holds one study. Each row is one revision of one expert's answer to one question
in one round::

    answers(id, study, round, expert, node, question, value, rationale, time,
            questionnaire_version, revision)

``value`` is canonical JSON (sorted keys, no NaN), ``time`` an ISO 8601 UTC timestamp,
``node`` the part of the question id before its first ``/`` (NULL for ``seed/...``
questions), ``revision`` counts from 1 per (round, expert, question).

**Append-only.** Adding an answer whose value and rationale equal the latest revision of
the same (round, expert, question) is a no-op and is reported as ``unchanged``; a changed
value or rationale adds revision *n + 1*; nothing is ever updated. (The time and the
questionnaire version are not part of an answer's identity: re-importing the same
questionnaire later is a no-op.) Triggers in the file refuse any ``UPDATE`` of an answer,
and any ``DELETE`` other than :meth:`Store.delete_expert`'s, which is the one exception:
it removes one expert's answers (e.g. when the expert withdraws consent) and logs who
deleted how many rows, when and why -- never the answers' content -- in the ``events``
table, which itself refuses ``UPDATE`` and ``DELETE``.

**Atomic and concurrent.** :meth:`Store.add` writes a whole batch in one ``BEGIN
IMMEDIATE`` transaction in WAL mode with a busy timeout, so a crash or an exception
leaves the batch either entirely in or entirely out and the file readable, and two
processes adding at the same time both succeed (one waits for the other's lock).

**Pseudonyms only.** Experts are identified by pseudonyms (see :data:`PSEUDONYM_PATTERN`);
the mapping to real people is kept elsewhere, by the study's organiser, so the store, its
exports and every report built from it hold no personal names.
"""

from __future__ import annotations

import csv
import datetime as _dt
import getpass
import json
import math
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..errors import ElicitationError
from .questions import Answer, Question

__all__ = [
    "PSEUDONYM_PATTERN",
    "SCHEMA_VERSION",
    "AddResult",
    "Store",
    "StoredAnswer",
    "canonical_json",
    "check_pseudonym",
    "node_of",
    "read_export",
]

#: The store's schema version (the ``schema`` table holds it).
SCHEMA_VERSION = 1

#: SQLite ``application_id`` of a cohesion-bn store ("CBNS").
_APPLICATION_ID = 0x43424E53

#: What a pseudonym looks like: one to three capital letters, then a number of one to four
#: digits (``E1``, ``E07``, ``MIL12``); the study file uses the same rule. Why: a pseudonym
#: must not be a person's name or address. No pattern can recognise every name, but a code
#: of capitals and digits cannot hold a name ("Jane Doe", "jdoe"), an e-mail address
#: ("jane@mod.gov") or free text, and it is safe in file names, CSV cells and plot labels.
PSEUDONYM_PATTERN = re.compile(r"^[A-Z]{1,3}[0-9]{1,4}$")

_BUSY_TIMEOUT_MS = 60_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study TEXT NOT NULL,
    round INTEGER NOT NULL,
    expert TEXT NOT NULL,
    node TEXT,
    question TEXT NOT NULL,
    value TEXT NOT NULL,
    rationale TEXT NOT NULL,
    time TEXT NOT NULL,
    questionnaire_version TEXT NOT NULL,
    revision INTEGER NOT NULL,
    UNIQUE (round, expert, question, revision)
);
CREATE INDEX IF NOT EXISTS answers_expert ON answers (expert, round, question);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    action TEXT NOT NULL,
    expert TEXT,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    rows INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deletion_permit (expert TEXT PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS answers_no_update BEFORE UPDATE ON answers
BEGIN SELECT RAISE(ABORT, 'the answers table is append-only'); END;
CREATE TRIGGER IF NOT EXISTS answers_no_delete BEFORE DELETE ON answers
WHEN NOT EXISTS (SELECT 1 FROM deletion_permit WHERE expert = OLD.expert)
BEGIN SELECT RAISE(ABORT, 'answers are deleted only by delete_expert'); END;
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the events table is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the events table is append-only'); END;
"""

_COLUMNS = ("id", "study", "round", "expert", "node", "question", "value", "rationale",
            "time", "questionnaire_version", "revision")


def check_pseudonym(expert: Any) -> str:
    """Return ``expert`` if it is a valid pseudonym, else raise :class:`ElicitationError`.

    See :data:`PSEUDONYM_PATTERN` for what is allowed and why.
    """
    if not isinstance(expert, str) or not PSEUDONYM_PATTERN.match(expert):
        raise ElicitationError(
            f"expert {expert!r} is not a pseudonym: use one to three capital letters and a "
            "number (e.g. E1, E07); the store keeps pseudonyms only, never names or e-mail "
            "addresses")
    return expert


def node_of(question: str) -> str | None:
    """The node a question id is about (the part before the first ``/``); None for seeds."""
    head = question.split("/", 1)[0]
    return None if head == "seed" else head


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON: sorted keys, compact, UTF-8, finite numbers only."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ElicitationError(f"answer value {value!r} cannot be stored as JSON: {exc} "
                               "(use numbers, text, lists and mappings; no NaN)") from None


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class AddResult:
    """What :meth:`Store.add` did: counts, and per input answer ``new``/``revised``/``unchanged``.

    ``unchanged`` answers were duplicates of the latest revision (an idempotent re-add).
    """

    new: int
    revised: int
    unchanged: int
    statuses: tuple[Literal["new", "revised", "unchanged"], ...] = ()

    @property
    def added(self) -> int:
        """Rows written: new plus revised."""
        return self.new + self.revised


@dataclass(frozen=True)
class StoredAnswer:
    """One row of the store: an answer with its node, revision and row id."""

    answer: Answer
    node: str | None
    revision: int
    id: int

    def to_dict(self) -> dict[str, Any]:
        """A flat mapping (the export's columns; ``value`` decoded)."""
        d = asdict(self.answer)
        d.update(node=self.node, revision=self.revision, id=self.id)
        return {k: d[k] for k in _COLUMNS}


def _check_answer(a: Any, i: int) -> tuple[Answer, str]:
    """Validate one answer; return it (time filled in) and its canonical JSON value."""
    where = f"answer #{i + 1}"
    if not isinstance(a, Answer):
        raise ElicitationError(f"{where}: expected an Answer, got {type(a).__name__}")
    if not isinstance(a.study, str) or not a.study.strip():
        raise ElicitationError(f"{where}: the study id must be non-empty text")
    if isinstance(a.round, bool) or not isinstance(a.round, int) or a.round < 0:
        raise ElicitationError(f"{where}: round {a.round!r} is not a whole number >= 0")
    check_pseudonym(a.expert)
    if not isinstance(a.question, str) or "/" not in a.question or a.question.startswith("/"):
        raise ElicitationError(f"{where}: {a.question!r} is not a question id such as "
                               "'cohesion/function' or 'seed/item1'")
    for name in ("rationale", "questionnaire_version", "time"):
        if not isinstance(getattr(a, name), str):
            raise ElicitationError(f"{where}: {name} must be text")
    time = a.time
    if time:
        try:
            parsed = _dt.datetime.fromisoformat(time)
        except ValueError:
            raise ElicitationError(f"{where}: time {time!r} is not ISO 8601") from None
        if parsed.tzinfo is None or parsed.utcoffset() != _dt.timedelta(0):
            raise ElicitationError(f"{where}: time {time!r} must be UTC (end in +00:00 or Z)")
    else:
        time = _now()
    value = canonical_json(a.value)
    return Answer(a.study, a.round, a.expert, a.question, json.loads(value), a.rationale,
                  a.questionnaire_version, time), value


class Store:
    """The answers of one study, in the SQLite file ``path`` (created if missing).

    ``study``: the study id; a new store takes it (or the first answer's), an existing
    one checks it. Raises :class:`ElicitationError` for a file that is not a cohesion-bn
    store, or one of a newer schema.

    Connections are opened per call, so a ``Store`` may be used from several processes
    (each with its own ``Store`` object) at once.
    """

    def __init__(self, path: str | Path, *, study: str | None = None) -> None:
        self.path = Path(path)
        if study is not None and (not isinstance(study, str) or not study.strip()):
            raise ElicitationError(f"the study id must be non-empty text, got {study!r}")
        if self.path.exists() and self.path.stat().st_size > 0:
            self._check_store()
        else:
            self._create()
        stored = self.study
        if study is not None:
            if stored is None:
                with self._write() as con:
                    con.execute("INSERT OR IGNORE INTO meta VALUES ('study', ?)", (study,))
            elif stored != study:
                raise ElicitationError(f"{self.path} is the store of study {stored!r}, "
                                       f"not {study!r}")

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, study={self.study!r})"

    # ------------------------------------------------------------------ connections
    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000,
                                  isolation_level=None)
        except sqlite3.Error as exc:
            raise ElicitationError(f"{self.path}: cannot open the store: {exc}") from None
        con.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        return con

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        except sqlite3.DatabaseError as exc:
            raise ElicitationError(f"{self.path}: cannot read the store: {exc}") from None
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: committed if the block ends normally,
        rolled back (nothing written) if it raises."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise ElicitationError(f"{self.path}: cannot write to the store: {exc}") from None
        finally:
            con.close()

    def _create(self) -> None:
        con = self._connect()
        try:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("BEGIN IMMEDIATE")
            app = con.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and app != _APPLICATION_ID:
                con.execute("ROLLBACK")
                raise ElicitationError(f"{self.path} is an SQLite file but not a cohesion-bn "
                                       "study store")
            for stmt in _SCHEMA.split(";\n"):
                if stmt.strip():
                    con.execute(stmt)
            if con.execute("SELECT COUNT(*) FROM schema").fetchone()[0] == 0:
                con.execute("INSERT INTO schema VALUES (?)", (SCHEMA_VERSION,))
            con.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise ElicitationError(f"{self.path}: cannot create a store: {exc}") from None
        finally:
            con.close()

    def _check_store(self) -> None:
        not_store = (f"{self.path} is not a cohesion-bn study store (expected an SQLite file "
                     "made by cohesion_bn.elicitation.store.Store)")
        try:
            con = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000,
                                  isolation_level=None)
        except sqlite3.Error:
            raise ElicitationError(not_store) from None
        try:
            app = con.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if app != _APPLICATION_ID or not {"schema", "answers", "events"} <= tables:
                raise ElicitationError(not_store)
            version = con.execute("SELECT MAX(version) FROM schema").fetchone()[0]
            con.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError:
            raise ElicitationError(not_store) from None
        finally:
            con.close()
        if version != SCHEMA_VERSION:
            raise ElicitationError(f"{self.path} is a store of schema version {version}; this "
                                   f"release reads version {SCHEMA_VERSION}")

    # ------------------------------------------------------------------ properties
    @property
    def study(self) -> str | None:
        """The study id, or None for a store that has no answers and no study yet."""
        with self._read() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'study'").fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------------ writing
    def add(self, answers: Iterable[Answer]) -> AddResult:
        """Add a batch of answers in one transaction; see the module docstring.

        Every answer is validated first (pseudonym, round, question id, JSON value, UTC
        time; an empty time becomes now); one bad answer refuses the whole batch. An answer
        equal (value and rationale) to the latest revision of its (round, expert,
        question) is ``unchanged``; else it is ``new`` (first revision) or ``revised``.
        Answers are processed in order, so a batch may revise its own earlier answers.
        """
        prepared = [_check_answer(a, i) for i, a in enumerate(answers)]
        studies = sorted({a.study for a, _ in prepared})
        if len(studies) > 1:
            raise ElicitationError(f"one store holds one study; this batch has answers for "
                                   f"{', '.join(map(repr, studies))}")
        statuses: list[Literal["new", "revised", "unchanged"]] = []
        if not prepared:
            return AddResult(0, 0, 0, ())
        with self._write() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'study'").fetchone()
            if row is None:
                con.execute("INSERT INTO meta VALUES ('study', ?)", (studies[0],))
            elif row[0] != studies[0]:
                raise ElicitationError(f"{self.path} is the store of study {row[0]!r}; these "
                                       f"answers are for study {studies[0]!r}")
            for a, value in prepared:
                last = con.execute(
                    "SELECT revision, value, rationale FROM answers WHERE round = ? AND "
                    "expert = ? AND question = ? ORDER BY revision DESC LIMIT 1",
                    (a.round, a.expert, a.question)).fetchone()
                if last is not None and last[1] == value and last[2] == a.rationale:
                    statuses.append("unchanged")
                    continue
                revision = 1 if last is None else int(last[0]) + 1
                self._insert_row(con, a, value, revision)
                statuses.append("new" if last is None else "revised")
            counts = {s: statuses.count(s) for s in ("new", "revised", "unchanged")}
            if counts["new"] or counts["revised"]:
                self._log(con, "add", None, "", counts["new"] + counts["revised"], None)
        return AddResult(counts["new"], counts["revised"], counts["unchanged"],
                         tuple(statuses))

    def _insert_row(self, con: sqlite3.Connection, a: Answer, value: str,
                    revision: int) -> None:
        con.execute(
            "INSERT INTO answers (study, round, expert, node, question, value, rationale, "
            "time, questionnaire_version, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.study, a.round, a.expert, node_of(a.question), a.question, value, a.rationale,
             a.time, a.questionnaire_version, revision))

    @staticmethod
    def _log(con: sqlite3.Connection, action: str, expert: str | None, reason: str,
             rows: int, actor: str | None) -> None:
        if actor is None:
            try:
                actor = getpass.getuser()
            except (KeyError, OSError):  # no login name (e.g. in a container)
                actor = "unknown"
        con.execute("INSERT INTO events (time, action, expert, actor, reason, rows) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (_now(), action, expert, actor, reason, rows))

    def delete_expert(self, pseudonym: str, reason: str, *, actor: str | None = None) -> int:
        """Remove every answer of expert ``pseudonym``; return how many rows went.

        The one exception to append-only (an expert withdrawing, or data that must not be
        kept). The deletion is logged in ``events`` (time, ``actor`` -- the operator's login
        name by default --, ``reason``, the pseudonym and the number of rows; no answer
        content). ``reason`` is required. Deleting an expert with no answers raises.
        """
        check_pseudonym(pseudonym)
        if not isinstance(reason, str) or not reason.strip():
            raise ElicitationError("give a reason for deleting an expert's answers (it is "
                                   "logged)")
        with self._write() as con:
            n = con.execute("SELECT COUNT(*) FROM answers WHERE expert = ?",
                            (pseudonym,)).fetchone()[0]
            if n == 0:
                raise ElicitationError(f"no answers of expert {pseudonym!r} in {self.path}; "
                                       f"the experts are: {', '.join(self._experts(con))}")
            con.execute("INSERT INTO deletion_permit VALUES (?)", (pseudonym,))
            con.execute("DELETE FROM answers WHERE expert = ?", (pseudonym,))
            con.execute("DELETE FROM deletion_permit WHERE expert = ?", (pseudonym,))
            self._log(con, "delete_expert", pseudonym, reason.strip(), int(n), actor)
        return int(n)

    # ------------------------------------------------------------------ reading
    @staticmethod
    def _experts(con: sqlite3.Connection) -> list[str]:
        return [r[0] for r in con.execute("SELECT DISTINCT expert FROM answers ORDER BY expert")]

    def experts(self) -> list[str]:
        """The pseudonyms of the experts with answers, sorted."""
        with self._read() as con:
            return self._experts(con)

    def rounds(self) -> list[int]:
        """The rounds with answers, sorted."""
        with self._read() as con:
            return [int(r[0]) for r in con.execute(
                "SELECT DISTINCT round FROM answers ORDER BY round")]

    def _select(self, where: str, params: Sequence[Any]) -> list[StoredAnswer]:
        with self._read() as con:
            rows = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM answers {where}",
                               params).fetchall()
        return [_stored(r) for r in rows]

    @staticmethod
    def _filters(round: int | None, expert: str | None,
                 question: str | None) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for name, val in (("round", round), ("expert", expert), ("question", question)):
            if val is not None:
                clauses.append(f"{name} = ?")
                params.append(val)
        return clauses, params

    def history(self, *, round: int | None = None, expert: str | None = None,
                question: str | None = None) -> list[StoredAnswer]:
        """Every revision (optionally of one round, expert, question), in insertion order."""
        clauses, params = self._filters(round, expert, question)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._select(f"{where} ORDER BY id", params)

    def latest(self, round: int | None = None, expert: str | None = None) -> list[Answer]:
        """The latest answer per expert x question, sorted by expert and question.

        With ``round`` given, the latest revision within that round; with ``round=None``,
        the latest revision of the highest round in which the expert answered the question
        (so a question not asked again in round 2 keeps its round-1 answer).
        """
        clauses, params = self._filters(round, expert, None)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._select(
            f"{where} ORDER BY expert, question, round, revision", params)
        last: dict[tuple[str, str], StoredAnswer] = {}
        for r in rows:
            last[(r.answer.expert, r.answer.question)] = r
        return [last[k].answer for k in sorted(last)]

    def events(self) -> pd.DataFrame:
        """The event log (additions and deletions): time, action, expert, actor, reason, rows."""
        with self._read() as con:
            rows = con.execute("SELECT id, time, action, expert, actor, reason, rows FROM "
                               "events ORDER BY id").fetchall()
        return pd.DataFrame(rows, columns=["id", "time", "action", "expert", "actor",
                                           "reason", "rows"]).set_index("id")

    def status(self, questions: Sequence[Question], *,
               round: int | None = None) -> pd.DataFrame:
        """Answered / total questions per expert x node (latest answers of ``round``).

        Index (expert, node); columns ``answered``, ``total``, ``complete``. Seed questions
        are counted under the node ``"seed"``. Answers to questions not in ``questions``
        are not counted.
        """
        by_node: dict[str, set[str]] = {}
        for q in questions:
            by_node.setdefault(node_of(q.id) or "seed", set()).add(q.id)
        answered: dict[str, set[str]] = {}
        for a in self.latest(round=round):
            answered.setdefault(a.expert, set()).add(a.question)
        rows = []
        for e in sorted(answered):
            for node, ids in by_node.items():
                n = len(ids & answered[e])
                rows.append((e, node, n, len(ids), n == len(ids)))
        df = pd.DataFrame(rows, columns=["expert", "node", "answered", "total", "complete"])
        return df.set_index(["expert", "node"])

    # ------------------------------------------------------------------ export
    def export(self, path: str | Path, *, format: Literal["csv", "json"] = "csv",
               overwrite: bool = False) -> Path:
        """Write every revision of every answer to ``path`` (CSV or JSON); see
        :func:`read_export`. JSON also holds the study id, schema version and event log."""
        return _write_export(self.history(), Path(path), format, overwrite, self,
                             with_events=True)

    def export_expert(self, pseudonym: str, path: str | Path, *,
                      format: Literal["csv", "json"] = "json",
                      overwrite: bool = False) -> Path:
        """Write every revision of one expert's answers to ``path`` (what the store holds
        about that expert, e.g. to show it to them)."""
        check_pseudonym(pseudonym)
        rows = self.history(expert=pseudonym)
        if not rows:
            raise ElicitationError(f"no answers of expert {pseudonym!r} in {self.path}")
        return _write_export(rows, Path(path), format, overwrite, self, with_events=False)


def _stored(r: Sequence[Any]) -> StoredAnswer:
    d = dict(zip(_COLUMNS, r, strict=True))
    a = Answer(d["study"], int(d["round"]), d["expert"], d["question"], json.loads(d["value"]),
               d["rationale"], d["questionnaire_version"], d["time"])
    return StoredAnswer(a, d["node"], int(d["revision"]), int(d["id"]))


def _write_export(rows: list[StoredAnswer], path: Path, format: str, overwrite: bool,
                  store: Store, *, with_events: bool) -> Path:
    if format not in ("csv", "json"):
        raise ElicitationError(f"unknown export format {format!r}; use 'csv' or 'json'")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name (nothing was overwritten)")
    if format == "json":
        data: dict[str, Any] = {
            "format": "cohesion-bn store export", "schema_version": SCHEMA_VERSION,
            "study": store.study, "answers": [r.to_dict() for r in rows]}
        if with_events:
            ev = store.events().reset_index()
            data["events"] = json.loads(ev.to_json(orient="records"))
        text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)
        path.write_text(text + "\n", encoding="utf-8")
        return path
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(_COLUMNS)
        for r in rows:
            d = r.to_dict()
            d["value"] = canonical_json(d["value"])
            d["node"] = "" if d["node"] is None else d["node"]
            w.writerow([d[c] for c in _COLUMNS])
    return path


def read_export(path: str | Path) -> list[Answer]:
    """The answers (every revision, in store order) of a file :meth:`Store.export` wrote.

    Adding them in this order to an empty store rebuilds the same revisions.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ElicitationError(f"{p}: cannot read: {exc}") from None
    records: list[dict[str, Any]]
    if p.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
            records = list(data["answers"])
        except (ValueError, KeyError, TypeError):
            raise ElicitationError(f"{p} is not a cohesion-bn store export") from None
    else:
        reader = csv.DictReader(text.splitlines())
        if reader.fieldnames is None or set(reader.fieldnames) != set(_COLUMNS):
            raise ElicitationError(f"{p} is not a cohesion-bn store export: its columns "
                                   f"must be {', '.join(_COLUMNS)}")
        records = []
        for row in reader:
            rec: dict[str, Any] = dict(row)
            try:
                rec["value"] = json.loads(row["value"])
            except ValueError:
                raise ElicitationError(f"{p}: row {row['id']}: value is not JSON") from None
            records.append(rec)
    out: list[Answer] = []
    try:
        records.sort(key=lambda r: int(r["id"]))
        for r in records:
            rnd = float(r["round"])
            if not math.isfinite(rnd) or rnd != int(rnd):
                raise ValueError(r["round"])
            out.append(Answer(str(r["study"]), int(rnd), str(r["expert"]), str(r["question"]),
                              r["value"], str(r["rationale"]), str(r["questionnaire_version"]),
                              str(r["time"])))
    except (KeyError, TypeError, ValueError):
        raise ElicitationError(f"{p} is not a cohesion-bn store export") from None
    return out
