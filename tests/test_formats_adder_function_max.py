"""GeNIe noisy-adder nodes and BIF ``property function max`` blocks expanded to full tables.

Noisy-adder: hand-worked examples of the rule GeNIe's manual states (the weighted average
of the parents' columns and the leak), and an independent computation: the same node as a
mixture over a hidden selector variable, summed out by brute-force enumeration.
``function max``: a hand-worked leaky noisy-OR, and the expansion of Henrion's rows checked
against brute-force enumeration of the hidden per-cause effects (Díez's causal model,
``enumerate_noisy_max``), the model the GeNIe noisy-MAX tests check against GeNIe itself.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from test_formats import brute_posteriors, ve_posteriors
from test_formats_noisy import dsl, enumerate_noisy_max, write

from cohesion_bn.errors import FormatError
from cohesion_bn.formats import ImportedNetwork, read_network

DATA = Path(__file__).parent / "data" / "networks"


def adder_xdsl(
    roots: dict[str, list[str]],
    states: list[str],
    weights: list[float],
    parameters: list[float],
    *,
    attrs: str = "",
) -> str:
    """Uniform roots, then a ``<noisyadder id="D">`` with those roots as parents."""
    out = ['<smile version="1.0" id="N">', "<nodes>"]
    for name, st in roots.items():
        xml = "".join(f'<state id="{s}"/>' for s in st)
        probs = " ".join(repr(1 / len(st)) for _ in st)
        out.append(f'<cpt id="{name}">{xml}<probabilities>{probs}</probabilities></cpt>')
    xml = "".join(f'<state id="{s}"/>' for s in states)
    dstates = " ".join("0" for _ in roots)
    out.append(
        f'<noisyadder id="D"{attrs}>{xml}<parents>{" ".join(roots)}</parents>'
        f"<dstates>{dstates}</dstates><weights>{' '.join(map(repr, weights))}</weights>"
        f"<parameters>{' '.join(map(repr, parameters))}</parameters></noisyadder>"
    )
    out += ["</nodes>", "</smile>", ""]
    return "\n".join(out)


def cpt_rows(path: Path, node: str) -> np.ndarray:
    cpd = read_network(path).network.get_cpds(node)
    return np.asarray(cpd.get_values(), dtype=float).T


def read_adder(path: Path) -> ImportedNetwork:
    """Read a file with a noisy-adder, which must warn that GeNIe's own table may differ."""
    with pytest.warns(UserWarning, match=r"node 'D': GeNIe noisy-adder expanded .* compare"):
        return read_network(path)


def adder_rows(path: Path) -> np.ndarray:
    cpd = read_adder(path).network.get_cpds("D")
    return np.asarray(cpd.get_values(), dtype=float).T


# --- noisy-adder -----------------------------------------------------------------------


def test_noisy_adder_known_answer(tmp_path: Path) -> None:
    """Binary child (x, y); A (a1, a2) weight 2, B (b1, b2) weight 1, leak weight 1;
    columns A=a1 (0.9, 0.1), A=a2 (0.2, 0.8), B=b1 (0.5, 0.5), B=b2 (0, 1), leak (1, 0).
    P(x | a1, b1) = (2 * 0.9 + 0.5 + 1) / 4 = 0.825; (a1, b2) (1.8 + 0 + 1) / 4 = 0.7;
    (a2, b1) (0.4 + 0.5 + 1) / 4 = 0.475; (a2, b2) (0.4 + 0 + 1) / 4 = 0.35.
    With uniform parents P(D = x) = (0.825 + 0.7 + 0.475 + 0.35) / 4 = 0.5875."""
    roots = {"A": ["a1", "a2"], "B": ["b1", "b2"]}
    params = [0.9, 0.1, 0.2, 0.8, 0.5, 0.5, 0, 1, 1, 0]
    path = write(tmp_path, "adder.xdsl", adder_xdsl(roots, ["x", "y"], [2, 1, 1], params))
    got = adder_rows(path)
    np.testing.assert_allclose(got[:, 0], [0.825, 0.7, 0.475, 0.35], atol=1e-15)
    imp = read_adder(path)
    assert len(imp.notes) == 1
    assert imp.notes[0].startswith("node 'D': GeNIe noisy-adder expanded to a full table")
    assert "compare with the table GeNIe shows" in imp.notes[0]
    assert ve_posteriors(imp.network)["D"][0] == pytest.approx(0.5875)
    assert brute_posteriors(imp.network)["D"][0] == pytest.approx(0.5875)


def test_noisy_adder_equal_weights_is_the_plain_average(tmp_path: Path) -> None:
    """Default weights (all 1): one parent A (a1, a2), columns (0.6, 0.4), (0.1, 0.9), leak
    (0.2, 0.8): P(x | a1) = (0.6 + 0.2) / 2 = 0.4, P(x | a2) = (0.1 + 0.2) / 2 = 0.15."""
    roots = {"A": ["a1", "a2"]}
    params = [0.6, 0.4, 0.1, 0.9, 0.2, 0.8]
    path = write(tmp_path, "avg.xdsl", adder_xdsl(roots, ["x", "y"], [1, 1], params))
    np.testing.assert_allclose(adder_rows(path)[:, 0], [0.4, 0.15], atol=1e-15)


def mixture_by_enumeration(
    sizes: list[int], n: int, weights: np.ndarray, columns: np.ndarray
) -> np.ndarray:
    """Independent computation: a hidden selector S picks parent i (or the leak) with
    probability w_i / sum(w); given S = i the child follows parent i's column for its
    current state. P(Y | x) = sum over S of P(S) P(Y | S, x), enumerated term by term."""
    starts = np.cumsum([0, *sizes[:-1]])
    p_select = weights / weights.sum()
    rows = []
    for config in itertools.product(*(range(s) for s in sizes)):
        out = np.zeros(n)
        for sel in range(len(sizes) + 1):
            col = columns[-1] if sel == len(sizes) else columns[starts[sel] + config[sel]]
            for y in range(n):
                out[y] += p_select[sel] * col[y]
        rows.append(out)
    return np.array(rows)


@pytest.mark.parametrize("seed", range(5))
def test_noisy_adder_equals_a_hidden_selector_mixture(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.integers(2, 4, size=int(rng.integers(1, 4)))]
    roots = {f"P{i}": [f"s{j}" for j in range(s)] for i, s in enumerate(sizes)}
    columns = rng.dirichlet(np.ones(n), size=sum(sizes) + 1)
    weights = rng.uniform(0.1, 3.0, size=len(sizes) + 1)
    states = [f"y{k}" for k in range(n)]
    text = adder_xdsl(
        roots, states, [float(w) for w in weights], [float(x) for x in columns.ravel()]
    )
    path = write(tmp_path, "mix.xdsl", text)
    want = mixture_by_enumeration(sizes, n, weights, columns)
    np.testing.assert_allclose(adder_rows(path), want, atol=1e-12)
    net = read_adder(path).network
    np.testing.assert_allclose(ve_posteriors(net)["D"], brute_posteriors(net)["D"], atol=1e-12)


@pytest.mark.parametrize(
    ("weights", "params", "attrs", "pattern"),
    [
        ([1, 1], [0.9, 0.1, 0, 1], "", r"<noisyadder>: has 4 parameters; 2 states x \(2 parent"),
        ([1], [0.9, 0.1, 0, 1, 0, 1], "", r"<weights>: has 1 weights; 1 parents and the leak"),
        ([1, -1], [0.9, 0.1, 0, 1, 0, 1], "", r"<weights>: the weight of the leak is -1"),
        ([0, 0], [0.9, 0.1, 0, 1, 0, 1], "", r"<weights>: its weights sum to 0"),
        ([1, 1], [0.9, 0.2, 0, 1, 0, 1], "", r"<noisyadder>: column for A=a1 sums to 1\.1"),
        ([1, 1], [0.9, 0.1, 0, 1, 1.5, -0.5], "", r"<noisyadder>: the leak column has a negative"),
        (
            [1, 1],
            [0.9, 0.1, 0, 1, 0, 1],
            ' function="single_fault"',
            r"<noisyadder>: is a GeNIe noisy-adder with the 'single fault' function",
        ),
    ],
)
def test_bad_noisy_adder_is_refused_naming_node(
    tmp_path: Path, weights: list[float], params: list[float], attrs: str, pattern: str
) -> None:
    text = adder_xdsl({"A": ["a1", "a2"]}, ["x", "y"], weights, params, attrs=attrs)
    with pytest.raises(FormatError, match=r"bad\.xdsl: node 'D': " + pattern):
        read_network(write(tmp_path, "bad.xdsl", text))


def test_dsl_noisy_adder_is_refused_pointing_to_xdsl(tmp_path: Path) -> None:
    text = dsl({"A": ["a1", "a2"]}, "D", ["x", "y"], ["A"], [0, 1], [0.9, 0.1, 0, 1, 0, 1])
    text = text.replace("TYPE = NOISY_MAX", "TYPE = NOISY_ADDER")
    with pytest.raises(FormatError, match=r"node 'D': TYPE = NOISY_ADDER: is a GeNIe") as e:
        read_network(write(tmp_path, "adder.dsl", text))
    assert "save it as .xdsl" in str(e.value)


# --- BIF property function max ---------------------------------------------------------


def function_max_bif(
    parents: dict[str, list[str]], child: list[str], rows: dict[tuple[str, ...], list[float]]
) -> str:
    """Uniform roots and a child ``Y`` whose block is ``property function max`` rows."""
    out = ["network N {", "}"]
    for name, st in {**parents, "Y": child}.items():
        out.append(f"variable {name} {{ type discrete [ {len(st)} ] {{ {', '.join(st)} }}; }}")
    for name, st in parents.items():
        out.append(
            f"probability ( {name} ) {{ table {', '.join(repr(1 / len(st)) for _ in st)}; }}"
        )
    out.append(f"probability ( Y | {', '.join(parents)} ) {{")
    out.append("  property function max;")
    for cfg, vals in rows.items():
        out.append(f"  ({', '.join(cfg)}) {', '.join(map(repr, vals))};")
    out += ["}", ""]
    return "\n".join(out)


def test_function_max_known_answer(tmp_path: Path) -> None:
    """Leaky noisy-OR as DSC rows (Henrion's parameters, state 0 absent): leak (0.9, 0.1),
    A=1 alone (0.3, 0.7), B=1 alone (0.6, 0.4). P(Y=0 | A=1, B=1) = 0.9 * (0.3 / 0.9) *
    (0.6 / 0.9) = 0.2; the listed rows are the table's rows as written."""
    bif = function_max_bif(
        {"A": ["0", "1"], "B": ["0", "1"]},
        ["0", "1"],
        {("0", "0"): [0.9, 0.1], ("1", "0"): [0.3, 0.7], ("0", "1"): [0.6, 0.4]},
    )
    path = write(tmp_path, "or.bif", bif)
    np.testing.assert_allclose(cpt_rows(path, "Y")[:, 0], [0.9, 0.6, 0.3, 0.2], atol=1e-15)
    imp = read_network(path)
    assert imp.notes == (
        "node 'Y': 'property function max' rows expanded to a full table (noisy-MAX by "
        "Henrion's rule, the listed rows kept)",
    )
    # P(Y=0) = (0.9 + 0.6 + 0.3 + 0.2) / 4 = 0.5
    assert brute_posteriors(imp.network)["Y"][0] == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(6))
def test_function_max_equals_the_causal_model_by_enumeration(tmp_path: Path, seed: int) -> None:
    """Draw a noisy-MAX causal model (Díez's per-cause columns and a leak, GeNIe's order:
    the child's absent state last, MAX the smallest index), enumerate its full table by
    brute force, write only the rows DSC lists (the leak row and one row per single cause,
    states reversed so the absent state comes first), read them back: every other row
    must be the enumerated one."""
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 5))
    sizes = [int(s) for s in rng.integers(2, 4, size=int(rng.integers(2, 4)))]
    strengths: list[int] = []
    params: list[float] = []
    for size in sizes:
        strengths += list(range(size))  # each parent's last state is its absent one
        for _ in range(size - 1):
            params += [float(x) for x in rng.dirichlet(np.ones(n))]
        params += [0.0] * (n - 1) + [1.0]
    params += [float(x) for x in rng.dirichlet(np.ones(n))]
    genie = enumerate_noisy_max(n, sizes, strengths, params)  # rows: GeNIe state order
    configs = list(itertools.product(*(range(s) for s in sizes)))
    # DSC order: every variable's states reversed (absent first), the child's too
    parents = {f"P{i}": [f"s{j}" for j in range(s)] for i, s in enumerate(sizes)}
    child = [f"y{k}" for k in range(n)]

    def genie_row(dsc_cfg: tuple[int, ...]) -> np.ndarray:
        cfg = tuple(s - 1 - c for s, c in zip(sizes, dsc_cfg, strict=True))
        return genie[configs.index(cfg)][::-1]

    rows: dict[tuple[str, ...], list[float]] = {}
    for cfg in itertools.product(*(range(s) for s in sizes)):
        if sum(1 for c in cfg if c) <= 1:
            rows[tuple(f"s{c}" for c in cfg)] = [float(x) for x in genie_row(cfg)]
    path = write(tmp_path, "max.bif", function_max_bif(parents, child, rows))
    got = cpt_rows(path, "Y")
    want = np.array([genie_row(cfg) for cfg in itertools.product(*(range(s) for s in sizes))])
    np.testing.assert_allclose(got, want, atol=1e-12)


def carpo_without_n117(tmp_path: Path) -> Path:
    """carpo.bif declares N117 but gives it no probability block (refused as it is); the
    copy drops that variable (a root with no children)."""
    text = (DATA / "agrum_carpo.bif").read_text(encoding="utf-8")
    text, count = re.subn(r"variable N117 \{[^}]*\{[^}]*\}[^}]*\}", "", text)
    assert count == 1
    return write(tmp_path, "carpo.bif", text)


def test_carpo_function_max_blocks_load_rows_kept(tmp_path: Path) -> None:
    """All 45 'function max' blocks of the real CARPO file expand; every row the file lists
    is a row of the table as written; N5's rows go against noisy-MAX (a cause raises its
    first state's probability), said in a warning, and its combined row follows the rule:
    P(N5=0 | 1, 1) = 0.25 * (0.5 / 0.25)**2 = 1."""
    from pgmpy.readwrite import BIFReader

    path = carpo_without_n117(tmp_path)
    with pytest.warns(UserWarning) as record:
        imp = read_network(path)
    imp.network.check_model()
    assert sum("rows expanded to a full table" in n for n in imp.notes) == 45
    warned = " ".join(str(r.message) for r in record)
    flagged = sorted(re.findall(r"node '(\w+)': 'property function max' rows \(", warned))
    assert flagged == ["N5", "N66"]  # N57 has one parent: its rows are its whole table
    n5 = np.asarray(imp.network.get_cpds("N5").get_values(), dtype=float).T
    np.testing.assert_allclose(n5, [[0.25, 0.75], [0.5, 0.5], [0.5, 0.5], [1, 0]])
    # every listed row, as pgmpy parses it (zeros elsewhere), is kept exactly
    raw = BIFReader(path=str(path)).get_model()
    blocks = re.findall(
        r"probability \( (\w+) +\|[^{]*\{\s*property function max", path.read_text()
    )
    assert len(blocks) == 45
    for node in blocks:
        ours = np.asarray(imp.network.get_cpds(node).get_values(), dtype=float).T
        theirs = np.asarray(raw.get_cpds(node).get_values(), dtype=float).T
        listed = theirs.sum(axis=1) > 0
        assert listed.sum() >= 2, node
        written = theirs[listed] / theirs[listed].sum(axis=1, keepdims=True)
        np.testing.assert_allclose(ours[listed], written, atol=1e-12, err_msg=node)
        np.testing.assert_allclose(ours.sum(axis=1), 1.0, atol=1e-12, err_msg=node)


def test_pgmpy_and_pyagrum_alone_fill_function_max_with_zeros() -> None:
    """The failure mode: pgmpy 1.1.2 reads the partial rows as a full table with zeros
    elsewhere, so N5's (1, 1) column sums to 0 and check_model fails; pyAgrum 3.3.1 fills
    the same zeros."""
    from pgmpy.readwrite import BIFReader

    path = DATA / "agrum_carpo.bif"
    model = BIFReader(path=str(path)).get_model()
    n5 = np.asarray(model.get_cpds("N5").get_values(), dtype=float)
    assert n5.sum(axis=0).min() == 0.0
    with pytest.raises(ValueError, match="N5 is not equal to 1"):
        model.check_model()
    pyagrum = pytest.importorskip("pyagrum")
    bn = pyagrum.loadBN(str(path))  # kept: a temporary BN frees the CPT under us
    values = np.asarray(bn.cpt("N5").toarray(), dtype=float)
    assert values.reshape(-1, 2).sum(axis=1).min() == 0.0


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        ({("1", "0"): [0.3, 0.7], ("0", "1"): [0.6, 0.4]}, r"has no leak row \(0, 0\)"),
        ({("0", "0"): [0.9, 0.1], ("1", "0"): [0.3, 0.7]}, r"has no row \(0, 1\) for B=1 alone"),
        (
            {
                ("0", "0"): [0.9, 0.1],
                ("1", "0"): [0.3, 0.7],
                ("0", "1"): [0.6, 0.4],
                ("1", "1"): [0.2, 0.8],
            },
            r"row \(1, 1\) has more than one parent away from its first state",
        ),
        ({("0", "0"): [0.9, 0.2]}, r"row \(0, 0\) sums to 1\.1, not 1"),
        (
            {("0", "0"): [0.9, 0.1], ("2", "0"): [0.3, 0.7]},
            r"row \(2, 0\): '2' is not a state of A",
        ),
        ({("0",): [0.9, 0.1]}, r"row \(0\) names 1 states for 2 parents"),
    ],
)
def test_bad_function_max_rows_are_refused_naming_the_row(
    tmp_path: Path, rows: dict[tuple[str, ...], list[float]], pattern: str
) -> None:
    bif = function_max_bif({"A": ["0", "1"], "B": ["0", "1"]}, ["0", "1"], rows)
    with pytest.raises(FormatError, match=r"bad\.bif: node 'Y': property function max: " + pattern):
        read_network(write(tmp_path, "bad.bif", bif))


def test_function_max_rows_that_cannot_combine_are_refused(tmp_path: Path) -> None:
    """Leak (0.5, 0.3, 0.2); A=1 and B=1 alone both (0.9, 0, 0.1), a cause that moves the
    child backwards: combined P(Y <= 0) = 0.5 * 1.8 * 1.8 = 1.62 > 1, so (1, 1) would get
    a negative probability."""
    bif = function_max_bif(
        {"A": ["0", "1"], "B": ["0", "1"]},
        ["0", "1", "2"],
        {("0", "0"): [0.5, 0.3, 0.2], ("1", "0"): [0.9, 0, 0.1], ("0", "1"): [0.9, 0, 0.1]},
    )
    with pytest.raises(FormatError, match=r"node 'Y': property function max: combining its rows "
                       r"for \(1, 1\) gives P\(Y = '1'\) = -0\.\d+ < 0") as e:  # fmt: skip
        read_network(write(tmp_path, "neg.bif", bif))
    assert "rows (1, 0), (0, 1) give" in str(e.value)


def test_every_function_max_problem_is_reported_at_once(tmp_path: Path) -> None:
    bif = function_max_bif({"A": ["0", "1"], "B": ["0", "1"]}, ["0", "1"], {("1", "0"): [0.3, 0.7]})
    bif += "variable Z { type discrete [ 2 ] { 0, 1 }; }\n"
    bif += "probability ( Z | A ) {\n  property function max;\n  (1) 0.5, 0.5;\n}\n"
    with pytest.raises(FormatError) as e:
        read_network(write(tmp_path, "two.bif", bif))
    assert "node 'Y'" in str(e.value) and "node 'Z'" in str(e.value)


def test_expansion_notes_go_to_the_expanded_node_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """load_model keeps each reader note in the provenance of the node it is about, and
    `describe` prints it there."""
    from cohesion_bn import load_model
    from cohesion_bn.cli import main

    roots = {"A": ["a1", "a2"]}
    path = write(tmp_path, "n.xdsl", adder_xdsl(roots, ["x", "y"], [1, 1], [0.6, 0.4] * 3))
    with pytest.warns(UserWarning, match="noisy-adder"):
        model = load_model(path)
    assert "noisy-adder expanded" in model.spec.node("D").cpt.provenance.notes
    assert model.spec.node("A").cpt.provenance.notes == ""
    assert main(["describe", "--model", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.count("notes:") == 1
    assert "notes:   GeNIe noisy-adder expanded" in out.split("\nD: D")[1]
    assert "cohesion-bn: warning: " in err and "node 'D': GeNIe noisy-adder" in err
