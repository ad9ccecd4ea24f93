"""One-way sensitivity (cohesion_bn.sensitivity.oneway) against brute-force re-evaluation.

Every sensitivity function comes from one reverse sweep; here each is checked by setting
the parameter (with its co-variation, implemented independently below) in a copy of the
CPT and re-running inference: the engine's batched query on the shipped model, pgmpy's
variable elimination for a few entries, and enumeration of the full joint on random
small networks (hypothesis).
"""

from __future__ import annotations

import json
import string

import matplotlib
import numpy as np
import pytest
from conftest import random_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohesion_bn.errors import AnalysisError, ImpossibleEvidenceError, UnknownNodeError
from cohesion_bn.model import Model
from cohesion_bn.sensitivity import oneway
from cohesion_bn.sensitivity._target import compile_model, parse_target

matplotlib.use("Agg")

STALEMATE = {"war_outcome": "stalemate"}


# ------------------------------------------------------------------ independent helpers


def covary_ref(col: np.ndarray, j: int, x: float, scheme: str) -> np.ndarray:
    """Co-variation written out directly (bnmonitor's proportional/uniform/orderp_covar)."""
    col = np.asarray(col, dtype=float)
    n = col.size
    new = col.copy()
    if scheme == "uniform" or (scheme == "proportional" and col[j] == 1.0):
        new[:] = (1 - x) / (n - 1)
    elif scheme == "proportional":
        new = col * (1 - x) / (1 - col[j])
    else:
        order = np.argsort(col, kind="stable")
        rank = np.empty(n, int)
        rank[order] = np.arange(1, n + 1)
        s = rank[j]
        x_t = 1 / (1 + n - s)
        m_t = col[rank > s].sum()
        old = col[j]
        for i in range(n):
            if rank[i] < s:
                new[i] = col[i] / old * x if x <= old else col[i] / (x_t - old) * (x_t - x)
            elif rank[i] > s:
                new[i] = (-col[i] * (1 - m_t) / (m_t * old) * x + col[i] / m_t if x <= old
                          else (col[i] - x_t) / (x_t - old) * (x_t - x) + x_t)
    new[j] = x
    return new


def brute(model: Model, cpts: dict[str, np.ndarray], node: str, evidence: dict[str, str]
          ) -> np.ndarray:
    """Unnormalised P(node=s, e) for every s, by enumerating the joint."""
    letters = {n: string.ascii_letters[i] for i, n in enumerate(model.nodes)}
    subs, arrays = [], []
    for n in model.nodes:
        subs.append(letters[n] + "".join(letters[p] for p in model.parents(n)))
        arrays.append(cpts[n])
    for n, s in evidence.items():
        subs.append(letters[n])
        arrays.append(np.array([1.0 if x == s else 0.0 for x in model.states(n)]))
    return np.einsum(",".join(subs) + "->" + letters[node], *arrays)


def entry_index(model: Model, row: oneway.OneWayRow) -> tuple[int, tuple[int, ...]]:
    j = model.states(row.node).index(row.state)
    idx = tuple(model.states(p).index(s) for p, s in row.parents.items())
    return j, idx


def engine_curve(model: Model, row: oneway.OneWayRow, xs: np.ndarray, scheme: str,
                 target: str, state: int, evidence: dict[str, str]) -> np.ndarray:
    cn = compile_model(model)
    j, idx = entry_index(model, row)
    cpt = model.cpt(row.node)
    batch = np.repeat(cpt[None], len(xs), axis=0)
    for b, x in enumerate(xs):
        batch[(b, slice(None), *idx)] = covary_ref(cpt[(slice(None), *idx)], j, x, scheme)
    post = cn.query(target, evidence=evidence, params={row.node: batch}, on_impossible="nan")
    return post[target][:, state]


# ------------------------------------------------------------------ shipped model


@pytest.mark.parametrize("scheme", oneway.SCHEMES)
def test_functions_match_reevaluation_on_the_shipped_model(nato: Model, scheme: str) -> None:
    res = oneway.analyze(nato, "cohesion=strong", evidence=STALEMATE, scheme=scheme)
    expected = 723 if scheme != "order_preserving" else 723 - 241  # no largest entries
    assert len(res) == expected
    post = nato.query("cohesion", evidence=STALEMATE)["cohesion"]
    assert res.baseline == pytest.approx(post["strong"], abs=1e-12)
    rng = np.random.default_rng(1)
    rows = res.top(8) + list(rng.choice(np.array(res.rows, dtype=object), 40, replace=False))
    for row in rows:
        lo, hi = row.domain
        xs = np.unique(np.r_[np.linspace(lo, hi, 6), row.value])
        want = engine_curve(nato, row, xs, scheme, "cohesion", 0, STALEMATE)
        got = row.function(xs)
        ok = np.isfinite(want)
        np.testing.assert_allclose(got[ok], want[ok], atol=1e-9, rtol=0)


def test_against_pgmpy_for_a_few_entries(nato: Model) -> None:
    from pgmpy.inference import VariableElimination

    res = oneway.analyze(nato, "cohesion=weak", evidence=STALEMATE)
    for row in res.top(3):
        j, idx = entry_index(nato, row)
        net = nato.network.copy()
        cpd = net.get_cpds(row.node).copy()
        values = nato.cpt(row.node).copy()
        x = 0.5 * (row.value + 1.0)
        values[(slice(None), *idx)] = covary_ref(values[(slice(None), *idx)], j, x,
                                                 "proportional")
        cpd.values = values
        net.remove_cpds(row.node)
        net.add_cpds(cpd)
        q = VariableElimination(net).query(["cohesion"], evidence=STALEMATE, show_progress=False)
        assert float(row.function(x)) == pytest.approx(q.get_value(cohesion="weak"), abs=1e-9)


def test_sensitivity_value_and_vertex(nato: Model) -> None:
    res = oneway.analyze(nato, "cohesion=strong", evidence=STALEMATE)
    h = 1e-6
    for row in res.top(10):
        x0 = row.value
        lo, hi = max(row.domain[0], x0 - h), min(row.domain[1], x0 + h)
        fd = float(row.function(hi) - row.function(lo)) / (hi - lo)
        assert row.derivative == pytest.approx(fd, rel=1e-4, abs=1e-9)
    with_vertex = [r for r in res.rows if r.vertex is not None]
    assert with_vertex
    for row in with_vertex[:50]:
        a, b, c, d = row.coefficients
        xv = row.vertex
        assert xv is not None and row.asymptote is not None
        slope = (a * d - b * c) / (c * xv + d) ** 2
        assert abs(slope) == pytest.approx(1.0, rel=1e-6)
        assert row.asymptote == pytest.approx(-d / c)
        assert row.asymptote <= 1e-9 or row.asymptote >= 1 - 1e-9  # never inside (0, 1)


def test_admissible_deviation_brackets_the_change_of_most_likely_state(nato: Model) -> None:
    res = oneway.analyze(nato, "cohesion=strong", evidence=STALEMATE)
    assert res.most_likely == "weak"
    cn = compile_model(nato)
    bounded = [r for r in res.rows if r.admissible[0] is not None or r.admissible[1] is not None]
    assert bounded
    for row in bounded[:30]:
        j, idx = entry_index(nato, row)
        cpt = nato.cpt(row.node)
        lo, hi = row.admissible
        assert (lo is None or lo <= row.value) and (hi is None or hi >= row.value)
        probes = []
        for bound, sign in ((lo, -1), (hi, +1)):
            if bound is not None:
                probes += [(bound - sign * 1e-7, True), (bound + sign * 1e-7, False)]
        for x, same in probes:
            if not row.domain[0] <= x <= row.domain[1]:
                continue
            new = cpt.copy()
            new[(slice(None), *idx)] = covary_ref(cpt[(slice(None), *idx)], j, x,
                                                  "proportional")
            p = cn.query("cohesion", evidence=STALEMATE, params={row.node: new})["cohesion"][0]
            assert (int(np.argmax(p)) == 2) is same, (row, x, p)
    # unbounded: the mode survives the whole domain
    free = [r for r in res.rows if r.admissible == (None, None)][:20]
    for row in free:
        xs = np.linspace(*row.domain, 11)
        for s in range(3):
            curve = engine_curve(nato, row, xs, "proportional", "cohesion", s, STALEMATE)
            if s != 2:
                weak = engine_curve(nato, row, xs, "proportional", "cohesion", 2, STALEMATE)
                ok = np.isfinite(curve)
                assert np.all(curve[ok] <= weak[ok] + 1e-12)


def test_records_are_exactly_the_agreed_fields(nato: Model) -> None:
    res = oneway.analyze(nato, "cohesion=strong", evidence="war_outcome=ukraine_loses")
    recs = res.to_records()
    assert len(recs) == 723
    assert all(set(r) == {"node", "parents", "state", "value", "derivative", "coefficients",
                          "admissible_deviation"} for r in recs)
    json.dumps(recs, allow_nan=False)
    r = recs[-1]
    assert r["node"] == "cohesion" and set(r["parents"]) == {"threats", "institutions",
                                                             "norms", "leadership"}
    assert len(r["coefficients"]) == 4 and len(r["admissible_deviation"]) == 2
    df = res.to_df()
    assert len(df) == 723 and {"dev_down", "dev_up", "vertex"} <= set(df.columns)
    top = res.top(5)
    assert [abs(t.derivative) for t in top] == sorted((abs(t.derivative) for t in top),
                                                      reverse=True)
    assert res.find(top[0].node, top[0].state, top[0].parents) == top[0]


def test_ratio_target(nato: Model) -> None:
    res = oneway.analyze(nato, "cohesion=strong", evidence=STALEMATE,
                         denominator="norms=weakens")
    post = nato.query(["cohesion", "norms"], evidence=STALEMATE)
    assert res.baseline == pytest.approx(post["cohesion"]["strong"] / post["norms"]["weakens"])
    cn = compile_model(nato)
    for row in res.top(5):
        j, idx = entry_index(nato, row)
        cpt = nato.cpt(row.node)
        for x in (0.1, 0.6):
            new = cpt.copy()
            new[(slice(None), *idx)] = covary_ref(cpt[(slice(None), *idx)], j, x,
                                                  "proportional")
            q = cn.query(["cohesion", "norms"], evidence=STALEMATE, params={row.node: new})
            want = q["cohesion"][0, 0] / q["norms"][0, 2]
            assert float(row.function(x)) == pytest.approx(want, abs=1e-9)


def test_mistakes(nato: Model) -> None:
    with pytest.raises(AnalysisError, match="scheme"):
        oneway.analyze(nato, "cohesion=strong", scheme="linear")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="NODE=STATE"):
        oneway.analyze(nato, "cohesion")
    with pytest.raises(UnknownNodeError):
        oneway.analyze(nato, "cohesin=strong")
    with pytest.raises(AnalysisError):
        oneway.covary([0.2, 0.8], 1, 0.3, scheme="order_preserving")
    with pytest.raises(AnalysisError):
        oneway.covary([0.2, 0.3, 0.5], 0, 0.6, scheme="order_preserving")
    t = parse_target(nato, ("Cohesion", "STRONG"), evidence=["war_outcome=stalemate"])
    assert (t.node, t.state, dict(t.evidence)) == ("cohesion", "strong", STALEMATE)


def test_impossible_evidence() -> None:
    m = random_model(3, n_nodes=4, zero_prob=0.5)
    cn = compile_model(m)
    for node in m.nodes:
        for s in m.states(node):
            pe = cn.probability_of_evidence(evidence={node: s})[0]
            if pe == 0:
                tgt = m.nodes[0] if node != m.nodes[0] else m.nodes[1]
                with pytest.raises(ImpossibleEvidenceError):
                    oneway.analyze(m, f"{tgt}=s0", evidence={node: s})
                return
    pytest.skip("no impossible finding in this random model")


def test_plots(nato: Model) -> None:
    import matplotlib.pyplot as plt

    res = oneway.analyze_scenarios(nato, "cohesion=strong")
    assert list(res) == ["ukraine_wins", "ukraine_loses", "stalemate"]
    ax = oneway.plot_tornado(res["stalemate"], k=5)
    assert len(ax.patches) == 5
    axes = oneway.plot_tornado_scenarios(res, k=4, delta=0.1)
    assert len(axes) == 3
    plt.close("all")


# ------------------------------------------------------------------ random networks


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), scheme=st.sampled_from(oneway.SCHEMES),
       ratio=st.booleans())
def test_random_networks_against_enumeration(seed: int, scheme: str, ratio: bool) -> None:
    m = random_model(seed, n_nodes=5, max_parents=2)
    rng = np.random.default_rng(seed)
    tnode = m.nodes[int(rng.integers(len(m.nodes)))]
    enode = m.nodes[int(rng.integers(len(m.nodes)))]
    evidence = {} if enode == tnode else {enode: m.states(enode)[0]}
    dnode = m.nodes[int(rng.integers(len(m.nodes)))]
    dstate = m.states(dnode)[-1]
    same = (dnode, dstate) == (tnode, "s1")
    den = f"{dnode}={dstate}" if ratio and dnode not in evidence and not same else None
    res = oneway.analyze(m, f"{tnode}=s1", evidence=evidence, denominator=den,
                         scheme=scheme)  # type: ignore[arg-type]
    base = {n: m.cpt(n) for n in m.nodes}
    for row in res.rows:
        j, idx = entry_index(m, row)
        xs = np.linspace(row.domain[0], row.domain[1], 4)
        for x in xs:
            cpts = dict(base)
            new = base[row.node].copy()
            new[(slice(None), *idx)] = covary_ref(base[row.node][(slice(None), *idx)], j, x,
                                                  scheme)
            cpts[row.node] = new
            num = brute(m, cpts, tnode, evidence)
            d = num.sum() if den is None else brute(m, cpts, dnode, evidence)[-1]
            if d <= 1e-12:
                continue
            assert float(row.function(x)) == pytest.approx(num[1] / d, abs=1e-9, rel=1e-9)


# ------------------------------------------------------------------ two-way (twoway.py)


@pytest.mark.parametrize("scheme", ["proportional", "uniform"])
def test_twoway_bilinear_functions_match_reevaluation(nato: Model, scheme: str) -> None:
    from cohesion_bn.sensitivity import twoway

    res = twoway.analyze(nato, "cohesion=strong", evidence=STALEMATE, k=8,
                         scheme=scheme)  # type: ignore[arg-type]
    assert res.pairs
    inter = [abs(p.interaction) for p in res.pairs]
    assert inter == sorted(inter, reverse=True)
    cn = compile_model(nato)
    for pair in res.pairs[:6]:
        for x, y in ((0.1, 0.7), (0.9, 0.2), (pair.first.value, pair.second.value)):
            cpts: dict[str, np.ndarray] = {}
            for row, v in ((pair.first, x), (pair.second, y)):
                j, idx = entry_index(nato, row)
                cpt = cpts.get(row.node, nato.cpt(row.node)).copy()
                cpt[(slice(None), *idx)] = covary_ref(cpt[(slice(None), *idx)], j, v, scheme)
                cpts[row.node] = cpt
            q = cn.query("cohesion", evidence=STALEMATE, params=cpts)["cohesion"][0, 0]
            assert float(pair.function(x, y)) == pytest.approx(q, abs=1e-9)
        # the mixed derivative by central differences of the bilinear-fractional function
        x0, y0, h = pair.first.value, pair.second.value, 1e-4
        fd = (pair.function(x0 + h, y0 + h) - pair.function(x0 + h, y0 - h)
              - pair.function(x0 - h, y0 + h) + pair.function(x0 - h, y0 - h)) / (4 * h * h)
        assert pair.interaction == pytest.approx(float(fd), rel=1e-4, abs=1e-7)
    by_na = twoway.analyze(nato, "cohesion=strong", evidence=STALEMATE, k=6,
                           by="nonadditivity")
    na = [p.nonadditivity for p in by_na.pairs]
    assert na == sorted(na, reverse=True) and len(by_na.to_df()) == len(na)
    json.dumps(by_na.to_records(), allow_nan=False)
    with pytest.raises(AnalysisError):
        twoway.analyze(nato, "cohesion=strong", scheme="order_preserving")
