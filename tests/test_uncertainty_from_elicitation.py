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
