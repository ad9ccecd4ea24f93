"""Parameter tuning (cohesion_bn.sensitivity.tuning): every candidate re-evaluated by inference."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cohesion_bn.errors import AnalysisError
from cohesion_bn.model import Model
from cohesion_bn.sensitivity import oneway, tuning
from cohesion_bn.sensitivity._target import compile_model

STALEMATE = {"war_outcome": "stalemate"}


def _reevaluate(model: Model, c: tuning.TuningCandidate, nodes: list[str]
                ) -> dict[str, np.ndarray]:
    cn = compile_model(model)
    cpt = model.cpt(c.node).copy()
    idx = tuple(model.states(p).index(s) for p, s in c.parents.items())
    np.testing.assert_allclose(cpt[(slice(None), *idx)], c.column_before, atol=0)
    cpt[(slice(None), *idx)] = c.column_after
    q = cn.query(nodes, evidence=STALEMATE, params={c.node: cpt})
    return {n: q[n][0] for n in nodes}


@pytest.mark.parametrize("scheme", oneway.SCHEMES)
def test_candidates_make_the_constraint_hold_with_the_smallest_change(nato: Model,
                                                                      scheme: str) -> None:
    res = tuning.analyze(nato, "cohesion=strong", at_least=0.05, evidence=STALEMATE,
                         scheme=scheme)  # type: ignore[arg-type]
    assert not res.satisfied and res.feasible and res.candidates
    assert res.current == pytest.approx(0.0145029, abs=1e-6)
    dists = [c.cd_distance for c in res.candidates]
    assert dists == sorted(dists)
    one = oneway.analyze(nato, "cohesion=strong", evidence=STALEMATE,
                         scheme=scheme)  # type: ignore[arg-type]
    for c in res.candidates:
        post = _reevaluate(nato, c, ["cohesion"])["cohesion"]
        assert post[0] == pytest.approx(c.achieved, abs=1e-9)
        assert post[0] >= 0.05 - 1e-9
        assert sum(c.column_after) == pytest.approx(1.0)
        row = one.find(c.node, c.state, c.parents)
        # smallest change: just short of the new value the constraint fails
        if scheme != "uniform":
            assert c.achieved == pytest.approx(0.05, abs=1e-9)
            short = c.new_value - 1e-7 * np.sign(c.change)
            assert float(row.function(short)) < 0.05
    # every entry whose sensitivity function can reach 0.05 is a candidate, and no other
    found = {(c.node, c.state, tuple(c.parents.items())) for c in res.candidates}
    for row in one.rows:
        xs = np.linspace(row.domain[0], row.domain[1], 2001)
        ys = row.function(xs)
        _, _, c, d = row.coefficients
        ys = ys[c * xs + d > 1e-6 * d]  # where P(e) is not (nearly) zero
        key = (row.node, row.state, tuple(row.parents.items()))
        if np.nanmax(ys) >= 0.05 + 1e-6:
            assert key in found, row
        if np.nanmax(ys) < 0.05 - 1e-6:
            assert key not in found, row


def test_cd_distance_under_proportional_covariation(nato: Model) -> None:
    res = tuning.analyze(nato, "cohesion=weak", at_most=0.4, evidence=STALEMATE)
    assert res.candidates
    for c in res.candidates[:20]:
        x0, x = c.old_value, c.new_value
        closed = abs(np.log(x / x0) - np.log((1 - x) / (1 - x0)))
        assert c.cd_distance == pytest.approx(closed, rel=1e-9)
        post = _reevaluate(nato, c, ["cohesion"])["cohesion"]
        assert post[2] == pytest.approx(0.4, abs=1e-9)
    assert tuning.cd_distance([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert tuning.cd_distance([0.0, 1.0], [0.1, 0.9]) == np.inf
    assert tuning.cd_distance([0.0, 0.2, 0.8], [0.0, 0.4, 0.6]) == pytest.approx(
        np.log(2) - np.log(0.75))


def test_difference_and_ratio_constraints(nato: Model) -> None:
    diff = tuning.analyze(nato, "cohesion=fragmented", minus="cohesion=weak", at_least=0.05,
                          evidence=STALEMATE)
    assert diff.candidates
    for c in diff.candidates[:10]:
        post = _reevaluate(nato, c, ["cohesion"])["cohesion"]
        assert post[1] - post[2] == pytest.approx(0.05, abs=1e-9)
    ratio = tuning.analyze(nato, "cohesion=weak", over="norms=weakens", at_most=0.5,
                           evidence=STALEMATE)
    assert ratio.candidates
    for c in ratio.candidates[:10]:
        post = _reevaluate(nato, c, ["cohesion", "norms"])
        assert post["cohesion"][2] / post["norms"][2] == pytest.approx(0.5, abs=1e-9)
        assert c.achieved == pytest.approx(0.5, abs=1e-9)
    json.dumps(ratio.to_records(), allow_nan=False)
    assert len(ratio.to_df()) == len(ratio.candidates)
    assert "can make" in ratio.message()


def test_infeasible_and_already_satisfied(nato: Model) -> None:
    res = tuning.analyze(nato, "cohesion=strong", at_least=0.99, evidence=STALEMATE)
    assert not res.feasible and res.candidates == () and res.best is None
    assert "no single parameter can make" in res.message()
    ok = tuning.analyze(nato, "cohesion=weak", at_least=0.5, evidence=STALEMATE)
    assert ok.satisfied and ok.feasible and "holds already" in ok.message()


def test_mistakes(nato: Model) -> None:
    with pytest.raises(AnalysisError, match="exactly one"):
        tuning.analyze(nato, "cohesion=strong")
    with pytest.raises(AnalysisError, match="exactly one"):
        tuning.analyze(nato, "cohesion=strong", at_least=0.1, at_most=0.2)
    with pytest.raises(AnalysisError, match="at most one"):
        tuning.analyze(nato, "cohesion=strong", at_least=0.1, minus="cohesion=weak",
                       over="cohesion=weak")
    with pytest.raises(AnalysisError, match="scheme"):
        tuning.analyze(nato, "cohesion=strong", at_least=0.1, scheme="x")  # type: ignore[arg-type]
