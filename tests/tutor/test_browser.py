"""A tutor in a real browser (Playwright driving Debian's Chromium) against the real servers."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from tests.tutor.conftest import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    TUTOR,
    XSS_IMG,
    XSS_SCRIPT,
    attempt_ids,
    auto_flags,
)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium (make browser)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True, base_url=stack.base)
    tab = context.new_page()
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # Nothing may be fetched from another host.
    foreign = []
    tab.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if not request.url.startswith(stack.base) and not request.url.startswith("data:")
            else None
        ),
    )
    tab.dialogs, tab.foreign = dialogs, foreign
    yield tab
    assert not dialogs, f"a script ran: {dialogs}"
    assert not foreign, f"requests to other hosts: {foreign}"
    context.close()


def sign_in(page, name=TUTOR, password=PASSWORD):
    page.goto("/conversations")
    assert "/login" in page.url  # the dashboard sends a visitor without a session to the sign-in page
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")


def test_a_wrong_password_is_refused(page):
    sign_in(page, password="not the password")
    assert "/login" in page.url
    assert page.get_by_role("alert").inner_text() == "Wrong name or password."
    page.goto("/cohort")
    assert "/login" in page.url


def test_tutor_signs_in_and_filters_the_list(page, stack):
    poor_flag = auto_flags(stack, "kim-poor")[0]
    assert poor_flag not in auto_flags(stack, "kim-good")
    sign_in(page)
    page.wait_for_url("**/conversations")
    assert page.get_by_test_id("tutor-name").inner_text() == TUTOR
    assert page.get_by_test_id("result-count").inner_text().startswith("5 attempts")
    rows = page.get_by_test_id("conversation-row")
    assert rows.count() == 5
    first = rows.nth(0).inner_text()  # columns: date, learner, channel, scenario, persona, difficulty, outcome...
    assert "rest" in first
    page.select_option("select[name=scenario]", "late_delivery")
    page.click("button:has-text('Filter')")
    assert page.get_by_test_id("result-count").inner_text().startswith("2 attempts")
    assert all("Kim Lee" in rows.nth(i).inner_text() for i in range(rows.count()))
    page.select_option("select[name=flag]", poor_flag)
    page.click("button:has-text('Filter')")
    assert page.get_by_test_id("result-count").inner_text().startswith("1 attempt")
    assert poor_flag.replace("_", " ") in rows.nth(0).inner_text()
    page.click("a:has-text('Clear')")
    page.fill("input[name=learner]", "raj")
    page.select_option("select[name=outcome]", "in_progress")
    page.click("button:has-text('Filter')")
    assert page.get_by_text("No conversations match these filters.").is_visible()
    page.select_option("select[name=outcome]", "")
    page.click("button:has-text('Filter')")
    assert rows.count() == 1 and "assessment" in rows.nth(0).inner_text()
    page.click("a:has-text('Clear')")
    page.select_option("select[name=outcome]", "in_progress")
    page.click("button:has-text('Filter')")
    assert rows.count() == 1 and "Ana Silva" in rows.nth(0).inner_text()


def test_conversation_view_shows_moves_mood_evidence_notes_and_reflection(page, stack):
    target = attempt_ids(stack)["kim-good"]
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.click("a.learner:has-text('Kim Lee') >> nth=0")
    page.goto(f"/conversations/{target}")
    first_turn = page.locator("#turn-1")
    assert "apologize" in first_turn.get_by_test_id("moves").inner_text()
    assert "mood 8 →" in first_turn.inner_text()
    # The mood chart: one point per turn plus the opening mood, each with its reasons.
    chart = page.locator("svg.mood-chart")
    assert chart.is_visible()
    turns = page.locator(".msg.learner[id^=turn-]").count()
    assert chart.locator("circle").count() == turns + 1
    assert (
        "apology" in chart.locator("circle").nth(1).locator("title").text_content()
        or "apolog" in page.locator("table.reasons").inner_text()
    )
    # Evidence: clicking a quote in the scorecard highlights that span in the transcript.
    evidence = page.locator("section.scorecard a.evidence").first
    quote = evidence.inner_text().split(": ", 1)[1].strip("“”")
    evidence.click()
    focused = page.locator("mark.ev.focus")
    assert focused.count() >= 1
    assert " ".join(focused.all_inner_texts()).replace("  ", " ").strip() == quote
    assert (
        page.get_by_test_id("case-note")
        .inner_text()
        .endswith(
            "order BM-48213 two days late; offered express reship or Kendal collection, customer accepted express, "
            "satisfied"
        )
    )
    assert page.get_by_test_id("reflection").inner_text() == "I should have asked about the trip sooner."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "conversation-view.png"), full_page=True)


def test_comment_and_overrides_keep_the_automatic_result_beside_them(page, stack):
    target = attempt_ids(stack)["kim-poor"]
    flags = auto_flags(stack, "kim-poor")
    removed = flags[0]
    added = next(f for f in ("over_promise", "unnecessary_escalation", "scripted_apology") if f not in flags)
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.goto(f"/conversations/{target}")
    automatic = page.get_by_test_id("overall-now").inner_text()
    page.fill("textarea[name=text]", "Blamed the customer twice; talk through tone. <b>not bold</b>")
    page.click("button:has-text('Add comment')")
    comment = page.get_by_test_id("comment").last
    assert "Blamed the customer twice; talk through tone. <b>not bold</b>" in comment.inner_text()
    assert TUTOR in comment.inner_text()
    form = page.get_by_role("form", name="Override the overall score")
    form.locator("input[name=value]").fill("35")
    form.locator("input[name=reason]").fill("tone improved at the end")
    form.locator("button").click()
    assert page.get_by_test_id("overall-now").inner_text() == "35"
    assert page.get_by_test_id("overall").inner_text() == "35"
    assert page.get_by_test_id("overall-auto").inner_text() == f"automatic: {automatic}"
    remove = page.get_by_role("form", name=f"Remove flag {removed}")
    remove.locator("input[name=reason]").fill("it was a fair point about delivery options")
    remove.locator("button").click()
    assert removed.replace("_", " ") not in page.get_by_test_id("flags-now").inner_text()
    add = page.get_by_role("form", name="Add a flag")
    add.locator("select[name=value]").select_option(added)
    add.locator("button").click()
    assert added.replace("_", " ") in page.get_by_test_id("flags-now").inner_text()
    audit = page.get_by_test_id("audit").inner_text()
    assert f"{TUTOR}\toverall 35\t{automatic}\t35\ttone improved at the end" in audit
    assert f"flag remove {removed.replace('_', ' ')}" in audit and f"flag add {added.replace('_', ' ')}" in audit
    # The list shows the effective result, marked as edited, and filters on it.
    page.goto(f"/conversations?learner=kim&flag={removed}")
    assert page.get_by_test_id("result-count").inner_text().startswith("0 attempts")
    page.goto("/conversations?learner=kim&score_max=35")
    row = page.get_by_test_id("conversation-row")
    assert row.count() == 1 and "35" in row.inner_text() and "edited" in row.inner_text()


def test_exports_download_csv_json_and_xapi(page, stack):
    sign_in(page)
    page.wait_for_url("**/conversations")
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    assert download.value.suggested_filename == "coach-attempts.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert {r["conversation_id"] for r in rows} == {"kim-good", "kim-poor", "eve-xss", "raj-assess", "ana-open"}
    good = next(r for r in rows if r["conversation_id"] == "kim-good")
    assert good["learner_name"] == "Kim Lee" and good["outcome"] == "satisfied" and int(good["overall"]) >= 70
    with page.expect_download() as download:
        page.click("a:has-text('xAPI statements')")
    statements = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert len(statements) == 4  # the attempt still in progress has no result yet
    by_actor = {s["actor"]["account"]["name"]: s for s in statements}
    raj = by_actor["raj"]
    assert raj["verb"]["id"] in ("http://adlnet.gov/expapi/verbs/passed", "http://adlnet.gov/expapi/verbs/failed")
    assert raj["object"]["id"].endswith("faulty_product") and raj["object"]["definition"]["name"]
    score = raj["result"]["score"]
    assert score["min"] == 0 and score["max"] == 100 and score["scaled"] == score["raw"] / 100
    assert raj["result"]["completion"] is True and isinstance(raj["result"]["success"], bool)
    assert by_actor["eve"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    # Filtered export: the current filters apply.
    page.goto("/conversations?learner=kim")
    with page.expect_download() as download:
        page.click("a:has-text('JSON')")
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert {d["conversation_id"] for d in data} == {"kim-good", "kim-poor"}
    assert all(d["scorecard"]["models"] for d in data)


def test_learner_html_is_shown_as_text(page, stack):
    target = attempt_ids(stack)["eve-xss"]
    sign_in(page)
    page.wait_for_url("**/conversations")
    assert page.get_by_text(f"Eve {XSS_SCRIPT}").first.is_visible()
    page.goto(f"/conversations/{target}")
    transcript = page.locator("section.transcript").inner_text()
    assert XSS_IMG in transcript and XSS_SCRIPT in transcript
    assert page.get_by_test_id("learner").inner_text() == f"Eve {XSS_SCRIPT}"
    assert page.locator("img").count() == 0  # the learner's <img> is text, not an element
    assert page.locator("main script").count() == 0 and page.locator("main b").count() == 0
    assert XSS_SCRIPT in page.get_by_test_id("case-note").inner_text()
    assert page.get_by_test_id("reflection").inner_text() == f"<b>bold</b> reflection {XSS_IMG}"
    assert page.evaluate("window.__xss === undefined")


def test_cohort_view_shows_scores_over_attempts_flags_and_model_averages(page, stack):
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.click("nav >> text=Cohort")
    page.wait_for_url("**/cohort")
    assert page.get_by_test_id("cohort-count").inner_text() == "4 scored attempts by 3 learners."
    kim = page.get_by_test_id("learner-row").filter(has_text="Kim Lee")
    assert kim.locator("td").nth(1).inner_text() == "2"
    assert kim.locator("svg.score-chart circle").count() == 2
    assert kim.locator("svg.score-chart polyline").count() == 1
    flags = page.locator("svg.flag-chart g[data-flag]")
    assert flags.count() >= 3
    averages = page.get_by_test_id("model-averages").inner_text()
    for heading in ("HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE", "Late delivery", "Billing error"):
        assert heading in averages
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cohort-view.png"), full_page=True)
