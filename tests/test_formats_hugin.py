"""Hugin .net files: what pgmpy 1.1.2's NETReader gets wrong, and our reader's errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pgmpy.readwrite import NETReader
from test_formats import brute_posteriors, ve_posteriors

from cohesion_bn.errors import FormatError
from cohesion_bn.formats import read_network

# As Hugin itself saves a network: `%` comments inside data, experience tables, a
# class wrapper-free `net` block with Hugin's own attributes, non-ASCII labels.
HUGIN_SAVED = """net
{
    node_size = (80 40);
    HR_Desc = "";
    HR_OOBN_CheckConsistency = "1";
}

node Rain
{
    label = "Pluie tombée";
    position = (100 100);
    states = ("yes" "no");
    HR_Group = "0";
}

discrete node Sprinkler
{
    label = "Arroseur";
    position = (200 100);
    states = ("on" "off");
}

node Wet
{
    label = "Herbe mouillée — ça glisse";
    position = (150 200);
    states = ("wet" "dry" "muddy");
}

potential (Rain)
{
    data = ( 0.2 0.8 );
    experience = 10;
}

potential (Sprinkler | Rain)
{
    data = (( 0.01 0.99 )    %  Rain=yes
        ( 0.4 0.6 ));    %  Rain=no
    experience = ( 5 7 );
}

potential (Wet | Sprinkler Rain)
{
    data = ((( 0.9 0.05 0.05 )    %  Sprinkler=on  Rain=yes
         ( 0.8 0.1 0.1 ))    %  Sprinkler=on  Rain=no
        (( 0.7 0.2 0.1 )    %  Sprinkler=off  Rain=yes
         ( 0.0 1.0 0.0 )));    %  Sprinkler=off  Rain=no
    experience = (( 1 2 ) ( 3 4 ));
}
"""


def write(tmp_path: Path, text: str, name: str = "net.net") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def expected_posteriors() -> dict[str, float]:
    # P(Rain=yes | Wet=wet) by hand from the tables above
    p_r = {"yes": 0.2, "no": 0.8}
    p_s = {"yes": {"on": 0.01, "off": 0.99}, "no": {"on": 0.4, "off": 0.6}}
    p_w = {("on", "yes"): 0.9, ("on", "no"): 0.8, ("off", "yes"): 0.7, ("off", "no"): 0.0}
    joint = {r: sum(p_r[r] * p_s[r][s] * p_w[(s, r)] for s in ("on", "off")) for r in p_r}
    return {"rain_yes_given_wet": joint["yes"] / (joint["yes"] + joint["no"])}


def test_pgmpy_fails_on_hugin_saved_file_ours_reads_it(tmp_path: Path) -> None:
    ascii_only = HUGIN_SAVED.replace("Pluie tombée", "Rain").replace(
        "Herbe mouillée — ça glisse", "Wet grass"
    )
    with pytest.raises(ValueError, match="reshape"):
        NETReader(path=str(write(tmp_path, ascii_only, "ascii.net"))).get_model()
    imp = read_network(write(tmp_path, HUGIN_SAVED))
    assert imp.format == "net"
    post = ve_posteriors(imp.network, {"Wet": "wet"})
    assert post["Rain"][0] == pytest.approx(expected_posteriors()["rain_yes_given_wet"])
    brute = brute_posteriors(imp.network, {"Wet": "wet"})
    np.testing.assert_allclose(post["Rain"], brute["Rain"], atol=1e-12)


def test_pgmpy_fails_on_non_ascii_names_ours_keeps_them(tmp_path: Path) -> None:
    text = """net { }
node A { label = "Ärger über Öl"; states = ("mouillé" "très sec"); }
potential (A) { data = (0.3 0.7); }
"""
    path = write(tmp_path, text)
    with pytest.raises(IndexError):
        NETReader(path=str(path)).get_model()
    imp = read_network(path)
    assert imp.labels == {"A": "Ärger über Öl"}
    cpd = imp.network.get_cpds("A")
    assert cpd.state_names["A"] == ["mouillé", "très sec"]
    assert cpd.get_values()[0][0] == pytest.approx(0.3)


def test_pgmpy_fails_on_a_label_that_says_node(tmp_path: Path) -> None:
    text = (
        'net { }\nnode A { label = "node A"; states = ("y" "n"); }\n'
        "potential (A) { data = (0.3 0.7); }\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(IndexError):
        NETReader(path=str(path)).get_model()
    assert read_network(path).labels == {"A": "node A"}


def test_hugin_labels_and_windows_encoding(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.net"
    path.write_bytes(HUGIN_SAVED.replace("—", "-").encode("cp1252"))
    imp = read_network(path)
    assert imp.labels["Rain"] == "Pluie tombée"
    assert imp.labels["Wet"] == "Herbe mouillée - ça glisse"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            'net{}\ncontinuous node X { states = ("a" "b"); }\n',
            r"node 'X': continuous node: .*continuous",
        ),
        (
            'net{}\ndecision node D { states = ("a" "b"); }\n',
            r"node 'D': decision node",
        ),
        (
            "net{}\nutility node U { }\n",
            r"node 'U': utility node",
        ),
        (
            'net{}\nnode A { states = ("a"); }\npotential (A) { data = (1); }\n',
            r"node 'A': states: has 1 state",
        ),
        (
            'net{}\nnode A { states = ("a" "b"); }\npotential (A) { data = (0.3 0.3); }\n',
            r"node 'A': potential: the table sums to 0\.6",
        ),
        (
            'net{}\nnode A { states = ("a" "b"); }\n',
            r"node 'A': potential: has no potential",
        ),
        (
            'net{}\nnode A { states = ("a" "b"); }\n'
            "potential (A | B) { data = (0.5 0.5 0.5 0.5); }\n",
            r"node 'A': parents: parent 'B' is not a node",
        ),
        (
            'net{}\nnode A { states = ("a" "b"); }\n'
            "potential (A) { model_nodes = (); model_data = (Distribution(1, 1)); }\n",
            r"node 'A': potential model_data",
        ),
        (
            'net{}\nnode A { states = ("a" "b"); }\npotential (A) { data = (0.5 x); }\n',
            r"node 'A': potential data: 'x' is not a number",
        ),
        (
            'net{}\nnode A { states = ("a" "b"); }\npotential (A) { data = (0.5 0.5 0.5); }\n',
            r"node 'A': potential: has 3 numbers",
        ),
        (
            'net{}\nnode A { states = ("a" "b"); }\nnode B { states = ("a" "b"); }\n'
            "potential (A | B) { data = ((1 0) (0 1)); }\n"
            "potential (B | A) { data = ((1 0) (0 1)); }\n",
            r"cycle",
        ),
        ('net{}\nnode A { states = ("a" "b"); }\npotential (A) { data = (', r"line 3"),
    ],
)
def test_hugin_errors_name_node_and_construct(tmp_path: Path, text: str, pattern: str) -> None:
    with pytest.raises(FormatError, match=pattern) as info:
        read_network(write(tmp_path, text))
    assert "net.net" in str(info.value)


def test_hugin_normalize_warns_per_column(tmp_path: Path) -> None:
    text = """net{}
node A { states = ("a" "b"); }
node B { states = ("x" "y"); }
potential (A) { data = (0.5 0.5); }
potential (B | A) { data = ((2 2) (0 0)); }
"""
    path = write(tmp_path, text)
    with pytest.raises(FormatError, match=r"node 'B': potential: column \(A=a\) sums to 4"):
        read_network(path)
    with pytest.warns(UserWarning) as record:
        imp = read_network(path, normalize=True)
    messages = [str(r.message) for r in record]
    assert any("column (A=a) summed to 4" in m for m in messages)
    assert any("column (A=b) summed to 0" in m and "uniform" in m for m in messages)
    np.testing.assert_allclose(imp.network.get_cpds("B").get_values(), [[0.5, 0.5], [0.5, 0.5]])


def test_hugin_class_wrapper_and_flat_data(tmp_path: Path) -> None:
    text = """class Net
{
    inputs = ();
    outputs = ();
    node A { states = ("a" "b"); }
    node B { states = ("x" "y"); }
    potential (A) { data = (0.25 0.75); }
    potential (B | A) { data = (0.1 0.9 0.6 0.4); }
}
"""
    model = read_network(write(tmp_path, text)).network
    assert model.get_cpds("B").get_values()[0].tolist() == [0.1, 0.6]
