"""The workshop web app end to end in headless Chromium (Debian's ``chromium`` package,
driven by Playwright pointed at the system browser; nothing is downloaded).

Where no Chromium can be had these tests skip with the reason, except under ``CI=true``,
where they fail. ``COHESION_BN_SCREENSHOTS=DIR`` also writes the README's screenshots
(``app_expert.png``, ``app_facilitator.png``) into DIR, from the demo study.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app import GOOD, Q, write_study

from cohesion_bn.app.server import BackgroundServer, Workshop, create_app

REPO = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    exe = _chromium()
    if exe is None:
        _unavailable("no Chromium: install Debian's chromium package (make setup-test)")
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=exe, args=ARGS, headless=True)
        except Exception as exc:  # the browser would not start
            _unavailable(f"Chromium at {exe} did not start: {exc}")
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[Workshop, str]]:
    ws = Workshop.open(write_study(tmp_path, n_experts=3), store=tmp_path / "store.sqlite")
    with BackgroundServer(create_app(ws), threads=8) as srv:
        yield ws, srv.url


def test_expert_answers_reloads_submits_and_facilitator_sees_it_pooled(
        browser: Any, served: tuple[Workshop, str]) -> None:
    ws, url = served
    page = browser.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # the invitation link: what is stored, the pseudonym, then the first node
    page.goto(f"{url}/e/{ws.state.expert_token('E1')}/")
    assert "only under the pseudonym E1" in page.inner_text("#privacy")
    page.click("#start")
    assert page.inner_text("#node-title") == "Russia"

    # a wrong number is refused with a message at its field; the live sum helps
    inputs = page.locator("fieldset.distribution").first.locator("input.prob")
    inputs.nth(0).fill("0.5")
    inputs.nth(1).fill("0.2")
    inputs.nth(2).fill("0.1")
    assert "must be 1" in page.locator("td.sum").first.inner_text()
    page.locator("button.normalise").first.click()
    assert "✓" in page.locator("td.sum").first.inner_text()
    inputs.nth(0).fill("abc")
    page.click("#save")
    err = page.locator(f'p.field-error[data-field="{Q}ukraine_wins::strengthens"]')
    assert "is not a number" in err.inner_text()

    # answer the node (a rationale with markup, which must not run), save, reload
    for j, probs in enumerate(GOOD.values()):
        fs = page.locator("fieldset.distribution").nth(j)
        for k, v in enumerate(probs.values()):
            fs.locator("input.prob").nth(k).fill(str(v))
        fs.locator("textarea").fill('<img src=x onerror="alert(1)"> because')
    page.click("#save")
    assert "3 new" in page.inner_text("#saved")
    page.reload()
    first = page.locator("fieldset.distribution").first
    assert first.locator("input.prob").nth(0).input_value() == "0.7"
    assert "because" in first.locator("textarea").input_value()
    assert dialogs == []

    # a ranked node: the live preview of the CPT the weights imply
    page.goto(f"{url}/e/{ws.state.expert_token('E1')}/node/threats")
    for w in page.locator("input.weight").all():
        w.fill("5")
    page.select_option("select.function", "wmean")
    page.select_option("select.spread", "tightly")
    page.wait_for_selector("#preview-table table")
    assert page.locator("#preview-table tr").count() >= 4

    # review and submit
    page.goto(f"{url}/e/{ws.state.expert_token('E1')}/summary")
    assert "strengthens 0.70" in page.inner_text("main")
    page.click("#submit")
    assert "You have submitted round 1" in page.inner_text("#submitted")
    assert ws.state.submitted() == ["E1"]
    assert dialogs == []

    # the facilitator sees it pooled
    fpage = browser.new_page()
    fpage.set_default_timeout(20_000)
    fpage.goto(f"{url}/f/{ws.state.facilitator_token}/")
    fpage.wait_for_selector('details[data-node="threat_russia"]')
    assert "3/3" in fpage.inner_text('tr[data-expert="E1"]')
    fpage.click('details[data-node="threat_russia"] summary')
    assert "0.700" in fpage.inner_text('details[data-node="threat_russia"]')
    assert "Effect on the scenario posteriors" in fpage.inner_text("#live")
    # ... and can switch to a logarithmic pool (one expert: the same table)
    fpage.select_option("#pool-method", "log")
    fpage.click("#pool-apply")
    fpage.wait_for_selector('details[data-node="threat_russia"]')
    assert "Logarithmic pool, equal weights" in fpage.inner_text("#pool-hint")
    assert "method=log" in fpage.url
    fpage.close()
    page.close()


def test_round_two_in_the_browser(browser: Any, served: tuple[Workshop, str]) -> None:
    """Three experts answer in round 1; the facilitator closes it and opens round 2 with
    the buttons; E1 then sees the anonymised spread of round 1 (min · median · max) beside
    their own answer carried over, and saves a round-2 answer."""
    ws, url = served
    for e, p in (("E1", 0.7), ("E2", 0.5), ("E3", 0.3)):
        ws.store.add([
            _answer(ws, e, outcome, {**probs, **({"strengthens": p, "neutral": 0.9 - p,
                                                  "weakens": 0.1}
                                                 if outcome == "ukraine_wins" else {})})
            for outcome, probs in GOOD.items()])
    fpage = browser.new_page()
    fpage.set_default_timeout(20_000)
    fpage.goto(f"{url}/f/{ws.state.facilitator_token}/")
    fpage.click("#close-round")
    fpage.click("#next-round")
    assert fpage.inner_text("#round") == "2" and ws.state.round == 2
    page = browser.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/e/{ws.state.expert_token('E1')}/node/threat_russia")
    spread = page.locator(".prev-spread").first.inner_text()
    assert "0.30 · 0.50 · 0.70" in spread
    body = page.inner_text("main")
    assert "E2" not in body and "E3" not in body
    first = page.locator("fieldset.distribution").first
    assert first.locator("input.prob").nth(0).input_value() == "0.7"
    first.locator("input.prob").nth(0).fill("0.6")
    first.locator("input.prob").nth(1).fill("0.3")
    page.click("#save")
    assert "3 new" in page.inner_text("#saved")
    mine = {a.question: a for a in ws.store.latest(expert="E1")}
    assert mine[f"{Q}ukraine_wins"].round == 2
    assert mine[f"{Q}ukraine_wins"].value["strengthens"] == 0.6
    page.close()
    fpage.close()


def _answer(ws: Workshop, expert: str, outcome: str, probs: dict[str, float]) -> Any:
    from cohesion_bn.elicitation.questions import Answer

    return Answer(study=ws.study.id, round=1, expert=expert, question=f"{Q}{outcome}",
                  value=probs)


def test_a_wrong_token_is_refused(browser: Any, served: tuple[Workshop, str]) -> None:
    ws, url = served
    page = browser.new_page()
    for path in ("/e/wrong-token/", f"/f/{ws.state.expert_token('E1')}/", "/f/x/live"):
        resp = page.goto(url + path)
        assert resp is not None and resp.status == 403
        assert "not valid" in page.inner_text("#error-message")
        assert "E1" not in page.content()
    page.close()


def test_screenshots(browser: Any, tmp_path: Path) -> None:
    """The README's screenshots, from the demo study (only with COHESION_BN_SCREENSHOTS)."""
    out = os.environ.get("COHESION_BN_SCREENSHOTS")
    if not out:
        pytest.skip("set COHESION_BN_SCREENSHOTS=DIR to write the README's screenshots")
    from cohesion_bn.elicitation.questionnaire import read_questionnaire

    demo = REPO / "examples" / "demo_study"
    ws = Workshop.open(demo / "study.yaml", store=tmp_path / "demo.sqlite")
    for e in ("E1", "E2", "E3"):
        ws.store.add(read_questionnaire(demo / "answers" / f"{e}.xlsx", ws.study).answers)
    e4 = read_questionnaire(demo / "answers" / "E4.xlsx", ws.study).answers
    ws.store.add([a for a in e4 if not a.question.startswith("cohesion/")][:40])
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with BackgroundServer(create_app(ws)) as srv:
        page = browser.new_page(viewport={"width": 1100, "height": 1900})
        page.goto(f"{srv.url}/e/{ws.state.expert_token('E4')}/node/cohesion")
        for w, v in zip(page.locator("input.weight").all(), ("8", "5", "4", "7"), strict=False):
            w.fill(v)
        page.select_option("select.function", "wmean")
        page.select_option("select.spread", "moderately")
        page.wait_for_selector("#preview-table table")
        fs = page.locator("fieldset.distribution").first
        for k, v in enumerate(("0.6", "0.3", "0.05")):
            fs.locator("input.prob").nth(k).fill(v)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / "app_expert.png"))
        fpage = browser.new_page(viewport={"width": 1100, "height": 1250})
        fpage.goto(f"{srv.url}/f/{ws.state.facilitator_token}/")
        fpage.wait_for_selector("#disagreement", timeout=60_000)
        fpage.screenshot(path=str(folder / "app_facilitator.png"))
        page.close()
        fpage.close()
