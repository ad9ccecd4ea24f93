"""The README's two commands are true: `make run` prints the paper's scenarios, and
`make test` (this very run, under .ci/run) is what CI calls."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_readme_gives_exactly_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Two commands.*?```sh\n(.*?)```", text, re.S)
    assert block, "README has no 'Two commands' section"
    commands = [ln.split("#")[0].strip() for ln in block.group(1).splitlines() if ln.strip()]
    assert commands == ["make run", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert [ln for ln in ci.splitlines() if ln.strip() and not ln.startswith("#")][-1] == \
        "make test"


@pytest.mark.slow
def test_make_run_prints_the_scenarios():
    if shutil.which("make") is None:  # pragma: no cover
        pytest.skip("make is not installed")
    res = subprocess.run(["make", "-s", "run"], cwd=REPO, capture_output=True, text=True,
                         timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "15 of 15 expectations hold." in res.stdout
    assert re.search(r"cohesion\s+strong\s+0\.\d+", res.stdout)
