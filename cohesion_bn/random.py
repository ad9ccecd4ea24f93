"""The one place that turns a user's seed into a random generator."""

from __future__ import annotations

import numpy as np

__all__ = ["SeedLike", "handle_seed"]

SeedLike = int | np.random.Generator | np.random.SeedSequence | None


def handle_seed(seed: SeedLike = None) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed``.

    ``None`` gives a fresh, unpredictable generator; an int or a ``SeedSequence`` a
    reproducible one; a ``Generator`` is returned as it is (so a caller can share one
    stream across several analyses). Anything else is a ``TypeError``.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, int | np.random.SeedSequence):
        if isinstance(seed, bool):
            raise TypeError("seed must be None, an int or a numpy Generator, not a bool")
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be None, an int or a numpy Generator, not {type(seed).__name__}")
