"""The public API is cohesion_bn.__all__: pinned here so a change to it is deliberate."""

import subprocess
import sys

import cohesion_bn

PUBLIC = {
    "AnalysisError", "CohesionBNError", "ElicitationError", "EvidenceError", "Explanation",
    "Findings", "FormatError", "ImpossibleEvidenceError", "Model", "ModelFileError", "ModelSpec",
    "Posterior", "Problem", "QueryError", "QuestionnaireError", "UnknownNodeError",
    "UnknownStateError", "__version__", "check_expectations", "compare_scenarios", "dump_spec",
    "expected_effect", "from_pgmpy", "handle_seed", "load_model", "load_spec", "map_query",
    "mpe", "parse_spec", "plot_network", "plot_posterior", "plot_scenarios", "posterior",
    "probability_of_evidence", "shipped_model_path",
}


def test_all_is_pinned():
    assert set(cohesion_bn.__all__) == PUBLIC
    for name in cohesion_bn.__all__:
        assert hasattr(cohesion_bn, name), name


def test_errors_share_one_base():
    for name in cohesion_bn.__all__:
        obj = getattr(cohesion_bn, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, cohesion_bn.CohesionBNError), name


def test_import_has_no_side_effects():
    """Importing sets up no logging handler and no matplotlib backend or style."""
    code = (
        "import logging, sys; import cohesion_bn; "
        "assert not logging.getLogger().handlers; "
        "assert 'matplotlib.pyplot' not in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_handle_seed():
    import numpy as np
    import pytest

    g = np.random.default_rng(1)
    assert cohesion_bn.handle_seed(g) is g
    a = cohesion_bn.handle_seed(5).random(3)
    b = cohesion_bn.handle_seed(5).random(3)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError):
        cohesion_bn.handle_seed("5")  # type: ignore[arg-type]
