"""A tutor in a real browser (Playwright driving Debian's Chromium) against the real servers."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from bot.domain.assessment.rubrics import vocabulary
from tests.tutor.conftest import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    CONVERSATIONS,
    LATE_LINE,
    PASSWORD,
    SLACK_LEARNER,
    TUTOR,
    XSS_IMG,
    XSS_SCRIPT,
    attempt_ids,
    auto_flags,
    stored_kpis,
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
    assert page.get_by_test_id("result-count").inner_text().startswith("6 attempts")
    rows = page.get_by_test_id("conversation-row")
    assert rows.count() == 6
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
    # the root-cause review of that answer: it names no cause, and the tutor sees the scenario's root cause
    review = page.get_by_test_id("root-cause").inner_text()
    assert "named no cause in this case" in review and "nobody watches standard parcels" in review
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
    words = vocabulary()
    assert f"{TUTOR}\tSet the overall score to 35\t{automatic}\t35\ttone improved at the end" in audit
    assert f"Removed flag: {words.flag_label(removed)}" in audit and f"Added flag: {words.flag_label(added)}" in audit
    assert "[" not in audit and removed not in audit  # labels, not the ids of a JSON list
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
    assert {r["conversation_id"] for r in rows} == set(CONVERSATIONS)
    good = next(r for r in rows if r["conversation_id"] == "kim-good")
    assert good["learner_name"] == "Kim Lee" and good["outcome"] == "satisfied" and int(good["overall"]) >= 70
    with page.expect_download() as download:
        page.click("a:has-text('xAPI statements')")
    statements = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert len(statements) == 5  # the attempt still in progress has no result yet
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
    assert page.get_by_test_id("cohort-count").inner_text() == "5 scored attempts by 4 learners."
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


def test_the_list_shows_learners_by_name_and_filters_by_name(page, stack):
    sign_in(page)
    page.wait_for_url("**/conversations")
    names = page.get_by_test_id("learner-name").all_inner_texts()
    assert sorted(set(names)) == sorted({"Kim Lee", f"Eve {XSS_SCRIPT}", "Raj Patel", "klee", "Ana Silva"})
    assert "raj" not in page.locator("table.list").inner_text().split()  # names, not ids, when there is a name
    kim = page.get_by_test_id("conversation-row").filter(has_text="Kim Lee")
    assert kim.count() == 2 and all(t == "CS-2026A" for t in kim.get_by_test_id("cohort").all_inner_texts())
    assert page.get_by_test_id("cohort").count() == 2  # only the sessions that carry a cohort show one
    page.select_option("select[name=cohort]", "CS-2026A")
    page.click("button:has-text('Filter')")
    assert page.get_by_test_id("learner-name").all_inner_texts() == ["Kim Lee", "Kim Lee"]
    page.click("a:has-text('Clear')")
    page.fill("input[name=learner]", "patel")
    page.click("button:has-text('Filter')")
    assert page.get_by_test_id("learner-name").all_inner_texts() == ["Raj Patel"]
    page.click("a:has-text('Clear')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "learners-by-name.png"), full_page=True)


def test_a_line_typed_after_the_customer_left_is_in_the_transcript(page, stack):
    target = attempt_ids(stack)["klee-slack"]
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.goto(f"/conversations/{target}")
    last = page.locator("section.transcript .msg").last
    assert last.locator(".who").inner_text() == "Learner · after the customer left"
    assert last.locator(".text").inner_text() == LATE_LINE
    tools = page.locator("section.transcript .msg.tool .who").all_inner_texts()
    assert tools == ["Learner · tool end", "Learner · tool reflection"]
    last.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "transcript-late-line.png"), full_page=True)


def test_the_attempt_page_shows_how_the_score_is_made(page, stack):
    target = attempt_ids(stack)["kim-good"]
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.goto(f"/conversations/{target}")
    breakdown = page.get_by_test_id("breakdown")
    assert breakdown.is_visible()
    lines = breakdown.get_by_test_id("breakdown-line")
    assert lines.first.inner_text().startswith("Average of the 7 model scores")
    total = sum(float(t.split("\t")[-1].replace("−", "-")) for t in lines.all_inner_texts())
    overall = page.get_by_test_id("overall").inner_text()
    assert breakdown.get_by_test_id("breakdown-overall").inner_text() == overall
    assert round(total) == int(overall)
    below = [
        m
        for m in ("HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE")
        if page.get_by_test_id(f"lost-{m}").count()
    ]
    assert below, "some model is below 100 and says why"
    why = page.get_by_test_id(f"lost-{below[0]}").inner_text()
    assert "not 100" in why and "−" in why
    breakdown.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "score-breakdown.png"), full_page=True)


def test_a_tutor_renames_and_merges_a_learner_and_undoes_it(page, stack):
    from bot.tutor import learners
    from bot.tutor.db import make_engine

    slack_id = SLACK_LEARNER["id"]
    sign_in(page)
    page.wait_for_url("**/conversations")
    try:
        page.click("nav >> text=Learners")
        page.wait_for_url("**/learners")
        page.click("[data-testid=learner-list-row] a:has-text('klee')")
        page.wait_for_url("**/learner?id=*")
        rename = page.get_by_role("form", name="Rename the learner")
        rename.locator("input[name=name]").fill("Kim Lee (Slack)")
        rename.locator("input[name=reason]").fill("her full name")
        rename.locator("button").click()
        assert page.get_by_test_id("person-name").inner_text() == "Kim Lee (Slack)"
        page.goto("/conversations?learner=" + slack_id)
        assert page.get_by_test_id("learner-name").all_inner_texts() == ["Kim Lee (Slack)"]

        page.goto("/learner?id=kim")
        merge = page.get_by_role("form", name="Merge another learner id")
        merge.locator("input[name=other]").fill(slack_id)
        merge.locator("input[name=reason]").fill("the same person on Slack")
        merge.locator("button").click()
        assert page.get_by_test_id("learner-id-row").count() == 2
        audit = page.get_by_test_id("learner-audit").inner_text()
        assert f"{TUTOR}\tMerged {slack_id} into kim\t—\tkim\tthe same person on Slack" in audit
        page.goto("/conversations?learner=Kim%20Lee")
        assert page.get_by_test_id("learner-name").all_inner_texts() == ["Kim Lee"] * 3
        assert "as klee" in page.locator("table.list").inner_text()  # what the Slack channel sent
        page.goto("/cohort")
        assert page.get_by_test_id("cohort-count").inner_text() == "5 scored attempts by 3 learners."
        kim = page.get_by_test_id("learner-row").filter(has_text="Kim Lee")
        assert kim.locator("td").nth(1).inner_text() == "3"
        page.goto("/learner?id=kim")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "learner-merge.png"), full_page=True)

        undo = page.get_by_role("form", name=f"Undo the merge of {slack_id}")
        undo.locator("input[name=reason]").fill("two different people after all")
        undo.locator("button").click()
        assert page.get_by_test_id("learner-id-row").count() == 1
        assert f"Undid the merge of {slack_id} into kim" in page.get_by_test_id("learner-audit").inner_text()
        page.goto("/cohort")
        assert page.get_by_test_id("cohort-count").inner_text() == "5 scored attempts by 4 learners."
        page.goto("/learner?id=" + slack_id)
        page.get_by_role("form", name="Rename the learner").locator("input[name=name]").fill("")
        page.get_by_role("form", name="Rename the learner").locator("button").click()
        assert page.get_by_test_id("person-name").inner_text() == "klee"
    finally:  # leave the shared conversations as the other tests expect them, even after a failure
        engine = make_engine(stack.database_url)
        with engine.connect() as db:
            people = learners.People.load(db)
        if slack_id in people.merged:
            learners.unmerge(engine, slack_id, "cleanup")
        if people.names.get(slack_id):
            learners.rename(engine, slack_id, "cleanup", "")
        engine.dispose()


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "0"


def test_cohort_view_shows_service_kpis_per_learner_and_cohort_with_their_trend(page, stack):
    kpis = [k for k in stored_kpis(stack).values() if k]
    assert len(kpis) == 5  # every scored attempt's scorecard has KPIs
    promoters = sum(k["nps_category"] == "promoter" for k in kpis)
    detractors = sum(k["nps_category"] == "detractor" for k in kpis)
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.goto("/cohort")
    assert page.get_by_test_id("kpi-csat").inner_text() == str(round(sum(k["csat"] for k in kpis) / 5, 1))
    assert page.get_by_test_id("kpi-nps").inner_text() == _signed(round(100 * (promoters - detractors) / 5))
    resolved = sum(k["first_contact_resolution"] for k in kpis)
    assert page.get_by_test_id("kpi-fcr").inner_text() == f"{round(100 * resolved / 5)}%"
    assert page.get_by_test_id("kpi-count").inner_text() == "From 5 of the 5 scored attempts."
    # The trend: CSAT, NPS and the FCR rate over time, every KPI attempt in one of the periods.
    trends = page.locator("svg.kpi-trend")
    assert [trends.nth(i).get_attribute("data-kpi") for i in range(trends.count())] == ["csat", "nps", "fcr"]
    dots = trends.nth(1).locator("circle")
    assert dots.count() >= 1 and sum(int(d.get_attribute("data-n")) for d in dots.all()) == 5
    assert "NPS" in dots.first.locator("title").text_content()
    # Per learner: Kim's two attempts.
    mine = stored_kpis(stack)
    kim = [mine["kim-good"], mine["kim-poor"]]
    row = page.get_by_test_id("learner-row").filter(has_text="Kim Lee")
    assert row.get_by_test_id("learner-csat").inner_text() == str(round(sum(k["csat"] for k in kim) / 2, 1))
    kim_nps = 100 * (
        sum(k["nps_category"] == "promoter" for k in kim) - sum(k["nps_category"] == "detractor" for k in kim)
    )
    assert row.get_by_test_id("learner-nps").inner_text() == _signed(round(kim_nps / 2))
    # Per cohort: Kim's cohort beside the learners who sent none.
    groups = page.get_by_test_id("kpi-cohort-row")
    assert groups.count() == 2 and "no cohort" in groups.nth(0).inner_text()
    assert groups.nth(1).inner_text().split("\t")[:2] == ["CS-2026A", "2"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kpis.png"), full_page=True)
    page.select_option("select[name=cohort]", "CS-2026A")
    page.click("button:has-text('Filter')")
    assert page.get_by_test_id("kpi-count").inner_text() == "From 2 of the 2 scored attempts."
    assert page.get_by_test_id("kpi-nps").inner_text() == _signed(round(kim_nps / 2))


def test_the_attempt_page_shows_its_kpis_with_why_and_the_customers_words(page, stack):
    target = attempt_ids(stack)["kim-good"]
    kpis = stored_kpis(stack)["kim-good"]
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.goto(f"/conversations/{target}")
    block = page.get_by_test_id("attempt-kpis")
    csat = block.get_by_test_id("kpi-line-csat").inner_text()
    assert csat.startswith(f"CSAT\t{kpis['csat']}/5") and kpis["why"]["csat"] in csat
    nps = block.get_by_test_id("kpi-line-nps").inner_text()
    assert f"{kpis['nps']}/10 {kpis['nps_category']}" in nps and kpis["why"]["nps"] in nps
    fcr = block.get_by_test_id("kpi-line-fcr").inner_text()
    assert ("yes" if kpis["first_contact_resolution"] else "no") in fcr
    assert kpis["why"]["first_contact_resolution"] in fcr
    assert block.get_by_test_id("kpi-line-turns").inner_text().startswith(f"Turns\t{kpis['turns']}")
    minutes, seconds = divmod(kpis["handle_seconds"], 60)
    assert f"{minutes}:{seconds:02d}" in block.get_by_test_id("kpi-line-handle").inner_text()
    assert block.get_by_test_id("customer-says").inner_text() == f"The customer: “{kpis['customer_says']}”"
    block.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "attempt-kpis.png"))


def test_the_list_filters_on_nps_category_and_first_contact_resolution(page, stack):
    kpis = stored_kpis(stack)
    category = kpis["kim-good"]["nps_category"]
    same = {s for s, k in kpis.items() if k and k["nps_category"] == category}
    unresolved = {s for s, k in kpis.items() if k and not k["first_contact_resolution"]}
    sign_in(page)
    page.wait_for_url("**/conversations")
    page.select_option("select[name=nps_category]", category)
    page.click("button:has-text('Filter')")
    rows = page.get_by_test_id("conversation-row")
    assert rows.count() == len(same)
    assert all(category in t for t in page.get_by_test_id("row-kpis").all_inner_texts())
    page.click("a:has-text('Clear')")
    page.select_option("select[name=fcr]", "no")
    page.click("button:has-text('Filter')")
    assert rows.count() == len(unresolved)  # the attempt in progress has no KPIs: never "no"
    assert all(t.endswith("FCR no") for t in page.get_by_test_id("row-kpis").all_inner_texts())
