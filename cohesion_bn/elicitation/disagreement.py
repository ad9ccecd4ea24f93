r"""How far apart the experts are, node by node.

For each pooled node, with the experts' CPTs :math:`p_k` and the pool :math:`\bar p` (see
:mod:`.pooling`), column by column:

* the **Jensen-Shannon divergence** (Lin 1991) of two distributions,

  .. math:: \mathrm{JS}(P, Q) = H\!\left(\tfrac{P + Q}{2}\right)
            - \tfrac12 H(P) - \tfrac12 H(Q), \qquad H(P) = -\sum_x P(x) \log_2 P(x),

  in bits, so :math:`0 \le \mathrm{JS} \le 1`: 0 when the two agree, 1 when their
  supports are disjoint. It is symmetric, always finite (unlike Kullback-Leibler, which is
  infinite when one expert gives 0 where the other does not), and its square root is a
  metric (Endres & Schindelin 2003);
* ``js_pairwise``: the mean of JS over all pairs of experts and all columns (NaN with one
  expert); ``js_pairwise_max``: the largest column mean over pairs -- the one column the
  experts disagree on most;
* ``js_to_pool``: the mean of :math:`\mathrm{JS}(p_k, \bar p)` over the experts (unweighted)
  and the columns -- how far a typical expert is from what is written in the model;

and for ranked nodes, the spread of the experts' **normalised weights**
:math:`v_{ki} = w_{ki} / \sum_i w_{ki}`: ``weight_sd`` the mean over parents of the
(population) standard deviation over experts of :math:`v_{ki}`, ``weight_range`` the largest
over parents of :math:`\max_k v_{ki} - \min_k v_{ki}`; ``function_agreement`` the share of
experts who chose the most common function.

References: J. Lin (1991), "Divergence measures based on the Shannon entropy", *IEEE
Transactions on Information Theory* 37(1), 145-151; D. M. Endres and J. E. Schindelin
(2003), "A new metric for probability distributions", *IEEE Transactions on Information
Theory* 49(7), 1858-1860.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ElicitationError
from .pooling import PoolResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["COLUMNS", "disagreement", "js_divergence", "plot_disagreement"]

#: The columns of :func:`disagreement`'s table.
COLUMNS = ("kind", "n_experts", "js_pairwise", "js_pairwise_max", "js_to_pool",
           "weight_sd", "weight_range", "function_agreement")


def _entropy2(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return np.asarray(terms.sum(axis=0))


def js_divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen-Shannon divergence in bits between ``p`` and ``q``, column-wise (axis 0).

    By hand: JS((1, 0), (0, 1)) = H(1/2, 1/2) - 0 - 0 = 1; JS(p, p) = 0.

    >>> float(js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])))
    1.0
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ElicitationError(f"js_divergence: shapes {p.shape} and {q.shape} differ")
    js = _entropy2((p + q) / 2.0) - 0.5 * _entropy2(p) - 0.5 * _entropy2(q)
    return np.clip(js, 0.0, 1.0)


def disagreement(pooled: PoolResult) -> pd.DataFrame:
    """One row per pooled node (index ``node``), columns :data:`COLUMNS`, most disagreed
    first (by ``js_pairwise``, then ``js_to_pool``; single-expert nodes last)."""
    rows = []
    for nid, npool in pooled.nodes.items():
        experts = list(npool.expert_tables)
        n_states = npool.table.shape[0]
        tabs = {e: npool.expert_tables[e].reshape(n_states, -1) for e in experts}
        pool_t = npool.table.reshape(n_states, -1)
        if len(experts) > 1:
            pair = np.stack([js_divergence(tabs[a], tabs[b])
                             for a, b in itertools.combinations(experts, 2)])
            by_col = pair.mean(axis=0)
            js_pair, js_pair_max = float(by_col.mean()), float(by_col.max())
        else:
            js_pair = js_pair_max = float("nan")
        js_pool = float(np.mean([js_divergence(tabs[e], pool_t).mean() for e in experts]))
        w_sd = w_range = agree = float("nan")
        params = npool.expert_params
        if params and len(params) == len(experts):
            functions = [str(params[e]["function"]) for e in experts]
            agree = max(functions.count(f) for f in set(functions)) / len(functions)
            parents = list(params[experts[0]]["weights"])
            norm = []
            for e in experts:
                w = np.array([float(params[e]["weights"][p]) for p in parents])
                norm.append(w / w.sum() if w.sum() > 0 else np.full(len(w), np.nan))
            v = np.array(norm)
            if parents and not np.isnan(v).any():
                w_sd = float(v.std(axis=0).mean())
                w_range = float((v.max(axis=0) - v.min(axis=0)).max())
        rows.append((nid, "ranked" if params else "table", len(experts), js_pair,
                     js_pair_max, js_pool, w_sd, w_range, agree))
    df = pd.DataFrame(rows, columns=["node", *COLUMNS]).set_index("node")
    return df.sort_values(["js_pairwise", "js_to_pool"], ascending=False, na_position="last")


def plot_disagreement(df: pd.DataFrame, *, ax: Axes | None = None,
                      column: str = "js_pairwise", title: str | None = None) -> Axes:
    """Horizontal bars of ``column`` of :func:`disagreement`'s table, most disagreed on top.

    Returns the axes (a new figure's if ``ax`` is None).
    """
    import matplotlib.pyplot as plt

    if column not in df.columns:
        raise ElicitationError(f"no column {column!r}; the columns are: "
                               f"{', '.join(map(str, df.columns))}")
    data = df[column].dropna().sort_values()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.4 * max(len(data), 3) + 1))
    ax.barh([str(i) for i in data.index], data.to_numpy(dtype=float), color="tab:red")
    if column.startswith("js"):
        ax.set_xlim(0, max(1e-3, float(data.max()) * 1.1) if len(data) else 1)
        ax.set_xlabel(f"{column} (Jensen-Shannon divergence, bits)")
    else:
        ax.set_xlabel(column)
    ax.set_title(title if title is not None else "Where the experts disagree")
    return ax
