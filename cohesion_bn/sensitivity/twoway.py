r"""Two-way parameter sensitivity: the strongest interactions between pairs of CPT entries.

Following Ballester-Ripoll & Leonelli (2023, YODO), for two entries :math:`x` and
:math:`y` in *different* columns (each with its column co-varied, see :mod:`.oneway`),
every joint probability is bilinear in :math:`(x, y)` (the network polynomial is linear in
each column), so the target is a *bilinear-fractional* function (Coupé & van der Gaag
2002; Chan & Darwiche 2004)

.. math::

    f(x, y) = \frac{n_{00} + n_{10} x + n_{01} y + n_{11} x y}
                   {d_{00} + d_{10} x + d_{01} y + d_{11} x y}.

**How the coefficients are obtained.** The gradient of a joint :math:`N` with respect to
column :math:`j`, :math:`g_j`, is itself affine in column :math:`i`, hence affine in
:math:`x`. One *batched* engine call evaluates the gradient with column :math:`i` set to
its co-varied value at :math:`x = 0` and at :math:`x = 1`, for every one of the ``k``
candidate entries at once (a batch of :math:`2k` parameter sets). With
:math:`\theta_j(y) = \alpha_j + \beta_j y` the co-variation map of entry :math:`y`,

.. math::

    N(x, y) = N(x, y_0^{\text{col}}) + g_j(x) \cdot (\alpha_j + \beta_j y - \theta_j),
    \qquad g_j(x) = g_j(0) + x\,(g_j(1) - g_j(0)),

exactly (no finite differences: the maps are affine). The same for the denominator
:math:`P(e)` (or :math:`P(t', e)` for a ratio).

**Ranking.** ``interaction`` is the mixed derivative :math:`\partial^2 f / \partial x
\partial y` at :math:`(x_0, y_0)` (by the quotient rule on the bilinear forms);
``nonadditivity`` is :math:`\max |f(x, y) - f(x, y_0) - f(x_0, y) + f(x_0, y_0)|` over a
grid on the domain :math:`[0, 1]^2` -- how far the joint effect departs from the sum of
the two one-way effects. Pairs are formed among the top-``k`` entries of the one-way
analysis (by :math:`|f'(x_0)|`), as is usual (YODO ranks all pairs; a top-k filter keeps
the batch small). Proportional and uniform co-variation are supported (order-preserving
is piecewise and is refused).

References
----------
- R. Ballester-Ripoll, M. Leonelli (2023). The YODO algorithm: an efficient computational
  framework for sensitivity analysis in Bayesian networks. *IJAR* 159:108929.
- V. M. H. Coupé, L. C. van der Gaag (2002). Properties of sensitivity analysis of
  Bayesian belief networks. *Annals of Mathematics and AI* 36:323-356.
- H. Chan, A. Darwiche (2004). Sensitivity analysis in Bayesian networks: from single to
  multiple parameters. *UAI 20*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import AnalysisError
from ._target import EvidenceLike, TargetLike, compile_model
from .oneway import OneWayRow, Scheme, _pieces, _polys
from .oneway import analyze as oneway_analyze

if TYPE_CHECKING:
    import pandas as pd

    from ..engine import CompiledNetwork
    from ..model import Model
    from ._target import Target

__all__ = ["TwoWayPair", "TwoWayResult", "analyze"]

RankBy = Literal["interaction", "nonadditivity"]


@dataclass(frozen=True)
class TwoWayPair:
    """The target as a function of two entries: ``numerator``/``denominator`` are
    ``(c00, c10, c01, c11)``; ``interaction`` the mixed derivative at the current values;
    ``nonadditivity`` the largest departure from additivity over the grid."""

    first: OneWayRow
    second: OneWayRow
    numerator: tuple[float, float, float, float]
    denominator: tuple[float, float, float, float]
    interaction: float
    nonadditivity: float

    def function(self, x: float | np.ndarray, y: float | np.ndarray) -> np.ndarray:
        """:math:`f(x, y)` (broadcasting ``x`` against ``y``)."""
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        n00, n10, n01, n11 = self.numerator
        d00, d10, d01, d11 = self.denominator
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((n00 + n10 * xs + n01 * ys + n11 * xs * ys)
                              / (d00 + d10 * xs + d01 * ys + d11 * xs * ys))

    def to_record(self) -> dict[str, Any]:
        def entry(r: OneWayRow) -> dict[str, Any]:
            return {"node": r.node, "parents": dict(r.parents), "state": r.state,
                    "value": r.value}

        return {"first": entry(self.first), "second": entry(self.second),
                "numerator": list(self.numerator), "denominator": list(self.denominator),
                "interaction": self.interaction, "nonadditivity": self.nonadditivity}


@dataclass(frozen=True)
class TwoWayResult:
    """Pairs of entries ranked by ``by`` (largest first)."""

    target: Target
    scheme: str
    by: str
    pairs: tuple[TwoWayPair, ...]

    def top(self, k: int = 10) -> list[TwoWayPair]:
        return list(self.pairs[:k])

    def to_records(self) -> list[dict[str, Any]]:
        return [p.to_record() for p in self.pairs]

    def to_df(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{
            "first": p.first.label(), "first_value": p.first.value,
            "second": p.second.label(), "second_value": p.second.value,
            "interaction": p.interaction, "nonadditivity": p.nonadditivity,
        } for p in self.pairs], columns=["first", "first_value", "second", "second_value",
                                         "interaction", "nonadditivity"])


def _column_key(r: OneWayRow) -> tuple[str, tuple[tuple[str, str], ...]]:
    return r.node, tuple(r.parents.items())


def _mixed(n: np.ndarray, d: np.ndarray, x0: float, y0: float) -> float:
    """:math:`\\partial^2 (N/D) / \\partial x \\partial y` at ``(x0, y0)``."""
    def parts(c: np.ndarray) -> tuple[float, float, float, float]:
        v = c[0] + c[1] * x0 + c[2] * y0 + c[3] * x0 * y0
        return v, c[1] + c[3] * y0, c[2] + c[3] * x0, c[3]

    N, Nx, Ny, Nxy = parts(n)
    D, Dx, Dy, Dxy = parts(d)
    return float((Nxy * D * D - Nx * Dy * D - Ny * Dx * D - N * Dxy * D + 2 * N * Dx * Dy)
                 / D**3)


def analyze(
    model: Model,
    target: TargetLike,
    *,
    evidence: EvidenceLike = None,
    likelihood: Mapping[str, Sequence[float] | Mapping[str, float]] | None = None,
    denominator: TargetLike | None = None,
    scheme: Scheme = "proportional",
    k: int = 20,
    by: RankBy = "interaction",
    grid: int = 21,
    network: CompiledNetwork | None = None,
) -> TwoWayResult:
    """The pairs among the top-``k`` one-way entries, ranked by ``by``.

    ``by``: ``"interaction"`` (|mixed derivative| at the current values) or
    ``"nonadditivity"`` (max departure from additivity on a ``grid`` x ``grid`` grid of
    the domain). Other arguments as for :func:`.oneway.analyze`. Costs one one-way sweep
    plus one batched gradient sweep of ``2k`` parameter sets.
    """
    if scheme not in ("proportional", "uniform"):
        raise AnalysisError(f"two-way analysis supports proportional and uniform "
                            f"co-variation, not {scheme!r}")
    if by not in ("interaction", "nonadditivity"):
        raise AnalysisError(f"by must be 'interaction' or 'nonadditivity', not {by!r}")
    if k < 2:
        raise AnalysisError(f"k must be >= 2 to form pairs, not {k}")
    if grid < 2:
        raise AnalysisError(f"grid must be >= 2, not {grid}")
    cn = network if network is not None else compile_model(model)
    one = oneway_analyze(model, target, evidence=evidence, likelihood=likelihood,
                         denominator=denominator, scheme=scheme, network=cn)
    tgt = one.target
    rows = one.top(k)
    b = 2 * len(rows)
    cpts = cn.cpts
    states = cn.states
    batched: dict[str, np.ndarray] = {}
    maps: list[tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]] = []
    for r_i, row in enumerate(rows):
        cpt = np.asarray(cpts[row.node], dtype=float)
        idx = tuple(states[p].index(s) for p, s in row.parents.items())
        j = states[row.node].index(row.state)
        col_key: tuple[Any, ...] = (slice(None), *idx)
        col = cpt[col_key]
        pc = _pieces(col[:, None], scheme)
        alpha, beta = pc.alpha[0][j, :, 0], pc.beta[0][j, :, 0]
        maps.append((alpha, beta, col, idx))
        if row.node not in batched:
            batched[row.node] = np.repeat(cpt[None], b, axis=0)
        for e, x in ((0, 0.0), (1, 1.0)):
            at: tuple[Any, ...] = (2 * r_i + e, slice(None), *idx)
            batched[row.node][at] = alpha + beta * x
    polys = _polys(cn, tgt, params=cn.parameters(batched))
    pairs: list[TwoWayPair] = []
    g = np.linspace(0.0, 1.0, grid)
    for i, ri in enumerate(rows):
        for j in range(i + 1, len(rows)):
            rj = rows[j]
            if _column_key(ri) == _column_key(rj):
                continue
            pair_n = np.zeros(4)
            pair_d = np.zeros(4)
            for out, base, grads in ((pair_n, polys.num, polys.g_num),
                                     (pair_d, polys.den, polys.g_den)):
                alpha_j, beta_j, col_j, idx_j = maps[j]
                at0: tuple[Any, ...] = (2 * i, slice(None), *idx_j)
                at1: tuple[Any, ...] = (2 * i + 1, slice(None), *idx_j)
                gj0, gj1 = grads[rj.node][at0], grads[rj.node][at1]
                p, q = gj0, gj1 - gj0
                gamma = alpha_j - col_j
                n0, n1 = base[2 * i], base[2 * i + 1]
                out[:] = (n0 + p @ gamma, n1 - n0 + q @ gamma, p @ beta_j, q @ beta_j)
            x0, y0 = ri.value, rj.value
            mixed = _mixed(pair_n, pair_d, x0, y0)
            pr = TwoWayPair(ri, rj, tuple(pair_n.tolist()), tuple(pair_d.tolist()),  # type: ignore[arg-type]
                            mixed, 0.0)
            xx, yy = np.meshgrid(np.r_[g, x0], np.r_[g, y0], indexing="ij")
            f = pr.function(xx, yy)
            dev = f - f[:, -1:] - f[-1:, :] + f[-1, -1]
            dens = pair_d[0] + pair_d[1] * xx + pair_d[2] * yy + pair_d[3] * xx * yy
            dev = np.where(dens > 1e-9 * abs(float(polys.p_evidence[0])), dev, np.nan)
            nonadd = float(np.nanmax(np.abs(dev))) if np.isfinite(dev).any() else 0.0
            pairs.append(TwoWayPair(ri, rj, pr.numerator, pr.denominator, mixed, nonadd))
    key = (lambda p: -abs(p.interaction)) if by == "interaction" else (
        lambda p: -p.nonadditivity)
    pairs.sort(key=key)
    return TwoWayResult(tgt, scheme, by, tuple(pairs))
