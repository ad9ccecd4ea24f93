"""The shipped NATO model reproduces the paper's table (all 15 cells), and its posteriors
agree with pyAgrum's LazyPropagation, an independent inference engine."""

from __future__ import annotations

import numpy as np
import pytest

import cohesion_bn as cb

# Kunertova & Schmitt (2023), "Three scenarios, three cohesions"
PAPER = {
    "ukraine_wins": {"threats": "+", "institutions": "=", "norms": "+", "leadership": "+",
                     "cohesion": "strong"},
    "ukraine_loses": {"threats": "-", "institutions": "+", "norms": "=/+", "leadership": "=/-",
                      "cohesion": "fragmented"},
    "stalemate": {"threats": "=/-", "institutions": "=/+", "norms": "-", "leadership": "-",
                  "cohesion": "weak"},
}
BANDS = {"+": (0.25, 9), "=": (-0.25, 0.25), "-": (-9, -0.25), "=/+": (0.05, 0.75),
         "=/-": (-0.75, -0.05)}


@pytest.mark.parametrize("scenario", list(PAPER))
@pytest.mark.parametrize("node", ["threats", "institutions", "norms", "leadership", "cohesion"])
def test_paper_table_cell(nato, scenario, node):
    """One cell of the table, computed here from the posterior (independent of the file's
    own expectations): E = P(strengthens) - P(weakens) within the sign's band, or the
    most likely cohesion state."""
    post = nato.query(node, evidence={"war_outcome": scenario})[node]
    expected = PAPER[scenario][node]
    if node == "cohesion":
        assert post.idxmax() == expected, post.to_dict()
    else:
        e = post["strengthens"] - post["weakens"]
        lo, hi = BANDS[expected]
        assert lo < e < hi, (scenario, node, e)


def test_file_expectations_are_the_papers(nato):
    """The scenarios in the model file state the paper's table, and all hold."""
    checks = cb.check_expectations(nato)
    assert len(checks) == 15
    assert checks["ok"].all(), checks[~checks["ok"]]
    for _, row in checks.iterrows():
        assert PAPER[row.scenario][row.node] == row.expected


def test_shape_of_the_shipped_model(nato):
    """war -> 11 sub-factors -> 4 factors -> cohesion; 17 nodes, 723 CPT entries."""
    assert len(nato.nodes) == 17
    assert nato.n_parameters == 723
    factors = {"threats": 3, "institutions": 4, "norms": 2, "leadership": 2}
    for f, k in factors.items():
        assert len(nato.parents(f)) == k
        for sub in nato.parents(f):
            assert nato.parents(sub) == ("war_outcome",)
    assert set(nato.parents("cohesion")) == set(factors)
    for n in nato.spec.nodes:
        prov = n.cpt.provenance
        assert prov.source and prov.method and prov.date
        assert "elicited" not in prov.method.lower() or "not" in prov.method.lower()


def _pyagrum(model: cb.Model):
    gum = pytest.importorskip("pyagrum")
    bn = gum.BayesNet(model.spec.id)
    for n in model.nodes:
        bn.add(gum.LabelizedVariable(n, n, list(model.states(n))))
    for n in model.nodes:
        for p in model.parents(n):
            bn.addArc(p, n)
    for n in model.nodes:
        arr = model.cpt(n)  # (state, *parents)
        # pyAgrum's CPT tensor: variables listed as [node, parents...]; fill by assignment
        cpt = bn.cpt(n)
        names = cpt.names  # order pyAgrum uses
        for idx in np.ndindex(*arr.shape):
            inst = {n: idx[0], **{p: idx[i + 1] for i, p in enumerate(model.parents(n))}}
            cpt[{k: int(inst[k]) for k in names}] = float(arr[idx])
    return gum, bn


def test_posteriors_agree_with_pyagrum(nato):
    gum, bn = _pyagrum(nato)
    for scenario in PAPER:
        ie = gum.LazyPropagation(bn)
        ie.setEvidence({"war_outcome": scenario})
        ie.makeInference()
        ours = nato.query(evidence={"war_outcome": scenario})
        for n in nato.nodes:
            theirs = np.array(ie.posterior(n).tolist())
            np.testing.assert_allclose(ours[n].to_numpy(), theirs, atol=1e-9)


def test_soft_and_do_agree_with_pyagrum(nato):
    """do(leadership=strengthens) given Ukraine loses: pyAgrum on the mutilated network."""
    gum, bn = _pyagrum(nato)
    for p in list(nato.parents("leadership")):
        bn.eraseArc(p, "leadership")
    bn.cpt("leadership").fillWith([1.0, 0.0, 0.0])
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"war_outcome": "ukraine_loses", "leadership": "strengthens"})
    ie.makeInference()
    ours = nato.query(evidence={"war_outcome": "ukraine_loses"},
                      do={"leadership": "strengthens"})
    for n in nato.nodes:
        np.testing.assert_allclose(ours[n].to_numpy(), np.array(ie.posterior(n).tolist()),
                                   atol=1e-9)
    # the sub-factors of leadership keep their scenario distribution under do()
    seen = nato.query("lead_national", evidence={"war_outcome": "ukraine_loses",
                                                 "leadership": "strengthens"})
    done = ours["lead_national"]
    prior = nato.query("lead_national", evidence={"war_outcome": "ukraine_loses"})
    np.testing.assert_allclose(done.to_numpy(), prior["lead_national"].to_numpy(), atol=1e-12)
    assert abs(seen["lead_national"]["strengthens"] - done["strengthens"]) > 0.05
