"""GeNIe (.xdsl, .dsl) and Netica (.dne) specifics: deterministic nodes, refusals, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_formats import brute_posteriors, ve_posteriors

from cohesion_bn.errors import FormatError
from cohesion_bn.formats import read_network

XDSL_DETERMINISTIC = """<?xml version="1.0" encoding="ISO-8859-1"?>
<smile version="1.0" id="Det" numsamples="1000">
  <nodes>
    <cpt id="A"><state id="a1"/><state id="a2"/><probabilities>0.3 0.7</probabilities></cpt>
    <cpt id="B"><state id="b1"/><state id="b2"/><state id="b3"/>
      <probabilities>0.2 0.3 0.5</probabilities></cpt>
    <deterministic id="C"><state id="lo"/><state id="hi"/><parents>A B</parents>
      <resultingstates>lo lo hi hi hi lo</resultingstates></deterministic>
  </nodes>
  <extensions><genie version="1.0" app="GeNIe" name="Det">
    <node id="A"><name>Äpfel</name></node>
    <submodel id="S"><node id="C"><name>Combined result</name></node></submodel>
  </genie></extensions>
</smile>
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_xdsl_deterministic_node_and_names_in_submodels(tmp_path: Path) -> None:
    imp = read_network(write(tmp_path, "det.xdsl", XDSL_DETERMINISTIC))
    assert imp.labels == {"A": "Äpfel", "C": "Combined result"}
    cpd = imp.network.get_cpds("C")
    # columns: (a1,b1) (a1,b2) (a1,b3) (a2,b1) (a2,b2) (a2,b3); B fastest
    np.testing.assert_array_equal(cpd.get_values()[1], [0, 0, 1, 1, 1, 0])
    p_hi = 0.3 * 0.5 + 0.7 * (0.2 + 0.3)
    assert ve_posteriors(imp.network)["C"][1] == pytest.approx(p_hi)
    assert brute_posteriors(imp.network)["C"][1] == pytest.approx(p_hi)


@pytest.mark.parametrize(
    ("element", "pattern"),
    [
        ('<decision id="D"><state id="x"/><state id="y"/></decision>', r"'D': <decision>"),
        ('<utility id="D"><utilities>1</utilities></utility>', r"'D': <utility>"),
        ('<equation id="D"><definition>D=1</definition></equation>', r"'D': <equation>"),
        (
            '<noisyadder id="D" function="single_fault"><state id="x"/><state id="y"/>'
            "<parents>A</parents><dstates>1</dstates><weights>1 1</weights>"
            "<parameters>0.9 0.1 0 1 0 1</parameters></noisyadder>",
            r"'D': <noisyadder>: is a GeNIe noisy-adder with the 'single fault' function",
        ),
        ('<cpt id="D"><state id="x"/><probabilities>1</probabilities></cpt>', r"'D': states"),
        (
            '<cpt id="D"><state id="x"/><state id="y"/><parents>Z</parents>'
            "<probabilities>1 0</probabilities></cpt>",
            r"'D': <parents>: parent 'Z'",
        ),
        (
            '<deterministic id="D"><state id="x"/><state id="y"/><parents>A</parents>'
            "<resultingstates>x z</resultingstates></deterministic>",
            r"'D': <resultingstates>: resulting state 'z'",
        ),
    ],
)
def test_xdsl_refusals_name_node_and_construct(tmp_path: Path, element: str, pattern: str) -> None:
    text = f"""<smile version="1.0" id="N"><nodes>
<cpt id="A"><state id="a1"/><state id="a2"/><probabilities>0.5 0.5</probabilities></cpt>
{element}
</nodes></smile>"""
    with pytest.raises(FormatError, match=pattern) as info:
        read_network(write(tmp_path, "bad.xdsl", text))
    assert "bad.xdsl" in str(info.value)


def test_xdsl_not_well_formed(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"bad\.xdsl: is not well-formed XML"):
        read_network(write(tmp_path, "bad.xdsl", "<smile><nodes>"))


DSL = """net Demo
{
 HEADER = { ID = Demo; NAME = "Demo"; };
 node A
  {
   TYPE = CPT;
   HEADER = { ID = A; NAME = "Alpha \\"quoted\\""; };
   PARENTS = ();
   DEFINITION = { NAMESTATES = (yes, no); PROBABILITIES = (0.25, 0.75); };
  };
 node B
  {
   TYPE = TRUTHTABLE;
   HEADER = { ID = B; NAME = "B"; };
   PARENTS = (A);
   DEFINITION = { NAMESTATES = (on, off); RESULTINGSTATES = (off, on); };
  };
};
"""


def test_dsl_truth_table_and_labels(tmp_path: Path) -> None:
    imp = read_network(write(tmp_path, "demo.dsl", DSL))
    assert imp.labels == {"A": 'Alpha "quoted"'}
    assert ve_posteriors(imp.network)["B"][0] == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("TYPE = TRUTHTABLE", "TYPE = LIST", r"node 'B': TYPE = LIST: is a decision node"),
        ("TYPE = TRUTHTABLE", "TYPE = NOISY_ADDER", r"node 'B': TYPE = NOISY_ADDER"),
        ("(0.25, 0.75)", "(0.25, 0.70)", r"node 'A': PROBABILITIES: the table sums to 0\.95"),
        ("(0.25, 0.75)", "(0.25, x)", r"node 'A': PROBABILITIES: 'x' is not a number"),
        ("PARENTS = (A)", "PARENTS = (Q)", r"node 'B': PARENTS: parent 'Q'"),
    ],
)
def test_dsl_errors(tmp_path: Path, old: str, new: str, pattern: str) -> None:
    with pytest.raises(FormatError, match=pattern):
        read_network(write(tmp_path, "demo.dsl", DSL.replace(old, new, 1)))


DNE = """// ~->[DNET-1]->~
bnet Demo {
autoupdate = TRUE;
node A {
    kind = NATURE;
    discrete = TRUE;
    chance = CHANCE;
    states = (yes, no);
    parents = ();
    probs =
        // yes   no
          (0.25, 0.75);
    title = "Alpha";
    };
node B {
    kind = NATURE;
    discrete = TRUE;
    chance = DETERMIN;
    states = (on, off);
    parents = (A);
    functable = (off, on);
    };
node T {
    kind = NATURE;
    discrete = FALSE;
    chance = CHANCE;
    levels = (0, 10, 20);
    parents = (A);
    probs = ((0.5, 0.5), /* a comment */ (0.1, 0.9));
    };
};
"""


def test_dne_functable_levels_and_title(tmp_path: Path) -> None:
    imp = read_network(write(tmp_path, "demo.dne", DNE))
    assert imp.labels == {"A": "Alpha"}
    post = ve_posteriors(imp.network)
    assert post["B"][0] == pytest.approx(0.75)
    assert imp.network.get_cpds("T").state_names["T"] == ["0_to_10", "10_to_20"]
    assert post["T"][0] == pytest.approx(0.25 * 0.5 + 0.75 * 0.1)


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            "kind = NATURE;\n    discrete = TRUE;\n    chance = DETERMIN",
            "kind = DECISION;\n    discrete = TRUE;\n    chance = DETERMIN",
            r"node 'B': kind = DECISION",
        ),
        ("functable = (off, on);", 'equation = "B (A) = on";', r"node 'B': equation"),
        ("functable = (off, on);", "", r"node 'B': probs: has no probs"),
        ("functable = (off, on);", "functable = (off, maybe);", r"node 'B': functable"),
        ("levels = (0, 10, 20);", "", r"node 'T': discrete = FALSE"),
        ("(0.25, 0.75)", "(0.25, 0.25)", r"node 'A': probs: the table sums to 0\.5"),
    ],
)
def test_dne_errors(tmp_path: Path, old: str, new: str, pattern: str) -> None:
    assert old in DNE
    with pytest.raises(FormatError, match=pattern):
        read_network(write(tmp_path, "demo.dne", DNE.replace(old, new, 1)))
