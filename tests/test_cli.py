"""The command line: outputs checked against the API, mistakes give one clean message."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cohesion_bn as cb
from cohesion_bn.cli import main

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_query_json_matches_api(capsys):
    code, out, _ = run(capsys, "query", "--model", str(TINY), "--evidence", "wet=wet",
                       "--target", "rain", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["posteriors"]["rain"]["yes"] == pytest.approx(0.16038 / 0.44838, abs=1e-12)
    assert data["probability_of_evidence"] == pytest.approx(0.44838, abs=1e-12)


def test_query_soft_likelihood_do(capsys):
    m = cb.load_model(TINY)
    code, out, _ = run(capsys, "query", "--model", str(TINY), "--soft", "rain=0.5,0.5",
                       "--likelihood", "sprinkler=1,3", "--target", "wet", "--json")
    assert code == 0
    got = json.loads(out)["posteriors"]["wet"]
    want = m.query("wet", soft={"rain": [0.5, 0.5]}, likelihood={"sprinkler": [1, 3]})["wet"]
    assert got["wet"] == pytest.approx(want["wet"], abs=1e-12)
    code, out, _ = run(capsys, "query", "--model", str(TINY), "--do", "sprinkler=on", "--json")
    assert json.loads(out)["posteriors"]["rain"]["yes"] == pytest.approx(0.2)


def test_query_text_output(capsys):
    code, out, _ = run(capsys, "query", "--model", str(TINY), "-e", "rain=yes")
    assert code == 0
    assert "Given rain=yes" in out and "wet" in out and "0.8019" in out


def test_explain_mpe_and_map(capsys):
    code, out, _ = run(capsys, "explain", "--model", str(TINY), "--json")
    assert json.loads(out)["assignment"] == {"rain": "no", "sprinkler": "off", "wet": "dry"}
    code, out, _ = run(capsys, "explain", "--model", str(TINY), "-e", "wet=wet", "-n", "rain",
                       "--json")
    assert code == 0
    assert json.loads(out)["assignment"] == {"rain": "no"}


@pytest.mark.parametrize("argv, message", [
    (["query", "--evidence", "rain"], "write NODE=STATE"),
    (["query", "--evidence", "rian=yes"], "unknown node 'rian'"),
    (["query", "--evidence", "rain=maybe"], "no state 'maybe'"),
    (["query", "--soft", "rain=a,b"], "not a list of numbers"),
    (["query", "-e", "rain=no", "-e", "sprinkler=off", "-e", "wet=wet"], "probability 0"),
])
def test_user_mistakes_exit_2_with_one_message(capsys, argv, message):
    argv = [argv[0], "--model", str(TINY), *argv[1:]]
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out
    assert message in err
    assert "Traceback" not in err and err.startswith("cohesion-bn: error:")


def test_missing_model_file(capsys):
    code, _, err = run(capsys, "query", "--model", "/nonexistent/m.yaml")
    assert code == 2 and "no such file" in err


def test_validate(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", str(TINY))
    assert code == 0 and "valid (3 nodes" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("method: table", "method: tabel", 1))
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1 and "unknown CPT method 'tabel'" in out and "node 'rain'" in out


def test_describe_json_has_tables_and_provenance(capsys):
    code, out, _ = run(capsys, "describe", "--model", str(TINY), "--json")
    assert code == 0
    data = json.loads(out)
    wet = next(n for n in data["nodes"] if n["id"] == "wet")
    assert wet["cpt"]["provenance"]["method"] == "made up"
    col = next(c for c in wet["cpt"]["table"]
               if c["given"] == {"sprinkler": "off", "rain": "yes"})
    assert col["p"] == {"wet": 0.8, "dry": pytest.approx(0.2)}


def test_export_never_overwrites(capsys, tmp_path):
    out = tmp_path / "copy.yaml"
    out.write_text("mine")
    code, _, err = run(capsys, "export", "--model", str(TINY), "--to", str(out))
    assert code == 2 and "nothing was overwritten" in err
    assert out.read_text() == "mine"
    code, _, _ = run(capsys, "export", "--model", str(TINY), "--to", str(out), "--force")
    assert code == 0
    a, b = cb.load_model(TINY), cb.load_model(out)
    for n in a.nodes:
        np.testing.assert_array_equal(a.cpt(n), b.cpt(n))


def test_scenarios_on_tiny(capsys):
    code, out, _ = run(capsys, "scenarios", "--model", str(TINY), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["scenarios"]["rainy"]["wet"]["wet"] == pytest.approx(0.8019)
    assert data["expectations"][0]["ok"] is True


def test_plot_network_writes_png(capsys, tmp_path):
    out = tmp_path / "net.png"
    code, _, _ = run(capsys, "plot", "network", "--model", str(TINY), "--out", str(out))
    assert code == 0 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_network_beliefs_from_scenario_or_evidence(capsys, tmp_path):
    out = tmp_path / "beliefs.png"
    code, _, err = run(capsys, "plot", "network", "--scenario", "ukraine_loses",
                       "--do", "lead_alliance=weakens", "--out", str(out))
    assert code == 0 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run(capsys, "plot", "network", "--scenario", "ukraine_lose",
                       "--out", str(tmp_path / "x.png"))
    assert code == 2 and "did you mean 'ukraine_loses'" in err
    code, _, err = run(capsys, "plot", "scenarios", "--beliefs", "--out", str(tmp_path / "y.png"))
    assert code == 2 and "are for `plot network`" in err
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "y.png").exists()


def test_installed_entry_point():
    exe = shutil.which("cohesion-bn") or str(Path(sys.executable).parent / "cohesion-bn")
    res = subprocess.run([exe, "query", "--model", str(TINY), "-e", "rian=yes"],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "did you mean 'rain'" in res.stderr


def test_describe_json_shows_ranked_parameters_beside_their_table(capsys):
    """Anyone can recompute a ranked table from the parameters describe prints."""
    from cohesion_bn.cpt.ranked import ranked_table

    code, out, _ = run(capsys, "describe", "--json", "--node", "cohesion")
    assert code == 0
    (node,) = json.loads(out)["nodes"]
    cpt = node["cpt"]
    assert cpt["method"] == "ranked"
    params = cpt["parameters"]
    assert params["function"] == "wmean" and params["variance"] == 0.01
    parents = node["parents"]
    weights = [params["weights"][p] for p in parents]
    again = ranked_table([3] * len(parents), 3, function="wmean", variance=0.01,
                         weights=weights)
    for col in cpt["table"]:
        idx = tuple(["strengthens", "neutral", "weakens"].index(col["given"][p])
                    for p in parents)
        got = [col["p"][s] for s in node["states"]]
        np.testing.assert_allclose(got, again[(slice(None), *idx)], atol=1e-12)


def test_scenarios_csv_is_written_once(capsys, tmp_path):
    out = tmp_path / "scenarios.csv"
    code, _, _ = run(capsys, "scenarios", "--csv", str(out))
    assert code == 0
    import pandas as pd

    df = pd.read_csv(out)
    row = df[(df.scenario == "stalemate") & (df.node == "cohesion") & (df.state == "weak")]
    assert float(row.probability.iloc[0]) > 0.5
    code, _, err = run(capsys, "scenarios", "--csv", str(out))
    assert code == 2 and "nothing was overwritten" in err


def test_scenarios_json_and_targets_by_label(capsys):
    code, out, _ = run(capsys, "scenarios", "--json", "-t", "NATO cohesion")
    assert code == 0
    data = json.loads(out)["scenarios"]
    assert list(data) == ["ukraine_wins", "ukraine_loses", "stalemate"]
    assert max(data["stalemate"]["cohesion"], key=data["stalemate"]["cohesion"].get) == "weak"


@pytest.mark.parametrize("argv, message", [
    (["query", "-e", "war_outcome=stalemate", "-e", "war_outcome=ukraine_wins"], "twice"),
    (["plot", "network", "-o", "net.csv"], "cannot write a figure as 'csv'"),
    (["plot", "network", "--dpi", "0", "-o", "net.png"], "must be a positive number"),
    (["plot", "network", "-o", "nodir/net.png"], "does not exist"),
])
def test_more_mistakes_are_one_line(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out and message in err and "Traceback" not in err


def test_plot_scenarios_needs_scenarios(capsys, tmp_path):
    bif = tmp_path / "m.bif"
    assert main(["export", "--to", str(bif)]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "plot", "scenarios", "--model", str(bif), "-o",
                       str(tmp_path / "s.png"))
    assert code == 2 and "defines no scenarios" in err


def test_validate_reads_the_uncertainty_the_monte_carlo_will_read(capsys, tmp_path):
    """A typo in a CPT's uncertainty: validate names it (with the field meant) and fails,
    rather than the Monte Carlo failing later; a correct one passes."""
    text = TINY.read_text(encoding="utf-8")
    row = "        - {given: {rain: no}, p: {on: 0.4, off: 0.6}}\n"
    assert row in text
    bad = tmp_path / "typo.yaml"
    bad.write_text(text.replace(row, row + "      uncertainty: {concentraton: 5}\n"))
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    assert "unknown field 'concentraton' (did you mean 'concentration'?)" in out
    good = tmp_path / "good.yaml"
    good.write_text(text.replace(row, row + "      uncertainty: {concentration: 5}\n"))
    code, out, _ = run(capsys, "validate", str(good))
    assert code == 0 and "valid" in out
