"""The workshop web app, server side: tokens, 403s, escaping, validation, idempotent saves,
rounds, the facilitator's dashboard and export, concurrency over loopback, the CLI."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from cohesion_bn.app.server import BackgroundServer, Workshop, create_app
from cohesion_bn.app.state import state_path_for
from cohesion_bn.model import load_model

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "nato_cohesion.yaml"
N_EXPERTS = 10
Q = "threat_russia/p/war_outcome="


def write_study(folder: Path, n_experts: int = N_EXPERTS) -> Path:
    """A small study: experts E1..En asked about threat_russia and threats, one seed."""
    experts = "\n".join(f"  - {{id: E{i}, nodes: [threat_russia, threats]}}"
                        for i in range(1, n_experts + 1))
    text = f"""schema_version: 1
id: test-app
title: "Test study <b>bold</b>"
model: {MODEL.as_posix()}
round: 1
experts:
{experts}
seeds:
  - {{id: s1, text: "A made-up quantity?", realisation: 5, scale: log, unit: units}}
"""
    p = folder / "study.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture()
def ws(tmp_path: Path) -> Workshop:
    return Workshop.open(write_study(tmp_path), store=tmp_path / "store.sqlite")


@pytest.fixture()
def client(ws: Workshop) -> Any:
    app = create_app(ws)
    app.config["TESTING"] = True
    return app.test_client()


def etok(ws: Workshop, e: str = "E1") -> str:
    return ws.state.expert_token(e)


def ftok(ws: Workshop) -> str:
    return ws.state.facilitator_token


def dist_form(p: dict[str, dict[str, Any]], rationale: str = "", go: str = "stay"
              ) -> dict[str, str]:
    """Form fields for threat_russia's three columns, ``p[outcome][state]``."""
    form = {"go": go}
    for outcome, probs in p.items():
        for state, v in probs.items():
            form[f"{Q}{outcome}::{state}"] = str(v)
        form[f"{Q}{outcome}::rationale"] = rationale
    return form


GOOD = {"ukraine_wins": {"strengthens": 0.7, "neutral": 0.2, "weakens": 0.1},
        "ukraine_loses": {"strengthens": 0.1, "neutral": 0.3, "weakens": 0.6},
        "stalemate": {"strengthens": 0.2, "neutral": 0.5, "weakens": 0.3}}


def ranked_form(w: float = 5, function: str = "wmean", spread: str = "moderately"
                ) -> dict[str, str]:
    form = {f"threats/weight/{p}::value": str(w)
            for p in ("threat_russia", "threat_mena", "threat_china")}
    form["threats/function::value"] = function
    form["threats/spread::value"] = spread
    return form


# ------------------------------------------------------------------ tokens


def test_tokens_file_beside_the_store_and_kept_across_restarts(ws: Workshop,
                                                               tmp_path: Path) -> None:
    path = state_path_for(ws.store.path)
    assert path == tmp_path / "store.app.json" and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    tokens = [ftok(ws)] + [etok(ws, f"E{i}") for i in range(1, N_EXPERTS + 1)]
    assert len(set(tokens)) == len(tokens) and all(len(t) >= 40 for t in tokens)
    study_text = (tmp_path / "study.yaml").read_text()
    assert not any(t in study_text or t in MODEL.read_text() for t in tokens)
    again = Workshop.open(tmp_path / "study.yaml", store=tmp_path / "store.sqlite")
    assert again.state.facilitator_token == ftok(ws)
    assert again.state.expert_token("E3") == etok(ws, "E3")


@pytest.mark.parametrize("url", [
    "/", "/e/", "/f/", "/e/not-a-token/", "/e/not-a-token/node/threat_russia",
    "/e/not-a-token/summary", "/f/not-a-token/", "/f/not-a-token/live"])
def test_wrong_or_missing_token_is_403_with_no_data(client: Any, ws: Workshop,
                                                    url: str) -> None:
    client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD, "secret reason"))
    r = client.get(url)
    assert r.status_code == 403
    body = r.get_data(as_text=True)
    assert "secret reason" not in body and "E1" not in body and "Russia" not in body


def test_posts_with_a_wrong_token_are_403_and_store_nothing(client: Any, ws: Workshop
                                                            ) -> None:
    for url in ("/e/nope/node/threat_russia", "/e/nope/submit", "/f/nope/round",
                "/f/nope/export"):
        assert client.post(url, data=dist_form(GOOD) | {"action": "close"}).status_code == 403
    assert client.post("/e/nope/preview/threats", json={"weights": {}}).status_code == 403
    assert ws.store.history() == []
    assert ws.state.is_open


def test_an_expert_token_opens_no_facilitator_view(client: Any, ws: Workshop) -> None:
    for url in ("/", "live"):
        assert client.get(f"/f/{etok(ws)}/{url if url != '/' else ''}").status_code == 403
    assert client.post(f"/f/{etok(ws)}/round", data={"action": "close"}).status_code == 403
    assert client.post(f"/f/{etok(ws)}/export").status_code == 403
    assert client.get(f"/e/{ftok(ws)}/").status_code == 403  # and the reverse
    assert ws.state.is_open


def test_one_expert_never_sees_another_experts_answers(client: Any, ws: Workshop) -> None:
    odd = {**GOOD, "ukraine_wins": {"strengthens": 0.637, "neutral": 0.263, "weakens": 0.1}}
    r = client.post(f"/e/{etok(ws, 'E2')}/node/threat_russia",
                    data=dist_form(odd, "E2 reasoning xyzzy"))
    assert r.status_code == 303
    for url in ("", "node/threat_russia", "summary", "node/threats"):
        body = client.get(f"/e/{etok(ws, 'E1')}/{url}").get_data(as_text=True)
        assert "xyzzy" not in body and "0.637" not in body and "0.64" not in body
        assert "E2" not in body
    # there is no way to name another expert: the pseudonym comes from the token only
    assert client.get(f"/e/{etok(ws, 'E1')}/node/threat_mena").status_code == 404


def test_first_visit_says_what_is_stored_and_the_pseudonym(client: Any, ws: Workshop
                                                          ) -> None:
    body = client.get(f"/e/{etok(ws, 'E4')}/").get_data(as_text=True)
    assert "What is stored" in body and "only under the pseudonym E4" in body
    assert "Test study &lt;b&gt;bold&lt;/b&gt;" in body  # the study title is escaped too
    r = client.get(f"/e/{etok(ws, 'E4')}/node/threat_russia")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert load_model(MODEL).spec.node("threat_russia").description[:40] in page
    assert "fifty-fifty" in page  # the verbal-numerical scale
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["Cache-Control"] == "no-store"


# ------------------------------------------------------------------ saving and checking


def test_save_goes_to_the_store_and_is_idempotent(client: Any, ws: Workshop) -> None:
    url = f"/e/{etok(ws)}/node/threat_russia"
    r = client.post(url, data=dist_form(GOOD, "because"))
    assert r.status_code == 303 and "saved=3+new" in r.headers["Location"]
    assert len(ws.store.history()) == 3
    r = client.post(url, data=dist_form(GOOD, "because"))  # a retried request
    assert "saved=0+new,+0+revised,+3+unchanged" in r.headers["Location"]
    assert len(ws.store.history()) == 3
    changed = {**GOOD, "stalemate": {"strengthens": 0.1, "neutral": 0.6, "weakens": 0.3}}
    client.post(url, data=dist_form(changed, "because"))
    rows = ws.store.history(question=f"{Q}stalemate")
    assert [r.revision for r in rows] == [1, 2]
    assert rows[-1].answer.value == {"strengthens": 0.1, "neutral": 0.6, "weakens": 0.3}
    assert rows[-1].answer.round == 1 and rows[-1].answer.expert == "E1"
    assert rows[-1].answer.questionnaire_version == ws.study.version
    page = client.get(url).get_data(as_text=True)  # and the page shows the stored answer
    assert 'value="0.6"' in page


def test_saved_answers_survive_a_restart(client: Any, ws: Workshop, tmp_path: Path) -> None:
    client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD, "kept"))
    again = Workshop.open(tmp_path / "study.yaml", store=tmp_path / "store.sqlite")
    c2 = create_app(again).test_client()
    page = c2.get(f"/e/{etok(ws)}/node/threat_russia").get_data(as_text=True)
    assert 'value="0.7"' in page and "kept" in page


@pytest.mark.parametrize(("value", "message"), [
    ("abc", "is not a number"),
    ("1.5", "out of range"),
    ("-0.2", "out of range"),
    ("nan", "not a finite number"),
    ("0,7", "decimal point"),
])
def test_bad_probabilities_are_refused_at_the_field(client: Any, ws: Workshop, value: str,
                                                    message: str) -> None:
    bad = {**GOOD, "ukraine_wins": {**GOOD["ukraine_wins"], "strengthens": value}}
    r = client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(bad))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    field = f"{Q}ukraine_wins::strengthens"
    m = re.search(r'<p class="error field-error" data-field="([^"]+)">([^<]+)</p>', page)
    assert m is not None and m.group(1) == field and message in m.group(2)
    assert f'value="{value}"' in page  # what was typed is shown again
    stored = {a.question for a in ws.store.latest()}
    assert stored == {f"{Q}ukraine_loses", f"{Q}stalemate"}  # the good ones were saved


def test_a_distribution_must_sum_to_one_within_the_tolerance(client: Any, ws: Workshop
                                                             ) -> None:
    url = f"/e/{etok(ws)}/node/threat_russia"
    off = {"ukraine_wins": {"strengthens": 0.6, "neutral": 0.2, "weakens": 0.1}}
    r = client.post(url, data=dist_form(off))
    assert r.status_code == 422 and "sum to 0.9, not 1" in r.get_data(as_text=True)
    assert ws.store.history() == []
    near = {"ukraine_wins": {"strengthens": 0.705, "neutral": 0.2, "weakens": 0.1}}
    assert client.post(url, data=dist_form(near)).status_code == 303  # within 0.01
    incomplete = {"stalemate": {"strengthens": 0.5, "neutral": 0.5}}
    r = client.post(url, data=dist_form(incomplete))
    assert r.status_code == 422 and "incomplete distribution" in r.get_data(as_text=True)


def test_weights_words_and_seeds_are_checked(client: Any, ws: Workshop) -> None:
    url = f"/e/{etok(ws)}/node/threats"
    form = ranked_form(w=11, function="wmedian", spread="moderately")
    r = client.post(url, data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "weight 11 is out of range; give a number from 0 to 10" in page
    assert "&#39;wmedian&#39; is not one of" in page
    assert [a.question for a in ws.store.latest()] == ["threats/spread"]
    seed = f"/e/{etok(ws)}/node/seed"
    r = client.post(seed, data={"seed/s1::5%": "3", "seed/s1::50%": "2", "seed/s1::95%": "9"})
    assert r.status_code == 422 and "must increase strictly" in r.get_data(as_text=True)
    r = client.post(seed, data={"seed/s1::5%": "0", "seed/s1::50%": "2", "seed/s1::95%": "9"})
    assert r.status_code == 422 and "must be above 0" in r.get_data(as_text=True)
    r = client.post(seed, data={"seed/s1::5%": "1", "seed/s1::50%": "2", "seed/s1::95%": "9"})
    assert r.status_code == 303
    assert ws.store.latest(expert="E1")[0].value == [1.0, 2.0, 9.0]


def test_rationale_is_escaped_everywhere(client: Any, ws: Workshop) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD, evil))
    assert ws.store.latest()[0].rationale == evil  # stored as written
    for url in ("node/threat_russia", "summary"):
        page = client.get(f"/e/{etok(ws)}/{url}").get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    long = "x" * 2001
    r = client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD, long))
    assert r.status_code == 422 and "at most 2000 characters" in r.get_data(as_text=True)


def test_ranked_preview_calls_the_cpt_builder(client: Any, ws: Workshop) -> None:
    url = f"/e/{etok(ws)}/preview/threats"
    body = {"weights": {"threat_russia": 8, "threat_mena": 1, "threat_china": 1},
            "function": "wmean", "spread": "tightly"}
    data = client.post(url, json=body).get_json()
    assert data["error"] == "" and data["states"] == ["strengthens", "neutral", "weakens"]
    assert len(data["columns"]) == 9 or len(data["columns"]) == 3
    for col in data["columns"]:
        assert abs(sum(col["p"]) - 1) < 1e-3
    best = data["columns"][0]["p"]
    assert best[0] > 0.8  # all parents strengthen -> threats strengthen
    bad = client.post(url, json={**body, "function": "nonsense"}).get_json()
    assert bad["columns"] == [] and "nonsense" in bad["error"]
    assert client.post(url, data="not json").status_code == 400
    assert client.post(f"/e/{etok(ws)}/preview/threat_russia", json=body).status_code == 404


# ------------------------------------------------------------------ summary, rounds


def test_summary_and_submit(client: Any, ws: Workshop) -> None:
    client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD))
    page = client.get(f"/e/{etok(ws)}/summary").get_data(as_text=True)
    assert "still unanswered" in page and "strengthens 0.70" in page
    r = client.post(f"/e/{etok(ws)}/submit")
    assert r.status_code == 303 and ws.state.submitted() == ["E1"]
    assert "You have submitted round 1" in client.get(r.headers["Location"]).get_data(
        as_text=True)


def test_rounds_close_and_round_two_shows_the_anonymised_spread(client: Any, ws: Workshop
                                                                ) -> None:
    for e, p in (("E1", 0.7), ("E2", 0.5), ("E3", 0.3)):
        probs = {**GOOD, "ukraine_wins": {"strengthens": p, "neutral": 0.9 - p,
                                          "weakens": 0.1}}
        client.post(f"/e/{etok(ws, e)}/node/threat_russia", data=dist_form(probs))
    page = client.get(f"/e/{etok(ws)}/node/threat_russia").get_data(as_text=True)
    assert "round 0" not in page and 'class="prev-spread"' not in page  # round 1: no spread
    f = ftok(ws)
    assert client.post(f"/f/{f}/round", data={"action": "close"}).status_code == 303
    r = client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD))
    assert r.status_code == 409 and len(ws.store.history()) == 9
    client.post(f"/f/{f}/round", data={"action": "next"})
    assert ws.state.round == 2 and ws.state.is_open
    page = client.get(f"/e/{etok(ws)}/node/threat_russia").get_data(as_text=True)
    assert "0.30 · 0.50 · 0.70" in page  # min · median · max of round 1
    assert "E2" not in page and "E3" not in page
    assert "from round 1" in page and 'value="0.7"' in page  # own answer carried over
    client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD))
    assert {a.round for a in ws.store.latest(expert="E1")} == {2}


# ------------------------------------------------------------------ facilitator


def test_facilitator_sees_status_pool_disagreement_and_scenarios(client: Any, ws: Workshop
                                                                  ) -> None:
    f = ftok(ws)
    live = client.get(f"/f/{f}/live").get_data(as_text=True)
    assert "No answers in round 1 yet" in live
    for e, w in (("E1", 8), ("E2", 2)):
        client.post(f"/e/{etok(ws, e)}/node/threat_russia", data=dist_form(GOOD))
        client.post(f"/e/{etok(ws, e)}/node/threats", data=ranked_form(w=w))
    assert client.get(f"/f/{f}/").status_code == 200
    live = client.get(f"/f/{f}/live").get_data(as_text=True)
    assert 'data-expert="E1"' in live and ">3/3<" in live
    assert "Disagreement, most first" in live and "Effect on the scenario posteriors" in live
    assert 'data-node="threat_russia"' in live and 'data-node="threats"' in live
    assert "0.700" in live  # the pooled P(strengthens | ukraine_wins) of two equal answers


def test_facilitator_chooses_the_pool(client: Any, ws: Workshop) -> None:
    """P(strengthens | ukraine_wins): E1 0.7, E2 0.5. Linear, equal weights: 0.600. Log,
    equal weights: sqrt(.7 .5) / (sqrt(.7 .5) + sqrt(.2 .3) + sqrt(.1 .2)) = 0.605 (the
    others 0.250, 0.145). Cooke weights without seed answers: said on the page, no pool.
    The export writes the pool chosen."""
    f = ftok(ws)
    other = {**GOOD, "ukraine_wins": {"strengthens": 0.5, "neutral": 0.3, "weakens": 0.2}}
    client.post(f"/e/{etok(ws, 'E1')}/node/threat_russia", data=dist_form(GOOD))
    client.post(f"/e/{etok(ws, 'E2')}/node/threat_russia", data=dist_form(other))
    home = client.get(f"/f/{f}/?method=log&weights=equal").get_data(as_text=True)
    assert "Logarithmic pool, equal weights" in home
    assert 'value="log" selected' in home
    assert f"/f/{f}/live?method=log&amp;weights=equal" in home
    linear = client.get(f"/f/{f}/live").get_data(as_text=True)
    log = client.get(f"/f/{f}/live?method=log&weights=equal").get_data(as_text=True)
    assert "0.600" in linear and "0.605" not in linear
    assert "0.605" in log and "0.250" in log and "0.145" in log
    cooke = client.get(f"/f/{f}/live?weights=cooke").get_data(as_text=True)
    assert 'class="error"' in cooke and "seed" in cooke
    assert client.post(f"/f/{f}/export?weights=cooke").status_code == 409
    r = client.post(f"/f/{f}/export?method=log&weights=equal")
    assert r.status_code == 303 and "method=log" in r.headers["Location"]
    import yaml

    path = ws.store.path.parent / ws.state.exports[-1]
    node = next(n for n in yaml.safe_load(path.read_text())["nodes"]
                if n["id"] == "threat_russia")
    assert node["cpt"]["provenance"]["method"].startswith("logarithmic opinion pool")
    # anything else is the default pool
    assert "0.600" in client.get(f"/f/{f}/live?method=median").get_data(as_text=True)


def test_export_writes_a_new_pooled_model_each_time(client: Any, ws: Workshop) -> None:
    f = ftok(ws)
    assert client.post(f"/f/{f}/export").status_code == 409  # nothing pooled yet
    client.post(f"/e/{etok(ws)}/node/threat_russia", data=dist_form(GOOD))
    r1 = client.post(f"/f/{f}/export")
    r2 = client.post(f"/f/{f}/export")
    assert r1.status_code == r2.status_code == 303
    names = ws.state.exports
    assert len(names) == 2 and names[0] != names[1]
    path = ws.store.path.parent / names[0]
    load_model(path)  # a valid model file
    import yaml

    node = next(n for n in yaml.safe_load(path.read_text())["nodes"]
                if n["id"] == "threat_russia")
    assert node["cpt"]["provenance"]["experts"] == ["E1"]
    assert "test-app" in node["cpt"]["provenance"]["source"]
    got = client.get(f"/f/{f}/exports/{names[0]}")
    assert got.status_code == 200 and b"threat_russia" in got.data
    assert client.get(f"/f/{f}/exports/..%2Fstudy.yaml").status_code == 404
    assert client.get(f"/e/{etok(ws)}/exports/{names[0]}").status_code == 404


# ------------------------------------------------------------------ concurrency


def _post(url: str, form: dict[str, str]) -> int:
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(url, data=data, method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a: Any, **k: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_ten_experts_saving_at_once_over_loopback(ws: Workshop) -> None:
    experts = [f"E{i}" for i in range(1, N_EXPERTS + 1)]
    with BackgroundServer(create_app(ws), threads=N_EXPERTS) as srv:
        assert srv.url.startswith("http://127.0.0.1:")
        barrier = threading.Barrier(N_EXPERTS)
        codes: dict[str, list[int]] = {}

        def expert(e: str, changed: bool) -> None:
            url = f"{srv.url}/e/{ws.state.expert_token(e)}/node/threat_russia"
            p = 0.7 if not changed else 0.6
            form = dist_form({**GOOD, "ukraine_wins": {"strengthens": p, "neutral": 0.9 - p,
                                                       "weakens": 0.1}}, f"reason of {e}")
            barrier.wait(timeout=30)
            codes.setdefault(e, []).append(_post(url, form))
            codes[e].append(_post(url, form))  # the same request again: a retry

        for changed in (False, True):
            threads = [threading.Thread(target=expert, args=(e, changed)) for e in experts]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            assert not any(t.is_alive() for t in threads)
    assert all(c == [303, 303, 303, 303] for c in codes.values()), codes
    rows = ws.store.history()
    # per expert: 3 questions saved once, then one of them changed once (a revision)
    assert len(rows) == N_EXPERTS * 4
    keys = [(r.answer.expert, r.answer.question, r.revision) for r in rows]
    assert len(set(keys)) == len(keys)
    for e in experts:
        mine = [r for r in rows if r.answer.expert == e]
        assert sorted(r.revision for r in mine) == [1, 1, 1, 2]
        assert all(r.answer.rationale == f"reason of {e}" for r in mine)


# ------------------------------------------------------------------ the command


def test_serve_command_prints_the_links_and_serves(tmp_path: Path) -> None:
    study = write_study(tmp_path, n_experts=2)
    code = ("import argparse, sys\n"
            "from cohesion_bn._cli_serve import add_serve_parser\n"
            "p = argparse.ArgumentParser(); add_serve_parser(p.add_subparsers())\n"
            "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", str(study), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        text = "".join(lines)
        links = dict(re.findall(r"^\s+(facilitator|expert E\d+)\s+(\S+)$", text, re.M))
        assert set(links) == {"facilitator", "expert E1", "expert E2"}, text
        assert all(u.startswith("http://127.0.0.1:") for u in links.values())
        assert (tmp_path / "test-app.sqlite").exists()  # the CLI's default store
        with urllib.request.urlopen(links["expert E1"], timeout=10) as resp:
            assert resp.status == 200 and "E1" in resp.read().decode()
        state = json.loads((tmp_path / "test-app.app.json").read_text())
        assert links["facilitator"].endswith(f"/f/{state['facilitator']}/")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_links_use_a_reachable_address_under_host() -> None:
    from cohesion_bn._cli_serve import reachable_host

    assert reachable_host("192.168.1.20") == "192.168.1.20"
    assert reachable_host("127.0.0.1") == "127.0.0.1"
    assert reachable_host("0.0.0.0") not in ("0.0.0.0", "")
