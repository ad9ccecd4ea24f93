"""pgmpy's bundled example networks (read from the installed package, never downloaded):
all marginals at once, without the joint, equal pgmpy's own VariableElimination."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pgmpy
import pytest
from pgmpy.inference import VariableElimination
from pgmpy.readwrite import BIFReader

import cohesion_bn as cb

EXAMPLES = Path(pgmpy.__file__).parent / "utils" / "example_models"


def bundled(name: str):
    path = EXAMPLES / f"{name}.bif.gz"
    if not path.exists():  # pragma: no cover - a pgmpy without its examples
        pytest.skip(f"pgmpy {pgmpy.__version__} does not bundle {name}.bif.gz")
    with gzip.open(path, "rt") as fh:
        return BIFReader(string=fh.read()).get_model()


@pytest.mark.parametrize("name", ["asia", "alarm", "insurance", "child", "hepar2"])
def test_all_marginals_equal_pgmpy(name):
    net = bundled(name)
    model = cb.from_pgmpy(net, source=f"pgmpy example {name}")
    # evidence on two leaves, if any
    leaves = [n for n in model.nodes if not model.children(n)][:2]
    evidence = {n: model.states(n)[0] for n in leaves}
    try:
        post = model.query(evidence=evidence)
    except cb.ImpossibleEvidenceError:
        evidence = {}
        post = model.query()
    ve = VariableElimination(net)
    for n in model.nodes:
        if n in evidence:
            continue
        f = ve.query([n], evidence=evidence or None, show_progress=False)
        want = np.array([f.values[f.state_names[n].index(s)] for s in model.states(n)])
        np.testing.assert_allclose(post[n].to_numpy(), want, atol=1e-9, err_msg=n)
    assert len(post.marginals) == len(model.nodes)
