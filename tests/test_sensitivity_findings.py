"""Sensitivity to findings: checked against brute-force enumeration and a hand-worked case."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from conftest import PROV, condition, joint, random_model

from cohesion_bn.errors import AnalysisError
from cohesion_bn.model import Model
from cohesion_bn.sensitivity import findings
from cohesion_bn.spec import parse_spec

matplotlib.use("Agg")


def _two_nodes() -> Model:
    return Model(parse_spec({"schema_version": 1, "model": {"id": "two"}, "nodes": [
        {"id": "A", "states": ["a0", "a1"], "parents": [],
         "cpt": {"method": "table", "p": [0.5, 0.5], "provenance": PROV}},
        {"id": "T", "states": ["t0", "t1"], "values": [1, -1], "parents": ["A"],
         "cpt": {"method": "table", "provenance": PROV, "table": [
             {"given": {"A": "a0"}, "p": [0.9, 0.1]},
             {"given": {"A": "a1"}, "p": [0.1, 0.9]}]}},
    ]}))


def test_hand_worked_two_nodes() -> None:
    r = findings.analyze(_two_nodes(), "T")
    row = r.to_df().iloc[0]
    h09 = -(0.9 * np.log2(0.9) + 0.1 * np.log2(0.1))  # H(T | A) = h(0.9) = 0.469
    assert r.target_entropy["prior"] == pytest.approx(1.0)
    assert row["mutual_info"] == pytest.approx(1 - h09, abs=1e-12)
    assert row["percent_entropy"] == pytest.approx(100 * (1 - h09))
    # Var(T) = 1; E[T | a0] = 0.8, E[T | a1] = -0.8 -> VR = 0.64
    assert r.target_variance["prior"] == pytest.approx(1.0)
    assert row["variance_reduction"] == pytest.approx(0.64, abs=1e-12)
    assert row["percent_variance"] == pytest.approx(64.0)
    # the indicator target: Var = 1/4, E[1(t0) | a] = 0.9 / 0.1 -> VR = 0.16
    r2 = findings.analyze(_two_nodes(), "T=t0")
    assert r2.to_df().iloc[0]["variance_reduction"] == pytest.approx(0.16, abs=1e-12)


def _brute(model: Model, target: str, x: str, ev: dict[str, str], vals: np.ndarray
           ) -> tuple[float, float]:
    j = condition(model, joint(model), ev)
    it, ix = model.nodes.index(target), model.nodes.index(x)
    other = tuple(a for a in range(j.ndim) if a not in (it, ix))
    pxt = j.sum(axis=other)
    if it > ix:
        pxt = pxt.T
    pxt = pxt / pxt.sum()
    pt, px = pxt.sum(1), pxt.sum(0)
    mi = sum(pxt[a, b] * np.log2(pxt[a, b] / (pt[a] * px[b]))
             for a in range(pxt.shape[0]) for b in range(pxt.shape[1]) if pxt[a, b] > 0)
    mean = pt @ vals
    ev_var = pt @ (vals - mean) ** 2
    cond_var = sum(px[b] * ((pxt[:, b] / px[b]) @ vals ** 2 - ((pxt[:, b] / px[b]) @ vals) ** 2)
                   for b in range(len(px)) if px[b] > 0)
    return float(mi), float(ev_var - cond_var)


@pytest.mark.parametrize("seed", range(6))
def test_random_networks_against_enumeration(seed: int) -> None:
    model = random_model(seed, n_nodes=6)
    rng = np.random.default_rng(seed)
    target = model.nodes[int(rng.integers(2, 6))]
    other = [n for n in model.nodes if n != target]
    obs = other[int(rng.integers(len(other)))]
    ev = {obs: model.states(obs)[0]}
    vals = rng.normal(size=len(model.states(target)))
    r = findings.analyze(model, target, evidence=ev, values=vals)
    df = r.to_df()
    assert set(df["node"]) == set(other) - {obs}
    for _, row in df.iterrows():
        mi, vr = _brute(model, target, row["node"], ev, vals)
        assert row["mutual_info"] == pytest.approx(mi, abs=1e-10)
        assert row["variance_reduction"] == pytest.approx(vr, abs=1e-10)
        assert row["mutual_info"] <= row["entropy"] + 1e-12
    assert list(df["rank"]) == list(range(1, len(df) + 1))
    assert df["mutual_info"].is_monotonic_decreasing


def test_shipped_model_scenarios_and_errors(nato: Model) -> None:
    r = findings.analyze(nato)
    assert r.scenarios == ("ukraine_wins", "ukraine_loses", "stalemate")
    df = r.to_df()
    assert (df["node"] != "war_outcome").all()  # observed in every scenario
    assert len(df) == 3 * 15
    top = r.top("stalemate", 2)
    assert set(top["node"]) <= {"norms", "leadership"}  # the heavy-weight factors
    with pytest.raises(AnalysisError, match="observes the target"):
        findings.analyze(nato, "war_outcome=stalemate")
    with pytest.raises(AnalysisError, match="has no values"):
        findings.analyze(nato, "war_outcome", evidence={"cohesion": "weak"})
    ax = findings.plot_findings(r, top=5)
    assert len(ax.get_yticklabels()) == 5
    ax2 = findings.plot_findings(r, measure="percent_variance")
    assert ax2.get_xlabel().startswith("%")
