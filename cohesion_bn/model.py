"""The object users hold: a validated model spec and the pgmpy network built from it.

:func:`load_model` reads a model file (YAML) or a network in another tool's format (BIF,
XMLBIF, XDSL, NET, UAI, ...); either way the result is a :class:`Model` whose spec is the
one source of truth, and whose :attr:`Model.network` is a pgmpy
``DiscreteBayesianNetwork`` for users who want pgmpy itself.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .cpt import NodeContext, ParentInfo
from .cpt import table as table_method
from .errors import QueryError, UnknownNodeError, UnknownStateError, did_you_mean
from .spec import CPTSpec, ModelSpec, NodeSpec, Provenance, ScenarioSpec, load_spec

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

    from .inference import Explanation, Posterior

__all__ = ["Model", "from_pgmpy", "load_model", "shipped_model_path"]

_YAML_SUFFIXES = (".yaml", ".yml")


def shipped_model_path() -> Path:
    """The path of the shipped NATO cohesion model file."""
    here = Path(__file__).resolve().parent
    repo_copy = here.parent / "models" / "nato_cohesion.yaml"
    return repo_copy if repo_copy.exists() else here / "data" / "nato_cohesion.yaml"


class Model:
    """A discrete Bayesian network with named nodes and states.

    Build one with :func:`load_model` (a file) or :func:`from_pgmpy` (a pgmpy network).
    """

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    def __repr__(self) -> str:
        return (f"Model({self.spec.id!r}, {len(self.nodes)} nodes, "
                f"{len(self.spec.scenarios)} scenarios)")

    # ----------------------------------------------------------------- structure
    @cached_property
    def nodes(self) -> list[str]:
        """Node ids, in the file's order."""
        return [n.id for n in self.spec.nodes]

    def node(self, name: str) -> NodeSpec:
        return self.spec.node(self.resolve_node(name))

    def states(self, node: str) -> tuple[str, ...]:
        return self.spec.node(self.resolve_node(node)).states

    def parents(self, node: str) -> tuple[str, ...]:
        return self.spec.node(self.resolve_node(node)).parents

    def children(self, node: str) -> tuple[str, ...]:
        nid = self.resolve_node(node)
        return tuple(n.id for n in self.spec.nodes if nid in n.parents)

    def label(self, node: str) -> str:
        return self.spec.node(self.resolve_node(node)).display

    def cpt(self, node: str) -> np.ndarray:
        """The CPT as an array of shape (n_states, *parent_cards), parents in file order."""
        return self.spec.cpt(self.resolve_node(node))

    def cpt_frame(self, node: str) -> pd.DataFrame:
        """The CPT as a table: one row per state, one column per parent combination."""
        nid = self.resolve_node(node)
        n = self.spec.node(nid)
        arr = self.spec.cpt(nid).reshape(len(n.states), -1)
        if not n.parents:
            return pd.DataFrame(arr, index=pd.Index(n.states, name=nid), columns=["p"])
        combos = list(itertools.product(*(self.spec.node(p).states for p in n.parents)))
        cols = pd.MultiIndex.from_tuples(combos, names=list(n.parents))
        return pd.DataFrame(arr, index=pd.Index(n.states, name=nid), columns=cols)

    @property
    def n_parameters(self) -> int:
        """The number of CPT entries."""
        return int(sum(self.spec.cpt(n).size for n in self.nodes))

    # ------------------------------------------------------------------ names
    @cached_property
    def _by_label(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for n in self.spec.nodes:
            out.setdefault(n.id.lower(), n.id)
        for n in self.spec.nodes:
            if n.label:
                out.setdefault(n.label.lower(), n.id)
        return out

    def resolve_node(self, name: str, *, context: str = "") -> str:
        """The id of the node called ``name`` (its id or label, either case)."""
        if name in self.spec.by_id:
            return name
        found = self._by_label.get(str(name).lower())
        if found is None:
            raise UnknownNodeError(str(name), self.nodes, context=context)
        return found

    def resolve_state(self, node: str, state: str, *, context: str = "") -> str:
        """The state of ``node`` called ``state`` (exact, else case-insensitive)."""
        nid = self.resolve_node(node, context=context)
        states = self.spec.node(nid).states
        if state in states:
            return state
        lowered = {s.lower(): s for s in states}
        if str(state).lower() in lowered:
            return lowered[str(state).lower()]
        raise UnknownStateError(nid, str(state), states, context=context)

    def scenario(self, name: str) -> ScenarioSpec:
        """The scenario called ``name`` (its id, or its label, either case); a
        :class:`~cohesion_bn.errors.QueryError` with the close match and the list if none."""
        by_id = {s.id: s for s in self.spec.scenarios}
        if name in by_id:
            return by_id[name]
        for sc in self.spec.scenarios:
            if str(name).lower() in (sc.id.lower(), sc.label.lower()):
                return sc
        raise QueryError(f"unknown scenario {name!r}{did_you_mean(str(name), by_id)}; the "
                         f"scenarios are: {', '.join(by_id) or 'none in this model'}")

    # ------------------------------------------------------------------- pgmpy
    @cached_property
    def network(self) -> DiscreteBayesianNetwork:
        """The pgmpy ``DiscreteBayesianNetwork`` (built once; ``check_model`` passes)."""
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork

        net = DiscreteBayesianNetwork()
        net.add_nodes_from(self.nodes)
        net.add_edges_from((p, n.id) for n in self.spec.nodes for p in n.parents)
        cpds = []
        for n in self.spec.nodes:
            arr = self.spec.cpt(n.id)
            cpds.append(TabularCPD(
                n.id, len(n.states), arr.reshape(len(n.states), -1),
                evidence=list(n.parents) or None,
                evidence_card=[len(self.spec.node(p).states) for p in n.parents] or None,
                state_names={x: list(self.spec.node(x).states) for x in (n.id, *n.parents)},
            ))
        net.add_cpds(*cpds)
        net.check_model()
        return net

    # ---------------------------------------------------------------- queries
    def query(self, targets: str | Iterable[str] | None = None, **kwargs: Any) -> Posterior:
        """Posterior marginals; see :func:`cohesion_bn.inference.posterior`."""
        from .inference import posterior

        return posterior(self, targets, **kwargs)

    def map(self, nodes: Iterable[str], **kwargs: Any) -> Explanation:
        """Most probable joint state of ``nodes``; see :func:`cohesion_bn.inference.map_query`."""
        from .inference import map_query

        return map_query(self, nodes, **kwargs)

    def mpe(self, **kwargs: Any) -> Explanation:
        """Most probable explanation of all nodes; see :func:`cohesion_bn.inference.mpe`."""
        from .inference import mpe

        return mpe(self, **kwargs)

    def scenarios(self, **kwargs: Any) -> pd.DataFrame:
        """Every scenario's posteriors; see :func:`cohesion_bn.inference.compare_scenarios`."""
        from .inference import compare_scenarios

        return compare_scenarios(self, **kwargs)


# ----------------------------------------------------------------------- loading


def load_model(path: str | Path | None = None, *, format: str | None = None,
               normalize: bool = False) -> Model:
    """Load a model file (YAML) or a network file of another tool.

    ``path=None`` loads the shipped NATO cohesion model. ``format`` forces a reader
    (``"yaml"``, or one of :data:`cohesion_bn.formats.FORMATS`); otherwise the suffix (and,
    where it is ambiguous, the content) decides. ``normalize`` loads a foreign file whose
    columns do not sum to 1 by normalising them, with a warning per column.
    """
    p = Path(path) if path is not None else shipped_model_path()
    if format == "yaml" or (format is None and p.suffix.lower() in _YAML_SUFFIXES):
        return Model(load_spec(p))
    from .formats import read_network

    imported = read_network(p, format=format, normalize=normalize)
    general: list[str] = []
    per_node: dict[str, list[str]] = {}
    for note in imported.notes:
        m = re.match(r"node '([^']*)': (.*)", note, re.DOTALL)
        if m is not None and m.group(1) in imported.network.nodes():
            per_node.setdefault(m.group(1), []).append(m.group(2))
        else:
            general.append(note)
    return from_pgmpy(imported.network, labels=imported.labels,
                      source=f"{p} ({imported.format})", notes="; ".join(general),
                      node_notes={k: "; ".join(v) for k, v in per_node.items()},
                      model_id=p.stem)


def from_pgmpy(network: DiscreteBayesianNetwork, *, labels: Mapping[str, str] | None = None,
               source: str = "a pgmpy network", notes: str = "",
               node_notes: Mapping[str, str] | None = None,
               model_id: str = "imported") -> Model:
    """A :class:`Model` of a pgmpy ``DiscreteBayesianNetwork`` (its CPTs become tables).

    ``notes`` go into every CPT's provenance, ``node_notes`` (node id -> text) into that
    node's only (e.g. "noisy-MAX expanded to a full table")."""
    labels = dict(labels or {})
    node_notes = dict(node_notes or {})
    today = _dt.date.today().isoformat()

    def provenance_of(nid: str) -> Provenance:
        text = "; ".join(t for t in (notes, node_notes.get(nid, "")) if t)
        return Provenance(source=source, method="imported", date=today,
                          notes=text)

    state_names: dict[str, list[str]] = {}
    for cpd in network.get_cpds():
        for var, names in cpd.state_names.items():
            state_names.setdefault(var, [str(s) for s in names])
    nodes: list[NodeSpec] = []
    arrays: dict[str, np.ndarray] = {}
    for nid in network.nodes():  # the file's order
        cpd = network.get_cpds(nid)
        parents = tuple(str(v) for v in cpd.variables[1:])
        states = tuple(state_names[nid])
        arr = np.asarray(cpd.values, dtype=float).reshape(
            len(states), *(len(state_names[q]) for q in parents))
        ctx = NodeContext(str(nid), states, tuple(ParentInfo(q, tuple(state_names[q]))
                                                   for q in parents))
        arrays[str(nid)] = arr
        params = _LazyTable(arr, ctx)
        nodes.append(NodeSpec(id=str(nid), states=states, parents=parents,
                              cpt=CPTSpec("table", params, provenance_of(str(nid))),
                              label=labels.get(str(nid), "")))
    for arr in arrays.values():
        arr.setflags(write=False)
    spec = ModelSpec(nodes=tuple(nodes), id=model_id, title=model_id,
                     description=f"Imported from {source}.", path=source, _tables=arrays)
    return Model(spec)


class _LazyTable(Mapping[str, Any]):
    """Table parameters of an imported CPT, written out only if someone asks (e.g. export)."""

    def __init__(self, arr: np.ndarray, ctx: NodeContext) -> None:
        self._arr = arr
        self._ctx = ctx
        self._data: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._data is None:
            self._data = table_method.from_array(self._arr, self._ctx)
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Any:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())
