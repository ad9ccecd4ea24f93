r"""Cooke's classical model of structured expert judgement.

Experts give quantiles (e.g. the 5, 50 and 95 % quantiles) for uncertain quantities, the
*items*. Some items are *seed* (calibration) items whose true value, the *realisation*, is
known to the analyst; the others are *target* items, the ones the study is about. The model
scores every expert on the seed items and pools the experts' distributions with weights
that reward good scores into a *decision maker* (DM). References:

- R. M. Cooke (1991), *Experts in Uncertainty: Opinion and Subjective Probability in
  Science*, Oxford University Press, ch. 12 (the classical model).
- G. Leontaris and O. Morales-Nápoles (2018), "ANDURIL -- A MATLAB toolbox for ANalysis and
  Decisions with UnceRtaInty: Learning from expert judgments", *SoftwareX* 7, 313-317; and
  G. Rongen, M. 't Hart, G. Leontaris and O. Morales-Nápoles (2020), "Update (1.1) to
  ANDURIL ...: ANDURYL", *SoftwareX* 12, 100497. This module reproduces ANDURYL 1.2.2's
  numbers (tested to 1e-6 absolute on five studies of the TU Delft database).

The maths, with quantile levels :math:`0 < q_1 < \dots < q_n < 1` and inter-quantile bin
probabilities :math:`p = (q_1, q_2 - q_1, \dots, 1 - q_n)`:

**Background measure and intrinsic range.** Each item has a background scale, ``uni``
(uniform) or ``log`` (log-uniform: everything below happens to the natural logarithm of the
values). The intrinsic range of item *i* is :math:`[L_i, U_i]` with
:math:`l = \min(\text{all experts' quantiles}, \text{realisation})`,
:math:`h = \max(\dots)` and :math:`L = l - k(h - l)`, :math:`U = h + k(h - l)`, *k* the
overshoot (0.1 by default), on the background scale.

**Expert distributions.** An expert's distribution on an item is the minimum-information
distribution with respect to the background measure that matches the expert's quantiles:
the CDF is piecewise linear (on the background scale) through :math:`(L, 0)`,
:math:`(x_1, q_1)`, ..., :math:`(x_n, q_n)`, :math:`(U, 1)`.

**Information.** The relative information of the expert's density with respect to the
uniform density on :math:`[L, U]` is

.. math:: I_{e,i} = \ln(U - L) + \sum_{j=0}^{n} p_j \ln\frac{p_j}{x_{j+1} - x_j},
   \qquad x_0 = L,\ x_{n+1} = U.

An expert's *information* is the mean of :math:`I_{e,i}` over the items the expert
answered; *information_seed* the mean over the answered seed items.

**Calibration.** Over the :math:`N_e` seed items an expert answered, let :math:`s_j` be the
fraction of realisations falling in inter-quantile bin *j* (a realisation equal to a quantile
counts in the bin below it: bin *j* is :math:`x_j < r \le x_{j+1}`) and
:math:`I(s, p) = \sum_j s_j \ln(s_j / p_j)`. Then

.. math:: \text{calibration}_e = 1 - F_{\chi^2_{n}}\bigl(2\,N\,I(s, p)\cdot c\bigr),

the p-value of the likelihood-ratio test of the hypothesis that the realisations are
independent draws from the expert's distributions; :math:`\chi^2_n` has *bins - 1* = *n*
degrees of freedom, :math:`N = \min_e N_e` is the smallest number of seed items any expert
answered, and *c* is the calibration power (1 by default; it scales the effective number of
seed items).

**Weights.** With global weights, expert *e*'s unnormalised weight is
:math:`w_e = \text{calibration}_e \cdot \text{information\_seed}_e \cdot
1[\text{calibration}_e \ge \alpha]`, normalised to sum to one. With item weights, the
information term is the expert's information on each item, :math:`I_{e,i}`, so the weights
differ per item. With equal weights every expert counts 1/E. On an item an expert did not
answer, the remaining experts' weights are renormalised.

**Decision maker.** Per item, the DM's CDF is the weighted mixture
:math:`F_{DM}(x) = \sum_e w_{e,i} F_{e,i}(x)` of the experts' piecewise-linear CDFs (on the
background scale); its quantiles at :math:`q_1, \dots, q_n` are found by inverting that
piecewise-linear function exactly. The DM is then scored like an expert (with the same
:math:`N` and the same intrinsic ranges).

**Optimising alpha.** With ``alpha=None`` every distinct calibration score is tried as the
cutoff; the one chosen maximises the DM's combined score
:math:`\text{calibration}_{DM} \cdot \text{information\_seed}_{DM} \cdot
1[\text{calibration}_{DM} \ge \alpha]`, the smallest such alpha on ties. A cutoff that
leaves some item without an answer from any expert with positive weight gives no DM and is
skipped.

**Where this differs from ANDURYL 1.2.2** (checked against its code on the 57 studies it
ships; on the five studies of the test suite everything agrees to about 1e-14):

- the chi-square tail is scipy's; ANDURYL's own 100-term continued fraction is inaccurate for
  small statistics (calibration above about 0.8): e.g. 0.98915 for the exact 0.98898, and 0
  instead of 1 for a perfectly calibrated expert;
- calibration scores that are equal in exact arithmetic are equal here (mirror-image bin
  counts, see :meth:`_Background.calibration`); ANDURYL can split such a tie by a rounding
  error and then put the cutoff between two equally calibrated experts, which the rule
  ``calibration >= alpha`` does not allow;
- with overshoot 0, ANDURYL does not take the logarithm of the intrinsic range of ``log``
  items; here it always does;
- robustness: see :func:`robustness`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import chi2

from ..errors import ElicitationError, did_you_mean

__all__ = [
    "CookeResult",
    "DecisionMakerScores",
    "Item",
    "SeedStudy",
    "WeightScheme",
    "analyze",
    "robustness",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

#: How experts are weighted in the decision maker.
WeightScheme = Literal["global", "item", "equal"]
_SCHEMES: tuple[str, ...] = ("global", "item", "equal")
_SCALES: tuple[str, ...] = ("uni", "log")


# --------------------------------------------------------------------------------------
# The study
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One uncertain quantity of a study.

    ``scale`` is the background measure, ``"uni"`` (uniform) or ``"log"`` (log-uniform).
    ``realisation`` is the true value of a seed item, ``None`` for a target item.
    ``question`` is free text (the question as the experts saw it).
    """

    name: str
    scale: Literal["uni", "log"] = "uni"
    realisation: float | None = None
    question: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ElicitationError(f"an item needs a non-empty name, got {self.name!r}")
        if self.scale not in _SCALES:
            raise ElicitationError(
                f"item {self.name!r}: scale {self.scale!r} is not allowed; use 'uni' or 'log'"
            )
        if self.realisation is not None:
            try:
                value = float(self.realisation)
            except (TypeError, ValueError):
                raise ElicitationError(
                    f"item {self.name!r}: realisation {self.realisation!r} is not a number"
                ) from None
            if not math.isfinite(value):
                raise ElicitationError(
                    f"item {self.name!r}: realisation {value} is not a finite number"
                )
            if self.scale == "log" and value <= 0.0:
                raise ElicitationError(
                    f"item {self.name!r} has a log-uniform background, so its realisation "
                    f"must be positive, got {value}"
                )
            object.__setattr__(self, "realisation", value)

    @property
    def is_seed(self) -> bool:
        """True for a seed (calibration) item, one with a known realisation."""
        return self.realisation is not None


@dataclass(frozen=True, eq=False)
class SeedStudy:
    """An expert-judgement study: experts' quantiles for seed and target items.

    Attributes:
        experts: the experts' ids, unique.
        items: the items (:class:`Item`), names unique.
        quantiles: the quantile levels asked for, strictly increasing in (0, 1),
            e.g. ``(0.05, 0.5, 0.95)``; the same for every item.
        answers: float array, shape ``(n_experts, n_items, n_quantiles)``: ``answers[e, i]``
            are expert *e*'s quantiles for item *i*, strictly increasing, or all NaN when the
            expert did not answer the item. Stored as a read-only copy.

    Raises :class:`ElicitationError` when any of this does not hold, when a log-scale item
    has a non-positive answer, or when an item has no answer at all.
    """

    experts: tuple[str, ...]
    items: tuple[Item, ...]
    quantiles: tuple[float, ...]
    answers: FloatArray = field(repr=False)

    def __post_init__(self) -> None:
        experts = tuple(self.experts)
        items = tuple(self.items)
        if not experts:
            raise ElicitationError("a study needs at least one expert")
        for ex in experts:
            if not isinstance(ex, str) or not ex.strip():
                raise ElicitationError(f"expert ids must be non-empty strings, got {ex!r}")
        dup = sorted({ex for ex in experts if experts.count(ex) > 1})
        if dup:
            raise ElicitationError(f"expert ids must be unique; repeated: {', '.join(dup)}")
        if not items:
            raise ElicitationError("a study needs at least one item")
        for it in items:
            if not isinstance(it, Item):
                raise ElicitationError(f"items must be Item objects, got {it!r}")
        names = [it.name for it in items]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ElicitationError(f"item names must be unique; repeated: {', '.join(dup)}")

        try:
            levels = tuple(float(q) for q in self.quantiles)
        except (TypeError, ValueError):
            raise ElicitationError(
                f"quantile levels must be numbers, got {self.quantiles!r}"
            ) from None
        if not levels:
            raise ElicitationError("a study needs at least one quantile level")
        if not all(0.0 < q < 1.0 for q in levels) or any(
            b <= a for a, b in itertools.pairwise(levels)
        ):
            raise ElicitationError(
                f"quantile levels must be strictly increasing and strictly between 0 and 1, "
                f"got {list(levels)} (write 5% as 0.05)"
            )

        try:
            answers = np.array(self.answers, dtype=np.float64, copy=True)
        except (TypeError, ValueError):
            raise ElicitationError("answers must be an array of numbers") from None
        shape = (len(experts), len(items), len(levels))
        if answers.shape != shape:
            raise ElicitationError(
                f"answers has shape {answers.shape}; expected (n_experts, n_items, "
                f"n_quantiles) = {shape}"
            )
        if np.isinf(answers).any():
            e, i, _ = np.argwhere(np.isinf(answers))[0]
            raise ElicitationError(
                f"expert {experts[e]!r}, item {names[i]!r}: answers must be finite "
                "(NaN marks a missing answer)"
            )
        missing = np.isnan(answers)
        partial = missing.any(axis=2) & ~missing.all(axis=2)
        if partial.any():
            e, i = np.argwhere(partial)[0]
            raise ElicitationError(
                f"expert {experts[e]!r}, item {names[i]!r}: some quantiles are missing and "
                "some are not; give all of them or none (all NaN)"
            )
        answered = ~missing[:, :, 0]
        with np.errstate(invalid="ignore"):
            bad_order = answered & (np.diff(answers, axis=2) <= 0.0).any(axis=2)
        if bad_order.any():
            e, i = np.argwhere(bad_order)[0]
            raise ElicitationError(
                f"expert {experts[e]!r}, item {names[i]!r}: quantiles "
                f"{answers[e, i].tolist()} must be strictly increasing"
            )
        for i, it in enumerate(items):
            if not answered[:, i].any():
                raise ElicitationError(f"item {it.name!r}: no expert answered it")
            if it.scale == "log" and (answers[answered[:, i], i, :] <= 0.0).any():
                k = int(np.argwhere(answered[:, i] & (answers[:, i, 0] <= 0.0))[0][0])
                raise ElicitationError(
                    f"expert {experts[k]!r}, item {it.name!r}: the item has a log-uniform "
                    f"background, so answers must be positive, got {answers[k, i].tolist()}"
                )
        answers.setflags(write=False)
        object.__setattr__(self, "experts", experts)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "quantiles", levels)
        object.__setattr__(self, "answers", answers)

    # -- convenience -------------------------------------------------------------------

    @property
    def n_experts(self) -> int:
        """The number of experts."""
        return len(self.experts)

    @property
    def n_items(self) -> int:
        """The number of items (seed and target)."""
        return len(self.items)

    @property
    def item_names(self) -> tuple[str, ...]:
        """The items' names, in order."""
        return tuple(it.name for it in self.items)

    @property
    def seed_mask(self) -> BoolArray:
        """Boolean array over the items, True for seed items."""
        return np.array([it.is_seed for it in self.items], dtype=bool)

    @property
    def realisations(self) -> FloatArray:
        """The realisations, NaN for target items."""
        return np.array(
            [np.nan if it.realisation is None else it.realisation for it in self.items],
            dtype=np.float64,
        )

    def subset(
        self, *, experts: Sequence[str] | None = None, items: Sequence[str] | None = None
    ) -> SeedStudy:
        """The study restricted to some experts and/or items (in the order given)."""
        e_idx = (
            list(range(self.n_experts)) if experts is None
            else [_index_of(self.experts, e, "expert") for e in experts]
        )
        i_idx = (
            list(range(self.n_items)) if items is None
            else [_index_of(self.item_names, n, "item") for n in items]
        )
        return SeedStudy(
            experts=tuple(self.experts[e] for e in e_idx),
            items=tuple(self.items[i] for i in i_idx),
            quantiles=self.quantiles,
            answers=self.answers[np.ix_(e_idx, i_idx)],
        )


def _index_of(names: Sequence[str], name: str, what: str) -> int:
    try:
        return list(names).index(name)
    except ValueError:
        raise ElicitationError(
            f"unknown {what} {name!r}{did_you_mean(name, names)}; "
            f"the {what}s are: {', '.join(names)}"
        ) from None


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionMakerScores:
    """The decision maker's scores: calibration, information over all items and seed items."""

    calibration: float
    information: float
    information_seed: float

    @property
    def combined(self) -> float:
        """calibration x information_seed (the DM's unnormalised global weight)."""
        return self.calibration * self.information_seed


@dataclass(frozen=True, eq=False)
class CookeResult:
    """What :func:`analyze` computes.

    Per-expert arrays follow ``experts``:

    - ``calibration``: the calibration score (p-value, in [0, 1]);
    - ``information`` / ``information_seed``: mean relative information over all answered
      items / answered seed items;
    - ``n_seeds``: the number of seed items the expert answered;
    - ``unnormalised_weights``: calibration x information_seed x [calibration >= alpha]
      (1 for every expert with equal weights);
    - ``weights``: those normalised to sum to 1 (the experts' share of the DM; with item
      weights the actual mixture weights differ per item, see ``item_weights``).

    ``alpha`` is the cutoff used (optimised, given, or 0 for equal weights);
    ``decision_maker`` the DM's scores; ``dm_quantiles`` the DM's quantiles, shape
    ``(n_items, n_quantiles)`` on the items' own scale; ``item_weights`` the mixture weights
    the DM used per expert and item, shape ``(n_experts, n_items)`` (columns sum to 1).
    """

    experts: tuple[str, ...]
    items: tuple[str, ...]
    quantiles: tuple[float, ...]
    weight_scheme: WeightScheme
    alpha: float
    calibration: FloatArray = field(repr=False)
    information: FloatArray = field(repr=False)
    information_seed: FloatArray = field(repr=False)
    n_seeds: IntArray = field(repr=False)
    unnormalised_weights: FloatArray = field(repr=False)
    weights: FloatArray = field(repr=False)
    decision_maker: DecisionMakerScores
    dm_quantiles: FloatArray = field(repr=False)
    item_weights: FloatArray = field(repr=False)

    def to_df(self) -> pd.DataFrame:
        """One row per expert (index ``expert``): the scores and weights."""
        return pd.DataFrame(
            {
                "calibration": self.calibration,
                "information": self.information,
                "information_seed": self.information_seed,
                "n_seeds": self.n_seeds,
                "unnormalised_weight": self.unnormalised_weights,
                "weight": self.weights,
            },
            index=pd.Index(list(self.experts), name="expert"),
        )

    def dm_quantiles_df(self) -> pd.DataFrame:
        """The decision maker's quantiles: one row per item, one column per quantile level."""
        return pd.DataFrame(
            self.dm_quantiles,
            index=pd.Index(list(self.items), name="item"),
            columns=list(self.quantiles),
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data::

            {"alpha": float,
             "experts": [{"id", "calibration", "information", "information_seed", "weight"}...],
             "decision_maker": {"calibration", "information", "information_seed"}}

        ``weight`` is the normalised weight.
        """
        return {
            "alpha": float(self.alpha),
            "experts": [
                {
                    "id": e,
                    "calibration": float(self.calibration[k]),
                    "information": float(self.information[k]),
                    "information_seed": float(self.information_seed[k]),
                    "weight": float(self.weights[k]),
                }
                for k, e in enumerate(self.experts)
            ],
            "decision_maker": {
                "calibration": float(self.decision_maker.calibration),
                "information": float(self.decision_maker.information),
                "information_seed": float(self.decision_maker.information_seed),
            },
        }


# --------------------------------------------------------------------------------------
# The computation
# --------------------------------------------------------------------------------------


class _Background:
    """The intrinsic ranges of a study for a set of experts, and the experts' CDFs.

    Everything here is on the background scale (log of the values for ``log`` items).
    """

    def __init__(self, study: SeedStudy, experts: IntArray, overshoot: float) -> None:
        self.study = study
        self.levels: FloatArray = np.asarray(study.quantiles, dtype=np.float64)
        edges = np.concatenate([[0.0], self.levels, [1.0]])
        # Rounded so that bins of equal probability are exactly equal (1 - 0.95 is
        # 0.05000000000000004 in floating point, 0.05 - 0 is 0.05): mirror-image counts then
        # give bit-identical calibration scores (see calibration()).
        self.p: FloatArray = np.round(np.diff(edges), 12).astype(np.float64)
        self.cdf_levels: FloatArray = edges
        self.is_log: BoolArray = np.array([it.scale == "log" for it in study.items], dtype=bool)
        self.seed: BoolArray = study.seed_mask
        self.real: FloatArray = study.realisations
        self.raw: FloatArray = study.answers[experts]
        self.answered: BoolArray = np.asarray(~np.isnan(self.raw[:, :, 0]), dtype=bool)
        self.bg: FloatArray = self.to_background(self.raw)

        n_items = study.n_items
        self.has_answers: BoolArray = np.asarray(self.answered.any(axis=0), dtype=bool)
        lower = np.full(n_items, np.nan)
        upper = np.full(n_items, np.nan)
        for i in np.flatnonzero(self.has_answers).tolist():
            vals = self.raw[:, i, :][self.answered[:, i]]
            lo, hi = float(vals.min()), float(vals.max())
            if self.seed[i]:
                lo, hi = min(lo, float(self.real[i])), max(hi, float(self.real[i]))
            if self.is_log[i]:
                lo, hi = math.log(lo), math.log(hi)
            lower[i], upper[i] = lo, hi
        span = upper - lower
        self.lower: FloatArray = lower - overshoot * span
        self.upper: FloatArray = upper + overshoot * span
        self.degenerate: BoolArray = self.has_answers & ~(self.upper > self.lower)

        # Per item: the grid of every answer (plus the bounds) and each expert's CDF on it.
        self.grids: list[FloatArray] = []
        self.cdfs: list[FloatArray] = []
        for i in range(n_items):
            vals = self.bg[:, i, :][self.answered[:, i]]
            grid = np.concatenate([[self.lower[i]], np.unique(vals), [self.upper[i]]])
            cdf = np.zeros((grid.size, self.raw.shape[0]))
            for e in np.flatnonzero(self.answered[:, i]):
                xs = np.concatenate([[self.lower[i]], self.bg[e, i], [self.upper[i]]])
                cdf[:, e] = np.interp(grid, xs, self.cdf_levels)
            self.grids.append(grid)
            self.cdfs.append(cdf)

    def to_background(self, raw: FloatArray) -> FloatArray:
        """Answers (..., n_items, n_quantiles) on the background scale."""
        bg = np.array(raw, dtype=np.float64, copy=True)
        if self.is_log.any():
            with np.errstate(invalid="ignore"):
                bg[..., self.is_log, :] = np.log(bg[..., self.is_log, :])
        return bg

    def information(self, raw: FloatArray) -> FloatArray:
        """Relative information per (expert, item), NaN where not answered."""
        bg = self.to_background(raw)
        k = bg.shape[0]
        lo = np.broadcast_to(self.lower[None, :, None], (k, bg.shape[1], 1))
        hi = np.broadcast_to(self.upper[None, :, None], (k, bg.shape[1], 1))
        widths = np.diff(np.concatenate([lo, bg, hi], axis=2), axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return cast(
                FloatArray,
                np.log(self.upper - self.lower)[None, :]
                + np.sum(self.p * np.log(self.p / widths), axis=2),
            )

    def counts(self, raw: FloatArray) -> IntArray:
        """Realisations per inter-quantile bin, per expert: shape (k, n_quantiles + 1)."""
        seed_raw = raw[:, self.seed, :]
        answered = ~np.isnan(seed_raw[:, :, 0])
        r = self.real[self.seed]
        with np.errstate(invalid="ignore"):
            bins = (seed_raw < r[None, :, None]).sum(axis=2)
        out = np.zeros((raw.shape[0], self.levels.size + 1), dtype=np.intp)
        for e in range(raw.shape[0]):
            out[e] = np.bincount(bins[e][answered[e]], minlength=self.levels.size + 1)
        return out

    def calibration(self, counts: IntArray, n_min: int, power: float) -> FloatArray:
        """Calibration scores from bin counts; N = ``n_min``.

        I(s, p) is summed with :func:`math.fsum`, which does not depend on the order of the
        terms: experts whose counts are mirror images (same I mathematically, e.g. (2,1,4,1)
        and (1,1,4,2) with p = (.05, .45, .45, .05)) get bit-identical scores, so a cutoff at
        one of them never splits them by a rounding error.
        """
        totals = counts.sum(axis=1, keepdims=True)
        s = counts / totals
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(s > 0.0, s * np.log(s / self.p), 0.0)
        info = np.array([math.fsum(row) for row in terms.tolist()], dtype=np.float64)
        stat = 2.0 * n_min * info * power
        return np.asarray(chi2.sf(stat, df=self.levels.size), dtype=np.float64)

    def decision_maker(self, weights: FloatArray) -> tuple[FloatArray, FloatArray] | None:
        """The DM's quantiles (own scale) for mixture weights (n_experts, n_items).

        Returns the quantiles (n_items, n_quantiles) and the weights actually used (renormalised
        on items some experts did not answer), or None when some item has no expert with
        positive weight who answered it.
        """
        n_items = weights.shape[1]
        dm = np.empty((n_items, self.levels.size))
        used = np.array(weights, dtype=np.float64, copy=True)
        for i in range(n_items):
            w = used[:, i]
            missing = ~self.answered[:, i]
            if missing.any():
                w[missing] = 0.0
                total = w.sum()
                if not total > 0.0:
                    return None
                w /= total
            if not np.isfinite(w).all() or not w.sum() > 0.0:
                return None
            mixed = self.cdfs[i] @ w
            q = np.interp(self.levels, mixed, self.grids[i])
            dm[i] = np.exp(q) if self.is_log[i] else q
        return dm, used

    def score(self, raw: FloatArray, n_min: int, power: float) -> tuple[FloatArray, ...]:
        """(calibration, information, information_seed, info per item) for answers raw."""
        info_item = self.information(raw)
        cal = self.calibration(self.counts(raw), n_min, power)
        return cal, _nanmean(info_item), _nanmean(info_item[:, self.seed]), info_item


def _nanmean(x: FloatArray) -> FloatArray:
    n = (~np.isnan(x)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cast(FloatArray, np.nansum(x, axis=1) / n)


def _mixture_weights(
    scheme: str, cal: FloatArray, info_seed: FloatArray, info_item: FloatArray, alpha: float
) -> FloatArray | None:
    """Mixture weights (n_experts, n_items), columns summing to 1; None if undefined."""
    n_experts, n_items = info_item.shape
    if scheme == "equal":
        return np.full((n_experts, n_items), 1.0 / n_experts)
    above = (cal >= alpha).astype(np.float64)
    if scheme == "global":
        w = info_seed * cal * above
        total = w.sum()
        if not total > 0.0:
            return None
        return np.repeat((w / total)[:, None], n_items, axis=1)
    w_item = np.nan_to_num(info_item, nan=0.0) * (cal * above)[:, None]
    totals = w_item.sum(axis=0)
    if not (totals > 0.0).all():
        return None
    return cast(FloatArray, w_item / totals[None, :])


@dataclass(frozen=True)
class _Choice:
    alpha: float
    weights: FloatArray
    dm: FloatArray
    scores: DecisionMakerScores


def _choose(
    bg: _Background,
    scheme: str,
    cal: FloatArray,
    info_seed: FloatArray,
    info_item: FloatArray,
    alpha: float | None,
    n_min: int,
    power: float,
) -> _Choice:
    """Build the decision maker, optimising the cutoff when alpha is None."""
    if scheme == "equal":
        candidates = [0.0]
    elif alpha is None:
        candidates = [float(a) for a in np.unique(cal)]
    else:
        if alpha > float(cal.max()):
            raise ElicitationError(
                f"alpha = {alpha:g} is above every expert's calibration score (the highest "
                f"is {float(cal.max()):.6g}), so no expert would get any weight; choose a "
                "lower alpha or alpha=None to optimise it"
            )
        candidates = [alpha]

    best: _Choice | None = None
    best_score = -math.inf
    for a in candidates:
        weights = _mixture_weights(scheme, cal, info_seed, info_item, a)
        if weights is None:
            continue
        built = bg.decision_maker(weights)
        if built is None:
            continue
        dm, weights = built
        d_cal, d_info, d_seed, _ = bg.score(dm[None], n_min, power)
        scores = DecisionMakerScores(float(d_cal[0]), float(d_info[0]), float(d_seed[0]))
        combined = scores.calibration * scores.information_seed * float(scores.calibration >= a)
        if best is None or combined > best_score:
            best, best_score = _Choice(a, weights, dm, scores), combined
    if best is None:
        what = "the given alpha" if alpha is not None else "any alpha"
        raise ElicitationError(
            f"no decision maker can be formed with {scheme} weights at {what}: some item has "
            "no answer from an expert with positive weight"
        )
    return best


def _check_options(weights: str, alpha: float | None, overshoot: float, power: float) -> None:
    if weights not in _SCHEMES:
        raise ElicitationError(
            f"unknown weights {weights!r}{did_you_mean(str(weights), _SCHEMES)}; "
            f"use one of: {', '.join(_SCHEMES)}"
        )
    if alpha is not None:
        if weights == "equal":
            raise ElicitationError(
                "alpha (the calibration cutoff) applies to global and item weights only; "
                "leave it as None with weights='equal'"
            )
        if isinstance(alpha, bool) or not isinstance(alpha, int | float):
            raise ElicitationError(f"alpha must be a number in [0, 1] or None, got {alpha!r}")
        if not 0.0 <= alpha <= 1.0:
            raise ElicitationError(f"alpha must be in [0, 1] or None, got {alpha}")
    if isinstance(overshoot, bool) or not isinstance(overshoot, int | float):
        raise ElicitationError(f"overshoot must be a number >= 0, got {overshoot!r}")
    if not (math.isfinite(overshoot) and overshoot >= 0.0):
        raise ElicitationError(f"overshoot must be a finite number >= 0, got {overshoot}")
    if isinstance(power, bool) or not isinstance(power, int | float):
        raise ElicitationError(f"calibration_power must be a number > 0, got {power!r}")
    if not (math.isfinite(power) and power > 0.0):
        raise ElicitationError(f"calibration_power must be a finite number > 0, got {power}")


def _check_study(study: SeedStudy, bg: _Background) -> None:
    if not isinstance(study, SeedStudy):
        raise ElicitationError(f"expected a SeedStudy, got {type(study).__name__}")
    if not bg.seed.any():
        raise ElicitationError(
            "the study has no seed items (items with a realisation), so no expert can be "
            "calibrated"
        )
    n_seeds = bg.answered[:, bg.seed].sum(axis=1)
    lazy = [study.experts[e] for e in np.flatnonzero(n_seeds == 0)]
    if lazy:
        raise ElicitationError(
            f"expert(s) {', '.join(lazy)} answered none of the seed items, so they cannot be "
            "calibrated; leave them out (SeedStudy.subset)"
        )
    if bg.degenerate.any():
        name = study.items[int(np.flatnonzero(bg.degenerate)[0])].name
        raise ElicitationError(
            f"item {name!r}: every answer and the realisation are the same number, so its "
            "intrinsic range is empty"
        )


def analyze(
    study: SeedStudy,
    *,
    weights: WeightScheme = "global",
    alpha: float | None = None,
    overshoot: float = 0.1,
    calibration_power: float = 1.0,
) -> CookeResult:
    """Score the experts of ``study`` and build the decision maker (Cooke's classical model).

    Args:
        study: the study.
        weights: ``"global"`` (calibration x seed information), ``"item"`` (calibration x
            information on each item) or ``"equal"``.
        alpha: the calibration cutoff: experts with calibration below it get no weight.
            ``None`` (default) optimises it: every distinct calibration score is tried and the
            one maximising the DM's calibration x seed information is kept. Must be None with
            equal weights (alpha is then reported as 0).
        overshoot: the intrinsic-range overshoot *k* (default 0.1).
        calibration_power: multiplies the calibration statistic 2 N I(s, p) (default 1).

    See the module docstring for the formulas. Raises :class:`ElicitationError` for bad
    options, a study without seed items, an expert who answered no seed item, or a fixed
    alpha above every calibration score.
    """
    _check_options(weights, alpha, overshoot, calibration_power)
    if not isinstance(study, SeedStudy):
        raise ElicitationError(f"expected a SeedStudy, got {type(study).__name__}")
    everyone = np.arange(study.n_experts)
    bg = _Background(study, everyone, float(overshoot))
    _check_study(study, bg)
    power = float(calibration_power)

    n_seeds = bg.answered[:, bg.seed].sum(axis=1).astype(np.intp)
    n_min = int(n_seeds.min())
    cal, info, info_seed, info_item = bg.score(bg.raw, n_min, power)
    choice = _choose(
        bg, weights, cal, info_seed, info_item,
        None if alpha is None else float(alpha), n_min, power,
    )
    if weights == "equal":
        unnormalised = np.ones(study.n_experts)
    else:
        unnormalised = cal * info_seed * (cal >= choice.alpha)
    normalised = unnormalised / unnormalised.sum()
    return CookeResult(
        experts=study.experts,
        items=study.item_names,
        quantiles=study.quantiles,
        weight_scheme=weights,
        alpha=choice.alpha,
        calibration=cal,
        information=info,
        information_seed=info_seed,
        n_seeds=n_seeds,
        unnormalised_weights=unnormalised,
        weights=normalised,
        decision_maker=choice.scores,
        dm_quantiles=choice.dm,
        item_weights=choice.weights,
    )


def robustness(
    study: SeedStudy,
    *,
    leave_out: Literal["experts", "items"] = "experts",
    weights: WeightScheme = "global",
    alpha: float | None = None,
    overshoot: float = 0.1,
    calibration_power: float = 1.0,
) -> pd.DataFrame:
    """The decision maker's scores with each expert, or each seed item, left out.

    One row per left-out expert (``leave_out="experts"``) or seed item (``"items"``), indexed
    by its id/name (index name ``left_out``), with columns ``calibration``, ``information``,
    ``information_seed`` (the DM's scores) and ``alpha`` (the cutoff used); a row is NaN
    where no decision maker can be formed (e.g. a fixed alpha above every remaining
    calibration score). The other options are those of :func:`analyze`.

    As ANDURYL reports it:

    - leaving out a seed item is analysing the study without that item (calibration and
      seed information are recomputed on the remaining seed items, N included);
    - leaving out an expert keeps the remaining experts' calibration scores and N from the
      full study, and recomputes the intrinsic ranges, the information scores and the
      decision maker from the remaining experts.

    This agrees with ANDURYL 1.2.2 except where ANDURYL is wrong: (1) when the seed items are
    not the first items of the study, ANDURYL leaves out the wrong item from the DM (it
    compares a seed-item index with an item index) and, with item weights, zeroes the
    weights of the wrong item; (2) with missing answers, its leave-one-expert-out
    information scores are written to the wrong expert's row; (3) leaving out an expert, it
    chooses alpha with the DM's information measured on the full study's intrinsic ranges
    but reports it on the remaining experts' ranges (here both use the remaining experts');
    (4) where no DM can be formed (a fixed alpha above every remaining calibration score,
    or a cutoff leaving an item unanswered) it reports numbers computed from an empty or
    partial mixture (infinite information, or a DM scored only on the items it has), where
    this gives NaN or skips that cutoff.
    """
    _check_options(weights, alpha, overshoot, calibration_power)
    if leave_out not in ("experts", "items"):
        raise ElicitationError(f"leave_out must be 'experts' or 'items', got {leave_out!r}")
    if not isinstance(study, SeedStudy):
        raise ElicitationError(f"expected a SeedStudy, got {type(study).__name__}")
    power = float(calibration_power)
    fixed = None if alpha is None else float(alpha)
    rows: dict[str, tuple[float, float, float, float]] = {}
    nan_row = (math.nan, math.nan, math.nan, math.nan)

    if leave_out == "items":
        seeds = [it.name for it in study.items if it.is_seed]
        if len(seeds) < 2:
            raise ElicitationError("leaving out seed items needs at least two seed items")
        for name in seeds:
            keep = [n for n in study.item_names if n != name]
            try:
                res = analyze(
                    study.subset(items=keep), weights=weights, alpha=fixed,
                    overshoot=overshoot, calibration_power=power,
                )
            except ElicitationError:
                rows[name] = nan_row
                continue
            dm = res.decision_maker
            rows[name] = (dm.calibration, dm.information, dm.information_seed, res.alpha)
    else:
        if study.n_experts < 2:
            raise ElicitationError("leaving out experts needs at least two experts")
        full = _Background(study, np.arange(study.n_experts), float(overshoot))
        _check_study(study, full)
        n_min = int(full.answered[:, full.seed].sum(axis=1).min())
        cal_full = full.calibration(full.counts(full.raw), n_min, power)
        for k, expert in enumerate(study.experts):
            others = np.array([e for e in range(study.n_experts) if e != k], dtype=np.intp)
            bg = _Background(study, others, float(overshoot))
            if not bg.has_answers.all() or bg.degenerate.any():
                rows[expert] = nan_row
                continue
            info_item = bg.information(bg.raw)
            try:
                choice = _choose(
                    bg, weights, cal_full[others], _nanmean(info_item[:, bg.seed]), info_item,
                    fixed, n_min, power,
                )
            except ElicitationError:
                rows[expert] = nan_row
                continue
            dm = choice.scores
            rows[expert] = (dm.calibration, dm.information, dm.information_seed, choice.alpha)

    df = pd.DataFrame.from_dict(
        rows, orient="index",
        columns=["calibration", "information", "information_seed", "alpha"],
    )
    df.index.name = "left_out"
    return df
