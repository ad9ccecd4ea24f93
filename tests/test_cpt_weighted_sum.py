"""The weighted-sum algorithm (cohesion_bn.cpt.weighted_sum): known answers and problems.

Das (2004) gives no table of numbers we could find to reproduce, so the known answers are
worked by hand in the docstrings.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cohesion_bn.cpt import METHODS, NodeContext, ParentInfo, build_cpt, check_cpt
from cohesion_bn.cpt.weighted_sum import compatible_configurations, weighted_sum_table

S3 = ("strengthens", "neutral", "weakens")
COHESION = ("strong", "fragmented", "weak")
WAR = ("ukraine_wins", "ukraine_loses", "stalemate")
WHERE = "m.yaml: node 'cohesion', cpt"

WAR_PARENT = ParentInfo("war_outcome", WAR, ordered=False)
THREATS = ParentInfo("threats", S3)
NODE = NodeContext("cohesion", COHESION, (WAR_PARENT, THREATS), True, WHERE)

PARAMS: dict[str, Any] = {
    "weights": {"war_outcome": 3, "threats": 1},
    "distributions": {
        "war_outcome": {
            "ukraine_wins": {"strong": 0.7, "fragmented": 0.2, "weak": 0.1},
            "ukraine_loses": {"strong": 0.2, "fragmented": 0.3, "weak": 0.5},
            "stalemate": {"strong": 0.1, "fragmented": 0.3, "weak": 0.6},
        },
        "threats": {
            "strengthens": [0.6, 0.3, 0.1],
            "neutral": [0.2, 0.6, 0.2],
            "weakens": [0.1, 0.3, 0.6],
        },
    },
}


def where(field: str) -> str:
    return f"{WHERE}.{field}"


def test_registered() -> None:
    assert METHODS["weighted_sum"].__name__ == "cohesion_bn.cpt.weighted_sum"


def test_hand_worked_columns() -> None:
    """Weights 3 : 1 normalise to 0.75 and 0.25.

    (ukraine_loses, strengthens): 0.75 (0.2, 0.3, 0.5) + 0.25 (0.6, 0.3, 0.1)
                                = (0.15 + 0.15, 0.225 + 0.075, 0.375 + 0.025) = (0.30, 0.30, 0.40)
    (ukraine_wins, weakens):      0.75 (0.7, 0.2, 0.1) + 0.25 (0.1, 0.3, 0.6)
                                = (0.525 + 0.025, 0.15 + 0.075, 0.075 + 0.15) = (0.55, 0.225, 0.225)
    """
    assert check_cpt("weighted_sum", PARAMS, NODE) == []
    cpt = build_cpt("weighted_sum", PARAMS, NODE)
    assert cpt.shape == (3, 3, 3)
    np.testing.assert_allclose(cpt[:, 1, 0], [0.30, 0.30, 0.40], atol=1e-12)
    np.testing.assert_allclose(cpt[:, 0, 2], [0.55, 0.225, 0.225], atol=1e-12)
    np.testing.assert_allclose(cpt.sum(axis=0), 1.0, atol=1e-12)


def test_plain_function_matches_the_formula_everywhere() -> None:
    rng = np.random.default_rng(2004)
    cards = [3, 2, 4]
    dists = [rng.dirichlet(np.ones(3), size=c).T for c in cards]
    w = [2.0, 1.0, 5.0]
    cpt = weighted_sum_table(dists, w)
    wn = np.asarray(w) / sum(w)
    for i in range(3):
        for j in range(2):
            for k in range(4):
                expected = wn[0] * dists[0][:, i] + wn[1] * dists[1][:, j] + wn[2] * dists[2][:, k]
                np.testing.assert_allclose(cpt[:, i, j, k], expected, atol=1e-12)


def test_agreeing_answers_are_reproduced() -> None:
    """If P(X | Comp(A=a)) = P(X | Comp(B=b)) = q, the column (a, b) is q, whatever the
    weights: sum_i w_i q = q."""
    q = np.array([0.5, 0.3, 0.2])
    a = np.column_stack([q, [0.1, 0.1, 0.8]])
    b = np.column_stack([[0.3, 0.3, 0.4], q])
    for w in ([1, 1], [9, 1], [0.1, 7]):
        np.testing.assert_allclose(weighted_sum_table([a, b], w)[:, 0, 1], q, atol=1e-12)


def test_effects_are_additive() -> None:
    """Changing parent 1 from a to b moves every column by w_1 (d_1[a] - d_1[b]), whatever
    parent 2's state: the weighted sum has no interactions."""
    cpt = build_cpt("weighted_sum", PARAMS, NODE)
    d = np.array([[0.7, 0.2, 0.1], [0.2, 0.3, 0.5]])
    for j in range(3):
        np.testing.assert_allclose(cpt[:, 0, j] - cpt[:, 1, j], 0.75 * (d[0] - d[1]), atol=1e-12)


def test_weights_are_relative() -> None:
    scaled = {**PARAMS, "weights": {"war_outcome": 0.3, "threats": 0.1}}
    np.testing.assert_allclose(build_cpt("weighted_sum", scaled, NODE),
                               build_cpt("weighted_sum", PARAMS, NODE), atol=1e-12)


def test_zero_weight_parent_is_ignored() -> None:
    params = {**PARAMS, "weights": {"war_outcome": 1, "threats": 0}}
    cpt = build_cpt("weighted_sum", params, NODE)
    for j in range(3):
        np.testing.assert_allclose(cpt[:, 1, j], [0.2, 0.3, 0.5])


def test_parent_order_follows_the_node() -> None:
    swapped = NodeContext("cohesion", COHESION, (THREATS, WAR_PARENT), True, WHERE)
    np.testing.assert_allclose(build_cpt("weighted_sum", PARAMS, swapped),
                               np.transpose(build_cpt("weighted_sum", PARAMS, NODE), (0, 2, 1)))


def test_single_parent_table_is_its_distributions() -> None:
    node = NodeContext("cohesion", COHESION, (THREATS,), True, WHERE)
    params = {"weights": {"threats": 1},
              "distributions": {"threats": PARAMS["distributions"]["threats"]}}
    cpt = build_cpt("weighted_sum", params, node)
    np.testing.assert_allclose(cpt, np.array([[0.6, 0.2, 0.1], [0.3, 0.6, 0.3],
                                              [0.1, 0.2, 0.6]]))


def test_compatible_configurations() -> None:
    norms = ParentInfo("norms", S3)
    node = NodeContext("cohesion", COHESION, (WAR_PARENT, THREATS, norms), True, WHERE)
    params = {**PARAMS, "compatible": {
        "war_outcome": {"ukraine_wins": {"threats": "strengthens", "norms": "neutral"}},
        "threats": {"weakens": {"war_outcome": "ukraine_loses"}},
    }}
    assert check_cpt("weighted_sum", {**params, "weights": {**PARAMS["weights"], "norms": 1},
                                      "distributions": {**PARAMS["distributions"],
                                                        "norms": PARAMS["distributions"]
                                                        ["threats"]}}, node) == []
    comp = compatible_configurations(params, node)
    assert comp["war_outcome"]["ukraine_wins"] == {"threats": "strengthens", "norms": "neutral"}
    assert comp["war_outcome"]["stalemate"] == {}  # unordered: no default
    assert comp["threats"]["weakens"] == {"war_outcome": "ukraine_loses", "norms": "weakens"}
    assert comp["threats"]["neutral"] == {"norms": "neutral"}  # same rank
    assert comp["norms"]["strengthens"] == {"threats": "strengthens"}


def test_compatible_rank_across_state_counts() -> None:
    two = ParentInfo("two", ("high", "low"))
    five = ParentInfo("five", ("a", "b", "c", "d", "e"))
    node = NodeContext("x", COHESION, (two, five), True, WHERE)
    comp = compatible_configurations({}, node)
    assert comp["two"] == {"high": {"five": "a"}, "low": {"five": "e"}}
    assert comp["five"]["c"] == {"two": "high"} or comp["five"]["c"] == {"two": "low"}
    assert comp["five"]["a"] == {"two": "high"} and comp["five"]["e"] == {"two": "low"}


@pytest.mark.parametrize(("args", "kwargs"), [
    (([],), {"weights": []}),
    (([[[1.0], [0.0]]],), {"weights": [1, 2]}),
    (([[[1.0], [0.0]]],), {"weights": [-1]}),
    (([[[1.0], [0.0]]],), {"weights": [0]}),
    (([[[0.5], [0.4]]],), {"weights": [1]}),
    (([[[1.0], [0.0]], [[1.0], [0.0], [0.0]]],), {"weights": [1, 1]}),
    (([[1.0, 0.0]],), {"weights": [1]}),
])
def test_plain_function_refuses_bad_arguments(args: tuple[Any, ...],
                                              kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        weighted_sum_table(*args, **kwargs)


def changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """PARAMS with the entry at ``path`` replaced (``...`` deletes it)."""
    import copy

    params = copy.deepcopy(PARAMS)
    target = params
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if value is ...:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return params


@pytest.mark.parametrize(("path", "value", "field", "words"), [
    (("weights",), ..., "weights", "missing"),
    (("weights",), [3, 1], "weights", "must map every parent"),
    (("weights", "threats"), ..., "weights", "missing weight for parent 'threats'"),
    (("weights", "threats"), -1, "weights.threats", ">= 0"),
    (("weights", "threats"), "low", "weights.threats", "not a number"),
    (("weights", "threats"), False, "weights.threats", "not a number"),
    (("weights", "threatz"), 1, "weights.threatz", "did you mean 'threats'"),
    (("weights",), {"war_outcome": 0, "threats": 0}, "weights", "every weight is 0"),
    (("distributions",), ..., "distributions", "missing"),
    (("distributions",), [1, 2], "distributions", "not a mapping"),
    (("distributions", "threats"), ..., "distributions", "missing parent 'threats'"),
    (("distributions", "threatz"), {}, "distributions.threatz", "not a parent"),
    (("distributions", "threats"), [0.5, 0.5], "distributions.threats", "must map each state"),
    (("distributions", "threats", "neutral"), ..., "distributions.threats",
     "missing state 'neutral'"),
    (("distributions", "threats", "neutrall"), [1, 0, 0], "distributions.threats.neutrall",
     "did you mean 'neutral'"),
    (("distributions", "threats", "neutral"), [0.5, 0.6, 0.0], "distributions.threats.neutral",
     "sums to 1.1"),
    (("distributions", "threats", "neutral"), {"strong": 1.0, "fragmented": 0.0},
     "distributions.threats.neutral", "missing state 'weak'"),
    (("distributions", "threats", "neutral"), [1.5, -0.5, 0.0],
     "distributions.threats.neutral.strong", "outside [0, 1]"),
    (("distributions", "threats", "neutral"), [0.5, 0.5], "distributions.threats.neutral",
     "has 2 numbers"),
    (("compatible",), [1], "compatible", "must map parent"),
    (("compatible", "threatz"), {}, "compatible.threatz", "not a parent"),
    (("compatible", "threats"), "x", "compatible.threats", "must map states"),
    (("compatible", "threats", "strong"), {}, "compatible.threats.strong",
     "not a state of 'threats'"),
    (("compatible", "threats", "neutral"), "x", "compatible.threats.neutral",
     "must map other parents"),
    (("compatible", "threats", "neutral"), {"threats": "neutral"},
     "compatible.threats.neutral.threats", "itself"),
    (("compatible", "threats", "neutral"), {"war_outcom": "stalemate"},
     "compatible.threats.neutral.war_outcom", "did you mean 'war_outcome'"),
    (("compatible", "threats", "neutral"), {"war_outcome": "draw"},
     "compatible.threats.neutral.war_outcome", "not a state of 'war_outcome'"),
    (("weight",), 1, "weight", "did you mean 'weights'"),
])
def test_each_bad_parameter_names_its_field(path: tuple[str, ...], value: Any, field: str,
                                            words: str) -> None:
    found = check_cpt("weighted_sum", changed(path, value), NODE)
    assert any(p.where == where(field) and words in p.message for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    params = changed(("weights", "threats"), -1)
    params["distributions"]["war_outcome"]["stalemate"] = [0.2, 0.2, 0.2]
    params["colour"] = "red"
    found = check_cpt("weighted_sum", params, NODE)
    assert {p.where for p in found} == {where("weights.threats"),
                                        where("distributions.war_outcome.stalemate"),
                                        where("colour")}


def test_a_node_without_parents_is_refused() -> None:
    root = NodeContext("cohesion", COHESION, (), True, WHERE)
    found = check_cpt("weighted_sum", PARAMS, root)
    assert [p.where for p in found] == [where("method")]


@pytest.mark.parametrize("params", [{}, {"weights": None, "distributions": None},
                                    {"distributions": {"threats": None, "war_outcome": 3}},
                                    {"compatible": {"threats": {"neutral": None}}}])
def test_check_never_raises_on_garbage(params: dict[str, Any]) -> None:
    assert check_cpt("weighted_sum", params, NODE)
