"""The command-line scripts in scripts/: they write what the public API computes.

Each script runs in a subprocess on the shipped model with small N into ``tmp_path``; the
numbers in its CSV files are checked against the API called directly with the same options
and seed, and the no-overwrite rule is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cohesion_bn as cb
from cohesion_bn.sensitivity import findings, oneway, sobol, uncertainty

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPTS / script), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def model() -> cb.Model:
    return cb.load_model()


@pytest.fixture(scope="module")
def sens_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sens") / "report"
    proc = run("sensitivity_report.py", "--out", str(out), "--target", "cohesion=weak",
               "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def unc_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("unc") / "report"
    proc = run("uncertainty_report.py", "--out", str(out), "--target", "cohesion=weak",
               "--seed", "7", "--n", "60", "--sobol-n", "8", "--scenario", "stalemate",
               "--scenario", "ukraine_loses")
    assert proc.returncode == 0, proc.stderr
    return out


def test_sensitivity_report_writes_every_file(sens_out: Path) -> None:
    for name in ("oneway.csv", "tornado.png", "findings.csv", "findings.png", "run.json"):
        assert (sens_out / name).stat().st_size > 0, name
    assert (sens_out / "tornado.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_oneway_csv_matches_the_api(sens_out: Path, model: cb.Model) -> None:
    table = pd.read_csv(sens_out / "oneway.csv", keep_default_na=True)
    assert list(dict.fromkeys(table["scenario"])) == [s.id for s in model.spec.scenarios]
    for sid, res in oneway.analyze_scenarios(model, "cohesion=weak").items():
        got = table[table["scenario"] == sid].reset_index(drop=True)
        want = res.to_df()
        assert len(got) == len(want)
        assert list(got["node"]) == list(want["node"])
        assert list(got["state"]) == list(want["state"])
        for col in ("value", "derivative", "a", "b", "c", "d", "admissible_lo",
                    "admissible_hi", "dev_down", "dev_up"):
            np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float),
                                       rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=col)
        assert np.allclose(got["baseline"], res.baseline)
        assert set(got["most_likely"]) == {res.most_likely}
    # the headline number: P(cohesion=weak | stalemate) and its most likely state
    stale = table[table["scenario"] == "stalemate"]
    assert stale["baseline"].iloc[0] == pytest.approx(
        model.query("cohesion", evidence={"war_outcome": "stalemate"})["cohesion"]["weak"],
        abs=1e-9)
    assert stale["most_likely"].iloc[0] == "weak"


def test_findings_csv_matches_the_api(sens_out: Path, model: cb.Model) -> None:
    got = pd.read_csv(sens_out / "findings.csv")
    want = findings.analyze(model, "cohesion=weak").to_df()
    assert list(got["scenario"]) == list(want["scenario"])
    assert list(got["node"]) == list(want["node"])
    assert list(got["rank"]) == list(want["rank"])
    for col in ("mutual_info", "variance_reduction", "percent_entropy", "percent_variance"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9, atol=1e-15, err_msg=col)


def test_uncertainty_report_matches_the_api(unc_out: Path, model: cb.Model) -> None:
    scen = ["stalemate", "ukraine_loses"]
    mc = uncertainty.analyze(model, "cohesion=weak", n=60, scenarios=scen, seed=7,
                             progress=False)
    got = pd.read_csv(unc_out / "mc_target.csv", index_col="scenario")
    want = mc.target_summary()
    assert list(got.index) == scen
    for col in ("point", "mean", "sd", "q5", "q50", "q95", "prob_mode_change"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9, atol=1e-15, err_msg=col)
    summary = pd.read_csv(unc_out / "mc_summary.csv")
    np.testing.assert_allclose(summary["mean"], mc.to_df()["mean"], rtol=1e-9, atol=1e-15)
    run_info = json.loads((unc_out / "run.json").read_text())
    assert run_info["ess"] == mc.ess == 20.0  # the shipped model carries no uncertainty
    assert run_info["prob_ranking_change"] == pytest.approx(mc.prob_ranking_change)

    si = sobol.analyze(model, "cohesion=weak", n=8, scenarios=scen, seed=7)
    got_s = pd.read_csv(unc_out / "sobol.csv")
    want_s = si.to_df()
    assert list(got_s["group"]) == list(want_s["group"])
    for col in ("S1", "S1_conf", "ST", "ST_conf", "S1_half", "ST_half"):
        np.testing.assert_allclose(got_s[col], want_s[col], rtol=1e-9, atol=1e-12,
                                   err_msg=col)
    conv = pd.read_csv(unc_out / "sobol_convergence.csv", index_col="scenario")
    for sid in scen:
        assert conv.loc[sid, "max_change"] == pytest.approx(si.max_change[sid])
        assert (unc_out / f"sobol_{sid}.png").stat().st_size > 0
    assert (unc_out / "mc_violin.png").stat().st_size > 0


def test_scripts_never_overwrite_without_force(sens_out: Path, tmp_path: Path) -> None:
    before = (sens_out / "oneway.csv").stat().st_mtime_ns
    proc = run("sensitivity_report.py", "--out", str(sens_out))
    assert proc.returncode == 2
    assert "already exist" in proc.stderr and "--force" in proc.stderr
    assert (sens_out / "oneway.csv").stat().st_mtime_ns == before

    out = tmp_path / "unc"
    out.mkdir()
    (out / "sobol.csv").write_text("mine\n")
    proc = run("uncertainty_report.py", "--out", str(out), "--n", "10", "--sobol-n", "4",
               "--scenario", "stalemate")
    assert proc.returncode == 2
    assert (out / "sobol.csv").read_text() == "mine\n"
    assert sorted(p.name for p in out.iterdir()) == ["sobol.csv"]  # nothing else written
    proc = run("uncertainty_report.py", "--out", str(out), "--n", "10", "--sobol-n", "4",
               "--scenario", "stalemate", "--force")
    assert proc.returncode == 0, proc.stderr
    assert (out / "sobol.csv").read_text() != "mine\n"


def test_scripts_report_mistakes_in_one_line(tmp_path: Path) -> None:
    proc = run("sensitivity_report.py", "--out", str(tmp_path / "x"), "--target",
               "cohesion=nonsense")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ")
    assert not (tmp_path / "x").exists()
