"""The demo study end to end through the CLI: template, import, status, Cooke weights,
disagreement, pool, and the pooled model file queried again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cohesion_bn as cb
from cohesion_bn.cli import main

REPO = Path(__file__).resolve().parents[1]
STUDY = REPO / "examples" / "demo_study" / "study.yaml"
ANSWERS = sorted((REPO / "examples" / "demo_study" / "answers").glob("E*.xlsx"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_study_end_to_end(capsys, tmp_path):
    store = str(tmp_path / "answers.sqlite")
    code, out, _ = run(capsys, "elicit", "template", str(STUDY), "--out", str(tmp_path / "q"),
                       "--store", store)
    assert code == 0 and len(list((tmp_path / "q").glob("*.xlsx"))) == 4

    code, out, _ = run(capsys, "elicit", "import", str(STUDY), *map(str, ANSWERS),
                       "--store", store)
    assert code == 0  # E4 left two questions blank: imported and flagged, not a failure
    assert "2 unanswered (kept as missing, not filled in)" in out
    assert "E1, 80 answers (80 new" in out
    assert "E4, 78 answers (78 new" in out
    assert "Node inst_nato_eu!C21:C23: no answer" in out

    # importing again adds nothing: the store is idempotent
    code, out, _ = run(capsys, "elicit", "import", str(STUDY), str(ANSWERS[0]), "--store", store)
    assert "(0 new, 0 revised, 80 unchanged)" in out

    code, out, _ = run(capsys, "elicit", "status", str(STUDY), "--store", store, "--json")
    rows = json.loads(out)
    e4 = {r["node"]: r for r in rows if r["expert"] == "E4"}
    assert e4["inst_nato_eu"]["answered"] == e4["inst_nato_eu"]["total"] - 1

    code, out, _ = run(capsys, "elicit", "cooke", str(STUDY), "--store", store, "--json")
    cooke = json.loads(out)
    weights = {e["id"]: e["weight"] for e in cooke["experts"]}
    assert sum(weights.values()) == pytest.approx(1.0)

    code, out, _ = run(capsys, "elicit", "disagreement", str(STUDY), "--store", store, "--json")
    ranking = [r["node"] for r in json.loads(out)]
    assert set(ranking[:3]) >= {"lead_national", "norms_turkey_us"}

    pooled = tmp_path / "pooled.yaml"
    code, out, _ = run(capsys, "elicit", "pool", str(STUDY), "--store", store, "--out",
                       str(pooled), "--weights", "cooke")
    assert code == 0 and pooled.exists()
    model = cb.load_model(pooled)
    prov = model.spec.node("cohesion").cpt.provenance
    assert "demo-nato-cohesion" in prov.source and "sha-256" in prov.notes.lower()
    assert model.spec.node("cohesion").cpt.uncertainty is not None
    # the pooled model answers queries, and the input was not touched
    post = model.query("cohesion", evidence={"war_outcome": "ukraine_wins"})
    assert post.most_likely("cohesion") == "strong"
    code, _, err = run(capsys, "elicit", "pool", str(STUDY), "--store", store, "--out",
                       str(pooled))
    assert code == 2 and "exists" in err


def test_elicit_cooke_matches_anduryl_on_shared_study(capsys):
    shared = REPO.parent / "shared" / "data" / "cooke"
    expected = json.loads((shared / "Arkansas.anduryl.json").read_text())
    code, out, _ = run(capsys, "elicit", "cooke", str(shared / "Arkansas.dtt"), "--json")
    assert code == 0
    got = json.loads(out)
    assert got["alpha"] == pytest.approx(expected["alpha_optimised"], abs=1e-6)
    for i, e in enumerate(got["experts"]):
        assert e["id"] == expected["experts"][i]
        assert e["calibration"] == pytest.approx(expected["calibration"][i], abs=1e-6)
        assert e["weight"] == pytest.approx(expected["normalised_weights"][i], abs=1e-6)
    assert got["decision_maker"]["calibration"] == pytest.approx(
        expected["decision_maker"]["calibration"], abs=1e-6)


def test_read_only_commands_do_not_create_a_store(capsys, tmp_path):
    store = tmp_path / "s.sqlite"
    for cmd in (["pool", "--out", str(tmp_path / "p.yaml")], ["status"], ["disagreement"]):
        code, _, err = run(capsys, "elicit", cmd[0], str(STUDY), "--store", str(store), *cmd[1:])
        assert code == 2 and "no answers yet" in err and "elicit import" in err
    assert not store.exists()


def test_pool_names_the_rounds_there_are(capsys, tmp_path):
    store = str(tmp_path / "s.sqlite")
    run(capsys, "elicit", "import", str(STUDY), str(ANSWERS[0]), "--store", store)
    code, _, err = run(capsys, "elicit", "pool", str(STUDY), "--store", store, "--round", "2",
                       "--out", str(tmp_path / "p.yaml"))
    assert code == 2 and "no answers for round 2" in err and "round(s) 1" in err


def test_export_and_forget_one_expert(capsys, tmp_path):
    store = str(tmp_path / "s.sqlite")
    run(capsys, "elicit", "import", str(STUDY), *map(str, ANSWERS[:2]), "--store", store)
    out = tmp_path / "e1.json"
    code, _, _ = run(capsys, "elicit", "export", str(STUDY), "--store", store, "--expert", "E1",
                     "--to", str(out))
    assert code == 0
    data = json.loads(out.read_text())
    rows = data["answers"] if isinstance(data, dict) else data
    assert rows and {r["expert"] for r in rows} == {"E1"}
    code, out_text, _ = run(capsys, "elicit", "forget", str(STUDY), "E1", "--store", store,
                            "--reason", "withdrew consent")
    assert code == 0 and "deleted 80 answer rows of expert E1" in out_text
    code, out_text, _ = run(capsys, "elicit", "status", str(STUDY), "--store", store, "--json")
    assert {r["expert"] for r in json.loads(out_text) if r["answered"]} == {"E2"}


def test_template_checks_every_expert_first(capsys, tmp_path):
    code, _, err = run(capsys, "elicit", "template", str(STUDY), "--expert", "E2", "--expert",
                       "E9", "--out", str(tmp_path))
    assert code == 2 and "--expert E9" in err and "nothing written" in err
    assert not list(tmp_path.iterdir())
