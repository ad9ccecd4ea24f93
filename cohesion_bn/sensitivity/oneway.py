r"""One-way parameter sensitivity: every CPT entry, from one forward and one backward sweep.

The query is :math:`P(t \mid e)` -- or a ratio :math:`P(t \mid e) / P(t' \mid e)` under the
same evidence -- and the parameter is one CPT entry :math:`x = \theta_{x_j \mid u}`. When
:math:`x` changes, the other entries of its column :math:`\theta_{\cdot \mid u}` are
*co-varied* so that the column still sums to one.

The maths
---------
**Linearity in a column.** Every term of the network polynomial
:math:`f(\lambda, \theta) = \sum_{\mathbf x} \prod \lambda \prod \theta` contains exactly
one entry of node :math:`X`'s CPT, so for one column :math:`u` and any joint query
:math:`N \in \{P(t, e), P(e)\}` (Darwiche 2003)

.. math::

    N(\theta') = N(\theta) + \sum_i g_i \, (\theta'_i - \theta_i),
    \qquad g_i = \partial N / \partial \theta_{x_i \mid u},

*exactly*, for any new column :math:`\theta'` (the other columns unchanged). The engine's
reverse sweep (:meth:`cohesion_bn.engine.CompiledNetwork.gradient`) gives every
:math:`g_i` of every column at once.

**Co-variation.** Each scheme maps :math:`x` to a new column that is affine in :math:`x`
(on each of at most two pieces), :math:`\theta'(x) = \alpha + \beta x`. Then
:math:`N(x) = a x + b` with :math:`a = g \cdot \beta` and
:math:`b = N(\theta) + g \cdot (\alpha - \theta)`. With :math:`N = P(t, e)` giving
:math:`(a, b)` and the denominator :math:`D = P(e)` (or :math:`P(t', e)` for a ratio)
giving :math:`(c, d)`, the *sensitivity function* is (Castillo, Gutiérrez & Hadi 1997;
Coupé & van der Gaag 2002)

.. math::

    P(t \mid e)(x) = \frac{a x + b}{c x + d}, \qquad c x + d = P(e)(x).

The schemes (Renooij 2014, as in R's ``bnmonitor``), for a column of :math:`n` entries
with :math:`x_0 = \theta_j`:

- ``"proportional"`` (the default; Laskey 1995, Chan & Darwiche 2002): the others keep
  their proportions, :math:`\theta'_i = \theta_i (1 - x) / (1 - x_0)`; domain [0, 1].
  When :math:`x_0 = 1` the others are 0 and have no proportions; they then share
  :math:`1 - x` equally (as ``"uniform"``).
- ``"uniform"``: the others are all set to :math:`(1 - x) / (n - 1)`; domain [0, 1].
  Unless they were equal already, the co-varied column differs from the original even at
  :math:`x = x_0`, so the function need not pass through the original posterior (Renooij
  2014 discusses this); the sensitivity value is still :math:`f'(x_0)`.
- ``"order_preserving"``: the order of the column's entries is kept. With the entries
  ranked from smallest (ties broken by table order) and :math:`x_0` of rank :math:`s`,
  :math:`x` ranges over :math:`[0, x_T]`, :math:`x_T = 1/(n - s + 1)` (where it and every
  larger entry are equal). Below :math:`x_0`, smaller entries scale with :math:`x/x_0`
  and larger ones take up the rest in proportion; above, smaller entries shrink linearly
  to 0 at :math:`x_T` and larger ones move linearly to :math:`x_T`. The function is
  therefore linear-fractional on :math:`[0, x_0]` and on :math:`[x_0, x_T]` separately.
  The largest entry of a column cannot be varied this way and gets no row.

**Sensitivity value** (Laskey 1995): :math:`f'(x_0) = (a d - b c)/(c x_0 + d)^2`. For the
order-preserving scheme the row's ``coefficients`` and ``derivative`` are those of the
piece above :math:`x_0` (the piece below when the upper piece is a single point); the
piece below is in ``coefficients_below``.

**Vertex proximity** (van der Gaag, Renooij & Coupé 2007). Unless :math:`c = 0` (then
:math:`f` is linear), :math:`f(x) = r/(x - s) + t` is a rectangular hyperbola with vertical
asymptote :math:`s = -d/c`, horizontal asymptote :math:`t = a/c` and
:math:`r = (bc - ad)/c^2`. Its *vertex* -- where :math:`|f'| = 1` on the branch over the
domain -- is :math:`x_v = s + \sqrt{|r|}` if :math:`s < 0` and :math:`s - \sqrt{|r|}` if
:math:`s > 1`. A parameter close to the vertex (small ``vertex_distance``
:math:`|x_0 - x_v|`) can change the output a lot for a small change.

**Admissible deviation** (van der Gaag & Renooij 2001). The target node's most likely
state :math:`m` (under the original model) keeps that place while
:math:`P(m, e)(x) \ge P(s, e)(x)` for every state :math:`s`; all share the denominator
:math:`P(e)(x)`, so each condition is a *linear* inequality
:math:`(a_s - a_m) x + (b_s - b_m) \le 0` and their intersection is an interval, solved
exactly (no root finding). ``admissible`` is that interval as **values of x**,
``(lo, hi)``: x can go down to ``lo`` and up to ``hi`` with the most likely state
unchanged (at ``lo``/``hi`` another state ties with it). ``None`` for a side means no
bound within the scheme's domain ([0, 1]; [0, :math:`x_T`] for order-preserving). The
*deviations* are ``x0 - lo`` and ``hi - x0`` (columns ``dev_down``/``dev_up`` of
:meth:`OneWayResult.to_df`, NaN when unbounded). If the most likely state is already
another one at :math:`x_0` (possible only under uniform co-variation), ``lo = hi = x0``.
For a ratio target the most likely state is that of the numerator's node.

Cost: one forward and one backward sweep (two for a ratio over another node), then
:math:`O(n^2)` arithmetic per CPT entry (:math:`n` = states of its node). Nodes with a
single state have nothing to vary and get no rows.

References
----------
- H. Chan, A. Darwiche (2002). When do numbers really matter? *JAIR* 17:265-287.
- S. Renooij (2014). Co-variation for sensitivity analysis in Bayesian networks:
  properties, consequences and alternatives. *IJAR* 55(4):1022-1042.
- K. B. Laskey (1995). Sensitivity analysis for probability assessments in Bayesian
  networks. *IEEE Trans. SMC* 25(6):901-909.
- E. Castillo, J. M. Gutiérrez, A. S. Hadi (1997). Sensitivity analysis in discrete
  Bayesian networks. *IEEE Trans. SMC-A* 27(4):412-423.
- V. M. H. Coupé, L. C. van der Gaag (2002). Properties of sensitivity analysis of
  Bayesian belief networks. *Annals of Mathematics and AI* 36:323-356.
- L. C. van der Gaag, S. Renooij (2001). Analysing sensitivity data from probabilistic
  networks. *UAI 17*, 530-537.
- L. C. van der Gaag, S. Renooij, V. M. H. Coupé (2007). Sensitivity analysis of
  probabilistic networks. In *Advances in Probabilistic Graphical Models*, Springer,
  103-124.
- A. Darwiche (2003). A differential approach to inference in Bayesian networks.
  *JACM* 50(3):280-305.
- M. Leonelli, R. Ballester-Ripoll et al., R package ``bnmonitor`` (co-variation schemes).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import AnalysisError, ImpossibleEvidenceError
from ._target import EvidenceLike, Target, TargetLike, compile_model, parse_target

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..engine import CompiledNetwork, ParameterSet
    from ..model import Model

__all__ = [
    "SCHEMES",
    "OneWayResult",
    "OneWayRow",
    "Scheme",
    "analyze",
    "analyze_scenarios",
    "covary",
    "plot_tornado",
    "plot_tornado_scenarios",
]

Scheme = Literal["proportional", "uniform", "order_preserving"]
#: The co-variation schemes (Renooij 2014).
SCHEMES: tuple[str, ...] = ("proportional", "uniform", "order_preserving")

_TINY = 1e-12


# --------------------------------------------------------------------------------------
# Co-variation
# --------------------------------------------------------------------------------------


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise AnalysisError(f"unknown co-variation scheme {scheme!r}; allowed: "
                            f"{', '.join(SCHEMES)}")


@dataclass(frozen=True)
class _Pieces:
    """Affine co-variation maps of every entry of every column of one CPT.

    For piece ``p``: varying entry ``j`` of column ``col`` to ``x`` gives the column
    ``alpha[p][j, :, col] + beta[p][j, :, col] * x`` on ``[lo[p][j, col], hi[p][j, col]]``.
    ``valid[j, col]`` is False for entries the scheme cannot vary.
    """

    alpha: list[np.ndarray]  # (n_j, n_i, m)
    beta: list[np.ndarray]
    lo: list[np.ndarray]  # (n_j, m)
    hi: list[np.ndarray]
    valid: np.ndarray  # (n_j, m) bool


def _pieces(theta: np.ndarray, scheme: str) -> _Pieces:
    """Co-variation maps for a CPT flattened to ``(n, m)`` (``m`` columns)."""
    n, m = theta.shape
    eye = np.eye(n)[:, :, None]  # (j, i, 1)
    others = 1.0 - eye
    x0 = theta[:, None, :]  # (j, 1, m): the varied entry's value, per j
    th = theta[None, :, :]  # (1, i, m)
    zeros = np.zeros((n, m))
    ones = np.ones((n, m))
    unif_alpha = others / max(n - 1, 1) + 0.0 * th
    unif_beta = eye - others / max(n - 1, 1) + 0.0 * th
    if scheme == "uniform":
        return _Pieces([unif_alpha], [unif_beta], [zeros], [ones], np.ones((n, m), bool))
    if scheme == "proportional":
        rest = 1.0 - x0
        degenerate = rest <= _TINY
        safe = np.where(degenerate, 1.0, rest)
        alpha = np.where(degenerate, unif_alpha, others * th / safe)
        beta = np.where(degenerate, unif_beta, eye - others * th / safe)
        return _Pieces([alpha], [beta], [zeros], [ones], np.ones((n, m), bool))
    # order-preserving (Renooij 2014; bnmonitor's orderp_covar)
    order = np.argsort(theta, axis=0, kind="stable")  # smallest first, ties by table order
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(n)[:, None].repeat(m, axis=1), axis=0)
    rank = rank + 1  # 1-based, (n, m)
    s = rank[:, None, :]  # rank of j
    r = rank[None, :, :]  # rank of i
    smaller = (r < s).astype(float)
    larger = (r > s).astype(float)
    x_t = 1.0 / (1.0 + n - rank)  # (j, m)
    m_t = np.einsum("jim,im->jm", larger, theta)  # sum of the larger entries
    valid = rank < n
    # lower piece: x in [0, x0]
    x0j = theta
    low_ok = (x0j > _TINY) & valid
    sx0 = np.where(low_ok, x0j, 1.0)[:, None, :]
    smt = np.where(m_t > _TINY, m_t, 1.0)[:, None, :]
    a_low = larger * th / smt
    b_low = eye + smaller * th / sx0 - larger * th * (1.0 - smt) / (smt * sx0)
    a_low = np.where(low_ok[:, None, :], a_low, th + 0.0 * eye)
    b_low = np.where(low_ok[:, None, :], b_low, 0.0)
    # upper piece: x in [x0, x_T]
    gap = x_t - x0j
    up_ok = (gap > _TINY) & valid
    sgap = np.where(up_ok, gap, 1.0)[:, None, :]
    xt = x_t[:, None, :]
    a_up = smaller * th * xt / sgap + larger * ((th - xt) * xt / sgap + xt)
    b_up = eye - smaller * th / sgap - larger * (th - xt) / sgap
    a_up = np.where(up_ok[:, None, :], a_up, th + 0.0 * eye)
    b_up = np.where(up_ok[:, None, :], b_up, 0.0)
    return _Pieces([a_low, a_up], [b_low, b_up], [zeros, x0j.copy()],
                   [x0j.copy(), np.where(valid, x_t, x0j)], valid)


def covary(column: Sequence[float] | np.ndarray, index: int, x: float | np.ndarray, *,
           scheme: Scheme = "proportional") -> np.ndarray:
    """The column after setting entry ``index`` to ``x`` with co-variation ``scheme``.

    ``x`` may be an array; the result then has shape ``(*x.shape, n)``. Raises
    :class:`AnalysisError` outside the scheme's domain or for an entry the scheme cannot
    vary (the largest entry, for ``"order_preserving"``).
    """
    _check_scheme(scheme)
    col = np.asarray(column, dtype=float)
    if col.ndim != 1 or col.size < 2:
        raise AnalysisError("covary needs a column of at least two probabilities")
    n = col.size
    if not 0 <= index < n:
        raise AnalysisError(f"index {index} is not an entry of a column of {n}")
    pc = _pieces(col[:, None], scheme)
    if not pc.valid[index, 0]:
        raise AnalysisError(f"the {scheme} scheme cannot vary the largest entry of a column")
    xs = np.asarray(x, dtype=float)
    lo = float(pc.lo[0][index, 0])
    hi = float(pc.hi[-1][index, 0])
    if np.any(xs < lo - 1e-12) or np.any(xs > hi + 1e-12):
        raise AnalysisError(f"x must lie in [{lo:g}, {hi:g}] for the {scheme} scheme")
    out = np.empty((*xs.shape, n))
    for p in range(len(pc.alpha)):
        in_p = (xs >= pc.lo[p][index, 0]) if p else np.ones(xs.shape, bool)
        alpha = pc.alpha[p][index, :, 0]
        beta = pc.beta[p][index, :, 0]
        vals = alpha + beta * xs[..., None]
        out = np.where(in_p[..., None], vals, out)
    return out


# --------------------------------------------------------------------------------------
# The sweep: joint polynomials and their gradients
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Polys:
    """Numerator, denominator and target-node joints with their gradients (batch first).

    ``num``/``den``: ``(B,)``; ``g_num``/``g_den``: ``{node: (B, n, *parent_cards)}``;
    ``states``: ``(B, n_t)`` the joints :math:`P(s, e)` of the numerator node's states and
    ``g_states``: ``{node: (B, n_t, n, *parent_cards)}``.
    """

    num: np.ndarray
    den: np.ndarray
    g_num: dict[str, np.ndarray]
    g_den: dict[str, np.ndarray]
    states: np.ndarray
    g_states: dict[str, np.ndarray]
    p_evidence: np.ndarray


def _polys(cn: CompiledNetwork, target: Target, *,
           params: ParameterSet | Mapping[str, Any] | None = None,
           wrt: Iterable[str] | None = None) -> _Polys:
    kw = target.engine_kwargs()
    wrt_list = None if wrt is None else list(wrt)
    g = cn.gradient(target.node, params=params, wrt=wrt_list, **kw)
    assert g.joint is not None and g.d_joint is not None  # a target was given
    t = target.state_index
    num = g.joint[:, t]
    g_num = {n: a[:, t] for n, a in g.d_joint.items()}
    den_t = target.denominator
    if den_t is None:
        den, g_den = g.p_evidence, g.d_evidence
    elif den_t.node == target.node:
        den = g.joint[:, den_t.state_index]
        g_den = {n: a[:, den_t.state_index] for n, a in g.d_joint.items()}
    else:
        g2 = cn.gradient(den_t.node, params=params, wrt=wrt_list, **kw)
        assert g2.joint is not None and g2.d_joint is not None
        den = g2.joint[:, den_t.state_index]
        g_den = {n: a[:, den_t.state_index] for n, a in g2.d_joint.items()}
    return _Polys(num, den, g_num, g_den, g.joint, g.d_joint, g.p_evidence)


def _check_denominator(polys: _Polys, target: Target) -> None:
    if not np.all(polys.p_evidence > 0):
        raise ImpossibleEvidenceError(
            f"the evidence ({target.describe_evidence()}) has probability 0; no posterior "
            "and no sensitivity function exist")
    if not np.all(polys.den > 0):
        d = target.denominator
        assert d is not None
        raise AnalysisError(f"the ratio's denominator P({d.node}={d.state} | e) is 0")


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


def _opt(v: float) -> float | None:
    return None if not math.isfinite(v) else float(v)


@dataclass(frozen=True)
class OneWayRow:
    """The sensitivity function of the target to one CPT entry (see the module docstring).

    ``value`` is :math:`x_0`; ``coefficients`` ``(a, b, c, d)`` give
    :math:`f(x) = (ax+b)/(cx+d)`; ``derivative`` is :math:`f'(x_0)`; ``admissible``
    ``(lo, hi)`` the admissible range of x (``None``: unbounded in the domain);
    ``domain`` the scheme's range of x; ``asymptote``/``vertex``/``vertex_distance`` the
    hyperbola's vertical asymptote, vertex and :math:`|x_0 - x_v|` (``None`` if linear);
    ``coefficients_below``: the piece below :math:`x_0` (order-preserving only).
    """

    node: str
    parents: Mapping[str, str]
    state: str
    value: float
    derivative: float
    coefficients: tuple[float, float, float, float]
    admissible: tuple[float | None, float | None]
    domain: tuple[float, float]
    asymptote: float | None
    vertex: float | None
    vertex_distance: float | None
    coefficients_below: tuple[float, float, float, float] | None = None

    def function(self, x: float | np.ndarray) -> np.ndarray:
        """:math:`f(x)`, the target as a function of this entry (NaN outside the domain)."""
        xs = np.asarray(x, dtype=float)
        co = np.broadcast_to(np.asarray(self.coefficients, dtype=float), (*xs.shape, 4))
        if self.coefficients_below is not None:
            co = np.where((xs < self.value)[..., None],
                          np.asarray(self.coefficients_below, dtype=float), co)
        a, b, c, d = (co[..., k] for k in range(4))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (a * xs + b) / (c * xs + d)
        inside = (xs >= self.domain[0] - 1e-12) & (xs <= self.domain[1] + 1e-12)
        return np.where(inside, out, np.nan)

    def label(self) -> str:
        given = ", ".join(f"{p}={s}" for p, s in self.parents.items())
        return f"P({self.node}={self.state}" + (f" | {given})" if given else ")")

    def to_record(self) -> dict[str, Any]:
        return {"node": self.node, "parents": dict(self.parents), "state": self.state,
                "value": self.value, "derivative": self.derivative,
                "coefficients": list(self.coefficients),
                "admissible_deviation": list(self.admissible)}


@dataclass(frozen=True)
class OneWayResult:
    """Every CPT entry's sensitivity function for one target query.

    Rows are in model order (node, then parent configuration, then state). ``baseline``
    is the target's value in the original model; ``scheme`` the co-variation scheme.
    """

    target: Target
    scheme: str
    baseline: float
    most_likely: str
    _arrays: Mapping[str, np.ndarray] = field(repr=False)
    _layout: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]], ...] = \
        field(repr=False)
    _valid: np.ndarray = field(repr=False)

    @cached_property
    def _labels(self) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
        """(node, ((parent, state), ...), state) of every row, in row order."""
        out: list[tuple[str, tuple[tuple[str, str], ...], str]] = []
        k = 0
        valid = self._valid
        for node, pars, own in self._layout:
            names = [p for p, _ in pars]
            for combo in itertools.product(*(st for _, st in pars)):
                given = tuple(zip(names, combo, strict=True))
                for state in own:
                    if valid[k]:
                        out.append((node, given, state))
                    k += 1
        return out

    def __len__(self) -> int:
        return int(self._arrays["value"].shape[0])

    @cached_property
    def rows(self) -> list[OneWayRow]:
        a = self._arrays
        out: list[OneWayRow] = []
        below = a.get("coef_below")
        for k, (node, parents, state) in enumerate(self._labels):
            co = tuple(float(v) for v in a["coef"][k])
            cb = None if below is None else tuple(float(v) for v in below[k])
            out.append(OneWayRow(
                node, dict(parents), state, float(a["value"][k]), float(a["derivative"][k]),
                (co[0], co[1], co[2], co[3]),
                (_opt(a["lo"][k]), _opt(a["hi"][k])),
                (float(a["dom_lo"][k]), float(a["dom_hi"][k])),
                _opt(a["asymptote"][k]), _opt(a["vertex"][k]), _opt(a["vertex_distance"][k]),
                None if cb is None else (cb[0], cb[1], cb[2], cb[3])))
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per entry: ``node``, ``parents`` ``{parent: state}``,
        ``state``, ``value``, ``derivative``, ``coefficients`` ``[a, b, c, d]``,
        ``admissible_deviation`` ``[lo, hi]`` (values of x; ``None``: unbounded)."""
        return [r.to_record() for r in self.rows]

    def to_df(self) -> pd.DataFrame:
        """A table, one row per entry, with every field (and ``dev_down``/``dev_up``)."""
        import pandas as pd

        a = self._arrays
        df = pd.DataFrame({
            "node": [lab[0] for lab in self._labels],
            "parents": [", ".join(f"{p}={s}" for p, s in lab[1]) for lab in self._labels],
            "state": [lab[2] for lab in self._labels],
            "value": a["value"], "derivative": a["derivative"],
            "a": a["coef"][:, 0], "b": a["coef"][:, 1], "c": a["coef"][:, 2],
            "d": a["coef"][:, 3],
            "admissible_lo": a["lo"], "admissible_hi": a["hi"],
            "dev_down": a["value"] - a["lo"], "dev_up": a["hi"] - a["value"],
            "asymptote": a["asymptote"], "vertex": a["vertex"],
            "vertex_distance": a["vertex_distance"],
        })
        df.loc[~np.isfinite(df["admissible_lo"]), "admissible_lo"] = np.nan
        df.loc[~np.isfinite(df["admissible_hi"]), "admissible_hi"] = np.nan
        df.loc[~np.isfinite(df["dev_down"]), "dev_down"] = np.nan
        df.loc[~np.isfinite(df["dev_up"]), "dev_up"] = np.nan
        return df

    def order(self) -> np.ndarray:
        """Row indices by decreasing absolute sensitivity value (stable)."""
        return np.argsort(-np.abs(self._arrays["derivative"]), kind="stable")

    def top(self, k: int = 10) -> list[OneWayRow]:
        """The ``k`` rows with the largest absolute sensitivity value :math:`|f'(x_0)|`."""
        if k < 0:
            raise AnalysisError(f"k must be >= 0, not {k}")
        rows = self.rows
        return [rows[i] for i in self.order()[:k]]

    def find(self, node: str, state: str, parents: Mapping[str, str] | None = None
             ) -> OneWayRow:
        """The row of entry ``P(node=state | parents)`` (names exactly as in the model)."""
        want = dict(parents or {})
        for r in self.rows:
            if r.node == node and r.state == state and dict(r.parents) == want:
                return r
        raise AnalysisError(f"no row for P({node}={state} | {want}) under {self.scheme} "
                            "co-variation")

    def ranges(self, *, k: int = 10, delta: float | None = None
               ) -> list[tuple[OneWayRow, float, float]]:
        """``(row, low, high)``: the range of the target as each top-``k`` entry sweeps its
        domain (``delta=None``) or ``[x0 - delta, x0 + delta]`` within the domain."""
        out = []
        for r in self.top(k):
            lo, hi = r.domain
            if delta is not None:
                lo, hi = max(lo, r.value - delta), min(hi, r.value + delta)
            xs = np.unique(np.concatenate([np.linspace(lo, hi, 201), [r.value]]))
            ys = r.function(xs)
            ys = ys[np.isfinite(ys)]
            out.append((r, float(ys.min()) if ys.size else np.nan,
                        float(ys.max()) if ys.size else np.nan))
        return out


# --------------------------------------------------------------------------------------
# analyze
# --------------------------------------------------------------------------------------


def _interval(da: np.ndarray, db: np.ndarray, lo: np.ndarray, hi: np.ndarray, tol: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """``{x in [lo, hi] : da_s x + db_s <= 0 for all s}`` as ``(L, U)`` (L > U: empty).

    ``da``/``db``: ``(S, ...)``; the rest broadcast against ``(...)``. A state whose
    difference does not depend on x (``da == 0``) excludes everything when
    ``db > tol`` and nothing otherwise.
    """
    pos = da > 0
    neg = da < 0
    root = -db / np.where(pos | neg, da, 1.0)
    upper = np.where(pos, root, np.inf).min(axis=0)
    lower = np.where(neg, root, -np.inf).max(axis=0)
    never = ((da == 0) & (db > tol)).any(axis=0)
    big_l = np.where(never, np.inf, np.maximum(lo, lower))
    big_u = np.minimum(hi, upper)
    return big_l, big_u


def analyze(
    model: Model,
    target: TargetLike,
    *,
    evidence: EvidenceLike = None,
    likelihood: Mapping[str, Sequence[float] | Mapping[str, float]] | None = None,
    denominator: TargetLike | None = None,
    scheme: Scheme = "proportional",
    nodes: Iterable[str] | None = None,
    network: CompiledNetwork | None = None,
) -> OneWayResult:
    """One-way sensitivity of ``target`` to every CPT entry (see the module docstring).

    ``target``: ``"NODE=STATE"``, ``(node, state)`` or a :class:`~._target.Target`;
    ``evidence``: hard findings (mapping, ``"A=a, B=b"`` or a list of ``"A=a"``);
    ``likelihood``: virtual evidence; ``denominator``: ``"NODE=STATE"`` to analyse the
    ratio :math:`P(t \\mid e) / P(t' \\mid e)`; ``scheme``: ``"proportional"`` (default),
    ``"uniform"`` or ``"order_preserving"``; ``nodes``: only these nodes' CPTs (default
    all); ``network``: a compiled engine for ``model`` (default: compiled once and cached).
    """
    _check_scheme(scheme)
    tgt = parse_target(model, target, evidence=evidence, likelihood=likelihood,
                       denominator=denominator)
    cn = network if network is not None else compile_model(model)
    wanted = list(cn.nodes) if nodes is None else [model.resolve_node(n, context="nodes")
                                                   for n in nodes]
    polys = _polys(cn, tgt, wrt=None if nodes is None else wanted)
    _check_denominator(polys, tgt)
    num0, den0 = float(polys.num[0]), float(polys.den[0])
    joints0 = polys.states[0]
    mode = int(np.argmax(joints0))
    scale = float(polys.p_evidence[0])
    cpts = cn.cpts
    states = cn.states
    parents = cn.parents

    groups: dict[int, list[str]] = {}
    for node in wanted:
        n = int(np.shape(cpts[node])[0])
        if n >= 2:
            groups.setdefault(n, []).append(node)
    flat: dict[str, dict[str, np.ndarray]] = {}  # node -> field -> flat (m*n,) arrays
    for n, members in groups.items():
        sizes = [int(np.size(cpts[nd])) // n for nd in members]
        theta = np.concatenate([np.asarray(cpts[nd], dtype=float).reshape(n, -1)
                                for nd in members], axis=1)
        gN = np.concatenate([polys.g_num[nd][0].reshape(n, -1) for nd in members], axis=1)
        gD = np.concatenate([polys.g_den[nd][0].reshape(n, -1) for nd in members], axis=1)
        n_t = polys.g_states[members[0]].shape[1]
        gS = np.concatenate([polys.g_states[nd][0].reshape(n_t, n, -1) for nd in members],
                            axis=2)
        fields = _group(theta, gN, gD, gS, num0, den0, joints0, mode, scale, scheme)
        start = 0
        for nd, m in zip(members, sizes, strict=True):
            sl = slice(start * n, (start + m) * n)
            flat[nd] = {k: v[sl] for k, v in fields.items()}
            start += m
    kept = [nd for nd in wanted if nd in flat]
    valid = np.concatenate([flat[nd]["valid"] for nd in kept]) if kept else np.zeros(0, bool)
    keys = ["value", "derivative", "coef", "lo", "hi", "dom_lo", "dom_hi"]
    if scheme == "order_preserving":
        keys.append("coef_below")
    arrays: dict[str, np.ndarray] = {}
    for key in keys:
        if kept:
            arrays[key] = np.concatenate([flat[nd][key] for nd in kept])[valid]
        else:
            arrays[key] = np.zeros((0, 4) if key.startswith("coef") else 0)
    _vertex(arrays)
    layout = tuple((nd, tuple((p, states[p]) for p in parents[nd]), states[nd]) for nd in kept)
    return OneWayResult(tgt, scheme, num0 / den0, states[tgt.node][mode], arrays, layout,
                        valid)


def _group(theta: np.ndarray, gN: np.ndarray, gD: np.ndarray, gS: np.ndarray, num0: float,
           den0: float, joints0: np.ndarray, mode: int, scale: float, scheme: str
           ) -> dict[str, np.ndarray]:
    """Every field for columns ``theta`` ``(n, M)`` (all CPTs with ``n`` states side by
    side), flattened column by column, states within a column (shape ``(M*n, ...)``)."""
    n, m = theta.shape
    pc = _pieces(theta, scheme)
    coefs = []
    bounds_lo, bounds_hi = [], []
    tol = np.full((n, m), 1e-12 * scale)
    for alpha, beta, plo, phi in zip(pc.alpha, pc.beta, pc.lo, pc.hi, strict=True):
        shift = alpha - theta[None]
        a = np.einsum("jim,im->jm", beta, gN)
        b = num0 + np.einsum("jim,im->jm", shift, gN)
        c = np.einsum("jim,im->jm", beta, gD)
        d = den0 + np.einsum("jim,im->jm", shift, gD)
        coefs.append(np.stack([a, b, c, d], axis=-1))  # (n, m, 4)
        aS = np.einsum("jim,sim->sjm", beta, gS)
        bS = joints0[:, None, None] + np.einsum("jim,sim->sjm", shift, gS)
        big_l, big_u = _interval(aS - aS[mode], bS - bS[mode], plo, phi, tol)
        bounds_lo.append(big_l)
        bounds_hi.append(big_u)
    x0 = theta
    eps = 1e-12
    if len(coefs) == 1:
        main = below = coefs[0]
        dom_lo, dom_hi = pc.lo[0], pc.hi[0]
        low_l, low_u, up_l, up_u = bounds_lo[0], bounds_hi[0], bounds_lo[0], bounds_hi[0]
    else:
        up_ok = pc.hi[1] - x0 > _TINY
        main = np.where(up_ok[..., None], coefs[1], coefs[0])
        below = coefs[0]
        dom_lo, dom_hi = pc.lo[0], pc.hi[1]
        low_l, low_u, up_l, up_u = bounds_lo[0], bounds_hi[0], bounds_lo[1], bounds_hi[1]
    low_has = (low_l <= x0 + eps) & (x0 <= low_u + eps)
    up_has = (up_l <= x0 + eps) & (x0 <= up_u + eps)
    lo = np.where(low_has, np.where(low_l > dom_lo + eps, low_l, -np.inf), x0)
    hi = np.where(up_has, np.where(up_u < dom_hi - eps, up_u, np.inf), x0)
    a, b, c, d = (main[..., k] for k in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        deriv = (a * d - b * c) / (c * x0 + d) ** 2
    out = {"value": x0, "derivative": deriv, "lo": lo, "hi": hi, "dom_lo": dom_lo,
           "dom_hi": dom_hi, "valid": pc.valid}
    res = {k: v.T.reshape(-1) for k, v in out.items()}
    res["coef"] = main.transpose(1, 0, 2).reshape(-1, 4)
    res["coef_below"] = below.transpose(1, 0, 2).reshape(-1, 4)
    return res


def _vertex(arrays: dict[str, np.ndarray]) -> None:
    """Add ``asymptote``, ``vertex`` and ``vertex_distance`` (NaN where f is linear)."""
    co = arrays["coef"]
    a, b, c, d = co[:, 0], co[:, 1], co[:, 2], co[:, 3]
    x0 = arrays["value"]
    linear = np.abs(c) <= 1e-12 * np.maximum(np.abs(d), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(linear, np.nan, -d / c)
        r = np.where(linear, np.nan, (b * c - a * d) / c**2)
        root = np.sqrt(np.abs(r))
        xv = np.where(s < x0, s + root, s - root)
    arrays["asymptote"] = s
    arrays["vertex"] = xv
    arrays["vertex_distance"] = np.abs(x0 - xv)


def analyze_scenarios(
    model: Model,
    target: TargetLike,
    *,
    scenarios: Iterable[str] | None = None,
    denominator: TargetLike | None = None,
    scheme: Scheme = "proportional",
) -> dict[str, OneWayResult]:
    """:func:`analyze` under each scenario's evidence (default: every scenario of the model).

    Returns ``{scenario id: result}`` in the model's scenario order.
    """
    chosen = (list(model.spec.scenarios) if scenarios is None
              else [model.scenario(name) for name in scenarios])
    if not chosen:
        raise AnalysisError("the model has no scenarios; pass evidence to analyze() instead")
    return {sc.id: analyze(model, target, evidence=dict(sc.evidence), denominator=denominator,
                           scheme=scheme) for sc in chosen}


# --------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------


def plot_tornado(result: OneWayResult, *, k: int = 10, delta: float | None = None,
                 ax: Axes | None = None, title: str | None = None) -> Axes:
    """Tornado chart: the target's range as each of the top-``k`` entries (by
    :math:`|f'(x_0)|`) sweeps its domain (``delta=None``) or :math:`x_0 \\pm` ``delta``.

    Bars span [low, high] of the target; the vertical line is the original value. Each
    bar is labelled with the entry and its current value. Returns the axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * max(k, 3) + 1.2))
    spans = result.ranges(k=k, delta=delta)[::-1]  # largest at the top
    ys = np.arange(len(spans))
    base = result.baseline
    for y, (row, lo, hi) in zip(ys, spans, strict=True):
        f_lo = float(row.function(row.domain[0] if delta is None
                                  else max(row.domain[0], row.value - delta)))
        ax.barh(y, hi - lo, left=lo, color="tab:blue" if (
            math.isfinite(f_lo) and f_lo <= base) else "tab:orange", alpha=0.8)
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(ys, [f"{r.label()} = {r.value:.3g}" for r, _, _ in spans], fontsize=8)
    span = "its domain" if delta is None else f"x0 ± {delta:g}"
    ax.set_xlabel(f"{result.target.label()} as each parameter sweeps {span}")
    ax.set_title(title if title is not None else f"One-way sensitivity ({result.scheme})")
    ax.set_xlim(min(0.0, ax.get_xlim()[0]) if result.target.is_ratio else 0.0,
                ax.get_xlim()[1] if result.target.is_ratio else 1.0)
    return ax


def plot_tornado_scenarios(results: Mapping[str, OneWayResult], *, k: int = 10,
                           delta: float | None = None,
                           axes: Sequence[Axes] | None = None) -> list[Axes]:
    """One tornado per scenario (e.g. from :func:`analyze_scenarios`), side by side."""
    import matplotlib.pyplot as plt

    if not results:
        raise AnalysisError("no results to plot")
    if axes is None:
        _, arr = plt.subplots(1, len(results), figsize=(7 * len(results), 0.45 * k + 1.5),
                              squeeze=False)
        axes = list(arr[0])
    if len(axes) != len(results):
        raise AnalysisError(f"{len(results)} results need {len(results)} axes, not {len(axes)}")
    out = []
    for ax, (name, res) in zip(axes, results.items(), strict=True):
        out.append(plot_tornado(res, k=k, delta=delta, ax=ax, title=name))
    return out
