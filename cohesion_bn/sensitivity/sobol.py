r"""Sobol' indices of a query over groups of uncertain CPT parameters (SALib).

For an output :math:`Y = P(T = t \mid e; \theta)` and independent groups of inputs
:math:`\theta_1, \dots, \theta_G`, the first-order and total Sobol' indices of group
:math:`g` are (Sobol' 2001; Saltelli et al. 2008)

.. math::

    S_g = \frac{\mathrm{Var}(\mathrm{E}[Y \mid \theta_g])}{\mathrm{Var}(Y)}, \qquad
    S_{T,g} = \frac{\mathrm{E}[\mathrm{Var}(Y \mid \theta_{\sim g})]}{\mathrm{Var}(Y)}:

the share of the output's variance that :math:`\theta_g` explains alone, and the share
it takes part in, interactions included (:math:`S_{T,g} - S_g` is its share of
interactions). They are estimated with Saltelli's design (Saltelli 2002): two
independent matrices :math:`A, B` of :math:`N` quasi-random points (a scrambled Sobol'
sequence) and, per group, :math:`A_B^{(g)}` (:math:`A` with group :math:`g` taken from
:math:`B`), so :math:`N (G + 2)` evaluations, and the estimators of Saltelli et al. (2010)
as implemented in SALib (Herman & Usher 2017): :math:`S_g \approx \frac1N \sum_j
f(B)_j (f(A_B^{(g)})_j - f(A)_j) / \mathrm{Var}(Y)` and Jansen's :math:`S_{T,g} \approx
\frac1{2N} \sum_j (f(A)_j - f(A_B^{(g)})_j)^2 / \mathrm{Var}(Y)`, with bootstrap
confidence intervals (SALib, ``num_resamples``, ``conf_level``).

**Inputs.** SALib works on the unit hypercube; each group maps its uniforms to its
distribution (:meth:`._draws.Uncertainty.from_uniform`):

- ``inputs="columns"``: every uncertain CPT column :math:`\theta_{\cdot|u} \sim
  \mathrm{Dir}(\alpha)` is one group; its inputs :math:`u_x` become
  :math:`G_x = F^{-1}_{\mathrm{Gamma}(\alpha_x)}(u_x)` (``scipy.special.gammaincinv``),
  normalised, :math:`\theta_x = G_x / \sum_y G_y`, which is exactly Dirichlet when the
  :math:`u_x` are independent uniforms. The entries of a column are dependent (they sum to
  one), so the indices of single entries are not defined as Sobol' indices of independent
  inputs; columns are independent of each other, so a column is the natural group.
  Ballester-Ripoll & Leonelli (2025) treat the case of one uncertain entry per column,
  the rest co-varying proportionally, where each input is a single independent number and
  per-parameter indices are exact; whole columns as groups is the general case;
- ``inputs="ranked"``: each ranked node (or case of one) is a group whose inputs are its
  weights (or ``mix``) and its variance, mapped by their inverse CDFs (log-normal around
  the model's values with log-sd ``ranked_sd`` unless the model file says otherwise), the
  table rebuilt with :func:`cohesion_bn.cpt.ranked.ranked_table` (once per distinct value:
  :math:`2N` tables per group, since :math:`A_B^{(g)}` reuses :math:`A`'s and :math:`B`'s);
- ``inputs="all"``: ranked nodes through their parameters, every other CPT by columns.

**Evaluation.** The design is the one ``SALib.sample.sobol.sample(problem, N,
calc_second_order=False)`` builds (the same scrambled Sobol' base sequence of dimension
:math:`2D`, the same row order: per base point :math:`A`, :math:`A_B^{(1..G)}`, :math:`B`),
but assembled directly as batched CPTs: each group's parameters are computed for
:math:`A` and :math:`B` only, and the :math:`A_B^{(g)}` rows copy :math:`A`'s CPTs with
group :math:`g`'s region taken from :math:`B`. All rows are evaluated by the batched
engine, in as few calls as memory allows (``max_bytes``), one per scenario.

**Convergence.** The indices are also computed from the first :math:`N/2` base points
(a valid Saltelli design of half the size); the result reports the largest change of any
:math:`S_g` or :math:`S_{T,g}` between :math:`N/2` and :math:`N`, and ``converged`` when it
is at most ``tolerance`` (default 0.05, in index units).

Groups that cannot affect the query (CPTs of nodes that are not ancestors of the target
or the evidence; columns for parent states the evidence rules out) get indices of
(numerically) zero.

References
----------
- I. M. Sobol' (2001). Global sensitivity indices for nonlinear mathematical models and
  their Monte Carlo estimates. *Mathematics and Computers in Simulation* 55:271-280.
- A. Saltelli (2002). Making best use of model evaluations to compute sensitivity
  indices. *Computer Physics Communications* 145(2):280-297.
- A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010).
  Variance based sensitivity analysis of model output. Design and estimator for the total
  sensitivity index. *Computer Physics Communications* 181(2):259-270.
- A. Saltelli et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley.
- J. Herman, W. Usher (2017). SALib: An open-source Python library for sensitivity
  analysis. *Journal of Open Source Software* 2(9):97.
- R. Ballester-Ripoll, M. Leonelli (2025). Global sensitivity analysis of uncertain
  parameters in Bayesian networks. arXiv:2406.05764.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import AnalysisError
from ..random import SeedLike, handle_seed
from ._draws import (
    DEFAULT_RANKED_SD,
    ColumnGroup,
    Uncertainty,
    read_uncertainty,
    resolve_scenarios,
    resolve_target,
)
from ._target import EvidenceLike, compile_model

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..model import Model

__all__ = ["SobolResult", "analyze", "plot_sobol", "saltelli_blocks"]

Inputs = Literal["columns", "ranked", "all"]


@dataclass(frozen=True)
class SobolResult:
    """Sobol' indices per scenario and group, with bootstrap intervals and a convergence check.

    ``table`` has one row per (scenario, group): ``node``, ``kind`` (dirichlet/ranked),
    ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (half-widths of the ``conf_level``
    intervals), ``S1_half``, ``ST_half`` (the same indices from the first N/2 points).
    ``converged[scenario]`` is whether every index moved by at most ``tolerance``
    between N/2 and N; ``max_change[scenario]`` the largest move. ``mean`` and
    ``variance`` describe the output per scenario (a variance of ~0 makes every index 0).
    """

    target: str
    target_state: str
    inputs: str
    n: int
    n_groups: int
    n_inputs: int
    n_evaluations: int
    scenarios: tuple[str, ...]
    evidence: Mapping[str, Mapping[str, str]]
    table: pd.DataFrame
    converged: Mapping[str, bool]
    max_change: Mapping[str, float]
    tolerance: float
    conf_level: float
    mean: Mapping[str, float]
    variance: Mapping[str, float]
    eval_seconds: float
    outputs: Mapping[str, np.ndarray]

    def to_df(self) -> pd.DataFrame:
        """The indices, sorted by scenario then total index (descending)."""
        return self.table.copy()

    def convergence(self) -> pd.DataFrame:
        """Per scenario: N, the largest change from N/2 to N, the tolerance, converged."""
        return pd.DataFrame({"n": self.n, "max_change": pd.Series(self.max_change),
                             "tolerance": self.tolerance,
                             "converged": pd.Series(self.converged)})


def saltelli_blocks(
    unc: Uncertainty, base: np.ndarray, block: int
) -> Iterator[tuple[int, int, dict[str, np.ndarray]]]:
    """Batched CPTs of Saltelli's design, ``block`` base points at a time.

    ``base`` is the ``(N, 2D)`` base sequence (``A = base[:, :D]``, ``B = base[:, D:]``).
    Yields ``(i0, i1, cpts)`` with ``cpts[node]`` of shape ``(n, *parent_cards, (i1 - i0)
    * (G + 2))``, rows in SALib's order (per base point: A, A_B^(1..G), B).
    """
    d = unc.n_inputs
    g_count = len(unc.groups)
    for i0 in range(0, base.shape[0], block):
        i1 = min(i0 + block, base.shape[0])
        k = i1 - i0
        pa = unc.from_uniform(base[i0:i1, :d])
        pb = unc.from_uniform(base[i0:i1, d:])
        out: dict[str, np.ndarray] = {}
        for node, a in pa.items():
            arr = np.repeat(a[..., None], g_count + 2, axis=-1)  # (n, *pc, k, G+2)
            arr[..., g_count + 1] = pb[node]
            out[node] = arr
        for j, grp in enumerate(unc.groups):
            out[grp.node][(*grp.region, slice(None), j + 1)] = pb[grp.node][
                (*grp.region, slice(None))]
        yield i0, i1, {node: arr.reshape(*arr.shape[:-2], k * (g_count + 2))
                       for node, arr in out.items()}


def _salib(problem: dict[str, Any], y: np.ndarray, *, num_resamples: int,
           conf_level: float, seed: int) -> dict[str, np.ndarray]:
    from SALib.analyze import sobol as sobol_analyze

    if not np.ptp(y) > 1e-14:
        g = len(dict.fromkeys(problem["groups"]))
        z = np.zeros(g)
        return {"S1": z, "S1_conf": z, "ST": z, "ST_conf": z}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                   num_resamples=num_resamples, conf_level=conf_level,
                                   print_to_console=False, seed=seed)
    return {k: np.asarray(si[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}


def analyze(
    model: Model,
    target: str = "cohesion",
    *,
    inputs: Inputs = "columns",
    n: int = 256,
    scenarios: Sequence[str] | None = None,
    evidence: EvidenceLike = None,
    ess: float | None = None,
    ranked_sd: float = DEFAULT_RANKED_SD,
    nodes: Sequence[str] | None = None,
    seed: SeedLike = None,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    tolerance: float = 0.05,
    dtype: npt.DTypeLike = np.float64,
    max_bytes: int = 1 << 28,
) -> SobolResult:
    """First-order and total Sobol' indices of :math:`P(T = t \\mid e)` per group of inputs.

    ``target``: ``"NODE=STATE"`` (a bare ``NODE`` means its first state). ``inputs``:
    ``"columns"`` (one group per uncertain CPT column), ``"ranked"`` (one group per ranked
    node, its weights and variance) or ``"all"`` (see the module docstring). ``n``: base
    points of the Saltelli design, a power of two >= 4 (``n * (G + 2)`` evaluations per
    scenario). ``scenarios`` / ``evidence``: as in :func:`.findings.analyze`. ``ess``,
    ``ranked_sd``, ``nodes``: which parameters are uncertain
    (:func:`._draws.read_uncertainty`). ``seed`` fixes the scrambling and the bootstrap.
    ``num_resamples``, ``conf_level``: SALib's bootstrap. ``tolerance``: the
    convergence criterion. ``max_bytes``: memory for one batch of CPTs.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 4 or n & (n - 1):
        hint = 2 ** max(2, round(math.log2(max(int(n), 1))))
        raise AnalysisError(f"n must be a power of two >= 4 (Sobol' sequences are balanced "
                            f"only then), not {n!r}; e.g. {hint}")
    if inputs not in ("columns", "ranked", "all"):
        raise AnalysisError(f"inputs must be 'columns', 'ranked' or 'all', not {inputs!r}")
    if not (0 < conf_level < 1):
        raise AnalysisError(f"conf_level must be in (0, 1), not {conf_level!r}")
    if not (tolerance > 0):
        raise AnalysisError(f"tolerance must be > 0, not {tolerance!r}")
    tnode, tstate = resolve_target(model, target, need_state=True)
    assert tstate is not None
    t_idx = model.states(tnode).index(tstate)
    cases = resolve_scenarios(model, scenarios, evidence)
    chosen = nodes
    if inputs == "ranked" and nodes is None:
        chosen = [x for x in model.nodes if model.spec.node(x).cpt.method == "ranked"]
        if not chosen:
            raise AnalysisError("inputs='ranked': the model has no ranked node")
    unc = read_uncertainty(model, ess=ess,
                           ranked="columns" if inputs == "columns" else "parameters",
                           ranked_sd=ranked_sd, nodes=chosen)
    if inputs == "ranked" and unc.ess is None:
        # a model with some file uncertainty fixes the rest; ranked inputs still need one
        unc = read_uncertainty(model, ess=1.0, ranked="parameters", ranked_sd=ranked_sd,
                               nodes=chosen)
    if inputs == "ranked":
        unc = Uncertainty(unc.model, tuple(g for g in unc.groups
                                           if not isinstance(g, ColumnGroup)), unc.ess)
    if not unc.groups:
        raise AnalysisError("no uncertain parameters to analyse (no uncertainty: in the model "
                            "and no ess=, or nodes= names no uncertain CPT)")
    g_count = len(unc.groups)
    d = unc.n_inputs
    rng = handle_seed(seed)
    from scipy.stats import qmc

    base = qmc.Sobol(d=2 * d, scramble=True, seed=rng).random(int(n))
    boot_seed = int(rng.integers(1, 2**31 - 1))
    net = compile_model(model)
    per_point = 8 * (g_count + 2) * sum(model.cpt(x).size for x in unc.nodes)
    block = max(1, min(int(n), max_bytes // max(per_point, 1)))
    rows = int(n) * (g_count + 2)
    y = {sid: np.empty(rows) for sid, _ in cases}
    t0 = time.perf_counter()
    for i0, i1, cpts in saltelli_blocks(unc, base, block):
        ps = net.parameters(cpts, batch_last=True, dtype=dtype, validate=False)
        r0, r1 = i0 * (g_count + 2), i1 * (g_count + 2)
        for sid, ev in cases:
            post = net.query(tnode, evidence=ev, params=ps)
            y[sid][r0:r1] = post.marginals[tnode][:, t_idx]
    eval_seconds = time.perf_counter() - t0

    names = unc.input_names()
    groups = unc.input_groups()
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d, "groups": groups}
    half_rows = (int(n) // 2) * (g_count + 2)
    kind = ["dirichlet" if isinstance(g, ColumnGroup) else "ranked" for g in unc.groups]
    frames = []
    converged: dict[str, bool] = {}
    change: dict[str, float] = {}
    for sid, _ in cases:
        full = _salib(problem, y[sid], num_resamples=num_resamples, conf_level=conf_level,
                      seed=boot_seed)
        half = _salib(problem, y[sid][:half_rows], num_resamples=num_resamples,
                      conf_level=conf_level, seed=boot_seed)
        df = pd.DataFrame({
            "scenario": sid, "group": [g.name for g in unc.groups],
            "node": [g.node for g in unc.groups], "kind": kind,
            "S1": full["S1"], "S1_conf": full["S1_conf"], "ST": full["ST"],
            "ST_conf": full["ST_conf"], "S1_half": half["S1"], "ST_half": half["ST"]})
        frames.append(df.sort_values("ST", ascending=False, kind="stable"))
        delta = max(float(np.max(np.abs(full["S1"] - half["S1"]))),
                    float(np.max(np.abs(full["ST"] - half["ST"]))))
        change[sid] = delta
        converged[sid] = delta <= tolerance
    table = pd.concat(frames, ignore_index=True)
    return SobolResult(
        target=tnode, target_state=tstate, inputs=inputs, n=int(n), n_groups=g_count,
        n_inputs=d, n_evaluations=rows * len(cases), scenarios=tuple(s for s, _ in cases),
        evidence={s: e for s, e in cases}, table=table, converged=converged,
        max_change=change, tolerance=float(tolerance), conf_level=float(conf_level),
        mean={s: float(v.mean()) for s, v in y.items()},
        variance={s: float(v.var()) for s, v in y.items()}, eval_seconds=eval_seconds,
        outputs=y)


def plot_sobol(
    result: SobolResult,
    *,
    ax: Axes | None = None,
    scenario: str | None = None,
    top: int = 15,
) -> Axes:
    """Bars of S1 and ST (with their confidence intervals) for the ``top`` groups by ST.

    One scenario (default: the first). Returns the axes.
    """
    import matplotlib.pyplot as plt

    sid = result.scenarios[0] if scenario is None else scenario
    if sid not in result.scenarios:
        raise AnalysisError(f"no scenario {sid!r} in this result; it has "
                            f"{', '.join(result.scenarios)}")
    df = result.table[result.table["scenario"] == sid].head(top).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(df) + 1.2))
    y = np.arange(len(df))
    h = 0.4
    ax.barh(y - h / 2, df["S1"], height=h, xerr=df["S1_conf"], label="first order S1",
            capsize=2)
    ax.barh(y + h / 2, df["ST"], height=h, xerr=df["ST_conf"], label="total ST", capsize=2)
    ax.set_yticks(y)
    ax.set_yticklabels(list(df["group"]), fontsize="small")
    ax.set_xlabel(f"Sobol' index ({100 * result.conf_level:g}% bootstrap interval)")
    conv = "converged" if result.converged[sid] else "NOT converged"
    ax.set_title(f"P({result.target}={result.target_state}) in {sid}: N={result.n}, {conv}")
    ax.legend(fontsize="small")
    return ax
