"""Batched exact inference for discrete Bayesian networks, with derivatives.

A network over variables :math:`X_1, \\dots, X_n` with conditional probability tables
(CPTs) :math:`\\theta_{x|u}` defines the *network polynomial* (Darwiche 2003)

.. math::

    f(\\lambda, \\theta) = \\sum_{\\mathbf{x}} \\prod_{i} \\lambda_{x_i}
        \\prod_{i} \\theta_{x_i | \\mathbf{u}_i},

where :math:`\\lambda_{x}` are evidence indicators: 1/0 for a hard finding, the
likelihood ratio :math:`L(x)` for virtual (likelihood) evidence (Pearl 1988, §2.2.2), 1
otherwise. At the evidence, :math:`f = P(e)`; keeping a target :math:`T` free gives the
vector :math:`P(t, e)` and the posterior :math:`P(t \\mid e) = P(t, e) / P(e)`.

**How it is evaluated.** :math:`f` is a tensor-network contraction: one factor per CPT
(axes: the node's own states, then its parents), one vector per likelihood finding.
Before contracting, barren nodes (nodes that are not ancestors of a target or of an
evidence node) are dropped, since their CPT columns sum to one (Shachter 1986; Baker &
Boult 1990), and hard evidence *slices* every factor that mentions the observed variable
instead of multiplying by an indicator vector, which removes that axis altogether. The
remaining factors are contracted pairwise along a variable-elimination order (Zhang &
Poole 1994; Dechter 1999), the cheapest of the greedy min-weight and weighted min-fill
orders (Kjærulff 1990) and, for costly plans, of randomised min-weight orders. Each
elimination step multiplies the factors mentioning the variable, and every factor whose
variables lie within that bucket, smallest pairs first, and sums out every variable
that no other factor needs. The plan is compiled once per *query
structure* (targets, which nodes carry hard or likelihood evidence, which CPTs are
batched) and cached; only evidence *states* and numbers change between calls.

**Batches.** Every CPT may carry a batch of parameter sets, e.g. Monte-Carlo draws. The
batch is an extra index ``z`` shared by all batched factors and by the output, so a batch
of ``B`` parameter sets costs one contraction with ``B``-long inner loops rather than
``B`` contractions. Internally the batch axis is the *last* (unit-stride) axis of every
array: every pairwise product is then a sum of products of contiguous length-``B``
vectors, which ``numpy.einsum`` runs with SIMD within a small factor of memory bandwidth
whatever the shapes of the small axes. (With the batch axis first, the inner loops run
over the small axes, of length 2-5: on 10,000 draws of 3-state families, 3-12x slower.
That, and multiplying evidence in as an indicator vector, which keeps every state of the
observed variable in every intermediate until the end, rather than slicing, is what makes
one generic ``einsum`` expression with a batch index 10-15x slower on the 17-node test
network of ``benchmarks/bench_engine.py``.) CPTs without uncertainty stay unbatched and
are broadcast. The batch is processed in chunks of a few thousand, which keeps the
intermediate factors of a chunk small and warm in cache.

**Derivatives.** The contraction tree is an arithmetic circuit computing :math:`f`, so
one forward pass and one backward (reverse-mode) pass give :math:`\\partial f /
\\partial \\theta_{x|u}` for *every* CPT entry at once (Darwiche 2003, §5; Park &
Darwiche 2004). For a pairwise step :math:`C = \\sum A \\, B`, the adjoints are
:math:`\\bar A = \\sum \\bar C \\, B` and :math:`\\bar B = \\sum \\bar C \\, A`. For a target
:math:`T` the output is a vector, so the adjoints carry one more index (the seed is the
identity over :math:`t`), giving :math:`\\partial P(t, e) / \\partial \\theta` for every
:math:`t` in the same sweep. These are derivatives of the polynomial, i.e. with every
entry a free variable (no co-variation of the other entries in its column); apply
co-variation (Chan & Darwiche 2002) on top if wanted. Family marginals follow from
:math:`P(x, \\mathbf{u}, e) = \\theta_{x|\\mathbf{u}} \\, \\partial f / \\partial
\\theta_{x|\\mathbf{u}}` (Darwiche 2003, Thm 3), which is how :meth:`CompiledNetwork.
all_marginals` gets every node's posterior from one forward and one backward sweep
without ever forming the joint distribution.

References
----------
- A. Darwiche (2003). A differential approach to inference in Bayesian networks.
  *Journal of the ACM* 50(3):280-305.
- J. D. Park, A. Darwiche (2004). A differential semantics for jointree algorithms.
  *Artificial Intelligence* 156(2):197-216.
- H. Chan, A. Darwiche (2002). When do numbers really matter? *JAIR* 17:265-287.
- R. D. Shachter (1986). Evaluating influence diagrams. *Operations Research* 34(6).
- M. Baker, T. E. Boult (1990). Pruning Bayesian networks for efficient computation.
  *UAI 6*.
- N. L. Zhang, D. Poole (1994). A simple approach to Bayesian network computations.
  *Canadian AI*.
- R. Dechter (1999). Bucket elimination: a unifying framework for reasoning.
  *Artificial Intelligence* 113:41-85.
- U. Kjærulff (1990). Triangulation of graphs - algorithms giving small total state
  space. Tech. report R-90-09, Aalborg University.
- J. Pearl (1988). *Probabilistic Reasoning in Intelligent Systems*. Morgan Kaufmann.
- A. Griewank, A. Walther (2008). *Evaluating Derivatives*, 2nd ed. SIAM (cost of the
  reverse mode).
"""

from __future__ import annotations

import math
import string
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .errors import (
    AnalysisError,
    EvidenceError,
    ImpossibleEvidenceError,
    UnknownNodeError,
    UnknownStateError,
)

__all__ = [
    "CompiledNetwork",
    "Gradient",
    "ParameterSet",
    "PlanInfo",
    "Posterior",
]

#: Index label of the batch axis (always the last axis of a batched internal array).
_BATCH = -1
#: Index label of the seed axis of the backward pass (a copy of the target's states).
_SEED = -2
#: Size the planner assumes for the batch axis; only its ratio to 1 matters.
_NOMINAL_BATCH = 64
#: Aim for about this many array elements in the largest intermediate of one chunk ...
_CHUNK_ELEMENTS = 1 << 20
#: ... with chunks of this many batch elements at least and at most (measured: 2-4k
#: balances per-call overhead against cache misses; whole 10k batches are ~2x slower).
_CHUNK_MIN, _CHUNK_MAX = 256, 4096
#: Plans dearer than this (multiply-adds) are worth a randomised search for a better order.
_SEARCH_ABOVE = 5e4
#: How many randomised elimination orders that search tries.
_TRIALS = 12
#: How many query plans a network keeps.
_PLAN_CACHE_SIZE = 256
_LETTERS = string.ascii_letters

Evidence = Mapping[str, str]
Likelihood = Mapping[str, npt.ArrayLike]
OnImpossible = Literal["raise", "nan"]


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posterior:
    """Posterior marginals for a batch of parameter sets.

    ``marginals[node]`` has shape ``(B, n_states)``: row ``b`` is :math:`P(X \\mid e)`
    under parameter set ``b``. ``p_evidence`` has shape ``(B,)`` and is :math:`P(e)`
    (1 without evidence; the product of likelihoods is included for virtual evidence,
    i.e. it is :math:`\\sum_x P(x) \\prod L(x)`). ``states[node]`` names the columns.
    """

    marginals: dict[str, np.ndarray]
    p_evidence: np.ndarray
    states: dict[str, tuple[str, ...]]

    def __getitem__(self, node: str) -> np.ndarray:
        if node not in self.marginals:
            raise UnknownNodeError(node, self.marginals, context="not a target of this query")
        return self.marginals[node]

    @property
    def batch_size(self) -> int:
        return int(self.p_evidence.shape[0])


@dataclass(frozen=True)
class Gradient:
    """:math:`P(t, e)`, :math:`P(e)` and their derivatives with respect to CPT entries.

    With a target :math:`T` (``target`` is its name):

    - ``joint``: shape ``(B, n_t)``, :math:`P(T = t, e)`;
    - ``d_joint[node]``: shape ``(B, n_t, n, *parent_cards)``,
      :math:`\\partial P(T=t, e) / \\partial \\theta_{x|u}`.

    Always:

    - ``p_evidence``: shape ``(B,)``, :math:`P(e) = \\sum_t P(t, e)`;
    - ``d_evidence[node]``: shape ``(B, n, *parent_cards)``,
      :math:`\\partial P(e) / \\partial \\theta_{x|u}`.

    Derivatives are partial derivatives of the network polynomial, each CPT entry a free
    variable. Nodes whose CPTs were not asked for (``wrt``) are absent.
    """

    target: str | None
    joint: np.ndarray | None
    p_evidence: np.ndarray
    d_joint: dict[str, np.ndarray] | None
    d_evidence: dict[str, np.ndarray]

    def posterior(self) -> np.ndarray:
        """:math:`P(t \\mid e)`, shape ``(B, n_t)``."""
        joint, _ = self._with_target()
        p_e = self._p_e_checked()
        return joint / p_e[:, None]

    def d_posterior(self) -> dict[str, np.ndarray]:
        """:math:`\\partial P(t \\mid e) / \\partial \\theta_{x|u}` by the quotient rule.

        .. math::

            \\frac{\\partial P(t \\mid e)}{\\partial \\theta} =
            \\frac{1}{P(e)} \\Big( \\frac{\\partial P(t, e)}{\\partial \\theta}
            - P(t \\mid e) \\frac{\\partial P(e)}{\\partial \\theta} \\Big)

        Each array has shape ``(B, n_t, n, *parent_cards)``.
        """
        joint, d_joint = self._with_target()
        p_e = self._p_e_checked()
        post = joint / p_e[:, None]
        out: dict[str, np.ndarray] = {}
        for node, dj in d_joint.items():
            de = self.d_evidence[node]
            extra = (1,) * (de.ndim - 1)
            pe = p_e.reshape((-1, 1, *extra))
            out[node] = (dj - post.reshape(post.shape + extra) * de[:, None]) / pe
        return out

    def _with_target(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        if self.joint is None or self.d_joint is None:
            raise AnalysisError("this gradient has no target; call gradient(target, ...) to get "
                                "P(t, e) and the posterior's derivatives")
        return self.joint, self.d_joint

    def _p_e_checked(self) -> np.ndarray:
        bad = np.flatnonzero(~(self.p_evidence > 0))
        if bad.size:
            raise ImpossibleEvidenceError(
                f"P(e) = 0 for batch element(s) {_list_some(bad)}: the posterior and its "
                "derivatives are undefined there")
        return self.p_evidence


@dataclass(frozen=True)
class PlanInfo:
    """What a compiled query plan costs (for benchmarks and curiosity).

    ``flops`` counts multiply-adds per batch element (a step's cost is the product of the
    sizes of its operands' variables); ``largest`` is the largest factor's size per batch
    element; ``steps`` the number of pairwise contractions; ``nodes`` the nodes left
    after pruning.
    """

    nodes: tuple[str, ...]
    steps: int
    flops: float
    largest: int


# --------------------------------------------------------------------------------------
# Parameter sets
# --------------------------------------------------------------------------------------


class ParameterSet:
    """The CPTs of one evaluation, possibly a batch of them, in the engine's layout.

    Make one with :meth:`CompiledNetwork.parameters`. A batched CPT is stored as
    ``(n_states, *parent_cards, B)`` (batch axis last, see the module docstring), an
    unbatched one as ``(n_states, *parent_cards)``. Re-using one :class:`ParameterSet`
    for several queries (e.g. several evidence scenarios) converts and checks the
    arrays once.
    """

    __slots__ = ("_arrays", "_batched", "_network", "batch_size", "dtype")

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        *,
        batched: frozenset[str],
        batch_size: int,
        dtype: np.dtype[Any],
        network: CompiledNetwork,
    ) -> None:
        self._arrays = arrays
        self._batched = batched
        self._network = network
        self.batch_size = batch_size
        self.dtype = dtype

    @property
    def batched(self) -> frozenset[str]:
        """The nodes whose CPT carries a batch axis."""
        return self._batched

    def cpt(self, node: str) -> np.ndarray:
        """The CPT of ``node`` as ``(B, n, *parent_cards)`` (batched) or ``(n, ...)``.

        A read-only view; no copy.
        """
        if node not in self._arrays:
            raise UnknownNodeError(node, self._arrays)
        a = self._arrays[node]
        return np.moveaxis(a, -1, 0) if node in self._batched else a

    def internal(self, node: str) -> np.ndarray:
        """The stored array of ``node``: ``(n, *parent_cards, B)`` or ``(n, ...)``."""
        if node not in self._arrays:
            raise UnknownNodeError(node, self._arrays)
        return self._arrays[node]


# --------------------------------------------------------------------------------------
# Contraction planning
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One contraction: ``out = einsum(a, b)`` (``b == -1``: ``out = einsum(a)``)."""

    a: int
    b: int
    out: int
    a_idx: tuple[int, ...]
    b_idx: tuple[int, ...]
    out_idx: tuple[int, ...]


def _size(idx: Iterable[int], sizes: Mapping[int, int]) -> float:
    s = 1.0
    for i in idx:
        s *= sizes[i]
    return s


def _ordered(first: Sequence[int], second: Sequence[int], keep: Iterable[int]) -> tuple[int, ...]:
    """Indices of ``keep`` in order of appearance in ``first`` then ``second``, batch last."""
    keep_set = set(keep)
    out: list[int] = []
    for i in (*first, *second):
        if i in keep_set and i != _BATCH and i not in out:
            out.append(i)
    if _BATCH in keep_set:
        out.append(_BATCH)
    return tuple(out)


def _eliminate(
    leaves: Sequence[tuple[int, ...]],
    sizes: Mapping[int, int],
    output: tuple[int, ...],
    heuristic: str,
    rng: np.random.Generator | None,
) -> tuple[list[_Step], int, float, float]:
    """Greedy variable elimination as a list of pairwise steps.

    Returns ``(steps, final register, flops, largest factor)``; the largest factor's
    size excludes the batch index.
    """
    out_set = frozenset(output)
    live: dict[int, frozenset[int]] = {r: frozenset(ix) for r, ix in enumerate(leaves)}
    order: dict[int, tuple[int, ...]] = dict(enumerate(leaves))
    holders: dict[int, set[int]] = {}
    for r, ix in live.items():
        for v in ix:
            holders.setdefault(v, set()).add(r)
    steps: list[_Step] = []
    flops = 0.0
    largest = max((_size(ix - {_BATCH}, sizes) for ix in live.values()), default=1.0)
    next_reg = len(leaves)

    def emit(a: int, b: int, keep: frozenset[int], final_order: tuple[int, ...] | None) -> int:
        nonlocal next_reg, flops, largest
        union = live[a] | live[b] if b >= 0 else live[a]
        flops += _size(union, sizes)
        largest = max(largest, _size(keep - {_BATCH}, sizes))
        out_idx = final_order if final_order is not None else _ordered(
            order[a], order[b] if b >= 0 else (), keep)
        r = next_reg
        next_reg += 1
        steps.append(_Step(a, b, r, order[a], order[b] if b >= 0 else (), out_idx))
        for old in (a, b) if b >= 0 else (a,):
            for v in live[old]:
                holders[v].discard(old)
            del live[old]
        live[r] = frozenset(out_idx)
        order[r] = out_idx
        for v in out_idx:
            holders.setdefault(v, set()).add(r)
        return r

    def combine(group: list[int], elim: frozenset[int], final_order: tuple[int, ...] | None
                ) -> int:
        items = list(group)
        while len(items) > 1:
            # the pair whose product is smallest
            _, ii, jj = min((_size(live[items[i]] | live[items[j]], sizes), i, j)
                            for i in range(len(items)) for j in range(i + 1, len(items)))
            a, b = items[ii], items[jj]
            rest = [items[k] for k in range(len(items)) if k not in (ii, jj)]
            needed = set().union(*(live[k] for k in rest)) if rest else set()
            keep = frozenset(v for v in live[a] | live[b] if v not in elim or v in needed)
            fo = final_order if (not rest and final_order is not None) else None
            r = emit(a, b, keep, fo)
            items = [*rest, r]
        last = items[0]
        if live[last] & elim or (final_order is not None and order[last] != final_order):
            keep = frozenset(v for v in live[last] if v not in elim)
            last = emit(last, -1, keep, final_order)
        return last

    nb_cache: dict[int, frozenset[int]] = {}

    def neighbours(v: int) -> frozenset[int]:
        nb = nb_cache.get(v)
        if nb is None:
            nb = nb_cache[v] = frozenset().union(*(live[r] for r in holders[v]))
        return nb

    def score(v: int) -> tuple[float, float]:
        scope = neighbours(v)
        weight = _size(scope, sizes)
        noisy = weight if rng is None else weight * math.exp(0.5 * rng.standard_normal())
        if heuristic == "weight":
            return noisy, weight
        nbrs = [u for u in scope if u != v and u != _BATCH]
        fill = 0.0
        for i1, a1 in enumerate(nbrs):
            adj = neighbours(a1)
            for a2 in nbrs[i1 + 1:]:
                if a2 not in adj:
                    fill += sizes[a1] * sizes[a2] if heuristic == "wfill" else 1.0
        return fill, noisy

    scores: dict[int, tuple[float, float]] = {}
    while True:
        cands = [v for v, rs in holders.items() if rs and v not in out_set]
        if not cands:
            break
        for v in cands:
            if v not in scores:
                scores[v] = score(v)
        v = min(cands, key=scores.__getitem__)
        members = set(holders[v])
        scope = frozenset().union(*(live[r] for r in members))
        near = set().union(*(holders[u] for u in scope)) - members
        absorbable = {r for r in near if live[r] <= scope}
        group = members | absorbable
        elim = frozenset(u for u in scope if u not in out_set and holders[u] <= group)
        group = members | {r for r in absorbable if live[r] & elim}
        elim = frozenset(u for u in scope if u not in out_set and holders[u] <= group)
        combine(sorted(group), elim, None)
        for u in scope:
            nb_cache.pop(u, None)
        stale = set(scope)
        if heuristic != "weight":
            for u in scope:
                if holders.get(u):
                    stale |= neighbours(u)
        for u in stale:
            scores.pop(u, None)

    remaining = sorted(live)
    if not remaining:  # pragma: no cover - every plan has at least one factor
        raise AnalysisError("internal error: nothing to contract")
    final = combine(remaining, frozenset(), output)
    return steps, final, flops, largest


def _plan_contraction(
    leaves: Sequence[tuple[int, ...]],
    sizes: Mapping[int, int],
    output: tuple[int, ...],
    *,
    seed: int = 0,
) -> tuple[list[_Step], int, float, float]:
    """The cheapest (in multiply-adds) of several greedy elimination orders.

    Min-weight and weighted min-fill first; if the better of the two costs more than
    :data:`_SEARCH_ABOVE` multiply-adds (the batch index counted at its nominal size),
    also :data:`_TRIALS` min-weight runs with randomly perturbed weights (a cheap
    stochastic search in the spirit of randomised greedy triangulation), since the
    orders of greedy heuristics vary widely on some networks (2-4x on insurance).
    """
    best = min((_eliminate(leaves, sizes, output, h, None) for h in ("weight", "wfill")),
               key=lambda p: p[2])
    if best[2] > _SEARCH_ABOVE:
        rng = np.random.default_rng(seed)
        for _ in range(_TRIALS):
            plan = _eliminate(leaves, sizes, output, "weight", rng)
            if plan[2] < best[2]:
                best = plan
    return best


def _letters(idx: Sequence[int], table: dict[int, str]) -> str:
    out = []
    for i in idx:
        if i not in table:
            if len(table) >= len(_LETTERS):
                raise AnalysisError(
                    "a contraction step needs more than 52 indices; the network's "
                    "treewidth is too large for exact inference")
            table[i] = _LETTERS[len(table)]
        out.append(table[i])
    return "".join(out)


@dataclass(frozen=True)
class _Leaf:
    """A factor: the CPT of ``node`` (``kind == "cpt"``) or its likelihood vector."""

    kind: Literal["cpt", "lik"]
    node: str
    axes: tuple[int, ...]          # variable of each array axis (batch excluded)
    batched: bool
    idx: tuple[int, ...]           # after slicing hard evidence, batch last


@dataclass(frozen=True)
class _Backward:
    """How to get the adjoint of one operand of a step.

    ``einsum(subscripts, adjoint of the output, other operand)`` (binary steps) or a
    transpose by ``perm`` (unary steps), then new axes at ``expand`` broadcast to the
    adjoint's indices ``idx`` (the step summed over those, so the adjoint is constant
    along them).
    """

    subscripts: str
    perm: tuple[int, ...] | None
    expand: tuple[int, ...]
    idx: tuple[int, ...]


@dataclass(frozen=True)
class _Plan:
    """A compiled query: its factors, the forward steps and (optionally) the backward ones.

    Registers ``0 .. len(leaves)-1`` hold the leaves; step ``k`` writes register
    ``len(leaves) + k``. ``largest`` is the largest factor's size per batch element
    (for the chunk size), ``sizes`` the number of states of every variable.
    """

    leaves: tuple[_Leaf, ...]
    steps: tuple[_Step, ...]
    subscripts: tuple[str, ...]
    final: int
    out_idx: tuple[int, ...]       # final register's indices
    perm: tuple[int, ...]          # transpose of the final register to (target?, batch?)
    batched: bool
    target: int | None
    info: PlanInfo
    seeded: bool = False
    backward: tuple[tuple[_Backward, _Backward | None], ...] = ()
    adj_idx: tuple[tuple[int, ...], ...] = ()   # adjoint indices of each register
    needed: frozenset[int] = frozenset()        # registers whose adjoint is needed
    largest: float = 1.0
    sizes: dict[int, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------


class CompiledNetwork:
    """A discrete Bayesian network ready for batched exact inference.

    ::

        net = CompiledNetwork.from_pgmpy(model)          # or CompiledNetwork(nodes, ...)
        net.query("C", evidence={"A": "yes"})            # Posterior: ["C"] is (1, n_C)
        draws = net.parameters({"B": b_draws})           # b_draws: (B, n_B, *parents)
        net.query(["C", "D"], evidence={"A": "yes"}, params=draws)    # (B, n) each
        net.all_marginals(likelihood={"D": [0.9, 0.2]})  # every node, one sweep pair
        net.gradient("C", evidence={"A": "yes"})         # dP(c, e)/dθ, dP(e)/dθ

    Parameters
    ----------
    nodes:
        Node names.
    states:
        ``states[node]``: the node's state names, in the order of the CPT's first axis.
    parents:
        ``parents[node]``: the node's parents, in the order of the CPT's other axes.
    cpts:
        ``cpts[node]``: array of shape ``(n_states, *parent_cards)`` whose columns
        ``cpts[node][:, i, j, ...]`` are distributions. (pgmpy's ``TabularCPD.values``
        has this layout, with parents in ``cpd.variables[1:]`` order.)
    tolerance:
        How far a column's sum may be from 1; columns are then normalised exactly (as
        the model files' tables are), which makes every answer independent of which
        barren nodes a plan prunes. (pgmpy's example networks have columns off by up to
        1e-7; compare against pgmpy with its CPDs normalised.)
    """

    def __init__(
        self,
        nodes: Sequence[str],
        states: Mapping[str, Sequence[str]],
        parents: Mapping[str, Sequence[str]],
        cpts: Mapping[str, npt.ArrayLike],
        *,
        tolerance: float = 1e-6,
    ) -> None:
        nodes = tuple(nodes)
        if not nodes:
            raise AnalysisError("a network needs at least one node")
        if len(set(nodes)) != len(nodes):
            dup = sorted({n for n in nodes if nodes.count(n) > 1})
            raise AnalysisError(f"duplicate node names: {', '.join(map(repr, dup))}")
        for n in nodes:
            if not isinstance(n, str) or not n:
                raise AnalysisError(f"node names must be non-empty strings, not {n!r}")
        self._nodes = nodes
        self._index = {n: i for i, n in enumerate(nodes)}
        self._states: dict[str, tuple[str, ...]] = {}
        self._parents: dict[str, tuple[str, ...]] = {}
        self._cpts: dict[str, np.ndarray] = {}
        for name, mapping in (("states", states), ("parents", parents), ("cpts", cpts)):
            for key in mapping:
                if key not in self._index:
                    raise UnknownNodeError(key, nodes, context=f"a key of {name}")
        for n in nodes:
            if n not in states:
                raise AnalysisError(f"node {n!r} has no states; give states[{n!r}]")
            st = tuple(states[n])
            if not st or len(set(st)) != len(st) or not all(isinstance(s, str) for s in st):
                raise AnalysisError(f"node {n!r}: states must be distinct strings, at least one;"
                                    f" got {st!r}")
            self._states[n] = st
        for n in nodes:
            ps = tuple(parents.get(n, ()))
            for p in ps:
                if p not in self._index:
                    raise UnknownNodeError(p, nodes, context=f"a parent of {n!r}")
            if len(set(ps)) != len(ps) or n in ps:
                raise AnalysisError(f"node {n!r}: parents must be distinct other nodes; "
                                    f"got {ps!r}")
            self._parents[n] = ps
        self._topo = self._topological_order()
        for n in nodes:
            if n not in cpts:
                raise AnalysisError(f"node {n!r} has no CPT; give cpts[{n!r}]")
            arr = np.array(cpts[n], dtype=np.float64)
            shape = self._shape(n)
            if arr.shape != shape:
                raise AnalysisError(
                    f"node {n!r}: CPT has shape {arr.shape}; expected {shape} "
                    f"(own states, then parents {', '.join(self._parents[n]) or 'none'})")
            _check_values(arr, f"node {n!r}: CPT", tolerance=tolerance, axis=0)
            arr /= arr.sum(axis=0, keepdims=True)
            arr.setflags(write=False)
            self._cpts[n] = arr
        self._plans: OrderedDict[tuple[Any, ...], _Plan] = OrderedDict()
        self._default_params: dict[Any, ParameterSet] = {}

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_pgmpy(cls, net: Any, *, tolerance: float = 1e-6) -> CompiledNetwork:
        """Compile a ``pgmpy.models.DiscreteBayesianNetwork`` (its nodes, CPDs, states)."""
        nodes = [str(n) for n in net.nodes()]
        states: dict[str, tuple[str, ...]] = {}
        parents: dict[str, tuple[str, ...]] = {}
        cpts: dict[str, np.ndarray] = {}
        for n in net.nodes():
            cpd = net.get_cpds(n)
            if cpd is None:
                raise AnalysisError(f"pgmpy network: node {n!r} has no CPD")
            variables = [str(v) for v in cpd.variables]
            states[str(n)] = tuple(str(s) for s in cpd.state_names[n])
            parents[str(n)] = tuple(variables[1:])
            cpts[str(n)] = np.asarray(cpd.values, dtype=np.float64).reshape(
                tuple(int(c) for c in cpd.cardinality))
        return cls(nodes, states, parents, cpts, tolerance=tolerance)

    def _shape(self, node: str) -> tuple[int, ...]:
        return (len(self._states[node]), *(len(self._states[p]) for p in self._parents[node]))

    def _topological_order(self) -> tuple[str, ...]:
        indeg = {n: len(self._parents[n]) for n in self._nodes}
        children: dict[str, list[str]] = {n: [] for n in self._nodes}
        for n in self._nodes:
            for p in self._parents[n]:
                children[p].append(n)
        ready = [n for n in self._nodes if indeg[n] == 0]
        out: list[str] = []
        while ready:
            n = ready.pop()
            out.append(n)
            for c in children[n]:
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        if len(out) != len(self._nodes):
            cyc = sorted(n for n in self._nodes if indeg[n] > 0)
            raise AnalysisError(f"the network has a directed cycle through {', '.join(cyc)}")
        return tuple(out)

    # ------------------------------------------------------------------ properties

    @property
    def nodes(self) -> tuple[str, ...]:
        return self._nodes

    @property
    def states(self) -> Mapping[str, tuple[str, ...]]:
        return dict(self._states)

    @property
    def parents(self) -> Mapping[str, tuple[str, ...]]:
        return dict(self._parents)

    @property
    def cpts(self) -> Mapping[str, np.ndarray]:
        """The CPTs (columns normalised; read-only arrays)."""
        return dict(self._cpts)

    @property
    def n_parameters(self) -> int:
        """Number of CPT entries."""
        return sum(a.size for a in self._cpts.values())

    def ancestors(self, nodes: Iterable[str]) -> frozenset[str]:
        """The given nodes and all their ancestors."""
        seen: set[str] = set()
        stack = [self._check_node(n, "ancestors") for n in nodes]
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(self._parents[n])
        return frozenset(seen)

    # ------------------------------------------------------------------ parameters

    def parameters(
        self,
        overrides: Mapping[str, npt.ArrayLike] | None = None,
        *,
        batch_last: bool = False,
        dtype: npt.DTypeLike = np.float64,
        validate: bool = True,
        tolerance: float = 1e-6,
    ) -> ParameterSet:
        """A :class:`ParameterSet`: the network's CPTs with some replaced, maybe batched.

        ``overrides[node]`` is the node's CPT, shape ``(n, *parent_cards)``, or a batch
        of them, shape ``(B, n, *parent_cards)`` (``batch_last=True``: shape
        ``(n, *parent_cards, B)``, which is the internal layout and is used without a
        copy when already C-contiguous in ``dtype``). All batched CPTs share one ``B``.
        ``dtype`` is ``float64`` or ``float32`` (twice as fast on large batches, about 7
        significant digits). ``validate`` checks that entries are finite, non-negative
        and that columns sum to 1 within ``tolerance`` (needed for barren-node pruning to
        be exact); turn it off for speed when the draws are known to be valid, or to
        evaluate the network polynomial at arbitrary non-negative entries.
        """
        try:
            dt = np.dtype(dtype)
        except TypeError:
            dt = np.dtype(object)
        if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise AnalysisError(f"dtype must be float64 or float32, not {dtype!r}")
        overrides = overrides or {}
        arrays: dict[str, np.ndarray] = {}
        batched: set[str] = set()
        batch: int | None = None
        batch_from = ""
        for node, value in overrides.items():
            self._check_node(node, "parameters")
            shape = self._shape(node)
            try:
                arr = np.asarray(value, dtype=dt)
            except (TypeError, ValueError) as exc:
                raise AnalysisError(f"node {node!r}: parameters are not numbers ({exc})"
                                    ) from None
            if arr.shape == shape:
                arr = np.ascontiguousarray(arr)
            elif arr.ndim == len(shape) + 1 and (
                    arr.shape[:-1] == shape if batch_last else arr.shape[1:] == shape):
                b = int(arr.shape[-1] if batch_last else arr.shape[0])
                if b < 1:
                    raise AnalysisError(f"node {node!r}: the batch is empty")
                if batch is not None and b != batch:
                    raise AnalysisError(
                        f"batched CPTs disagree on the batch size: {batch_from!r} has {batch},"
                        f" {node!r} has {b}")
                batch, batch_from = b, node
                arr = np.ascontiguousarray(arr) if batch_last else _to_batch_last(arr)
                batched.add(node)
            else:
                where = "(n, *parent_cards, B)" if batch_last else "(B, n, *parent_cards)"
                raise AnalysisError(
                    f"node {node!r}: parameters have shape {arr.shape}; expected {shape} or "
                    f"{where} with {shape} = (own states, then parents "
                    f"{', '.join(self._parents[node]) or 'none'})")
            if validate:
                _check_values(arr, f"node {node!r}: parameters", tolerance=tolerance, axis=0)
            arrays[node] = _readonly(arr.view())   # a view: the caller's array stays writable
        for node in self._nodes:
            if node not in arrays:
                base = self._cpts[node]
                arrays[node] = base if dt == base.dtype else _readonly(base.astype(dt))
        return ParameterSet(arrays, batched=frozenset(batched), batch_size=batch or 1,
                            dtype=dt, network=self)

    def _params(self, params: ParameterSet | Mapping[str, npt.ArrayLike] | None
                ) -> ParameterSet:
        if params is None:
            if "base" not in self._default_params:
                self._default_params["base"] = self.parameters()
            return self._default_params["base"]
        if isinstance(params, ParameterSet):
            if params._network is not self:
                raise AnalysisError("this ParameterSet was made by another network; make one "
                                    "with this network's parameters()")
            return params
        return self.parameters(params)

    # ------------------------------------------------------------------ validation

    def _check_node(self, node: str, context: str) -> str:
        if node not in self._index:
            raise UnknownNodeError(str(node), self._nodes, context=context)
        return node

    def _evidence(
        self, evidence: Evidence | None, likelihood: Likelihood | None, dtype: np.dtype[Any]
    ) -> tuple[dict[str, int], dict[str, np.ndarray], int | None]:
        """Hard evidence as state indices; likelihoods as ``(n,)`` or ``(n, B)`` arrays."""
        hard: dict[str, int] = {}
        for node, state in (evidence or {}).items():
            self._check_node(node, "evidence")
            if not isinstance(state, str):
                raise EvidenceError(
                    f"evidence on {node!r} must be a state name (one of "
                    f"{', '.join(self._states[node])}), not {state!r}; use likelihood= for "
                    "a vector")
            if state not in self._states[node]:
                raise UnknownStateError(node, state, self._states[node], context="evidence")
            hard[node] = self._states[node].index(state)
        soft: dict[str, np.ndarray] = {}
        batch: int | None = None
        for node, value in (likelihood or {}).items():
            self._check_node(node, "likelihood")
            if node in hard:
                raise EvidenceError(f"node {node!r} has both hard evidence and a likelihood; "
                                    "give one")
            n = len(self._states[node])
            try:
                arr = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise EvidenceError(f"likelihood of {node!r} is not numeric: {exc}") from None
            if arr.shape not in ((n,),) and not (arr.ndim == 2 and arr.shape[1] == n):
                raise EvidenceError(
                    f"likelihood of {node!r} has shape {arr.shape}; expected ({n},) or "
                    f"(B, {n}) for its states {', '.join(self._states[node])}")
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise EvidenceError(f"likelihood of {node!r} must be finite and non-negative")
            if np.any(arr.sum(axis=-1) <= 0):
                raise EvidenceError(f"likelihood of {node!r} is zero for every state")
            if arr.ndim == 2:
                if batch is not None and arr.shape[0] != batch:
                    raise EvidenceError(f"batched likelihoods disagree on the batch size "
                                        f"({batch} vs {arr.shape[0]} for {node!r})")
                batch = int(arr.shape[0])
                arr = arr.T
            soft[node] = np.ascontiguousarray(arr, dtype=dtype)
        return hard, soft, batch

    def _batch(self, params: ParameterSet, soft_batch: int | None) -> int:
        if soft_batch is None:
            return params.batch_size
        if params.batched and params.batch_size != soft_batch:
            raise AnalysisError(f"the parameters have a batch of {params.batch_size} but the "
                                f"likelihoods a batch of {soft_batch}")
        return soft_batch

    # ------------------------------------------------------------------ planning

    def _plan(
        self,
        *,
        target: str | None,
        hard: frozenset[str],
        soft: tuple[tuple[str, bool], ...],
        batched: frozenset[str],
        keep: frozenset[str] | None,
        seeded: bool,
        wanted: frozenset[str] | None,
    ) -> _Plan:
        """The (cached) contraction plan of one query structure.

        ``keep``: nodes kept besides the ancestors of target and evidence (``None``: all).
        ``wanted``: the nodes whose CPT adjoints the backward sweep must deliver (``None``:
        no backward sweep).
        """
        key = (target, hard, soft, batched, keep, seeded, wanted)
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        if keep is None:
            relevant = frozenset(self._nodes)
        else:
            roots = set(keep) | set(hard) | {n for n, _ in soft}
            if target is not None:
                roots.add(target)
            relevant = self.ancestors(roots)
        idx = self._index
        sizes: dict[int, int] = {idx[n]: len(self._states[n]) for n in self._nodes}
        is_batched = bool(batched & relevant) or any(b for _, b in soft)
        sizes[_BATCH] = _NOMINAL_BATCH if is_batched else 1
        leaves: list[_Leaf] = []
        for n in self._topo:
            if n not in relevant:
                continue
            axes = (idx[n], *(idx[p] for p in self._parents[n]))
            b = n in batched
            kept = tuple(a for a in axes if self._nodes[a] not in hard)
            leaves.append(_Leaf("cpt", n, axes, b, kept + ((_BATCH,) if b else ())))
        for n, b in soft:
            leaves.append(_Leaf("lik", n, (idx[n],), b, (idx[n],) + ((_BATCH,) if b else ())))
        t = idx[target] if target is not None else None
        output = ((t,) if t is not None else ()) + ((_BATCH,) if is_batched else ())
        steps, final, _, largest = _plan_contraction([lf.idx for lf in leaves], sizes, output)
        regs_idx: list[tuple[int, ...]] = [lf.idx for lf in leaves]
        subs: list[str] = []
        for st in steps:
            table: dict[int, str] = {}
            if st.b >= 0:
                s = (f"{_letters(st.a_idx, table)},{_letters(st.b_idx, table)}->"
                     f"{_letters(st.out_idx, table)}")
            else:
                s = f"{_letters(st.a_idx, table)}->{_letters(st.out_idx, table)}"
            subs.append(s)
            regs_idx.append(st.out_idx)
        out_idx = regs_idx[final]
        perm = tuple(out_idx.index(i) for i in output)
        info = PlanInfo(
            nodes=tuple(n for n in self._topo if n in relevant),
            steps=len(steps),
            flops=sum(_size((set(st.a_idx) | set(st.b_idx)) - {_BATCH}, sizes) for st in steps),
            largest=int(largest))
        plan = _Plan(tuple(leaves), tuple(steps), tuple(subs), final, out_idx, perm,
                     is_batched, t, info, largest=largest, sizes=sizes)
        if wanted is not None:
            plan = self._with_backward(plan, regs_idx, seeded=seeded, wanted=wanted)
        self._plans[key] = plan
        if len(self._plans) > _PLAN_CACHE_SIZE:
            self._plans.popitem(last=False)
        return plan

    @staticmethod
    def _with_backward(plan: _Plan, regs_idx: list[tuple[int, ...]], *, seeded: bool,
                       wanted: frozenset[str]) -> _Plan:
        """Add the reverse sweep: for each step, how to get its operands' adjoints.

        An adjoint has the indices of its register, plus the seed index first (one
        adjoint per target state) and the batch index last (one per parameter set).
        Only the adjoints on the way to a wanted CPT are computed.
        """
        needed = {r for r, lf in enumerate(plan.leaves) if lf.kind == "cpt" and lf.node in wanted}
        for st in plan.steps:
            if st.a in needed or st.b in needed:
                needed.add(st.out)
        pre = (_SEED,) if seeded else ()
        post = (_BATCH,) if plan.batched else ()

        def adj(ix: tuple[int, ...]) -> tuple[int, ...]:
            return pre + tuple(i for i in ix if i != _BATCH) + post

        back: list[tuple[_Backward, _Backward | None]] = []
        for st in plan.steps:
            d_out = adj(st.out_idx)
            if st.b < 0:
                target = adj(st.a_idx)
                perm = tuple(d_out.index(i) for i in target if i in d_out)
                expand = tuple(k for k, i in enumerate(target) if i not in d_out)
                back.append((_Backward("", perm, expand, target), None))
                continue
            pair: list[_Backward] = []
            for mine, other in ((st.a_idx, st.b_idx), (st.b_idx, st.a_idx)):
                target = adj(mine)
                lonely = {i for i in mine if i not in other and i not in st.out_idx}
                table: dict[int, str] = {}
                sub = (f"{_letters(d_out, table)},{_letters(other, table)}->"
                       f"{_letters(tuple(i for i in target if i not in lonely), table)}")
                expand = tuple(k for k, i in enumerate(target) if i in lonely)
                pair.append(_Backward(sub, None, expand, target))
            back.append((pair[0], pair[1]))
        return replace(plan, seeded=seeded, backward=tuple(back),
                       adj_idx=tuple(adj(ix) for ix in regs_idx), needed=frozenset(needed))

    def plan_info(
        self,
        targets: str | Sequence[str] | None = None,
        *,
        evidence: Iterable[str] = (),
        likelihood: Iterable[str] = (),
        batched: Iterable[str] = (),
    ) -> list[PlanInfo]:
        """What the plans of :meth:`query` cost: one :class:`PlanInfo` per target.

        The query structure is given by node names: which nodes carry hard evidence, an
        (unbatched) likelihood, a batched CPT. No target: the plan of :math:`P(e)`.
        """
        ts = _as_targets(targets)
        ev, lik, bat = tuple(evidence), tuple(likelihood), frozenset(batched)
        for n in (*ts, *ev, *lik, *bat):
            self._check_node(n, "plan_info")
        hard = frozenset(ev)
        soft = tuple(sorted((n, False) for n in lik))
        out = []
        todo: list[str | None] = [*ts] if ts else [None]
        for t in todo:
            plan = self._plan(target=t, hard=hard, soft=soft, batched=bat, keep=frozenset(),
                              seeded=False, wanted=None)
            out.append(plan.info)
        return out

    # ------------------------------------------------------------------ execution

    def _leaf_arrays(self, plan: _Plan, params: ParameterSet, hard_idx: Mapping[int, int],
                     soft: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        arrays = []
        for lf in plan.leaves:
            if lf.kind == "lik":
                arrays.append(soft[lf.node])
                continue
            a = params._arrays[lf.node]
            key = tuple(hard_idx.get(ax, slice(None)) for ax in lf.axes)
            arrays.append(a[key] if any(isinstance(k, int) for k in key) else a)
        return arrays

    def _run(
        self,
        plan: _Plan,
        arrays: list[np.ndarray],
        batch: int,
        dtype: np.dtype[Any],
        *,
        grad: bool,
        chunk_size: int | None,
        reduce: Mapping[int, str] | None = None,
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Forward (and backward) sweep, chunk by chunk over the batch.

        Returns the output, shape ``(n_t?, B?)``, and with ``grad`` the adjoint of every
        wanted leaf, shape ``(n_t?, *leaf axes, B?)`` (``?``: only with a target / a
        batch; ``None`` for the other leaves). With ``reduce`` (leaf register -> einsum
        of the leaf and its adjoint onto ``(own states, B?)``), that reduction is returned
        instead of the adjoint, chunk by chunk, so the adjoints are never stored whole.
        """
        leaves = plan.leaves
        tsize = plan.sizes[plan.target] if plan.target is not None else 1
        sizes = plan.sizes
        bshape = (batch,) if plan.batched else ()
        out = np.empty(((tsize,) if plan.target is not None else ()) + bshape, dtype=dtype)
        grads: list[np.ndarray | None] = [None] * len(leaves)
        if grad:
            for r, lf in enumerate(leaves):
                if r not in plan.needed:
                    continue
                shape = ((sizes[lf.axes[0]], *bshape) if reduce is not None and r in reduce
                         else _shape_of(plan.adj_idx[r], sizes, tsize, batch))
                grads[r] = np.empty(shape, dtype=dtype)
        if not plan.batched:
            chunks = [(0, 1)]
        else:
            if chunk_size is None:
                per = max(plan.largest, 1.0) * (tsize if grad and plan.seeded else 1)
                chunk_size = min(_CHUNK_MAX, max(_CHUNK_MIN, int(_CHUNK_ELEMENTS / per)))
            chunks = [(s, min(s + chunk_size, batch)) for s in range(0, batch, chunk_size)]
        for s, e in chunks:
            # registers: the leaves (sliced to the chunk), then one per step
            regs: list[Any] = [a[..., s:e] if plan.batched and lf.batched else a
                               for a, lf in zip(arrays, leaves, strict=True)]
            for st, sub in zip(plan.steps, plan.subscripts, strict=True):
                if st.b >= 0:
                    regs.append(np.einsum(sub, regs[st.a], regs[st.b]))
                else:
                    regs.append(np.einsum(sub, regs[st.a]))
                if not grad:  # each register is read once: free it (its memory stays warm)
                    regs[st.a] = None
                    if st.b >= 0:
                        regs[st.b] = None
            res = regs[plan.final]
            if plan.perm != tuple(range(res.ndim)):
                res = np.transpose(res, plan.perm)
            if plan.batched:
                out[..., s:e] = res
            else:
                out[...] = res
            if not grad or plan.final not in plan.needed:
                continue
            m = e - s
            # the seed: d(output)/d(output), the identity over the target's states
            seed: np.ndarray = (np.eye(tsize, dtype=dtype) if plan.seeded
                                else np.ones((), dtype=dtype))
            if plan.batched:
                seed = np.broadcast_to(seed[..., None], (*seed.shape, m))
            adj: list[Any] = [None] * len(regs)
            adj[plan.final] = seed
            needed = plan.needed
            for k in range(len(plan.steps) - 1, -1, -1):
                st = plan.steps[k]
                if st.out not in needed:
                    continue
                d_out = adj[st.out]
                adj[st.out] = None
                ba, bb = plan.backward[k]
                if bb is None:
                    adj[st.a] = _expand(np.transpose(d_out, ba.perm), ba, sizes, tsize, m)
                    continue
                if st.a in needed:
                    adj[st.a] = _expand(np.einsum(ba.subscripts, d_out, regs[st.b]), ba,
                                        sizes, tsize, m)
                if st.b in needed:
                    adj[st.b] = _expand(np.einsum(bb.subscripts, d_out, regs[st.a]), bb,
                                        sizes, tsize, m)
            for r, g in enumerate(grads):
                if g is None:
                    continue
                value = (np.einsum(reduce[r], regs[r], adj[r])
                         if reduce is not None and r in reduce else adj[r])
                if plan.batched:
                    g[..., s:e] = value
                else:
                    g[...] = value
        return out, grads

    # ------------------------------------------------------------------ queries

    def query(
        self,
        targets: str | Sequence[str],
        *,
        evidence: Evidence | None = None,
        likelihood: Likelihood | None = None,
        params: ParameterSet | Mapping[str, npt.ArrayLike] | None = None,
        on_impossible: OnImpossible = "raise",
        chunk_size: int | None = None,
    ) -> Posterior:
        """Posterior marginals :math:`P(T \\mid e)` of each target, for every parameter set.

        ``evidence``: hard findings ``{node: state}``; ``likelihood``: virtual evidence
        ``{node: L}`` with ``L`` of shape ``(n,)`` or ``(B, n)`` (only ratios matter for
        the posterior). ``params``: a :class:`ParameterSet` or a mapping accepted by
        :meth:`parameters`; ``None`` uses the network's CPTs. ``on_impossible``:
        ``"raise"`` raises :class:`ImpossibleEvidenceError` if :math:`P(e) = 0` for any
        batch element, ``"nan"`` returns NaN rows there. Each target has its own plan,
        pruned to the ancestors of that target and the evidence.
        """
        ts = _as_targets(targets)
        if not ts:
            raise AnalysisError("query needs at least one target node")
        for t in ts:
            self._check_node(t, "target")
        _check_options(on_impossible, chunk_size)
        ps = self._params(params)
        hard, soft, soft_batch = self._evidence(evidence, likelihood, ps.dtype)
        batch = self._batch(ps, soft_batch)
        hard_idx = {self._index[n]: s for n, s in hard.items()}
        soft_key = tuple(sorted((n, a.ndim == 2) for n, a in soft.items()))
        marginals: dict[str, np.ndarray] = {}
        free: list[str | None] = [t for t in ts if t not in hard]
        p_e = np.ones(batch, dtype=ps.dtype)
        for k, tgt in enumerate(free or [None]):
            plan = self._plan(target=tgt, hard=frozenset(hard), soft=soft_key,
                              batched=ps.batched, keep=frozenset(), seeded=False,
                              wanted=None)
            arrays = self._leaf_arrays(plan, ps, hard_idx, soft)
            out, _ = self._run(plan, arrays, batch, ps.dtype, grad=False,
                               chunk_size=chunk_size)
            if not plan.batched:
                out = np.broadcast_to(out[..., None], (*out.shape, batch))
            pe_t = np.array(out, copy=True) if tgt is None else out.sum(axis=0)
            if k == 0:
                p_e = pe_t
                if on_impossible == "raise":
                    _raise_if_impossible(p_e)
            if tgt is None:
                continue
            marginals[tgt] = np.ascontiguousarray(_normalise(out, pe_t).T)
        for t in ts:
            if t in hard:
                marginals[t] = _one_hot(len(self._states[t]), hard[t], p_e)
        return Posterior({t: marginals[t] for t in ts}, p_e,
                         {t: self._states[t] for t in ts})

    def probability_of_evidence(
        self,
        *,
        evidence: Evidence | None = None,
        likelihood: Likelihood | None = None,
        params: ParameterSet | Mapping[str, npt.ArrayLike] | None = None,
        chunk_size: int | None = None,
    ) -> np.ndarray:
        """:math:`P(e)` for every parameter set, shape ``(B,)`` (never raises for 0)."""
        _check_options("raise", chunk_size)
        ps = self._params(params)
        hard, soft, soft_batch = self._evidence(evidence, likelihood, ps.dtype)
        batch = self._batch(ps, soft_batch)
        soft_key = tuple(sorted((n, a.ndim == 2) for n, a in soft.items()))
        plan = self._plan(target=None, hard=frozenset(hard), soft=soft_key, batched=ps.batched,
                          keep=frozenset(), seeded=False, wanted=None)
        arrays = self._leaf_arrays(plan, ps, {self._index[n]: s for n, s in hard.items()}, soft)
        out, _ = self._run(plan, arrays, batch, ps.dtype, grad=False, chunk_size=chunk_size)
        return np.array(np.broadcast_to(out, (batch,)), copy=True)

    def all_marginals(
        self,
        *,
        evidence: Evidence | None = None,
        likelihood: Likelihood | None = None,
        params: ParameterSet | Mapping[str, npt.ArrayLike] | None = None,
        on_impossible: OnImpossible = "raise",
        chunk_size: int | None = None,
    ) -> Posterior:
        """Every node's posterior from one forward and one backward sweep.

        Uses :math:`P(x, \\mathbf{u}, e) = \\theta_{x|\\mathbf{u}} \\,\\partial f /
        \\partial \\theta_{x|\\mathbf{u}}` (Darwiche 2003, Thm 3) and sums out the parents;
        the joint distribution is never formed. Nodes with hard evidence get a one-hot
        row. Arguments as for :meth:`query`.
        """
        _check_options(on_impossible, chunk_size)
        ps = self._params(params)
        hard, soft, soft_batch = self._evidence(evidence, likelihood, ps.dtype)
        batch = self._batch(ps, soft_batch)
        hard_idx = {self._index[n]: s for n, s in hard.items()}
        soft_key = tuple(sorted((n, a.ndim == 2) for n, a in soft.items()))
        wanted = frozenset(self._nodes) - frozenset(hard)
        plan = self._plan(target=None, hard=frozenset(hard), soft=soft_key, batched=ps.batched,
                          keep=None, seeded=False, wanted=wanted)
        arrays = self._leaf_arrays(plan, ps, hard_idx, soft)
        # family marginal theta * dF/dtheta summed over the parents: P(x, e)
        reduce: dict[int, str] = {}
        for r, lf in enumerate(plan.leaves):
            if lf.kind == "cpt" and lf.node in wanted:
                table: dict[int, str] = {}
                own = _letters(lf.idx, table)
                adj = _letters(plan.adj_idx[r], table)
                out = _letters((lf.axes[0], *((_BATCH,) if plan.batched else ())), table)
                reduce[r] = f"{own},{adj}->{out}"
        p_e, joints = self._run(plan, arrays, batch, ps.dtype, grad=True,
                                chunk_size=chunk_size, reduce=reduce)
        p_e = np.array(np.broadcast_to(p_e, (batch,)), copy=True)
        if on_impossible == "raise":
            _raise_if_impossible(p_e)
        marginals: dict[str, np.ndarray] = {}
        for lf, joint in zip(plan.leaves, joints, strict=True):
            if lf.kind != "cpt":
                continue
            node = lf.node
            if node in hard or joint is None:
                marginals[node] = _one_hot(len(self._states[node]), hard[node], p_e)
                continue
            if not plan.batched:
                joint = np.broadcast_to(joint[:, None], (joint.shape[0], batch))
            marginals[node] = np.ascontiguousarray(_normalise(joint, p_e).T)
        return Posterior({n: marginals[n] for n in self._nodes}, p_e, dict(self._states))

    def gradient(
        self,
        target: str | None = None,
        *,
        evidence: Evidence | None = None,
        likelihood: Likelihood | None = None,
        params: ParameterSet | Mapping[str, npt.ArrayLike] | None = None,
        wrt: Iterable[str] | None = None,
        chunk_size: int | None = None,
    ) -> Gradient:
        """:math:`P(t, e)`, :math:`P(e)` and their derivatives w.r.t. every CPT entry.

        One forward and one backward sweep through the contraction (Darwiche 2003). The
        derivative with respect to entry ``[x, u...]`` of node ``X``'s CPT is returned at
        that position of ``d_joint[X]`` / ``d_evidence[X]`` (batch first, for a target
        its state next), zero where the entry cannot matter (columns inconsistent with
        hard evidence). ``wrt`` limits the nodes differentiated (default: all); other
        barren nodes are pruned, so fewer ``wrt`` nodes can mean a cheaper plan. A barren
        node's derivative is not zero: :math:`\\partial P(e) / \\partial \\theta_{x|u} =
        P(u, e)` when the rest of its column is held fixed.
        """
        if target is not None:
            self._check_node(target, "target")
        wrt_set = frozenset(self._nodes) if wrt is None else frozenset(
            self._check_node(n, "wrt") for n in wrt)
        _check_options("raise", chunk_size)
        ps = self._params(params)
        hard, soft, soft_batch = self._evidence(evidence, likelihood, ps.dtype)
        batch = self._batch(ps, soft_batch)
        hard_idx = {self._index[n]: s for n, s in hard.items()}
        soft_key = tuple(sorted((n, a.ndim == 2) for n, a in soft.items()))
        free_target = target if target is not None and target not in hard else None
        keep = None if wrt_set == frozenset(self._nodes) else wrt_set
        plan = self._plan(target=free_target, hard=frozenset(hard), soft=soft_key,
                          batched=ps.batched, keep=keep, seeded=free_target is not None,
                          wanted=wrt_set)
        arrays = self._leaf_arrays(plan, ps, hard_idx, soft)
        out, grads = self._run(plan, arrays, batch, ps.dtype, grad=True,
                               chunk_size=chunk_size)
        nt = len(self._states[target]) if target is not None else 0
        # out: (n_t?, B?) -> joint (B, n_t) and p_e (B,)
        if not plan.batched:
            out = out[..., None]
        joint: np.ndarray | None = None
        if free_target is not None:
            joint = np.ascontiguousarray(np.broadcast_to(out, (nt, batch)).T)
            p_e = joint.sum(axis=1)
        else:
            p_e = np.array(np.broadcast_to(out, (batch,)), copy=True)
            if target is not None:  # an observed target: P(t, e) = P(e) at its state
                joint = np.zeros((batch, nt), dtype=ps.dtype)
                joint[:, hard[target]] = p_e
        d_joint: dict[str, np.ndarray] = {}
        d_evidence: dict[str, np.ndarray] = {}
        for lf, g in zip(plan.leaves, grads, strict=True):
            if lf.kind != "cpt" or lf.node not in wrt_set or g is None:
                continue
            node = lf.node
            shape = self._shape(node)
            # the adjoint covers the entries consistent with hard evidence; others are 0
            key = tuple(hard_idx.get(ax, slice(None)) for ax in lf.axes)
            # g: (seed?, kept axes..., B?) -> (B, seed?, kept axes...)
            g = np.moveaxis(g if plan.batched else g[..., None], -1, 0)
            g = np.broadcast_to(g, (batch, *g.shape[1:]))
            if plan.seeded:
                full = np.zeros((batch, nt, *shape), dtype=ps.dtype)
                full[(slice(None), slice(None), *key)] = g
                d_joint[node] = full
                d_evidence[node] = full.sum(axis=1)
            else:
                full = np.zeros((batch, *shape), dtype=ps.dtype)
                full[(slice(None), *key)] = g
                d_evidence[node] = full
                if target is not None:  # observed target
                    dj = np.zeros((batch, nt, *shape), dtype=ps.dtype)
                    dj[:, hard[target]] = full
                    d_joint[node] = dj
        return Gradient(target, joint, p_e, d_joint if target is not None else None,
                        d_evidence)


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _shape_of(idx: Sequence[int], sizes: Mapping[int, int], tsize: int, batch: int
              ) -> tuple[int, ...]:
    return tuple(batch if i == _BATCH else tsize if i == _SEED else sizes[i] for i in idx)


def _expand(arr: np.ndarray, spec: _Backward, sizes: Mapping[int, int], tsize: int,
            batch: int) -> np.ndarray:
    """Insert the axes a step summed over (its adjoint is constant along them)."""
    if not spec.expand:
        return arr
    arr = np.expand_dims(arr, spec.expand)
    return np.broadcast_to(arr, _shape_of(spec.idx, sizes, tsize, batch))


def _check_values(arr: np.ndarray, where: str, *, tolerance: float, axis: int) -> None:
    """Entries finite and non-negative, columns (over ``axis``) summing to 1 ± tolerance.

    Two passes over the data: the minimum, and the column sums (a NaN or an infinity
    shows up in a column sum, so finiteness needs no pass of its own).
    """
    if not arr.size:
        return
    low = float(arr.min())
    dev = float(np.abs(arr.sum(axis=axis) - 1.0).max())
    if not (math.isfinite(low) and math.isfinite(dev)):
        raise AnalysisError(f"{where}: entries must be finite numbers")
    if low < 0:
        raise AnalysisError(f"{where}: entries must be non-negative (min {low:g})")
    if dev > tolerance:
        raise AnalysisError(f"{where}: a column sums to 1 +- {dev:.3g}; columns (over the "
                            f"node's own states) must sum to 1 within {tolerance:g}")


def _one_hot(n: int, state: int, p_e: np.ndarray) -> np.ndarray:
    """The posterior of an observed node: one-hot rows (NaN where P(e) = 0)."""
    out = np.zeros((p_e.shape[0], n), dtype=p_e.dtype)
    out[:, state] = 1.0
    out[~(p_e > 0)] = np.nan
    return out


def _to_batch_last(arr: np.ndarray, block: int = 512) -> np.ndarray:
    """``(B, *shape)`` -> C-contiguous ``(*shape, B)``, a block of rows at a time.

    Transposing block by block keeps both sides of the copy in cache (a plain
    ``ascontiguousarray(moveaxis(...))`` took 1.6-2x as long on 10^4 x 333 entries).
    """
    b = arr.shape[0]
    flat = arr.reshape(b, -1)
    out = np.empty((flat.shape[1], b), dtype=arr.dtype)
    for s in range(0, b, block):
        out[:, s:s + block] = flat[s:s + block].T
    return out.reshape((*arr.shape[1:], b))


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _as_targets(targets: str | Sequence[str] | None) -> list[str]:
    if targets is None:
        return []
    if isinstance(targets, str):
        return [targets]
    out: list[str] = []
    for t in targets:
        if t not in out:
            out.append(t)
    return out


def _check_options(on_impossible: str, chunk_size: int | None) -> None:
    if on_impossible not in ("raise", "nan"):
        raise AnalysisError(f"on_impossible must be 'raise' or 'nan', not {on_impossible!r}")
    if chunk_size is not None and (isinstance(chunk_size, bool)
                                   or not isinstance(chunk_size, int) or chunk_size < 1):
        raise AnalysisError(f"chunk_size must be a positive integer or None, not {chunk_size!r}")


def _list_some(idx: np.ndarray, k: int = 5) -> str:
    shown = ", ".join(str(int(i)) for i in idx[:k])
    return shown + (f", ... ({idx.size} in all)" if idx.size > k else "")


def _raise_if_impossible(p_e: np.ndarray) -> None:
    bad = np.flatnonzero(~(p_e > 0))
    if bad.size:
        raise ImpossibleEvidenceError(
            f"the evidence has probability 0 (batch element(s) {_list_some(bad)}); no "
            "posterior exists. Check the findings, or pass on_impossible='nan'")


def _normalise(joint: np.ndarray, p_e: np.ndarray) -> np.ndarray:
    """``joint / p_e`` over the batch (last) axis; NaN where ``p_e == 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return joint / p_e
