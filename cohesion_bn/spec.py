"""The model file: parse, validate, and write it.

A model file is YAML (read with a safe loader that also refuses duplicate keys)::

    schema_version: 1
    model: {id: ..., title: ..., description: ..., source: ...}
    nodes:
      - id: war_outcome                # the name used in queries (no '=' or ',')
        label: War in Ukraine           # what a reader sees
        description: ...
        group: driver                   # optional: a layer for plotting
        states: [ukraine_wins, ukraine_loses, stalemate]
        ordered: false                  # optional, default true: states form a scale
        values: [1, 0, -1]              # optional: a number per state (effect scores)
        parents: []
        cpt:
          method: table                 # or any method in cohesion_bn.cpt.METHODS
          p: {ukraine_wins: 0.34, ...}  # the method's own parameters
          provenance: {source: ..., method: ..., date: 2026-11-25, notes: ...}
    scenarios:
      - id: ukraine_wins
        label: "I: Ukraine wins"
        evidence: {war_outcome: ukraine_wins}
        expect:
          most_likely: {cohesion: strong}
          effects: {threats: "+", institutions: "=", ...}

:func:`load_spec` checks everything before anything is built and raises one
:class:`~cohesion_bn.errors.ModelFileError` listing every problem, each with the file, the
node and the field, and what is allowed.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import yaml

from .cpt import NodeContext, ParentInfo, build_cpt, check_cpt
from .errors import ModelFileError, Problem

__all__ = [
    "EFFECT_BANDS",
    "SCHEMA_VERSIONS",
    "CPTSpec",
    "ModelSpec",
    "NodeSpec",
    "Provenance",
    "ScenarioSpec",
    "dump_spec",
    "load_spec",
    "parse_spec",
]

#: Schema versions this release reads.
SCHEMA_VERSIONS = (1,)

#: The bands of an expected effect E = sum_s value(s) P(s) that each sign of the paper's
#: table stands for (DOMAIN.md): open intervals (lo, hi).
EFFECT_BANDS: dict[str, tuple[float, float]] = {
    "+": (0.25, math.inf),
    "=": (-0.25, 0.25),
    "-": (-math.inf, -0.25),
    "=/+": (0.05, 0.75),
    "=/-": (-0.75, -0.05),
}

#: Names of nodes and states: no '=' or ',' (the CLI's separators), no surrounding blanks,
#: not starting with '__' (reserved for cohesion-bn's own helper nodes).
_NAME = re.compile(r"^(?!__)[^=,\s](?:[^=,]*[^=,\s])?$")
_NAME_RULE = "non-empty, without '=' or ',' or surrounding blanks, not starting with '__'"
_TOP_KEYS = {"schema_version", "model", "nodes", "scenarios"}
_NODE_KEYS = {"id", "label", "description", "group", "states", "ordered", "values", "parents",
              "cpt"}
_CPT_RESERVED = {"method", "provenance", "uncertainty"}
_PROVENANCE_REQUIRED = ("source", "method", "date")


@dataclass(frozen=True)
class Provenance:
    """Where a CPT's numbers come from."""

    source: str
    method: str
    date: str
    notes: str = ""

    def to_dict(self) -> dict[str, str]:
        d = {"source": self.source, "method": self.method, "date": self.date}
        if self.notes:
            d["notes"] = self.notes
        return d


@dataclass(frozen=True)
class CPTSpec:
    """A CPT as the file gives it: a method, its parameters, provenance, and uncertainty."""

    method: str
    params: Mapping[str, Any]
    provenance: Provenance
    uncertainty: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"method": self.method, **dict(self.params)}
        if self.uncertainty is not None:
            d["uncertainty"] = dict(self.uncertainty)
        d["provenance"] = self.provenance.to_dict()
        return d


@dataclass(frozen=True)
class NodeSpec:
    """One node: its states (in order), parents (in order) and CPT."""

    id: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    cpt: CPTSpec
    label: str = ""
    description: str = ""
    group: str = ""
    ordered: bool = True
    values: tuple[float, ...] | None = None

    @property
    def display(self) -> str:
        return self.label or self.id

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id}
        if self.label:
            d["label"] = self.label
        if self.description:
            d["description"] = self.description
        if self.group:
            d["group"] = self.group
        d["states"] = list(self.states)
        if not self.ordered:
            d["ordered"] = False
        if self.values is not None:
            d["values"] = list(self.values)
        d["parents"] = list(self.parents)
        d["cpt"] = self.cpt.to_dict()
        return d


@dataclass(frozen=True)
class ScenarioSpec:
    """A named set of evidence, with what the source expects it to show."""

    id: str
    evidence: Mapping[str, str]
    label: str = ""
    description: str = ""
    expect_most_likely: Mapping[str, str] = field(default_factory=dict)
    expect_effects: Mapping[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.label or self.id

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id}
        if self.label:
            d["label"] = self.label
        if self.description:
            d["description"] = self.description
        d["evidence"] = dict(self.evidence)
        expect: dict[str, Any] = {}
        if self.expect_most_likely:
            expect["most_likely"] = dict(self.expect_most_likely)
        if self.expect_effects:
            expect["effects"] = dict(self.expect_effects)
        if expect:
            d["expect"] = expect
        return d


@dataclass(frozen=True)
class ModelSpec:
    """A whole model file, validated. Nodes are in the file's order."""

    nodes: tuple[NodeSpec, ...]
    scenarios: tuple[ScenarioSpec, ...] = ()
    id: str = "model"
    title: str = ""
    description: str = ""
    source_text: str = ""
    schema_version: int = 1
    path: str = ""
    #: the CPTs built so far (or given, for an imported network), read-only arrays by node
    _tables: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def by_id(self) -> dict[str, NodeSpec]:
        return {n.id: n for n in self.nodes}

    def node(self, node_id: str) -> NodeSpec:
        return self.by_id[node_id]

    def context(self, node_id: str) -> NodeContext:
        """What a CPT method sees of ``node_id``."""
        n = self.by_id[node_id]
        parents = tuple(
            ParentInfo(p, self.by_id[p].states, self.by_id[p].ordered) for p in n.parents
        )
        where = f"{self.path or self.id}: node {n.id!r}, cpt"
        return NodeContext(n.id, n.states, parents, n.ordered, where)

    def cpt(self, node_id: str) -> np.ndarray:
        """The CPT of ``node_id``, shape (n_states, *parent_cards), built by its method."""
        if node_id not in self._tables:
            n = self.by_id[node_id]
            table = build_cpt(n.cpt.method, n.cpt.params, self.context(node_id))
            table.setflags(write=False)  # shared by every caller: nobody may change it
            self._tables[node_id] = table
        return self._tables[node_id]

    def topological_order(self) -> list[str]:
        order: list[str] = []
        done: set[str] = set()
        pending = [n.id for n in self.nodes]
        while pending:
            rest = []
            for nid in pending:
                if all(p in done for p in self.by_id[nid].parents):
                    order.append(nid)
                    done.add(nid)
                else:
                    rest.append(nid)
            pending = rest
        return order

    def to_dict(self) -> dict[str, Any]:
        model: dict[str, Any] = {"id": self.id}
        if self.title:
            model["title"] = self.title
        if self.description:
            model["description"] = self.description
        if self.source_text:
            model["source"] = self.source_text
        d: dict[str, Any] = {"schema_version": self.schema_version, "model": model,
                             "nodes": [n.to_dict() for n in self.nodes]}
        if self.scenarios:
            d["scenarios"] = [s.to_dict() for s in self.scenarios]
        return d


# --------------------------------------------------------------------------- reading


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice, and reads booleans as
    YAML 1.2 does (only true/false), so states such as ``yes``, ``no``, ``on``, ``off`` stay
    names instead of turning into True and False."""


_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_spec(path: str | Path) -> ModelSpec:
    """Read and validate a model file; raise :class:`ModelFileError` listing every problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelFileError(str(p), [Problem(str(p), "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(str(p), [Problem(str(p), f"cannot read: {exc}")]) from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(p)
        msg = getattr(exc, "problem", None) or str(exc)
        raise ModelFileError(str(p), [Problem(where, f"not valid YAML: {msg}")]) from None
    return parse_spec(data, source=str(p))


def parse_spec(data: Any, *, source: str = "<model>") -> ModelSpec:
    """Validate an already-parsed model mapping; raise :class:`ModelFileError` on problems."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ModelFileError(source, [Problem(source, "a model file is a mapping with "
                                              "schema_version, model, nodes, scenarios")])
    for key in sorted(set(data) - _TOP_KEYS, key=str):
        problems.append(Problem(f"{source}: {key}", "unknown top-level field; allowed: "
                                + ", ".join(sorted(_TOP_KEYS))))
    version = data.get("schema_version")
    if version not in SCHEMA_VERSIONS:
        got = "missing" if version is None else f"{version!r} is not supported"
        problems.append(Problem(f"{source}: schema_version", f"{got}; this release reads "
                                + ", ".join(map(str, SCHEMA_VERSIONS))))
    meta = data.get("model", {}) or {}
    if not isinstance(meta, Mapping):
        problems.append(Problem(f"{source}: model", "must be a mapping (id, title, description, "
                                "source)"))
        meta = {}
    parsed = _parse_nodes(data.get("nodes"), source, problems)
    if parsed is None:
        raise ModelFileError(source, problems)
    nodes, all_ids = parsed
    by_id = {n.id: n for n in nodes}
    # every problem at once: scenarios and CPTs are checked even when some nodes are wrong,
    # skipping only what depends on a node that could not be read
    scenarios = _parse_scenarios(data.get("scenarios", []) or [], by_id, source, problems,
                                 unreadable=all_ids - set(by_id))
    spec = ModelSpec(
        nodes=tuple(nodes), scenarios=tuple(scenarios), id=str(meta.get("id", "model")),
        title=str(meta.get("title", "")), description=str(meta.get("description", "")),
        source_text=str(meta.get("source", "")),
        schema_version=version if isinstance(version, int) else 1, path=source,
    )
    for n in spec.nodes:
        if all(p in by_id for p in n.parents):
            problems.extend(check_cpt(n.cpt.method, n.cpt.params, spec.context(n.id)))
    if problems:
        raise ModelFileError(source, problems)
    return spec


def _str_list(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _parse_nodes(raw: Any, source: str,
                 problems: list[Problem]) -> tuple[list[NodeSpec], set[str]] | None:
    """The nodes that could be read (all problems reported), and every node id named."""
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(f"{source}: nodes", "missing or empty; give a list of nodes"))
        return None
    ids: list[str] = []
    for i, item in enumerate(raw):
        nid = item.get("id") if isinstance(item, Mapping) else None
        ids.append(nid if isinstance(nid, str) else f"#{i}")
    known = set(ids)
    seen: set[str] = set()
    nodes: list[NodeSpec] = []
    graph: dict[str, list[str]] = {}
    for i, item in enumerate(raw):
        nid = ids[i]
        at = f"{source}: node {nid!r}" if not nid.startswith("#") else f"{source}: nodes[{i}]"
        if not isinstance(item, Mapping):
            problems.append(Problem(at, "each node is a mapping with id, states, parents, cpt"))
            continue
        n_before = len(problems)
        for key in sorted(set(item) - _NODE_KEYS, key=str):
            problems.append(Problem(f"{at}, {key}", "unknown field; allowed: "
                                    + ", ".join(sorted(_NODE_KEYS))))
        if nid.startswith("#"):
            problems.append(Problem(f"{at}, id", "missing; every node needs an id"))
        elif not _NAME.match(nid):
            problems.append(Problem(f"{at}, id", f"{nid!r} is not a valid name: {_NAME_RULE}"))
        elif nid in seen:
            problems.append(Problem(f"{at}, id", "duplicate node id"))
        seen.add(nid)
        states_raw = item.get("states")
        states: list[str] = states_raw if _str_list(states_raw) else []
        if len(states) < 2:
            problems.append(Problem(f"{at}, states", "missing or not a list of at least two "
                                    "state names"))
            states = []
        else:
            dupes = sorted({s for s in states if states.count(s) > 1})
            if dupes:
                problems.append(Problem(f"{at}, states", f"duplicate state(s) {', '.join(dupes)}; "
                                        "each state is named once"))
            for s in states:
                if not _NAME.match(s):
                    problems.append(Problem(f"{at}, states", f"state {s!r} is not a valid name: "
                                            f"{_NAME_RULE}"))
        parents_raw = item.get("parents", []) or []
        parents: list[str] = parents_raw if _str_list(parents_raw) else []
        if not _str_list(parents_raw):
            problems.append(Problem(f"{at}, parents", "must be a list of node ids"))
        for par in parents:
            if par not in known:
                from .errors import did_you_mean

                problems.append(Problem(f"{at}, parents", f"unknown parent {par!r}"
                                        f"{did_you_mean(par, [x for x in ids if x != nid])}; "
                                        "parents must be nodes of this file"))
            elif par == nid:
                problems.append(Problem(f"{at}, parents", "a node cannot be its own parent"))
        if len(set(parents)) != len(parents):
            problems.append(Problem(f"{at}, parents", "a parent is listed twice"))
        ordered = item.get("ordered", True)
        if not isinstance(ordered, bool):
            problems.append(Problem(f"{at}, ordered", "must be true or false"))
            ordered = True
        values = item.get("values")
        if values is not None and (
                not isinstance(values, list) or len(values) != len(states) or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in values)):
            problems.append(Problem(f"{at}, values", f"must be a list of {len(states)} "
                                    "numbers, one per state"))
            values = None
        for key in ("label", "description", "group"):
            if key in item and not isinstance(item[key], str):
                problems.append(Problem(f"{at}, {key}", "must be text"))
        cpt = _parse_cpt(item.get("cpt"), f"{at}, cpt", problems)
        if not nid.startswith("#") and nid not in graph:
            graph[nid] = [q for q in parents if q in known and q != nid]
        if len(problems) > n_before or cpt is None:
            continue
        nodes.append(NodeSpec(
            id=nid, states=tuple(states), parents=tuple(parents), cpt=cpt,
            label=item.get("label", ""), description=item.get("description", ""),
            group=item.get("group", ""), ordered=ordered,
            values=tuple(float(v) for v in values) if values is not None else None,
        ))
    cycle = _find_cycle(graph)
    if cycle:
        problems.append(Problem(f"{source}: nodes", "the parents form a cycle: "
                                + " -> ".join(cycle) + "; a Bayesian network is acyclic"))
        in_cycle = set(cycle)
        nodes = [n for n in nodes if n.id not in in_cycle]
    return nodes, {x for x in ids if not x.startswith("#")}


def _parse_cpt(raw: Any, at: str, problems: list[Problem]) -> CPTSpec | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(at, "missing; give a mapping with method, its parameters and "
                                "provenance"))
        return None
    method = raw.get("method")
    if not isinstance(method, str):
        problems.append(Problem(f"{at}.method", "missing; e.g. method: table"))
        return None
    prov_raw = raw.get("provenance")
    provenance = None
    if not isinstance(prov_raw, Mapping):
        problems.append(Problem(f"{at}.provenance", "missing; every CPT says where its numbers "
                                "come from: source, method, date (and notes)"))
    else:
        missing = [k for k in _PROVENANCE_REQUIRED if not prov_raw.get(k)]
        if missing:
            problems.append(Problem(f"{at}.provenance", f"missing {', '.join(missing)}; "
                                    "provenance needs source, method and date"))
        else:
            date = prov_raw["date"]
            if isinstance(date, _dt.date):
                date = date.isoformat()
            provenance = Provenance(str(prov_raw["source"]), str(prov_raw["method"]), str(date),
                                    str(prov_raw.get("notes", "") or ""))
    uncertainty = raw.get("uncertainty")
    if uncertainty is not None and not isinstance(uncertainty, Mapping):
        problems.append(Problem(f"{at}.uncertainty", "must be a mapping"))
        return None
    if provenance is None:
        return None
    params = {k: v for k, v in raw.items() if k not in _CPT_RESERVED}
    return CPTSpec(method, params, provenance, uncertainty)


def _find_cycle(parents: Mapping[str, Sequence[str]]) -> list[str]:
    """A cycle in the parent graph as a list of node ids (first repeated last), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str]:
        state[n] = 1
        stack.append(n)
        for p in parents.get(n, ()):
            if state.get(p) == 1:
                return [*stack[stack.index(p):], p][::-1]
            if p not in state:
                found = visit(p)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return []

    for n in parents:
        if n not in state:
            found = visit(n)
            if found:
                return found
    return []


def _parse_scenarios(raw: Any, nodes: Mapping[str, NodeSpec], source: str,
                     problems: list[Problem], *,
                     unreadable: set[str] | frozenset[str] = frozenset()) -> list[ScenarioSpec]:
    """The scenarios; names of nodes that exist but could not be read are not checked."""
    if not isinstance(raw, list):
        problems.append(Problem(f"{source}: scenarios", "must be a list"))
        return []
    out: list[ScenarioSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            problems.append(Problem(f"{source}: scenarios[{i}]", "each scenario is a mapping with "
                                    "an id and evidence"))
            continue
        sid = item["id"]
        at = f"{source}: scenario {sid!r}"
        if sid in seen:
            problems.append(Problem(f"{at}, id", "duplicate scenario id"))
        seen.add(sid)
        for key in sorted(set(item) - {"id", "label", "description", "evidence", "expect"}):
            problems.append(Problem(f"{at}, {key}", "unknown field; allowed: id, label, "
                                    "description, evidence, expect"))
        evidence = item.get("evidence", {}) or {}
        if not isinstance(evidence, Mapping):
            problems.append(Problem(f"{at}, evidence", "must map node ids to states"))
            evidence = {}
        _check_node_states(evidence, nodes, f"{at}, evidence", problems, unreadable)
        expect = item.get("expect", {}) or {}
        if not isinstance(expect, Mapping):
            problems.append(Problem(f"{at}, expect", "must be a mapping with most_likely and/or "
                                    "effects"))
            expect = {}
        for key in sorted(set(expect) - {"most_likely", "effects"}):
            problems.append(Problem(f"{at}, expect.{key}", "unknown; allowed: most_likely, "
                                    "effects"))
        most_likely = expect.get("most_likely", {}) or {}
        if not isinstance(most_likely, Mapping):
            problems.append(Problem(f"{at}, expect.most_likely", "must map node ids to states"))
            most_likely = {}
        _check_node_states(most_likely, nodes, f"{at}, expect.most_likely", problems,
                           unreadable)
        effects_raw = expect.get("effects", {}) or {}
        effects: dict[str, str] = {}
        if not isinstance(effects_raw, Mapping):
            problems.append(Problem(f"{at}, expect.effects", "must map node ids to signs"))
            effects_raw = {}
        for node_id, sign in effects_raw.items():
            norm = str(sign).replace("–", "-").replace("—", "-").replace(" ", "")
            if node_id in unreadable:
                continue
            if node_id not in nodes:
                problems.append(Problem(f"{at}, expect.effects", f"unknown node {node_id!r}"))
            elif nodes[node_id].values is None:
                problems.append(Problem(f"{at}, expect.effects.{node_id}", "the node has no "
                                        "values per state, so it has no expected effect; add "
                                        "values: [...] to the node"))
            elif norm not in EFFECT_BANDS:
                problems.append(Problem(f"{at}, expect.effects.{node_id}", f"{sign!r} is not a "
                                        "sign; allowed: " + ", ".join(EFFECT_BANDS)))
            else:
                effects[node_id] = norm
        out.append(ScenarioSpec(sid, dict(evidence), str(item.get("label", "")),
                                str(item.get("description", "")), dict(most_likely), effects))
    return out


def _check_node_states(mapping: Mapping[Any, Any], nodes: Mapping[str, NodeSpec], at: str,
                       problems: list[Problem],
                       unreadable: set[str] | frozenset[str] = frozenset()) -> None:
    from .errors import did_you_mean

    for node_id, state in mapping.items():
        if node_id in unreadable:
            continue
        if node_id not in nodes:
            problems.append(Problem(at, f"unknown node {node_id!r}"
                                    f"{did_you_mean(str(node_id), nodes)}"))
        elif state not in nodes[node_id].states:
            problems.append(Problem(f"{at}.{node_id}", f"{state!r} is not a state of "
                                    f"{node_id!r}{did_you_mean(str(state), nodes[node_id].states)}"
                                    f"; its states are {', '.join(nodes[node_id].states)}"))


# --------------------------------------------------------------------------- writing


def dump_spec(spec: ModelSpec | Mapping[str, Any], path: str | Path, *,
              overwrite: bool = False) -> Path:
    """Write a model file. Refuses to overwrite an existing file unless ``overwrite``."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; choose another name (nothing was overwritten)")
    data = spec.to_dict() if isinstance(spec, ModelSpec) else dict(spec)
    p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
                 encoding="utf-8")
    return p
