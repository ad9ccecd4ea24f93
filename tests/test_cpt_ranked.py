"""Ranked nodes (cohesion_bn.cpt.ranked): known answers, independent integrals, problems.

Scale used throughout: three states listed best first, so state 0 (``strengthens``) is the
interval [2/3, 1], state 1 (``neutral``) [1/3, 2/3] and state 2 (``weakens``) [0, 1/3].
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import integrate
from scipy.special import ndtr

from cohesion_bn.cpt import METHODS, NodeContext, ParentInfo, build_cpt, check_cpt
from cohesion_bn.cpt.ranked import default_points, ranked_table, state_intervals

S3 = ("strengthens", "neutral", "weakens")
COHESION = ("strong", "fragmented", "weak")
WAR = ("ukraine_wins", "ukraine_loses", "stalemate")
WHERE = "m.yaml: node 'cohesion', cpt"
TINY = 1e-9  # a variance small enough to show the variance -> 0 limit


def ctx(*parents: ParentInfo, ordered: bool = True, states: tuple[str, ...] = COHESION
        ) -> NodeContext:
    return NodeContext("cohesion", states, parents, ordered, WHERE)


def factors(*names: str) -> tuple[ParentInfo, ...]:
    return tuple(ParentInfo(n, S3) for n in names)


WAR_PARENT = ParentInfo("war_outcome", WAR, ordered=False)


# ---------------------------------------------------------------------------------------
# The scale
# ---------------------------------------------------------------------------------------


def test_first_listed_state_is_the_top_interval() -> None:
    np.testing.assert_allclose(state_intervals(3), [[2 / 3, 1], [1 / 3, 2 / 3], [0, 1 / 3]])
    np.testing.assert_allclose(state_intervals(2), [[0.5, 1], [0, 0.5]])


def test_registered() -> None:
    assert METHODS["ranked"].__name__ == "cohesion_bn.cpt.ranked"


# ---------------------------------------------------------------------------------------
# Known answers in the variance -> 0 limit (hand-worked)
# ---------------------------------------------------------------------------------------


def test_wmean_low_and_mid_parent_splits_evenly() -> None:
    """WMEAN, equal weights, parents weakens (x1 in [0, 1/3]) and neutral (x2 in [1/3, 2/3]).

    mu = (x1 + x2)/2 is triangular on [1/6, 1/2], symmetric about 1/3: half of it below
    1/3 (weakens), half above (neutral), none above 2/3. Column -> (0, 1/2, 1/2) listed
    (strong, fragmented, weak).
    """
    cpt = ranked_table([3, 3], 3, function="wmean", weights=[1, 1], variance=TINY)
    np.testing.assert_allclose(cpt[:, 2, 1], [0.0, 0.5, 0.5], atol=1e-3)
    np.testing.assert_allclose(cpt[:, 1, 2], [0.0, 0.5, 0.5], atol=1e-3)  # symmetric


def test_wmean_unequal_weights_trapezoid() -> None:
    """WMEAN, weights (2, 1), parent 1 strengthens (x1 in [2/3, 1]), parent 2 weakens.

    mu = 2 x1/3 + x2/3 = A + B with A ~ U[4/9, 6/9] (width 2/9), B ~ U[0, 1/9] (width 1/9):
    a trapezoid on [4/9, 7/9] with plateau density 9/2 on [5/9, 6/9]. P(mu > 2/3) is the
    falling triangle on [6/9, 7/9]: 1/2 * 1/9 * 9/2 = 1/4. Column -> (1/4, 3/4, 0).
    """
    cpt = ranked_table([3, 3], 3, function="wmean", weights=[2, 1], variance=TINY)
    np.testing.assert_allclose(cpt[:, 0, 2], [0.25, 0.75, 0.0], atol=2e-3)


def test_wmin_lets_the_heavy_low_parent_pull_down() -> None:
    """WMIN, weights (1, 4), parent 1 strengthens (x1 in [2/3, 1]), parent 2 neutral.

    T1 = (x1 + x2)/2, T2 = (4 x2 + x1)/5; T2 - T1 = 3 (x2 - x1)/10 < 0, so mu = T2 =
    x1/5 + 4 x2/5 = A + B, A ~ U[2/15, 3/15], B ~ U[4/15, 8/15]: a trapezoid on
    [6/15, 11/15] with plateau density 15/4. P(mu > 10/15) = 1/2 * 1/15 * 15/4 = 1/8:
    column -> (1/8, 7/8, 0). WMAX with the same weights picks T1, the plain mean,
    triangular on [1/2, 5/6] about 2/3: column -> (1/2, 1/2, 0).
    """
    wmin = ranked_table([3, 3], 3, function="wmin", weights=[1, 4], variance=TINY, points=32)
    np.testing.assert_allclose(wmin[:, 0, 1], [0.125, 0.875, 0.0], atol=3e-3)
    wmax = ranked_table([3, 3], 3, function="wmax", weights=[1, 4], variance=TINY, points=32)
    np.testing.assert_allclose(wmax[:, 0, 1], [0.5, 0.5, 0.0], atol=3e-3)


def test_mixminmax_known_answer() -> None:
    """MIXMINMAX, mix (min 3, max 1), parents strengthens and weakens.

    min = x2 in [0, 1/3], max = x1 in [2/3, 1]; mu = (3 x2 + x1)/4 = A + B with
    A ~ U[0, 1/4], B ~ U[1/6, 1/4] (width 1/12): a trapezoid on [1/6, 1/2] symmetric about
    1/3, plateau density 4 on [1/4, 5/12]. P(mu < 1/3) = 1/2: column -> (0, 1/2, 1/2).
    With mix (min 1, max 3) it mirrors: mu in [1/2, 5/6] about 2/3 -> (1/2, 1/2, 0).
    """
    low = ranked_table([3, 3], 3, function="mixminmax", mix=(3, 1), variance=TINY)
    np.testing.assert_allclose(low[:, 0, 2], [0.0, 0.5, 0.5], atol=2e-3)
    high = ranked_table([3, 3], 3, function="mixminmax", mix=(1, 3), variance=TINY)
    np.testing.assert_allclose(high[:, 0, 2], [0.5, 0.5, 0.0], atol=2e-3)


def test_single_parent_with_other_state_counts() -> None:
    """One parent of 2 states, node of 4: parent 'high' is x in [1/2, 1], so mu = x.

    The node's intervals are quarters; in the limit the column is (1/2, 1/2, 0, 0) listed
    top first, and the parent's low state gives (0, 0, 1/2, 1/2).
    """
    cpt = ranked_table([2], 4, function="wmean", weights=[1], variance=TINY)
    np.testing.assert_allclose(cpt[:, 0], [0.5, 0.5, 0, 0], atol=1e-3)
    np.testing.assert_allclose(cpt[:, 1], [0, 0, 0.5, 0.5], atol=1e-3)


@pytest.mark.parametrize("function", ["wmean", "wmin", "wmax", "mixminmax"])
def test_all_parents_in_one_rank_make_that_rank_most_likely(function: str) -> None:
    kw: dict[str, Any] = ({"mix": (1.0, 1.0)} if function == "mixminmax"
                          else {"weights": [1.0, 1.0, 1.0, 1.0]})
    cpt = ranked_table([3, 3, 3, 3], 3, function=function, variance=0.01, **kw)
    for s in range(3):
        column = cpt[:, s, s, s, s]
        assert int(np.argmax(column)) == s
        assert column[s] > 0.6


def test_weights_shift_the_column_towards_the_heavier_parent() -> None:
    """Parent 1 strengthens, parent 2 weakens: the heavier one wins the most likely state.

    Swapping the weights mirrors mu: with X' = 1 - Y, Y' = 1 - X, (X + 5Y)/6 = 1 - (5X' + Y')/6,
    so the column is the mirror image.
    """
    a = ranked_table([3, 3], 3, function="wmean", weights=[5, 1], variance=0.005)
    b = ranked_table([3, 3], 3, function="wmean", weights=[1, 5], variance=0.005)
    assert int(np.argmax(a[:, 0, 2])) == 0
    assert int(np.argmax(b[:, 0, 2])) == 2
    np.testing.assert_allclose(b[:, 0, 2], a[::-1, 0, 2], atol=1e-5)  # grid: O(h^2)


def test_smaller_variance_is_more_certain() -> None:
    sure = ranked_table([3], 3, function="wmean", weights=[1], variance=0.001)
    vague = ranked_table([3], 3, function="wmean", weights=[1], variance=0.1)
    assert sure[1, 1] > vague[1, 1] > 1 / 3


# ---------------------------------------------------------------------------------------
# Directions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", ["wmean", "wmin", "wmax", "mixminmax"])
def test_reversed_direction_mirrors_that_parents_states(function: str) -> None:
    kw: dict[str, Any] = ({"mix": (2.0, 1.0)} if function == "mixminmax"
                          else {"weights": [3.0, 1.0, 2.0]})
    plain = ranked_table([3, 3, 3], 3, function=function, variance=0.01, **kw)
    rev = ranked_table([3, 3, 3], 3, function=function, variance=0.01, directions=[1, -1, 1],
                       **kw)
    np.testing.assert_allclose(rev, plain[:, :, ::-1, :], atol=1e-9)
    assert not np.allclose(rev, plain, atol=1e-3)


def test_all_reversed_wmin_is_mirrored_wmax() -> None:
    """Each WMIN term is an average, T_i(1 - x) = 1 - T_i(x), so WMIN over reversed parents
    is 1 - WMAX over the same parent states: the node's states come out mirrored (the
    truncated normal on [0, 1] is symmetric about 1/2 too)."""
    w = [3.0, 1.0, 2.0]
    wmin = ranked_table([3, 3, 3], 3, function="wmin", weights=w, variance=0.01,
                        directions=[-1, -1, -1])
    wmax = ranked_table([3, 3, 3], 3, function="wmax", weights=w, variance=0.01)
    np.testing.assert_allclose(wmin, wmax[::-1], atol=1e-9)


# ---------------------------------------------------------------------------------------
# Independent computations: scipy.integrate and brute-force Monte Carlo
# ---------------------------------------------------------------------------------------


def g(mu: np.ndarray | float, sigma: float) -> np.ndarray:
    """P(node in each of 3 intervals, listed top first | mu) for TNormal(mu, sigma^2, 0, 1)."""
    b = np.array([0.0, 1 / 3, 2 / 3, 1.0])
    cdf = ndtr((b[:, None] - np.atleast_1d(mu)[None, :]) / sigma)
    return (np.diff(cdf, axis=0) / (cdf[-1] - cdf[0]))[::-1]


def f_min(x1: float, x2: float, w: tuple[float, float]) -> float:
    return min((w[0] * x1 + x2) / (w[0] + 1), (w[1] * x2 + x1) / (w[1] + 1))


@pytest.mark.parametrize(("function", "states"), [("wmean", (0, 1)), ("wmean", (2, 1)),
                                                   ("wmin", (0, 2)), ("wmin", (1, 1))])
def test_columns_match_scipy_dblquad(function: str, states: tuple[int, int]) -> None:
    """Two parents, weights (3, 1), variance 0.01: integrate g(f(x1, x2)) over the box."""
    sigma = 0.1
    w = (3.0, 1.0)
    iv = state_intervals(3)
    (a1, b1), (a2, b2) = iv[states[0]], iv[states[1]]

    def f(x1: float, x2: float) -> float:
        if function == "wmean":
            return (w[0] * x1 + w[1] * x2) / sum(w)
        return f_min(x1, x2, w)

    expected = [
        integrate.dblquad(lambda x2, x1, t=t: float(g(f(x1, x2), sigma)[t, 0]),
                          a1, b1, a2, b2, epsabs=1e-7)[0] / ((b1 - a1) * (b2 - a2))
        for t in range(3)
    ]
    cpt = ranked_table([3, 3], 3, function=function, weights=list(w), variance=sigma**2)
    np.testing.assert_allclose(cpt[:, states[0], states[1]], expected, atol=3e-4)


def monte_carlo(cards: list[int], states: tuple[int, ...], function: str, w: list[float],
                variance: float, dirs: list[int], n: int = 250_000) -> np.ndarray:
    """Brute force: draw the parents uniformly in their intervals, f, then g averaged."""
    rng = np.random.default_rng(20071001)
    x = np.empty((len(cards), n))
    for i, (c, s) in enumerate(zip(cards, states, strict=True)):
        lo = (c - 1 - s) / c
        x[i] = lo + rng.random(n) / c
        if dirs[i] < 0:
            x[i] = 1 - x[i]
    wa = np.asarray(w)[:, None]
    k = len(cards)
    if function == "wmean":
        mu = (wa * x).sum(0) / wa.sum()
    elif function in ("wmin", "wmax"):
        terms = (wa * x + (x.sum(0) - x)) / (wa + k - 1)
        mu = terms.min(0) if function == "wmin" else terms.max(0)
    else:
        mu = (w[0] * x.min(0) + w[1] * x.max(0)) / (w[0] + w[1])
    return g(mu, np.sqrt(variance)).mean(axis=1)


@pytest.mark.parametrize("function", ["wmean", "wmin", "wmax", "mixminmax"])
def test_columns_match_monte_carlo(function: str) -> None:
    """Three parents (3, 3 and 2 states), one reversed; MC standard error <= 1e-3."""
    cards = [3, 3, 2]
    w = [1.0, 3.0] if function == "mixminmax" else [3.0, 1.0, 2.0]
    dirs = [1, -1, 1]
    kw: dict[str, Any] = ({"mix": (w[0], w[1])} if function == "mixminmax" else {"weights": w})
    cpt = ranked_table(cards, 3, function=function, variance=0.005, directions=dirs, **kw)
    for states in [(0, 0, 1), (2, 0, 0), (1, 2, 1), (1, 1, 0)]:
        expected = monte_carlo(cards, states, function, w, 0.005, dirs)
        np.testing.assert_allclose(cpt[(slice(None), *states)], expected, atol=4e-3)


def test_tables_are_distributions_for_random_parameters() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(1, 4))
        cards = [int(c) for c in rng.integers(2, 5, size=n)]
        m = int(rng.integers(2, 6))
        function = str(rng.choice(["wmean", "wmin", "wmax", "mixminmax"]))
        kw: dict[str, Any] = ({"mix": tuple(rng.uniform(0.1, 5, size=2))}
                              if function == "mixminmax"
                              else {"weights": list(rng.uniform(0.1, 5, size=n))})
        cpt = ranked_table(cards, m, function=function, variance=float(rng.uniform(1e-4, 0.2)),
                           directions=list(rng.choice([-1, 1], size=n)), **kw)
        assert cpt.shape == (m, *cards)
        assert np.all(cpt >= 0)
        np.testing.assert_allclose(cpt.sum(axis=0), 1.0, atol=1e-12)


def test_zero_weight_parent_does_not_matter() -> None:
    cpt = ranked_table([3, 3], 3, function="wmean", weights=[1, 0], variance=0.01)
    alone = ranked_table([3], 3, function="wmean", weights=[1], variance=0.01)
    for s in range(3):
        np.testing.assert_allclose(cpt[:, :, s], alone, atol=1e-9)


def test_more_points_converge() -> None:
    a = ranked_table([3, 3, 3], 3, function="wmax", weights=[2, 1, 3], variance=0.002, points=8)
    b = ranked_table([3, 3, 3], 3, function="wmax", weights=[2, 1, 3], variance=0.002,
                     points=24)
    np.testing.assert_allclose(a, b, atol=2e-3)
    assert default_points([3, 3, 3]) == 8
    assert default_points([3, 3, 3, 3]) == 6


@pytest.mark.parametrize("kwargs", [
    {"function": "wavg", "weights": [1, 1], "variance": 0.1},
    {"function": "wmean", "weights": [1], "variance": 0.1},
    {"function": "wmean", "weights": [1, -1], "variance": 0.1},
    {"function": "wmean", "weights": [0, 0], "variance": 0.1},
    {"function": "wmin", "weights": [0, 1], "variance": 0.1},
    {"function": "wmean", "weights": [1, 1], "variance": 0.0},
    {"function": "wmean", "weights": [1, 1], "variance": 0.1, "directions": [1, 0]},
    {"function": "mixminmax", "variance": 0.1},
    {"function": "mixminmax", "mix": (1, 1), "weights": [1, 1], "variance": 0.1},
    {"function": "wmean", "weights": [1, 1], "mix": (1, 1), "variance": 0.1},
    {"function": "wmax", "weights": [1, 1], "variance": 0.1, "points": 0},
])
def test_ranked_table_refuses_bad_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ranked_table([3, 3], 3, **kwargs)


# ---------------------------------------------------------------------------------------
# The model-file method: build
# ---------------------------------------------------------------------------------------


def test_build_keys_parameters_by_parent_name() -> None:
    params = {"function": "wmean", "weights": {"norms": 1, "threats": 3}, "variance": 0.01,
              "directions": {"norms": -1}}
    node = ctx(*factors("threats", "norms"))
    assert check_cpt("ranked", params, node) == []
    cpt = build_cpt("ranked", params, node)
    expected = ranked_table([3, 3], 3, function="wmean", weights=[3, 1], variance=0.01,
                            directions=[1, -1])
    np.testing.assert_allclose(cpt, expected)
    swapped = build_cpt("ranked", params, ctx(*factors("norms", "threats")))
    np.testing.assert_allclose(swapped, np.transpose(expected, (0, 2, 1)))


def test_function_names_are_case_insensitive() -> None:
    node = ctx(*factors("threats"))
    params = {"function": "WMEAN", "weights": {"threats": 1}, "variance": 0.01}
    assert check_cpt("ranked", params, node) == []


def test_unordered_parent_cases() -> None:
    """war_outcome in the middle of the parent list; one case p, one default, one override."""
    node = ctx(ParentInfo("threats", S3), WAR_PARENT, ParentInfo("norms", S3))
    params = {
        "function": "wmean", "weights": {"threats": 2, "norms": 1}, "variance": 0.01,
        "cases": [
            {"given": {"war_outcome": "ukraine_wins"}},
            {"given": {"war_outcome": "stalemate"}, "function": "wmin",
             "weights": {"threats": 1, "norms": 4}, "variance": 0.002},
            {"given": {"war_outcome": "ukraine_loses"},
             "p": {"strong": 0.1, "fragmented": 0.3, "weak": 0.6}},
        ],
    }
    assert check_cpt("ranked", params, node) == []
    cpt = build_cpt("ranked", params, node)
    assert cpt.shape == (3, 3, 3, 3)
    default = ranked_table([3, 3], 3, function="wmean", weights=[2, 1], variance=0.01)
    override = ranked_table([3, 3], 3, function="wmin", weights=[1, 4], variance=0.002)
    np.testing.assert_allclose(cpt[:, :, 0, :], default)
    np.testing.assert_allclose(cpt[:, :, 2, :], override)
    for i in range(3):
        for j in range(3):
            np.testing.assert_allclose(cpt[:, i, 1, j], [0.1, 0.3, 0.6])


def test_two_unordered_parents() -> None:
    other = ParentInfo("region", ("east", "west"), ordered=False)
    node = ctx(WAR_PARENT, ParentInfo("threats", S3), other)
    cases = [{"given": {"war_outcome": w, "region": r}, "p": [0.2, 0.3, 0.5]}
             for w in WAR for r in ("east", "west")]
    cases[0] = {"given": {"war_outcome": "ukraine_wins", "region": "east"}}
    params = {"function": "wmax", "weights": {"threats": 1}, "variance": 0.01, "cases": cases}
    assert check_cpt("ranked", params, node) == []
    cpt = build_cpt("ranked", params, node)
    assert cpt.shape == (3, 3, 3, 2)
    alone = ranked_table([3], 3, function="wmax", weights=[1], variance=0.01)
    np.testing.assert_allclose(cpt[:, 0, :, 0], alone)
    np.testing.assert_allclose(cpt[:, 1, 2, 1], [0.2, 0.3, 0.5])


# ---------------------------------------------------------------------------------------
# The model-file method: every problem, named by its field
# ---------------------------------------------------------------------------------------

GOOD = {"function": "wmean", "weights": {"threats": 2, "norms": 1}, "variance": 0.01}


def problems_for(params: dict[str, Any], node: NodeContext | None = None) -> list[Any]:
    return check_cpt("ranked", params, node or ctx(*factors("threats", "norms")))


def where(field: str) -> str:
    return f"{WHERE}.{field}"


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"function": "wavg"}, "function", "allowed: wmean, wmin, wmax, mixminmax"),
    ({"function": 3}, "function", "unknown function"),
    ({"weights": {"threats": 2}}, "weights", "missing weight for parent 'norms'"),
    ({"weights": {"threats": -2, "norms": 1}}, "weights.threats", ">= 0"),
    ({"weights": {"threats": "high", "norms": 1}}, "weights.threats", "not a number"),
    ({"weights": {"threats": True, "norms": 1}}, "weights.threats", "not a number"),
    ({"weights": {"threats": float("nan"), "norms": 1}}, "weights.threats", "not a number"),
    ({"weights": {"threats": 1, "norms": 1, "threatz": 1}}, "weights.threatz",
     "did you mean 'threats'"),
    ({"weights": [2, 1]}, "weights", "must map every ordered parent"),
    ({"weights": {"threats": 0, "norms": 0}}, "weights", "wmean needs one > 0"),
    ({"function": "wmin", "weights": {"threats": 0, "norms": 1}}, "weights.threats",
     "wmin needs every weight > 0"),
    ({"variance": 0}, "variance", "not a number > 0"),
    ({"variance": -0.1}, "variance", "not a number > 0"),
    ({"variance": "small"}, "variance", "not a number > 0"),
    ({"variance": float("inf")}, "variance", "not a number > 0"),
    ({"directions": {"norms": 2}}, "directions.norms", "+1 (normal) or -1"),
    ({"directions": {"nrms": -1}}, "directions.nrms", "not a parent"),
    ({"directions": [-1]}, "directions", "must map parents"),
    ({"function": "mixminmax", "weights": None}, "mix", "mixminmax needs mix"),
    ({"function": "mixminmax", "mix": {"min": 1, "max": 1}}, "weights", "not used by mixminmax"),
    ({"mix": {"min": 1, "max": 1}}, "mix", "only for mixminmax"),
    ({"points": 8}, "points", "wmean is integrated by convolution"),
    ({"function": "wmax", "points": 0}, "points", "whole number from 1 to 32"),
    ({"function": "wmax", "points": 2.5}, "points", "whole number from 1 to 32"),
    ({"weight": {"threats": 1}}, "weight", "did you mean 'weights'"),
    ({"cases": [{"given": {}}]}, "cases", "only for unordered parents"),
])
def test_each_bad_parameter_names_its_field(change: dict[str, Any], field: str,
                                            words: str) -> None:
    params = {**GOOD, **change}
    params = {k: v for k, v in params.items() if v is not None}
    found = problems_for(params)
    assert found, "expected a problem"
    assert any(p.where == where(field) and words in p.message for p in found), found


@pytest.mark.parametrize(("missing", "field"), [("function", "function"),
                                                ("variance", "variance"),
                                                ("weights", "weights")])
def test_missing_fields_are_named(missing: str, field: str) -> None:
    params = {k: v for k, v in GOOD.items() if k != missing}
    found = problems_for(params)
    assert [p.where for p in found] == [where(field)]
    assert "missing" in found[0].message


def test_mixminmax_mix_problems() -> None:
    base = {"function": "mixminmax", "variance": 0.01}
    cases = [({"min": -1, "max": 1}, "mix.min"), ({"min": 0, "max": 0}, "mix"),
             ({"min": 1}, "mix"), ({"min": 1, "max": 1, "mid": 1}, "mix.mid"),
             ("even", "mix")]
    for mix, field in cases:
        found = problems_for({**base, "mix": mix})
        assert any(p.where == where(field) for p in found), (mix, found)


def test_too_many_points_for_a_large_node() -> None:
    """4 three-state parents at 32 points would be 81 * 32**4 = 85M quadrature points."""
    node = ctx(*factors("a", "b", "c", "d"))
    params = {"function": "wmax", "weights": {"a": 1, "b": 1, "c": 1, "d": 1},
              "variance": 0.01, "points": 32}
    found = check_cpt("ranked", params, node)
    assert [p.where for p in found] == [where("points")]
    assert "at most 15" in found[0].message
    assert check_cpt("ranked", {**params, "points": 15}, node) == []
    with pytest.raises(ValueError, match="points <= 15"):
        ranked_table([3, 3, 3, 3], 3, function="wmax", weights=[1, 1, 1, 1], variance=0.01,
                     points=16)


def test_large_nodes_stay_bounded() -> None:
    """7 parents (2187 columns) with a tiny variance, 6 parents with WMIN: still tables."""
    big = ranked_table([3] * 7, 3, function="wmean", weights=[1] * 7, variance=1e-7)
    np.testing.assert_allclose(big.sum(axis=0), 1.0, atol=1e-12)
    assert int(np.argmax(big[(slice(None), *([0] * 7))])) == 0
    wmin = ranked_table([3] * 6, 3, function="wmin", weights=[2] * 6, variance=1e-3)
    np.testing.assert_allclose(wmin.sum(axis=0), 1.0, atol=1e-12)


def test_every_problem_is_reported_at_once() -> None:
    found = problems_for({"function": "wavg", "weights": {"threats": -1, "norms": "x"},
                          "variance": 0, "directions": {"norms": 5}, "colour": "red"})
    assert {p.where for p in found} == {where(f) for f in (
        "function", "weights.threats", "weights.norms", "variance", "directions.norms",
        "colour")}


def test_node_and_parent_problems() -> None:
    unordered_node = ctx(*factors("threats"), ordered=False)
    found = check_cpt("ranked", {**GOOD, "weights": {"threats": 1}}, unordered_node)
    assert [p.where for p in found] == [where("method")]
    assert "ordered node" in found[0].message
    only_war = ctx(WAR_PARENT)
    found = check_cpt("ranked", {"cases": []}, only_war)
    assert [p.where for p in found] == [where("method")]
    assert "at least one ordered parent" in found[0].message


WAR_NODE = ctx(ParentInfo("threats", S3), WAR_PARENT)
WAR_GOOD: dict[str, Any] = {
    "function": "wmean", "weights": {"threats": 1}, "variance": 0.01,
    "cases": [{"given": {"war_outcome": w}} for w in WAR],
}


def with_case(i: int, case: Any) -> dict[str, Any]:
    cases = list(WAR_GOOD["cases"])
    cases[i] = case
    return {**WAR_GOOD, "cases": cases}


@pytest.mark.parametrize(("params", "field", "words"), [
    ({k: v for k, v in WAR_GOOD.items() if k != "cases"}, "cases", "missing"),
    ({**WAR_GOOD, "cases": "all"}, "cases", "not a list"),
    ({**WAR_GOOD, "cases": WAR_GOOD["cases"][:2]}, "cases", "stalemate"),
    (with_case(2, {"given": {"war_outcome": "ukraine_wins"}}), "cases[2]", "duplicate"),
    (with_case(1, {"given": {"war_outcome": "ukraine_lose"}}), "cases[1].given.war_outcome",
     "did you mean 'ukraine_loses'"),
    (with_case(1, {"given": {"threats": "neutral", "war_outcome": "ukraine_loses"}}),
     "cases[1].given.threats", "is ordered"),
    (with_case(1, {}), "cases[1].given", "missing or not a mapping"),
    (with_case(1, "x"), "cases[1]", "each case is a mapping"),
    (with_case(0, {"given": {"war_outcome": "ukraine_wins"}, "p": [0.5, 0.5, 0.1]}),
     "cases[0].p", "sums to"),
    (with_case(0, {"given": {"war_outcome": "ukraine_wins"}, "p": [1, 0, 0],
                   "variance": 0.1}), "cases[0]", "either the distribution or ranked"),
    (with_case(0, {"given": {"war_outcome": "ukraine_wins"}, "weights": {"threats": -1}}),
     "cases[0].weights.threats", ">= 0"),
    (with_case(0, {"given": {"war_outcome": "ukraine_wins"}, "colour": 1}),
     "cases[0].colour", "unknown field"),
    ({**WAR_GOOD, "weights": {"threats": 1, "war_outcome": 2}}, "weights.war_outcome",
     "not an ordered parent"),
    ({k: v for k, v in WAR_GOOD.items() if k != "variance"}, "cases[0]", "missing 'variance'"),
])
def test_case_problems_name_their_field(params: dict[str, Any], field: str,
                                        words: str) -> None:
    found = check_cpt("ranked", params, WAR_NODE)
    assert any(p.where == where(field) and words in p.message for p in found), found


def test_a_case_can_supply_what_the_top_level_lacks() -> None:
    params = {"weights": {"threats": 1}, "cases": [
        {"given": {"war_outcome": w}, "function": "wmax", "variance": 0.02} for w in WAR]}
    assert check_cpt("ranked", params, WAR_NODE) == []


def test_a_shared_bad_default_is_reported_once() -> None:
    found = check_cpt("ranked", {**WAR_GOOD, "variance": -1}, WAR_NODE)
    assert [p.where for p in found] == [where("variance")]


@pytest.mark.parametrize("params", [
    {}, {"function": None, "weights": None, "variance": None, "cases": None},
    {"cases": [None, 3, "x", []]}, {"weights": "x", "directions": 3, "mix": 4, "points": "x"},
])
def test_check_never_raises_on_garbage(params: dict[str, Any]) -> None:
    assert check_cpt("ranked", params, WAR_NODE)
    assert check_cpt("ranked", params, ctx(*factors("threats", "norms")))
