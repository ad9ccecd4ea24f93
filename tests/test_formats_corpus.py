"""Real files written by GeNIe, Hugin, Netica, aGrUM, CaMML and RNetica (tests/data/networks,
sources in SOURCES.md), each read and queried against an independent computation (pyAgrum,
brute-force enumeration, or the beliefs Netica itself saved in the file)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from test_formats import brute_posteriors, ve_posteriors

from cohesion_bn.errors import FormatError
from cohesion_bn.formats import read_network

gum = pytest.importorskip("pyagrum")

DATA = Path(__file__).parent / "data" / "networks"

#: files pyAgrum reads the way the format's documentation says (see the UAI note below)
AGRUM_CHECKED = [
    "agrum_asia3.bif",
    "agrum_survey.bif",
    "agrum_bn_with_name.bifxml",
    "agrum_dog.bifxml",
    "agrum_insurance.bifxml",
    "genie_alarm.dsl",
    "genie_ling.dsl",
    "genie_dslreader_file2.dsl",
    "hugin_alarm.net",
    "hugin_netwriter_ro.net",
    "hugin_test2.net",
]

#: small enough to enumerate the joint
BRUTE_CHECKED = [
    "agrum_asia3.bif",
    "agrum_survey.bif",
    "agrum_dog.bifxml",
    "agrum_bn_with_name.bifxml",
    "genie_dslreader_file2.dsl",
    "genie_benefits.xdsl",
    "pgmpy_genie_asia_diagnosis.xdsl",
    "hugin_netwriter_ro.net",
    "agrum_asia.uai",
    "agrum_dog.uai",
    "netica_asia_camml_regression.dne",
    "camml_asia_learned.dne",
    "rnetica_mini_aced_pm.dne",
    "rnetica_langass_3.dne",
    "rnetica_geometric_pm.dne",
]

#: Netica files saved with the beliefs Netica computed (``belief = (...)``, no findings)
NETICA_BELIEFS = [
    "netica_asia_camml_regression.dne",
    "rnetica_mini_aced_pm.dne",
    "rnetica_langass_3.dne",
]


def agrum_posteriors(path: Path, labels: dict[str, str]) -> dict[str, dict[str, float]]:
    bn = gum.loadBN(str(path))
    ie = gum.LazyPropagation(bn)
    ie.makeInference()
    by_name = {v: k for k, v in labels.items()}  # pyAgrum names GeNIe nodes by display name
    out = {}
    for node in bn.nodes():
        var = bn.variable(node)
        post = ie.posterior(node).toarray()
        out[by_name.get(var.name(), var.name())] = {
            var.label(i): float(post[i]) for i in range(var.domainSize())
        }
    return out


@pytest.mark.parametrize("name", AGRUM_CHECKED)
def test_corpus_file_matches_pyagrum(name: str) -> None:
    imp = read_network(DATA / name)
    want = agrum_posteriors(DATA / name, imp.labels)
    got = ve_posteriors(imp.network)
    assert set(got) == set(want)
    for node, p in got.items():
        states = imp.network.get_cpds(node).state_names[node]
        # pyAgrum parses some formats' numbers in single precision: 1e-5 is that noise
        np.testing.assert_allclose(p, [want[node][s] for s in states], atol=1e-5, err_msg=node)


@pytest.mark.parametrize("name", BRUTE_CHECKED)
def test_corpus_file_matches_brute_force(name: str) -> None:
    model = read_network(DATA / name).network
    first = next(iter(model.nodes()))
    last = list(model.nodes())[-1]
    evidence = {last: model.get_cpds(last).state_names[last][0]}
    for ev in ({}, evidence):
        want = brute_posteriors(model, ev)
        got = ve_posteriors(model, ev)
        for node, p in got.items():
            np.testing.assert_allclose(p, want[node], atol=1e-10, err_msg=f"{name} {node}")
    assert first in model.nodes()


def test_netica_asia_known_values() -> None:
    """Netica 1.06b's asia (Lauritzen & Spiegelhalter 1988): the textbook marginals."""
    imp = read_network(DATA / "netica_asia_camml_regression.dne")
    assert imp.labels["VisitAsia"] == "Visit To Asia"
    post = ve_posteriors(imp.network)
    assert post["Tuberculosis"][0] == pytest.approx(0.0104, abs=1e-4)
    assert post["Cancer"][0] == pytest.approx(0.055, abs=1e-4)
    assert post["XRay"][0] == pytest.approx(0.11029, abs=1e-4)


def netica_beliefs(path: Path) -> dict[str, list[float]]:
    """The ``belief = (...)`` vectors Netica saved with each node (its own inference),
    read with a regular expression, independently of our parser."""
    import re

    text = path.read_bytes().decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    assert not re.search(r"\b(evidence|finding|likelihood)\s*=", text)  # marginals, no findings
    out = {}
    for m in re.finditer(r"(?m)^node\s+(\w+)\s*\{(.*?)^\t\};", text, re.S):
        belief = re.search(r"\bbelief\s*=\s*\(([^)]*)\)", m.group(2))
        if belief:
            out[m.group(1)] = [float(x) for x in belief.group(1).split(",")]
    return out


@pytest.mark.parametrize("name", NETICA_BELIEFS)
def test_netica_file_matches_the_beliefs_netica_saved(name: str) -> None:
    """Netica writes each node's current beliefs into the .dne (7 significant digits): our
    marginals, from our parse of the tables, must equal what Netica itself computed."""
    beliefs = netica_beliefs(DATA / name)
    imp = read_network(DATA / name)
    assert set(beliefs) == set(imp.network.nodes())
    post = ve_posteriors(imp.network)
    for node, want in beliefs.items():
        np.testing.assert_allclose(post[node], want, atol=1e-6, err_msg=f"{name} {node}")


def test_netica_classic_mac_file_with_cr_line_ends() -> None:
    """GeometricPM.dne (Netica, 2006) ends its lines with a lone CR, so a '//' comment
    seen as running to the next LF swallowed the whole file. By hand from its numbers:
    P(SolveGeometricProblems=High) = 0.2 * 0.52 + 0.5 * 0.096 + 0.3 * 0.004 = 0.1532."""
    path = DATA / "rnetica_geometric_pm.dne"
    assert b"\n" not in path.read_bytes()
    imp = read_network(path)
    assert len(imp.network.nodes()) == 13
    post = ve_posteriors(imp.network)
    assert post["SolveGeometricProblems"][0] == pytest.approx(0.1532, abs=1e-12)
    cpd = imp.network.get_cpds("AlgebraRuleGeometric")
    # the column sums to 0.99999999 as printed; within tolerance, it is rescaled to 1
    np.testing.assert_allclose(cpd.get_values()[:, 2], [0.000104, 0.006073, 0.99382299], rtol=1e-7)


def test_uai_asia_by_position_matches_the_bif_asia() -> None:
    """aGrUM's asia.uai, read by position, has asia's marginals (either = OR)."""
    post = brute_posteriors(read_network(DATA / "agrum_asia.uai").network)
    firsts = sorted(round(float(p[0]), 4) for p in post.values())
    assert firsts == sorted([0.01, 0.5, 0.45, 0.055, 0.0104, 0.0648, 0.1103, 0.436])


def test_genie_xdsl_keeps_ids_and_display_names() -> None:
    imp = read_network(DATA / "genie_benefits.xdsl")
    assert "Business_planning" in imp.network.nodes()
    assert imp.labels  # GeNIe's <name> for nodes whose name differs from the id
    assert all(node in imp.network.nodes() for node in imp.labels)


def test_genie_xdsl_parent_order_by_hand() -> None:
    """Maintenance | Org_arrangements, IT_management: GeNIe lists the last parent fastest.
    By hand from the file's numbers, P(Maintenance=LOW) = 0.66950 (pyAgrum 3.3.1's XDSL
    reader takes the first parent fastest and gets 0.66131; its DSL reader agrees with us)."""
    post = ve_posteriors(read_network(DATA / "genie_benefits.xdsl").network)
    bp = {"L": 0.554, "H": 0.446}
    org = {"L": (0.691, 0.309), "H": (0.426, 0.574)}
    it = {"L": (0.737, 0.263), "H": (0.44, 0.56)}
    m = {(0, 0): 0.862, (0, 1): 0.546, (1, 0): 0.804, (1, 1): 0.261}
    want = sum(bp[b] * org[b][o] * it[b][i] * m[(o, i)] for b in bp for o in (0, 1) for i in (0, 1))
    assert post["Maintenance"][0] == pytest.approx(want, abs=1e-12)
    assert want == pytest.approx(0.66950, abs=1e-5)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("genie_pinball_influence_diagram.xdsl", r"node '\w+': <decision>: is a decision node"),
        ("agrum_mikailo_influence_diagram.bifxml", r"node 're': VARIABLE TYPE: .*decision"),
        ("agrum_markov_example.uai", r"UAI MARKOV network"),
        ("agrum_carpo.bif", r"node 'N117': probability: has no probability block"),
        ("genie_carpo.dsl", r"node 'N117': PROBABILITIES: the table sums to 0"),
        ("hugin_test1.net", r"node 'C4': potential: the table sums to 100"),
        ("agrum_bnuaireader_file3.uai", r"node 'v5': function table: column \(v4=s0, v1=s0\)"),
    ],
)
def test_corpus_files_that_cannot_be_read_as_they_are(name: str, pattern: str) -> None:
    with pytest.raises(FormatError, match=pattern) as info:
        read_network(DATA / name)
    assert name in str(info.value)


def test_hugin_unnormalised_tables_load_with_normalize() -> None:
    """Hugin normalises each column itself; with normalize=True we do too, and warn.
    (pyAgrum instead multiplies the raw numbers into the joint, so it is no judge here.)"""
    path = DATA / "hugin_test1.net"
    with pytest.warns(UserWarning) as record:
        imp = read_network(path, normalize=True)
    assert any("node 'C4'" in str(r.message) for r in record)
    np.testing.assert_allclose(imp.network.get_cpds("C4").get_values().ravel(), [0.1, 0.9])
    want = brute_posteriors(imp.network)
    for node, p in ve_posteriors(imp.network).items():
        np.testing.assert_allclose(p, want[node], atol=1e-12, err_msg=node)


def test_all_zero_table_made_uniform_with_normalize() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        imp = read_network(DATA / "genie_carpo.dsl", normalize=True)
    assert any("N117" in str(r.message) and "uniform" in str(r.message) for r in record)
    np.testing.assert_allclose(imp.network.get_cpds("N117").get_values().ravel(), [0.5, 0.5])


@pytest.mark.parametrize(
    ("name", "reader", "error"),
    [
        ("hugin_test2.net", "NETReader", ValueError),
        ("hugin_netwriter_ro.net", "NETReader", ValueError),
        ("agrum_insurance.bifxml", "XMLBIFReader", AttributeError),
        ("agrum_dog.uai", "UAIReader", ValueError),
    ],
)
def test_pgmpy_readers_fail_on_real_files_ours_do_not(
    name: str, reader: str, error: type[Exception]
) -> None:
    import pgmpy.readwrite as rw

    with pytest.raises(error):
        model = getattr(rw, reader)(path=str(DATA / name)).get_model()
        model.check_model()
    read_network(DATA / name).network.check_model()


@pytest.mark.parametrize(
    ("name", "reader", "error"),
    [
        ("hugin_test1.net", "NETReader", ValueError),
    ],
)
def test_pgmpy_fails_on_hugin_saved_file_ours_reads_with_normalize(
    name: str, reader: str, error: type[Exception]
) -> None:
    import pgmpy.readwrite as rw

    with pytest.raises(error):
        model = getattr(rw, reader)(path=str(DATA / name)).get_model()
        model.check_model()
    with pytest.warns(UserWarning, match="rescaled"):
        read_network(DATA / name, normalize=True).network.check_model()


def agrum_from_xdsl(path: Path) -> object:
    """A second path for .xdsl: the file parsed here with ElementTree (GeNIe's documented
    order, the last parent fastest) and each table row set in pyAgrum by a dictionary of
    parent states, so neither our reader nor pyAgrum's XDSL reader is involved."""
    import itertools
    import xml.etree.ElementTree as ET

    root = ET.fromstring(path.read_bytes())
    bn = gum.BayesNet(path.stem)
    rows = {}
    for elem in root.find("nodes"):  # type: ignore[union-attr]
        nid = elem.get("id")
        states = [s.get("id") for s in elem.findall("state")]
        bn.add(gum.LabelizedVariable(nid, nid, states))
        parents = (elem.findtext("parents") or "").split()
        probs = [float(x) for x in elem.findtext("probabilities").split()]
        rows[nid] = (states, parents, probs)
    for nid, (_, parents, _) in rows.items():
        for p in parents:
            bn.addArc(p, nid)
    for nid, (states, parents, probs) in rows.items():
        configs = itertools.product(*(rows[p][0] for p in parents))
        for i, config in enumerate(configs):
            row = probs[i * len(states) : (i + 1) * len(states)]
            if parents:
                bn.cpt(nid)[dict(zip(parents, config, strict=True))] = row
            else:
                bn.cpt(nid).fillWith(row)
    return bn


@pytest.mark.parametrize(
    "name", ["genie_benefits.xdsl", "pgmpy_genie_alarm.xdsl", "pgmpy_genie_asia_diagnosis.xdsl"]
)
def test_genie_xdsl_matches_a_second_parse_in_pyagrum(name: str) -> None:
    """GeNIe-written .xdsl files (GeNIe Academic; GeNIe 5.0, CRLF line ends): our reader's
    marginals, with and without a finding, equal pyAgrum's exact inference on the tables
    parsed a second way."""
    imp = read_network(DATA / name)
    bn = agrum_from_xdsl(DATA / name)
    last = list(imp.network.nodes())[-1]
    finding = {last: imp.network.get_cpds(last).state_names[last][-1]}
    for evidence in ({}, finding):
        ie = gum.LazyPropagation(bn)
        ie.setEvidence(evidence)
        ie.makeInference()
        got = ve_posteriors(imp.network, evidence)
        assert set(got) == {bn.variable(n).name() for n in bn.nodes()} - set(evidence)
        for node, p in got.items():
            want = ie.posterior(node).toarray()
            np.testing.assert_allclose(p, want, atol=1e-12, err_msg=f"{name} {node} {evidence}")


def test_genie_asia_diagnosis_known_marginals() -> None:
    """GeNIe 5.0's Asia (diagnostic extensions, CRLF, <genie> node ids that do not match
    the model's ids, so no display names). Its tables are the textbook's except 'either',
    which this copy makes an AND (only tub=yes, lung=yes gives CancerORTuberculosis), so by
    hand: P(tub) = 0.0104, P(lung) = 0.055, P(bronc) = 0.45 as in the textbook, P(either)
    = 0.0104 * 0.055 = 0.000572 and P(xray=Abnormal) = 0.98 * 0.000572 + 0.05 * 0.999428."""
    imp = read_network(DATA / "pgmpy_genie_asia_diagnosis.xdsl")
    assert imp.labels == {}
    post = ve_posteriors(imp.network)
    assert post["tub"][1] == pytest.approx(0.0104, abs=1e-12)
    assert post["lung"][1] == pytest.approx(0.055, abs=1e-12)
    assert post["bronc"][1] == pytest.approx(0.45, abs=1e-12)
    assert post["either"][1] == pytest.approx(0.000572, abs=1e-12)
    assert post["xray"][1] == pytest.approx(0.98 * 0.000572 + 0.05 * 0.999428, abs=1e-12)
