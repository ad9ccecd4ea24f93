"""Strength of influence of arcs, checked by hand and against a second reading of the CPTs
(pgmpy's TabularCPD, indexed by state names)."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch

import cohesion_bn as cb
from cohesion_bn.errors import AnalysisError, QueryError
from cohesion_bn.sensitivity import arcs

TINY = Path(__file__).parent / "data" / "tiny.yaml"


def test_known_answer_one_parent() -> None:
    """P(yes | no) = 0.2, P(yes | yes) = 0.8: TV 0.6, Euclidean 0.6, Hellinger
    sqrt(0.8) - sqrt(0.2), JS 1 - H(0.2) bits."""
    p, q = np.array([0.2, 0.8]), np.array([0.8, 0.2])
    h2 = -(0.2 * np.log2(0.2) + 0.8 * np.log2(0.8))
    assert arcs.distance(p, q, "total_variation") == pytest.approx(0.6)
    assert arcs.distance(p, q, "euclidean") == pytest.approx(0.6)
    assert arcs.distance(p, q, "hellinger") == pytest.approx(np.sqrt(0.8) - np.sqrt(0.2))
    assert arcs.distance(p, q, "js") == pytest.approx(1 - h2)
    assert arcs.distance(p, p, "js") == pytest.approx(0.0)
    with pytest.raises(AnalysisError, match="unknown measure 'kl'"):
        arcs.distance(p, q, "kl")


def test_tiny_by_hand() -> None:
    """tiny.yaml: sprinkler | rain: on 0.01 (rain) vs 0.4 (no rain): TV 0.39.
    wet | sprinkler, rain: columns (on,yes) .99, (on,no) .9, (off,yes) .8, (off,no) 0.
    sprinkler -> wet: |.99-.8| = .19 given rain=yes, |.9-0| = .9 given rain=no: max 0.9,
    mean 0.545. rain -> wet: |.99-.9| = .09, |.8-0| = .8: max 0.8."""
    m = cb.load_model(TINY)
    df = arcs.analyze(m, measure="total_variation").to_df().set_index(["parent", "child"])
    assert df.loc[("rain", "sprinkler"), "strength"] == pytest.approx(0.39)
    assert df.loc[("sprinkler", "wet"), "strength"] == pytest.approx(0.9)
    assert df.loc[("sprinkler", "wet"), "at_max"] == "sprinkler=on vs off | rain=no"
    assert df.loc[("rain", "wet"), "strength"] == pytest.approx(0.8)
    mean = arcs.analyze(m, measure="total_variation", aggregate="mean").weights()
    assert mean[("sprinkler", "wet")] == pytest.approx((0.19 + 0.9) / 2)
    assert list(df["strength"]) == sorted(df["strength"], reverse=True)


@pytest.mark.parametrize("measure", arcs.MEASURES)
def test_shipped_model_against_pgmpy_cpds(measure: str) -> None:
    """Every arc of the shipped model, recomputed from pgmpy's CPDs by state name."""
    m = cb.load_model()
    got = arcs.analyze(m, measure=measure).weights()
    net = m.network
    assert set(got) == set(net.edges())
    for parent, child in net.edges():
        cpd = net.get_cpds(child)
        names = cpd.state_names
        others = [v for v in cpd.variables[1:] if v != parent]
        best = 0.0
        for config in itertools.product(*(names[v] for v in others)):
            given = dict(zip(others, config, strict=True))
            cols = []
            for s in names[parent]:
                cols.append(np.array([cpd.get_value(**{child: y, parent: s, **given})
                                      for y in names[child]]))
            for a, b in itertools.combinations(cols, 2):
                best = max(best, float(arcs.distance(a, b, measure)))
        assert got[(parent, child)] == pytest.approx(best, abs=1e-12), (parent, child)


def test_arc_widths_follow_the_strengths() -> None:
    m = cb.load_model()
    result = arcs.analyze(m)
    fig, ax = plt.subplots()
    assert result.plot(m, ax=ax) is ax
    widths = sorted(p.get_linewidth() for p in ax.patches if isinstance(p, FancyArrowPatch))
    w = result.weights()
    top = max(w.values())
    want = sorted(0.4 + 4.6 * v / top for v in w.values())
    np.testing.assert_allclose(widths, want)
    plt.close(fig)
    with pytest.raises(QueryError, match="arcs the model does not have: cohesion -> threats"):
        cb.plot_network(m, arc_weights={("cohesion", "threats"): 1.0})


def test_cli_arcs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from cohesion_bn.cli import main

    assert main(["sensitivity", "arcs", "--model", str(TINY), "--measure",
                 "total_variation", "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"parent": "sprinkler", "child": "wet", "strength": pytest.approx(0.9),
                       "at_max": "sprinkler=on vs off | rain=no"}
    out = tmp_path / "arcs.png"
    assert main(["plot", "network", "--model", str(TINY), "--arc-strength", "--out",
                 str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
