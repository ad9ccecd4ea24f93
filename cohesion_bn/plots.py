"""Matplotlib figures. Every function takes an optional ``ax`` and returns the Axes it drew
on; none computes anything a table could not hold (pass it results, not models, where
possible). Nothing here changes matplotlib's global settings.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .inference import Posterior
    from .model import Model

__all__ = ["layers", "network_positions", "plot_network", "plot_posterior", "plot_scenarios"]


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size)
    return new


def layers(model: Model) -> dict[str, int]:
    """Each node's layer: its depth, the longest path from a root (war -> sub-factors ->
    factors -> cohesion in the shipped model)."""
    depth: dict[str, int] = {}
    for nid in model.spec.topological_order():
        parents = model.parents(nid)
        depth[nid] = 1 + max((depth[p] for p in parents), default=-1)
    return depth


def network_positions(model: Model) -> dict[str, tuple[float, float]]:
    """Node positions in layers, top to bottom; within a layer, nodes sit in the order of
    their parents' mean position (the barycentre heuristic of Sugiyama et al. 1981), ties
    in file order, so few edges cross."""
    depth = layers(model)
    n_layers = max(depth.values()) + 1
    x: dict[str, float] = {}
    pos: dict[str, tuple[float, float]] = {}
    for level in range(n_layers):
        members = [n for n in model.nodes if depth[n] == level]
        if level:
            members.sort(key=lambda n: float(np.mean([x[p] for p in model.parents(n)])))
        width = len(members)
        for i, n in enumerate(members):
            x[n] = i - (width - 1) / 2
            pos[n] = (x[n], -float(level))
    return pos


def plot_network(model: Model, *, ax: Axes | None = None, wrap: int = 14,
                 font_size: float = 7.0) -> Axes:
    """The network's graph in layers, top to bottom, each node a box with its label."""
    import networkx as nx
    from matplotlib import colormaps

    depth = layers(model)
    pos = network_positions(model)
    graph = nx.DiGraph()
    graph.add_nodes_from(model.nodes)
    graph.add_edges_from((p, n) for n in model.nodes for p in model.parents(n))
    widest = max(np.bincount(list(depth.values())))
    ax = _axes(ax, (max(8.0, 1.25 * widest), 2.0 * (max(depth.values()) + 1)))
    nx.draw_networkx_edges(graph, pos, ax=ax, arrows=True, arrowsize=10, edge_color="#999999",
                           width=0.8, min_source_margin=14, min_target_margin=16)
    cmap = colormaps["Pastel1"]
    for n, (px, py) in pos.items():
        ax.text(px, py, "\n".join(textwrap.wrap(model.label(n), wrap)), ha="center",
                va="center", fontsize=font_size, zorder=3,
                bbox={"boxstyle": "round,pad=0.4", "fc": cmap(depth[n] % 9), "ec": "#555555"})
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_title(model.spec.title or model.spec.id)
    ax.set_axis_off()
    return ax


def plot_posterior(posterior: Posterior, node: str, *, ax: Axes | None = None,
                   title: str | None = None) -> Axes:
    """A bar chart of one node's posterior distribution."""
    series = posterior[node]
    ax = _axes(ax, (5.0, 3.0))
    bars = ax.bar([str(s) for s in series.index], series.to_numpy(), color="#4c72b0")
    ax.bar_label(bars, labels=[f"{p:.2f}" for p in series.to_numpy()], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("probability")
    ax.set_title(title if title is not None else f"P({node} | {posterior.findings.describe()})",
                 fontsize=9)
    return ax


def plot_scenarios(table: pd.DataFrame, node: str, *, ax: Axes | None = None) -> Axes:
    """Grouped bars of one node's distribution under each scenario.

    ``table`` is what :func:`cohesion_bn.inference.compare_scenarios` returns.
    """
    sub = table.xs(node, level="node")
    wide = sub["probability"].unstack("state")
    states = list(dict.fromkeys(sub.index.get_level_values("state")))
    scenarios = list(dict.fromkeys(sub.index.get_level_values("scenario")))
    wide = wide.loc[scenarios, states]  # the model's order, not alphabetical
    ax = _axes(ax, (6.0, 3.2))
    x = np.arange(len(wide.index))
    width = 0.8 / len(states)
    for i, s in enumerate(states):
        bars = ax.bar(x + i * width - 0.4 + width / 2, wide[s].to_numpy(), width, label=s)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in wide[s].to_numpy()], fontsize=7)
    ax.set_xticks(x, [str(i) for i in wide.index])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("probability")
    ax.set_title(f"{node} by scenario")
    ax.legend(fontsize=8)
    return ax
