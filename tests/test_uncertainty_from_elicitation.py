"""The uncertainty the elicitation write-back keeps is what the Monte Carlo draws from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cohesion_bn as cb
from cohesion_bn.elicitation.pooling import pool
from cohesion_bn.elicitation.questionnaire import read_questionnaire
from cohesion_bn.elicitation.store import Store
from cohesion_bn.elicitation.study import load_study
from cohesion_bn.elicitation.writeback import write_pooled_model
from cohesion_bn.sensitivity._draws import read_uncertainty

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo_study"


@pytest.fixture(scope="module")
def pooled_models(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pooled")
    study = load_study(DEMO / "study.yaml")
    store = Store(tmp / "s.sqlite", study=study.id)
    for f in sorted((DEMO / "answers").glob("E*.xlsx")):
        store.add(read_questionnaire(f, study).answers)
    model = cb.load_model(study.model_path)
    out = {}
    for how in ("tables", "parameters"):
        result = pool(model, store.latest(), parametric=how)
        out[how] = cb.load_model(write_pooled_model(model, result, tmp / f"{how}.yaml"))
    return out


def test_table_columns_drawn_with_written_concentrations(pooled_models):
    m = pooled_models["tables"]
    unc = read_uncertainty(m)
    assert {g.source for g in unc.groups} == {"file"}
    written = m.spec.node("lead_national").cpt.uncertainty["concentration"]
    for g in unc.groups:
        if g.node == "lead_national":
            key = g.name.split(" | ", 1)[1].replace(" ", "")
            assert g.concentration == pytest.approx(written[key])


def test_ranked_weights_drawn_from_the_written_dirichlet(pooled_models):
    """Normalised gamma draws of shape a0*m are Dirichlet(a0 m): their mean is m."""
    m = pooled_models["parameters"]
    written = m.spec.node("cohesion").cpt.uncertainty["weights"]
    unc = read_uncertainty(m, ranked="parameters")
    (g,) = [g for g in unc.groups if g.node == "cohesion"]
    rng = np.random.default_rng(0)
    draws = np.stack([d.rvs(rng, 40000) for d in g.dists[:-1]], axis=1)
    share = draws / draws.sum(axis=1, keepdims=True)
    want = [written["mean"][p] for p in m.parents("cohesion")]
    np.testing.assert_allclose(share.mean(axis=0), want, atol=5e-3)
    a0 = written["concentration"]
    var = share.var(axis=0)
    np.testing.assert_allclose(var, np.array(want) * (1 - np.array(want)) / (a0 + 1),
                               rtol=0.1)


def test_combining_function_drawn_with_the_experts_shares(pooled_models):
    """Two of the four made-up experts chose WMIN for cohesion: each draw of cohesion's
    table uses WMIN with probability 0.5. Institutions' MIXMINMAX share (one expert) has
    no mixing weights in the file: not drawn, and the group says so."""
    m = pooled_models["parameters"]
    assert m.spec.node("cohesion").cpt.uncertainty["function"] == {"wmean": 0.5, "wmin": 0.5}
    unc = read_uncertainty(m, ranked="parameters")
    (g,) = [g for g in unc.groups if g.node == "cohesion"]
    assert g.functions == ("wmean", "wmin") and g.shares == pytest.approx((0.5, 0.5))
    assert g.inputs[-1] == "cohesion: function"
    (inst,) = [g for g in unc.groups if g.node == "institutions"]
    assert inst.functions == ()
    assert "mixminmax 0.25 not drawn" in inst.source


def test_function_shares_known_answer() -> None:
    """A ranked child of one parent with fixed weights and variance, function drawn as
    WMEAN with share 0.75 and WMIN with 0.25: every drawn table is one of the two tables,
    WMIN in about a quarter of the draws, and the inverse CDF sends u < 0.75 to WMEAN."""
    from cohesion_bn.cpt import ranked as ranked_method
    from cohesion_bn.sensitivity._draws import RankedGroup, Scalar

    cards = (3, 3)
    kw = {"variance": 0.01, "directions": (1, 1), "points": None, "weights": [1.0, 2.0]}
    mean_t = ranked_method.ranked_table(cards, 3, function="wmean", **kw)
    min_t = ranked_method.ranked_table(cards, 3, function="wmin", **kw)
    assert not np.allclose(mean_t, min_t)
    g = RankedGroup("c", (slice(None),), "c", ("c: w1", "c: w2", "c: variance", "c: function"),
                    "file", function="wmean", cards=cards, n_states=3, directions=(1, 1),
                    dists=(Scalar("fixed", (1.0,)), Scalar("fixed", (2.0,)),
                           Scalar("fixed", (0.01,))),
                    functions=("wmean", "wmin"), shares=(0.75, 0.25))
    draws = g.draw(np.random.default_rng(3), 4000)
    is_min = np.array([np.allclose(draws[..., i], min_t) for i in range(4000)])
    is_mean = np.array([np.allclose(draws[..., i], mean_t) for i in range(4000)])
    assert np.all(is_min ^ is_mean)
    assert is_min.mean() == pytest.approx(0.25, abs=0.02)  # 3 sd of a binomial proportion
    u = np.array([[0.5, 0.5, 0.5, 0.70], [0.5, 0.5, 0.5, 0.80]])
    tables = g.from_uniform(u)
    np.testing.assert_allclose(tables[..., 0], mean_t)
    np.testing.assert_allclose(tables[..., 1], min_t)
