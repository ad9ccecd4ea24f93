"""The study definition file: who is asked what, about which model, in which round.

A study file is YAML (read with the model file's safe loader, which refuses duplicate
keys)::

    # Experts are PSEUDONYMS (E1, E2, ...). NEVER put a name, e-mail or affiliation here:
    # the key from pseudonym to person is kept by the facilitator, apart from the study.
    schema_version: 1
    id: nato-cohesion-2027            # the study's id, stored with every answer
    title: NATO cohesion after the war in Ukraine
    description: ...                  # optional, shown on the questionnaire
    model: ../models/nato_cohesion.yaml   # relative to this file
    round: 1                          # 1, 2, ... (Delphi-style rounds)
    check_columns: 3                  # optional: direct columns asked of a ranked node
    quantile_levels: [0.05, 0.5, 0.95]    # optional, the default
    experts:
      - id: E1                        # asked about every node with parents (the default)
      - id: E2
        nodes: [cohesion, threats]    # only these nodes (ids or labels)
      - E3                            # short form of "- id: E3"
    seeds:                            # calibration items (Cooke 1991)
      - id: budget_share
        text: Average defence spending of ... in 2026?
        realisation: 2.1              # the true value, or null for a target item
        scale: uni                    # uni or log (log: every answer must be > 0)
        unit: "% of GDP"

:func:`load_study` checks everything and raises one
:class:`~cohesion_bn.errors.QuestionnaireError` listing every problem with the file and the
field. :attr:`Study.version` is a short hash of every question the study asks, written on
each questionnaire, so that a questionnaire made for other questions is refused on import.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from ..errors import CohesionBNError, Problem, QuestionnaireError, did_you_mean
from ..spec import _UniqueKeyLoader
from .questions import DEFAULT_CHECK_COLUMNS, Question, SeedItem, questions_for
from .store import PSEUDONYM_PATTERN

if TYPE_CHECKING:
    from ..model import Model

__all__ = ["DEFAULT_LEVELS", "PSEUDONYM_RULE", "Expert", "Study", "level_name", "load_study"]

#: The quantile levels asked of seed items unless the study file says otherwise.
DEFAULT_LEVELS: tuple[float, ...] = (0.05, 0.5, 0.95)

#: What an expert's pseudonym looks like (the store's rule, defined once there).
PSEUDONYM_RULE = PSEUDONYM_PATTERN

_SEED_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_TOP_KEYS = {"schema_version", "id", "title", "description", "model", "round",
             "check_columns", "quantile_levels", "experts", "seeds"}
_EXPERT_KEYS = {"id", "nodes"}
_SEED_KEYS = {"id", "text", "realisation", "scale", "unit"}


@dataclass(frozen=True)
class Expert:
    """One expert of a study: a pseudonym and the nodes asked (``None``: the default)."""

    id: str
    nodes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Study:
    """A validated study definition; build it with :func:`load_study`."""

    id: str
    title: str
    model: Model
    round: int
    experts: tuple[Expert, ...]
    seeds: tuple[SeedItem, ...] = ()
    levels: tuple[float, ...] = DEFAULT_LEVELS
    check_columns: int = DEFAULT_CHECK_COLUMNS
    description: str = ""
    path: str = ""
    model_path: str = ""

    @property
    def expert_ids(self) -> tuple[str, ...]:
        """The experts' pseudonyms, in the file's order."""
        return tuple(e.id for e in self.experts)

    def expert(self, expert: str) -> Expert:
        """The expert with pseudonym ``expert``; :class:`QuestionnaireError` if none."""
        for e in self.experts:
            if e.id == expert:
                return e
        raise QuestionnaireError(self.path or self.id, [Problem(
            "experts", f"no expert {expert!r} in study {self.id!r}"
            f"{did_you_mean(str(expert), self.expert_ids)}; "
            f"the experts are: {', '.join(self.expert_ids)}")])

    def questions(self, expert: str) -> list[Question]:
        """The questions for ``expert``: their nodes' questions, then every seed item."""
        e = self.expert(expert)
        return questions_for(self.model, nodes=e.nodes, check_columns=self.check_columns,
                             seeds=self.seeds, levels=self.levels)

    @cached_property
    def all_questions(self) -> list[Question]:
        """Every question the study asks of anyone: all experts' nodes, then the seeds."""
        default = [n for n in self.model.nodes if self.model.parents(n)]
        asked = set(default)
        for e in self.experts:
            asked.update(e.nodes or ())
        nodes = [n for n in self.model.nodes if n in asked]
        return questions_for(self.model, nodes=nodes, check_columns=self.check_columns,
                             seeds=self.seeds, levels=self.levels)

    @cached_property
    def version(self) -> str:
        """A short hash of every question asked (ids, texts, states, options, levels).

        Two questionnaires with the same version ask the same questions in the same words;
        the round, experts and seed realisations do not enter it.
        """
        payload = [[q.id, q.kind, q.text, list(q.states), list(q.options), list(q.levels),
                    q.low, q.high] for q in self.all_questions]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8"))
        return digest.hexdigest()[:10]

    def seed(self, item_id: str) -> SeedItem:
        """The seed item ``item_id``."""
        for s in self.seeds:
            if s.id == item_id:
                return s
        raise KeyError(item_id)


# ----------------------------------------------------------------------------- loading


def load_study(path: str | Path) -> Study:
    """Read and validate a study file; raise :class:`QuestionnaireError` listing problems.

    Every problem names the file and the field (``experts[2].nodes``, ``seeds[0].scale``,
    ...). The model file is loaded too (relative to the study file); its own problems are
    reported under the field ``model``.
    """
    p = Path(path)
    src = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuestionnaireError(src, [Problem(src, "no such study file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireError(src, [Problem(src, f"cannot read: {exc}")]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{src}:{mark.line + 1}:{mark.column + 1}" if mark is not None else src
        msg = getattr(exc, "problem", None) or str(exc)
        raise QuestionnaireError(src, [Problem(where, f"not valid YAML: {msg}")]) from None
    return _parse(data, p)


def _parse(data: Any, p: Path) -> Study:
    src = str(p)
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(f"{src}: {field}", message))

    if not isinstance(data, Mapping):
        raise QuestionnaireError(src, [Problem(src, "a study file is a mapping with id, title, "
                                               "model, round, experts and seeds")])
    for key in sorted(set(data) - _TOP_KEYS, key=str):
        bad(str(key), "unknown field; allowed: " + ", ".join(sorted(_TOP_KEYS)))
    if data.get("schema_version", 1) != 1:
        bad("schema_version", f"version {data.get('schema_version')!r} is not supported; "
            "this release reads 1")

    study_id = _text(data, "id", bad, required=True)
    title = _text(data, "title", bad, required=True)
    description = _text(data, "description", bad)

    rnd = data.get("round", None)
    if not _is_int(rnd) or rnd < 1:
        bad("round", f"{rnd!r} is not a round number; give 1, 2, ...")
        rnd = 1

    check_columns = data.get("check_columns", DEFAULT_CHECK_COLUMNS)
    if not _is_int(check_columns) or check_columns < 1:
        bad("check_columns", f"{check_columns!r} is not a whole number >= 1")
        check_columns = DEFAULT_CHECK_COLUMNS

    levels = _levels(data.get("quantile_levels", list(DEFAULT_LEVELS)), bad)

    # the model, relative to the study file
    model: Model | None = None
    model_ref = data.get("model")
    model_path = ""
    if not isinstance(model_ref, str) or not model_ref.strip():
        bad("model", "missing: give the model file, relative to the study file")
    else:
        mp = Path(model_ref)
        mp = mp if mp.is_absolute() else p.parent / mp
        model_path = str(mp)
        from ..model import load_model

        try:
            model = load_model(mp)
        except CohesionBNError as exc:
            inner = getattr(exc, "problems", None)
            if inner:
                for q in inner:
                    bad("model", f"the model file {mp} has a problem: {q}")
            else:
                bad("model", f"cannot load the model file {mp}: {exc}")

    experts = _experts(data.get("experts"), model, bad)
    seeds = _seeds(data.get("seeds", []), bad)

    if problems or model is None:
        raise QuestionnaireError(src, problems)
    return Study(id=study_id, title=title, model=model, round=int(rnd), experts=experts,
                 seeds=seeds, levels=levels, check_columns=int(check_columns),
                 description=description, path=src, model_path=model_path)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _text(data: Mapping[str, Any], key: str, bad: Any, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            bad(key, "missing")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        bad(key, f"{value!r} is not a non-empty text")
        return ""
    return value.strip()


def _levels(raw: Any, bad: Any) -> tuple[float, ...]:
    if (not isinstance(raw, list) or len(raw) < 2
            or not all(_is_number(q) and 0 < q < 1 for q in raw)):
        bad("quantile_levels", f"{raw!r} is not a list of at least two numbers strictly "
            "between 0 and 1, e.g. [0.05, 0.5, 0.95]")
        return DEFAULT_LEVELS
    if any(b <= a for a, b in itertools.pairwise(raw)):
        bad("quantile_levels", f"{raw!r} must increase strictly")
        return DEFAULT_LEVELS
    return tuple(float(q) for q in raw)


def _experts(raw: Any, model: Model | None, bad: Any) -> tuple[Expert, ...]:
    if not isinstance(raw, list) or not raw:
        bad("experts", "missing or empty: list the experts by pseudonym (E1, E2, ...)")
        return ()
    out: list[Expert] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        field = f"experts[{i}]"
        if isinstance(item, str):
            item = {"id": item}
        if not isinstance(item, Mapping):
            bad(field, "an expert is a pseudonym (E1) or a mapping {id: E1, nodes: [...]}")
            continue
        for key in sorted(set(item) - _EXPERT_KEYS, key=str):
            bad(f"{field}.{key}", "unknown field; allowed: id, nodes (never a name or "
                "anything else that identifies the expert)")
        eid = item.get("id")
        if not isinstance(eid, str) or not PSEUDONYM_RULE.match(eid):
            bad(f"{field}.id", f"{eid!r} is not a pseudonym: use one to three capital letters "
                "and a number (E1, E2, ...); never put an expert's name in a study file")
            continue
        if eid in seen:
            bad(f"{field}.id", f"expert {eid!r} is listed twice")
            continue
        seen.add(eid)
        nodes = item.get("nodes", "all")
        resolved: tuple[str, ...] | None = None
        if nodes != "all":
            if not isinstance(nodes, list) or not nodes or not all(
                    isinstance(n, str) for n in nodes):
                bad(f"{field}.nodes", f"{nodes!r} is not 'all' or a list of node ids")
            elif model is not None:
                ids: list[str] = []
                for n in nodes:
                    try:
                        nid = model.resolve_node(n)
                    except CohesionBNError as exc:
                        bad(f"{field}.nodes", str(exc))
                        continue
                    if nid in ids:
                        bad(f"{field}.nodes", f"node {nid!r} is listed twice")
                    else:
                        ids.append(nid)
                resolved = tuple(n for n in model.nodes if n in ids)  # the model's order
        out.append(Expert(eid, resolved))
    return tuple(out)


def _seeds(raw: Any, bad: Any) -> tuple[SeedItem, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        bad("seeds", "not a list of seed items")
        return ()
    out: list[SeedItem] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        field = f"seeds[{i}]"
        if not isinstance(item, Mapping):
            bad(field, "a seed item is a mapping {id, text, realisation, scale, unit}")
            continue
        for key in sorted(set(item) - _SEED_KEYS, key=str):
            bad(f"{field}.{key}", "unknown field; allowed: " + ", ".join(sorted(_SEED_KEYS)))
        sid = item.get("id")
        if not isinstance(sid, str) or not _SEED_ID.match(sid):
            bad(f"{field}.id", f"{sid!r} is not an id (letters, digits, '_', '-', '.')")
            continue
        if sid in seen:
            bad(f"{field}.id", f"seed item {sid!r} is listed twice")
            continue
        seen.add(sid)
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            bad(f"{field}.text", "missing: the question the experts answer")
            continue
        scale: Literal["uni", "log"] = "uni"
        raw_scale = item.get("scale", "uni")
        if raw_scale == "log":
            scale = "log"
        elif raw_scale != "uni":
            bad(f"{field}.scale", f"{raw_scale!r} is not 'uni' or 'log'")
        real = item.get("realisation")
        if real is not None and not _is_number(real):
            bad(f"{field}.realisation", f"{real!r} is not a number (or null for a target "
                "item)")
            real = None
        if real is not None and scale == "log" and real <= 0:
            bad(f"{field}.realisation", f"{real!r} must be > 0 on a log scale")
        unit = item.get("unit", "")
        if not isinstance(unit, str):
            bad(f"{field}.unit", f"{unit!r} is not a text")
            unit = ""
        out.append(SeedItem(sid, text.strip(), None if real is None else float(real),
                            scale, unit))
    return tuple(out)


def level_name(level: float) -> str:
    """How a quantile level is written on a questionnaire: ``0.05`` -> ``"5%"``."""
    return f"{level * 100:g}%"

