"""The exceptions cohesion-bn raises for a user's mistake.

Everything a user can get wrong raises a subclass of :class:`CohesionBNError`, whose
message says what was wrong, where (file, node, field, state, cell) and what is allowed.
The CLI turns these into a one-line message and a non-zero exit; anything else is a bug.

::

    CohesionBNError
     ├── ModelFileError          a model file is unreadable or invalid (carries every Problem)
     ├── FormatError             a foreign network file (BIF, XDSL, NET, ...) cannot be read/written
     ├── QueryError              a question the model cannot answer as asked
     │    ├── UnknownNodeError       a node name that is not in the model
     │    ├── UnknownStateError      a state name that the node does not have
     │    ├── EvidenceError          malformed or contradictory evidence
     │    └── ImpossibleEvidenceError  evidence of probability zero
     ├── ElicitationError        questionnaires, the study store, pooling
     │    └── QuestionnaireError     a filled-in questionnaire with problems (carries them)
     └── AnalysisError           a sensitivity or uncertainty analysis asked wrongly
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AnalysisError",
    "CohesionBNError",
    "ElicitationError",
    "EvidenceError",
    "FormatError",
    "ImpossibleEvidenceError",
    "ModelFileError",
    "Problem",
    "QueryError",
    "QuestionnaireError",
    "UnknownNodeError",
    "UnknownStateError",
    "did_you_mean",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where it is and what is wrong (and what is allowed)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CohesionBNError(Exception):
    """Base class of every error cohesion-bn raises for a user's mistake."""


class _ProblemsError(CohesionBNError):
    """An error that carries several problems found at once."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{source}: {n} problem{'s' if n != 1 else ''}"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))


class ModelFileError(_ProblemsError):
    """A model file is unreadable or invalid; ``problems`` lists every problem found."""


class FormatError(CohesionBNError):
    """A network file in a foreign format cannot be read or written."""


class QueryError(CohesionBNError):
    """A query the model cannot answer as asked."""


class UnknownNodeError(QueryError):
    """A node name that the model does not have."""

    def __init__(self, name: str, valid: Iterable[str], *, context: str = "") -> None:
        valid = list(valid)
        self.name = name
        self.valid = valid
        where = f" ({context})" if context else ""
        super().__init__(
            f"unknown node {name!r}{where}{did_you_mean(name, valid)}; "
            f"the nodes are: {', '.join(valid)}"
        )


class UnknownStateError(QueryError):
    """A state name that the node does not have."""

    def __init__(self, node: str, state: str, valid: Iterable[str], *, context: str = "") -> None:
        valid = list(valid)
        self.node = node
        self.state = state
        self.valid = valid
        where = f" ({context})" if context else ""
        super().__init__(
            f"node {node!r} has no state {state!r}{where}{did_you_mean(state, valid)}; "
            f"its states are: {', '.join(valid)}"
        )


class EvidenceError(QueryError):
    """Evidence that is malformed or contradictory."""


class ImpossibleEvidenceError(QueryError):
    """Evidence whose probability under the model is zero: no posterior exists."""


class ElicitationError(CohesionBNError):
    """A problem with a questionnaire, a study store, or pooling experts' answers."""


class QuestionnaireError(ElicitationError, _ProblemsError):
    """A filled-in questionnaire with problems; ``problems`` names sheet, cell and reason."""


class AnalysisError(CohesionBNError):
    """A sensitivity or uncertainty analysis that cannot run as asked."""


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest valid name, or ``""``."""
    lowered = {v.lower(): v for v in valid}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""
