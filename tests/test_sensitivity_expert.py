"""Sensitivity to ranked-node parameters (cohesion_bn.sensitivity.expert), checked by
re-evaluating the model with the parameter changed in the model file itself."""

from __future__ import annotations

import copy

import matplotlib
import pytest

from cohesion_bn.errors import AnalysisError
from cohesion_bn.model import Model
from cohesion_bn.sensitivity import expert
from cohesion_bn.spec import parse_spec

matplotlib.use("Agg")

STALEMATE = {"war_outcome": "stalemate"}


def _edited(model: Model, p: expert.ExpertParameter, value: float) -> Model:
    data = copy.deepcopy(model.spec.to_dict())
    node = next(n for n in data["nodes"] if n["id"] == p.node)
    at = node["cpt"]
    for key in p.path[:-1]:
        at = at[key]
    at[p.path[-1]] = value
    return Model(parse_spec(data))


def _posterior(model: Model, node: str, state: str) -> float:
    return float(model.query(node, evidence=STALEMATE)[node][state])


def test_parameters_of_the_shipped_model(nato: Model) -> None:
    ps = expert.parameters(nato)
    labels = [p.label() for p in ps]
    assert "cohesion.weights.norms" in labels and "cohesion.variance" in labels
    assert len(ps) == 20  # 5 ranked nodes: 3+4+2+2+4 weights and 5 variances
    with pytest.raises(AnalysisError, match="not a ranked node"):
        expert.parameters(nato, nodes=["war_outcome"])


def test_derivatives_match_reevaluation_of_the_edited_model_file(nato: Model) -> None:
    res = expert.analyze(nato, "cohesion=strong", evidence=STALEMATE)
    assert res.baseline == pytest.approx(_posterior(nato, "cohesion", "strong"), abs=1e-12)
    checked = 0
    for row in res.rows:
        p = row.parameter
        if p.node not in ("cohesion", "norms"):
            continue
        h = row.step
        up = _posterior(_edited(nato, p, p.value + h), "cohesion", "strong")
        down = _posterior(_edited(nato, p, p.value - h), "cohesion", "strong")
        fd = (up - down) / (2 * h)
        assert row.derivative == pytest.approx(fd, rel=1e-5, abs=1e-10), p.label()
        checked += 1
    assert checked == 8
    by = {r.parameter.label(): r for r in res.rows}
    # wmean weights only matter through their proportions: Euler, sum_i w_i dP/dw_i = 0
    # (up to the ranked builder's grid: the difference quotients carry ~1e-6 of its error)
    ws = [r for r in res.rows if r.parameter.node == "cohesion" and r.parameter.kind == "weight"]
    assert sum(r.parameter.value * r.derivative for r in ws) == pytest.approx(0, abs=1e-5)
    r = by["cohesion.weights.threats"]
    assert r.share_derivative == pytest.approx(r.derivative * 8**2 / 7)
    df = res.to_df()
    assert len(df) == 20 and set(res.to_records()[0]) >= {"node", "path", "derivative"}


def test_sweep_matches_the_edited_model(nato: Model) -> None:
    import matplotlib.pyplot as plt

    res = expert.sweep(nato, "cohesion=weak", evidence=STALEMATE, nodes=["cohesion"],
                       factors=[0.5, 1.0, 2.0])
    assert len(res.parameters) == 5
    for p in res.parameters:
        xs, ys = res.curves[p.label()]
        assert xs.tolist() == [0.5 * p.value, p.value, 2.0 * p.value]
        assert ys[1] == pytest.approx(res.baseline, abs=1e-12)
        for x, y in zip(xs[[0, 2]], ys[[0, 2]], strict=True):
            want = _posterior(_edited(nato, p, float(x)), "cohesion", "weak")
            assert y == pytest.approx(want, abs=1e-9)
    assert len(res.to_df()) == 15
    ax = expert.plot_sweep(res)
    assert len(ax.lines) == 5 + 2
    plt.close("all")
