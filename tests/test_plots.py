"""The figures draw what the numbers say: bars as long as the probabilities, labels with
the percentages, findings shaded, cut arrows dashed; each takes an ``ax`` and returns it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

import cohesion_bn as cb
from cohesion_bn.errors import QueryError
from cohesion_bn.plots import network_figsize


@pytest.fixture(scope="module")
def model() -> cb.Model:
    return cb.load_model()


def test_belief_bars_are_the_posterior(model: cb.Model) -> None:
    post = model.query(evidence={"war_outcome": "ukraine_loses"})
    fig, ax = plt.subplots()
    assert cb.plot_network(model, posterior=post, ax=ax) is ax
    bars = [p for p in ax.patches if isinstance(p, Rectangle)
            and not isinstance(p, FancyBboxPatch)]  # fmt: skip
    n_states = sum(len(model.states(n)) for n in model.nodes)
    assert len(bars) == n_states
    widths = sorted(round(b.get_width() / 0.32, 9) for b in bars)
    want = sorted(round(float(p), 9) for n in model.nodes for p in post[n])
    assert widths == pytest.approx(want, abs=1e-9)
    texts = [t.get_text() for t in ax.texts]
    # cohesion given a Ukrainian defeat: fragmented 70% (the paper's expectation)
    assert f"{100 * post['cohesion']['fragmented']:.0f}%" == "70%" and "70%" in texts
    assert "given war_outcome=ukraine_loses" in ax.get_title()
    plt.close(fig)


def test_findings_are_shaded_and_intervened_arrows_dashed(model: cb.Model) -> None:
    post = model.query(evidence={"war_outcome": "stalemate"}, do={"lead_alliance": "weakens"})
    fig, ax = plt.subplots()
    cb.plot_network(model, posterior=post, ax=ax)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    shaded = [b for b in boxes if matplotlib.colors.to_hex(b.get_edgecolor()) == "#b00000"]
    assert all(matplotlib.colors.to_hex(b.get_facecolor()) == "#d9d9d9" for b in shaded)
    others = [b for b in boxes if b not in shaded]
    assert not [b for b in others if matplotlib.colors.to_hex(b.get_facecolor()) == "#d9d9d9"]
    assert len(boxes) == len(model.nodes) and len(shaded) == 2
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == sum(len(model.parents(n)) for n in model.nodes)
    dashed = [a for a in arrows if a.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == len(model.parents("lead_alliance")) == 1
    assert any(t.get_text().startswith("do: ") for t in ax.texts)
    plt.close(fig)


def test_plain_network_and_figure_size(model: cb.Model) -> None:
    fig, ax = plt.subplots()
    cb.plot_network(model, ax=ax)
    labels = {t.get_text().replace("\n", " ") for t in ax.texts}
    assert "NATO cohesion" in labels
    assert not [p for p in ax.patches if type(p) is Rectangle]  # no bars without beliefs
    plt.close(fig)
    # 11 sub-factors in the widest layer, 4 layers
    assert network_figsize(model) == (11 * 1.25, 8.0)
    assert network_figsize(model, beliefs=True) == pytest.approx((11 * 1.6, 4 * 1.95))


def test_beliefs_need_every_node(model: cb.Model) -> None:
    post = model.query("cohesion")
    with pytest.raises(QueryError, match="no marginal for war_outcome"):
        cb.plot_network(model, posterior=post)


def test_layout_puts_nodes_under_their_parents_and_routes_long_arcs_between_nodes(
    model: cb.Model,
) -> None:
    """The shipped model: each factor sits under the mean of its sub-factors (there is room),
    nodes of a layer are at least one width apart. tiny.yaml: rain -> wet skips a layer, so
    it gets a bend point beside 'sprinkler', not on it."""
    from pathlib import Path

    from cohesion_bn.plots import _BEND_SLOT, _layout

    pos = cb.plots.network_positions(model)
    for factor in ("threats", "institutions", "norms", "leadership"):
        under = np.mean([pos[p][0] for p in model.parents(factor)])
        assert pos[factor][0] == pytest.approx(under, abs=1e-9)
    by_layer: dict[float, list[float]] = {}
    for x, y in pos.values():
        by_layer.setdefault(y, []).append(x)
    for xs in by_layer.values():
        assert np.all(np.diff(sorted(xs)) >= 1 - 1e-9)
    tiny = cb.load_model(Path(__file__).parent / "data" / "tiny.yaml")
    tpos, bends, width = _layout(tiny)
    assert list(bends) == [("rain", "wet")]
    ((bx, by),) = bends[("rain", "wet")]
    assert by == tpos["sprinkler"][1]
    assert abs(bx - tpos["sprinkler"][0]) >= (1 + _BEND_SLOT) / 2 - 1e-9
    assert width >= 1 + _BEND_SLOT
    fig, ax = plt.subplots()
    cb.plot_network(tiny, ax=ax)
    # the long arc: one segment to its bend point, then the arrow from there
    assert any(list(line.get_xdata())[-1] == bx for line in ax.lines)
    plt.close(fig)
