r"""Sensitivity to findings: how much would observing each node tell us about the target?

For a target node :math:`T`, evidence :math:`e` (a scenario) and every other unobserved
node :math:`X`, two measures, as in Netica's "sensitivity to findings" (Norsys, *Netica
help: Sensitivity to findings*; Pearl 1988, §2.3; Cover & Thomas 2006, ch. 2):

- the **mutual information** (entropy reduction), in bits,

  .. math::

      I(T; X \mid e) = \sum_{t, x} P(t, x \mid e)
          \log_2 \frac{P(t, x \mid e)}{P(t \mid e)\, P(x \mid e)}
        = H(T \mid e) - \sum_x P(x \mid e)\, H(T \mid e, x),

  the expected drop in the entropy of :math:`T` from learning :math:`X`, also as a
  percentage of :math:`H(T \mid e)`;

- the **expected variance reduction** of :math:`T`'s numeric value :math:`v(T)` (the
  node's ``values``, e.g. +1/0/-1; for a target ``NODE=STATE`` the indicator of that
  state, so the variance is that of the belief :math:`P(T = t)`),

  .. math::

      \mathrm{VR}(T; X \mid e) = \mathrm{Var}(v(T) \mid e) - \sum_x P(x \mid e)\,
          \mathrm{Var}(v(T) \mid e, x)
        = \sum_x P(x \mid e) \big(\mathrm{E}[v(T) \mid e, x] - \mathrm{E}[v(T) \mid e]\big)^2

  (the law of total variance), also as a percentage of :math:`\mathrm{Var}(v(T) \mid e)`.

**How it is computed, exactly.** Everything follows from the joint :math:`P(t, x \mid e)`
for every pair :math:`(T, X)`. With :math:`f` the network polynomial (Darwiche 2003) and
the target kept free, :math:`P(t, x, \mathbf{u}, e) = \theta_{x|\mathbf{u}}\, \partial
P(t, e) / \partial \theta_{x|\mathbf{u}}` (Darwiche 2003, Thm 3), so summing over the
parents :math:`\mathbf{u}` gives :math:`P(t, x, e)` for *every* node :math:`X` from one
forward and one backward sweep of the engine (:meth:`CompiledNetwork.gradient`): one
engine call per scenario, whatever the number of nodes.

References
----------
- J. Pearl (1988). *Probabilistic Reasoning in Intelligent Systems*. Morgan Kaufmann.
- T. M. Cover, J. A. Thomas (2006). *Elements of Information Theory*, 2nd ed. Wiley.
- Norsys Software Corp. Netica help: "Sensitivity to findings" (entropy reduction /
  mutual information, variance of beliefs / real-value variance reduction).
- A. Darwiche (2003). A differential approach to inference in Bayesian networks.
  *Journal of the ACM* 50(3):280-305.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._draws import resolve_scenarios, resolve_target
from ._target import EvidenceLike, compile_model

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..model import Model

__all__ = ["FindingsResult", "analyze", "plot_findings"]

Measure = Literal["mutual_info", "variance_reduction", "percent_entropy", "percent_variance"]


@dataclass(frozen=True)
class FindingsResult:
    """Sensitivity of a target to findings at every other node, per scenario.

    ``table`` has one row per (scenario, node): ``mutual_info`` (bits),
    ``percent_entropy`` (of :math:`H(T \\mid e)`), ``variance_reduction``,
    ``percent_variance`` (of :math:`\\mathrm{Var}(v(T) \\mid e)`), ``entropy`` (the
    node's own :math:`H(X \\mid e)`, an upper bound on the mutual information) and
    ``rank`` (1 = most informative by mutual information). ``target_entropy`` and
    ``target_variance`` give :math:`H(T \\mid e)` and :math:`\\mathrm{Var}(v(T) \\mid e)`
    per scenario; ``values`` the numbers used for :math:`v(T)`.
    """

    target: str
    target_state: str | None
    values: tuple[float, ...]
    scenarios: tuple[str, ...]
    evidence: Mapping[str, Mapping[str, str]]
    target_entropy: Mapping[str, float]
    target_variance: Mapping[str, float]
    table: pd.DataFrame

    def to_df(self) -> pd.DataFrame:
        """The ranked table: sorted by scenario, then mutual information (descending)."""
        return self.table.copy()

    def top(self, scenario: str | None = None, k: int = 5) -> pd.DataFrame:
        """The ``k`` most informative nodes of one scenario (default: the first)."""
        sid = self.scenarios[0] if scenario is None else scenario
        if sid not in self.scenarios:
            raise AnalysisError(f"no scenario {sid!r} in this result; it has "
                                f"{', '.join(self.scenarios)}")
        return self.table[self.table["scenario"] == sid].head(k)


def _entropy(p: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return np.asarray(terms.sum(axis=axis))


def pair_measures(pxt: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """Mutual information (bits) and variance reduction from a joint ``P(t, x)``.

    ``pxt`` has shape ``(n_t, n_x)`` and sums to 1; ``values`` has shape ``(n_t,)``.
    """
    pt = pxt.sum(axis=1)
    px = pxt.sum(axis=0)
    denom = pt[:, None] * px[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pxt > 0, pxt * np.log2(np.where(pxt > 0, pxt, 1.0) /
                                                np.where(denom > 0, denom, 1.0)), 0.0)
    mi = max(float(terms.sum()), 0.0)
    mean = float(pt @ values)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond_mean = np.where(px > 0, (values @ pxt) / np.where(px > 0, px, 1.0), mean)
    vr = float(px @ (cond_mean - mean) ** 2)
    return mi, vr


def analyze(
    model: Model,
    target: str = "cohesion",
    *,
    scenarios: Sequence[str] | None = None,
    evidence: EvidenceLike = None,
    nodes: Sequence[str] | None = None,
    values: Sequence[float] | None = None,
) -> FindingsResult:
    """Mutual information and variance reduction of ``target`` for findings at each node.

    ``target``: ``"NODE"`` (its ``values`` give the numbers of the variance measure;
    ``values=`` overrides them) or ``"NODE=STATE"`` (the indicator of that state).
    ``scenarios``: ids of the model's scenarios (default: all; a model without scenarios
    is analysed without evidence, as ``"prior"``), or ``evidence={node: state}`` for one
    ad-hoc scenario. ``nodes``: the candidate finding nodes (default: every node that is
    not the target and not observed). Exact: one forward/backward engine sweep per
    scenario (see the module docstring).
    """
    tnode, tstate = resolve_target(model, target)
    states = model.states(tnode)
    if tstate is not None:
        if values is not None:
            raise AnalysisError("values= is for a node target; a NODE=STATE target uses the "
                                "indicator of the state")
        vals = np.array([1.0 if s == tstate else 0.0 for s in states])
    elif values is not None:
        vals = np.asarray(values, dtype=float)
        if vals.shape != (len(states),) or not np.all(np.isfinite(vals)):
            raise AnalysisError(f"values= must give {len(states)} numbers, one per state of "
                                f"{tnode!r} ({', '.join(states)})")
    else:
        node_values = model.node(tnode).values
        if node_values is None:
            raise AnalysisError(
                f"target node {tnode!r} has no values (a number per state) for the variance "
                f"reduction; add values: [...] to the node, pass values= (Python), or name "
                f"one state as the target ({tnode}={states[0]})")
        vals = np.asarray(node_values, dtype=float)
    cases = resolve_scenarios(model, scenarios, evidence)
    candidates = None if nodes is None else [model.resolve_node(n, context="nodes")
                                             for n in nodes]
    net = compile_model(model)
    cpts = net.cpts
    rows: list[dict[str, Any]] = []
    h_t: dict[str, float] = {}
    var_t: dict[str, float] = {}
    for sid, ev in cases:
        if tnode in ev:
            raise AnalysisError(f"scenario {sid!r} observes the target {tnode!r}; findings "
                                "cannot tell anything more about it")
        g = net.gradient(tnode, evidence=ev)
        p_e = float(g.p_evidence[0])
        assert g.joint is not None and g.d_joint is not None
        pt = g.joint[0] / p_e
        h_t[sid] = float(_entropy(pt))
        mean = float(pt @ vals)
        var_t[sid] = float(pt @ (vals - mean) ** 2)
        for x in candidates if candidates is not None else model.nodes:
            if x == tnode or x in ev:
                continue
            theta = cpts[x]
            dj = g.d_joint[x][0]  # (n_t, n_x, *pc)
            pxt = (dj * theta[None]).reshape(dj.shape[0], dj.shape[1], -1).sum(-1) / p_e
            pxt = np.clip(pxt, 0.0, None)
            pxt /= pxt.sum()
            mi, vr = pair_measures(pxt, vals)
            rows.append({
                "scenario": sid, "node": x, "label": model.label(x),
                "mutual_info": mi,
                "percent_entropy": 100 * mi / h_t[sid] if h_t[sid] > 0 else 0.0,
                "variance_reduction": vr,
                "percent_variance": 100 * vr / var_t[sid] if var_t[sid] > 0 else 0.0,
                "entropy": float(_entropy(pxt.sum(axis=0))),
            })
    cols = ["scenario", "node", "label", "mutual_info", "percent_entropy",
            "variance_reduction", "percent_variance", "entropy"]
    table = pd.DataFrame(rows, columns=cols)
    order = {sid: k for k, (sid, _) in enumerate(cases)}
    table = table.assign(_s=table["scenario"].map(order)).sort_values(
        ["_s", "mutual_info"], ascending=[True, False], kind="stable").drop(columns="_s")
    table.insert(2, "rank", table.groupby("scenario", sort=False).cumcount() + 1)
    table = table.reset_index(drop=True)
    return FindingsResult(tnode, tstate, tuple(float(v) for v in vals),
                          tuple(sid for sid, _ in cases), {sid: ev for sid, ev in cases},
                          h_t, var_t, table)


def plot_findings(
    result: FindingsResult,
    *,
    ax: Axes | None = None,
    measure: Measure = "mutual_info",
    top: int | None = None,
) -> Axes:
    """Horizontal bars of ``measure`` per node, one bar per scenario; returns the axes.

    Nodes are sorted by the measure in the first scenario; ``top`` keeps that many.
    """
    import matplotlib.pyplot as plt

    if measure not in ("mutual_info", "variance_reduction", "percent_entropy",
                       "percent_variance"):
        raise AnalysisError(f"unknown measure {measure!r}; use mutual_info, "
                            "variance_reduction, percent_entropy or percent_variance")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.3 * 17 + 1))
    df = result.table
    wide = df.pivot_table(index="label", columns="scenario", values=measure, sort=False)
    wide = wide[[s for s in result.scenarios if s in wide.columns]]
    wide = wide.sort_values(wide.columns[0], ascending=True)
    if top is not None:
        wide = wide.iloc[-top:]
    k = len(wide.columns)
    height = 0.8 / max(k, 1)
    y = np.arange(len(wide))
    for j, sid in enumerate(wide.columns):
        ax.barh(y + (j - (k - 1) / 2) * height, wide[sid].to_numpy(), height=height,
                label=str(sid))
    ax.set_yticks(y)
    ax.set_yticklabels(list(wide.index))
    names = {"mutual_info": "mutual information (bits)",
             "variance_reduction": "expected variance reduction",
             "percent_entropy": "% of the target's entropy",
             "percent_variance": "% of the target's variance"}
    what = f"{result.target}={result.target_state}" if result.target_state else result.target
    ax.set_xlabel(names[measure])
    ax.set_title(f"Sensitivity of {what} to findings")
    if k > 1:
        ax.legend(title="scenario", fontsize="small")
    return ax
