"""`cohesion-bn sensitivity`: the JSON rows of the issue, equal to the API and to brute-force
re-evaluation; every analysis reachable; mistakes are one clean line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cohesion_bn.cli import main

KEYS = {"node", "parents", "state", "value", "derivative", "coefficients",
        "admissible_deviation"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_oneway_json_rows_match_brute_force(capsys, nato):
    code, out, _ = run(capsys, "sensitivity", "--target", "cohesion=weak", "--evidence",
                       "war_outcome=stalemate", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == nato.n_parameters
    assert all(set(r) == KEYS for r in rows)
    # re-evaluate the strongest parameter independently: set it in a copy of the pgmpy
    # network, co-vary its column proportionally, run pgmpy's VariableElimination, and
    # compare with (a x + b) / (c x + d)
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    row = max(rows, key=lambda r: abs(r["derivative"]))
    a, b, c, d = row["coefficients"]
    node, state = row["node"], row["state"]
    parents = nato.parents(node)
    idx = tuple(nato.states(p).index(row["parents"][p]) for p in parents)
    i = nato.states(node).index(state)
    for x in (0.0, 0.3, 0.9):
        arr = nato.cpt(node).copy()
        col = arr[(slice(None), *idx)]
        new = col * (1 - x) / (1 - col[i])
        new[i] = x
        arr[(slice(None), *idx)] = new
        net = nato.network.copy()
        net.remove_cpds(net.get_cpds(node))
        net.add_cpds(TabularCPD(
            node, len(nato.states(node)), arr.reshape(len(nato.states(node)), -1),
            evidence=list(parents), evidence_card=[len(nato.states(p)) for p in parents],
            state_names={v: list(nato.states(v)) for v in (node, *parents)}))
        f = VariableElimination(net).query(["cohesion"], evidence={"war_outcome": "stalemate"},
                                           show_progress=False)
        want = f.values[f.state_names["cohesion"].index("weak")]
        assert (a * x + b) / (c * x + d) == pytest.approx(want, abs=1e-9)


def test_tune_says_when_no_single_parameter_can(capsys):
    code, out, _ = run(capsys, "sensitivity", "tune", "--target", "cohesion=strong",
                       "--evidence", "war_outcome=stalemate", "--at-least", "0.5", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["candidates"] == [] and "no single parameter can" in data["message"]
    code, out, _ = run(capsys, "sensitivity", "tune", "--target", "cohesion=weak",
                       "--evidence", "war_outcome=stalemate", "--at-most", "0.45", "--json")
    data = json.loads(out)
    assert data["candidates"], data["message"]


@pytest.mark.parametrize("argv", [
    ["findings", "--scenario", "stalemate"],
    ["uncertainty", "--n", "200", "--seed", "3"],
    ["sobol", "--n", "16", "--seed", "3", "--scenario", "stalemate", "--target", "cohesion=weak"],
    ["expert", "--target", "cohesion=weak", "-e", "war_outcome=stalemate"],
    ["twoway", "--target", "cohesion=weak", "-e", "war_outcome=stalemate", "--k", "5"],
])
def test_every_analysis_prints_json(capsys, argv):
    code, out, err = run(capsys, "sensitivity", *argv, "--json")
    assert code == 0, err
    assert json.loads(out)


def test_uncertainty_is_reproducible(capsys):
    outs = [run(capsys, "sensitivity", "uncertainty", "--n", "300", "--seed", "11", "--json")[1]
            for _ in range(2)]
    a, b = (json.loads(o)["target"] for o in outs)
    np.testing.assert_array_equal([r["mean"] for r in a], [r["mean"] for r in b])


@pytest.mark.parametrize("argv, message", [
    (["--evidence", "war_outcome=stalemate"], "needs --target NODE=STATE"),
    (["--target", "cohesion=wek"], "no state 'wek'"),
    (["tune", "--target", "cohesion=weak"], "exactly one of --at-least"),
])
def test_mistakes(capsys, argv, message):
    code, out, err = run(capsys, "sensitivity", *argv)
    assert code == 2 and not out and message in err and "Traceback" not in err


@pytest.mark.parametrize("argv, message", [
    (["--target", "cohesion=weak", "-e", "cohesion=strong"], "also carries evidence"),
    (["--target", "cohesion=weak", "--over", "cohesion=weak"], "is 1 whatever"),
])
def test_targets_that_cannot_depend_on_parameters(capsys, argv, message):
    code, out, err = run(capsys, "sensitivity", *argv)
    assert code == 2 and not out and message in err
