"""Reading and writing networks in other tools' formats (cohesion_bn.formats)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pgmpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pgmpy.factors.discrete import TabularCPD
from pgmpy.inference import VariableElimination
from pgmpy.models import DiscreteBayesianNetwork

from cohesion_bn.errors import FormatError
from cohesion_bn.formats import FORMATS, detect_format, read_network, write_network

EXAMPLES = Path(pgmpy.__file__).parent / "utils" / "example_models"
DATA = Path(__file__).parent / "data" / "networks"
WRITABLE = ["bif", "xmlbif", "xdsl", "dsl", "net", "dne", "uai"]
NAMED = [f for f in WRITABLE if f != "uai"]


# ---------------------------------------------------------------- helpers


def example(name: str) -> Path:
    return EXAMPLES / f"{name}.bif.gz"


def tables(model: DiscreteBayesianNetwork) -> dict[str, tuple[list[str], list[str], np.ndarray]]:
    """node -> (states, parents, table with the node's state last)."""
    out = {}
    for cpd in model.get_cpds():
        k = int(cpd.variable_card)
        cards = [int(c) for c in cpd.cardinality[1:]]
        out[cpd.variable] = (
            [str(s) for s in cpd.state_names[cpd.variable]],
            list(cpd.variables[1:]),
            np.asarray(cpd.get_values()).T.reshape(*cards, k),
        )
    return out


def brute_posteriors(
    model: DiscreteBayesianNetwork, evidence: dict[str, str] | None = None
) -> dict[str, np.ndarray]:
    """Posterior marginals by enumerating the whole joint (small networks only)."""
    t = tables(model)
    names = list(t)
    axis = {n: i for i, n in enumerate(names)}
    joint = np.ones([len(t[n][0]) for n in names])
    for n, (_states, parents, table) in t.items():
        shape = [1] * len(names)
        order = [*parents, n]
        for v in order:
            shape[axis[v]] = len(t[v][0])
        perm = sorted(range(len(order)), key=lambda i: axis[order[i]])
        joint = joint * np.transpose(table, perm).reshape(shape)
    for v, s in (evidence or {}).items():
        mask = np.zeros(len(t[v][0]))
        mask[t[v][0].index(s)] = 1
        shape = [1] * len(names)
        shape[axis[v]] = len(mask)
        joint = joint * mask.reshape(shape)
    joint = joint / joint.sum()
    return {n: joint.sum(axis=tuple(j for j in range(len(names)) if j != axis[n])) for n in names}


def ve_posteriors(
    model: DiscreteBayesianNetwork, evidence: dict[str, str] | None = None
) -> dict[str, np.ndarray]:
    """Posterior marginals by pgmpy's variable elimination, in each node's state order."""
    ve = VariableElimination(model)
    out = {}
    for node in model.nodes():
        if evidence and node in evidence:
            continue
        f = ve.query([node], evidence=evidence or None, show_progress=False)
        order = [f.state_names[node].index(s) for s in model.get_cpds(node).state_names[node]]
        out[node] = np.asarray(f.values)[order]
    return out


def assert_same_tables(
    a: DiscreteBayesianNetwork, b: DiscreteBayesianNetwork, *, exact: bool = True
) -> None:
    ta, tb = tables(a), tables(b)
    assert set(ta) == set(tb)
    for node, (states, parents, table) in ta.items():
        states_b, parents_b, table_b = tb[node]
        assert states_b == states, node
        assert sorted(parents_b) == sorted(parents), node
        perm = [parents_b.index(p) for p in parents] + [len(parents)]
        table_b = np.transpose(table_b, perm)
        if exact:
            assert np.array_equal(table, table_b), node
        else:
            np.testing.assert_allclose(table, table_b, rtol=0, atol=1e-12, err_msg=node)


def positional(model: DiscreteBayesianNetwork, order: list[str]) -> DiscreteBayesianNetwork:
    """``model`` renamed as a UAI file names it: v<i> by ``order``, s<j> by state position."""
    rename = {n: f"v{i}" for i, n in enumerate(order)}
    cpds = []
    for cpd in model.get_cpds():
        variables = list(cpd.variables)
        cpds.append(
            TabularCPD(
                rename[cpd.variable],
                int(cpd.variable_card),
                cpd.get_values(),
                evidence=[rename[v] for v in variables[1:]] or None,
                evidence_card=[int(c) for c in cpd.cardinality[1:]] or None,
                state_names={
                    rename[v]: [f"s{j}" for j in range(len(cpd.state_names[v]))] for v in variables
                },
            )
        )
    out = DiscreteBayesianNetwork()
    out.add_nodes_from(rename.values())
    out.add_edges_from((rename[u], rename[v]) for u, v in model.edges())
    out.add_cpds(*cpds)
    return out


def uai_order(path: Path) -> list[int]:
    """Variable index -> cardinality, to check the file's own order."""
    words = path.read_text().split()
    n = int(words[1])
    return [int(w) for w in words[2 : 2 + n]]


# ---------------------------------------------------------------- API basics


def test_formats_table_and_detection_by_suffix(tmp_path: Path) -> None:
    assert set(FORMATS) == {"bif", "xmlbif", "xdsl", "dsl", "net", "dne", "uai"}
    for fmt, suffixes in FORMATS.items():
        if suffixes[0] in (".net", ".xml"):
            continue
        assert detect_format(tmp_path / f"x{suffixes[0]}") == fmt
    assert detect_format(tmp_path / "x.bif.gz") == "bif"


@pytest.mark.parametrize("fmt", WRITABLE)
def test_detection_by_content_when_suffix_is_ambiguous(tmp_path: Path, fmt: str) -> None:
    model = read_network(example("asia")).network
    written = tmp_path / "written" / f"asia{FORMATS[fmt][0]}"
    written.parent.mkdir()
    write_network(model, written)
    for name in ("asia.txt", "asia.xml", "asia.net"):
        shutil.copy(written, tmp_path / name)
        assert detect_format(tmp_path / name) == fmt, name
    (tmp_path / "asia.txt.gz").write_bytes(gzip.compress((tmp_path / "asia.txt").read_bytes()))
    assert detect_format(tmp_path / "asia.txt.gz") == fmt


def test_detection_refuses_unknown_content_and_binary_netica(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello world\n")
    with pytest.raises(FormatError, match=r"x\.txt.*cannot tell"):
        detect_format(tmp_path / "x.txt")
    with pytest.raises(FormatError, match=r"binary Netica"):
        detect_format(tmp_path / "x.neta")
    with pytest.raises(FormatError, match=r"no such file"):
        read_network(tmp_path / "missing.bif")


def test_imported_network_fields() -> None:
    imp = read_network(example("asia"))
    assert imp.format == "bif"
    assert imp.source == str(example("asia"))
    assert imp.labels == {}
    assert imp.notes == ()
    imp.network.check_model()
    with pytest.raises(AttributeError):
        imp.format = "x"  # type: ignore[misc]


def test_unknown_format_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="unknown format 'foo'"):
        read_network(example("asia"), format="foo")
    model = read_network(example("asia")).network
    with pytest.raises(FormatError, match="cannot tell the format"):
        write_network(model, tmp_path / "asia.weird")
    write_network(model, tmp_path / "asia.weird", format="bif")
    assert read_network(tmp_path / "asia.weird", format="bif").network.nodes


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", ["asia", "alarm", "insurance"])
@pytest.mark.parametrize("fmt", NAMED)
def test_round_trip_keeps_every_number(tmp_path: Path, name: str, fmt: str) -> None:
    original = read_network(example(name)).network
    path = tmp_path / f"{name}{FORMATS[fmt][0]}"
    write_network(original, path)
    back = read_network(path)
    assert back.format == fmt
    assert_same_tables(original, back.network, exact=True)


@pytest.mark.parametrize("name", ["asia", "alarm", "insurance"])
def test_round_trip_uai_by_position(tmp_path: Path, name: str) -> None:
    original = read_network(example(name)).network
    path = tmp_path / f"{name}.uai"
    write_network(original, path)
    back = read_network(path)
    assert back.notes and "v0" in back.notes[0] and "s0" in back.notes[0]
    # the writer lists variables in a topological order: recover it from the cardinalities
    import networkx as nx

    order = list(
        nx.lexicographical_topological_sort(original, key=lambda n: list(original.nodes()).index(n))
    )
    assert uai_order(path) == [len(original.get_cpds(n).state_names[n]) for n in order]
    assert_same_tables(positional(original, order), back.network, exact=True)


@pytest.mark.parametrize("fmt", WRITABLE)
def test_round_trip_posteriors_on_asia_with_evidence(tmp_path: Path, fmt: str) -> None:
    original = read_network(example("asia")).network
    path = tmp_path / f"asia{FORMATS[fmt][0]}.gz"
    write_network(original, path)
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    back = read_network(path).network
    if fmt == "uai":
        import networkx as nx

        order = list(
            nx.lexicographical_topological_sort(
                original, key=lambda n: list(original.nodes()).index(n)
            )
        )
        original = positional(original, order)
        evidence = {f"v{order.index('xray')}": "s0", f"v{order.index('asia')}": "s0"}
    else:
        evidence = {"xray": "yes", "asia": "yes"}
    want = brute_posteriors(original, evidence)
    got = ve_posteriors(back, evidence)
    for node, p in got.items():
        np.testing.assert_allclose(p, want[node], atol=1e-12, err_msg=node)


@st.composite
def random_networks(draw: st.DrawFn) -> DiscreteBayesianNetwork:
    n = draw(st.integers(2, 5))
    names = [f"n{i}" for i in range(n)]
    cards = [draw(st.integers(2, 3)) for _ in range(n)]
    parents = {i: [j for j in range(i) if draw(st.booleans())][:3] for i in range(n)}
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(names)
    model.add_edges_from((names[j], names[i]) for i in range(n) for j in parents[i])
    for i in range(n):
        cols = int(np.prod([cards[j] for j in parents[i]]))
        weights = draw(
            st.lists(
                st.lists(
                    st.floats(1e-9, 1.0, allow_subnormal=False),
                    min_size=cards[i],
                    max_size=cards[i],
                ),
                min_size=cols,
                max_size=cols,
            )
        )
        values = np.array(weights, dtype=float)
        values = (values / values.sum(axis=1, keepdims=True)).T
        model.add_cpds(
            TabularCPD(
                names[i],
                cards[i],
                values,
                evidence=[names[j] for j in parents[i]] or None,
                evidence_card=[cards[j] for j in parents[i]] or None,
                state_names={
                    names[k]: [f"s{m}" for m in range(cards[k])] for k in [i, *parents[i]]
                },
            )
        )
    model.check_model()
    return model


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(model=random_networks())
def test_round_trip_random_networks_every_format(
    tmp_path: Path, model: DiscreteBayesianNetwork
) -> None:
    import networkx as nx

    for fmt in WRITABLE:
        path = tmp_path / f"random{FORMATS[fmt][0]}"
        write_network(model, path)
        back = read_network(path).network
        if fmt == "uai":
            order = list(
                nx.lexicographical_topological_sort(
                    model, key=lambda n: list(model.nodes()).index(n)
                )
            )
            assert_same_tables(positional(model, order), back, exact=True)
        else:
            assert_same_tables(model, back, exact=True)


def test_labels_round_trip_where_the_format_has_them(tmp_path: Path) -> None:
    model = read_network(example("asia")).network
    labels = {"asia": "Visit to Asia", "xray": 'Röntgen "X-ray" result'}
    for fmt in ("xdsl", "dsl", "net", "dne"):
        path = tmp_path / f"asia{FORMATS[fmt][0]}"
        write_network(model, path, labels=labels)
        assert read_network(path).labels == labels, fmt


def test_writer_refuses_names_the_format_cannot_carry(tmp_path: Path) -> None:
    child = read_network(example("child")).network  # states like '<7.5', 'Transp.'
    for fmt in ("xdsl", "dsl", "dne"):
        with pytest.raises(FormatError, match=r"node '\w+': state '[^']+'"):
            write_network(child, tmp_path / f"child{FORMATS[fmt][0]}")
        assert not (tmp_path / f"child{FORMATS[fmt][0]}").exists()
    # BIF, XMLBIF, Hugin (quoted states) and UAI (no names) carry them
    for fmt in ("bif", "xmlbif", "net"):
        write_network(child, tmp_path / f"child{FORMATS[fmt][0]}")
        assert_same_tables(child, read_network(tmp_path / f"child{FORMATS[fmt][0]}").network)


def test_write_refuses_what_is_not_a_valid_network(tmp_path: Path) -> None:
    model = DiscreteBayesianNetwork([("a", "b")])
    with pytest.raises(FormatError, match="not valid"):
        write_network(model, tmp_path / "x.bif")
    with pytest.raises(FormatError, match="DiscreteBayesianNetwork"):
        write_network("not a network", tmp_path / "x.bif")  # type: ignore[arg-type]


# ---------------------------------------------------------------- pgmpy 1.1.2's failures


def test_uai_pgmpy_reader_fails_ours_reads(tmp_path: Path) -> None:
    from pgmpy.readwrite import UAIReader

    original = read_network(example("asia")).network
    path = tmp_path / "asia.uai"
    write_network(original, path)
    with pytest.raises(ValueError, match="not equal to 1"):
        UAIReader(str(path)).get_model().check_model()
    back = read_network(path)
    assert sorted(back.network.nodes()) == sorted(f"v{i}" for i in range(8))
    assert "v0" in back.notes[0]


def test_uai_pgmpy_writer_lays_tables_out_child_slowest(tmp_path: Path) -> None:
    """pgmpy's UAIWriter lists the child slowest, against the format: read by the
    specification its file of asia has tables whose columns do not sum to 1."""
    from pgmpy.readwrite import UAIWriter

    original = read_network(example("asia")).network
    UAIWriter(original).write(str(tmp_path / "pgmpy.uai"))
    with pytest.raises(FormatError, match=r"node 'v\d': function table: column .* sums to"):
        read_network(tmp_path / "pgmpy.uai")
    write_network(original, tmp_path / "ours.uai")
    read_network(tmp_path / "ours.uai")


def test_uai_file_with_comments_and_parent_order(tmp_path: Path) -> None:
    # P(c | a, b): the last variable of the scope (c) varies fastest, then b, a slowest
    text = """c a comment line (UAI 2016)
BAYES
3
2 3 2
3
1 0
1 1
3 0 1 2
2
0.25 0.75
3
0.2 0.3 0.5
12
0.1 0.9  0.2 0.8  0.3 0.7
0.4 0.6  0.5 0.5  0.6 0.4
"""
    (tmp_path / "x.uai").write_text(text)
    model = read_network(tmp_path / "x.uai").network
    cpd = model.get_cpds("v2")
    assert list(cpd.variables) == ["v2", "v0", "v1"]
    # column (a=s1, b=s0) is the 4th pair
    assert cpd.get_values()[0][3] == pytest.approx(0.4)
    assert cpd.get_values()[0][2] == pytest.approx(0.3)


def test_xmlbif_without_network_name(tmp_path: Path) -> None:
    from pgmpy.readwrite import XMLBIFReader

    text = """<?xml version="1.0"?>
<BIF VERSION="0.3"><NETWORK>
<VARIABLE TYPE="nature"><NAME>rain</NAME><OUTCOME> yes </OUTCOME><OUTCOME>no</OUTCOME>
<PROPERTY>position = (1, 2)</PROPERTY></VARIABLE>
<VARIABLE TYPE="nature"><NAME>wet</NAME><OUTCOME>yes</OUTCOME><OUTCOME>no</OUTCOME></VARIABLE>
<DEFINITION><FOR>rain</FOR><TABLE>0.2 0.8</TABLE></DEFINITION>
<DEFINITION><FOR>wet</FOR><GIVEN>rain</GIVEN><TABLE>0.9 0.1 0.1 0.9</TABLE></DEFINITION>
</NETWORK></BIF>
"""
    path = tmp_path / "rain.xml"
    path.write_text(text)
    with pytest.raises(AttributeError):
        XMLBIFReader(str(path))
    imp = read_network(path)
    assert imp.format == "xmlbif"
    post = ve_posteriors(imp.network, {"wet": "yes"})
    want = 0.2 * 0.9 / (0.2 * 0.9 + 0.8 * 0.1)
    assert post["rain"][0] == pytest.approx(want)
    assert imp.network.get_cpds("rain").state_names["rain"] == ["yes", "no"]


def test_xmlbif_pgmpy_writer_merges_state_names(tmp_path: Path) -> None:
    from pgmpy.readwrite import XMLBIFReader, XMLBIFWriter

    child = read_network(example("child")).network
    XMLBIFWriter(child).write(str(tmp_path / "pgmpy.xml"))
    with pytest.raises(ValueError, match="Repeated state names"):
        XMLBIFReader(str(tmp_path / "pgmpy.xml")).get_model()
    write_network(child, tmp_path / "ours.xml")
    assert_same_tables(child, read_network(tmp_path / "ours.xml").network)


def test_xdsl_pgmpy_writer_loses_small_numbers(tmp_path: Path) -> None:
    from pgmpy.readwrite import XDSLReader, XDSLWriter

    model = DiscreteBayesianNetwork()
    model.add_node("a")
    model.add_cpds(
        TabularCPD("a", 2, [[1.2345e-17], [1 - 1.2345e-17]], state_names={"a": ["yes", "no"]})
    )
    XDSLWriter(model).write(str(tmp_path / "pgmpy.xdsl"))
    lost = XDSLReader(str(tmp_path / "pgmpy.xdsl")).get_model().get_cpds("a")
    assert lost.get_values()[0][0] == 0
    write_network(model, tmp_path / "ours.xdsl")
    assert_same_tables(model, read_network(tmp_path / "ours.xdsl").network)


BIF_AB = """network N {
}
variable A { type discrete [ 2 ] { a1, a2 }; }
variable B { type discrete [ 2 ] { b1, b2 }; }
probability ( A ) { table 0.5, 0.5; }
probability ( B | A ) {
  (a1) 0.2, 0.8;
  (a2) 0.5, 0.5;
}
"""


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            "(a2) 0.5, 0.5;",
            "(a3) 0.5, 0.5;",
            r"row \(a3\): 'a3' is not a state of A \(its states: a1, a2\)",
        ),
        ("(a2) 0.5, 0.5;", "(a2) 0.5, 0.5, 0.1;", r"row \(a2\) has 3 numbers; B needs 2"),
        ("(a2) 0.5, 0.5;", "(a2) 0.5;", r"row \(a2\) has 1 number; B needs 2"),
        ("(a2) 0.5, 0.5;", "", r"has no row \(a2\) and no 'default' row"),
        ("(a2) 0.5, 0.5;", "(a2) 0.5, x;", r"row \(a2\): 'x' is not a number"),
        ("(a2) 0.5, 0.5;", "(a2, b1) 0.5, 0.5;", r"row \(a2, b1\) names 2 states for 1 parent"),
        ("(a2) 0.5, 0.5;", "(a1) 0.5, 0.5;", r"row \(a1\) is given twice"),
        ("table 0.5, 0.5;", "table 0.5;", r"table has 1 number; A needs 2"),
    ],
)
def test_malformed_bif_rows_name_node_and_row(
    tmp_path: Path, old: str, new: str, pattern: str
) -> None:
    """pgmpy 1.1.2 answers these with 'cannot convert float NaN to integer' or 'inhomogeneous
    shape' (or, for a missing row, a column of zeros), naming neither node nor row."""
    path = tmp_path / "bad.bif"
    path.write_text(BIF_AB.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad\.bif: node '[AB]': probability: " + pattern):
        read_network(path)


def test_bif_default_row_fills_the_missing_rows(tmp_path: Path) -> None:
    """BIF 0.15's 'default' entry: the rows not listed. pgmpy 1.1.2 cannot read it."""
    from pgmpy.readwrite import BIFReader

    text = BIF_AB.replace("(a2) 0.5, 0.5;", "default 0.3, 0.7;")
    with pytest.raises(ValueError, match="could not convert string to float"):
        BIFReader(string=text).get_model()
    path = tmp_path / "default.bif"
    path.write_text(text, encoding="utf-8")
    cpd = read_network(path).network.get_cpds("B")
    np.testing.assert_allclose(np.asarray(cpd.get_values()).T, [[0.2, 0.8], [0.3, 0.7]])


def test_bif_comments_are_removed_but_not_inside_strings(tmp_path: Path) -> None:
    text = BIF_AB.replace(
        "network N {\n}",
        'network N {\n  property source = "http://example.org/a//b"; // a comment\n}\n'
        "/* a block comment with ; and } */",
    ).replace("(a1) 0.2, 0.8;", "(a1) 0.2, 0.8; // (a2) 0.9, 0.1;")
    path = tmp_path / "comments.bif"
    path.write_text(text, encoding="utf-8")
    cpd = read_network(path).network.get_cpds("B")
    np.testing.assert_allclose(np.asarray(cpd.get_values()).T, [[0.2, 0.8], [0.5, 0.5]])
