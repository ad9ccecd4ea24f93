"""cohesion-bn: discrete Bayesian networks of NATO alliance cohesion after the war in Ukraine.

The public API is :data:`__all__`; everything else is an implementation detail::

    import cohesion_bn as cb
    model = cb.load_model()                     # the shipped NATO cohesion model
    cb.compare_scenarios(model)                 # the paper's three scenarios
    model.query("cohesion", evidence={"war_outcome": "stalemate"})
"""

from __future__ import annotations

from .errors import (
    AnalysisError,
    CohesionBNError,
    ElicitationError,
    EvidenceError,
    FormatError,
    ImpossibleEvidenceError,
    ModelFileError,
    Problem,
    QueryError,
    QuestionnaireError,
    UnknownNodeError,
    UnknownStateError,
)
from .inference import (
    Explanation,
    Findings,
    Posterior,
    check_expectations,
    compare_scenarios,
    expected_effect,
    map_query,
    mpe,
    posterior,
    probability_of_evidence,
)
from .model import Model, from_pgmpy, load_model, shipped_model_path
from .plots import plot_network, plot_posterior, plot_scenarios
from .random import handle_seed
from .spec import ModelSpec, dump_spec, load_spec, parse_spec

__version__ = "0.1.0"

__all__ = [
    "AnalysisError",
    "CohesionBNError",
    "ElicitationError",
    "EvidenceError",
    "Explanation",
    "Findings",
    "FormatError",
    "ImpossibleEvidenceError",
    "Model",
    "ModelFileError",
    "ModelSpec",
    "Posterior",
    "Problem",
    "QueryError",
    "QuestionnaireError",
    "UnknownNodeError",
    "UnknownStateError",
    "__version__",
    "check_expectations",
    "compare_scenarios",
    "dump_spec",
    "expected_effect",
    "from_pgmpy",
    "handle_seed",
    "load_model",
    "load_spec",
    "map_query",
    "mpe",
    "parse_spec",
    "plot_network",
    "plot_posterior",
    "plot_scenarios",
    "posterior",
    "probability_of_evidence",
    "shipped_model_path",
]
