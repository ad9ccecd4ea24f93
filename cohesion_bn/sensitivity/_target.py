"""The query a sensitivity analysis is about: a target state given evidence.

Shared by every module of :mod:`cohesion_bn.sensitivity`. A :class:`Target` is
:math:`P(T = t \\mid e)` -- or, with a ``denominator``, the ratio
:math:`P(T = t \\mid e) / P(T' = t' \\mid e)` of two such queries under the *same* evidence
(both posteriors then share the denominator :math:`P(e)`, so the ratio is
:math:`P(t, e) / P(t', e)`). Evidence is hard findings ``{node: state}`` and optionally
likelihood (virtual) evidence ``{node: [L(x) per state]}``; both enter the network
polynomial linearly, which is all the sensitivity-function maths needs.

Use :func:`parse_target` to build one from user input: node and state names are resolved
with :meth:`Model.resolve_node` / :meth:`Model.resolve_state` (ids or labels, any case),
and every mistake is a :class:`~cohesion_bn.errors.QueryError` or
:class:`~cohesion_bn.errors.AnalysisError` naming what was wrong.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import AnalysisError, EvidenceError

if TYPE_CHECKING:
    from ..engine import CompiledNetwork
    from ..model import Model

__all__ = ["EvidenceLike", "Target", "TargetLike", "compile_model", "parse_evidence",
           "parse_target", "split_assignment"]


@dataclass(frozen=True)
class Target:
    """:math:`P(\\text{node} = \\text{state} \\mid e)`, or a ratio of two such queries.

    Attributes
    ----------
    node, state:
        The target node id and state name (resolved, as in the model).
    state_index:
        The index of ``state`` among ``model.states(node)``.
    evidence:
        Hard findings ``{node id: state name}`` (resolved).
    likelihood:
        Likelihood (virtual) evidence ``{node id: tuple of L(x), one per state}``.
    denominator:
        ``None`` for a plain posterior; else the :class:`Target` (same evidence, no
        denominator of its own) the posterior is divided by.
    """

    node: str
    state: str
    state_index: int
    evidence: Mapping[str, str] = field(default_factory=dict)
    likelihood: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    denominator: Target | None = None

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    def likelihood_arrays(self) -> dict[str, np.ndarray]:
        """``likelihood`` as numpy arrays (the engine's ``likelihood=`` argument)."""
        return {n: np.asarray(v, dtype=float) for n, v in self.likelihood.items()}

    def engine_kwargs(self) -> dict[str, Any]:
        """``evidence=`` / ``likelihood=`` keyword arguments for the engine's queries."""
        out: dict[str, Any] = {"evidence": dict(self.evidence)}
        if self.likelihood:
            out["likelihood"] = self.likelihood_arrays()
        return out

    def describe_evidence(self) -> str:
        parts = [f"{k}={v}" for k, v in self.evidence.items()]
        parts += [f"likelihood({k})" for k in self.likelihood]
        return ", ".join(parts)

    def label(self) -> str:
        """E.g. ``"P(cohesion=strong | war_outcome=stalemate)"`` (or a ratio of two)."""
        given = self.describe_evidence()
        bar = f" | {given}" if given else ""
        num = f"P({self.node}={self.state}{bar})"
        if self.denominator is None:
            return num
        d = self.denominator
        return f"{num} / P({d.node}={d.state}{bar})"

    def __str__(self) -> str:
        return self.label()


#: What :func:`parse_target` accepts as a target: ``"NODE=STATE"``, ``(node, state)`` or a
#: :class:`Target` (returned as it is when no other argument is given).
TargetLike = str | tuple[str, str] | Target
#: Hard evidence as accepted by :func:`parse_evidence`.
EvidenceLike = Mapping[str, str] | Sequence[str] | str | None


def split_assignment(text: str, *, what: str = "target") -> tuple[str, str]:
    """Split ``"NODE=STATE"`` into ``("NODE", "STATE")`` (spaces around ``=`` allowed)."""
    if not isinstance(text, str) or text.count("=") != 1:
        raise AnalysisError(f"{what} must be written NODE=STATE (one '='), not {text!r}")
    node, state = (part.strip() for part in text.split("="))
    if not node or not state:
        raise AnalysisError(f"{what} must be written NODE=STATE, not {text!r}")
    return node, state


def parse_evidence(
    model: Model,
    evidence: EvidenceLike = None,
) -> dict[str, str]:
    """Hard evidence as ``{node id: state}``.

    Accepts a mapping ``{node: state}``, a sequence of ``"NODE=STATE"`` strings, or one
    string ``"A=a, B=b"`` (comma-separated). Names are resolved as in the model.
    """
    if evidence is None:
        return {}
    pairs: list[tuple[str, str]]
    if isinstance(evidence, Mapping):
        pairs = [(str(k), str(v)) for k, v in evidence.items()]
    elif isinstance(evidence, str):
        items = [s for s in (p.strip() for p in evidence.split(",")) if s]
        pairs = [split_assignment(s, what="evidence") for s in items]
    elif isinstance(evidence, Sequence):
        pairs = [split_assignment(str(s), what="evidence") for s in evidence]
    else:
        raise EvidenceError("evidence must map node names to state names")
    out: dict[str, str] = {}
    for name, state in pairs:
        nid = model.resolve_node(name, context="evidence")
        st = model.resolve_state(nid, state, context="evidence")
        if nid in out and out[nid] != st:
            raise EvidenceError(f"evidence gives node {nid!r} two states: {out[nid]!r} and {st!r}")
        out[nid] = st
    return out


def _parse_likelihood(
    model: Model, likelihood: Mapping[str, Sequence[float] | Mapping[str, float]] | None
) -> dict[str, tuple[float, ...]]:
    if not likelihood:
        return {}
    from ..inference import Findings

    parsed = Findings.parse(model, likelihood=likelihood).likelihood
    return {n: tuple(float(x) for x in v) for n, v in parsed.items()}


def _resolve(model: Model, target: Any, what: str) -> tuple[str, str]:
    if isinstance(target, Target):
        return target.node, target.state
    if isinstance(target, str):
        node, state = split_assignment(target, what=what)
    elif isinstance(target, tuple | list) and len(target) == 2:
        node, state = str(target[0]), str(target[1])
    else:
        raise AnalysisError(f"{what} must be 'NODE=STATE' or (node, state), not {target!r}")
    nid = model.resolve_node(node, context=what)
    return nid, model.resolve_state(nid, state, context=what)


def parse_target(
    model: Model,
    target: TargetLike,
    *,
    evidence: EvidenceLike = None,
    likelihood: Mapping[str, Sequence[float] | Mapping[str, float]] | None = None,
    denominator: TargetLike | None = None,
) -> Target:
    """Resolve a target query given by the user into a :class:`Target`.

    ``target`` is ``"NODE=STATE"``, ``(node, state)`` or a :class:`Target` (returned
    unchanged when no other argument is given; otherwise its node/state are re-used with
    the new evidence). ``denominator``, if given, makes the target the ratio
    :math:`P(t \\mid e) / P(t' \\mid e)` under the same evidence. Evidence on the target
    node itself is an error (its posterior would be 0 or 1 whatever the parameters), and so
    is a ratio of a target with itself, or evidence and likelihood on the same node.
    """
    if isinstance(target, Target) and evidence is None and likelihood is None \
            and denominator is None:
        return target
    node, state = _resolve(model, target, "target")
    ev = parse_evidence(model, evidence)
    lik = _parse_likelihood(model, likelihood)
    both = sorted(set(ev) & set(lik))
    if both:
        raise EvidenceError(f"node {both[0]!r} has both evidence and likelihood evidence; give "
                            "one kind of evidence per node")
    for n in (node,):
        if n in ev or n in lik:
            raise EvidenceError(f"the target {n}={state} also carries evidence ({n}="
                                f"{ev.get(n, 'likelihood')}): its posterior would not depend on "
                                "any parameter; drop the evidence on the target node")
    den: Target | None = None
    if denominator is not None:
        dnode, dstate = _resolve(model, denominator, "denominator")
        if (dnode, dstate) == (node, state):
            raise EvidenceError(f"the ratio P({node}={state} | e) / P({dnode}={dstate} | e) is "
                                "1 whatever the parameters; give another state to divide by")
        if dnode in ev or dnode in lik:
            raise EvidenceError(f"the denominator {dnode}={dstate} also carries evidence; drop "
                                "the evidence on that node")
        den = Target(dnode, dstate, model.states(dnode).index(dstate), ev, lik, None)
    return Target(node, state, model.states(node).index(state), ev, lik, den)


_COMPILED: weakref.WeakKeyDictionary[Any, CompiledNetwork] = weakref.WeakKeyDictionary()


def compile_model(model: Model) -> CompiledNetwork:
    """The model's :class:`~cohesion_bn.engine.CompiledNetwork` (compiled once per model).

    Kept in a weak cache keyed by the :class:`Model` object, so repeated analyses of one
    model re-use the engine and its cached query plans.
    """
    from ..engine import CompiledNetwork

    cn = _COMPILED.get(model)
    if cn is None:
        cn = CompiledNetwork.from_pgmpy(model.network)
        for n in model.nodes:  # the engine's axes must follow the model's parent order
            if tuple(cn.parents[n]) != tuple(model.parents(n)):  # pragma: no cover
                raise AnalysisError(f"internal: node {n!r} has parents {cn.parents[n]} in "
                                    f"the compiled network, {model.parents(n)} in the model")
        _COMPILED[model] = cn
    return cn
