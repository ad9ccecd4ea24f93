"""Sobol' indices: SALib's design reproduced, and toys with known answers."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from conftest import PROV
from scipy.stats import qmc

from cohesion_bn.errors import AnalysisError
from cohesion_bn.model import Model
from cohesion_bn.sensitivity import sobol
from cohesion_bn.sensitivity._draws import read_uncertainty
from cohesion_bn.spec import parse_spec

matplotlib.use("Agg")


def _toy(w: float = 0.3) -> Model:
    """Roots A (weight w on a0) and B; T depends on A only."""
    return Model(parse_spec({"schema_version": 1, "model": {"id": "toy"}, "nodes": [
        {"id": "A", "states": ["a0", "a1"], "parents": [],
         "cpt": {"method": "table", "p": [w, 1 - w], "provenance": PROV}},
        {"id": "B", "states": ["b0", "b1", "b2"], "parents": [],
         "cpt": {"method": "table", "p": [0.2, 0.3, 0.5], "provenance": PROV}},
        {"id": "T", "states": ["t0", "t1"], "parents": ["A"],
         "cpt": {"method": "table", "provenance": PROV, "table": [
             {"given": {"A": "a0"}, "p": [0.8, 0.2]},
             {"given": {"A": "a1"}, "p": [0.4, 0.6]}]}}]}))


def test_design_is_salibs() -> None:
    from SALib.sample import sobol as salib_sample

    unc = read_uncertainty(_toy(), ess=4)
    d = unc.n_inputs
    problem = {"num_vars": d, "names": unc.input_names(), "bounds": [[0, 1]] * d,
               "groups": unc.input_groups()}
    rows = salib_sample.sample(problem, 8, calc_second_order=False, seed=11)
    expect = unc.from_uniform(rows)
    base = qmc.Sobol(d=2 * d, scramble=True, seed=11).random(8)
    got: dict[str, list[np.ndarray]] = {}
    for _, _, cpts in sobol.saltelli_blocks(unc, base, 3):
        for node, arr in cpts.items():
            got.setdefault(node, []).append(arr)
    for node, arr in expect.items():
        assert np.allclose(np.concatenate(got[node], axis=-1), arr, atol=1e-14)


def test_only_one_group_matters() -> None:
    r = sobol.analyze(_toy(), "T=t0", nodes=["A", "B"], n=1024, seed=1, ess=5)
    df = r.to_df().set_index("group")
    assert df.loc["A", "S1"] == pytest.approx(1.0, abs=0.05)
    assert df.loc["A", "ST"] == pytest.approx(1.0, abs=0.05)
    assert abs(df.loc["B", "S1"]) < 1e-9 and abs(df.loc["B", "ST"]) < 1e-9
    assert r.converged["prior"]


def test_additive_toy_matches_hand_computation() -> None:
    # P(T=t0) = w q0 + (1 - w) q1, q_a ~ Beta(s m_a, s (1 - m_a)) independent:
    # Var = w^2 V0 + (1-w)^2 V1 with V_a = m_a (1 - m_a) / (s + 1); S1 = ST = share.
    w, s = 0.3, 5.0
    v0, v1 = 0.8 * 0.2 / (s + 1), 0.4 * 0.6 / (s + 1)
    share0 = w**2 * v0 / (w**2 * v0 + (1 - w) ** 2 * v1)
    r = sobol.analyze(_toy(w), "T=t0", nodes=["T"], n=1024, seed=2, ess=s)
    df = r.to_df().set_index("group")
    assert df.loc["T | A=a0", "S1"] == pytest.approx(share0, abs=0.04)
    assert df.loc["T | A=a0", "ST"] == pytest.approx(share0, abs=0.04)
    assert df.loc["T | A=a1", "ST"] == pytest.approx(1 - share0, abs=0.04)
    assert r.variance["prior"] == pytest.approx(w**2 * v0 + (1 - w) ** 2 * v1, rel=0.1)
    assert (df["S1_conf"] > 0).all() and (df["ST_conf"] > 0).all()
    assert r.converged["prior"]
    assert r.n_evaluations == 1024 * 4


def test_shipped_model_ranked_and_errors(nato: Model) -> None:
    r = sobol.analyze(nato, "cohesion=strong", inputs="ranked", n=8, seed=1,
                      scenarios=["stalemate"], num_resamples=20)
    df = r.to_df()
    assert set(df["group"]) == {"threats", "institutions", "norms", "leadership", "cohesion"}
    assert set(df["kind"]) == {"ranked"}
    conv = r.convergence()
    assert conv.loc["stalemate", "n"] == 8
    assert sobol.plot_sobol(r) is not None
    with pytest.raises(AnalysisError, match="power of two"):
        sobol.analyze(nato, n=100)
    with pytest.raises(AnalysisError, match="inputs must"):
        sobol.analyze(nato, inputs="rows")  # type: ignore[arg-type]
