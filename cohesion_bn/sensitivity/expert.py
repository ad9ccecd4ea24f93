r"""Sensitivity to the numbers experts gave: ranked-node weights and variance.

A ranked node's CPT (Fenton, Neil & Caballero 2007; :mod:`cohesion_bn.cpt.ranked`) is
built from a few parameters -- a weight per parent (``weights``), the spread
(``variance``), the two ``mix`` weights of ``mixminmax``, and the same per ``case`` when
an unordered parent splits the table. Those are what an expert answers for, so this
module reports the target's sensitivity to *them* rather than to CPT entries.

The maths
---------
For a parameter :math:`\phi` of node :math:`X`'s table :math:`\Theta_X(\phi)`, by the
chain rule,

.. math::

    \frac{d P(t \mid e)}{d \phi} = \sum_{x, u}
        \frac{\partial P(t \mid e)}{\partial \theta_{x|u}}
        \frac{\partial \theta_{x|u}}{\partial \phi},
    \qquad
    \frac{\partial P(t \mid e)}{\partial \theta} =
        \frac{1}{P(e)}\Big(\frac{\partial P(t, e)}{\partial \theta}
        - P(t \mid e)\frac{\partial P(e)}{\partial \theta}\Big),

with the first factor from one reverse sweep of the engine (every entry at once, the
entries as free variables: the table builder keeps the columns normalised, so no
co-variation is applied on top) and :math:`\partial \Theta / \partial \phi` by a central
finite difference of the table builder, step :math:`h = ` ``step`` :math:`\times
\max(|\phi|, 10^{-3})` (default ``step = 1e-3``; a forward difference where
:math:`\phi - h` would leave the allowed range, e.g. a weight of 0). For a ratio target
the quotient rule is applied to :math:`P(t, e)/P(t', e)` instead.

Weights are used as in the file: for ``wmean`` only their proportions matter
(:math:`\mu = \sum_i w_i x_i / \sum_i w_i`, i.e. renormalised), so the derivative with
respect to :math:`w_i` holds the other raw weights fixed; ``share_derivative`` is the
derivative with respect to the normalised weight :math:`s_i = w_i / \sum_j w_j` with the
other shares scaled proportionally, which is the same change:
:math:`dP/ds_i = (dP/dw_i)\,W^2 / (W - w_i)`, :math:`W = \sum_j w_j`. ``elasticity`` is
:math:`(\phi / P)\, dP/d\phi`, the relative change of the target per relative change of
the parameter (comparable across weights and variance).

:func:`sweep` varies each parameter over a range (by default :math:`\phi \times
[1/4, 4]`, log-spaced), rebuilds the table at every point and evaluates the target for
all points in one batched engine call.

Note on the builder: ranked tables are computed on a grid of :math:`\mu` whose size
depends on :math:`\sigma` (see :mod:`cohesion_bn.cpt.ranked`); a variance step that
changes the grid size would make the difference quotient jump, which the default relative
step avoids except exactly at a grid-size boundary.

References
----------
- N. Fenton, M. Neil, J. G. Caballero (2007). Using ranked nodes to model qualitative
  judgments in Bayesian networks. *IEEE TKDE* 19(10):1420-1432.
- A. Darwiche (2003). A differential approach to inference in Bayesian networks. *JACM*
  50(3):280-305.
- E. Castillo, J. M. Gutiérrez, A. S. Hadi (1997). Sensitivity analysis in discrete
  Bayesian networks. *IEEE Trans. SMC-A* 27(4):412-423.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..cpt import ranked
from ..errors import AnalysisError
from ._target import EvidenceLike, Target, TargetLike, compile_model, parse_target
from .oneway import _check_denominator, _polys

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..engine import CompiledNetwork
    from ..model import Model

__all__ = ["ExpertParameter", "ExpertResult", "ExpertSweep", "analyze", "parameters",
           "plot_sweep", "rebuild", "sweep"]

_FLOOR = 1e-3


@dataclass(frozen=True)
class ExpertParameter:
    """One number of a ranked node's ``cpt:`` block, addressed by its ``path`` in it.

    E.g. ``("weights", "norms")``, ``("variance",)``, ``("mix", "min")`` or
    ``("cases", 1, "variance")``; ``value`` is the number in the file.
    """

    node: str
    path: tuple[str | int, ...]
    value: float
    function: str

    def label(self) -> str:
        parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path]
        return self.node + "".join(parts)

    @property
    def kind(self) -> str:
        """``"weight"``, ``"variance"`` or ``"mix"``."""
        names = [p for p in self.path if isinstance(p, str)]
        return "weight" if "weights" in names else "mix" if "mix" in names else "variance"


def parameters(model: Model, *, nodes: Iterable[str] | None = None) -> list[ExpertParameter]:
    """Every weight, mix weight and variance of every ranked node (or of ``nodes``)."""
    wanted = model.nodes if nodes is None else [model.resolve_node(n) for n in nodes]
    out: list[ExpertParameter] = []
    for nid in wanted:
        cpt = model.spec.node(nid).cpt
        if cpt.method != "ranked":
            if nodes is not None:
                raise AnalysisError(f"node {nid!r} is not a ranked node (its CPT method is "
                                    f"{cpt.method!r})")
            continue
        params = cpt.params
        default_fn = str(params.get("function", "wmean"))

        def collect(block: Mapping[str, Any], prefix: tuple[str | int, ...], fn: str,
                    nid: str = nid) -> None:
            for pname, w in (block.get("weights") or {}).items():
                out.append(ExpertParameter(nid, (*prefix, "weights", str(pname)), float(w), fn))
            for mname, w in (block.get("mix") or {}).items():
                out.append(ExpertParameter(nid, (*prefix, "mix", str(mname)), float(w), fn))
            if "variance" in block:
                out.append(ExpertParameter(nid, (*prefix, "variance"), float(block["variance"]),
                                           fn))

        collect(params, (), default_fn)
        for r, case in enumerate(params.get("cases") or []):
            if isinstance(case, Mapping) and "p" not in case:
                collect(case, ("cases", r), str(case.get("function", default_fn)))
    return out


def _set(params: Mapping[str, Any], path: Sequence[str | int], value: float) -> dict[str, Any]:
    new: Any = copy.deepcopy(dict(params))
    at = new
    for key in path[:-1]:
        at = at[key]
    at[path[-1]] = value
    return dict(new)


def rebuild(model: Model, parameter: ExpertParameter, value: float) -> np.ndarray:
    """The node's CPT with ``parameter`` set to ``value`` (via the ranked builder)."""
    spec = model.spec
    params = _set(spec.node(parameter.node).cpt.params, parameter.path, float(value))
    ctx = spec.context(parameter.node)
    problems = ranked.check(params, ctx)
    if problems:
        raise AnalysisError(f"{parameter.label()} = {value:g} is not allowed: {problems[0]}")
    return ranked.build(params, ctx)


def _lower_limit(p: ExpertParameter) -> tuple[float, bool]:
    """(smallest allowed value, whether it is excluded)."""
    if p.kind == "variance":
        return 0.0, True
    if p.kind == "weight" and p.function in ("wmin", "wmax"):
        return 0.0, True
    return 0.0, False


@dataclass(frozen=True)
class ExpertRow:
    parameter: ExpertParameter
    derivative: float
    share_derivative: float | None
    elasticity: float
    step: float


@dataclass(frozen=True)
class ExpertResult:
    """The target's derivative with respect to every expert parameter."""

    target: Target
    baseline: float
    rows: tuple[ExpertRow, ...]

    def to_df(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{
            "node": r.parameter.node, "parameter": r.parameter.label(),
            "kind": r.parameter.kind, "value": r.parameter.value,
            "derivative": r.derivative, "share_derivative": r.share_derivative,
            "elasticity": r.elasticity, "step": r.step,
        } for r in self.rows], columns=["node", "parameter", "kind", "value", "derivative",
                                        "share_derivative", "elasticity", "step"])

    def to_records(self) -> list[dict[str, Any]]:
        return [{"node": r.parameter.node, "path": list(r.parameter.path),
                 "parameter": r.parameter.label(), "value": r.parameter.value,
                 "derivative": r.derivative, "share_derivative": r.share_derivative,
                 "elasticity": r.elasticity} for r in self.rows]


def _table_derivative(model: Model, p: ExpertParameter, step: float
                      ) -> tuple[np.ndarray, float]:
    h = step * max(abs(p.value), _FLOOR)
    lo, excluded = _lower_limit(p)
    up = rebuild(model, p, p.value + h)
    if p.value - h > lo or (p.value - h == lo and not excluded):
        down = rebuild(model, p, p.value - h)
        return (up - down) / (2 * h), h
    return (up - model.cpt(p.node)) / h, h


def analyze(
    model: Model,
    target: TargetLike,
    *,
    evidence: EvidenceLike = None,
    likelihood: Mapping[str, Sequence[float] | Mapping[str, float]] | None = None,
    denominator: TargetLike | None = None,
    nodes: Iterable[str] | None = None,
    step: float = 1e-3,
    network: CompiledNetwork | None = None,
) -> ExpertResult:
    """Derivatives of the target with respect to every ranked node's parameters.

    One engine sweep for the CPT-entry derivatives, then two table rebuilds per
    parameter (central difference, relative ``step``). See the module docstring.
    """
    if not (np.isfinite(step) and 0 < step < 0.5):
        raise AnalysisError(f"step must be in (0, 0.5), not {step}")
    tgt = parse_target(model, target, evidence=evidence, likelihood=likelihood,
                       denominator=denominator)
    params = parameters(model, nodes=nodes)
    cn = network if network is not None else compile_model(model)
    polys = _polys(cn, tgt, wrt=sorted({p.node for p in params}) or None)
    _check_denominator(polys, tgt)
    num, den = float(polys.num[0]), float(polys.den[0])
    base = num / den
    rows = []
    for p in params:
        dtheta, h = _table_derivative(model, p, step)
        dn = float(np.sum(polys.g_num[p.node][0] * dtheta))
        dd = float(np.sum(polys.g_den[p.node][0] * dtheta))
        deriv = (dn * den - num * dd) / den**2
        share = None
        if p.kind == "weight" and p.function == "wmean":
            block: Any = model.spec.node(p.node).cpt.params
            for key in p.path[:-2]:
                block = block[key]
            total = float(sum(float(w) for w in block["weights"].values()))
            rest = total - p.value
            share = deriv * total**2 / rest if rest > 0 else None
        elast = p.value * deriv / base if base != 0 else float("nan")
        rows.append(ExpertRow(p, deriv, share, elast, h))
    return ExpertResult(tgt, base, tuple(rows))


@dataclass(frozen=True)
class ExpertSweep:
    """The target as each parameter sweeps a range: ``curves[label] = (values, output)``."""

    target: Target
    baseline: float
    parameters: tuple[ExpertParameter, ...]
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]]

    def to_df(self) -> pd.DataFrame:
        import pandas as pd

        frames = []
        for p in self.parameters:
            xs, ys = self.curves[p.label()]
            frames.append(pd.DataFrame({"node": p.node, "parameter": p.label(),
                                        "original": p.value, "value": xs, "output": ys}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["node", "parameter", "original", "value", "output"])


def sweep(
    model: Model,
    target: TargetLike,
    *,
    evidence: EvidenceLike = None,
    likelihood: Mapping[str, Sequence[float] | Mapping[str, float]] | None = None,
    denominator: TargetLike | None = None,
    nodes: Iterable[str] | None = None,
    factors: Sequence[float] | np.ndarray | None = None,
    network: CompiledNetwork | None = None,
) -> ExpertSweep:
    """Evaluate the target with each parameter set to ``value * factor`` for every factor.

    ``factors`` default to 21 log-spaced values from 1/4 to 4 (a zero weight sweeps
    ``factors / 4`` instead: 0.0625 to 1). One table rebuild per point and one batched
    engine evaluation per parameter.
    """
    fs = np.geomspace(0.25, 4.0, 21) if factors is None else np.asarray(factors, dtype=float)
    if fs.ndim != 1 or fs.size == 0 or not np.all(np.isfinite(fs)) or np.any(fs < 0):
        raise AnalysisError("factors must be a non-empty list of finite numbers >= 0")
    tgt = parse_target(model, target, evidence=evidence, likelihood=likelihood,
                       denominator=denominator)
    params = parameters(model, nodes=nodes)
    cn = network if network is not None else compile_model(model)
    base = _polys(cn, tgt)
    _check_denominator(base, tgt)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for p in params:
        xs = p.value * fs if p.value > 0 else fs / 4.0
        lo, excluded = _lower_limit(p)
        xs = xs[(xs > lo) | ((xs == lo) & (not excluded))]
        tables = np.stack([rebuild(model, p, float(x)) for x in xs])
        pol = _polys(cn, tgt, params=cn.parameters({p.node: tables}), wrt=[p.node])
        with np.errstate(divide="ignore", invalid="ignore"):
            curves[p.label()] = (xs, pol.num / pol.den)
    return ExpertSweep(tgt, float(base.num[0] / base.den[0]), tuple(params), curves)


def plot_sweep(result: ExpertSweep, *, parameters: Iterable[str] | None = None,
               ax: Axes | None = None) -> Axes:
    """The target against each parameter's relative change (log scale); returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    wanted = None if parameters is None else set(parameters)
    for p in result.parameters:
        if wanted is not None and p.label() not in wanted:
            continue
        xs, ys = result.curves[p.label()]
        rel = xs / p.value if p.value > 0 else xs
        ax.plot(rel, ys, label=p.label())
    ax.axhline(result.baseline, color="black", lw=0.8)
    ax.axvline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_xlabel("parameter / its value in the model file")
    ax.set_ylabel(result.target.label())
    ax.legend(fontsize=7)
    return ax
