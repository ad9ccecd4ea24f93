"""Monte Carlo uncertainty propagation: theory, reproducibility, and a plain loop."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from conftest import PROV

from cohesion_bn.engine import CompiledNetwork
from cohesion_bn.errors import AnalysisError
from cohesion_bn.model import Model
from cohesion_bn.sensitivity import uncertainty
from cohesion_bn.sensitivity._draws import read_uncertainty
from cohesion_bn.spec import parse_spec

matplotlib.use("Agg")


def _chain(unc_root: dict | None = None, unc_child: dict | None = None) -> Model:
    root = {"method": "table", "p": [0.2, 0.5, 0.3], "provenance": PROV}
    if unc_root is not None:
        root["uncertainty"] = unc_root
    child = {"method": "table", "provenance": PROV, "table": [
        {"given": {"R": "r0"}, "p": [0.9, 0.1]},
        {"given": {"R": "r1"}, "p": [0.5, 0.5]},
        {"given": {"R": "r2"}, "p": [0.2, 0.8]}]}
    if unc_child is not None:
        child["uncertainty"] = unc_child
    return Model(parse_spec({"schema_version": 1, "model": {"id": "chain"}, "nodes": [
        {"id": "R", "states": ["r0", "r1", "r2"], "parents": [], "cpt": root},
        {"id": "C", "states": ["c0", "c1"], "parents": ["R"], "cpt": child}],
        "scenarios": [{"id": "c0", "evidence": {"C": "c0"}},
                      {"id": "c1", "evidence": {"C": "c1"}}]}))


def test_root_marginal_mean_is_the_dirichlet_mean() -> None:
    model = _chain()
    n = 20000
    r = uncertainty.analyze(model, "R=r0", n=n, scenarios=None, evidence={}, seed=3, ess=10)
    s = r.samples["evidence"]["R"]
    theta = np.array([0.2, 0.5, 0.3])
    se = np.sqrt(theta * (1 - theta) / 11 / n)  # Var of a Dirichlet(10 theta) entry
    assert np.all(np.abs(s.mean(0) - theta) < 4 * se)
    # and the sd is the Dirichlet's
    assert np.allclose(s.std(0), np.sqrt(theta * (1 - theta) / 11), rtol=0.05)
    # C's marginal is bilinear in independent R and C columns: its mean is the point value
    c = r.samples["evidence"]["C"][:, 0]
    assert abs(c.mean() - r.point["evidence"]["C"][0]) < 4 * c.std() / np.sqrt(n)


def test_file_uncertainty_only_those_columns() -> None:
    model = _chain(unc_child={"distribution": "dirichlet", "concentration": [5, 50, 500]})
    unc = read_uncertainty(model)
    assert [g.node for g in unc.groups] == ["C", "C", "C"]  # R fixed: no uncertainty given
    assert [g.concentration for g in unc.groups] == pytest.approx([5, 50, 500])
    assert unc.ess is None
    d = unc.draw(4000, seed=1)
    assert set(d) == {"C"}
    sd = d["C"][0].std(axis=-1)
    assert sd[0] > sd[1] > sd[2]
    with pytest.raises(AnalysisError, match="concentration"):
        read_uncertainty(_chain(unc_child={"concentration": [1, 2]}))


def test_reproducible_and_against_a_plain_loop() -> None:
    model = _chain()
    r1 = uncertainty.analyze(model, "R=r0", n=60, seed=7)
    r2 = uncertainty.analyze(model, "R=r0", n=60, seed=7)
    r3 = uncertainty.analyze(model, "R=r0", n=60, seed=8)
    for sid in r1.scenarios:
        assert np.array_equal(r1.samples[sid]["R"], r2.samples[sid]["R"])
        assert not np.array_equal(r1.samples[sid]["R"], r3.samples[sid]["R"])
    # the same draws, one at a time: engine single evaluations and pgmpy
    draws = read_uncertainty(model).draw(60, seed=7)
    net = CompiledNetwork.from_pgmpy(model.network)
    loop = np.array([net.query("R", evidence={"C": "c1"},
                               params={k: v[..., b] for k, v in draws.items()})["R"][0]
                     for b in range(60)])
    assert np.allclose(loop, r1.samples["c1"]["R"], atol=1e-12)
    df = r1.to_df()
    row = df[(df.scenario == "c1") & (df.node == "R") & (df.state == "r0")].iloc[0]
    assert row["q5"] == pytest.approx(np.quantile(loop[:, 0], 0.05))
    assert row["q95"] == pytest.approx(np.quantile(loop[:, 0], 0.95))
    assert row["sd"] == pytest.approx(loop[:, 0].std(ddof=1))
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    for b in range(3):
        net_b = model.network.copy()
        for node in ("R", "C"):
            old = net_b.get_cpds(node)
            vals = draws[node][..., b].reshape(old.cardinality[0], -1)
            net_b.add_cpds(TabularCPD(node, old.cardinality[0], vals,
                                      evidence=old.variables[1:] or None,
                                      evidence_card=list(old.cardinality[1:]) or None,
                                      state_names=old.state_names))
        q = VariableElimination(net_b).query(["R"], evidence={"C": "c1"}, show_progress=False)
        assert np.allclose(q.values, r1.samples["c1"]["R"][b], atol=1e-12)


def test_mode_and_ranking_changes() -> None:
    model = _chain()
    r = uncertainty.analyze(model, "R=r0", n=500, seed=2, ess=5)
    s = {sid: r.samples[sid]["R"] for sid in r.scenarios}
    for sid in r.scenarios:
        expect = np.mean(np.argmax(s[sid], 1) != np.argmax(r.point[sid]["R"]))
        assert r.prob_mode_change[sid] == pytest.approx(expect)
    # point: P(r0 | c0) > P(r0 | c1); the ranking changes when a draw reverses that
    assert r.point_ranking == ("c0", "c1")
    flip = np.mean(s["c0"][:, 0] < s["c1"][:, 0])
    assert r.prob_ranking_change == pytest.approx(flip)
    assert r.pairwise.loc["c1", "c0"] == pytest.approx(flip)
    t = r.timing()
    assert t["draw_seconds"] > 0 and t["eval_seconds"] > 0


def test_shipped_model(nato: Model) -> None:
    r = uncertainty.analyze(nato, "cohesion=strong", n=300, seed=1)
    ts = r.target_summary()
    assert list(ts.index) == ["ukraine_wins", "ukraine_loses", "stalemate"]
    assert (ts["q5"] <= ts["point"]).all() and (ts["point"] <= ts["q95"]).all()
    assert r.ess == 20.0
    assert set(r.groups["source"]) == {"ess=20"}
    ranked = uncertainty.analyze(nato, "cohesion", n=8, seed=1, ranked="parameters",
                                 nodes=["cohesion"])
    assert list(ranked.groups["kind"]) == ["ranked"]
    assert uncertainty.plot_uncertainty(r) is not None
    assert uncertainty.plot_uncertainty(r, kind="hist") is not None
    with pytest.raises(AnalysisError, match="n must be"):
        uncertainty.analyze(nato, n=1)
