"""Queries against brute-force enumeration of the joint, and hand-worked answers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import condition, joint, marginal, random_model, weigh
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cohesion_bn as cb
from cohesion_bn.errors import (
    EvidenceError,
    ImpossibleEvidenceError,
    UnknownNodeError,
    UnknownStateError,
)

TOL = 1e-9
seeds = st.integers(min_value=0, max_value=2**32 - 1)
fast = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pick_evidence(model: cb.Model, rng: np.random.Generator, k: int) -> dict[str, str]:
    nodes = rng.choice(model.nodes, size=min(k, len(model.nodes)), replace=False)
    return {str(n): str(rng.choice(model.states(str(n)))) for n in nodes}


# ----------------------------------------------------------------- hand-worked


def test_sprinkler_posterior_by_hand(tiny_path):
    """P(rain | wet) = 0.2 * 0.8019 / (0.2 * 0.8019 + 0.8 * 0.36) = 0.16038 / 0.44838."""
    m = cb.load_model(tiny_path)
    post = m.query("rain", evidence={"wet": "wet"})
    assert post["rain"]["yes"] == pytest.approx(0.16038 / 0.44838, abs=1e-12)
    assert post.probability_of_evidence == pytest.approx(0.44838, abs=1e-12)


def test_do_differs_from_conditioning_by_hand(tiny_path):
    """do(sprinkler=on) leaves P(rain)=0.2; seeing it on gives 0.002 / 0.322.
    Either way P(wet) = 0.2 * 0.99 + 0.8 * 0.9 = 0.918 under do; 0.06 + ... under seeing."""
    m = cb.load_model(tiny_path)
    done = m.query(["rain", "wet"], do={"sprinkler": "on"})
    seen = m.query(["rain", "wet"], evidence={"sprinkler": "on"})
    assert done["rain"]["yes"] == pytest.approx(0.2, abs=1e-12)
    assert done["wet"]["wet"] == pytest.approx(0.918, abs=1e-12)
    assert seen["rain"]["yes"] == pytest.approx(0.002 / 0.322, abs=1e-12)
    assert seen["wet"]["wet"] == pytest.approx((0.002 * 0.99 + 0.32 * 0.9) / 0.322, abs=1e-12)


def test_soft_evidence_fixes_marginal_likelihood_does_not(tiny_path):
    """Soft q=(0.5, 0.5) on rain fixes P(rain)=0.5; likelihood (0.5, 0.5) changes nothing."""
    m = cb.load_model(tiny_path)
    soft = m.query(soft={"rain": [0.5, 0.5]})
    lik = m.query(likelihood={"rain": [0.5, 0.5]})
    assert soft["rain"]["yes"] == pytest.approx(0.5, abs=1e-12)
    assert lik["rain"]["yes"] == pytest.approx(0.2, abs=1e-12)
    # Jeffrey's rule by hand: P'(wet) = 0.5 P(wet|rain) + 0.5 P(wet|no rain)
    assert soft["wet"]["wet"] == pytest.approx(0.5 * 0.8019 + 0.5 * 0.36, abs=1e-12)


def test_mpe_by_hand(tiny_path):
    """Joint maximum: rain=no (0.8), sprinkler=off (0.6), wet=dry (1.0): 0.48."""
    m = cb.load_model(tiny_path)
    best = m.mpe()
    assert dict(best.assignment) == {"rain": "no", "sprinkler": "off", "wet": "dry"}
    assert best.probability == pytest.approx(0.48, abs=1e-12)


# ----------------------------------------------------------------- brute force


@fast
@given(seed=seeds, k=st.integers(0, 3))
def test_hard_evidence_matches_brute_force(seed, k):
    m = random_model(seed, n_nodes=6, zero_prob=0.1)
    rng = np.random.default_rng(seed)
    ev = _pick_evidence(m, rng, k)
    j = condition(m, joint(m), ev)
    if j.sum() == 0:
        with pytest.raises(ImpossibleEvidenceError):
            m.query(evidence=ev)
        return
    post = m.query(evidence=ev)
    assert post.probability_of_evidence == pytest.approx(j.sum(), abs=TOL)
    for n in m.nodes:
        np.testing.assert_allclose(post[n].to_numpy(), marginal(m, j, n), atol=TOL)


@fast
@given(seed=seeds)
def test_likelihood_evidence_matches_brute_force(seed):
    m = random_model(seed, n_nodes=5)
    rng = np.random.default_rng(seed + 1)
    ev = _pick_evidence(m, rng, 1)
    node = str(rng.choice([n for n in m.nodes if n not in ev]))
    lam = rng.random(len(m.states(node))) + 0.01
    j = weigh(m, condition(m, joint(m), ev), node, lam)
    post = m.query(evidence=ev, likelihood={node: lam.tolist()})
    for n in m.nodes:
        np.testing.assert_allclose(post[n].to_numpy(), marginal(m, j, n), atol=TOL)


def _jeffrey_brute(m: cb.Model, j: np.ndarray, soft: dict[str, np.ndarray]) -> np.ndarray:
    """Iterative proportional fitting on the joint array itself."""
    j = j / j.sum()
    for _ in range(5000):
        for node, q in soft.items():
            cur = marginal(m, j, node)
            j = weigh(m, j, node, np.where(cur > 0, q / np.where(cur > 0, cur, 1), 0))
        if all(np.abs(marginal(m, j, n) - q).max() < 1e-13 for n, q in soft.items()):
            break
    return j


@fast
@given(seed=seeds, n_soft=st.integers(1, 2))
def test_soft_evidence_matches_brute_force(seed, n_soft):
    m = random_model(seed, n_nodes=5)
    rng = np.random.default_rng(seed + 2)
    ev = _pick_evidence(m, rng, 1)
    free = [n for n in m.nodes if n not in ev]
    soft = {str(n): rng.dirichlet(np.ones(len(m.states(str(n)))))
            for n in rng.choice(free, size=n_soft, replace=False)}
    j = _jeffrey_brute(m, condition(m, joint(m), ev), soft)
    post = m.query(evidence=ev, soft={k: v.tolist() for k, v in soft.items()})
    for n, q in soft.items():
        np.testing.assert_allclose(post[n].to_numpy(), q, atol=1e-9)
    for n in m.nodes:
        np.testing.assert_allclose(post[n].to_numpy(), marginal(m, j, n), atol=1e-8)


def test_single_soft_node_is_jeffreys_rule():
    """With one soft node, P'(v) = sum_s q(s) P(v | s) exactly."""
    m = random_model(7, n_nodes=5)
    node = m.nodes[1]
    q = np.array([0.3, 0.7] if len(m.states(node)) == 2 else [0.2, 0.3, 0.5])
    post = m.query(soft={node: q.tolist()})
    j = joint(m)
    for n in m.nodes:
        expect = sum(q[i] * marginal(m, condition(m, j, {node: s}), n)
                     for i, s in enumerate(m.states(node)))
        np.testing.assert_allclose(post[n].to_numpy(), expect, atol=1e-10)


@fast
@given(seed=seeds)
def test_do_matches_mutilated_brute_force(seed):
    m = random_model(seed, n_nodes=6)
    rng = np.random.default_rng(seed + 3)
    node = str(rng.choice(m.nodes[1:]))
    state = str(rng.choice(m.states(node)))
    ev = _pick_evidence(m, rng, 1)
    ev.pop(node, None)
    j = condition(m, joint(m, do={node: state}), ev)
    if j.sum() == 0:
        return
    post = m.query(evidence=ev, do={node: state})
    for n in m.nodes:
        np.testing.assert_allclose(post[n].to_numpy(), marginal(m, j, n), atol=TOL)


@fast
@given(seed=seeds, k=st.integers(1, 3))
def test_map_matches_brute_force(seed, k):
    m = random_model(seed, n_nodes=6)
    rng = np.random.default_rng(seed + 4)
    ev = _pick_evidence(m, rng, 1)
    free = [n for n in m.nodes if n not in ev]
    q = [str(n) for n in rng.choice(free, size=min(k, len(free)), replace=False)]
    j = condition(m, joint(m), ev)
    axes = tuple(i for i, n in enumerate(m.nodes) if n not in q)
    qj = j.sum(axis=axes) / j.sum()
    order = [n for n in m.nodes if n in q]
    result = m.map(q, evidence=ev)
    got = tuple(m.states(n).index(result.assignment[n]) for n in order)
    assert qj[got] == pytest.approx(qj.max(), abs=TOL)
    assert result.probability == pytest.approx(qj.max(), abs=TOL)


@fast
@given(seed=seeds)
def test_mpe_matches_brute_force(seed):
    m = random_model(seed, n_nodes=6)
    j = joint(m)
    best = m.mpe()
    idx = tuple(m.states(n).index(best.assignment[n]) for n in m.nodes)
    assert j[idx] == pytest.approx(j.max(), abs=TOL)
    assert best.probability == pytest.approx(j.max(), abs=TOL)


# ----------------------------------------------------------------- errors


def test_unknown_node_suggests_close_match(tiny_path):
    m = cb.load_model(tiny_path)
    with pytest.raises(UnknownNodeError, match=r"'sprinkle'.*did you mean 'sprinkler'.*rain"):
        m.query(evidence={"sprinkle": "on"})


def test_unknown_state_lists_states(tiny_path):
    m = cb.load_model(tiny_path)
    with pytest.raises(UnknownStateError, match=r"no state 'onn'.*did you mean 'on'.*on, off"):
        m.query(evidence={"sprinkler": "onn"})


def test_labels_work_as_names(tiny_path):
    m = cb.load_model(tiny_path)
    a = m.query("Wet grass", evidence={"Sprinkler": "on"})
    b = m.query("wet", evidence={"sprinkler": "on"})
    np.testing.assert_allclose(a["wet"].to_numpy(), b["wet"].to_numpy())


def test_impossible_evidence_names_the_finding(tiny_path):
    """wet=wet is impossible when sprinkler=off and rain=no (column (0, 1))."""
    m = cb.load_model(tiny_path)
    with pytest.raises(ImpossibleEvidenceError, match=r"wet=wet has probability 0"):
        m.query(evidence={"rain": "no", "sprinkler": "off", "wet": "wet"})


@pytest.mark.parametrize("kwargs, message", [
    ({"soft": {"rain": [0.5, 0.6]}}, "sums to 1.1"),
    ({"soft": {"rain": [1.0]}}, "has 1 numbers"),
    ({"likelihood": {"rain": [0, 0]}}, "all zero"),
    ({"likelihood": {"rain": [-1, 2]}}, "negative"),
    ({"soft": {"rain": ["a", 1]}}, "not a number"),
    ({"evidence": {"rain": "yes"}, "do": {"rain": "no"}}, "both evidence and do"),
])
def test_bad_evidence_is_refused(tiny_path, kwargs, message):
    m = cb.load_model(tiny_path)
    with pytest.raises(EvidenceError, match=message):
        m.query(**kwargs)


def test_all_states_enumerated_once(tiny_path):
    """The pgmpy network carries the file's CPTs: every cell equals the spec's."""
    m = cb.load_model(tiny_path)
    for n in m.nodes:
        cpd = m.network.get_cpds(n)
        np.testing.assert_array_equal(cpd.values, m.cpt(n))
    for a, b in itertools.combinations(m.nodes, 2):
        assert (a in m.parents(b)) == m.network.has_edge(a, b)


def test_likelihood_that_rules_out_everything_is_impossible(tiny_path):
    """Given rain=no and sprinkler=off, wet=wet has probability 0; a likelihood (1, 0) on
    wet leaves nothing possible."""
    m = cb.load_model(tiny_path)
    with pytest.raises(ImpossibleEvidenceError, match="probability 0"):
        m.query(evidence={"rain": "no", "sprinkler": "off"}, likelihood={"wet": [1, 0]})
    with pytest.raises(ImpossibleEvidenceError):
        m.mpe(evidence={"rain": "no", "sprinkler": "off"}, likelihood={"wet": [1, 0]})


def test_scenario_by_id_or_label_and_one_message_everywhere() -> None:
    """Model.scenario finds a scenario by id or label (either case); every place that takes
    a scenario name (compare_scenarios, one-way, the Monte Carlo, the CLI) uses it, so an
    unknown name always gets the same message with the close match."""
    import cohesion_bn as cb
    from cohesion_bn.errors import QueryError
    from cohesion_bn.sensitivity import oneway, uncertainty

    m = cb.load_model()
    assert m.scenario("ukraine_loses").id == "ukraine_loses"
    assert m.scenario("ii: ukraine loses").id == "ukraine_loses"
    for call in (lambda: m.scenarios(scenarios=["ukraine_lose"]),
                 lambda: oneway.analyze_scenarios(m, "cohesion=weak", scenarios=["ukraine_lose"]),
                 lambda: uncertainty.analyze(m, "cohesion=weak", n=10, scenarios=["ukraine_lose"])):
        with pytest.raises(QueryError, match=r"unknown scenario 'ukraine_lose' \(did you mean "
                           r"'ukraine_loses'\?\); the scenarios are: ukraine_wins, "):
            call()
