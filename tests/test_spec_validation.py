"""Every validation error names the file, the node and the field, and says what is allowed."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

import cohesion_bn as cb
from cohesion_bn.errors import ModelFileError

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"


def _base() -> dict:
    with open(TINY, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=cb.spec._UniqueKeyLoader)  # same loader as the product


def _write(tmp_path: Path, data: dict | str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return p


def _problems(tmp_path: Path, data: dict | str) -> list[str]:
    with pytest.raises(ModelFileError) as info:
        cb.load_spec(_write(tmp_path, data))
    text = [str(p) for p in info.value.problems]
    assert all(str(tmp_path / "bad.yaml") in t for t in text), text
    return text


def _node(d: dict, nid: str) -> dict:
    return next(n for n in d["nodes"] if n["id"] == nid)


def test_tiny_is_valid():
    spec = cb.load_spec(TINY)
    assert [n.id for n in spec.nodes] == ["rain", "sprinkler", "wet"]
    assert spec.node("rain").states == ("yes", "no")  # YAML 1.1 would read booleans
    np.testing.assert_allclose(spec.cpt("wet")[:, 1, 0], [0.8, 0.2])  # sprinkler=off, rain=yes


def test_unknown_parent(tmp_path):
    d = _base()
    _node(d, "wet")["parents"] = ["sprinkler", "rian"]
    (msg,) = _problems(tmp_path, d)
    assert "node 'wet', parents" in msg and "'rian'" in msg and "did you mean 'rain'" in msg


def test_cycle(tmp_path):
    d = _base()
    _node(d, "rain")["parents"] = ["wet"]
    msgs = _problems(tmp_path, d)
    assert any("cycle" in m and "rain" in m and "wet" in m for m in msgs)


def test_duplicate_states(tmp_path):
    d = _base()
    _node(d, "rain")["states"] = ["yes", "yes"]
    msgs = _problems(tmp_path, d)
    assert any("node 'rain', states" in m and "duplicate state(s) yes" in m for m in msgs)


def test_missing_states(tmp_path):
    d = _base()
    del _node(d, "rain")["states"]
    msgs = _problems(tmp_path, d)
    assert any("node 'rain', states" in m and "at least two" in m for m in msgs)


def test_column_missing_is_wrong_shape(tmp_path):
    d = _base()
    _node(d, "wet")["cpt"]["table"].pop()
    (msg,) = _problems(tmp_path, d)
    assert "node 'wet', cpt.table" in msg
    assert "1 of 4 parent combinations have no column" in msg
    assert "sprinkler=off, rain=no" in msg


def test_column_with_wrong_number_of_states(tmp_path):
    d = _base()
    _node(d, "wet")["cpt"]["table"][3]["p"] = [0.5, 0.3, 0.2]
    (msg,) = _problems(tmp_path, d)
    assert "cpt.table[3] (sprinkler=off, rain=no).p" in msg
    assert "has 3 numbers" in msg and "2 states" in msg


def test_duplicate_column(tmp_path):
    d = _base()
    t = _node(d, "sprinkler")["cpt"]["table"]
    t[1]["given"] = {"rain": "yes"}
    msgs = _problems(tmp_path, d)
    assert any("cpt.table[1]" in m and "duplicate column" in m for m in msgs)


def test_column_not_summing_to_one(tmp_path):
    d = _base()
    _node(d, "sprinkler")["cpt"]["table"][0]["p"] = {"on": 0.5, "off": 0.6}
    (msg,) = _problems(tmp_path, d)
    assert "node 'sprinkler', cpt.table[0] (rain=yes).p" in msg and "sums to 1.1" in msg
    assert "tolerance 1e-06" in msg


def test_negative_and_non_numeric(tmp_path):
    d = _base()
    _node(d, "sprinkler")["cpt"]["table"][0]["p"] = {"on": -0.1, "off": 1.1}
    _node(d, "rain")["cpt"]["p"] = {"yes": "0.2", "no": 0.8}
    msgs = _problems(tmp_path, d)
    assert any("cpt.table[0] (rain=yes).p.on" in m and "outside [0, 1]" in m for m in msgs)
    assert any("node 'rain', cpt.p.yes" in m and "not a number" in m for m in msgs)


def test_unknown_cpt_method(tmp_path):
    d = _base()
    _node(d, "rain")["cpt"]["method"] = "tabel"
    (msg,) = _problems(tmp_path, d)
    assert "node 'rain', cpt.method" in msg and "unknown CPT method 'tabel'" in msg
    assert "allowed: " in msg and "table" in msg


def test_missing_provenance(tmp_path):
    d = _base()
    del _node(d, "rain")["cpt"]["provenance"]
    (msg,) = _problems(tmp_path, d)
    assert "node 'rain', cpt.provenance" in msg and "source, method, date" in msg


def test_scenario_evidence_unknown_node_and_state(tmp_path):
    d = _base()
    d["scenarios"][0]["evidence"] = {"rian": "yes", "wet": "soaked"}
    msgs = _problems(tmp_path, d)
    assert any("scenario 'rainy', evidence" in m and "unknown node 'rian'" in m for m in msgs)
    assert any("evidence.wet" in m and "'soaked' is not a state" in m and "wet, dry" in m
               for m in msgs)


def test_several_errors_reported_together(tmp_path):
    d = _base()
    _node(d, "rain")["cpt"]["method"] = "nope"
    _node(d, "sprinkler")["cpt"]["table"][0]["p"] = {"on": 0.5, "off": 0.6}
    d["scenarios"][0]["evidence"] = {"rain": "maybe"}
    msgs = _problems(tmp_path, d)
    assert len(msgs) == 3


def test_schema_version_required(tmp_path):
    d = _base()
    d["schema_version"] = 99
    (msg,) = _problems(tmp_path, d)
    assert "schema_version" in msg and "99 is not supported" in msg


def test_duplicate_yaml_key(tmp_path):
    text = TINY.read_text().replace("  - id: rain\n", "  - id: rain\n    id: rain2\n", 1)
    (msg,) = _problems(tmp_path, text)
    assert "duplicate key 'id'" in msg and "bad.yaml:" in msg


def test_invalid_yaml_gives_line(tmp_path):
    (msg,) = _problems(tmp_path, "schema_version: 1\nnodes: [\n  - id: x\n")
    assert "not valid YAML" in msg and "bad.yaml:" in msg


def test_python_tags_are_not_executed(tmp_path):
    (msg,) = _problems(tmp_path, "schema_version: !!python/object/apply:os.system ['echo hi']\n")
    assert "not valid YAML" in msg


def test_missing_file():
    with pytest.raises(ModelFileError, match="no such file"):
        cb.load_spec("/nonexistent/model.yaml")


def test_round_trip_through_dump(tmp_path):
    spec = cb.load_spec(TINY)
    out = cb.dump_spec(spec, tmp_path / "copy.yaml")
    again = cb.load_spec(out)
    for n in spec.nodes:
        np.testing.assert_array_equal(spec.cpt(n.id), again.cpt(n.id))
    assert again.node("rain").states == ("yes", "no")
    with pytest.raises(FileExistsError):
        cb.dump_spec(spec, out)


def test_parse_spec_does_not_mutate_input():
    d = _base()
    before = copy.deepcopy(d)
    cb.parse_spec(d)
    assert d == before


def test_every_problem_of_the_shipped_model_at_once(tmp_path):
    """Ten different mistakes in the shipped model are all reported by one load."""
    shipped = Path(__file__).resolve().parents[1] / "models" / "nato_cohesion.yaml"
    d = yaml.load(shipped.read_text(), Loader=cb.spec._UniqueKeyLoader)
    _node(d, "threat_mena")["id"] = "threat_russia"                       # duplicate id
    _node(d, "norms")["parents"] = ["norms_populism", "norms_turkey_uss"]  # unknown parent
    del _node(d, "cohesion")["cpt"]["provenance"]["date"]                # provenance
    _node(d, "threat_china")["parents"] = ["war_outcome", "threats"]      # a cycle
    _node(d, "inst_political")["cpt"]["table"][0]["p"]["neutral"] = 0.9  # sums to 1.1
    _node(d, "inst_military")["cpt"]["table"][1]["p"] = {                 # misspelled state
        "strengthens": 0.05, "neutrl": 0.15, "weakens": 0.8}
    _node(d, "institutions")["cpt"]["variance"] = -0.01                   # ranked variance
    _node(d, "leadership")["cpt"]["weights"] = {"lead_alliance": 1, "lead_nation": 1}
    d["scenarios"][0]["evidence"] = {"war_outcome": "ukraine_win"}        # scenario state
    d["scenarios"][1]["expect"]["effects"]["leadership"] = "++"           # sign
    msgs = _problems(tmp_path, d)
    text = "\n".join(msgs)
    for needle in ["duplicate node id", "unknown parent 'norms_turkey_uss'", "missing date",
                   "cycle", "sums to 1.1", "'neutrl' is not a state", "cpt.variance",
                   "lead_nation", "'ukraine_win' is not a state", "'++' is not a sign"]:
        assert needle in text, (needle, text)
