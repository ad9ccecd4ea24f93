"""Noisy-MAX (cohesion_bn.cpt.noisy_max): noisy-OR reduction, graded known answers, problems."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from cohesion_bn.cpt import METHODS, NodeContext, ParentInfo, build_cpt, check_cpt
from cohesion_bn.cpt.noisy_max import henrion_to_diez, noisy_max_table

S3 = ("strengthens", "neutral", "weakens")
COHESION = ("strong", "fragmented", "weak")
WAR = ("ukraine_wins", "ukraine_loses", "stalemate")
WHERE = "m.yaml: node 'cohesion', cpt"

NORMS = ParentInfo("norms", S3)
WAR_PARENT = ParentInfo("war_outcome", WAR, ordered=False)
NODE = NodeContext("cohesion", COHESION, (NORMS, WAR_PARENT), True, WHERE)

PARAMS: dict[str, Any] = {
    "absent": "strong",
    "parametrization": "diez",
    "causes": {
        "norms": {"absent": "strengthens", "effects": {
            "neutral": {"strong": 0.7, "fragmented": 0.2, "weak": 0.1},
            "weakens": {"strong": 0.2, "fragmented": 0.5, "weak": 0.3}}},
        "war_outcome": {"absent": "ukraine_wins", "effects": {
            "stalemate": [0.5, 0.4, 0.1],
            "ukraine_loses": [0.6, 0.2, 0.2]}},
    },
}


def where(field: str) -> str:
    return f"{WHERE}.{field}"


def test_registered() -> None:
    assert METHODS["noisy_max"].__name__ == "cohesion_bn.cpt.noisy_max"


def test_binary_case_is_the_leaky_noisy_or() -> None:
    """Díez parameters p1 = 0.8, p2 = 0.5, leak 0.1: P(yes | both on) = 1 - 0.2*0.5*0.9 = 0.91,
    P(yes | only 1) = 1 - 0.2*0.9 = 0.82, P(yes | only 2) = 1 - 0.5*0.9 = 0.55,
    P(yes | neither) = 0.1."""
    cpt = noisy_max_table([[[1, 0.2], [0, 0.8]], [[1, 0.5], [0, 0.5]]], leak=[0.9, 0.1])
    np.testing.assert_allclose(cpt[1], [[0.1, 0.55], [0.82, 0.91]], atol=1e-12)


def test_henrion_parameters_include_the_leak() -> None:
    """The compound answers of the noisy-OR above are 0.82 and 0.55 ("only X_i on", leak
    included); converting gives back the net 0.8 and 0.5: 1 - (1 - 0.82)/(1 - 0.1) = 0.8."""
    np.testing.assert_allclose(henrion_to_diez([0.18, 0.82], [0.9, 0.1]), [0.2, 0.8])
    yes_no = ("no", "yes")
    node = NodeContext("alarm", yes_no, (ParentInfo("a", ("off", "on")),
                                         ParentInfo("b", ("off", "on"))), True, WHERE)
    params = {"absent": "no", "leak": {"no": 0.9, "yes": 0.1}, "causes": {
        "a": {"absent": "off", "effects": {"on": {"no": 0.18, "yes": 0.82}}},
        "b": {"absent": "off", "effects": {"on": {"no": 0.45, "yes": 0.55}}}}}
    assert check_cpt("noisy_max", params, node) == []
    cpt = build_cpt("noisy_max", params, node)
    np.testing.assert_allclose(cpt[1], [[0.1, 0.55], [0.82, 0.91]], atol=1e-12)
    diez = build_cpt("noisy_max", {**params, "parametrization": "diez", "causes": {
        "a": {"absent": "off", "effects": {"on": [0.2, 0.8]}},
        "b": {"absent": "off", "effects": {"on": [0.5, 0.5]}}}}, node)
    np.testing.assert_allclose(cpt, diez, atol=1e-12)


def test_graded_hand_worked_column() -> None:
    """No leak. norms=weakens: cumulative (0.2, 0.7, 1); war=stalemate: (0.5, 0.9, 1).
    Product (0.10, 0.63, 1), differences (0.10, 0.53, 0.37) over (strong, fragmented, weak).
    One active cause alone gives its own effect; none gives strong for sure."""
    assert check_cpt("noisy_max", PARAMS, NODE) == []
    cpt = build_cpt("noisy_max", PARAMS, NODE)
    assert cpt.shape == (3, 3, 3)
    np.testing.assert_allclose(cpt[:, 2, 2], [0.10, 0.53, 0.37], atol=1e-12)
    np.testing.assert_allclose(cpt[:, 1, 0], [0.7, 0.2, 0.1], atol=1e-12)
    np.testing.assert_allclose(cpt[:, 0, 1], [0.6, 0.2, 0.2], atol=1e-12)
    np.testing.assert_allclose(cpt[:, 0, 0], [1.0, 0.0, 0.0], atol=1e-12)


def test_more_causes_never_improve_the_node() -> None:
    """Stochastic dominance: adding an active cause can only move mass away from absent."""
    cpt = build_cpt("noisy_max", PARAMS, NODE)
    cum = np.cumsum(cpt, axis=0)
    assert np.all(cum[:, 1:, :] <= cum[:, :1, :] + 1e-12)
    assert np.all(cum[:, :, 1:] <= cum[:, :, :1] + 1e-12)


def test_absent_state_last_counts_degrees_upwards() -> None:
    """Node (high, medium, low) with absent 'low': degrees run low=0, medium=1, high=2, so the
    table is the degree-order table read backwards."""
    node = NodeContext("support", ("high", "medium", "low"), (NORMS,), True, WHERE)
    params = {"absent": "low", "parametrization": "diez", "causes": {"norms": {
        "absent": "weakens", "effects": {"strengthens": [0.5, 0.3, 0.2],
                                         "neutral": {"high": 0.1, "medium": 0.3, "low": 0.6}}}}}
    assert check_cpt("noisy_max", params, node) == []
    cpt = build_cpt("noisy_max", params, node)
    np.testing.assert_allclose(cpt[:, 0], [0.5, 0.3, 0.2])
    np.testing.assert_allclose(cpt[:, 2], [0.0, 0.0, 1.0])
    degree = noisy_max_table([[[0.2, 0.6, 1.0], [0.3, 0.3, 0.0], [0.5, 0.1, 0.0]]])
    np.testing.assert_allclose(cpt, degree[::-1])


def test_leak_applies_to_every_column() -> None:
    params = {**PARAMS, "leak": [0.9, 0.08, 0.02]}
    cpt = build_cpt("noisy_max", params, NODE)
    np.testing.assert_allclose(cpt[:, 0, 0], [0.9, 0.08, 0.02], atol=1e-12)
    # norms=weakens alone: cumulative (0.2, 0.7, 1) * leak's (0.9, 0.98, 1) = (0.18, 0.686, 1)
    np.testing.assert_allclose(cpt[:, 2, 0], [0.18, 0.506, 0.314], atol=1e-12)


def test_impossible_henrion_effect_is_a_problem() -> None:
    """With a leak of P(strong) = 0.9 no cause can make P(strong) = 0.95 by acting."""
    params = copy.deepcopy(PARAMS)
    params["parametrization"] = "henrion"
    params["leak"] = [0.9, 0.08, 0.02]
    params["causes"]["norms"]["effects"]["neutral"] = [0.95, 0.04, 0.01]
    found = check_cpt("noisy_max", params, NODE)
    assert [p.where for p in found] == [where("causes.norms.effects.neutral")]
    assert "leak" in found[0].message
    with pytest.raises(ValueError):
        henrion_to_diez([0.95, 0.04, 0.01], [0.9, 0.08, 0.02])


def test_non_monotone_henrion_ratio_is_a_problem() -> None:
    """Leak cumulative (0.5, 1.0, 1); effect cumulative (0.5, 0.6, 1): ratio 1 then 0.6 falls."""
    with pytest.raises(ValueError, match="falls"):
        henrion_to_diez([0.5, 0.1, 0.4], [0.5, 0.5, 0.0])


def changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    params = copy.deepcopy(PARAMS)
    target = params
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return params


@pytest.mark.parametrize(("path", "value", "field", "words"), [
    (("absent",), ..., "absent", "missing"),
    (("absent",), "fragmented", "absent", "not the first or last state"),
    (("parametrization",), "agena", "parametrization", "henrion, diez"),
    (("leak",), [0.5, 0.6, 0.0], "leak", "sums to"),
    (("causes",), ..., "causes", "missing"),
    (("causes",), [1], "causes", "not a mapping"),
    (("causes", "norms"), ..., "causes", "missing parent 'norms'"),
    (("causes", "nrms"), {}, "causes.nrms", "did you mean 'norms'"),
    (("causes", "norms"), "x", "causes.norms", "must be {absent"),
    (("causes", "norms", "absent"), "good", "causes.norms.absent", "not a state of 'norms'"),
    (("causes", "norms", "absent"), ..., "causes.norms.absent", "missing"),
    (("causes", "norms", "effects"), ..., "causes.norms.effects", "missing"),
    (("causes", "norms", "colour"), 1, "causes.norms.colour", "unknown field"),
    (("causes", "norms", "effects", "strengthens"), [1, 0, 0],
     "causes.norms.effects.strengthens", "is the absent state"),
    (("causes", "norms", "effects", "neutrl"), [1, 0, 0], "causes.norms.effects.neutrl",
     "did you mean 'neutral'"),
    (("causes", "norms", "effects", "neutral"), ..., "causes.norms.effects",
     "missing state 'neutral'"),
    (("causes", "norms", "effects", "neutral"), [0.7, 0.7, 0.1],
     "causes.norms.effects.neutral", "sums to"),
    (("absnt",), "strong", "absnt", "did you mean 'absent'"),
])
def test_each_bad_parameter_names_its_field(path: tuple[str, ...], value: Any, field: str,
                                            words: str) -> None:
    found = check_cpt("noisy_max", changed(path, value), NODE)
    assert any(p.where == where(field) and words in p.message for p in found), found


def test_node_problems() -> None:
    unordered = NodeContext("cohesion", COHESION, NODE.parents, False, WHERE)
    found = check_cpt("noisy_max", PARAMS, unordered)
    assert [p.where for p in found] == [where("method")]
    root = NodeContext("cohesion", COHESION, (), True, WHERE)
    assert [p.where for p in check_cpt("noisy_max", PARAMS, root)] == [where("method")]


@pytest.mark.parametrize("params", [{}, {"causes": {"norms": None, "war_outcome": {}}},
                                    {"absent": ["x"], "leak": "x", "causes": "x"}])
def test_check_never_raises_on_garbage(params: dict[str, Any]) -> None:
    assert check_cpt("noisy_max", params, NODE)


@pytest.mark.parametrize(("effects", "leak"), [
    ([], None),
    ([[[1.0], [0.5]]], None),
    ([[[1.0], [0.0]]], [1.0]),
    ([[1.0, 0.0]], None),
])
def test_plain_function_refuses_bad_arguments(effects: Any, leak: Any) -> None:
    with pytest.raises(ValueError):
        noisy_max_table(effects, leak=leak)
