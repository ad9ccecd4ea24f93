"""Shared test helpers: random networks and brute-force enumeration of the joint.

The brute-force joint is the independent computation every query is checked against: it
multiplies every CPT into one array over all nodes (so only for small networks).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cohesion_bn.model import Model
from cohesion_bn.spec import parse_spec

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
PROV = {"source": "tests", "method": "random numbers for a test", "date": "2026-11-25"}


def random_spec(rng: np.random.Generator, *, n_nodes: int = 5, max_parents: int = 3,
                zero_prob: float = 0.0) -> dict[str, Any]:
    """A random model mapping: nodes N0..Nk, 2-3 states each, parents among earlier nodes."""
    nodes = []
    cards = []
    for i in range(n_nodes):
        card = int(rng.integers(2, 4))
        cards.append(card)
        k = int(rng.integers(0, min(i, max_parents) + 1))
        parents = sorted(rng.choice(i, size=k, replace=False).tolist()) if k else []
        pcards = [cards[p] for p in parents]
        arr = rng.dirichlet(np.ones(card), size=int(np.prod(pcards, dtype=int))).T
        if zero_prob:
            mask = rng.random(arr.shape) < zero_prob
            arr = np.where(mask, 0.0, arr)
            arr[0, arr.sum(0) == 0] = 1.0
            arr = arr / arr.sum(0)
        arr = arr.reshape(card, *pcards)
        states = [f"s{j}" for j in range(card)]
        table = []
        for combo in np.ndindex(*pcards):
            given = {f"N{p}": f"s{c}" for p, c in zip(parents, combo, strict=True)}
            col = arr[(slice(None), *combo)]
            table.append({"given": given, "p": [float(x) for x in col]})
        nodes.append({"id": f"N{i}", "states": states, "parents": [f"N{p}" for p in parents],
                      "cpt": {"method": "table", "table": table, "provenance": PROV}})
    return {"schema_version": 1, "model": {"id": "random"}, "nodes": nodes}


def random_model(seed: int, **kwargs: Any) -> Model:
    return Model(parse_spec(random_spec(np.random.default_rng(seed), **kwargs)))


def joint(model: Model, *, do: dict[str, str] | None = None) -> np.ndarray:
    """The full joint P(all nodes), axes in ``model.nodes`` order (mutilated by ``do``)."""
    do = do or {}
    letters = {n: string.ascii_letters[i] for i, n in enumerate(model.nodes)}
    subs, arrays = [], []
    for n in model.nodes:
        if n in do:
            onehot = np.array([1.0 if s == do[n] else 0.0 for s in model.states(n)])
            subs.append(letters[n])
            arrays.append(onehot)
            continue
        subs.append(letters[n] + "".join(letters[p] for p in model.parents(n)))
        arrays.append(model.cpt(n))
    out = "".join(letters[n] for n in model.nodes)
    return np.einsum(",".join(subs) + "->" + out, *arrays)


def condition(model: Model, j: np.ndarray, evidence: dict[str, str]) -> np.ndarray:
    """The joint with every state inconsistent with ``evidence`` zeroed (unnormalised)."""
    j = j.copy()
    for node, state in evidence.items():
        axis = model.nodes.index(node)
        mask = np.array([s == state for s in model.states(node)], dtype=float)
        shape = [1] * j.ndim
        shape[axis] = -1
        j = j * mask.reshape(shape)
    return j


def weigh(model: Model, j: np.ndarray, node: str, weights: np.ndarray) -> np.ndarray:
    axis = model.nodes.index(node)
    shape = [1] * j.ndim
    shape[axis] = -1
    return j * np.asarray(weights).reshape(shape)


def marginal(model: Model, j: np.ndarray, node: str) -> np.ndarray:
    axis = model.nodes.index(node)
    m = j.sum(axis=tuple(a for a in range(j.ndim) if a != axis))
    return m / m.sum()


@pytest.fixture(scope="session")
def nato() -> Model:
    from cohesion_bn.model import load_model

    return load_model(REPO / "models" / "nato_cohesion.yaml")


@pytest.fixture()
def tiny_path() -> Path:
    return DATA / "tiny.yaml"
