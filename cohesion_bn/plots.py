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

__all__ = ["layers", "plot_network", "plot_posterior", "plot_scenarios"]


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


def plot_network(model: Model, *, ax: Axes | None = None, wrap: int = 16,
                 node_size: float = 2600.0) -> Axes:
    """The network's graph in layers, top to bottom, labelled with node labels."""
    import networkx as nx

    depth = layers(model)
    graph = nx.DiGraph()
    for nid in model.nodes:
        graph.add_node(nid, layer=depth[nid])
    for nid in model.nodes:
        for p in model.parents(nid):
            graph.add_edge(p, nid)
    widest = max(np.bincount(list(depth.values())))
    ax = _axes(ax, (max(8.0, 1.6 * widest), 2.4 * (max(depth.values()) + 1)))
    pos_lr = nx.multipartite_layout(graph, subset_key="layer", align="vertical")
    pos = {n: (float(y), -float(x)) for n, (x, y) in pos_lr.items()}  # layers top to bottom
    colours = [depth[n] for n in graph.nodes]
    nx.draw_networkx_edges(graph, pos, ax=ax, arrows=True, arrowsize=12, edge_color="#888888",
                           node_size=node_size, width=0.8)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, cmap="Pastel1",
                           node_size=node_size, edgecolors="#444444")
    labels = {n: "\n".join(textwrap.wrap(model.label(n), wrap)) for n in graph.nodes}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=7)
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
    wide = table.xs(node, level="node")["probability"].unstack("state")
    states = list(dict.fromkeys(table.xs(node, level="node").index.get_level_values("state")))
    wide = wide[states]
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
