r"""Ranked nodes: a CPT from a weighted function of the parents and a truncated normal.

The method of Fenton, Neil & Caballero (2007), "Using ranked nodes to model qualitative
judgments in Bayesian networks", *IEEE Transactions on Knowledge and Data Engineering*
19(10):1420-1432, as implemented in AgenaRisk.

**When to use it.** Every parent that matters is an ordered scale like the node itself
(``strengthens, neutral, weakens``; ``strong, fragmented, weak``) and the expert can say how
much each parent counts (weights), how the parents combine (an average, or "the weakest
link dominates", ...) and how sure the relation is (the variance). A 4-parent node then
needs about six numbers instead of 162. Ranked nodes fit badly when a parent's states are
not a scale (the war outcome: give its effect in ``cases`` below, or use
:mod:`.weighted_sum`), or when the parents act in very different, non-monotone ways; then
use :mod:`.weighted_sum` (a distribution per parent state) or an explicit :mod:`.table`.

The maths
---------
*Scale.* A ranked node with ``m`` states is a value on [0, 1] cut into ``m`` equal
intervals. **Rule: states are listed best (highest rank) first, so the first listed state
is the top interval** ``[(m-1)/m, 1]`` and the last listed state the bottom one
``[0, 1/m]``; state ``s`` (0-based, in listed order) is ``[1-(s+1)/m, 1-s/m]``. With the
project's ``strengthens, neutral, weakens`` that is strengthens = [2/3, 1], neutral =
[1/3, 2/3], weakens = [0, 1/3]; cohesion ``strong`` is likewise the top interval. A parent
in state ``s`` is uniformly distributed over its interval. Each parent may have its own
number of states, and the node its own.

*Direction.* ``directions: {parent: -1}`` reverses a parent whose effect runs the other way
(its value ``x`` enters as ``1 - x``: its first listed state then pushes the node down).
The default, ``+1``, lets a parent's first (best) state push the node towards its first
(best) state.

*Combining function* ``mu = f(x_1, ..., x_n)`` of the (direction-adjusted) parent values,
with weights ``w_i``:

- ``wmean``:  ``sum_i w_i x_i / sum_i w_i`` (weights >= 0, at least one > 0);
- ``wmin``:   ``min_i (w_i x_i + sum_{j != i} x_j) / (w_i + n - 1)`` (weights > 0): all
  weights 1 is the mean, a large weight lets that parent pull the node down on its own;
- ``wmax``:   the same with ``max``: a large weight lets that parent lift the node alone;
- ``mixminmax``: ``(w_min min_i x_i + w_max max_i x_i) / (w_min + w_max)``, two weights
  for the function (``mix``), none per parent.

Every function is a weighted average of values in [0, 1], so ``mu`` is in [0, 1].

*Node.* Given ``mu``, the node's value is ``TNormal(mu, variance)``: a normal with mean
``mu`` and variance ``variance`` (before truncation) truncated to [0, 1]. With ``Phi`` the
standard normal CDF and ``sigma = sqrt(variance)``, the probability of the node's interval
``[a, b]`` is::

    g_[a,b](mu) = (Phi((b - mu)/sigma) - Phi((a - mu)/sigma))
                  / (Phi((1 - mu)/sigma) - Phi((0 - mu)/sigma))

(the denominator is at least 1/2 because ``mu`` is in [0, 1]). The column for parent
states ``(s_1, ..., s_n)`` averages ``g`` over the parents' intervals::

    P(node = t | s_1..s_n) = integral over I_s1 x ... x I_sn of g_It(f(x)) dx / |box|

As the variance goes to 0 a column tends to the distribution of ``f`` over the box, e.g.
WMEAN with equal weights of a parent in the bottom and one in the middle state has ``mu``
triangular on [1/6, 1/2] around 1/3, half below 1/3: the column tends to (0, 1/2, 1/2).

Numerical integration
---------------------
AgenaRisk approximates the integral by sampling the parents' intervals. Here:

- ``g`` is tabulated on the grid ``mu = j / B`` (``B = 16 / sigma`` cells, at least 256
  and at most 8192, and at most 2**22 / columns for very large nodes) and interpolated
  linearly between the nodes: the interpolation error is below about 1e-4. A variance below
  about 4e-6 would need more cells: WMEAN then uses the largest grid (error about the mass
  within one cell of an interval boundary), the others evaluate ``g`` at every quadrature
  point.
- **WMEAN** is integrated by convolution, without sampling: ``mu = sum_i c_i X_i`` with
  independent uniform ``X_i``, so the distribution of ``mu`` is the convolution of the
  uniforms on ``c_i I_i``; each is projected onto the grid (keeping its mass and mean
  exactly) and they are convolved by FFT. ``points`` does not apply.
- **WMIN, WMAX, MIXMINMAX** sample each parent interval at the ``points`` nodes of a
  Gauss-Legendre rule; a column is the tensor-product quadrature sum over its
  ``points ** n`` points, whose ``mu`` are binned onto the grid with linear weights. The
  default is :data:`DEFAULT_POINTS` = 8 per interval, lowered (never below 3) while the
  grid of the whole table, ``prod(parent states) * points ** n``, exceeds :data:`MAX_GRID`
  (= 2**17): 8 for up to 3 three-state parents, 6 for 4, 3 for 5. A ``points`` that would
  make that grid larger than :data:`HARD_MAX_GRID` (= 2**22) is refused (memory).

Checked against Monte Carlo references (4 million draws per column) for 3 and 4 three-state
parents at variances 1e-4 to 0.05: WMEAN, WMIN and WMAX within 3e-4 (the references' own
noise), MIXMINMAX within 3e-3 with the default points and 1e-3 with ``points: 12`` (its
min/max kinks slow Gauss-Legendre down most). A 4-parent 3-state node (81 columns) builds in
about 1 ms (WMEAN) to 3 ms (the others, 105k quadrature points) at the usual variances.

In a model file
---------------
::

    cpt:
      method: ranked
      function: wmean                  # wmean | wmin | wmax | mixminmax
      weights: {threats: 3, institutions: 2, norms: 1}
      variance: 0.01
      directions: {norms: -1}          # optional; +1 (default) or -1 per parent

    cpt:                               # mixminmax: two weights for the function instead
      method: ranked
      function: mixminmax
      mix: {min: 3, max: 1}
      variance: 0.005
      points: 12                       # optional, not for wmean; Gauss-Legendre points

Every field is keyed by parent name, never by position; ``weights`` names every ordered
parent. A parent that is **not ordered** (``ParentInfo.ordered`` false, e.g.
``war_outcome``) cannot be placed on the scale. Its effect is given in ``cases``: one entry
per combination of the unordered parents' states, which either gives the node's
distribution directly (``p``, the same for every state of the ordered parents) or ranked
parameters for the ordered parents. The top-level ranked fields are defaults for every case
that gives no ``p``; a field given in a case replaces the default of the same name as a
whole::

    cpt:
      method: ranked
      function: wmean
      weights: {threats: 3, institutions: 2, norms: 1}
      variance: 0.01
      cases:
        - given: {war_outcome: ukraine_wins}
          variance: 0.005                              # defaults otherwise
        - given: {war_outcome: ukraine_loses}
          function: wmin
          weights: {threats: 4, institutions: 1, norms: 1}
        - given: {war_outcome: stalemate}
          p: {strengthens: 0.1, neutral: 0.3, weakens: 0.6}

Without a model file, :func:`ranked_table` builds the table of ordered parents from
plain numbers (for sensitivity analysis: rebuild after perturbing weights or variance).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.polynomial.legendre import leggauss
from scipy import fft as sfft
from scipy.special import ndtr

from ..errors import Problem, did_you_mean
from . import table

if TYPE_CHECKING:
    from . import NodeContext

__all__ = [
    "DEFAULT_POINTS",
    "FUNCTIONS",
    "HARD_MAX_GRID",
    "MAX_GRID",
    "MAX_POINTS",
    "build",
    "check",
    "default_points",
    "max_points",
    "ranked_table",
    "state_intervals",
]

#: The combining functions, as written in a model file.
FUNCTIONS: tuple[str, ...] = ("wmean", "wmin", "wmax", "mixminmax")
#: Gauss-Legendre points per parent interval unless ``points`` says otherwise.
DEFAULT_POINTS = 8
#: The default ``points`` is lowered (to no fewer than 3) while the tensor grid of the whole
#: table, ``prod(parent states) * points ** n_parents``, would exceed this.
MAX_GRID = 2**17
#: Largest ``points`` a model file may ask for.
MAX_POINTS = 32
#: Hard limit on the tensor grid of a whole table (memory): ``points`` is refused above it.
HARD_MAX_GRID = 2**22

_MIN_POINTS_DEFAULT = 3
_CELLS_PER_SIGMA = 16
_MIN_CELLS = 256
_MAX_CELLS = 8192
_MAX_TABLE_CELLS = 2**22  # columns * grid cells, to bound memory for very large nodes
_RANKED_FIELDS = ("function", "weights", "mix", "variance", "directions", "points")
_UNUSED = {
    "wmean": (("mix", "mix is only for mixminmax"),
              ("points", "wmean is integrated by convolution, not by sampling")),
    "wmin": (("mix", "mix is only for mixminmax"),),
    "wmax": (("mix", "mix is only for mixminmax"),),
    "mixminmax": (("weights", "mixminmax takes mix: {min: w, max: w}, no per-parent weights"),),
}
_FIELDS = (*_RANKED_FIELDS, "cases")


# ---------------------------------------------------------------------------------------
# The numbers: plain Python, no model file needed
# ---------------------------------------------------------------------------------------


def state_intervals(n_states: int) -> np.ndarray:
    """The ``(n_states, 2)`` intervals ``[low, high]`` of the states, in listed order.

    The first listed state is the top interval: ``state_intervals(3)`` is
    ``[[2/3, 1], [1/3, 2/3], [0, 1/3]]``.
    """
    if n_states < 1:
        raise ValueError(f"n_states must be >= 1, not {n_states}")
    s = np.arange(n_states, dtype=float)
    return np.column_stack([1.0 - (s + 1.0) / n_states, 1.0 - s / n_states])


def default_points(parent_states: Sequence[int]) -> int:
    """Gauss-Legendre points per interval used when ``points`` is not given.

    :data:`DEFAULT_POINTS`, lowered while ``prod(parent_states) * points ** n`` exceeds
    :data:`MAX_GRID`, but never below 3.
    """
    n_cols = math.prod(parent_states)
    k = DEFAULT_POINTS
    while k > _MIN_POINTS_DEFAULT and n_cols * k ** len(parent_states) > MAX_GRID:
        k -= 1
    return k


def max_points(parent_states: Sequence[int]) -> int:
    """The largest ``points`` allowed: ``prod(parent_states) * points ** n`` within
    :data:`HARD_MAX_GRID` and at most :data:`MAX_POINTS` (0 if even 1 point is too many)."""
    n_cols = math.prod(parent_states)
    k = MAX_POINTS
    while k > 0 and n_cols * k ** len(parent_states) > HARD_MAX_GRID:
        k -= 1
    return k


@lru_cache(maxsize=64)
def _gauss_legendre(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes in (0, 1) and weights summing to 1 of the ``k``-point Gauss-Legendre rule."""
    t, w = leggauss(k)
    nodes, weights = (t + 1.0) / 2.0, w / 2.0
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


@lru_cache(maxsize=64)
def _product_weights(k: int, n: int) -> np.ndarray:
    """Weights of the ``k ** n`` tensor-product points, flattened in C order."""
    _, v = _gauss_legendre(k)
    w = np.ones(1)
    for _ in range(n):
        w = np.multiply.outer(w, v).reshape(-1)
    w.setflags(write=False)
    return w


def _interval_masses(mu: np.ndarray, n_states: int, sigma: float) -> np.ndarray:
    """``g`` of every state interval (listed order) at each ``mu``: shape ``(n_states, *mu)``.

    ``mu`` is clipped to [0, 1] (grid nodes just outside carry only rounding mass), and
    masses below 1e-100 are set to 0: subnormal products make the matrix products slow.
    """
    bounds = np.linspace(0.0, 1.0, n_states + 1).reshape((-1,) + (1,) * mu.ndim)
    cdf = ndtr((bounds - np.clip(mu, 0.0, 1.0)) / sigma)
    masses = np.diff(cdf, axis=0) / (cdf[-1] - cdf[0])
    masses[masses < 1e-100] = 0.0
    return np.ascontiguousarray(masses[::-1])


def _combine(
    xs: list[np.ndarray], function: str, weights: np.ndarray, mix: tuple[float, float]
) -> np.ndarray:
    """``mu = f(x_1, ..., x_n)`` on the broadcast grid of the parents' sample values."""
    n = len(xs)
    if function == "wmean":
        c = weights / weights.sum()
        mu = xs[0] * c[0]
        for ci, xi in zip(c[1:], xs[1:], strict=True):
            mu = mu + xi * ci
        return mu
    if function in ("wmin", "wmax"):
        total = xs[0]
        for xi in xs[1:]:
            total = total + xi
        pick = np.minimum if function == "wmin" else np.maximum
        acc: np.ndarray | None = None
        for wi, xi in zip(weights, xs, strict=True):
            denom = wi + n - 1.0
            term = total * (1.0 / denom)
            term += xi * ((wi - 1.0) / denom)
            acc = term if acc is None else pick(acc, term, out=acc)
        assert acc is not None
        return acc
    # mixminmax
    lo = hi = xs[0]
    for xi in xs[1:]:
        lo = np.minimum(lo, xi)
        hi = np.maximum(hi, xi)
    w_min, w_max = mix
    return (lo * w_min + hi * w_max) / (w_min + w_max)


def ranked_table(
    parent_states: Sequence[int],
    n_states: int,
    *,
    function: str,
    variance: float,
    weights: Sequence[float] | None = None,
    directions: Sequence[int] | None = None,
    mix: tuple[float, float] | None = None,
    points: int | None = None,
) -> np.ndarray:
    """The ranked-node CPT for ordered parents with ``parent_states`` states each.

    Returns an array of shape ``(n_states, *parent_states)``; axis 0 is the node's states
    and axis ``i + 1`` parent ``i``'s, both in listed (best-first) order. ``weights`` (one
    per parent; for ``wmean``, ``wmin``, ``wmax``) and ``directions`` (+1 or -1 per parent,
    default all +1) are in the order of ``parent_states``; ``mix = (w_min, w_max)`` is for
    ``mixminmax``. ``points`` is the number of Gauss-Legendre points per parent interval for
    ``wmin``, ``wmax`` and ``mixminmax`` (default :func:`default_points`; ``wmean`` is
    integrated by convolution and ignores it). See the module docstring for the maths.
    Raises ``ValueError`` for invalid arguments.

    >>> cpt = ranked_table([3, 3], 3, function="wmean", weights=[1, 1], variance=1e-9)
    >>> cpt[:, 2, 1].round(3).tolist()  # parents weakens, neutral -> mu in [1/6, 1/2]
    [0.0, 0.5, 0.5]
    """
    cards = tuple(int(c) for c in parent_states)
    n = len(cards)
    if n == 0:
        raise ValueError("ranked nodes need at least one (ordered) parent")
    if any(c < 1 for c in cards):
        raise ValueError(f"every parent needs at least one state: {cards}")
    if n_states < 1:
        raise ValueError(f"n_states must be >= 1, not {n_states}")
    if function not in FUNCTIONS:
        raise ValueError(f"unknown function {function!r}; allowed: {', '.join(FUNCTIONS)}")
    if not (math.isfinite(variance) and variance > 0):
        raise ValueError(f"variance must be a finite number > 0, not {variance!r}")
    w = np.ones(n)
    mix_w = (1.0, 1.0)
    if function == "mixminmax":
        if weights is not None:
            raise ValueError("mixminmax takes mix=(w_min, w_max), not per-parent weights")
        if mix is None or len(mix) != 2:
            raise ValueError("mixminmax needs mix=(w_min, w_max)")
        mix_w = (float(mix[0]), float(mix[1]))
        if min(mix_w) < 0 or sum(mix_w) <= 0 or not all(map(math.isfinite, mix_w)):
            raise ValueError(f"mix weights must be >= 0 with a positive sum, not {mix!r}")
    else:
        if mix is not None:
            raise ValueError(f"mix is only for mixminmax, not {function}")
        if weights is None or len(weights) != n:
            raise ValueError(f"{function} needs one weight per parent ({n})")
        w = np.asarray(weights, dtype=float)
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"weights must be finite and >= 0, not {list(weights)!r}")
        if function == "wmean" and w.sum() <= 0:
            raise ValueError("wmean needs at least one weight > 0")
        if function != "wmean" and np.any(w <= 0):
            raise ValueError(f"{function} needs every weight > 0, not {list(weights)!r}")
    dirs = np.ones(n) if directions is None else np.asarray(directions, dtype=float)
    if dirs.shape != (n,) or not np.all(np.isin(dirs, (-1.0, 1.0))):
        raise ValueError(f"directions must be +1 or -1 per parent, not {directions!r}")
    k = default_points(cards) if points is None else int(points)
    if k < 1:
        raise ValueError(f"points must be >= 1, not {points!r}")
    if function != "wmean" and math.prod(cards) * k**n > HARD_MAX_GRID:
        raise ValueError(f"points={k} needs {math.prod(cards) * k**n} quadrature points for "
                         f"parents with {cards} states; at most {HARD_MAX_GRID} "
                         f"(points <= {max_points(cards)})")

    sigma = math.sqrt(variance)
    cells = min(max(math.ceil(_CELLS_PER_SIGMA / sigma), _MIN_CELLS), _MAX_CELLS,
                max(_MIN_CELLS, _MAX_TABLE_CELLS // math.prod(cards)))
    intervals = []
    for c, d in zip(cards, dirs, strict=True):
        iv = state_intervals(c)
        intervals.append(1.0 - iv[:, ::-1] if d < 0 else iv)
    if function == "wmean":
        columns = _wmean_columns(intervals, w / w.sum(), n_states, sigma, cells)
    else:
        columns = _quadrature_columns(intervals, function, w, mix_w, n_states, sigma, cells, k)
    columns = np.clip(columns, 0.0, None)
    columns /= columns.sum(axis=0, keepdims=True)
    return columns.reshape((n_states, *cards))


def _hat_masses(lo: np.ndarray, hi: np.ndarray, length: int, h: float) -> np.ndarray:
    """Uniform distributions on ``[lo, hi]`` projected onto the nodes ``j * h``.

    Node ``j`` gets ``E[hat((X - j h) / h)]`` (``hat(t) = max(0, 1 - |t|)``), which keeps
    each distribution's mass and mean exactly. Shape ``(len(lo), length)``.
    """
    x = np.arange(length) * h

    def antiderivative(t: np.ndarray) -> np.ndarray:  # of hat, from -inf to t
        t = np.clip(t, -1.0, 1.0)
        return np.where(t < 0.0, 0.5 * (t + 1.0) ** 2, 1.0 - 0.5 * (1.0 - t) ** 2)

    width = (hi - lo)[:, None]
    wide = width > 1e-6 * h
    spread = h * (antiderivative((hi[:, None] - x) / h) - antiderivative((lo[:, None] - x) / h))
    point = np.clip(1.0 - np.abs(((lo + hi)[:, None] / 2.0 - x) / h), 0.0, None)
    return np.where(wide, spread / np.where(wide, width, 1.0), point)


def _wmean_columns(
    intervals: list[np.ndarray], c: np.ndarray, n_states: int, sigma: float, cells: int
) -> np.ndarray:
    """WMEAN columns ``(n_states, n_cols)`` by convolving the parents' uniform terms.

    ``mu = sum_i c_i X_i`` with independent ``X_i`` uniform on their intervals, so the
    distribution of ``mu`` is the convolution of the uniforms on ``c_i I_i``. Each is
    projected onto the grid ``j / cells`` (mass and mean kept exactly), the projections are
    convolved by FFT, and ``g`` at the grid nodes is summed against the result.
    """
    n = len(intervals)
    h = 1.0 / cells
    length = sfft.next_fast_len(cells + n + 2, real=True)
    spectrum: np.ndarray | None = None
    for i, (iv, ci) in enumerate(zip(intervals, c, strict=True)):
        masses = _hat_masses(ci * iv[:, 0], ci * iv[:, 1], length, h)
        f = sfft.rfft(masses, n=length, axis=-1)
        shape = [1] * n + [f.shape[-1]]
        shape[i] = len(iv)
        f = f.reshape(shape)
        spectrum = f if spectrum is None else spectrum * f
    assert spectrum is not None
    hist = sfft.irfft(spectrum, n=length, axis=-1).reshape(-1, length)
    g = _interval_masses(np.arange(length) * h, n_states, sigma)  # (n_states, length)
    result: np.ndarray = (hist @ g.T).T  # this layout keeps BLAS fast
    return result


def _quadrature_columns(
    intervals: list[np.ndarray], function: str, w: np.ndarray, mix: tuple[float, float],
    n_states: int, sigma: float, cells: int, k: int,
) -> np.ndarray:
    """WMIN/WMAX/MIXMINMAX columns ``(n_states, n_cols)`` by tensor Gauss-Legendre.

    Every parent interval is sampled at ``k`` Gauss-Legendre nodes; ``mu`` at the ``k ** n``
    points of a column is binned onto the grid ``j / cells`` with linear weights, and ``g``
    at the grid nodes is summed against the histogram. When ``sigma`` is too small for the
    largest grid, ``g`` is evaluated at every point instead.
    """
    n = len(intervals)
    cards = tuple(len(iv) for iv in intervals)
    nodes, _ = _gauss_legendre(k)
    # x_i has its state axis at i and its quadrature axis at n + i, so the grid is
    # (states..., points...) and each column's k ** n points are contiguous.
    xs = []
    for i, iv in enumerate(intervals):
        x = iv[:, :1] + nodes[None, :] * (iv[:, 1:] - iv[:, :1])
        shape = [1] * (2 * n)
        shape[i], shape[n + i] = len(iv), k
        xs.append(x.reshape(shape))
    mu = _combine(xs, function, w, mix)
    n_cols, n_pts = math.prod(cards), k**n
    mu = np.broadcast_to(mu, cards + (k,) * n).reshape(n_cols, n_pts)
    wq = _product_weights(k, n)
    if cells * sigma < _CELLS_PER_SIGMA:  # the grid would be too coarse for g: exact g
        direct: np.ndarray = _interval_masses(mu, n_states, sigma) @ wq
        return direct
    u = np.clip(mu * cells, 0.0, cells)
    j = np.minimum(u.astype(np.intp), cells - 1)
    upper = u - j
    upper *= wq
    j += (np.arange(n_cols, dtype=np.intp) * (cells + 1))[:, None]
    size = n_cols * (cells + 1)
    hist = np.bincount(j.ravel(), (wq - upper).ravel(), minlength=size)
    hist[1:] += np.bincount(j.ravel(), upper.ravel(), minlength=size)[:-1]
    g = _interval_masses(np.linspace(0.0, 1.0, cells + 1), n_states, sigma)
    result: np.ndarray = (hist.reshape(n_cols, cells + 1) @ g.T).T  # keeps BLAS fast
    return result


# ---------------------------------------------------------------------------------------
# The model-file method: check and build
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """Complete ranked parameters, aligned with the node's ordered parents."""

    function: str
    variance: float
    weights: tuple[float, ...] | None
    directions: tuple[int, ...]
    mix: tuple[float, float] | None
    points: int | None


@dataclass(frozen=True)
class _Case:
    index: tuple[int, ...]  # states of the unordered parents
    spec: _Spec | None
    p: np.ndarray | None


def _number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)


def _field(
    name: str, value: Any, where: str, node: NodeContext, problems: list[Problem]
) -> tuple[bool, Any]:
    """Validate one ranked field on its own; ``(ok, parsed value)``."""
    ordered = [q.id for q in node.parents if q.ordered]
    unordered = [q.id for q in node.parents if not q.ordered]
    start = len(problems)

    def parent_keys(mapping: Mapping[Any, Any], what: str) -> None:
        for key in mapping:
            if key in unordered:
                problems.append(Problem(f"{where}.{key}", f"{key!r} is not an ordered parent, "
                                        f"so it has no {what}; give its effect in cases"))
            elif key not in ordered:
                problems.append(Problem(f"{where}.{key}", f"{key!r} is not a parent of "
                                        f"{node.id!r}{did_you_mean(str(key), ordered)}; its "
                                        f"ordered parents: {', '.join(ordered) or 'none'}"))

    if name == "function":
        if not isinstance(value, str) or value.lower() not in FUNCTIONS:
            hint = did_you_mean(value, FUNCTIONS) if isinstance(value, str) else ""
            problems.append(Problem(where, f"unknown function {value!r}{hint}; allowed: "
                                    f"{', '.join(FUNCTIONS)}"))
            return False, None
        return True, value.lower()
    if name == "variance":
        if not _number(value) or value <= 0:
            problems.append(Problem(where, f"{value!r} is not a number > 0; the variance of "
                                    "the truncated normal, e.g. 0.01 (small = sure)"))
            return False, None
        return True, float(value)
    if name == "points":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_POINTS:
            problems.append(Problem(where, f"{value!r} is not a whole number from 1 to "
                                    f"{MAX_POINTS}; Gauss-Legendre points per parent interval"))
            return False, None
        return True, value
    if name == "weights":
        if not isinstance(value, Mapping):
            problems.append(Problem(where, "must map every ordered parent to a weight >= 0, "
                                    f"e.g. {{{ordered[0] if ordered else 'parent'}: 2, ...}}"))
            return False, None
        parent_keys(value, "weight")
        for key, w in value.items():
            if key in ordered and (not _number(w) or w < 0):
                problems.append(Problem(f"{where}.{key}", f"{w!r} is not a number >= 0"))
        for pid in ordered:
            if pid not in value:
                problems.append(Problem(where, f"missing weight for parent {pid!r}; give a "
                                        f"weight for every ordered parent ({', '.join(ordered)})"))
        if len(problems) > start:
            return False, None
        return True, tuple(float(value[pid]) for pid in ordered)
    if name == "directions":
        if not isinstance(value, Mapping):
            problems.append(Problem(where, "must map parents to +1 (normal) or -1 (reversed)"))
            return False, None
        parent_keys(value, "direction")
        for key, d in value.items():
            if key in ordered and (not _number(d) or d not in (1, -1)):
                problems.append(Problem(f"{where}.{key}", f"{d!r} is not +1 (normal) or -1 "
                                        "(reversed)"))
        if len(problems) > start:
            return False, None
        return True, tuple(int(value.get(pid, 1)) for pid in ordered)
    # mix
    if not isinstance(value, Mapping):
        problems.append(Problem(where, "must be {min: weight, max: weight}, weights >= 0"))
        return False, None
    for key in value:
        if key not in ("min", "max"):
            problems.append(Problem(f"{where}.{key}", "unknown key; mix has min and max"))
    for key in ("min", "max"):
        if key not in value:
            problems.append(Problem(where, f"missing {key!r}; give {{min: w, max: w}}"))
        elif not _number(value[key]) or value[key] < 0:
            problems.append(Problem(f"{where}.{key}", f"{value[key]!r} is not a number >= 0"))
    if len(problems) > start:
        return False, None
    pair = (float(value["min"]), float(value["max"]))
    if sum(pair) <= 0:
        problems.append(Problem(where, "min and max are both 0; at least one must be > 0"))
        return False, None
    return True, pair


def _fields(
    params: Mapping[str, Any], prefix: str, node: NodeContext, problems: list[Problem]
) -> tuple[dict[str, tuple[Any, str, str]], set[str]]:
    """Validate the ranked fields present in ``params``.

    Returns the valid ones as ``{name: (value, where, prefix)}`` and the names of the
    invalid ones (already reported).
    """
    out: dict[str, tuple[Any, str, str]] = {}
    bad: set[str] = set()
    for name in _RANKED_FIELDS:
        if name in params:
            where = node.at(f"{prefix}{name}")
            good, value = _field(name, params[name], where, node, problems)
            if good:
                out[name] = (value, where, prefix)
            else:
                bad.add(name)
    return out, bad


def _complete(
    fields: dict[str, tuple[Any, str, str]], bad: set[str], case: str | None,
    node: NodeContext, problems: list[Problem]
) -> _Spec | None:
    """Cross-field checks of one merged set of ranked fields; the spec if complete.

    ``bad`` names fields given but invalid (already reported). ``case`` is the location of
    the case the fields are for, ``None`` at the top level.
    """
    ok = not bad
    for name in ("function", "variance"):
        if name not in fields and name not in bad:
            example = "wmean" if name == "function" else "0.01"
            if case is None:
                problems.append(Problem(node.at(name), f"missing; e.g. {name}: {example}"))
            else:
                problems.append(Problem(case, f"missing {name!r}; give it in the case or at "
                                        "the top level"))
            ok = False
    if "function" not in fields:
        return None
    function, _, f_prefix = fields["function"]
    ordered = [q.id for q in node.parents if q.ordered]
    needed = "mix" if function == "mixminmax" else "weights"
    if needed not in fields and needed not in bad:
        example = "{min: 1, max: 1}" if needed == "mix" else "{parent: weight, ...}"
        if case is None:
            problems.append(Problem(node.at(needed), f"missing; {function} needs {needed}: "
                                    f"{example}"))
        else:
            problems.append(Problem(case, f"missing {needed!r}; {function} needs it: give it "
                                    "in the case or at the top level"))
        ok = False
    # A field the function does not use is a mistake when given beside the function; a
    # top-level default that a case's own function does not use is simply not inherited.
    for unused, why in _UNUSED[function]:
        if unused in fields and fields[unused][2] == f_prefix:
            problems.append(Problem(fields[unused][1], f"not used by {function}; {why}"))
            ok = False
    if function != "wmean" and "points" in fields:
        cards = [len(q.states) for q in node.parents if q.ordered]
        points, p_where, _ = fields["points"]
        if points > max_points(cards):
            grid = math.prod(cards) * points ** len(cards)
            problems.append(Problem(p_where, f"{points} points per interval for {len(cards)} "
                                    f"ordered parents needs {grid} quadrature points, more "
                                    f"than {HARD_MAX_GRID}; at most {max_points(cards)} here"))
            ok = False
    weights = fields["weights"][0] if "weights" in fields else None
    if needed == "weights" and weights is not None:
        w_where = fields["weights"][1]
        if function == "wmean" and sum(weights) <= 0:
            problems.append(Problem(w_where, "every weight is 0; wmean needs one > 0"))
            ok = False
        if function in ("wmin", "wmax"):
            for pid, w in zip(ordered, weights, strict=True):
                if w <= 0:
                    problems.append(Problem(f"{w_where}.{pid}", f"{function} needs every "
                                            f"weight > 0, not {w:g}"))
                    ok = False
    if not ok:
        return None
    return _Spec(
        function=function,
        variance=fields["variance"][0],
        weights=weights if needed == "weights" else None,
        directions=fields["directions"][0] if "directions" in fields else (1,) * len(ordered),
        mix=fields["mix"][0] if needed == "mix" else None,
        points=fields["points"][0] if "points" in fields else None,
    )


def _parse(
    params: Mapping[str, Any], node: NodeContext, problems: list[Problem]
) -> list[_Case] | None:
    ok = True
    for key in params:
        if key not in _FIELDS:
            problems.append(Problem(node.at(str(key)), "unknown field for method 'ranked'"
                                    f"{did_you_mean(str(key), _FIELDS)}; allowed: "
                                    f"{', '.join(_FIELDS)}"))
            ok = False
    if not node.ordered:
        problems.append(Problem(node.at("method"), f"ranked needs an ordered node; "
                                f"{node.id!r} is not ordered (use table or weighted_sum)"))
        ok = False
    ordered = [q for q in node.parents if q.ordered]
    unordered = [q for q in node.parents if not q.ordered]
    if not ordered:
        other = "table or weighted_sum" if node.parents else "table"
        problems.append(Problem(node.at("method"), f"ranked needs at least one ordered "
                                f"parent; {node.id!r} has none (use {other})"))
        return None
    top, top_bad = _fields(params, "", node, problems)
    if not unordered:
        if "cases" in params:
            problems.append(Problem(node.at("cases"), "cases are only for unordered parents; "
                                    f"every parent of {node.id!r} is ordered"))
            return None
        spec = _complete(top, top_bad, None, node, problems)
        if spec is None or not ok:
            return None
        return [_Case((), spec, None)]
    names = ", ".join(q.id for q in unordered)
    rows = params.get("cases")
    if not isinstance(rows, list):
        problems.append(Problem(node.at("cases"), f"{'missing' if rows is None else 'not a list'}"
                                f"; {node.id!r} has unordered parent(s) {names}: give a list "
                                "of cases, one per state, each {given: {parent: state}, ...}"))
        return None
    cases: list[_Case] = []
    seen: dict[tuple[int, ...], int] = {}
    for r, row in enumerate(rows):
        prefix = f"cases[{r}]."
        where = node.at(f"cases[{r}]")
        if not isinstance(row, Mapping):
            problems.append(Problem(where, "each case is a mapping {given: {parent: state}, "
                                    "p: {...}} or {given: ..., <ranked fields>}"))
            ok = False
            continue
        for key in row:
            if key not in ("given", "p", *_RANKED_FIELDS):
                allowed = ", ".join(("given", "p", *_RANKED_FIELDS))
                problems.append(Problem(f"{where}.{key}", f"unknown field for a case; "
                                        f"allowed: {allowed}"))
                ok = False
        index = _given(row.get("given"), f"{where}.given", unordered, node, problems)
        if index is None:
            ok = False
        elif index in seen:
            problems.append(Problem(where, f"duplicate case: the same states as "
                                    f"cases[{seen[index]}]"))
            ok = False
        else:
            seen[index] = r
        if "p" in row:
            extra = [k for k in _RANKED_FIELDS if k in row]
            if extra:
                problems.append(Problem(where, f"gives both p and {', '.join(extra)}; a case "
                                        "gives either the distribution or ranked parameters"))
                ok = False
                continue
            col = table.column(row["p"], node, f"{where}.p", problems)
            if col is None or index is None:
                ok = False
                continue
            cases.append(_Case(index, None, col))
            continue
        own, own_bad = _fields(row, prefix, node, problems)
        bad = (top_bad - set(own)) | own_bad
        spec = _complete({**top, **own}, bad, where, node, problems)
        if spec is None or index is None:
            ok = False
            continue
        cases.append(_Case(index, spec, None))
    if ok:
        missing = [c for c in itertools.product(*(range(len(q.states)) for q in unordered))
                   if c not in seen]
        if missing:
            examples = "; ".join(", ".join(f"{q.id}={q.states[i]}" for q, i in
                                           zip(unordered, c, strict=True)) for c in missing[:3])
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            problems.append(Problem(node.at("cases"), f"{len(missing)} combination(s) of "
                                    f"{names} have no case: {examples}{more}"))
            ok = False
    return cases if ok else None


def _given(
    given: Any, where: str, unordered: list[Any], node: NodeContext, problems: list[Problem]
) -> tuple[int, ...] | None:
    """The unordered parents' state indices named by a case's ``given``."""
    names = [q.id for q in unordered]
    if not isinstance(given, Mapping):
        problems.append(Problem(where, f"missing or not a mapping; name a state of every "
                                f"unordered parent ({', '.join(names)})"))
        return None
    ok = True
    for key in given:
        if key not in names:
            ordered = any(q.id == key for q in node.parents)
            why = ("is ordered; its effect comes from the ranked parameters" if ordered
                   else f"is not an unordered parent of {node.id!r}")
            problems.append(Problem(f"{where}.{key}", f"{key!r} {why}; give states of: "
                                    f"{', '.join(names)}"))
            ok = False
    index = []
    for q in unordered:
        if q.id not in given:
            problems.append(Problem(where, f"missing parent {q.id!r}"))
            ok = False
            continue
        s = given[q.id]
        if s not in q.states:
            problems.append(Problem(f"{where}.{q.id}", f"{s!r} is not a state of {q.id!r}"
                                    f"{did_you_mean(str(s), q.states)}; its states are "
                                    f"{', '.join(q.states)}"))
            ok = False
            continue
        index.append(q.states.index(s))
    return tuple(index) if ok else None


def check(params: Mapping[str, Any], node: NodeContext) -> list[Problem]:
    """Every problem with ``params`` for the ranked method (none raised)."""
    problems: list[Problem] = []
    _parse(params, node, problems)
    return list(dict.fromkeys(problems))  # a shared default may be reported once per case


def build(params: Mapping[str, Any], node: NodeContext) -> np.ndarray:
    """The ranked CPT of ``node``, shape ``(n_states, *parent_cards)``."""
    problems: list[Problem] = []
    cases = _parse(params, node, problems)
    if cases is None:  # pragma: no cover - build is only called after check passed
        raise ValueError("; ".join(map(str, dict.fromkeys(problems))))
    ordered = [i for i, q in enumerate(node.parents) if q.ordered]
    unordered = [i for i, q in enumerate(node.parents) if not q.ordered]
    cards = [len(node.parents[i].states) for i in ordered]
    m = len(node.states)
    out = np.empty((m, *(len(node.parents[i].states) for i in unordered), *cards))
    cache: dict[_Spec, np.ndarray] = {}
    for case in cases:
        if case.p is not None:
            sub = np.broadcast_to(case.p.reshape((m,) + (1,) * len(cards)), (m, *cards))
        else:
            assert case.spec is not None
            spec = case.spec
            if spec not in cache:
                cache[spec] = ranked_table(
                    cards, m, function=spec.function, variance=spec.variance,
                    weights=spec.weights, directions=spec.directions, mix=spec.mix,
                    points=spec.points,
                )
            sub = cache[spec]
        where: tuple[slice | int, ...] = (slice(None), *case.index)
        out[where] = sub
    current = unordered + ordered
    perm = [0] + [1 + current.index(p) for p in range(len(node.parents))]
    return np.ascontiguousarray(np.transpose(out, perm))
