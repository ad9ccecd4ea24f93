r"""Monte Carlo propagation of the CPTs' uncertainty to every posterior of every scenario.

The CPTs are uncertain: each uncertain group of parameters (a Dirichlet CPT column, or a
ranked node's weights and variance; see :mod:`._draws` for where the distributions come
from) is drawn independently, :math:`\theta^{(b)} \sim p(\theta)`, :math:`b = 1..N`, and
each parameter set is propagated exactly: :math:`P_b(X = x \mid e) = P(x \mid e;
\theta^{(b)})` for every node, state and scenario. The engine evaluates the whole batch of
:math:`N` parameter sets in one contraction per scenario (one forward and one backward
sweep give every node's posterior; Darwiche 2003). This is the "second-order" or
parameter-uncertainty analysis of Kleiter (1996) and Van Allen et al. (2008), by plain
Monte Carlo.

Reported per scenario, node and state: the point model's posterior, the mean and
standard deviation of :math:`P_b(x \mid e)` over the draws, and empirical quantiles
(credible intervals; default 5/50/95 %). For the target :math:`T = t`:

- the probability that the most likely state of :math:`T` differs from the point model's,
  :math:`\frac1N \sum_b 1[\arg\max_s P_b(s \mid e) \ne \arg\max_s P(s \mid e)]`, per
  scenario;
- the probability that the ranking of the scenarios by :math:`P(T = t \mid e)` differs
  from the point model's ranking, and, per pair of scenarios, the probability that the
  first has the larger :math:`P(T = t \mid e)`.

Monte Carlo error: a mean's standard error is ``sd / sqrt(N)``; a probability ``p``
estimated from ``N`` draws has standard error ``sqrt(p (1 - p) / N)``.

Note a root node's marginal is linear in its CPT, so its mean over Dirichlet draws is
exactly the Dirichlet mean (the model's column); posteriors are ratios of polynomials in
the parameters, so their means over the draws differ from the point posterior in general.

References
----------
- G. D. Kleiter (1996). Propagating imprecise probabilities in Bayesian networks.
  *Artificial Intelligence* 88:143-161.
- T. Van Allen, A. Singh, R. Greiner, P. Hooper (2008). Quantifying the uncertainty of a
  belief net response: Bayesian error-bars for belief net inference. *Artificial
  Intelligence* 172(4-5):483-513.
- A. Darwiche (2003). A differential approach to inference in Bayesian networks. *JACM*
  50(3):280-305.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import AnalysisError
from ..random import SeedLike, handle_seed
from ._draws import (
    DEFAULT_RANKED_SD,
    RankedMode,
    Uncertainty,
    read_uncertainty,
    resolve_scenarios,
    resolve_target,
)
from ._target import EvidenceLike, compile_model

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..model import Model

__all__ = ["UncertaintyResult", "analyze", "plot_uncertainty"]

DEFAULT_LEVELS: tuple[float, ...] = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class UncertaintyResult:
    """Posteriors under ``n`` draws of the uncertain CPTs, for every scenario.

    - ``samples[scenario][node]``: shape ``(n, n_states)``, the posterior per draw;
    - ``point[scenario][node]``: the point model's posterior;
    - ``summary``: one row per (scenario, node, state): point, mean, sd, quantiles;
    - ``p_target``: ``{scenario: (n,)}``, :math:`P_b(T = t \\mid e)`;
    - ``prob_mode_change``: per scenario, P(the most likely state of T changes);
    - ``prob_ranking_change``: P(the scenarios' ranking by P(T=t) changes);
    - ``pairwise``: P(row scenario has a larger P(T=t) than column scenario);
    - ``draw_seconds`` / ``eval_seconds``: time spent drawing / evaluating;
    - ``groups``: the uncertain parameter groups (node, group, kind, source, ...).
    """

    target: str
    target_state: str
    n: int
    levels: tuple[float, ...]
    scenarios: tuple[str, ...]
    evidence: Mapping[str, Mapping[str, str]]
    states: Mapping[str, tuple[str, ...]]
    samples: Mapping[str, Mapping[str, np.ndarray]]
    point: Mapping[str, Mapping[str, np.ndarray]]
    summary: pd.DataFrame
    p_target: Mapping[str, np.ndarray]
    prob_mode_change: Mapping[str, float]
    point_ranking: tuple[str, ...]
    prob_ranking_change: float
    pairwise: pd.DataFrame
    draw_seconds: float
    eval_seconds: float
    groups: pd.DataFrame
    ess: float | None

    def to_df(self) -> pd.DataFrame:
        """The summary table: (scenario, node, state) x (point, mean, sd, quantiles)."""
        return self.summary.copy()

    def target_summary(self) -> pd.DataFrame:
        """Per scenario: P(T=t) point, mean, sd, quantiles, and P(mode changes)."""
        df = self.summary
        sel = df[(df["node"] == self.target) & (df["state"] == self.target_state)]
        out = sel.drop(columns=["node", "state"]).set_index("scenario")
        out["prob_mode_change"] = pd.Series(self.prob_mode_change)
        return out

    def timing(self) -> dict[str, float]:
        """Seconds drawing, seconds evaluating, and microseconds per evaluation."""
        evals = self.n * len(self.scenarios)
        return {"draw_seconds": self.draw_seconds, "eval_seconds": self.eval_seconds,
                "us_per_evaluation": 1e6 * self.eval_seconds / max(evals, 1)}


def _progress(total: int, desc: str, progress: bool | None) -> Any:
    from tqdm.auto import tqdm

    # None: tqdm decides (off when stderr is not a terminal), and only shows after 1 s
    return tqdm(total=total, desc=desc, disable=None if progress is None else not progress,
                delay=0.0 if progress else 1.0, leave=False)


def _draw(unc: Uncertainty, n: int, rng: np.random.Generator, progress: bool | None
          ) -> dict[str, np.ndarray]:
    parts = []
    with _progress(len(unc.groups), "drawing", progress) as bar:
        for g in unc.groups:
            parts.append(g.draw(rng, n))
            bar.update(1)
    return unc._assemble(parts, n)


def analyze(
    model: Model,
    target: str = "cohesion",
    *,
    n: int = 2000,
    scenarios: Sequence[str] | None = None,
    evidence: EvidenceLike = None,
    ess: float | None = None,
    ranked: RankedMode = "columns",
    ranked_sd: float = DEFAULT_RANKED_SD,
    nodes: Sequence[str] | None = None,
    seed: SeedLike = None,
    levels: Sequence[float] = DEFAULT_LEVELS,
    dtype: npt.DTypeLike = np.float64,
    progress: bool | None = None,
    chunk_size: int | None = None,
) -> UncertaintyResult:
    """Propagate the CPTs' uncertainty by Monte Carlo: ``n`` draws, every scenario.

    ``target``: ``"NODE=STATE"`` (a bare ``NODE`` means its first state) for the
    mode-change and ranking measures; every node's posterior is summarised anyway.
    ``scenarios`` / ``evidence``: as in :func:`.findings.analyze`. ``ess``, ``ranked``,
    ``ranked_sd``, ``nodes``: which parameters are uncertain and how
    (:func:`._draws.read_uncertainty`). ``seed``: reproducible draws
    (:func:`cohesion_bn.random.handle_seed`). ``levels``: quantile levels in (0, 1).
    ``dtype``: float64, or float32 (faster, about 7 digits). ``progress``: ``None``
    shows a bar only on a terminal and only after a second; ``True``/``False`` force it.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise AnalysisError(f"n must be a whole number >= 2, not {n!r}")
    lv = tuple(float(x) for x in levels)
    if not lv or not all(0 < x < 1 for x in lv):
        raise AnalysisError(f"levels must be numbers in (0, 1), not {list(levels)!r}")
    tnode, tstate = resolve_target(model, target, need_state=True)
    assert tstate is not None
    t_idx = model.states(tnode).index(tstate)
    cases = resolve_scenarios(model, scenarios, evidence)
    unc = read_uncertainty(model, ess=ess, ranked=ranked, ranked_sd=ranked_sd, nodes=nodes)
    if not unc.groups:
        raise AnalysisError("no CPT carries uncertainty: the model has no uncertainty: "
                            "entries and ess= was not given (or nodes= names no uncertain CPT)")
    net = compile_model(model)
    rng = handle_seed(seed)

    t0 = time.perf_counter()
    draws = _draw(unc, int(n), rng, progress)
    params = net.parameters(draws, batch_last=True, dtype=dtype, validate=False)
    draw_seconds = time.perf_counter() - t0

    samples: dict[str, dict[str, np.ndarray]] = {}
    point: dict[str, dict[str, np.ndarray]] = {}
    t0 = time.perf_counter()
    with _progress(len(cases), "evaluating", progress) as bar:
        for sid, ev in cases:
            post = net.all_marginals(evidence=ev, params=params, chunk_size=chunk_size)
            samples[sid] = {x: np.asarray(post.marginals[x], dtype=np.float64)
                            for x in model.nodes}
            bar.update(1)
    eval_seconds = time.perf_counter() - t0
    for sid, ev in cases:
        base = net.all_marginals(evidence=ev)
        point[sid] = {x: base.marginals[x][0] for x in model.nodes}

    rows: list[dict[str, Any]] = []
    qnames = [f"q{100 * x:g}" for x in lv]
    for sid, _ in cases:
        for x in model.nodes:
            s = samples[sid][x]
            qs = np.quantile(s, lv, axis=0)
            for k, st in enumerate(model.states(x)):
                row: dict[str, Any] = {"scenario": sid, "node": x, "state": st,
                                       "point": float(point[sid][x][k]),
                                       "mean": float(s[:, k].mean()),
                                       "sd": float(s[:, k].std(ddof=1))}
                row.update({qn: float(qs[j, k]) for j, qn in enumerate(qnames)})
                rows.append(row)
    summary = pd.DataFrame(rows)

    sids = [sid for sid, _ in cases]
    p_target = {sid: samples[sid][tnode][:, t_idx] for sid in sids}
    mode_change = {sid: float(np.mean(np.argmax(samples[sid][tnode], axis=1)
                                      != np.argmax(point[sid][tnode]))) for sid in sids}
    pt = np.array([point[sid][tnode][t_idx] for sid in sids])
    point_order = np.argsort(-pt, kind="stable")
    mat = np.stack([p_target[sid] for sid in sids], axis=1)  # (n, S)
    orders = np.argsort(-mat, axis=1, kind="stable")
    ranking_change = float(np.mean(np.any(orders != point_order[None, :], axis=1)))
    pair = np.full((len(sids), len(sids)), np.nan)
    for i, j in itertools.permutations(range(len(sids)), 2):
        pair[i, j] = float(np.mean(mat[:, i] > mat[:, j]))
    pairwise = pd.DataFrame(pair, index=pd.Index(sids, name="scenario"),
                            columns=pd.Index(sids, name="versus"))
    return UncertaintyResult(
        target=tnode, target_state=tstate, n=int(n), levels=lv, scenarios=tuple(sids),
        evidence={sid: ev for sid, ev in cases},
        states={x: model.states(x) for x in model.nodes}, samples=samples, point=point,
        summary=summary, p_target=p_target, prob_mode_change=mode_change,
        point_ranking=tuple(sids[i] for i in point_order),
        prob_ranking_change=ranking_change, pairwise=pairwise, draw_seconds=draw_seconds,
        eval_seconds=eval_seconds, groups=pd.DataFrame(unc.describe()), ess=unc.ess)


def plot_uncertainty(
    result: UncertaintyResult,
    *,
    ax: Axes | None = None,
    kind: Literal["violin", "hist"] = "violin",
    bins: int = 40,
) -> Axes:
    """The distribution of :math:`P(T = t \\mid e)` over the draws, per scenario.

    ``kind="violin"``: one violin per scenario with the point value marked (x) and the
    outer quantiles as ticks; ``"hist"``: overlaid histograms. Returns the axes.
    """
    import matplotlib.pyplot as plt

    if kind not in ("violin", "hist"):
        raise AnalysisError(f"kind must be 'violin' or 'hist', not {kind!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    sids = list(result.scenarios)
    t_idx = result.states[result.target].index(result.target_state)
    label = f"P({result.target}={result.target_state} | scenario)"
    if kind == "violin":
        data = [result.p_target[s] for s in sids]
        pos = np.arange(1, len(sids) + 1)
        ax.violinplot(data, positions=pos, showmedians=True, showextrema=False)
        lo, hi = min(result.levels), max(result.levels)
        for p, d, s in zip(pos, data, sids, strict=True):
            q = np.quantile(d, [lo, hi])
            ax.vlines(p, q[0], q[1], color="k", lw=1)
            ax.plot([p], [result.point[s][result.target][t_idx]], "kx")
        ax.set_xticks(pos)
        ax.set_xticklabels(sids)
        ax.set_ylabel(label)
        ax.set_ylim(0, 1)
    else:
        edges = np.linspace(0, 1, bins + 1)
        for s in sids:
            ax.hist(result.p_target[s], bins=list(edges), alpha=0.5, label=s, density=True)
            ax.axvline(result.point[s][result.target][t_idx], color="k", lw=0.8, ls="--")
        ax.set_xlabel(label)
        ax.set_ylabel("density")
        ax.legend(title="scenario", fontsize="small")
    ax.set_title(f"Uncertainty of {result.target}={result.target_state}: {result.n} draws")
    return ax
