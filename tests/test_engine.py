"""Tests of the batched exact inference engine (cohesion_bn.engine).

Three independent references:

- pgmpy's VariableElimination on pgmpy's bundled example networks (read from the installed
  package, CPD columns normalised first: some sum to 1 only within 1e-7);
- brute-force enumeration of the joint distribution of small random networks drawn by
  hypothesis (posteriors, P(e), and derivatives as sums of products of the other factors);
- central finite differences of the engine's own forward pass (for the backward pass).
"""

from __future__ import annotations

import functools
import gzip
import itertools
import string
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohesion_bn.engine import CompiledNetwork, ParameterSet
from cohesion_bn.errors import (
    AnalysisError,
    EvidenceError,
    ImpossibleEvidenceError,
    UnknownNodeError,
    UnknownStateError,
)

pgmpy = pytest.importorskip("pgmpy")

# --------------------------------------------------------------------------------------
# pgmpy's example networks
# --------------------------------------------------------------------------------------


def _bif_path(name: str) -> Path:
    root = Path(pgmpy.__file__).parent
    found = sorted(root.glob(f"**/{name}.bif.gz"))
    if not found:
        pytest.skip(f"pgmpy has no bundled {name}.bif.gz")
    return found[0]


@functools.cache
def _example(name: str) -> Any:
    """An example network, read from the installed pgmpy, with CPD columns normalised."""
    from pgmpy.readwrite import BIFReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with gzip.open(_bif_path(name), "rt") as fh:
            net = BIFReader(string=fh.read()).get_model()
        for cpd in net.get_cpds():
            cpd.normalize(inplace=True)
    return net


@functools.cache
def _compiled(name: str) -> CompiledNetwork:
    return CompiledNetwork.from_pgmpy(_example(name))


def _sample_evidence(net: CompiledNetwork, k: int, seed: int) -> dict[str, str]:
    """``k`` findings from one forward sample of the network (so P(e) > 0)."""
    rng = np.random.default_rng(seed)
    value: dict[str, int] = {}
    for node in _topological(net):
        cpt = net.cpts[node]
        col = cpt[(slice(None), *(value[p] for p in net.parents[node]))]
        value[node] = int(rng.choice(len(col), p=col / col.sum()))
    chosen = rng.choice(len(net.nodes), size=k, replace=False)
    return {net.nodes[i]: net.states[net.nodes[i]][value[net.nodes[i]]] for i in chosen}


def _topological(net: CompiledNetwork) -> list[str]:
    done: list[str] = []
    while len(done) < len(net.nodes):
        for n in net.nodes:
            if n not in done and all(p in done for p in net.parents[n]):
                done.append(n)
    return done


def _pgmpy_marginal(ve: Any, node: str, states: tuple[str, ...], evidence: dict[str, str],
                    virtual: list[Any] | None = None) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = ve.query([node], evidence=evidence, virtual_evidence=virtual,
                     show_progress=False)
    return np.array([f.values[f.state_names[node].index(s)] for s in states])


def _pgmpy_p_evidence(ve: Any, evidence: dict[str, str]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = ve.query(list(evidence), show_progress=False, joint=True)
    return float(f.values[tuple(f.state_names[v].index(s) for v, s in
                                zip(f.variables, (evidence[v] for v in f.variables),
                                    strict=True))])


# reading a BIF file with pgmpy takes 2-5 s (most of it building the parser), so hepar2
# (70 nodes) is marked slow, though it runs by default
EXAMPLES = ["asia", "child", "insurance", "alarm", pytest.param("hepar2", marks=pytest.mark.slow)]


@pytest.mark.parametrize("name", EXAMPLES)
def test_matches_pgmpy_variable_elimination(name: str) -> None:
    from pgmpy.inference import VariableElimination

    net = _compiled(name)
    ve = VariableElimination(_example(name))
    rng = np.random.default_rng(1)
    worst = 0.0
    for k, seed in ((0, 0), (2, 1), (4, 2)):
        evidence = _sample_evidence(net, k, seed) if k else {}
        every = net.all_marginals(evidence=evidence)
        free = [n for n in net.nodes if n not in evidence]
        targets = free if len(free) <= 30 else list(rng.choice(free, size=30, replace=False))
        for node in targets:
            ref = _pgmpy_marginal(ve, node, net.states[node], evidence)
            got = net.query(node, evidence=evidence)[node][0]
            worst = max(worst, float(np.abs(got - ref).max()),
                        float(np.abs(every[node][0] - ref).max()))
        if evidence:
            p_e = net.probability_of_evidence(evidence=evidence)[0]
            assert p_e == pytest.approx(_pgmpy_p_evidence(ve, evidence), rel=1e-9, abs=1e-15)
            assert every.p_evidence[0] == pytest.approx(p_e, rel=1e-9, abs=1e-15)
    assert worst < 1e-9


def test_likelihood_evidence_matches_pgmpy_virtual_evidence() -> None:
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    net = _compiled("asia")
    ve = VariableElimination(_example("asia"))
    lik = {"xray": np.array([0.8, 0.3]), "dysp": np.array([0.1, 0.6])}
    virtual = [TabularCPD(n, 2, [[v] for v in vec], state_names={n: list(net.states[n])})
               for n, vec in lik.items()]
    evidence = {"smoke": "yes"}
    every = net.all_marginals(evidence=evidence, likelihood=lik)
    for node in net.nodes:
        if node in evidence:
            continue
        ref = _pgmpy_marginal(ve, node, net.states[node], evidence, virtual)
        np.testing.assert_allclose(net.query(node, evidence=evidence, likelihood=lik)[node][0],
                                   ref, atol=1e-12)
        np.testing.assert_allclose(every[node][0], ref, atol=1e-12)


# --------------------------------------------------------------------------------------
# Random small networks against brute-force enumeration of the joint
# --------------------------------------------------------------------------------------


class _Case:
    """A random network with evidence, likelihoods and a batch of CPTs."""

    def __init__(self, data: Any) -> None:
        draw = data.draw
        n = draw(st.integers(1, 6), label="n")
        self.nodes = [f"x{i}" for i in range(n)]
        self.cards = {v: draw(st.integers(1, 3), label=f"card {v}") for v in self.nodes}
        self.states = {v: tuple(f"s{j}" for j in range(self.cards[v])) for v in self.nodes}
        self.parents: dict[str, tuple[str, ...]] = {}
        for i, v in enumerate(self.nodes):
            earlier = self.nodes[:i]
            k = draw(st.integers(0, min(3, len(earlier))), label=f"#parents {v}")
            self.parents[v] = tuple(draw(st.permutations(earlier), label=f"parents {v}")[:k])
        seed = draw(st.integers(0, 2**32 - 1), label="seed")
        rng = np.random.default_rng(seed)
        self.batch = draw(st.integers(1, 3), label="B")
        batched = draw(st.sets(st.sampled_from(self.nodes)), label="batched")
        zeros = draw(st.booleans(), label="exact zeros")
        self.cpts: dict[str, np.ndarray] = {}
        self.params: dict[str, np.ndarray] = {}
        for v in self.nodes:
            shape = (self.cards[v], *(self.cards[p] for p in self.parents[v]))
            self.cpts[v] = _random_cpt(rng, shape, zeros)
            if v in batched:
                self.params[v] = np.stack([_random_cpt(rng, shape, zeros)
                                           for _ in range(self.batch)])
        ev_nodes = draw(st.sets(st.sampled_from(self.nodes)), label="evidence nodes")
        self.evidence = {v: draw(st.sampled_from(self.states[v]), label=f"state {v}")
                         for v in sorted(ev_nodes)}
        soft_nodes = draw(st.sets(st.sampled_from([v for v in self.nodes
                                                    if v not in ev_nodes] or ["-"])),
                          label="likelihood nodes") - {"-"}
        self.likelihood: dict[str, np.ndarray] = {}
        for v in sorted(soft_nodes):
            shape = (self.batch, self.cards[v]) if draw(st.booleans(), label="lb") else (
                self.cards[v],)
            vec = rng.uniform(0.05, 2.0, size=shape)
            self.likelihood[v] = vec
        self.batched_any = bool(self.params) or any(a.ndim == 2 for a in self.likelihood.values())
        if not self.batched_any:
            self.batch = 1
        self.target = draw(st.sampled_from(self.nodes), label="target")

    def network(self) -> CompiledNetwork:
        return CompiledNetwork(self.nodes, self.states, self.parents, self.cpts)

    def factors(self, b: int) -> list[tuple[np.ndarray, tuple[str, ...]]]:
        """Every factor of parameter set ``b``: CPTs, evidence indicators, likelihoods."""
        out = []
        for v in self.nodes:
            cpt = self.params[v][b] if v in self.params else self.cpts[v]
            out.append((cpt, (v, *self.parents[v])))
        for v, s in self.evidence.items():
            out.append(((np.array(self.states[v]) == s).astype(float), (v,)))
        for v, vec in self.likelihood.items():
            out.append((vec[b] if vec.ndim == 2 else vec, (v,)))
        return out


def _random_cpt(rng: np.random.Generator, shape: tuple[int, ...], zeros: bool) -> np.ndarray:
    x = rng.gamma(0.7, size=shape) + 1e-3
    if zeros and shape[0] > 1:
        x[rng.random(shape) < 0.25] = 0.0
        x[:1] = np.where(x.sum(axis=0, keepdims=True) == 0, 1.0, x[:1])
    return x / x.sum(axis=0, keepdims=True)


def _einsum(factors: list[tuple[np.ndarray, tuple[str, ...]]], out: tuple[str, ...]
            ) -> np.ndarray:
    """Brute force: the product of all factors over the full joint, summed onto ``out``."""
    names = sorted({v for _, vs in factors for v in vs} | set(out))
    letter = dict(zip(names, string.ascii_letters, strict=False))
    subs = ",".join("".join(letter[v] for v in vs) for _, vs in factors)
    return np.einsum(f"{subs}->{''.join(letter[v] for v in out)}",
                     *(a for a, _ in factors), optimize=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_networks_match_brute_force(data: Any) -> None:
    case = _Case(data)
    net = case.network()
    params = net.parameters(case.params)
    p_e = np.array([_einsum(case.factors(b), ()) for b in range(case.batch)])
    if np.any(p_e <= 1e-300):
        with pytest.raises(ImpossibleEvidenceError):
            net.query(case.target, evidence=case.evidence, likelihood=case.likelihood,
                      params=params)
        with pytest.raises(ImpossibleEvidenceError):
            net.all_marginals(evidence=case.evidence, likelihood=case.likelihood,
                              params=params)
        nan = net.query(case.target, evidence=case.evidence, likelihood=case.likelihood,
                        params=params, on_impossible="nan")
        assert np.all(np.isnan(nan[case.target][p_e <= 0]))
        return
    every = net.all_marginals(evidence=case.evidence, likelihood=case.likelihood,
                              params=params)
    np.testing.assert_allclose(every.p_evidence, p_e, rtol=1e-10)
    for v in case.nodes:
        ref = np.array([_einsum(case.factors(b), (v,)) / p_e[b] for b in range(case.batch)])
        got = net.query(v, evidence=case.evidence, likelihood=case.likelihood, params=params)
        np.testing.assert_allclose(got[v], ref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got.p_evidence, p_e, rtol=1e-10)
        np.testing.assert_allclose(every[v], ref, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_network_derivatives_match_brute_force(data: Any) -> None:
    """dP(t, e)/dθ and dP(e)/dθ for every CPT entry, barren nodes included."""
    case = _Case(data)
    net = case.network()
    grad = net.gradient(case.target, evidence=case.evidence, likelihood=case.likelihood,
                        params=net.parameters(case.params))
    t = case.target
    nt = case.cards[t]
    for b in range(case.batch):
        factors = case.factors(b)
        joint = _einsum(factors, (t,))
        assert grad.joint is not None
        np.testing.assert_allclose(grad.joint[b], joint, rtol=1e-10, atol=1e-300)
        assert grad.p_evidence[b] == pytest.approx(joint.sum(), rel=1e-10, abs=1e-300)
        for k, v in enumerate(case.nodes):
            fam = (v, *case.parents[v])
            # every factor but the CPT, and ones so the family's variables all appear
            others = factors[:k] + factors[k + 1:] + [(np.ones(case.cards[u]), (u,))
                                                      for u in fam]
            d_e = _einsum(others, fam)
            # copy of the target's index, so the target may be in the family
            eye = (np.eye(nt), ("_t", t))
            d_j = _einsum([*others, eye], ("_t", *fam))
            np.testing.assert_allclose(grad.d_evidence[v][b], d_e, rtol=1e-9, atol=1e-12)
            assert grad.d_joint is not None
            np.testing.assert_allclose(grad.d_joint[v][b], d_j, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------
# Derivatives against finite differences; batches; options; errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["child", "alarm"])
def test_derivatives_match_finite_differences(name: str) -> None:
    net = _compiled(name)
    evidence = _sample_evidence(net, 3, seed=5)
    target = next(n for n in reversed(net.nodes) if n not in evidence)
    grad = net.gradient(target, evidence=evidence)
    assert grad.d_joint is not None
    rng = np.random.default_rng(3)
    h = 1e-6
    for node in rng.choice(list(net.nodes), size=8, replace=False):
        cpt = net.cpts[node]
        entry = tuple(int(rng.integers(s)) for s in cpt.shape)
        values = []
        for sign in (1, -1):
            bumped = cpt.copy()
            bumped[entry] += sign * h
            # the polynomial at a non-normalised point: no validation, no pruning
            g = net.gradient(target, evidence=evidence,
                             params=net.parameters({node: bumped}, validate=False))
            assert g.joint is not None
            values.append(g.joint[0])
        fd = (values[0] - values[1]) / (2 * h)
        np.testing.assert_allclose(grad.d_joint[node][0][(slice(None), *entry)], fd,
                                   rtol=1e-5, atol=1e-9)
    # the posterior's derivative by the quotient rule, against finite differences too
    d_post = grad.d_posterior()
    node = net.parents[target][0] if net.parents[target] else target
    entry = (0,) * net.cpts[node].ndim
    posts = []
    for sign in (1, -1):
        bumped = net.cpts[node].copy()
        bumped[entry] += sign * h
        g = net.gradient(target, evidence=evidence,
                         params=net.parameters({node: bumped}, validate=False))
        posts.append(g.posterior()[0])
    np.testing.assert_allclose(d_post[node][0][(slice(None), *entry)],
                               (posts[0] - posts[1]) / (2 * h), rtol=1e-5, atol=1e-9)


def _dirichlet_draws(net: CompiledNetwork, batch: int, seed: int, ess: float = 20.0
                     ) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for node, cpt in net.cpts.items():
        g = rng.gamma(np.broadcast_to(cpt * ess + 1e-3, (batch, *cpt.shape)))
        out[node] = g / g.sum(axis=1, keepdims=True)
    return out


def test_batch_equals_loop_of_single_evaluations() -> None:
    net = _compiled("child")
    draws = _dirichlet_draws(net, 5, seed=0)
    evidence = _sample_evidence(net, 2, seed=4)
    lik = {"Age": np.array([0.2, 0.5, 1.0])}
    target = "Disease"
    batch = net.query([target, "LungParench"], evidence=evidence, likelihood=lik,
                      params=draws)
    every = net.all_marginals(evidence=evidence, likelihood=lik, params=draws)
    grad = net.gradient(target, evidence=evidence, likelihood=lik, params=draws)
    for b in range(5):
        one = {n: d[b] for n, d in draws.items()}
        single = net.query([target, "LungParench"], evidence=evidence, likelihood=lik,
                           params=one)
        for n in (target, "LungParench"):
            np.testing.assert_allclose(batch[n][b], single[n][0], rtol=1e-12)
            np.testing.assert_allclose(every[n][b], single[n][0], rtol=1e-10)
        assert batch.p_evidence[b] == pytest.approx(single.p_evidence[0], rel=1e-12)
        g1 = net.gradient(target, evidence=evidence, likelihood=lik, params=one)
        for n in net.nodes:
            np.testing.assert_allclose(grad.d_evidence[n][b], g1.d_evidence[n][0], rtol=1e-10,
                                       atol=1e-300)


def test_batch_last_chunks_and_float32_agree() -> None:
    net = _compiled("insurance")
    draws = _dirichlet_draws(net, 37, seed=1)
    evidence = _sample_evidence(net, 3, seed=2)
    ref = net.query("PropCost", evidence=evidence, params=draws)
    last = net.parameters({n: np.moveaxis(d, 0, -1) for n, d in draws.items()},
                          batch_last=True)
    np.testing.assert_array_equal(last.cpt("Age"), draws["Age"])
    chunked = net.query("PropCost", evidence=evidence, params=last, chunk_size=5)
    np.testing.assert_allclose(chunked["PropCost"], ref["PropCost"], rtol=1e-12)
    single = net.parameters(draws, dtype=np.float32)
    f32 = net.query("PropCost", evidence=evidence, params=single)
    assert f32["PropCost"].dtype == np.float32
    np.testing.assert_allclose(f32["PropCost"], ref["PropCost"], atol=1e-5)
    g64 = net.gradient("PropCost", evidence=evidence, params=draws, chunk_size=4)
    g_ref = net.gradient("PropCost", evidence=evidence, params=draws)
    for n in net.nodes:
        np.testing.assert_allclose(g64.d_evidence[n], g_ref.d_evidence[n], rtol=1e-12)


def test_gradient_wrt_subset_prunes_and_agrees() -> None:
    net = _compiled("alarm")
    evidence = _sample_evidence(net, 2, seed=7)
    target = "HR" if "HR" not in evidence else "BP"
    full = net.gradient(target, evidence=evidence)
    some = ["CO", "HR", "LVFAILURE"]
    part = net.gradient(target, evidence=evidence, wrt=some)
    assert set(part.d_evidence) == set(some)
    assert full.d_joint is not None and part.d_joint is not None
    for n in some:
        np.testing.assert_allclose(part.d_joint[n], full.d_joint[n], rtol=1e-10, atol=1e-15)
    # a barren node's derivative: dP(e)/dθ[x|u] = P(u, e), whatever x
    barren = next(n for n in net.nodes if n not in net.ancestors([*evidence, target]))
    d = full.d_evidence[barren][0]
    np.testing.assert_allclose(d, np.broadcast_to(d[:1], d.shape), rtol=1e-12)
    assert d.sum() > 0


def test_observed_target_and_plan_cache() -> None:
    net = _compiled("asia")
    post = net.query(["lung", "tub"], evidence={"lung": "yes"})
    np.testing.assert_array_equal(post["lung"], [[1.0, 0.0]])
    g = net.gradient("lung", evidence={"lung": "yes", "dysp": "yes"})
    assert g.joint is not None and g.d_joint is not None
    assert g.joint[0, 1] == 0 and g.joint[0, 0] == pytest.approx(g.p_evidence[0])
    np.testing.assert_allclose(g.d_joint["smoke"][:, 0], g.d_evidence["smoke"])
    # one plan serves every state of the same evidence nodes
    for smoke in net.states["smoke"]:
        fresh = CompiledNetwork(net.nodes, net.states, net.parents, net.cpts)
        np.testing.assert_allclose(net.query("dysp", evidence={"smoke": smoke})["dysp"],
                                   fresh.query("dysp", evidence={"smoke": smoke})["dysp"],
                                   rtol=1e-15)
    info = net.plan_info(["dysp", "xray"], evidence=["smoke"])
    assert [i.nodes[-1] for i in info] and info[0].flops > 0
    assert net.plan_info("dysp", evidence=["smoke"]) == info[:1]  # served from the cache


def test_impossible_evidence() -> None:
    net = _compiled("asia")
    impossible = {"lung": "yes", "either": "no"}   # 'either' is 'lung or tub'
    with pytest.raises(ImpossibleEvidenceError):
        net.query("dysp", evidence=impossible)
    with pytest.raises(ImpossibleEvidenceError):
        net.all_marginals(evidence=impossible)
    assert net.probability_of_evidence(evidence=impossible)[0] == 0.0
    nan = net.query("dysp", evidence=impossible, on_impossible="nan")
    assert np.all(np.isnan(nan["dysp"]))
    g = net.gradient("dysp", evidence=impossible)
    with pytest.raises(ImpossibleEvidenceError):
        g.posterior()
    # in a batch: only the draws where the evidence is impossible are flagged
    cpt = net.cpts["lung"]
    batch = np.stack([cpt, np.array([[0.0, 0.0], [1.0, 1.0]])])
    with pytest.raises(ImpossibleEvidenceError, match="batch element"):
        net.query("dysp", evidence={"lung": "yes"}, params={"lung": batch})


def test_bad_input_raises_the_documented_errors() -> None:
    net = _compiled("asia")
    with pytest.raises(UnknownNodeError):
        net.query("lungs")
    with pytest.raises(UnknownNodeError):
        net.query("dysp", evidence={"smoker": "yes"})
    with pytest.raises(UnknownStateError):
        net.query("dysp", evidence={"smoke": "maybe"})
    with pytest.raises(EvidenceError):
        net.query("dysp", evidence={"smoke": "yes"}, likelihood={"smoke": [1, 0.5]})
    with pytest.raises(EvidenceError):
        net.query("dysp", likelihood={"smoke": [1, 0.5, 0.2]})
    with pytest.raises(EvidenceError):
        net.query("dysp", likelihood={"smoke": [0.0, 0.0]})
    with pytest.raises(AnalysisError):
        net.parameters({"dysp": np.ones((2, 3))})
    with pytest.raises(AnalysisError):
        net.parameters({"smoke": np.array([0.7, 0.4])})
    with pytest.raises(AnalysisError):
        net.parameters({"smoke": np.ones((3, 2)) / 2, "asia": np.ones((4, 2)) / 2})
    with pytest.raises(AnalysisError):
        CompiledNetwork(["a", "b"], {"a": ["x"], "b": ["y"]}, {"a": ["b"], "b": ["a"]},
                        {"a": np.ones((1, 1)), "b": np.ones((1, 1))})
    with pytest.raises(AnalysisError):
        CompiledNetwork(["a"], {"a": ["x", "y"]}, {}, {"a": np.array([0.5, 0.6])})
    other = CompiledNetwork(["a"], {"a": ["x", "y"]}, {}, {"a": np.array([0.5, 0.5])})
    with pytest.raises(AnalysisError):
        net.query("dysp", params=other.parameters())
    assert isinstance(net.parameters(), ParameterSet)


def test_cpt_layout_is_pgmpy_values_layout() -> None:
    """A CPT's axes are (own states, parents in cpd.variables[1:] order)."""
    net = _compiled("alarm")
    for cpd in _example("alarm").get_cpds():
        node = cpd.variable
        assert net.parents[node] == tuple(cpd.variables[1:])
        np.testing.assert_allclose(net.cpts[node], cpd.values, rtol=1e-12)
    assert net.n_parameters == sum(c.values.size for c in _example("alarm").get_cpds())


def test_all_states_enumerated_by_brute_force_on_asia() -> None:
    """P(e) summed over every configuration of four nodes is 1 (the hard-evidence path)."""
    net = _compiled("asia")
    nodes = list(net.nodes)[:4]
    total = 0.0
    for combo in itertools.product(*(net.states[n] for n in nodes)):
        total += float(net.probability_of_evidence(evidence=dict(zip(nodes, combo,
                                                                      strict=True)))[0])
    assert total == pytest.approx(1.0, abs=1e-12)
