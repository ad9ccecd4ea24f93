"""Strength of influence of each arc: how far a parent's state moves its child's distribution.

GeNIe draws arcs thicker where the parent matters more ("strength of influence", Koiter
2006, *Visualizing inference in Bayesian networks*, MSc thesis, TU Delft), after Boerlage's
link strength (1992, *Link strength in Bayesian networks*, MSc thesis, UBC). Here, for an
arc ``X -> Y`` whose child has other parents ``U``, with ``d`` a distance between two
distributions of ``Y``::

    strength(X -> Y) = aggregate over u (configurations of U) and pairs x < x' (states of X)
                       of d( P(Y | X=x, U=u), P(Y | X=x', U=u) )

read straight off the CPT (no inference: it is a property of the model's numbers, not of a
query). ``aggregate`` is ``"max"`` (the largest effect the parent can have: 0 means the arc
could be removed) or ``"mean"`` (uniform over ``u`` and the pairs). Distances, all in [0, 1]:

- ``"hellinger"``: ``sqrt(1/2 sum (sqrt p - sqrt q)^2)``;
- ``"total_variation"``: ``1/2 sum |p - q|`` (the largest difference in any event's
  probability);
- ``"euclidean"``: ``sqrt(sum (p - q)^2 / 2)``;
- ``"js"``: Jensen-Shannon divergence in bits, ``1/2 KL(p||m) + 1/2 KL(q||m)``, ``m`` the mean.

Known answer: ``P(Y=yes | X=no) = 0.2``, ``P(Y=yes | X=yes) = 0.8``: total variation 0.6,
Euclidean 0.6, Hellinger ``sqrt(0.8) - sqrt(0.2) = 0.4472``, JS ``H(m) - (H(p) + H(q)) / 2
= 1 - 0.7219 = 0.2781`` bits (``H`` the entropy in bits, ``m = (0.5, 0.5)``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..errors import AnalysisError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..model import Model

__all__ = ["MEASURES", "ArcStrength", "analyze", "distance"]

Measure = Literal["hellinger", "total_variation", "euclidean", "js"]
Aggregate = Literal["max", "mean"]
MEASURES: tuple[str, ...] = ("hellinger", "total_variation", "euclidean", "js")


def distance(p: np.ndarray, q: np.ndarray, measure: str) -> np.ndarray:
    """Distance between distributions along the last axis (see the module docstring)."""
    if measure == "hellinger":
        return np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2, axis=-1))
    if measure == "total_variation":
        return 0.5 * np.sum(np.abs(p - q), axis=-1)
    if measure == "euclidean":
        return np.sqrt(0.5 * np.sum((p - q) ** 2, axis=-1))
    if measure == "js":
        m = 0.5 * (p + q)
        with np.errstate(divide="ignore", invalid="ignore"):
            kp = np.where(p > 0, p * np.log2(p / m), 0.0)
            kq = np.where(q > 0, q * np.log2(q / m), 0.0)
        return np.maximum(0.5 * (kp.sum(axis=-1) + kq.sum(axis=-1)), 0.0)
    raise AnalysisError(f"unknown measure {measure!r}; the measures are: {', '.join(MEASURES)}")


@dataclass(frozen=True)
class ArcStrength:
    """Every arc's strength: ``rows`` of (parent, child, strength, where the maximum is)."""

    rows: tuple[tuple[str, str, float, str], ...]
    measure: str
    aggregate: str

    def to_df(self) -> pd.DataFrame:
        """One row per arc, strongest first: parent, child, strength, and ``at_max`` (the
        two parent states and the other parents' states where the arc is strongest)."""
        df = pd.DataFrame(list(self.rows), columns=["parent", "child", "strength", "at_max"])
        return df.sort_values("strength", ascending=False, kind="stable").reset_index(drop=True)

    def weights(self) -> dict[tuple[str, str], float]:
        """``{(parent, child): strength}``, for :func:`cohesion_bn.plot_network`'s
        ``arc_weights``."""
        return {(p, c): s for p, c, s, _ in self.rows}

    def plot(self, model: Model, *, ax: Axes | None = None) -> Axes:
        """The network with each arc as thick as its strength."""
        from ..plots import plot_network

        return plot_network(model, arc_weights=self.weights(), ax=ax)


def analyze(model: Model, *, measure: Measure = "hellinger",
            aggregate: Aggregate = "max") -> ArcStrength:
    """The strength of every arc of ``model`` (see the module docstring)."""
    if measure not in MEASURES:
        raise AnalysisError(f"unknown measure {measure!r}; the measures are: "
                            f"{', '.join(MEASURES)}")
    if aggregate not in ("max", "mean"):
        raise AnalysisError(f"unknown aggregate {aggregate!r}; use 'max' or 'mean'")
    rows: list[tuple[str, str, float, str]] = []
    for child in model.nodes:
        parents = list(model.parents(child))
        cpt = np.moveaxis(model.cpt(child), 0, -1)  # (*parent cards, child states)
        for k, parent in enumerate(parents):
            axis_first = np.moveaxis(cpt, k, 0)  # (parent states, *other parents, child)
            n = axis_first.shape[0]
            values: list[float] = []
            best = (-1.0, "")
            others = [q for q in parents if q != parent]
            for a, b in itertools.combinations(range(n), 2):
                d = distance(axis_first[a], axis_first[b], measure).reshape(-1)
                values.extend(float(x) for x in d)
                i = int(np.argmax(d))
                if float(d[i]) > best[0]:
                    config = np.unravel_index(i, axis_first.shape[1:-1]) if others else ()
                    states = model.states(parent)
                    given = ", ".join(f"{q}={model.states(q)[int(c)]}"
                                      for q, c in zip(others, config, strict=True))
                    where = f"{parent}={states[a]} vs {states[b]}" + (f" | {given}"
                                                                       if given else "")
                    best = (float(d[i]), where)
            strength = max(values) if aggregate == "max" else float(np.mean(values))
            rows.append((parent, child, strength, best[1]))
    return ArcStrength(tuple(rows), measure, aggregate)
