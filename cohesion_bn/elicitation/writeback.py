r"""Write a pooled model: a new model file whose pooled nodes say where their numbers came
from and how uncertain they are.

:func:`write_pooled_model` copies the model, replaces the CPT of every node in the
:class:`~.pooling.PoolResult` and writes a **new** file (an existing file is never
overwritten: :class:`FileExistsError`, nothing written). Nodes not pooled keep their CPT and
provenance.

Provenance of a pooled node
---------------------------
::

    provenance:
      source: "expert elicitation: study <study id>, round <round>"   # or "rounds 1, 2"
      method: "<linear|log> opinion pool, <weighting> weights (E01 0.5, E02 0.5); ..."
      date: <YYYY-MM-DD, UTC>
      notes: "experts: E01, E02; answers SHA-256: <hex>; ..."
      experts: [E01, E02]               # pseudonyms
      weights: {E01: 0.5, E02: 0.5}     # this node's normalised weights
      answers_sha256: <hex>

``experts``, ``weights`` and ``answers_sha256`` are extra keys for scripts (the model
reader keeps only source, method, date and notes, so the notes repeat them). The hash is
:func:`answers_hash` of the answers the pool used (every pooled node's answers, and the
seed answers with Cooke weights): SHA-256 of the canonical JSON (sorted keys, compact) of
the list of answers, each as the mapping of all :class:`~.questions.Answer` fields, sorted
by (expert, question, round, time). Anyone with the store can recompute it.

Uncertainty written (read by the sensitivity analysis)
------------------------------------------------------
A node written as a **table** (table nodes, and ranked nodes pooled as tables) gets::

    uncertainty:
      distribution: dirichlet
      mean: table                       # each column's Dirichlet mean is the table's column
      concentration:                    # alpha0 per column, keyed like the question ids:
        war_outcome=ukraine_wins: 14.2  #   "parent=state,parent=state" in the node's
        war_outcome=ukraine_loses: 3.1  #   parent order ("" for a root node)
      basis:                            # how each alpha0 was obtained:
        war_outcome=ukraine_wins: moments   #   moments | floor | cap | fallback
      estimator:
        name: method of moments
        formula: alpha0 = (1 - sum_s m_s^2) / sum_s V_s - 1
        bounds: [2.0, 1000.0]
        fallback: 10.0
        experts: 3

so column :math:`j` is :math:`\mathrm{Dirichlet}(\alpha_{0j}\, m_j)` with :math:`m_j` the
table's column as written.

A node written as **ranked** (pooled by parameters) gets::

    uncertainty:
      weights:                          # absent for mixminmax (no per-parent weights)
        distribution: dirichlet         # on the normalised weights v_i = w_i / sum_i w_i
        mean: {threats: 0.2, norms: 0.5, ...}   # the written weights, normalised
        concentration: 25.0             # alpha0: alpha_i = alpha0 * mean_i
        basis: moments                  # moments | floor | cap | fallback
        total: 7.5                      # sum of the written weights (v_i * total = w_i)
      variance:
        distribution: lognormal         # ln(variance) ~ Normal(meanlog, sdlog)
        meanlog: -4.6                   # ln(written variance): its median is the value written
        sdlog: 0.8
        basis: moments                  # moments | fallback
      function: {wmean: 0.67, wmin: 0.33}   # weighted share of the experts choosing each
      estimator: {name: method of moments, bounds: [2.0, 1000.0], fallback: 10.0,
                  sdlog_fallback: 0.5, experts: 3}

The estimator
-------------
A Dirichlet with mean :math:`m` and concentration :math:`\alpha_0` has
:math:`\mathrm{Var}(p_s) = m_s (1 - m_s) / (\alpha_0 + 1)`, so summing over the states,
:math:`\sum_s \mathrm{Var}(p_s) = (1 - \sum_s m_s^2) / (\alpha_0 + 1)` and the method of
moments gives

.. math:: \hat\alpha_0 = \frac{1 - \sum_s m_s^2}{\sum_s V_s} - 1,
   \qquad V_s = \frac{\sum_k w_k (p_{ks} - \bar p_s)^2}{1 - \sum_k w_k^2},

with :math:`w_k` the experts' normalised weights, :math:`\bar p = \sum_k w_k p_k` (the
linear pool) and :math:`V_s` the unbiased weighted between-expert variance (reliability
weights; with equal weights the usual :math:`1/(K-1)` sample variance); :math:`m` is the
column as written (the linear pool, or the log pool). :math:`\hat\alpha_0` is clipped to
:data:`CONCENTRATION_BOUNDS` = [2, 1000]: below 2 a Dirichlet piles its mass in the corners,
above 1000 the column is as good as fixed. When :math:`\sum_s V_s = 0` (the experts agree
exactly) or there is one expert (:math:`\sum_k w_k^2 = 1`), the spread says nothing, and
:data:`FALLBACK_CONCENTRATION` = 10 is used -- "as sure as ten observations", weak enough
that the sensitivity analysis still moves the column. The same estimator on the experts'
normalised weights gives the ranked weights' :math:`\alpha_0`. ``sdlog`` is the square root
of the same unbiased weighted variance of :math:`\ln` (variance); with one expert or exact
agreement :data:`FALLBACK_SDLOG` = 0.5 (a factor of about 1.6 either way, less than one step
of the verbal spread scale).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from ..errors import ElicitationError, ModelFileError
from ..spec import parse_spec
from .pooling import NodePool, PoolResult
from .questions import Answer

if TYPE_CHECKING:
    from ..model import Model

__all__ = [
    "CONCENTRATION_BOUNDS",
    "FALLBACK_CONCENTRATION",
    "FALLBACK_SDLOG",
    "answers_hash",
    "dirichlet_concentration",
    "pooled_spec",
    "write_pooled_model",
]

#: Bounds of a fitted Dirichlet concentration alpha0.
CONCENTRATION_BOUNDS = (2.0, 1000.0)
#: alpha0 when the experts' spread says nothing (one expert, or exact agreement).
FALLBACK_CONCENTRATION = 10.0
#: sdlog of a ranked node's variance when the experts' spread says nothing.
FALLBACK_SDLOG = 0.5

_FORMULA = "alpha0 = (1 - sum_s m_s^2) / sum_s V_s - 1"


def answers_hash(answers: Iterable[Answer]) -> str:
    """SHA-256 (hex) of the canonical JSON of the answers, sorted (see module docstring)."""
    rows = [asdict(a) for a in answers]
    rows.sort(key=lambda r: (r["expert"], r["question"], r["round"], r["time"]))
    try:
        text = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ElicitationError(f"answers cannot be hashed as JSON: {exc}") from None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _weighted_variance(x: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """Unbiased weighted variance over axis 0 (reliability weights); None if undefined."""
    w = w / w.sum()
    denom = 1.0 - float(np.sum(w**2))
    if denom <= 1e-12:
        return None
    mean = np.tensordot(w, x, axes=1)
    return np.asarray(np.tensordot(w, (x - mean) ** 2, axes=1) / denom)


def dirichlet_concentration(
    samples: np.ndarray, weights: Sequence[float] | np.ndarray | None = None, *,
    mean: np.ndarray | None = None,
    bounds: tuple[float, float] = CONCENTRATION_BOUNDS,
    fallback: float = FALLBACK_CONCENTRATION,
) -> tuple[float, str]:
    r"""Method-of-moments :math:`\alpha_0` of a Dirichlet from probability vectors.

    ``samples``: shape ``(n, k)``, one distribution per row (an expert's column);
    ``weights``: per row (default equal); ``mean``: the Dirichlet mean :math:`m` (default
    the weighted mean of the rows). Returns ``(alpha0, basis)``, basis ``"moments"``,
    ``"floor"``, ``"cap"`` or ``"fallback"``; see the module docstring.

    By hand: rows (0.7, 0.3) and (0.5, 0.5), equal weights: mean (0.6, 0.4),
    :math:`V_s = (0.5 \cdot 0.1^2 + 0.5 \cdot 0.1^2) / (1 - 0.5) = 0.02` for each state, so
    :math:`\sum V = 0.04`, :math:`1 - \sum m^2 = 0.48`, :math:`\alpha_0 = 0.48/0.04 - 1 = 11`.
    """
    x = np.asarray(samples, dtype=float)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ElicitationError("dirichlet_concentration: give an (n, k) array of rows")
    w = np.ones(x.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    lo, hi = bounds
    if x.shape[0] == 1:
        return float(np.clip(fallback, lo, hi)), "fallback"
    var = _weighted_variance(x, w)
    m = np.tensordot(w / w.sum(), x, axes=1) if mean is None else np.asarray(mean, float)
    if var is None or float(var.sum()) <= 1e-15:
        return float(np.clip(fallback, lo, hi)), "fallback"
    alpha0 = (1.0 - float(np.sum(m**2))) / float(var.sum()) - 1.0
    if alpha0 < lo:
        return lo, "floor"
    if alpha0 > hi:
        return hi, "cap"
    return float(alpha0), "moments"


def _col_keys(pooled: PoolResult, nid: str) -> tuple[str, ...]:
    return pooled.columns[nid]


def _estimator(n: int, *, ranked: bool, bounds: tuple[float, float], fallback: float,
               sdlog_fallback: float) -> dict[str, Any]:
    d: dict[str, Any] = {"name": "method of moments", "formula": _FORMULA,
                         "bounds": [float(bounds[0]), float(bounds[1])],
                         "fallback": float(fallback), "experts": n}
    if ranked:
        d["sdlog_fallback"] = float(sdlog_fallback)
    return d


def _table_uncertainty(pooled: PoolResult, npool: NodePool, *, bounds: tuple[float, float],
                       fallback: float, sdlog_fallback: float) -> dict[str, Any]:
    experts = list(npool.expert_tables)
    n_states = npool.table.shape[0]
    stack = np.stack([npool.expert_tables[e].reshape(n_states, -1) for e in experts])
    w = np.array([npool.weights[e] for e in experts])
    pooled_t = npool.table.reshape(n_states, -1)
    conc: dict[str, float] = {}
    basis: dict[str, str] = {}
    for j, key in enumerate(_col_keys(pooled, npool.node)):
        a0, b = dirichlet_concentration(stack[:, :, j], w, mean=pooled_t[:, j], bounds=bounds,
                                        fallback=fallback)
        conc[key] = round(a0, 6)
        basis[key] = b
    return {"distribution": "dirichlet", "mean": "table", "concentration": conc,
            "basis": basis, "estimator": _estimator(len(experts), ranked=False, bounds=bounds,
                                                    fallback=fallback,
                                                    sdlog_fallback=sdlog_fallback)}


def _ranked_uncertainty(npool: NodePool, *, bounds: tuple[float, float], fallback: float,
                        sdlog_fallback: float) -> dict[str, Any]:
    experts = list(npool.expert_params)
    w = np.array([npool.weights[e] for e in experts])
    params = npool.expert_params
    out: dict[str, Any] = {}
    cpt = npool.cpt
    if "weights" in cpt:
        written = {p: float(v) for p, v in cpt["weights"].items()}
        total = sum(written.values())
        parents = list(written)
        mean = np.array([written[p] / total for p in parents])
        rows = []
        for e in experts:
            ew = np.array([float(params[e]["weights"][p]) for p in parents])
            rows.append(ew / ew.sum() if ew.sum() > 0 else np.full(len(ew), 1 / len(ew)))
        a0, b = dirichlet_concentration(np.array(rows), w, mean=mean, bounds=bounds,
                                        fallback=fallback)
        out["weights"] = {"distribution": "dirichlet",
                          "mean": {p: round(float(m), 9) for p, m in zip(parents, mean,
                                                                          strict=True)},
                          "concentration": round(a0, 6), "basis": b, "total": total}
    logs = np.log(np.array([float(params[e]["variance"]) for e in experts]))
    var = _weighted_variance(logs[:, None], w)
    if var is None or float(var[0]) <= 1e-15:
        sdlog, vbasis = float(sdlog_fallback), "fallback"
    else:
        sdlog, vbasis = math.sqrt(float(var[0])), "moments"
    out["variance"] = {"distribution": "lognormal",
                       "meanlog": round(math.log(float(cpt["variance"])), 9),
                       "sdlog": round(sdlog, 9), "basis": vbasis}
    shares: dict[str, float] = {}
    for e, we in zip(experts, w / w.sum(), strict=True):
        f = str(params[e]["function"])
        shares[f] = shares.get(f, 0.0) + float(we)
    out["function"] = {f: round(s, 9) for f, s in sorted(shares.items())}
    out["estimator"] = _estimator(len(experts), ranked=True, bounds=bounds,
                                  fallback=fallback, sdlog_fallback=sdlog_fallback)
    return out


def _infer(values: set[Any], given: Any, what: str) -> Any:
    if given is not None:
        if values and values != {given}:
            raise ElicitationError(f"{what} {given!r} does not match the pooled answers' "
                                   f"{what}(s): {', '.join(map(str, sorted(values)))}")
        return given
    if len(values) != 1:
        raise ElicitationError(f"give {what}=...: the pooled answers have "
                               f"{'none' if not values else ', '.join(map(str, sorted(values)))}")
    return next(iter(values))


def pooled_spec(
    model: Model, pooled: PoolResult, *, study: str | None = None, round: int | None = None,
    date: str | None = None, model_id: str | None = None,
    bounds: tuple[float, float] = CONCENTRATION_BOUNDS,
    fallback: float = FALLBACK_CONCENTRATION, sdlog_fallback: float = FALLBACK_SDLOG,
) -> dict[str, Any]:
    """The pooled model as a model-file mapping (validated); see :func:`write_pooled_model`."""
    if not pooled.nodes:
        raise ElicitationError("nothing was pooled; no model to write "
                               f"({'; '.join(pooled.notes) or 'no nodes'})")
    lo, hi = (float(b) for b in bounds)
    if not (0 < lo <= hi and math.isfinite(hi)) or not (lo <= fallback <= hi) \
            or not (sdlog_fallback > 0 and math.isfinite(sdlog_fallback)):
        raise ElicitationError(f"bounds {bounds!r} must be 0 < low <= high, with the fallback "
                               f"{fallback!r} inside them and sdlog_fallback > 0")
    unknown = [n for n in pooled.nodes if n not in model.spec.by_id]
    if unknown:
        raise ElicitationError(f"pooled node(s) {', '.join(unknown)} are not in the model")
    node_answers = [a for a in pooled.answers if not a.question.startswith("seed/")]
    study = _infer({a.study for a in pooled.answers}, study, "study")
    rounds = {a.round for a in node_answers}
    if round is None and len(rounds) > 1:  # e.g. Store.latest() across Delphi rounds
        round_text = "rounds " + ", ".join(map(str, sorted(rounds)))
    else:
        round_text = f"round {_infer(rounds, round, 'round')}"
    if date is None:
        date = _dt.datetime.now(_dt.UTC).date().isoformat()
    digest = answers_hash(pooled.answers)
    data = model.spec.to_dict()
    if model_id is not None:
        data["model"]["id"] = model_id
    extra = (f" Nodes {', '.join(pooled.nodes)} pooled from expert elicitation study "
             f"{study}, {round_text}.")
    data["model"]["description"] = (data["model"].get("description", "") + extra).strip()
    pool_name = {"linear": "linear opinion pool (Stone 1961)",
                 "log": "logarithmic opinion pool (Genest & Zidek 1986)"}[pooled.method]
    for node in data["nodes"]:
        npool = pooled.nodes.get(node["id"])
        if npool is None:
            continue
        experts = list(npool.weights)
        wtext = ", ".join(f"{e} {npool.weights[e]:.4g}" for e in experts)
        how = ("ranked parameters pooled (weighted mean of normalised weights and of "
               "variances, function by weighted majority)" if npool.kind == "ranked"
               else "tables pooled column by column")
        if node["cpt"]["method"] == "ranked" and npool.kind == "table":
            how = "each expert's ranked table built from their answers, tables pooled"
        excluded = [x for x in pooled.excluded if x.node == npool.node]
        notes = f"experts: {', '.join(experts)}; answers SHA-256: {digest}"
        if excluded:
            notes += "; left out: " + "; ".join(f"{x.expert} ({x.reason})" for x in excluded)
        if npool.kind == "ranked":
            unc = _ranked_uncertainty(npool, bounds=(lo, hi), fallback=fallback,
                                      sdlog_fallback=sdlog_fallback)
        else:
            unc = _table_uncertainty(pooled, npool, bounds=(lo, hi), fallback=fallback,
                                     sdlog_fallback=sdlog_fallback)
        cpt: dict[str, Any] = {k: _plain(v) for k, v in npool.cpt.items()}
        cpt["uncertainty"] = unc
        cpt["provenance"] = {
            "source": f"expert elicitation: study {study}, {round_text}",
            "method": f"{pool_name}, {pooled.weighting} weights ({wtext}); {how}",
            "date": date,
            "notes": notes,
            "experts": experts,
            "weights": {e: builtins.round(float(npool.weights[e]), 12) for e in experts},
            "answers_sha256": digest,
        }
        node["cpt"] = cpt
    try:
        parse_spec(data, source="<pooled model>")
    except ModelFileError as exc:  # pragma: no cover - a bug, not a user mistake
        raise ElicitationError(f"the pooled model is invalid: {exc}") from None
    return data


def _plain(value: Any) -> Any:
    """Plain Python containers and floats (for YAML)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.floating | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_pooled_model(
    model: Model, pooled: PoolResult, path: str | Path, *, study: str | None = None,
    round: int | None = None, date: str | None = None, model_id: str | None = None,
    bounds: tuple[float, float] = CONCENTRATION_BOUNDS,
    fallback: float = FALLBACK_CONCENTRATION, sdlog_fallback: float = FALLBACK_SDLOG,
) -> Path:
    """Write ``model`` with ``pooled``'s nodes replaced to the new file ``path``.

    ``study`` and ``round`` default to those of the pooled answers (and must match them
    if given; answers from several rounds, e.g. ``Store.latest()``, are cited as
    "rounds 1, 2"); the pool, its weights per expert and the experts come from ``pooled``;
    ``date`` defaults to today (UTC). Raises :class:`FileExistsError` naming ``path`` if it
    exists (nothing written), :class:`ElicitationError` if nothing was pooled. See the
    module docstring for the provenance and the ``uncertainty`` written.
    """
    p = Path(path)
    if p.exists():
        raise FileExistsError(f"{p} exists; choose another name (nothing was overwritten)")
    data = pooled_spec(model, pooled, study=study, round=round, date=date, model_id=model_id,
                       bounds=bounds, fallback=fallback, sdlog_fallback=sdlog_fallback)
    text = ("# Pooled from expert elicitation by cohesion_bn.elicitation.writeback; see each "
            "pooled node's provenance.\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                             default_flow_style=None))
    try:
        with p.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise FileExistsError(f"{p} exists; choose another name (nothing was "
                              "overwritten)") from None
    return p
