"""Pooling experts' CPTs, their disagreement, and writing the pooled model back.

Every expert here is MADE UP (pseudonyms E01, E02, ...): their answers are numbers chosen
so the pools can be worked by hand, not anyone's judgement.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
import yaml

from cohesion_bn.cpt.ranked import ranked_table
from cohesion_bn.elicitation.cooke import Item, SeedStudy, analyze
from cohesion_bn.elicitation.disagreement import disagreement, js_divergence, plot_disagreement
from cohesion_bn.elicitation.pooling import linear_pool, log_pool, pool
from cohesion_bn.elicitation.questions import Answer, SeedItem, questions_for
from cohesion_bn.elicitation.writeback import (
    FALLBACK_CONCENTRATION,
    answers_hash,
    dirichlet_concentration,
    write_pooled_model,
)
from cohesion_bn.errors import ElicitationError
from cohesion_bn.model import Model, load_model
from cohesion_bn.spec import parse_spec

matplotlib.use("Agg")

STUDY = "made-up-study"
PROV = {"source": "tests", "method": "made up", "date": "2026-11-25"}
LEVELS = ["good", "mid", "bad"]


def ranked_model() -> Model:
    """Roots a, b (ordered) and war (not ordered); r ranked on a, b; c ranked on a and war
    (with cases); t a table node on war."""
    root = {"method": "table", "p": [0.3, 0.4, 0.3], "provenance": PROV}
    nodes: list[dict[str, Any]] = [
        {"id": "a", "states": LEVELS, "cpt": root},
        {"id": "b", "states": LEVELS, "cpt": root},
        {"id": "war", "states": ["win", "lose"], "ordered": False,
         "cpt": {"method": "table", "p": [0.5, 0.5], "provenance": PROV}},
        {"id": "r", "states": LEVELS, "parents": ["a", "b"],
         "cpt": {"method": "ranked", "function": "wmean", "weights": {"a": 1, "b": 1},
                 "variance": 0.01, "provenance": PROV}},
        {"id": "c", "states": LEVELS, "parents": ["a", "war"],
         "cpt": {"method": "ranked", "function": "wmean", "weights": {"a": 1},
                 "variance": 0.01, "provenance": PROV,
                 "cases": [{"given": {"war": "win"}, "p": [0.7, 0.2, 0.1]},
                           {"given": {"war": "lose"}}]}},
        {"id": "t", "states": ["yes", "no"], "parents": ["war"],
         "cpt": {"method": "table", "table": [{"given": {"war": "win"}, "p": [0.5, 0.5]},
                                              {"given": {"war": "lose"}, "p": [0.5, 0.5]}],
                 "provenance": PROV}},
    ]
    return Model(parse_spec({"schema_version": 1, "model": {"id": "made_up"}, "nodes": nodes}))


def a(expert: str, question: str, value: Any) -> Answer:
    """An answer of a made-up expert."""
    return Answer(STUDY, 1, expert, question, value)


def table_answers(expert: str, win: float, lose: float) -> list[Answer]:
    """A made-up expert's P(t = yes | war) for both columns."""
    return [a(expert, "t/p/war=win", {"yes": win, "no": round(1 - win, 12)}),
            a(expert, "t/p/war=lose", {"yes": lose, "no": round(1 - lose, 12)})]


def ranked_answers(expert: str, node: str, weights: dict[str, float], function: str,
                   spread: str) -> list[Answer]:
    """A made-up expert's ranked-node answers."""
    out = [a(expert, f"{node}/weight/{p}", w) for p, w in weights.items()]
    return [*out, a(expert, f"{node}/function", function), a(expert, f"{node}/spread", spread)]


# ------------------------------------------------------------------- pools by hand


def test_linear_pool_by_hand() -> None:
    """(0.8, 0.2) and (0.4, 0.6): equal weights 0.5*0.8 + 0.5*0.4 = 0.6;
    weights 3:1, 0.75*0.8 + 0.25*0.4 = 0.7."""
    t = np.array([[0.8, 0.2], [0.4, 0.6]])
    assert linear_pool(t, [1, 1]) == pytest.approx([0.6, 0.4])
    assert linear_pool(t, [3, 1]) == pytest.approx([0.7, 0.3])


def test_log_pool_by_hand() -> None:
    """Equal weights: sqrt(0.8*0.4) = 0.565685, sqrt(0.2*0.6) = 0.346410, sum 0.912096,
    so (0.620204, 0.379796). Weights 3:1: 0.8^.75 0.4^.25 = 0.672717,
    0.2^.75 0.6^.25 = 0.263204, so (0.718768, 0.281232)."""
    t = np.array([[0.8, 0.2], [0.4, 0.6]])
    p, bad = log_pool(t, [1, 1])
    assert p == pytest.approx([0.620204, 0.379796], abs=1e-6) and bad == []
    p, _ = log_pool(t, [3, 1])
    assert p == pytest.approx([0.718768, 0.281232], abs=1e-6)


def test_log_pool_zeros() -> None:
    """A 0 vetoes its state; disjoint supports have no log pool (linear used, or raise);
    an expert of weight 0 vetoes nothing."""
    p, bad = log_pool(np.array([[0.5, 0.5], [1.0, 0.0]]), [1, 1])
    assert p == pytest.approx([1.0, 0.0]) and bad == []
    disjoint = np.array([[[1.0, 0.3], [0.0, 0.7]], [[0.0, 0.3], [1.0, 0.7]]])  # 2 columns
    p, bad = log_pool(disjoint, [1, 1])
    assert bad == [0]
    assert p[:, 0] == pytest.approx([0.5, 0.5]) and p[:, 1] == pytest.approx([0.3, 0.7])
    with pytest.raises(ElicitationError, match="disjoint"):
        log_pool(disjoint, [1, 1], on_disjoint="raise")
    p, bad = log_pool(np.array([[0.5, 0.5], [1.0, 0.0]]), [1, 0])
    assert p == pytest.approx([0.5, 0.5]) and bad == []


def test_pool_table_node_and_incomplete_expert_left_out() -> None:
    """P(yes | win): E01 0.8, E02 0.4 -> linear 0.6; log 0.620204 (as above).
    E03 answered one column only: left out of t and reported, not filled in."""
    m = ranked_model()
    answers = [*table_answers("E01", 0.8, 0.1), *table_answers("E02", 0.4, 0.3),
               table_answers("E03", 0.5, 0.5)[0]]
    lin = pool(m, answers, nodes=["t"])
    assert lin.nodes["t"].table[:, 0] == pytest.approx([0.6, 0.4])
    assert lin.nodes["t"].table[:, 1] == pytest.approx([0.2, 0.8])
    assert lin.nodes["t"].weights == {"E01": 0.5, "E02": 0.5}
    assert [(x.node, x.expert) for x in lin.excluded] == [("t", "E03")]
    assert "unanswered" in lin.excluded[0].reason and "t/p/war=lose" in lin.excluded[0].reason
    log = pool(m, answers, nodes=["t"], method="log")
    assert log.nodes["t"].table[0, 0] == pytest.approx(0.620204, abs=1e-6)
    df = lin.to_df()
    assert df.loc[("t", "war=win", "yes"), "pooled"] == pytest.approx(0.6)
    assert df.loc[("t", "war=win", "yes"), "E01"] == pytest.approx(0.8)
    assert np.isnan(df.loc[("t", "war=win", "yes"), "E03"])
    # rows in the model's order (states yes, no), and partial lookups do not warn
    assert list(df.index.get_level_values("state")[:2]) == ["yes", "no"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert df.loc["t"].shape[0] == 4
        assert df.loc[("t", "war=lose")]["pooled"].tolist() == pytest.approx([0.2, 0.8])
    # given weights 3:1 (E03 must be given one too; it is left out of t anyway)
    given = pool(m, answers, nodes=["t"], weights={"E01": 3, "E02": 1, "E03": 4})
    assert given.nodes["t"].table[0, 0] == pytest.approx(0.7)
    assert given.nodes["t"].weights == pytest.approx({"E01": 0.75, "E02": 0.25})
    with pytest.raises(ElicitationError, match="no weight for expert"):
        pool(m, answers, nodes=["t"], weights={"E01": 1, "E02": 1})
    with pytest.raises(ElicitationError, match="unknown expert"):
        pool(m, answers, nodes=["t"], weights={"E01": 1, "E02": 1, "E03": 1, "E04": 1})


def test_invalid_distribution_is_reported() -> None:
    m = ranked_model()
    answers = [*table_answers("E01", 0.8, 0.1),
               a("E02", "t/p/war=win", {"yes": 0.5, "no": 0.3}),
               a("E02", "t/p/war=lose", {"yes": 0.5, "no": 0.5})]
    res = pool(m, answers, nodes=["t"])
    assert res.nodes["t"].experts == ("E01",)
    assert "sum to 0.8000" in res.excluded[0].reason
    with pytest.raises(ElicitationError, match="two answers"):
        pool(m, [*answers, Answer(STUDY, 2, "E01", "t/p/war=win", {"yes": 1, "no": 0})])


# ------------------------------------------------------------------- ranked nodes


def test_ranked_expert_tables_and_parameter_pool() -> None:
    """E01: weights a 3, b 1, wmean, 'tightly' (0.005); E02: a 1, b 1, wmean, 'loosely'
    (0.05); E03: a 2, b 2, wmin, 'moderately' (0.01), weight 0.
    Parameter pool with weights 3:1 (E03 weight 0 is left out): normalised weights
    E01 (0.75, 0.25), E02 (0.5, 0.5) -> 0.75*(0.75, 0.25) + 0.25*(0.5, 0.5) =
    (0.6875, 0.3125); totals 4 and 2 -> scale 0.75*4 + 0.25*2 = 3.5 -> weights
    (2.40625, 1.09375); variance 0.75*0.005 + 0.25*0.05 = 0.01625; function wmean."""
    m = ranked_model()
    answers = [*ranked_answers("E01", "r", {"a": 3, "b": 1}, "wmean", "tightly"),
               *ranked_answers("E02", "r", {"a": 1, "b": 1}, "wmean", "loosely"),
               *ranked_answers("E03", "r", {"a": 2, "b": 2}, "wmin", "moderately")]
    w = {"E01": 3.0, "E02": 1.0, "E03": 0.0}
    tables = pool(m, answers, nodes=["r"], weights=w)
    e01 = ranked_table([3, 3], 3, function="wmean", weights=[3, 1], variance=0.005)
    e02 = ranked_table([3, 3], 3, function="wmean", weights=[1, 1], variance=0.05)
    npool = tables.nodes["r"]
    assert npool.expert_tables["E01"] == pytest.approx(e01, abs=1e-12)
    assert npool.table == pytest.approx(0.75 * e01 + 0.25 * e02, abs=1e-12)
    assert npool.cpt["method"] == "table"
    assert ("r", "E03") in [(x.node, x.expert) for x in tables.excluded]
    params = pool(m, answers, nodes=["r"], weights=w, parametric="parameters").nodes["r"]
    assert params.kind == "ranked"
    assert params.cpt["function"] == "wmean"
    assert params.cpt["weights"] == pytest.approx({"a": 2.40625, "b": 1.09375})
    assert params.cpt["variance"] == pytest.approx(0.01625)
    assert params.table == pytest.approx(
        ranked_table([3, 3], 3, function="wmean", weights=[2.40625, 1.09375],
                     variance=0.01625), abs=1e-12)


def test_ranked_keeps_cases_and_reports_bad_answers() -> None:
    """Node c: war=win is a fixed case (0.7, 0.2, 0.1) in the model; kept for each expert.
    E02 said 'wmin' with weight 0: invalid for wmin, left out; E03 gave a spread word not
    on the scale: left out."""
    m = ranked_model()
    answers = [*ranked_answers("E01", "c", {"a": 5}, "wmean", "tightly"),
               *ranked_answers("E02", "c", {"a": 0}, "wmin", "tightly"),
               *ranked_answers("E03", "c", {"a": 5}, "wmean", "rather tight")]
    res = pool(m, answers, nodes=["c"])
    t = res.nodes["c"].table  # axes: c, a, war
    assert t[:, 1, 0] == pytest.approx([0.7, 0.2, 0.1])
    assert res.nodes["c"].experts == ("E01",)
    reasons = {x.expert: x.reason for x in res.excluded}
    assert "wmin needs every weight > 0" in reasons["E02"]
    assert "rather tight" in reasons["E03"]


# ------------------------------------------------------------------- Cooke weights


def test_cooke_weighted_pool_uses_analyze_weights() -> None:
    """Three made-up experts answer four seed items with made-up realisations; the pool
    must use exactly cooke.analyze's global weights on the same study."""
    seeds = [SeedItem(f"s{i}", f"made-up seed {i}", realisation=r)
             for i, r in enumerate([10.0, 25.0, 3.0, 40.0])]
    quant = {"E01": [[8, 10.5, 13], [20, 24, 30], [2, 3.2, 4], [35, 41, 50]],  # calibrated
             "E02": [[1, 2, 3], [1, 2, 3], [10, 20, 30], [1, 2, 3]],           # poor
             "E03": [[5, 12, 30], [10, 30, 60], [1, 4, 9], [20, 45, 90]]}      # wide
    answers = [a(e, f"seed/s{i}", q) for e, qs in quant.items() for i, q in enumerate(qs)]
    answers += [*table_answers("E01", 0.9, 0.2), *table_answers("E02", 0.1, 0.6),
                *table_answers("E03", 0.5, 0.4)]
    study = SeedStudy(tuple(quant), tuple(Item(s.id, realisation=s.realisation) for s in seeds),
                      (0.05, 0.5, 0.95), np.array([quant[e] for e in quant], dtype=float))
    ref = analyze(study, weights="global")
    w = dict(zip(ref.experts, ref.weights, strict=True))
    res = pool(ranked_model(), answers, nodes=["t"], weights="cooke", seeds=seeds)
    assert res.cooke is not None
    assert res.weights == pytest.approx(w)
    expected = sum(w[e] * v for e, v in {"E01": 0.9, "E02": 0.1, "E03": 0.5}.items())
    assert res.nodes["t"].table[0, 0] == pytest.approx(expected)
    assert w["E01"] > w["E02"]  # the calibrated expert counts more
    assert any(x.question.startswith("seed/") for x in res.answers)  # seeds are in the hash
    with pytest.raises(ElicitationError, match="seeds"):
        pool(ranked_model(), answers, nodes=["t"], weights="cooke")


# ------------------------------------------------------------------- disagreement


def test_js_divergence_by_hand() -> None:
    """JS((1,0),(0,1)) = 1 bit; JS(p,p) = 0; JS((1,0),(1/2,1/2)) = H(3/4,1/4) - 1/2 =
    0.811278 - 0.5 = 0.311278."""
    assert float(js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0]))) == 1.0
    assert float(js_divergence(np.array([0.3, 0.7]), np.array([0.3, 0.7]))) == 0.0
    assert float(js_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5]))) == pytest.approx(
        0.311278, abs=1e-6)


def test_disagreement_zero_when_agreeing_and_ordered() -> None:
    m = ranked_model()
    answers = [*table_answers("E01", 0.9, 0.1), *table_answers("E02", 0.1, 0.9),  # t: far
               *ranked_answers("E01", "r", {"a": 2, "b": 1}, "wmean", "tightly"),
               *ranked_answers("E02", "r", {"a": 4, "b": 2}, "wmean", "tightly")]  # r: same
    df = disagreement(pool(m, answers))
    assert list(df.index) == ["t", "r"]
    assert df.loc["r", "js_pairwise"] == pytest.approx(0.0, abs=1e-12)
    assert df.loc["r", "js_to_pool"] == pytest.approx(0.0, abs=1e-12)
    assert df.loc["r", "weight_sd"] == pytest.approx(0.0, abs=1e-12)
    assert df.loc["r", "function_agreement"] == 1.0
    assert df.loc["t", "js_pairwise"] > 0.5
    # a third expert who disagrees on r's weights makes r's weight spread positive
    more = [*answers, *ranked_answers("E03", "r", {"a": 1, "b": 4}, "wmin", "loosely")]
    df3 = disagreement(pool(m, more))
    assert df3.loc["r", "weight_sd"] > 0.1 and df3.loc["r", "function_agreement"] == 2 / 3
    ax = plot_disagreement(df3)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["r", "t"]  # largest on top


# ------------------------------------------------------------------- write-back


def test_dirichlet_concentration_by_hand_and_fallbacks() -> None:
    """(0.7, 0.3) and (0.5, 0.5), equal weights: mean (0.6, 0.4); per state
    V = (0.5 * 0.1^2 + 0.5 * 0.1^2) / (1 - 0.5) = 0.02, sum 0.04; 1 - (0.36 + 0.16) = 0.48;
    alpha0 = 0.48 / 0.04 - 1 = 11. (0.8, 0.2) and (0.4, 0.6): V = 0.08 per state,
    alpha0 = 0.48 / 0.16 - 1 = 2, right at the floor."""
    assert dirichlet_concentration(np.array([[0.7, 0.3], [0.5, 0.5]])) == (
        pytest.approx(11.0), "moments")
    assert dirichlet_concentration(np.array([[0.8, 0.2], [0.4, 0.6]]))[0] == pytest.approx(2.0)
    assert dirichlet_concentration(np.array([[0.82, 0.18], [0.38, 0.62]])) == (2.0, "floor")
    assert dirichlet_concentration(np.array([[0.8, 0.2]])) == (FALLBACK_CONCENTRATION,
                                                                "fallback")
    assert dirichlet_concentration(np.array([[0.8, 0.2]] * 3)) == (FALLBACK_CONCENTRATION,
                                                                    "fallback")
    assert dirichlet_concentration(np.array([[1.0, 0.0], [0.0, 1.0]])) == (2.0, "floor")
    assert dirichlet_concentration(np.array([[0.5, 0.5], [0.5001, 0.4999]])) == (1000.0, "cap")


@pytest.mark.parametrize("alpha0", [3.0, 20.0, 150.0])
def test_method_of_moments_recovers_alpha0(alpha0: float) -> None:
    """Synthetic 'experts': 4000 draws from Dirichlet(alpha0 * m); the estimate is within
    5 % (the estimator's sampling error at this size is about 2-3 %)."""
    rng = np.random.default_rng(7)
    m = np.array([0.5, 0.3, 0.15, 0.05])
    draws = rng.dirichlet(alpha0 * m, size=4000)
    est, basis = dirichlet_concentration(draws, bounds=(0.01, 1e6))
    assert basis == "moments"
    assert est == pytest.approx(alpha0, rel=0.05)


def _made_up_study() -> tuple[Model, list[Answer]]:
    m = ranked_model()
    answers = [*table_answers("E01", 0.7, 0.1), *table_answers("E02", 0.5, 0.3),
               *ranked_answers("E01", "r", {"a": 3, "b": 1}, "wmean", "tightly"),
               *ranked_answers("E02", "r", {"a": 1, "b": 1}, "wmin", "loosely")]
    return m, answers


def test_write_back_loads_with_provenance_and_uncertainty(tmp_path: Path) -> None:
    m, answers = _made_up_study()
    res = pool(m, answers, parametric="parameters")
    path = write_pooled_model(m, res, tmp_path / "pooled.yaml", date="2026-12-01")
    back = load_model(path)
    assert back.cpt("t")[:, 0] == pytest.approx([0.6, 0.4])
    assert back.cpt("r") == pytest.approx(res.nodes["r"].table, abs=1e-9)
    assert back.cpt("a") == pytest.approx(m.cpt("a"))  # not pooled: unchanged
    assert back.node("a").cpt.provenance.source == "tests"
    raw = {n["id"]: n for n in yaml.safe_load(path.read_text())["nodes"]}
    prov = raw["t"]["cpt"]["provenance"]
    digest = answers_hash(res.answers)
    assert prov["answers_sha256"] == digest and len(digest) == 64
    assert prov["experts"] == ["E01", "E02"]
    assert prov["weights"] == {"E01": 0.5, "E02": 0.5}
    assert prov["source"] == f"expert elicitation: study {STUDY}, round 1"
    assert "linear opinion pool" in prov["method"] and "E01 0.5" in prov["method"]
    assert prov["date"] == "2026-12-01"
    assert digest in back.node("t").cpt.provenance.notes
    # table uncertainty: P(yes|win) 0.7 / 0.5 -> alpha0 11 (by hand above);
    # P(yes|lose) 0.1 / 0.3: mean 0.2, V = 0.02 per state, sum 0.04,
    # 1 - (0.2^2 + 0.8^2) = 0.32, alpha0 = 0.32 / 0.04 - 1 = 7
    unc = back.node("t").cpt.uncertainty
    assert unc is not None and unc["distribution"] == "dirichlet" and unc["mean"] == "table"
    assert unc["concentration"] == {"war=win": pytest.approx(11.0),
                                    "war=lose": pytest.approx(7.0)}
    assert unc["basis"] == {"war=win": "moments", "war=lose": "moments"}
    assert unc["estimator"]["bounds"] == [2.0, 1000.0]
    # ranked uncertainty: weights E01 (0.75, 0.25), E02 (0.5, 0.5) -> mean (0.625, 0.375),
    # V = 2 * 0.125^2 = 0.03125 per parent, 1 - (0.625^2 + 0.375^2) = 0.46875,
    # alpha0 = 0.46875 / 0.0625 - 1 = 6.5; ln variances ln 0.005, ln 0.05: sdlog =
    # sqrt(2 * (ln(10) / 2)^2) = ln(10) / sqrt(2) = 1.628174
    runc = back.node("r").cpt.uncertainty
    assert runc is not None
    assert runc["weights"]["distribution"] == "dirichlet"
    assert runc["weights"]["mean"] == {"a": pytest.approx(0.625), "b": pytest.approx(0.375)}
    assert runc["weights"]["concentration"] == pytest.approx(6.5)
    assert runc["variance"]["distribution"] == "lognormal"
    assert runc["variance"]["meanlog"] == pytest.approx(np.log(back.node("r").cpt.params[
        "variance"]))
    assert runc["variance"]["sdlog"] == pytest.approx(1.628174, abs=1e-6)
    assert runc["function"] == {"wmean": 0.5, "wmin": 0.5}


def test_write_back_never_overwrites(tmp_path: Path) -> None:
    m, answers = _made_up_study()
    res = pool(m, answers)
    target = tmp_path / "exists.yaml"
    target.write_text("precious\n")
    with pytest.raises(FileExistsError, match=r"exists\.yaml"):
        write_pooled_model(m, res, target)
    assert target.read_text() == "precious\n"
    with pytest.raises(ElicitationError, match="round"):
        write_pooled_model(m, res, tmp_path / "new.yaml", round=2)
    assert not (tmp_path / "new.yaml").exists()


def test_one_expert_gets_the_fallback(tmp_path: Path) -> None:
    m, answers = _made_up_study()
    res = pool(m, [x for x in answers if x.expert == "E01"], parametric="parameters")
    path = write_pooled_model(m, res, tmp_path / "one.yaml")
    back = load_model(path)
    unc = back.node("t").cpt.uncertainty
    assert unc is not None and set(unc["basis"].values()) == {"fallback"}
    assert set(unc["concentration"].values()) == {FALLBACK_CONCENTRATION}
    runc = back.node("r").cpt.uncertainty
    assert runc is not None and runc["variance"]["basis"] == "fallback"


def test_shipped_model_round_trip(nato: Model, tmp_path: Path) -> None:
    """Made-up experts answer every question of the shipped model; the pooled model loads."""
    rng = np.random.default_rng(3)
    answers = []
    for e, q in itertools.product(["E01", "E02", "E03"], questions_for(nato)):
        if q.kind == "distribution":
            v: Any = dict(zip(q.states, rng.dirichlet(np.full(len(q.states), 4.0)).tolist(),
                              strict=True))
        elif q.kind == "weight":
            v = int(rng.integers(1, 11))
        else:
            v = str(rng.choice(["wmean", "wmax"] if q.kind == "function"
                               else ["tightly", "moderately"]))
        answers.append(a(e, q.id, v))
    for parametric in ("tables", "parameters"):
        res = pool(nato, answers, method="log", parametric=parametric)
        assert not res.excluded and len(res.nodes) == 16
        back = load_model(write_pooled_model(nato, res, tmp_path / f"{parametric}.yaml"))
        post = back.query("cohesion", evidence={"war_outcome": "stalemate"})["cohesion"]
        assert post.sum() == pytest.approx(1.0)


def test_answers_from_several_rounds_are_cited(tmp_path: Path) -> None:
    """E02 revised t in round 2 (made up); the latest answers span rounds 1 and 2."""
    m, answers = _made_up_study()
    answers = [x if x.expert == "E01" else Answer(STUDY, 2, x.expert, x.question, x.value)
               for x in answers]
    res = pool(m, answers, nodes=["t"])
    path = write_pooled_model(m, res, tmp_path / "mixed.yaml")
    assert load_model(path).node("t").cpt.provenance.source == (
        f"expert elicitation: study {STUDY}, rounds 1, 2")
    with pytest.raises(ElicitationError, match="round"):
        write_pooled_model(m, res, tmp_path / "r1.yaml", round=1)
