"""Matplotlib figures. Every function takes an optional ``ax`` and returns the Axes it drew
on; none computes anything a table could not hold (pass it results, not models, where
possible). Nothing here changes matplotlib's global settings.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import QueryError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .inference import Posterior
    from .model import Model

__all__ = [
    "layers",
    "network_figsize",
    "network_positions",
    "plot_network",
    "plot_posterior",
    "plot_scenarios",
]


#: how a node with a finding (evidence or an intervention) is drawn: grey, with a red edge,
#: unlike any layer colour (Pastel1 without its grey)
FINDING_FACE = "#d9d9d9"
FINDING_EDGE = "#b00000"


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


#: width of a bend point's slot in a layer, against 1 for a node
_BEND_SLOT = 0.35


def _layout(model: Model) -> tuple[dict[str, tuple[float, float]],
                                   dict[tuple[str, str], list[tuple[float, float]]], float]:
    """Nodes in layers (their depth), top to bottom, and the bend points of every arc that
    skips layers: such an arc gets one point per layer it crosses (the dummy nodes of
    Sugiyama, Tagawa & Toda 1981), so it runs between nodes instead of through them. Within
    a layer, nodes and bend points sit under their predecessors' mean position (the
    barycentre heuristic), ties in file order, pushed apart just enough to leave each node a
    width of 1 and each bend point ``_BEND_SLOT``. Returns positions, bends and the width
    of the drawing (in node widths)."""
    depth = layers(model)
    n_layers = max(depth.values()) + 1
    members: list[list[object]] = [[] for _ in range(n_layers)]
    preds: dict[object, list[object]] = {}
    for n in model.nodes:
        members[depth[n]].append(n)
        preds.setdefault(n, [])
    for child in model.nodes:
        for parent in model.parents(child):
            prev: object = parent
            for level in range(depth[parent] + 1, depth[child]):
                bend = (parent, child, level)
                members[level].append(bend)
                preds[bend] = [prev]
                prev = bend
            preds[child].append(prev)
    x: dict[object, float] = {}
    for level, items in enumerate(members):
        slots = [1.0 if isinstance(i, str) else _BEND_SLOT for i in items]
        if not level:
            total = sum(slots)
            wanted = list(np.cumsum(slots) - np.array(slots) / 2 - total / 2)
        else:  # under the predecessors where there is room, pushed apart where not
            wanted = [float(np.mean([x[q] for q in preds[i]])) if preds[i] else 0.0
                      for i in items]
            order = sorted(range(len(items)), key=lambda k: wanted[k])
            items[:] = [items[k] for k in order]
            slots = [slots[k] for k in order]
            wanted = [wanted[k] for k in order]
        placed: list[float] = []
        for k, want in enumerate(wanted):
            gap = (slots[k - 1] + slots[k]) / 2 if k else 0.0
            placed.append(max(want, placed[-1] + gap) if placed else want)
        shift = float(np.mean(np.array(placed) - np.array(wanted)))
        for item, px in zip(items, placed, strict=True):
            x[item] = px - shift
    widest = max(x.values()) - min(x.values()) + 1.0
    pos = {n: (x[n], -float(depth[n])) for n in model.nodes}
    bends: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for level, items in enumerate(members):
        for item in items:
            if isinstance(item, tuple):
                parent, child, _ = item
                bends.setdefault((parent, child), []).append((x[item], -float(level)))
    return pos, bends, widest


def network_positions(model: Model) -> dict[str, tuple[float, float]]:
    """Node positions in layers, top to bottom (x in node widths, y = -depth); arcs that
    skip layers get bend points between the nodes (see :func:`plot_network`)."""
    return _layout(model)[0]


def network_figsize(model: Model, *, beliefs: bool = False) -> tuple[float, float]:
    """A figure size (inches) for :func:`plot_network` that gives every node of the widest
    layer room: 1.25 in per node (1.6 with belief bars), 2 in per layer (more with bars)."""
    depth = layers(model)
    n_layers = max(depth.values()) + 1
    widest = _layout(model)[2]
    if beliefs:
        most = max(len(model.states(n)) for n in model.nodes)
        return max(8.0, 1.6 * widest), (1.2 + 0.25 * most) * n_layers
    return max(8.0, 1.25 * widest), 2.0 * n_layers


def plot_network(model: Model, *, posterior: Posterior | None = None,
                 arc_weights: Mapping[tuple[str, str], float] | None = None,
                 ax: Axes | None = None, wrap: int = 14, font_size: float = 7.0) -> Axes:
    """The network's graph in layers, top to bottom.

    Without ``posterior`` each node is a box with its label. With one (e.g.
    ``model.query(evidence=...)``, every node) each node is drawn the way GeNIe and Netica
    draw a belief view: its label over one bar per state with the probability in percent;
    nodes with findings (hard evidence or an intervention) are grey with a red edge, an
    intervention says ``do:`` and its incoming arrows are dashed (cut). Arrows run under the
    boxes and end at spread points along the child's top edge, so many parents stay
    readable.

    ``arc_weights`` (``{(parent, child): w}``, e.g. the strength of influence from
    :func:`cohesion_bn.sensitivity.arcs.analyze`) draws each arc as thick as its weight,
    relative to the largest; arcs not named are drawn thin."""
    from matplotlib import colormaps
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    depth = layers(model)
    cmap = colormaps["Pastel1"]
    arcs = {(p, c) for c in model.nodes for p in model.parents(c)}
    weights = dict(arc_weights or {})
    unknown = [f"{p} -> {c}" for p, c in weights if (p, c) not in arcs]
    if unknown:
        raise QueryError(f"arc_weights name arcs the model does not have: {', '.join(unknown)}")
    top = max((abs(float(w)) for w in weights.values()), default=0.0)
    beliefs = posterior is not None
    if posterior is not None:
        missing = [n for n in model.nodes if n not in posterior.marginals]
        if missing:
            raise QueryError(f"the posterior has no marginal for {', '.join(missing)}; "
                             "query every node (targets=None) to draw beliefs")
    most = max(len(model.states(n)) for n in model.nodes)
    row = 0.13  # height of one state's bar row, in layer units
    step = (0.55 + row * most) if beliefs else 1.0  # distance between layers
    layout, bend_points, _ = _layout(model)
    pos = {n: (x, y * step) for n, (x, y) in layout.items()}
    bends = {arc: [(bx, by * step) for bx, by in pts] for arc, pts in bend_points.items()}
    ax = _axes(ax, network_figsize(model, beliefs=beliefs))

    def height(n: str) -> float:
        return 0.2 + row * len(model.states(n)) if beliefs else 0.3

    half_w = 0.46 if beliefs else 0.4

    def width(parent: str, child: str) -> float:
        if not weights:
            return 0.7
        w = abs(float(weights.get((parent, child), 0.0)))
        return 0.4 + 4.6 * (w / top if top > 0 else 0.0)

    fixed = {**posterior.findings.hard, **posterior.findings.do} if posterior else {}
    # arrows: from the parent's bottom edge to a point on the child's top edge
    for child in model.nodes:
        parents = model.parents(child)
        cx, cy = pos[child]
        for k, parent in enumerate(sorted(parents, key=lambda q: pos[q][0])):
            px, py = pos[parent]
            spread = (k + 1) / (len(parents) + 1) - 0.5
            cut = posterior is not None and child in posterior.findings.do
            # under the boxes, through the arc's bend points (one per layer it skips), its
            # head just outside the child's padded edge so it stays visible
            start = (px, py - height(parent) / 2)
            color, lw, dash = ("#bbbbbb" if cut else "#888888", width(parent, child),
                               "--" if cut else "-")
            for bx, by in bends.get((parent, child), []):
                ax.plot([start[0], bx], [start[1], by], color=color, lw=lw, linestyle=dash,
                        zorder=1.5, solid_capstyle="round")
                start = (bx, by)
            ax.add_patch(FancyArrowPatch(
                start, (cx + 1.2 * half_w * spread, cy + height(child) / 2 + 0.03),
                arrowstyle="-|>", mutation_scale=9, color=color, lw=lw, linestyle=dash,
                zorder=1.5, shrinkA=0, shrinkB=0))
    for n, (x, y) in pos.items():
        h = height(n)
        finding = n in fixed
        ax.add_patch(FancyBboxPatch((x - half_w, y - h / 2), 2 * half_w, h,
                                    boxstyle="round,pad=0.02",
                                    fc=FINDING_FACE if finding else cmap(depth[n] % 8),
                                    ec=FINDING_EDGE if finding else "#555555",
                                    lw=1.8 if finding else 0.8, zorder=2))
        if posterior is None:
            ax.text(x, y, "\n".join(textwrap.wrap(model.label(n), wrap)), ha="center",
                    va="center", fontsize=font_size, zorder=3)
            continue
        title = textwrap.shorten(model.label(n), width=wrap + 8, placeholder="...")
        if n in posterior.findings.do:
            title = f"do: {title}"
        top = y + h / 2
        ax.text(x, top - 0.09, title, ha="center", va="center", fontsize=font_size,
                weight="bold", zorder=3)
        probs = posterior[n]
        for i, (state, p) in enumerate(probs.items()):
            yy = top - 0.2 - row * (i + 0.5)
            ax.text(x - half_w + 0.03, yy, textwrap.shorten(str(state), 14, placeholder="..."),
                    ha="left", va="center", fontsize=font_size - 1.5, zorder=3)
            ax.add_patch(Rectangle((x - 0.04, yy - row * 0.35), 0.32 * float(p), row * 0.7,
                                   fc="#4c72b0", ec="none", zorder=3))
            ax.text(x + half_w - 0.02, yy, f"{100 * float(p):.0f}%", ha="right", va="center",
                    fontsize=font_size - 1.5, zorder=3)
    xs = [p[0] for p in pos.values()] + [b[0] for pts in bends.values() for b in pts]
    ys = [p[1] for p in pos.values()]
    pad_y = max(height(n) for n in model.nodes) / 2 + 0.1
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    title = model.spec.title or model.spec.id
    if posterior is not None:
        title += f"\ngiven {posterior.findings.describe()}"
    ax.set_title(title, fontsize=font_size + 3)
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
