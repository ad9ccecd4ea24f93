"""Questions to a model: posteriors, soft and likelihood evidence, interventions, MAP/MPE,
and scenario comparison.

Three kinds of uncertain evidence, which are not the same thing (Chan & Darwiche 2005, "On
the revision of probabilistic beliefs using uncertain evidence", AIJ 163):

* **hard** evidence ``X = x`` conditions on the event;
* **likelihood** (virtual) evidence ``λ`` on X multiplies the joint by ``λ(x)``:
  ``P'(v) ∝ P(v) λ(x_v)``. It is what pgmpy calls ``virtual_evidence``; it is
  implemented, as there, by a binary child of X observed in its first state;
* **soft** evidence ``q`` on X fixes X's posterior marginal to ``q`` by Jeffrey's rule:
  ``P'(v) = Σ_x q(x) P(v | x, e)``. With one soft node this is likelihood evidence with
  ``λ(x) = q(x) / P(x | e)``; with several it is the unique distribution closest to P (in
  KL) with all the given marginals, found by iterative proportional fitting of the
  likelihoods (Peng, Zhang & Pan 2010; Valtorta, Kim & Vomlel 2002).

An **intervention** ``do(X = x)`` cuts X from its parents and sets it (Pearl 2009, ch. 3):
X's ancestors keep their prior, unlike under conditioning.

Posterior marginals come from pgmpy's ``VariableElimination``, one query per target (pgmpy
1.1.2 builds the whole joint when asked for several marginals at once). MAP and MPE come
from bucket elimination with a constrained order (:mod:`cohesion_bn._elimination`), since
pgmpy's ``map_query`` builds the joint of the queried variables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._elimination import Factor, eliminate
from .errors import EvidenceError, ImpossibleEvidenceError
from .spec import EFFECT_BANDS

if TYPE_CHECKING:
    from pgmpy.models import DiscreteBayesianNetwork

    from .model import Model

__all__ = [
    "Explanation",
    "Findings",
    "Posterior",
    "check_expectations",
    "compare_scenarios",
    "effect_sign",
    "expected_effect",
    "map_query",
    "mpe",
    "posterior",
    "probability_of_evidence",
]

#: Soft evidence is fitted until every soft node's marginal is within this of its target.
SOFT_TOLERANCE = 1e-12
_SOFT_MAX_ITER = 10_000

EvidenceLike = Mapping[str, str] | None
VectorEvidence = Mapping[str, Sequence[float] | Mapping[str, float]] | None


@dataclass(frozen=True)
class Findings:
    """Validated evidence of every kind, by node id (states as names, vectors as arrays)."""

    hard: Mapping[str, str] = field(default_factory=dict)
    soft: Mapping[str, np.ndarray] = field(default_factory=dict)
    likelihood: Mapping[str, np.ndarray] = field(default_factory=dict)
    do: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, model: Model, *, evidence: EvidenceLike = None, soft: VectorEvidence = None,
              likelihood: VectorEvidence = None, do: EvidenceLike = None) -> Findings:
        """Check names and numbers; raise a :class:`~cohesion_bn.errors.QueryError` if wrong."""
        hard = _parse_states(model, evidence, "evidence")
        dos = _parse_states(model, do, "do")
        soft_v = _parse_vectors(model, soft, "soft evidence", distribution=True)
        lik_v = _parse_vectors(model, likelihood, "likelihood evidence", distribution=False)
        kinds: dict[str, Mapping[str, Any]] = {
            "evidence": hard, "do": dos, "soft": soft_v, "likelihood": lik_v}
        names = list(kinds)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                both = sorted(set(kinds[a]) & set(kinds[b]))
                if both:
                    raise EvidenceError(f"node {both[0]!r} has both {a} and {b}; give one kind of "
                                        "evidence per node")
        return cls(hard, soft_v, lik_v, dos)

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.hard.items()]
        parts += [f"do({k}={v})" for k, v in self.do.items()]
        parts += [f"soft({k})" for k in self.soft]
        parts += [f"likelihood({k})" for k in self.likelihood]
        return ", ".join(parts) or "no evidence"


def _parse_states(model: Model, given: EvidenceLike, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if not given:
        return out
    if not isinstance(given, Mapping):
        raise EvidenceError(f"{what} must map node names to state names")
    for name, state in given.items():
        nid = model.resolve_node(str(name), context=what)
        out[nid] = model.resolve_state(nid, str(state), context=what)
    return out


def _parse_vectors(model: Model, given: VectorEvidence, what: str, *,
                   distribution: bool) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if not given:
        return out
    if not isinstance(given, Mapping):
        raise EvidenceError(f"{what} must map node names to one number per state")
    for name, raw in given.items():
        nid = model.resolve_node(str(name), context=what)
        states = model.states(nid)
        if isinstance(raw, Mapping):
            vec = np.zeros(len(states))
            for s, v in raw.items():
                vec[states.index(model.resolve_state(nid, str(s), context=what))] = _number(
                    v, nid, what)
        else:
            values = list(raw)
            if len(values) != len(states):
                raise EvidenceError(f"{what} on {nid!r} has {len(values)} numbers; the node has "
                                    f"{len(states)} states ({', '.join(states)})")
            vec = np.array([_number(v, nid, what) for v in values], dtype=float)
        if (vec < 0).any():
            raise EvidenceError(f"{what} on {nid!r} has a negative number; use numbers >= 0")
        if distribution and abs(vec.sum() - 1.0) > 1e-6:
            raise EvidenceError(f"soft evidence on {nid!r} sums to {vec.sum():.6g}; it is the "
                                "node's new distribution and must sum to 1")
        if not distribution and vec.max() <= 0:
            raise EvidenceError(f"{what} on {nid!r} is all zero; at least one state needs a "
                                "positive likelihood")
        out[nid] = vec / vec.sum() if distribution else vec
    return out


def _number(value: Any, node: str, what: str) -> float:
    if isinstance(value, bool):
        raise EvidenceError(f"{what} on {node!r}: {value!r} is not a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise EvidenceError(f"{what} on {node!r}: {value!r} is not a number") from None
    if not math.isfinite(x):
        raise EvidenceError(f"{what} on {node!r}: {value!r} is not a finite number")
    return x


# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class Posterior:
    """Posterior marginals of some nodes given some findings."""

    marginals: Mapping[str, pd.Series]
    findings: Findings
    probability_of_evidence: float

    def __getitem__(self, node: str) -> pd.Series:
        return self.marginals[node]

    def __iter__(self) -> Any:
        return iter(self.marginals)

    def most_likely(self, node: str) -> str:
        return str(self.marginals[node].idxmax())

    def to_df(self) -> pd.DataFrame:
        """One row per (node, state): columns node, state, probability."""
        rows = [(n, s, float(p)) for n, ser in self.marginals.items() for s, p in ser.items()]
        return pd.DataFrame(rows, columns=["node", "state", "probability"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "evidence": dict(self.findings.hard),
            "do": dict(self.findings.do),
            "soft": {k: v.tolist() for k, v in self.findings.soft.items()},
            "likelihood": {k: v.tolist() for k, v in self.findings.likelihood.items()},
            "probability_of_evidence": self.probability_of_evidence,
            "posteriors": {n: {str(s): float(p) for s, p in ser.items()}
                           for n, ser in self.marginals.items()},
        }


@dataclass(frozen=True)
class Explanation:
    """A most probable joint state of some nodes, and its posterior probability."""

    assignment: Mapping[str, str]
    probability: float
    findings: Findings

    def to_df(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.assignment.items()), columns=["node", "state"])

    def to_dict(self) -> dict[str, Any]:
        f = self.findings
        return {"assignment": dict(self.assignment), "probability": self.probability,
                "evidence": dict(f.hard), "do": dict(f.do),
                "soft": {k: v.tolist() for k, v in f.soft.items()},
                "likelihood": {k: v.tolist() for k, v in f.likelihood.items()}}


# ------------------------------------------------------------------ the network


def _factors(model: Model, findings: Findings,
             lambdas: Mapping[str, np.ndarray]) -> list[Factor]:
    """Factors of the (mutilated) network with hard evidence and do() sliced in."""
    fixed = {**findings.hard, **findings.do}
    out: list[Factor] = []
    for n in model.spec.nodes:
        if n.id in findings.do:
            continue  # cut from its parents and set: its factor is 1 at the set state
        vs = (n.id, *n.parents)
        arr = model.cpt(n.id)
        index: list[Any] = []
        keep: list[str] = []
        for v in vs:
            if v in fixed:
                index.append(model.states(v).index(fixed[v]))
            else:
                index.append(slice(None))
                keep.append(v)
        out.append((tuple(keep), arr[tuple(index)]))
    for node, lam in lambdas.items():
        out.append(((node,), np.asarray(lam, dtype=float)))
    return out


def _marginal(model: Model, factors: list[Factor], node: str) -> np.ndarray:
    """Unnormalised P(node, e) from factors with the evidence already sliced in."""
    n = len(model.states(node))
    out = np.zeros(n)
    for i in range(n):
        indicator = np.zeros(n)
        indicator[i] = 1.0
        out[i], _ = eliminate([*factors, ((node,), indicator)])
    return out


def _fit_soft(model: Model, findings: Findings) -> dict[str, np.ndarray]:
    """Likelihoods that give each soft node its target marginal (IPFP over the nodes)."""
    lambdas = {k: v.copy() for k, v in findings.likelihood.items()}
    soft_lams = {k: np.ones(len(v)) for k, v in findings.soft.items()}
    for _ in range(_SOFT_MAX_ITER):
        worst = 0.0
        for node, target in findings.soft.items():
            factors = _factors(model, findings, {**lambdas, **soft_lams})
            joint = _marginal(model, factors, node)
            total = joint.sum()
            if total <= 0:
                raise ImpossibleEvidenceError(f"the evidence ({findings.describe()}) has "
                                              "probability 0 under the model")
            current = joint / total
            if ((target > 0) & (current <= 0)).any():
                bad = [s for s, t, c in zip(model.states(node), target, current, strict=True)
                       if t > 0 and c <= 0]
                raise ImpossibleEvidenceError(
                    f"soft evidence puts probability on {node}={bad[0]}, which is impossible "
                    f"given the other evidence ({findings.describe()})")
            worst = max(worst, float(np.abs(current - target).max()))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(current > 0, target / current, 0.0)
            soft_lams[node] = soft_lams[node] * ratio
            soft_lams[node] /= soft_lams[node].max()
        if worst < SOFT_TOLERANCE:
            break
    else:
        raise EvidenceError("the soft findings are inconsistent with each other and the model: "
                            "no distribution has all the given marginals")
    return {**lambdas, **soft_lams}


def probability_of_evidence(model: Model, *, evidence: EvidenceLike = None,
                            do: EvidenceLike = None) -> float:
    """P(e) (under the interventions ``do``, if any) by bucket elimination."""
    findings = Findings.parse(model, evidence=evidence, do=do)
    value, _ = eliminate(_factors(model, findings, {}))
    return value


def _check_possible(model: Model, findings: Findings) -> float:
    value, _ = eliminate(_factors(model, findings, {}))
    if value <= 0.0:
        # name the first finding that makes the evidence impossible
        items = list(findings.hard.items())
        for k in range(1, len(items) + 1):
            part = Findings(dict(items[:k]), do=findings.do)
            if eliminate(_factors(model, part, {}))[0] <= 0.0:
                node, state = items[k - 1]
                given = ", ".join(f"{a}={b}" for a, b in items[:k - 1]) or "nothing else"
                if findings.do:
                    given += "; " + ", ".join(f"do({a}={b})" for a, b in findings.do.items())
                raise ImpossibleEvidenceError(
                    f"the evidence {node}={state} has probability 0 given {given}: "
                    "no posterior exists; check the evidence or the CPTs")
        raise ImpossibleEvidenceError(f"the evidence ({findings.describe()}) has probability 0")
    return value


def _check_lambdas(model: Model, findings: Findings,
                   lambdas: Mapping[str, np.ndarray]) -> None:
    """Likelihood evidence can rule out every state the hard evidence leaves possible."""
    if lambdas and eliminate(_factors(model, findings, lambdas))[0] <= 0.0:
        raise ImpossibleEvidenceError(
            f"the evidence ({findings.describe()}) has probability 0: the likelihoods give "
            "weight 0 to every state the other findings leave possible; no posterior exists")


def _pgmpy_network(model: Model, findings: Findings,
                   lambdas: Mapping[str, np.ndarray]) -> tuple[DiscreteBayesianNetwork,
                                                               dict[str, Any]]:
    """The pgmpy network to query: do() applied, likelihood children added."""
    from pgmpy.factors.discrete import TabularCPD

    net = model.network
    evidence: dict[str, Any] = {**findings.hard, **findings.do}
    if not findings.do and not lambdas:
        return net, evidence
    net = net.copy()
    for node, state in findings.do.items():
        for parent in list(net.get_parents(node)):
            net.remove_edge(parent, node)
        states = list(model.states(node))
        onehot = np.array([[1.0 if s == state else 0.0] for s in states])
        net.remove_cpds(net.get_cpds(node))
        net.add_cpds(TabularCPD(node, len(states), onehot, state_names={node: states}))
    for node, lam in lambdas.items():
        child = f"__lik__{node}"
        scaled = np.asarray(lam, dtype=float) / float(np.max(lam))
        states = list(model.states(node))
        net.add_edge(node, child)
        net.add_cpds(TabularCPD(child, 2, np.vstack([scaled, 1.0 - scaled]), evidence=[node],
                                evidence_card=[len(states)],
                                state_names={child: ["obs", "not"], node: states}))
        evidence[child] = "obs"
    return net, evidence


# ---------------------------------------------------------------------- queries


def posterior(
    model: Model,
    targets: str | Iterable[str] | None = None,
    *,
    evidence: EvidenceLike = None,
    soft: VectorEvidence = None,
    likelihood: VectorEvidence = None,
    do: EvidenceLike = None,
) -> Posterior:
    """Posterior marginals of ``targets`` (default: every node) given the findings.

    ``evidence`` maps nodes to observed states; ``soft`` maps nodes to their new
    distribution (Jeffrey's rule); ``likelihood`` to likelihood ratios (virtual evidence);
    ``do`` to states set by intervention. Nodes and states may be given by id or label.
    Raises :class:`~cohesion_bn.errors.ImpossibleEvidenceError` when P(evidence) = 0.
    """
    from pgmpy.inference import VariableElimination

    findings = Findings.parse(model, evidence=evidence, soft=soft, likelihood=likelihood, do=do)
    if isinstance(targets, str):
        targets = [targets]
    ids = (list(model.nodes) if targets is None
           else [model.resolve_node(t, context="target") for t in targets])
    p_e = _check_possible(model, findings)
    lambdas = _fit_soft(model, findings) if findings.soft else dict(findings.likelihood)
    _check_lambdas(model, findings, lambdas)
    net, pg_evidence = _pgmpy_network(model, findings, lambdas)
    ve = VariableElimination(net)
    marginals: dict[str, pd.Series] = {}
    fixed = {**findings.hard, **findings.do}
    for nid in ids:
        states = list(model.states(nid))
        if nid in fixed:
            values = np.array([1.0 if s == fixed[nid] else 0.0 for s in states])
        else:
            factor = ve.query([nid], evidence=pg_evidence, show_progress=False)
            names = factor.state_names[nid]
            raw = np.asarray(factor.values, dtype=float)
            values = np.array([raw[names.index(s)] for s in states])
        marginals[nid] = pd.Series(values, index=pd.Index(states, name=nid), name=nid)
    return Posterior(marginals, findings, p_e)


def map_query(
    model: Model,
    nodes: str | Iterable[str],
    *,
    evidence: EvidenceLike = None,
    soft: VectorEvidence = None,
    likelihood: VectorEvidence = None,
    do: EvidenceLike = None,
) -> Explanation:
    """The most probable joint state of ``nodes`` given the findings (MAP), with
    ``P(nodes = state | findings)``; every other node is summed out."""
    findings = Findings.parse(model, evidence=evidence, soft=soft, likelihood=likelihood, do=do)
    if isinstance(nodes, str):
        nodes = [nodes]
    ids = [model.resolve_node(n, context="MAP node") for n in nodes]
    fixed = {**findings.hard, **findings.do}
    clash = [n for n in ids if n in fixed]
    if clash:
        raise EvidenceError(f"node {clash[0]!r} is both observed and asked for; drop it from "
                            "the evidence or from the nodes to explain")
    _check_possible(model, findings)
    lambdas = _fit_soft(model, findings) if findings.soft else dict(findings.likelihood)
    _check_lambdas(model, findings, lambdas)
    factors = _factors(model, findings, lambdas)
    total, _ = eliminate(factors)
    best, idx = eliminate(factors, maximise=ids)
    assignment = {n: model.states(n)[idx[n]] for n in ids}
    return Explanation(assignment, best / total, findings)


def mpe(
    model: Model,
    *,
    evidence: EvidenceLike = None,
    soft: VectorEvidence = None,
    likelihood: VectorEvidence = None,
    do: EvidenceLike = None,
) -> Explanation:
    """The most probable explanation: the likeliest state of every unobserved node."""
    findings = Findings.parse(model, evidence=evidence, soft=soft, likelihood=likelihood, do=do)
    fixed = {**findings.hard, **findings.do}
    free = [n for n in model.nodes if n not in fixed]
    return map_query(model, free, evidence=evidence, soft=soft, likelihood=likelihood, do=do)


# -------------------------------------------------------------------- scenarios


def expected_effect(model: Model, node: str, distribution: pd.Series | np.ndarray) -> float:
    """E = Σ_s value(s) P(s), with the node's ``values`` from the model file."""
    n = model.node(node)
    if n.values is None:
        raise EvidenceError(f"node {n.id!r} has no values per state, so no expected effect")
    return float(np.dot(np.asarray(n.values), np.asarray(distribution, dtype=float)))


def effect_sign(value: float, sign: str) -> bool:
    """Whether an expected effect lies in the band of ``sign`` (:data:`EFFECT_BANDS`)."""
    lo, hi = EFFECT_BANDS[sign]
    return lo < value < hi


def compare_scenarios(
    model: Model,
    scenarios: Iterable[str] | None = None,
    *,
    targets: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Posteriors under each scenario, indexed (scenario, node, state), column probability."""
    chosen = _scenarios(model, scenarios)
    frames = []
    for sc in chosen:
        post = posterior(model, list(targets) if targets is not None else None,
                         evidence=sc.evidence)
        df = post.to_df()
        df.insert(0, "scenario", sc.id)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    return out.set_index(["scenario", "node", "state"])


def check_expectations(model: Model, scenarios: Iterable[str] | None = None) -> pd.DataFrame:
    """Each scenario's expectations from the model file against the model's answers.

    One row per expectation: scenario, node, kind (``most_likely`` or ``effect``), expected
    (a state or a sign), observed (the most likely state, or every sign whose band holds E),
    value (P of the most likely state, or E), ok.
    """
    rows = []
    for sc in _scenarios(model, scenarios):
        nodes = list(sc.expect_most_likely) + list(sc.expect_effects)
        if not nodes:
            continue
        post = posterior(model, nodes, evidence=sc.evidence)
        for node, state in sc.expect_most_likely.items():
            got = post.most_likely(node)
            rows.append((sc.id, node, "most_likely", state, got,
                         float(post[node].max()), got == state))
        for node, sign in sc.expect_effects.items():
            e = expected_effect(model, node, post[node])
            observed = " ".join(s for s in EFFECT_BANDS if effect_sign(e, s))
            rows.append((sc.id, node, "effect", sign, observed, e, effect_sign(e, sign)))
    return pd.DataFrame(rows, columns=["scenario", "node", "kind", "expected", "observed",
                                       "value", "ok"])


def _scenarios(model: Model, names: Iterable[str] | None) -> list[Any]:
    if names is None:
        return list(model.spec.scenarios)
    return [model.scenario(name) for name in names]
