"""Noisy-MAX nodes of GeNIe/SMILE (.xdsl ``<noisymax>``, .dsl ``TYPE = NOISY_MAX``) expanded
to full tables, checked by hand-worked examples, against a CPT GeNIe itself computed, and
against a second, independent computation (enumerating the hidden per-cause effects of
the causal model, Díez 1993). Noisy-adder and BIF ``function max``:
tests/test_formats_adder_function_max.py."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from test_formats import brute_posteriors, ve_posteriors

from cohesion_bn.errors import FormatError
from cohesion_bn.formats import read_network

DATA = Path(__file__).parent / "data" / "networks"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def xdsl(roots: dict[str, list[str]], node: str, states: list[str], parents: list[str],
         strengths: list[int], parameters: list[float]) -> str:  # fmt: skip
    """A small .xdsl: uniform roots, then one ``<noisymax>`` node."""
    out = ['<?xml version="1.0"?>', '<smile version="1.0" id="N">', "<nodes>"]
    for name, st in roots.items():
        states_xml = "".join(f'<state id="{s}"/>' for s in st)
        probs = " ".join(repr(1 / len(st)) for _ in st)
        out.append(f'<cpt id="{name}">{states_xml}<probabilities>{probs}</probabilities></cpt>')
    states_xml = "".join(f'<state id="{s}"/>' for s in states)
    out.append(
        f'<noisymax id="{node}">{states_xml}<parents>{" ".join(parents)}</parents>'
        f"<strengths>{' '.join(map(str, strengths))}</strengths>"
        f"<parameters>{' '.join(map(repr, parameters))}</parameters></noisymax>"
    )
    out += ["</nodes>", "</smile>", ""]
    return "\n".join(out)


def dsl(roots: dict[str, list[str]], node: str, states: list[str], parents: list[str],
        strengths: list[int], parameters: list[float]) -> str:  # fmt: skip
    """The same network in GeNIe's .dsl text format."""
    out = ["net N", "{"]
    for name, st in roots.items():
        probs = ", ".join(repr(1 / len(st)) for _ in st)
        out.append(
            f' node {name} {{ TYPE = CPT; HEADER = {{ ID = {name}; NAME = "{name}"; }};'
            f" PARENTS = (); DEFINITION = {{ NAMESTATES = ({', '.join(st)});"
            f" PROBABILITIES = ({probs}); }}; }};"
        )
    out.append(
        f' node {node} {{ TYPE = NOISY_MAX; HEADER = {{ ID = {node}; NAME = "{node}"; }};'
        f" PARENTS = ({', '.join(parents)}); DEFINITION = {{"
        f" NAMESTATES = ({', '.join(states)});"
        f" STRENGTHS = ({', '.join(map(str, strengths))});"
        f" PROBABILITIES = ({', '.join(map(repr, parameters))}); }}; }};"
    )
    out.append("};")
    return "\n".join(out) + "\n"


def table(path: Path, node: str) -> np.ndarray:
    """The node's table, one row per parent configuration (first parent slowest)."""
    cpd = read_network(path).network.get_cpds(node)
    return np.asarray(cpd.get_values(), dtype=float).T


def enumerate_noisy_max(
    n: int, sizes: list[int], strengths: list[int], parameters: list[float]
) -> np.ndarray:
    """Independent computation: each parent i in state x_i produces a hidden effect Y_i
    distributed as its column, the leak a hidden Y_L; the effect is the most severe of
    them (smallest state index, SMILE's order). Sum over all hidden combinations."""
    cols = np.asarray(parameters, dtype=float).reshape(-1, n)
    column_of: list[dict[int, np.ndarray]] = []
    start = 0
    for size in sizes:
        order = strengths[start : start + size]
        column_of.append({state: cols[start + pos] for pos, state in enumerate(order)})
        start += size
    leak = cols[-1]
    rows = []
    for config in itertools.product(*(range(s) for s in sizes)):
        dists = [column_of[i][x] for i, x in enumerate(config)] + [leak]
        out = np.zeros(n)
        for hidden in itertools.product(range(n), repeat=len(dists)):
            out[min(hidden)] += float(np.prod([d[h] for d, h in zip(dists, hidden, strict=True)]))
        rows.append(out)
    return np.array(rows)


def test_noisy_or_known_answer(tmp_path: Path) -> None:
    """Leaky noisy-OR, hand-worked (Díez parameters, leak separate):
    A=on alone (0.8, 0.2), B=on alone (0.6, 0.4), leak (0.1, 0.9) over (present, absent).
    P(absent | on, on) = 0.2 * 0.4 * 0.9 = 0.072; (on, off) 0.2 * 0.9 = 0.18;
    (off, on) 0.4 * 0.9 = 0.36; (off, off) = the leak, 0.9."""
    roots = {"A": ["on", "off"], "B": ["on", "off"]}
    params = [0.8, 0.2, 0, 1, 0.6, 0.4, 0, 1, 0.1, 0.9]
    args = (roots, "E", ["present", "absent"], ["A", "B"], [0, 1, 0, 1], params)
    want = np.array([[0.928, 0.072], [0.82, 0.18], [0.64, 0.36], [0.1, 0.9]])
    got = table(write(tmp_path, "n.xdsl", xdsl(*args)), "E")
    np.testing.assert_allclose(got, want, atol=1e-15)
    np.testing.assert_array_equal(table(write(tmp_path, "n.dsl", dsl(*args)), "E"), got)
    imp = read_network(tmp_path / "n.xdsl")
    assert imp.notes == ("node 'E': noisy-MAX expanded to a full table",)
    # P(E=present) = 1 - 0.9 * (0.5 + 0.5 * 0.2) * (0.5 + 0.5 * 0.4) = 0.622
    assert ve_posteriors(imp.network)["E"][0] == pytest.approx(0.622)
    assert brute_posteriors(imp.network)["E"][0] == pytest.approx(0.622)


def test_matches_the_cpt_genie_computed() -> None:
    """GeNIe 2.0.4535 wrote a four-parent noisy-OR (parameters below) and the CPT it
    converted it to (public repository krzysztof/BayesianLearning, src/CancerOR2.xdsl and
    src/CancerOR2_CPT.xdsl; no licence, so only these numbers are quoted, not the files).
    Its CPT equals the Díez expansion with the leak multiplied in, first parent slowest;
    Henrion's reading (leak already inside each parent's column) would give
    P(False | all True) = 0.39 * 0.75 * 0.85 * 0.96 / 0.99**3, not 0.2362932."""
    from cohesion_bn.formats._noisy import noisy_max_table

    binary = [["True", "False"]] * 4
    params = [0.61, 0.39, 0, 1, 0.25, 0.75, 0, 1, 0.15, 0.85, 0, 1, 0.04, 0.96, 0, 1, 0.01, 0.99]
    got = noisy_max_table(
        ["True", "False"],
        binary,
        strengths=np.array([0, 1] * 4),
        parameters=np.array(params),
        source="t",
        node="LungCancer",
    ).reshape(16, 2)
    genie_false = {0: 0.2362932, 1: 0.24613875, 2: 0.277992, 7: 0.3861, 14: 0.9504, 15: 0.99}
    for row, p_false in genie_false.items():
        assert got[row, 1] == pytest.approx(p_false, abs=1e-12), row


def test_three_state_known_answer_with_strength_order(tmp_path: Path) -> None:
    """Child (severe, mild, none): MAX is the most severe, the smallest index. Parent A has
    states (none, mild, severe) and strengths ``2 1 0`` (columns for severe, mild, then the
    distinguished none); B is (yes, no). With survivals S(k) = P(index >= k):
    A=severe (0.7, 0.2, 0.1) -> S = (1, 0.3, 0.1); B=yes (0.2, 0.3, 0.5) -> (1, 0.8, 0.5);
    leak (0.05, 0.15, 0.8) -> (1, 0.95, 0.8). (severe, yes): S = (1, 0.228, 0.04), so
    P = (0.772, 0.188, 0.04). A=mild (0.1, 0.5, 0.4) -> (1, 0.9, 0.4); (mild, no):
    S = (1, 0.855, 0.32), P = (0.145, 0.535, 0.32). (none, no) is the leak."""
    roots = {"A": ["none", "mild", "severe"], "B": ["yes", "no"]}
    params = [0.7, 0.2, 0.1, 0.1, 0.5, 0.4, 0, 0, 1, 0.2, 0.3, 0.5, 0, 0, 1, 0.05, 0.15, 0.8]
    args = (roots, "E", ["severe", "mild", "none"], ["A", "B"], [2, 1, 0, 0, 1], params)
    got = table(write(tmp_path, "n.xdsl", xdsl(*args)), "E")
    rows = {(a, b): i for i, (a, b) in enumerate(itertools.product(range(3), range(2)))}
    np.testing.assert_allclose(got[rows[2, 0]], [0.772, 0.188, 0.04], atol=1e-15)
    np.testing.assert_allclose(got[rows[1, 1]], [0.145, 0.535, 0.32], atol=1e-15)
    np.testing.assert_allclose(got[rows[0, 1]], [0.05, 0.15, 0.8], atol=1e-15)
    np.testing.assert_allclose(got[rows[0, 0]], [0.2 + 0.8 * 0.05, 0.8 * 0.95 - 0.4, 0.4])
    np.testing.assert_array_equal(table(write(tmp_path, "n.dsl", dsl(*args)), "E"), got)


@pytest.mark.parametrize("seed", range(6))
def test_expansion_equals_enumeration_of_hidden_causes(tmp_path: Path, seed: int) -> None:
    """Random noisy-MAX nodes (2-3 parents of 2-3 states, shuffled strengths, 2-4 child
    states): the table equals the brute-force enumeration of the causal model, in .xdsl
    and .dsl alike, and the network's marginals agree between pgmpy and enumeration."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.integers(2, 4, size=int(rng.integers(2, 4)))]
    parents = [f"P{i}" for i in range(len(sizes))]
    roots = {p: [f"s{j}" for j in range(s)] for p, s in zip(parents, sizes, strict=True)}
    strengths: list[int] = []
    params: list[float] = []
    for size in sizes:
        strengths += [int(x) for x in rng.permutation(size)]
        for _ in range(size - 1):
            params += [float(x) for x in rng.dirichlet(np.ones(n))]
        params += [0.0] * (n - 1) + [1.0]
    params += [float(x) for x in rng.dirichlet(np.ones(n))]
    states = [f"y{k}" for k in range(n)]
    args = (roots, "E", states, parents, strengths, params)
    want = enumerate_noisy_max(n, sizes, strengths, params)
    got = table(write(tmp_path, "r.xdsl", xdsl(*args)), "E")
    np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(table(write(tmp_path, "r.dsl", dsl(*args)), "E"), got, atol=0)
    net = read_network(tmp_path / "r.xdsl").network
    np.testing.assert_allclose(ve_posteriors(net)["E"], brute_posteriors(net)["E"], atol=1e-12)


@pytest.mark.parametrize(
    ("strengths", "params", "pattern"),
    [
        (
            [0, 1],
            [0.9, 0.1, 0.2, 0.8, 0, 1],
            r"the column for A=a2 \(its distinguished state\) is 0\.2 0\.8, not 0 \.\.\. 0 1",
        ),
        ([0, 1], [0.9, 0.1, 0, 1], r"has 4 parameters; 2 states x \(2 parent states \+ the leak\)"),
        ([0, 0], [0.9, 0.1, 0, 1, 0, 1], r"strengths 0 0 are not an order"),
        ([0, 1, 2], [0.9, 0.1, 0, 1, 0, 1], r"lists 3 strengths; its parents have 2 states"),
        ([0, 1], [0.9, 0.2, 0, 1, 0, 1], r"column for A=a1 sums to 1\.1, not 1"),
        ([0, 1], [0.9, 0.1, 0, 1, 1.5, -0.5], r"the leak column has a negative"),
    ],
)
def test_bad_noisy_max_is_refused_naming_node(
    tmp_path: Path, strengths: list[int], params: list[float], pattern: str
) -> None:
    text = xdsl({"A": ["a1", "a2"]}, "D", ["x", "y"], ["A"], strengths, params)
    with pytest.raises(FormatError, match=r"bad\.xdsl: node 'D': <noisymax>: " + pattern):
        read_network(write(tmp_path, "bad.xdsl", text))
    with pytest.raises(FormatError, match=r"node 'D': TYPE = NOISY_MAX: " + pattern):
        read_network(write(tmp_path, "bad.dsl", dsl({"A": ["a1", "a2"]}, "D", ["x", "y"], ["A"],
                                                    strengths, params)))  # fmt: skip
