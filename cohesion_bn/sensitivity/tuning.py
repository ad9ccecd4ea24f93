r"""Parameter tuning: the smallest single-parameter change that makes a constraint hold.

SamIam-style (Chan & Darwiche 2002, 2004): given a constraint on the posterior, find for
every CPT entry the value closest to its current one at which the constraint holds (the
other entries of its column co-varied, see :mod:`.oneway`), and rank the candidates by
how much each changes the whole distribution.

The maths
---------
Every supported constraint is a fixed linear combination of joint probabilities (the
denominator :math:`P(e) > 0` multiplies through):

- :math:`P(t_1 \mid e) \ge p`: :math:`L = P(t_1, e) - p\,P(e)`;
- :math:`P(t_1 \mid e) \le p`: :math:`L = p\,P(e) - P(t_1, e)`;
- :math:`P(t_1 \mid e) - P(t_2 \mid e) \ge \delta`: :math:`L = P(t_1,e) - P(t_2,e) -
  \delta P(e)`;
- :math:`P(t_1 \mid e) / P(t_2 \mid e) \ge r`: :math:`L = P(t_1,e) - r\,P(t_2,e)` (for
  :math:`P(t_2, e) > 0`);

each as :math:`L \ge 0` (and ``<=`` by a change of sign). Each joint is linear in a
column of a CPT, and a co-variation scheme makes the column affine in the varied entry
:math:`x` (on at most two pieces), so :math:`L(x) = \alpha x + \beta` exactly, from the
same reverse sweep that gives the one-way sensitivity functions. The constraint holds on the
half-line
:math:`\alpha x + \beta \ge 0` intersected with the scheme's domain: an interval, whose
point nearest the current value :math:`x_0` is the smallest change -- solved exactly, no
root finding. At that point the constraint holds with equality (up to rounding) unless
it already held at :math:`x_0` (possible under uniform co-variation, which changes the
column even at :math:`x_0`).

**Ranking.** Candidates are ordered by the Chan-Darwiche distance between the original
and the tuned network (Chan & Darwiche 2005), which for a change to one column
:math:`\theta \to \theta'` is

.. math::

    D_{CD} = \ln \max_i \frac{\theta'_i}{\theta_i} - \ln \min_i \frac{\theta'_i}{\theta_i}

(with :math:`0/0 = 1`; infinite if an entry moves off or onto 0). Under proportional
co-variation it is :math:`|\ln(x/x_0) - \ln((1-x)/(1-x_0))|` (Chan & Darwiche 2002). It
bounds the change of *every* query: :math:`e^{-D} \le O'(\alpha \mid \beta) / O(\alpha
\mid \beta) \le e^{D}` for the odds of any events.

If no single parameter can make the constraint hold, the result says so
(:attr:`TuningResult.feasible` is False and :meth:`TuningResult.message` explains); that
is an answer, not an error.

References
----------
- H. Chan, A. Darwiche (2002). When do numbers really matter? *JAIR* 17:265-287.
- H. Chan, A. Darwiche (2004). Sensitivity analysis in Bayesian networks: from single to
  multiple parameters. *UAI 20*, 67-75.
- H. Chan, A. Darwiche (2005). A distance measure for bounding probabilistic belief
  change. *IJAR* 38(2):149-174.
- S. Renooij (2014). Co-variation for sensitivity analysis in Bayesian networks. *IJAR*
  55(4):1022-1042.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import AnalysisError, ImpossibleEvidenceError
from ._target import EvidenceLike, Target, TargetLike, compile_model, parse_target
from .oneway import Scheme, _check_scheme, _pieces

if TYPE_CHECKING:
    import pandas as pd

    from ..engine import CompiledNetwork
    from ..model import Model

__all__ = ["Constraint", "TuningCandidate", "TuningResult", "analyze", "cd_distance"]

Kind = Literal["probability", "difference", "ratio"]


@dataclass(frozen=True)
class Constraint:
    """``P(t1|e) op bound`` (``kind="probability"``), ``P(t1|e) - P(t2|e) op bound``
    (``"difference"``) or ``P(t1|e) / P(t2|e) op bound`` (``"ratio"``); ``op`` is
    ``">="`` or ``"<="``. ``target`` carries the evidence; ``other`` is ``t2``."""

    target: Target
    op: str
    bound: float
    kind: Kind = "probability"
    other: Target | None = None

    def label(self) -> str:
        given = self.target.describe_evidence()
        bar = f" | {given}" if given else ""
        lhs = f"P({self.target.node}={self.target.state}{bar})"
        if self.other is not None:
            sym = " - " if self.kind == "difference" else " / "
            lhs += f"{sym}P({self.other.node}={self.other.state}{bar})"
        return f"{lhs} {self.op} {self.bound:g}"

    def weights(self) -> tuple[float, float, float]:
        """``(w1, w2, we)``: the constraint is ``w1 P(t1,e) + w2 P(t2,e) + we P(e) >= 0``."""
        s = 1.0 if self.op == ">=" else -1.0
        if self.kind == "probability":
            return s, 0.0, -s * self.bound
        if self.kind == "difference":
            return s, -s, -s * self.bound
        return s, -s * self.bound, 0.0

    def value(self, n1: Any, n2: Any, pe: Any) -> Any:
        """The constrained quantity from the joints ``P(t1,e)``, ``P(t2,e)``, ``P(e)``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "probability":
                return n1 / pe
            if self.kind == "difference":
                return (n1 - n2) / pe
            return n1 / n2


@dataclass(frozen=True)
class TuningCandidate:
    """One CPT entry that can make the constraint hold on its own.

    ``old_value``/``new_value``: the entry before and after; ``achieved``: the constrained
    quantity after the change; ``cd_distance``: the Chan-Darwiche distance of the change;
    ``column_before``/``column_after``: the whole column (node states in model order).
    """

    node: str
    parents: Mapping[str, str]
    state: str
    old_value: float
    new_value: float
    achieved: float
    cd_distance: float
    column_before: tuple[float, ...]
    column_after: tuple[float, ...]

    @property
    def change(self) -> float:
        return self.new_value - self.old_value

    def label(self) -> str:
        given = ", ".join(f"{p}={s}" for p, s in self.parents.items())
        return f"P({self.node}={self.state}" + (f" | {given})" if given else ")")

    def to_record(self) -> dict[str, Any]:
        return {"node": self.node, "parents": dict(self.parents), "state": self.state,
                "old_value": self.old_value, "new_value": self.new_value,
                "change": self.change, "achieved": self.achieved,
                "cd_distance": None if not np.isfinite(self.cd_distance)
                else self.cd_distance,
                "column_before": list(self.column_before),
                "column_after": list(self.column_after)}


@dataclass(frozen=True)
class TuningResult:
    """Every single-parameter change that makes ``constraint`` hold, best first.

    ``current``: the constrained quantity in the original model; ``satisfied``: whether
    the constraint holds already (then no change is needed and ``candidates`` is empty);
    ``candidates``: sorted by Chan-Darwiche distance, then by ``|change|``.
    """

    constraint: Constraint
    scheme: str
    current: float
    satisfied: bool
    candidates: tuple[TuningCandidate, ...]

    @property
    def feasible(self) -> bool:
        """True if the constraint holds or at least one parameter can make it hold."""
        return self.satisfied or bool(self.candidates)

    @property
    def best(self) -> TuningCandidate | None:
        return self.candidates[0] if self.candidates else None

    def message(self) -> str:
        c = self.constraint.label()
        if self.satisfied:
            return f"{c} holds already (value {self.current:.6g}); no change needed"
        if not self.candidates:
            return (f"no single parameter can make {c} hold (now {self.current:.6g}) under "
                    f"{self.scheme} co-variation; change several parameters, or the model")
        b = self.candidates[0]
        return (f"{len(self.candidates)} parameter(s) can make {c} hold (now "
                f"{self.current:.6g}); the smallest change by CD distance: {b.label()} "
                f"{b.old_value:.6g} -> {b.new_value:.6g} (distance {b.cd_distance:.4g})")

    def to_records(self) -> list[dict[str, Any]]:
        return [c.to_record() for c in self.candidates]

    def to_df(self) -> pd.DataFrame:
        import pandas as pd

        cols = ["node", "parents", "state", "old_value", "new_value", "change", "achieved",
                "cd_distance"]
        return pd.DataFrame([{
            "node": c.node, "parents": ", ".join(f"{p}={s}" for p, s in c.parents.items()),
            "state": c.state, "old_value": c.old_value, "new_value": c.new_value,
            "change": c.change, "achieved": c.achieved, "cd_distance": c.cd_distance,
        } for c in self.candidates], columns=cols)


def cd_distance(before: Sequence[float] | np.ndarray, after: Sequence[float] | np.ndarray
                ) -> float | np.ndarray:
    """Chan-Darwiche distance between two columns (last axis), ``0/0`` counted as 1."""
    p = np.asarray(before, dtype=float)
    q = np.asarray(after, dtype=float)
    both0 = (p == 0) & (q == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(both0, np.nan, q / np.where(p == 0, 0.0, p))
        ratio = np.where((p == 0) & (q > 0), np.inf, ratio)
        lr = np.log(ratio)
        hi = np.nanmax(np.where(np.isnan(lr), -np.inf, lr), axis=-1)
        lo = np.nanmin(np.where(np.isnan(lr), np.inf, lr), axis=-1)
        out = hi - lo
    out = np.where(np.isnan(out), np.inf, np.maximum(out, 0.0))
    return float(out) if np.ndim(out) == 0 else out


def _joints(cn: CompiledNetwork, t: Target, wrt: list[str] | None
            ) -> tuple[float, dict[str, np.ndarray], float, dict[str, np.ndarray]]:
    g = cn.gradient(t.node, wrt=wrt, **t.engine_kwargs())
    assert g.joint is not None and g.d_joint is not None
    k = t.state_index
    return (float(g.joint[0, k]), {n: a[0, k] for n, a in g.d_joint.items()},
            float(g.p_evidence[0]), {n: a[0] for n, a in g.d_evidence.items()})


def analyze(
    model: Model,
    target: TargetLike,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    minus: TargetLike | None = None,
    over: TargetLike | None = None,
    evidence: EvidenceLike = None,
    likelihood: Mapping[str, Sequence[float] | Mapping[str, float]] | None = None,
    scheme: Scheme = "proportional",
    nodes: Iterable[str] | None = None,
    network: CompiledNetwork | None = None,
) -> TuningResult:
    """Every single CPT entry whose change alone makes the constraint hold.

    The constraint is ``P(target | e) >= at_least`` or ``<= at_most`` (exactly one);
    with ``minus="NODE=STATE"`` it is on the difference ``P(t|e) - P(minus|e)``, with
    ``over="NODE=STATE"`` on the ratio ``P(t|e) / P(over|e)`` (same evidence). ``scheme``:
    the co-variation (:data:`.oneway.SCHEMES`); ``nodes``: only these nodes' CPTs.
    """
    _check_scheme(scheme)
    if (at_least is None) == (at_most is None):
        raise AnalysisError("give exactly one of at_least= and at_most=")
    if minus is not None and over is not None:
        raise AnalysisError("give at most one of minus= (a difference) and over= (a ratio)")
    bound = float(at_least if at_least is not None else at_most)  # type: ignore[arg-type]
    if not np.isfinite(bound):
        raise AnalysisError(f"the bound must be a finite number, not {bound}")
    op = ">=" if at_least is not None else "<="
    t1 = parse_target(model, target, evidence=evidence, likelihood=likelihood)
    kind: Kind = "probability"
    t2: Target | None = None
    if minus is not None or over is not None:
        kind = "difference" if minus is not None else "ratio"
        other = minus if minus is not None else over
        assert other is not None
        t2 = parse_target(model, other, evidence=dict(t1.evidence),
                          likelihood=dict(t1.likelihood) or None)
    if kind == "ratio" and bound < 0:
        raise AnalysisError("a ratio of probabilities is >= 0; give a bound >= 0")
    constraint = Constraint(t1, op, bound, kind, t2)
    cn = network if network is not None else compile_model(model)
    wanted = list(cn.nodes) if nodes is None else [model.resolve_node(n, context="nodes")
                                                   for n in nodes]
    n1, g1, pe, ge = _joints(cn, t1, None if nodes is None else wanted)
    if not pe > 0:
        raise ImpossibleEvidenceError(f"the evidence ({t1.describe_evidence()}) has "
                                      "probability 0; no posterior to tune")
    if t2 is not None:
        n2, g2, _, _ = _joints(cn, t2, None if nodes is None else wanted)
    else:
        n2, g2 = 0.0, {k: np.zeros_like(v) for k, v in g1.items()}
    if kind == "ratio" and not n2 > 0:
        raise AnalysisError(f"P({t2.node}={t2.state} | e) is 0: the ratio is undefined"  # type: ignore[union-attr]
                            )
    current = float(constraint.value(np.float64(n1), np.float64(n2), np.float64(pe)))
    w1, w2, we = constraint.weights()
    l0 = w1 * n1 + w2 * n2 + we * pe
    tol = 1e-12 * pe
    if l0 >= -tol:
        return TuningResult(constraint, scheme, current, True, ())
    cpts, states, parents = cn.cpts, cn.states, cn.parents
    found: list[TuningCandidate] = []
    for node in wanted:
        cpt = np.asarray(cpts[node], dtype=float)
        n = cpt.shape[0]
        if n < 2:
            continue
        theta = cpt.reshape(n, -1)
        gs = [g1[node].reshape(n, -1), g2[node].reshape(n, -1), ge[node].reshape(n, -1)]
        gl = w1 * gs[0] + w2 * gs[1] + we * gs[2]
        pc = _pieces(theta, scheme)
        best_x = np.full(theta.shape, np.nan)
        best_p = np.zeros(theta.shape, dtype=int)
        best_d = np.full(theta.shape, np.inf)
        for p, (alpha, beta, plo, phi) in enumerate(zip(pc.alpha, pc.beta, pc.lo, pc.hi,
                                                        strict=True)):
            shift = alpha - theta[None]
            a = np.einsum("jim,im->jm", beta, gl)
            b = l0 + np.einsum("jim,im->jm", shift, gl)
            with np.errstate(divide="ignore", invalid="ignore"):
                root = -b / a
            lo = np.where(a > 0, np.maximum(plo, root), plo)
            hi = np.where(a < 0, np.minimum(phi, root), phi)
            empty = (lo > hi) | ((a == 0) & (b < -tol))
            x = np.clip(theta, lo, hi)
            dist = np.where(empty | ~pc.valid, np.inf, np.abs(x - theta))
            better = dist < best_d
            best_x = np.where(better, x, best_x)
            best_p = np.where(better, p, best_p)
            best_d = np.where(better, dist, best_d)
        js, ks = np.nonzero(np.isfinite(best_d))
        if js.size == 0:
            continue
        combos = list(itertools.product(*(states[q] for q in parents[node])))
        for j, k in zip(js.tolist(), ks.tolist(), strict=True):
            p = int(best_p[j, k])
            x = float(best_x[j, k])
            new_col = pc.alpha[p][j, :, k] + pc.beta[p][j, :, k] * x
            new_col[j] = x
            new_col = np.clip(new_col, 0.0, 1.0)
            d = new_col - theta[:, k]
            j1 = n1 + float(gs[0][:, k] @ d)
            j2 = n2 + float(gs[1][:, k] @ d)
            jpe = pe + float(gs[2][:, k] @ d)
            if not jpe > 1e-9 * pe or (kind == "ratio" and not j2 > 1e-9 * pe):
                continue  # the tuned query would be undefined (P(e) = 0 there)
            found.append(TuningCandidate(
                node, dict(zip(parents[node], combos[k], strict=True)), states[node][j],
                float(theta[j, k]), x, float(constraint.value(np.float64(j1), np.float64(j2),
                                                               np.float64(jpe))),
                float(cd_distance(theta[:, k], new_col)),
                tuple(float(v) for v in theta[:, k]), tuple(float(v) for v in new_col)))
    found.sort(key=lambda c: (c.cd_distance, abs(c.change)))
    return TuningResult(constraint, scheme, current, False, tuple(found))
