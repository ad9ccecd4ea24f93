r"""Drawing parameter sets: which CPT parameters are uncertain, and how they are drawn.

The uncertain parameters of a model come in **groups**, each owning one region of one
CPT and drawn independently of every other group:

- a **column group** is one CPT column :math:`\theta_{\cdot|u}`, drawn from a Dirichlet
  :math:`\mathrm{Dir}(\alpha)` whose mean :math:`\alpha / \sum\alpha` is the column in the
  model. A Dirichlet is drawn as independent gammas, normalised (Devroye 1986, §XI.4):
  :math:`G_x \sim \mathrm{Gamma}(\alpha_x, 1)`, :math:`\theta_x = G_x / \sum_y G_y`; an
  entry with :math:`\alpha_x = 0` (a zero in the model) stays zero, and a column with
  fewer than two non-zero entries carries no uncertainty and is not drawn;
- a **ranked group** is the table of one ranked node (Fenton, Neil & Caballero 2007),
  or of one case of it when it has unordered parents: its weights (or ``mix``) and its
  variance are drawn from their distributions and the table is rebuilt with
  :func:`cohesion_bn.cpt.ranked.ranked_table`.

**Where the distributions come from.** A CPT's ``uncertainty:`` mapping in the model file
(see :func:`read_uncertainty` for the shapes understood). A CPT without one gets, when
the equivalent-sample-size policy applies, :math:`\theta_{\cdot|u} \sim
\mathrm{Dir}(s\,\theta_{\cdot|u})` for every column, ``s`` the stated equivalent sample
size ``ess`` (the column is then worth ``s`` observations; the variance of an entry is
:math:`\theta(1-\theta)/(s+1)`). The policy: ``ess=None`` (the default) applies
:data:`DEFAULT_ESS` to every CPT when *no* CPT of the model carries ``uncertainty:`` and
fixes the CPTs without one otherwise; a number applies that ``ess`` to every CPT without
``uncertainty:``. A ranked node without ``uncertainty:`` is treated column by column
(``ranked="columns"``, fast) or through its parameters (``ranked="parameters"``: each
weight and the variance log-normal around the model's value with log-sd ``ranked_sd``;
each draw rebuilds the table, about 2 ms).

Draws come out in the engine's batch-last layout ``(n_states, *parent_cards, B)`` for
:meth:`cohesion_bn.engine.CompiledNetwork.parameters` with ``batch_last=True``. The same
groups map points of the unit hypercube to parameter sets (:meth:`Uncertainty.
from_uniform`, by inverse CDFs: ``scipy.special.gammaincinv`` for the gammas), which is
what :mod:`.sobol` needs.

References
----------
- L. Devroye (1986). *Non-Uniform Random Variate Generation*. Springer.
- N. Fenton, M. Neil, J. G. Caballero (2007). Using ranked nodes to model qualitative
  judgments in Bayesian networks. *IEEE TKDE* 19(10):1420-1432.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import special, stats

from ..cpt import ranked as ranked_method
from ..errors import AnalysisError, Problem, did_you_mean
from ..random import SeedLike, handle_seed
from ._target import EvidenceLike, parse_evidence, split_assignment

if TYPE_CHECKING:
    from ..model import Model

__all__ = [
    "DEFAULT_ESS",
    "DEFAULT_RANKED_SD",
    "ColumnGroup",
    "Group",
    "RankedGroup",
    "Uncertainty",
    "read_uncertainty",
    "resolve_scenarios",
    "resolve_target",
]

#: Equivalent sample size of a CPT column when the model says nothing about its uncertainty.
DEFAULT_ESS = 20.0
#: Log-sd of a ranked node's weights and variance when the model says nothing.
DEFAULT_RANKED_SD = 0.5
_EPS = 1e-12
RankedMode = Literal["columns", "parameters"]

# ----------------------------------------------------------------------- targets, scenarios


def resolve_target(model: Model, target: str, *, need_state: bool = False
                   ) -> tuple[str, str | None]:
    """``"NODE"`` or ``"NODE=STATE"`` (ids or labels, any case) -> ``(node, state)``.

    With ``need_state`` a bare node means its first (best) state.
    """
    if not isinstance(target, str) or not target.strip():
        raise AnalysisError(f"target must be 'NODE' or 'NODE=STATE', not {target!r}")
    if "=" in target:
        name, state = split_assignment(target)
        node = model.resolve_node(name, context="target")
        st: str | None = model.resolve_state(node, state, context="target")
    else:
        node, st = model.resolve_node(target.strip(), context="target"), None
    if st is None and need_state:
        st = model.states(node)[0]
    return node, st


def resolve_scenarios(
    model: Model,
    scenarios: Sequence[str] | None,
    evidence: EvidenceLike,
) -> list[tuple[str, dict[str, str]]]:
    """The ``(id, evidence)`` pairs to analyse.

    ``evidence`` given (a mapping, ``"A=a, B=b"`` or a list of ``"A=a"``;
    :func:`._target.parse_evidence`): that one, named ``"evidence"`` (``scenarios`` must
    then be ``None``). Otherwise the model's scenarios named in ``scenarios`` (default: all of
    them; a model without scenarios gives one, ``"prior"``, without evidence).
    """
    if evidence is not None:
        if scenarios is not None:
            raise AnalysisError("give either evidence (-e) or scenarios (--scenario), not both")
        return [("evidence", parse_evidence(model, evidence))]
    if scenarios is None:
        if not model.spec.scenarios:
            return [("prior", {})]
        chosen = list(model.spec.scenarios)
    else:
        if not list(scenarios):
            raise AnalysisError("scenarios= is empty; name at least one scenario")
        chosen = [model.scenario(sid) for sid in scenarios]
    return [(sc.id, {model.resolve_node(k): model.resolve_state(k, v)
                     for k, v in sc.evidence.items()}) for sc in chosen]


# ----------------------------------------------------------------------- distributions


@dataclass(frozen=True)
class Scalar:
    """A one-dimensional distribution of a ranked parameter (frozen scipy distribution)."""

    kind: str
    args: tuple[float, ...]

    def frozen(self) -> Any:
        k, a = self.kind, self.args
        if k == "lognormal":  # (median, sd_log)
            return stats.lognorm(s=a[1], scale=a[0])
        if k == "uniform":  # (low, high)
            return stats.uniform(loc=a[0], scale=a[1] - a[0])
        if k == "loguniform":  # (low, high)
            return stats.loguniform(a[0], a[1])
        if k == "gamma":  # (shape, scale)
            return stats.gamma(a[0], scale=a[1])
        raise AnalysisError(f"unknown distribution {k!r}")  # pragma: no cover

    def ppf(self, u: np.ndarray) -> np.ndarray:
        if self.kind == "fixed":
            return np.full(np.shape(u), self.args[0])
        return np.asarray(self.frozen().ppf(u), dtype=float)

    def rvs(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.kind == "fixed":
            return np.full(size, self.args[0])
        return np.asarray(self.frozen().rvs(size=size, random_state=rng), dtype=float)

    @property
    def random(self) -> bool:
        return self.kind != "fixed"


_SCALAR_FIELDS = {"lognormal": ("median", "sd_log"), "uniform": ("low", "high"),
                  "loguniform": ("low", "high"), "gamma": ("shape", "scale"),
                  "fixed": ("value",)}


def _scalar(raw: Any, where: str, problems: list[Problem]) -> Scalar | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Scalar("fixed", (float(raw),))
    if not isinstance(raw, Mapping) or "distribution" not in raw:
        problems.append(Problem(where, "must be a number or {distribution: lognormal, median: "
                                "m, sd_log: s} (also uniform/loguniform low, high; gamma "
                                "shape, scale)"))
        return None
    kind = str(raw["distribution"]).lower()
    if kind not in _SCALAR_FIELDS:
        problems.append(Problem(where, f"unknown distribution {kind!r}; allowed: "
                                f"{', '.join(_SCALAR_FIELDS)}"))
        return None
    args = []
    for f in _SCALAR_FIELDS[kind]:
        v = raw.get(f)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            problems.append(Problem(f"{where}.{f}", f"missing or not a number ({kind} needs "
                                    f"{', '.join(_SCALAR_FIELDS[kind])})"))
            return None
        args.append(float(v))
    if kind in ("lognormal", "gamma") and min(args) <= 0:
        problems.append(Problem(where, f"{kind} needs positive {', '.join(_SCALAR_FIELDS[kind])}"))
        return None
    if kind in ("uniform", "loguniform") and not (args[0] < args[1] and
                                                  (kind == "uniform" or args[0] > 0)):
        problems.append(Problem(where, f"{kind} needs 0 {'<= ' if kind == 'uniform' else '< '}"
                                "low < high"))
        return None
    return Scalar(kind, tuple(args))


# ----------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class Group:
    """An independently drawn block of parameters: a region of one node's CPT."""

    node: str
    #: Index into the node's CPT ``(n, *parent_cards)`` selecting the region.
    region: tuple[int | slice, ...]
    #: Human-readable name, unique in the model.
    name: str
    #: Names of the inputs (for Sobol' sampling): one per random scalar.
    inputs: tuple[str, ...]
    #: ``"file"`` (the model's ``uncertainty:``) or ``"ess=20"`` etc.
    source: str

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws of the region, shape ``(*region_shape, size)``."""
        raise NotImplementedError

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """The region at points ``u`` of the unit cube, ``u`` of shape ``(B, len(inputs))``."""
        raise NotImplementedError


@dataclass(frozen=True)
class ColumnGroup(Group):
    """One CPT column, Dirichlet with concentration ``alpha`` (mean ``alpha / sum alpha``)."""

    alpha: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def concentration(self) -> float:
        return float(self.alpha.sum())

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        a = self.alpha
        g = np.zeros((a.size, size))
        live = a > 0
        g[live] = rng.standard_gamma(a[live][:, None], size=(int(live.sum()), size))
        return _normalise_columns(g, a)

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        a = self.alpha
        live = np.flatnonzero(a > 0)
        uu = np.clip(np.asarray(u, dtype=float), _EPS, 1 - _EPS)
        g = np.zeros((a.size, uu.shape[0]))
        g[live] = special.gammaincinv(a[live][:, None], uu.T)
        return _normalise_columns(g, a)


def _normalise_columns(g: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    s = g.sum(axis=0)
    bad = ~(s > 0)  # every gamma underflowed (tiny alpha): fall back to the mean
    if bad.any():
        g[:, bad] = (alpha / alpha.sum())[:, None]
        s[bad] = 1.0
    return g / s


@dataclass(frozen=True)
class RankedGroup(Group):
    """A ranked node's table (or one case of it), rebuilt from drawn weights and variance."""

    function: str = "wmean"
    cards: tuple[int, ...] = ()
    n_states: int = 0
    directions: tuple[int, ...] = ()
    points: int | None = None
    #: One distribution per input, in the order of ``inputs``: weights (or mix) then variance.
    dists: tuple[Scalar, ...] = ()
    #: When the experts chose different combining functions (the write-back's
    #: ``function: {wmean: 0.67, wmin: 0.33}``): the functions and their shares. Each draw
    #: then picks its function with those probabilities, an extra last input.
    functions: tuple[str, ...] = ()
    shares: tuple[float, ...] = ()

    def table(self, values: Sequence[float]) -> np.ndarray:
        """The table for one vector of parameter values (ordered as ``inputs``)."""
        v = [float(x) for x in values]
        function = self.function
        if self.functions:
            function = self.functions[int(v.pop())]
        *w, var = v
        kw: dict[str, Any] = {}
        if function == "mixminmax":
            kw["mix"] = (w[0], w[1])
        else:
            kw["weights"] = w
        return ranked_method.ranked_table(self.cards, self.n_states, function=function,
                                          variance=var, directions=self.directions,
                                          points=self.points, **kw)

    def _tables(self, values: np.ndarray) -> np.ndarray:
        uniq, inverse = np.unique(values, axis=0, return_inverse=True)
        built = np.stack([self.table(row) for row in uniq], axis=-1)
        return built[..., np.asarray(inverse).reshape(-1)]

    def _function_index(self, u: np.ndarray) -> np.ndarray:
        """The categorical inverse CDF: function ``k`` where ``u`` falls in its share."""
        edges = np.cumsum(self.shares)[:-1]
        return np.searchsorted(edges, u, side="right").astype(float)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        columns = [d.rvs(rng, size) for d in self.dists]
        if self.functions:
            columns.append(self._function_index(rng.random(size)))
        return self._tables(np.stack(columns, axis=1))

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        uu = np.clip(np.asarray(u, dtype=float), _EPS, 1 - _EPS)
        columns = [d.ppf(uu[:, k]) for k, d in enumerate(self.dists)]
        if self.functions:
            columns.append(self._function_index(uu[:, len(self.dists)]))
        return self._tables(np.stack(columns, axis=1))


# ----------------------------------------------------------------------------- reading


def _column_name(model: Model, node: str, index: Sequence[int]) -> str:
    if not index:
        return node
    given = ", ".join(f"{p}={model.states(p)[i]}"
                      for p, i in zip(model.parents(node), index, strict=True))
    return f"{node} | {given}"


def _column_groups(model: Model, node: str, concentration: np.ndarray | float,
                   source: str) -> list[Group]:
    cpt = model.cpt(node)
    pcards = cpt.shape[1:]
    conc = np.broadcast_to(np.asarray(concentration, dtype=float), pcards)
    out: list[Group] = []
    for index in itertools.product(*(range(c) for c in pcards)):
        region: tuple[int | slice, ...] = (slice(None), *index)
        col = cpt[region]
        c = float(conc[index]) if pcards else float(conc)
        if c <= 0 or np.count_nonzero(col > 0) < 2 or not math.isfinite(c):
            continue
        name = _column_name(model, node, index)
        states = model.states(node)
        inputs = tuple(f"{name}: {s}" for s, p in zip(states, col, strict=True) if p > 0)
        out.append(ColumnGroup(node, region, name, inputs, source,
                               alpha=c * np.asarray(col, dtype=float)))
    return out


def _ranked_groups(model: Model, node: str, unc: Mapping[str, Any] | None, ranked_sd: float,
                   source: str, problems: list[Problem], ess: float | None) -> list[Group]:
    """Ranked groups for ``node`` (file uncertainty ``unc``, else log-normal ``ranked_sd``)."""
    spec = model.spec
    ctx = spec.context(node)
    parse_problems: list[Problem] = []
    cases = ranked_method._parse(spec.node(node).cpt.params, ctx, parse_problems)
    if cases is None:  # pragma: no cover - the model was validated
        raise AnalysisError("; ".join(map(str, parse_problems)))
    ordered = [q.id for q in ctx.parents if q.ordered]
    unordered_pos = [i for i, q in enumerate(ctx.parents) if not q.ordered]
    cards = tuple(len(q.states) for q in ctx.parents if q.ordered)
    where = f"node {node!r}, cpt.uncertainty"
    out: list[Group] = []
    for case in cases:
        region: list[int | slice] = [slice(None) for _ in range(1 + len(ctx.parents))]
        for pos, state in zip(unordered_pos, case.index, strict=True):
            region[1 + pos] = state
        label = node if not case.index else "{} | {}".format(node, ", ".join(
            f"{ctx.parents[p].id}={ctx.parents[p].states[s]}"
            for p, s in zip(unordered_pos, case.index, strict=True)))
        if case.spec is None:  # a case that gives p directly: a column, if anything
            if ess is not None:
                col_region = tuple(region)
                assert case.p is not None
                col = np.asarray(case.p, dtype=float)
                if np.count_nonzero(col > 0) >= 2:
                    out.append(ColumnGroup(node, col_region, label, tuple(
                        f"{label}: {s}" for s, p in zip(ctx.states, col, strict=True) if p > 0),
                        f"ess={ess:g}", alpha=ess * col))
            continue
        s = case.spec
        names: list[str] = []
        base: list[float] = []
        if s.function == "mixminmax":
            assert s.mix is not None
            names += ["mix.min", "mix.max"]
            base += list(s.mix)
        else:
            assert s.weights is not None
            names += [f"weights.{p}" for p in ordered]
            base += list(s.weights)
        names.append("variance")
        base.append(s.variance)
        dists: list[Scalar] = []
        for nm, b in zip(names, base, strict=True):
            raw: Any = None
            if unc is not None:
                head, _, tail = nm.partition(".")
                raw = unc.get(head)
                if tail and isinstance(raw, Mapping):
                    raw = raw.get(tail, b)
                elif tail:
                    raw = b if raw is None else raw
                if raw is None:
                    raw = b
                d = _scalar(raw, f"{where}.{nm}", problems)
            else:
                d = Scalar("lognormal", (b, ranked_sd)) if b > 0 else Scalar("fixed", (b,))
            if d is not None:
                dists.append(d)
        functions, shares, left = _function_shares(unc, s.function, f"{where}.function",
                                                   problems)
        if len(dists) != len(names) or not (functions or any(d.random for d in dists)):
            continue
        if functions:
            names.append("function")
        out.append(RankedGroup(
            node, tuple(region), label, tuple(f"{label}: {nm}" for nm in names),
            source + (f" ({left})" if left else ""),
            function=s.function, cards=cards, n_states=len(ctx.states),
            directions=tuple(s.directions), points=s.points, dists=tuple(dists),
            functions=functions, shares=shares))
    return out


_WEIGHTED = ("wmean", "wmin", "wmax")


def _function_shares(
    unc: Mapping[str, Any] | None, function: str, where: str, problems: list[Problem]
) -> tuple[tuple[str, ...], tuple[float, ...], str]:
    """``function: {wmean: 0.67, wmin: 0.33}`` read as the share of each combining function.

    Returns the functions to draw, their shares (normalised) and a note on what was left
    out. Only functions that take the node's parameters can be drawn: WMEAN, WMIN and WMAX
    share the weights, while MIXMINMAX takes mixing weights the file does not give (and the
    other way round), so such a share is left out, said in the note, and the rest
    renormalised. Fewer than two functions left: no draw of the function."""
    raw = unc.get("function") if isinstance(unc, Mapping) else None
    if raw is None:
        return (), (), ""
    if not isinstance(raw, Mapping) or not raw:
        problems.append(Problem(where, "must map combining functions to their shares, "
                                "e.g. {wmean: 0.67, wmin: 0.33}"))
        return (), (), ""
    allowed = _WEIGHTED if function in _WEIGHTED else (function,)
    names: list[str] = []
    values: list[float] = []
    dropped: list[str] = []
    for key, value in raw.items():
        name = str(key).lower()
        try:
            share = float(value)
        except (TypeError, ValueError):
            share = math.nan
        if not (math.isfinite(share) and share >= 0):
            problems.append(Problem(where, f"the share of {key!r} is {value!r}; shares are "
                                    "numbers >= 0"))
            return (), (), ""
        if share == 0:
            continue
        if name not in allowed:
            dropped.append(f"{name} {share:g}")
            continue
        names.append(name)
        values.append(share)
    left = ""
    if dropped:
        left = (f"function share(s) {', '.join(dropped)} not drawn: "
                f"that function's parameters are not in the file")
    if len(names) < 2:
        return (), (), left
    total = sum(values)
    return tuple(names), tuple(v / total for v in values), left


def read_uncertainty(
    model: Model,
    *,
    ess: float | None = None,
    ranked: RankedMode = "columns",
    ranked_sd: float = DEFAULT_RANKED_SD,
    nodes: Sequence[str] | None = None,
) -> Uncertainty:
    """The uncertain parameter groups of ``model`` (see the module docstring for the policy).

    A CPT's ``uncertainty:`` mapping is read as follows (the elicitation write-back's
    shape; anything else is an :class:`AnalysisError` naming the node and field):

    - table-like node: ``{distribution: dirichlet, concentration: c}`` -- one
      concentration (sum of the Dirichlet parameters) for every column -- or
      ``concentration: [c_1, ...]`` one per column (columns in the order of the parent
      combinations, first parent slowest), or ``columns: [{given: {parent: state},
      concentration: c}, ...]``; each column's mean is the CPT column;
    - ranked node: ``{weights: {parent: D, ...}, variance: D}`` (or ``mix: {min: D, max:
      D}``), each ``D`` a number (fixed) or ``{distribution: lognormal, median: m,
      sd_log: s}`` / ``uniform``/``loguniform`` (``low``, ``high``) / ``gamma`` (``shape``,
      ``scale``); a parameter not named keeps the model's value; ``function: {wmean: 0.67,
      wmin: 0.33}`` (the experts' shares of the combining functions, as the write-back
      gives them) draws each table's function with those probabilities, among the functions
      that take the node's parameters (WMEAN, WMIN, WMAX share the weights; a share for
      MIXMINMAX, whose mixing weights the file does not give, is left out and named in the
      group's ``source``).

    ``nodes`` limits the uncertain CPTs to those nodes (ids or labels).
    """
    if ess is not None and not (isinstance(ess, int | float) and math.isfinite(ess) and ess > 0):
        raise AnalysisError(f"ess must be a number > 0, not {ess!r}")
    if ranked not in ("columns", "parameters"):
        raise AnalysisError(f"ranked must be 'columns' or 'parameters', not {ranked!r}")
    if not (math.isfinite(ranked_sd) and ranked_sd > 0):
        raise AnalysisError(f"ranked_sd must be a number > 0, not {ranked_sd!r}")
    chosen = list(model.nodes) if nodes is None else [
        model.resolve_node(n, context="nodes") for n in nodes]
    any_file = any(model.spec.node(n).cpt.uncertainty is not None for n in model.nodes)
    fallback = ess if ess is not None else (None if any_file else DEFAULT_ESS)
    problems: list[Problem] = []
    groups: list[Group] = []
    for node in chosen:
        cpt_spec = model.spec.node(node).cpt
        is_ranked = cpt_spec.method == "ranked"
        _check_fields(node, cpt_spec.uncertainty, is_ranked, problems)
        unc = _from_writeback(model, node, cpt_spec.uncertainty)
        if unc is not None:
            if is_ranked and not _looks_dirichlet(unc):
                groups += _ranked_groups(model, node, unc, ranked_sd, "file", problems, fallback)
            else:
                conc = _file_concentration(model, node, unc, problems)
                if conc is not None:
                    groups += _column_groups(model, node, conc, "file")
        elif fallback is not None:
            if is_ranked and ranked == "parameters":
                groups += _ranked_groups(model, node, None, ranked_sd,
                                         f"lognormal sd_log={ranked_sd:g}", problems, fallback)
            else:
                groups += _column_groups(model, node, fallback, f"ess={fallback:g}")
    if problems:
        raise AnalysisError("the model's uncertainty cannot be read:\n" + "\n".join(
            f"  - {p}" for p in problems))
    return Uncertainty(model, tuple(groups), fallback)


#: the fields a CPT's ``uncertainty:`` may have (``basis``, ``estimator`` and ``mean`` are
#: the elicitation write-back's records of how it was estimated; they are not read)
_TABLE_FIELDS = ("distribution", "concentration", "columns", "basis", "estimator", "mean")
_RANKED_FIELDS = ("weights", "variance", "mix", "function", *_TABLE_FIELDS)


def _check_fields(node: str, unc: Any, is_ranked: bool, problems: list[Problem]) -> None:
    """Name every field of ``uncertainty:`` that no reader uses (a typo would otherwise
    be silently ignored, or reported as the field it should have been)."""
    if not isinstance(unc, Mapping):
        return
    allowed = _RANKED_FIELDS if is_ranked else _TABLE_FIELDS
    for key in unc:
        if str(key) not in allowed:
            problems.append(Problem(
                f"node {node!r}, cpt.uncertainty",
                f"unknown field {key!r}{did_you_mean(str(key), allowed)}; the fields are: "
                f"{', '.join(allowed)}"))


def _from_writeback(model: Model, node: str,
                    unc: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """Translate the shape :mod:`cohesion_bn.elicitation.writeback` writes into the one read here.

    - a table's ``concentration: {"parent=state,...": alpha0}`` (keys spelled like the
      question ids; ``""`` for a root) becomes ``columns: [{given, concentration}]``;
    - a ranked node's ``weights: {distribution: dirichlet, mean: {parent: m}, concentration:
      a0, total: t}`` becomes independent ``gamma(shape = a0 m_i, scale = t / a0)`` per
      weight: normalised, those are exactly Dirichlet(a0 m) with mean weights ``t m``, so
      WMEAN (which depends only on the normalised weights) gets the written Dirichlet;
      WMIN/WMAX also see the total vary (its mean is ``t``);
    - ``variance: {distribution: lognormal, meanlog, sdlog}`` becomes ``{median:
      exp(meanlog), sd_log: sdlog}``.
    """
    if not isinstance(unc, Mapping):
        return unc
    out = dict(unc)
    conc = unc.get("concentration")
    if isinstance(conc, Mapping):
        rows = []
        for key, a0 in conc.items():
            given = dict(part.split("=", 1) for part in str(key).split(",") if "=" in part)
            rows.append({"given": given, "concentration": a0})
        out.pop("concentration")
        out["columns"] = rows
    w = unc.get("weights")
    if (isinstance(w, Mapping) and str(w.get("distribution", "")).lower() == "dirichlet"
            and isinstance(w.get("mean"), Mapping)):
        a0 = float(w.get("concentration", 0) or 0)
        total = float(w.get("total", 1) or 1)
        out["weights"] = {p: ({"distribution": "gamma", "shape": a0 * float(m),
                               "scale": total / a0} if a0 > 0 and float(m) > 0
                              else float(m) * total)
                          for p, m in w["mean"].items()}
    v = unc.get("variance")
    if isinstance(v, Mapping) and "meanlog" in v:
        out["variance"] = {"distribution": "lognormal", "median": math.exp(float(v["meanlog"])),
                           "sd_log": float(v.get("sdlog", DEFAULT_RANKED_SD))}
    out.pop("estimator", None)
    out.pop("basis", None)
    out.pop("mean", None)
    return out


def _looks_dirichlet(unc: Mapping[str, Any]) -> bool:
    return str(unc.get("distribution", "")).lower() == "dirichlet" or (
        "concentration" in unc or "columns" in unc)


def _file_concentration(model: Model, node: str, unc: Mapping[str, Any],
                        problems: list[Problem]) -> np.ndarray | None:
    where = f"node {node!r}, cpt.uncertainty"
    pcards = model.cpt(node).shape[1:]
    dist = str(unc.get("distribution", "dirichlet")).lower()
    if dist != "dirichlet":
        problems.append(Problem(where, f"distribution {dist!r}: a table CPT's uncertainty "
                                "must be a Dirichlet per column (distribution: dirichlet)"))
        return None
    if "columns" in unc:
        out = np.zeros(pcards)
        rows = unc["columns"]
        if not isinstance(rows, list):
            problems.append(Problem(f"{where}.columns", "must be a list of {given, "
                                    "concentration}"))
            return None
        for r, row in enumerate(rows):
            try:
                given = row.get("given", {}) or {}
                idx = tuple(model.states(p).index(given[p]) for p in model.parents(node))
                out[idx] = float(row["concentration"])
            except (AttributeError, KeyError, ValueError, TypeError):
                problems.append(Problem(f"{where}.columns[{r}]", "needs given: {every "
                                        "parent: state} and concentration: number"))
                return None
        return out
    conc = unc.get("concentration")
    arr = np.asarray(conc, dtype=float) if isinstance(conc, int | float | list) else None
    if arr is None or isinstance(conc, bool) or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        problems.append(Problem(f"{where}.concentration", "missing or not a number >= 0 (or a "
                                "list of them, one per column)"))
        return None
    if arr.ndim == 0:
        return np.full(pcards, float(arr))
    if arr.size != math.prod(pcards):
        problems.append(Problem(f"{where}.concentration", f"{arr.size} numbers for "
                                f"{math.prod(pcards)} columns"))
        return None
    return arr.reshape(pcards)


# ----------------------------------------------------------------------------- the set


@dataclass(frozen=True)
class Uncertainty:
    """The uncertain parameter groups of a model, and how to draw parameter sets from them."""

    model: Model
    groups: tuple[Group, ...]
    #: The equivalent sample size applied to CPTs without ``uncertainty:`` (None: fixed).
    ess: float | None

    @property
    def nodes(self) -> tuple[str, ...]:
        """The nodes with at least one uncertain group, in model order."""
        have = {g.node for g in self.groups}
        return tuple(n for n in self.model.nodes if n in have)

    @property
    def n_inputs(self) -> int:
        return sum(len(g.inputs) for g in self.groups)

    def _assemble(self, parts: Sequence[np.ndarray], size: int) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for g, part in zip(self.groups, parts, strict=True):
            if g.node not in out:
                base = self.model.cpt(g.node)
                out[g.node] = np.repeat(base[..., None], size, axis=-1)
            out[g.node][g.region] = part
        return out

    def draw(self, n: int, *, seed: SeedLike = None) -> dict[str, np.ndarray]:
        """``n`` parameter sets: ``{node: (n_states, *parent_cards, n)}`` (batch last).

        Only the nodes with uncertain groups appear; pass the mapping to
        ``CompiledNetwork.parameters(..., batch_last=True)``. Reproducible with a seed.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise AnalysisError(f"the number of draws must be a whole number >= 1, not {n!r}")
        rng = handle_seed(seed)
        return self._assemble([g.draw(rng, int(n)) for g in self.groups], int(n))

    def from_uniform(self, u: np.ndarray) -> dict[str, np.ndarray]:
        """Parameter sets at points ``u`` (shape ``(B, n_inputs)``) of the unit cube.

        Inputs are in group order, each group's inputs contiguous (``input_names``).
        """
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.n_inputs:
            raise AnalysisError(f"u must have shape (B, {self.n_inputs}), not {u.shape}")
        parts = []
        k = 0
        for g in self.groups:
            d = len(g.inputs)
            parts.append(g.from_uniform(u[:, k:k + d]))
            k += d
        return self._assemble(parts, u.shape[0])

    def input_names(self) -> list[str]:
        return [name for g in self.groups for name in g.inputs]

    def input_groups(self) -> list[str]:
        return [g.name for g in self.groups for _ in g.inputs]

    def describe(self) -> list[dict[str, Any]]:
        """One row per group: node, name, kind, inputs, source, concentration."""
        rows = []
        for g in self.groups:
            rows.append({"node": g.node, "group": g.name,
                         "kind": "dirichlet" if isinstance(g, ColumnGroup) else "ranked",
                         "inputs": len(g.inputs), "source": g.source,
                         "concentration": g.concentration if isinstance(g, ColumnGroup)
                         else float("nan")})
        return rows
