"""The learner's web chat in a real browser (Debian Chromium through Playwright), against real servers."""

from __future__ import annotations

import http.server
import re
import secrets
import threading
from typing import List, Optional, Union
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Frame, Page, expect

from bot.ops.servers import free_port
from tests.support.http import stored_events
from tests.support.scripts import GOOD_SCRIPT

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
XSS = "<img src=x onerror=alert(1)>"
LEARNER = "Sam Okafor"
UNSTICK = "document.querySelectorAll('.topbar, .composer').forEach(el => { el.style.position = 'static'; })"

Target = Union[Page, Frame]


# -- helpers -----------------------------------------------------------------------------
def record_requests(context) -> List[str]:
    seen: List[str] = []
    context.on("request", lambda request: seen.append(request.url))
    return seen


def assert_all_local(urls: List[str]) -> None:
    assert urls, "no requests were recorded"
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            assert parts.hostname in LOCAL_HOSTS, f"request off the machine: {url}"
        else:
            assert parts.scheme in ("data", "blob", "about"), f"unexpected request: {url}"


def wait_idle(target: Target, before: int, new_items: int = 1) -> None:
    """Wait until at least ``new_items`` more conversation items are shown and nothing is pending."""
    target.wait_for_function(
        """([before, wanted]) => (document.querySelectorAll('#log > li').length >= before + wanted
                                  && document.getElementById('typing').hidden)
                                 || !document.getElementById('notice').hidden""",
        arg=[before, new_items],
    )
    notice = target.locator("#notice")
    assert notice.is_hidden(), f"the page shows an error: {notice.inner_text()}"


def log_count(target: Target) -> int:
    return target.locator("#log > li").count()


def say(target: Target, text: str) -> None:
    before = log_count(target)
    target.fill("#composer-input", text)
    target.press("#composer-input", "Enter")
    wait_idle(target, before, 2)  # the learner's bubble and at least one reply


def start_scenario(
    target: Target,
    scenario: str = "late_delivery",
    persona: str = "angry",
    difficulty: str = "standard",
    mode: str = "practice",
) -> None:
    expect(target.locator("#picker")).to_be_visible()
    target.locator(f"#scenario-{scenario}").check()
    target.select_option("#persona", persona)
    target.select_option("#difficulty", difficulty)
    target.locator(f"input[name=mode][value={mode}]").check()
    before = log_count(target)
    target.get_by_role("button", name="Start practice").click()
    wait_idle(target, before, 3)  # "You started", the coach's set-up, the customer's opening
    expect(target.locator("#log li.msg.customer").first).to_be_visible()


def give_name(target: Target, name: str = LEARNER, cohort: str = "") -> None:
    """Answer the name prompt that comes before the picker."""
    expect(target.locator("#learner-form")).to_be_visible()
    target.fill("#learner-name", name)
    target.fill("#learner-cohort", cohort)
    target.get_by_role("button", name="Continue").click()
    expect(target.locator("#picker")).to_be_visible()


def open_chat(context, url: str, name: Optional[str] = LEARNER) -> Page:
    """The chat page, with the name prompt answered (when it asks, and ``name`` is given)."""
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#log > li").first).to_be_visible()
    if name is not None and page.locator("#learner-form").is_visible():
        give_name(page, name)
    return page


def mood_now(target: Target) -> int:
    return int(target.locator("#mood-meter").get_attribute("aria-valuenow"))


# the mood bands 0-2, 3-4, 5-6, 7-8, 9-10 in a persona's words (app.js MOOD_WORDS)
ANXIOUS_WORDS = ["calm", "uneasy", "worried", "very worried", "distraught"]


def assert_mood_in_words_of(target: Target, words: List[str]) -> None:
    mood = mood_now(target)
    band = 0 if mood <= 2 else 1 if mood <= 4 else 2 if mood <= 6 else 3 if mood <= 8 else 4
    expect(target.locator("#mood-text")).to_have_text(f"{mood}/10 {words[band]}")


# -- a whole practice ------------------------------------------------------------------------
def test_whole_scenario_from_picker_to_scorecard(web_servers, context, artifacts, library):
    seen = record_requests(context)
    page = open_chat(context, web_servers.web_url)
    expect(page.get_by_role("heading", name="Choose your practice")).to_be_visible()
    # the picker is built from the coach's menu payload: every scenario, and "random"
    assert page.locator("input[name=scenario]").count() == len(library.menu_ids()) + 1
    expect(page.locator("label[for=scenario-late_delivery]")).to_contain_text("Late delivery")
    assert page.locator("#persona option").all_inner_texts()[:2] == ["The scenario's usual customer (angry)", "Angry"]
    expect(page.locator("#mood")).to_be_hidden()

    start_scenario(page)
    expect(page.locator("#mood")).to_be_visible()
    expect(page.locator("#scenario-line")).to_have_text("Late delivery · angry customer · standard · practice mode")
    expect(page.locator("#tools")).to_be_visible()
    expect(page.locator("#picker")).to_be_hidden()
    start_mood = mood_now(page)
    assert 0 <= start_mood <= 10
    expect(page.locator("#mood-text")).to_contain_text(f"{start_mood}/10")

    for line in GOOD_SCRIPT:
        say(page, line)

    card = page.locator("#log .scorecard")
    expect(card).to_have_count(1)
    assert_reflection_asked_above_the_input(page)  # before anything else here moves the focus
    expect(card.get_by_role("heading", level=2)).to_have_text("Your scorecard: Late delivery")
    expect(card.locator(".overall")).to_have_text(re.compile(r"^\d{1,3}/100$"))
    # the model chart: one bar and one label per model
    model_chart = card.locator("svg[role=img]").nth(0)
    assert model_chart.locator("rect").count() == 7
    labels = model_chart.locator("text").all_text_contents()
    assert {"HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE"} <= set(labels)
    # the mood chart: one point per turn, as in the scorecard JSON
    scorecard = page.evaluate("""() => fetch('api/conversation').then(r => r.json()).then(d =>
        d.transcript.filter(m => m.custom && m.custom.scorecard).map(m => m.custom.scorecard)[0])""")
    mood_chart = card.locator("svg[role=img]").nth(1)
    assert mood_chart.locator("circle").count() == len(scorecard["mood"])
    assert mood_chart.locator("polyline").count() == 1
    assert scorecard["mood"][-1] < scorecard["mood"][0]
    # strengths and improvements quote the learner's own words
    expect(card.get_by_role("heading", name="What went well")).to_be_visible()
    quotes = card.locator(".strengths blockquote").all_inner_texts()
    assert quotes and all(any(q.strip("“”") in line for line in GOOD_SCRIPT) for q in quotes)
    expect(card.get_by_role("heading", name="What to do better")).to_be_visible()
    # step-by-step evidence is there for whoever wants it
    card.locator("details.steps summary").click()
    expect(card.locator("details.steps table")).to_have_count(7)
    card.locator("details.steps summary").click()
    # the live meter followed the customer down, and the coach asks for a reflection
    assert mood_now(page) == scorecard["mood"][-1] < start_mood
    expect(page.locator("#log li.msg.coach").last).to_contain_text("what would stop it happening again")
    assert_breakdown_shown(card, scorecard)
    kpis = scorecard["kpis"]
    expect(card.get_by_role("heading", name="Service KPIs")).to_be_visible()
    expect(card.locator(".kpis")).to_contain_text(f"{kpis['csat']}/5")
    expect(card.locator(".kpis")).to_contain_text(f"{kpis['nps']}/10, {kpis['nps_category']}")
    expect(card.locator(".customer-rating")).to_contain_text(kpis["customer_says"])

    page.screenshot(path=str(artifacts / "chat-desktop.png"))
    # the sticky bars would cover parts of a tall element's picture (and the page's CSP keeps out
    # Playwright's injected styles), so they are unstuck through the DOM for the pictures
    page.evaluate(UNSTICK)
    card.screenshot(path=str(artifacts / "scorecard.png"))
    page.set_viewport_size({"width": 360, "height": 780})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the charts are redrawn at phone width: their text stays at its real size
    assert card.locator("svg[role=img]").first.evaluate("svg => svg.viewBox.baseVal.width") <= 360
    card.screenshot(path=str(artifacts / "scorecard-phone.png"))
    page.reload()
    expect(page.locator("#log .scorecard")).to_be_visible()
    page.screenshot(path=str(artifacts / "chat-phone.png"))
    # the reflection answer gets the root-cause review: a symptom is named as one, with the next "why"
    say(page, "The cause was that the boots were late.")
    review = page.locator("#log li.msg.coach").last
    expect(review).to_contain_text("Root-cause review: That is a symptom")
    expect(review).to_contain_text('Ask the next "why"')
    assert_all_local(seen)


def signed(points: float) -> str:
    value = round(points, 1)
    size = abs(value)
    return ("\u2212" if value < 0 else "+") + (f"{size:.1f}" if size % 1 else f"{size:.0f}")


def assert_breakdown_shown(card, scorecard: dict) -> None:
    """The scorecard's sum and each model's lost points, as the scorecard JSON gives them."""
    breakdown = scorecard["breakdown"]
    assert round(sum(line["points"] for line in breakdown["lines"])) == breakdown["overall"] == scorecard["overall"]
    expect(card.get_by_role("heading", name="How your score is made")).to_be_visible()
    rows = card.locator("table.breakdown tbody tr")
    expect(rows).to_have_count(len(breakdown["lines"]))
    for row, line in zip(rows.all(), breakdown["lines"]):
        expect(row.locator("th")).to_contain_text(line["label"])
        expect(row.locator("td")).to_have_text(signed(line["points"]))
    expect(rows.first.locator("td")).to_have_text(re.compile(r"^\+\d+(\.\d)?$"))
    expect(card.locator("table.breakdown tfoot td")).to_have_text(f"= {scorecard['overall']}")
    below = {m: r for m, r in scorecard["models"].items() if r["score"] < 100}
    assert below, "a conversation where every model scores 100 cannot show lost points"
    expect(card.locator(".lost h4")).to_have_count(len(below))
    for model, result in below.items():
        assert sum(line["points"] for line in result["lost"]) == 100 - result["score"]
        heading = card.locator(".lost h4", has_text=f"{model}:")
        expect(heading).to_contain_text(f"({result['score']}/100)")
        lines = card.locator(".lost h4", has_text=f"{model}:").locator("xpath=following-sibling::ul[1]/li")
        expect(lines).to_have_count(len(result["lost"]))
        for item, lost in zip(lines.all(), result["lost"]):
            expect(item).to_contain_text(f"\u2212{lost['points']} {lost['why']}")
            for turn in lost.get("turns", []):
                expect(item).to_contain_text(str(turn))


def assert_reflection_asked_above_the_input(page: Page) -> None:
    """After the scorecard, the coach's question sits right above the input, which has the focus."""
    prompt = page.locator("#composer-prompt")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("what would stop it happening again")
    assert page.evaluate("document.activeElement.id") == "composer-input"
    viewport = page.viewport_size
    prompt_box, input_box = prompt.bounding_box(), page.locator("#composer-input").bounding_box()
    assert prompt_box and input_box and 0 <= prompt_box["y"] < input_box["y"] <= viewport["height"]
    assert input_box["y"] - (prompt_box["y"] + prompt_box["height"]) < 60  # right above it, nothing between
    expect(page.locator(".composer-label")).to_have_text("Your answer to the coach")


# -- learner text is text ---------------------------------------------------------------------------
def test_learner_markup_is_shown_as_text_everywhere(web_servers, context):
    page = open_chat(context, web_servers.web_url)
    dialogs: List[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    start_scenario(page, persona="impatient", difficulty="easy")
    say(page, XSS)
    expect(page.locator("#log li.msg.learner").last).to_contain_text(XSS)
    say(page, "you should have paid for express delivery then <b>bold</b> <script>alert(2)</script>")
    say(page, "whatever, read the email " + XSS)
    say(page, "end")
    card = page.locator("#log .scorecard")
    expect(card).to_be_visible()
    # a poor conversation: its flags are drawn with their advice
    expect(card.get_by_role("heading", name="Flags")).to_be_visible()
    flags = card.locator(".flags li")
    assert flags.count() >= 2
    expect(flags.first).to_contain_text("Advice:")
    # ...and each flag is a line of the score's sum, with the points it took off
    flag_rows = card.locator("table.breakdown tr.kind-flag")
    assert flag_rows.count() >= 2
    expect(flag_rows.first.locator("td")).to_have_text(re.compile("^\u2212\\d+$"))
    for _ in range(2):  # as sent, and as rebuilt from the tracker after a reload
        assert page.locator("img").count() == 0
        assert page.locator("#log script, #log b").count() == 0
        assert page.locator("#log").get_by_text(XSS).count() >= 2
        page.reload()
        expect(page.locator("#log .scorecard")).to_be_visible()
    page.wait_for_timeout(300)
    assert dialogs == []


# -- reloading ----------------------------------------------------------------------------------------
def test_reload_keeps_the_conversation(web_servers, context):
    page = open_chat(context, web_servers.web_url)
    start_scenario(page, persona="anxious", difficulty="easy")
    assert_mood_in_words_of(page, ANXIOUS_WORDS)
    say(page, "Hello, I'm so sorry your parcel hasn't arrived. That must be worrying.")
    say(page, "check history")
    before = page.locator("#log > li").all_inner_texts()
    customers = page.locator("#log li.msg.customer").count()
    mood = mood_now(page)
    scenario_line = page.locator("#scenario-line").inner_text()

    page.reload()
    expect(page.locator("#log > li")).to_have_count(len(before))
    assert page.locator("#log > li").all_inner_texts() == before
    assert mood_now(page) == mood
    expect(page.locator("#scenario-line")).to_have_text(scenario_line)
    expect(page.locator("#picker")).to_be_hidden()
    expect(page.locator("#tools")).to_be_visible()

    # the conversation carries on where it was, in this tab and in a second one
    say(page, "Could you give me your order number, please?")
    assert page.locator("#log li.msg.customer").count() == customers + 1
    second = open_chat(context, web_servers.web_url)
    expect(second.locator("#log > li")).to_have_count(page.locator("#log > li").count())
    expect(second.locator("#log li.msg.learner").last).to_contain_text("order number")

    # Restart brings the picker back; the next practice starts in the same conversation
    before = log_count(second)
    second.get_by_role("toolbar", name="Learner tools").get_by_role("button", name="Restart").click()
    wait_idle(second, before, 2)
    expect(second.locator("#picker")).to_be_visible()
    expect(second.locator("#tools")).to_be_hidden()
    start_scenario(second, scenario="random", persona="random", difficulty="random", mode="assessment")
    expect(second.locator("#scenario-line")).to_contain_text("assessment mode")
    second.reload()
    expect(second.locator("#log .msg.system")).to_have_count(2)  # both starts, in order


# -- keyboard and accessibility -----------------------------------------------------------------------------
def tab_to(page: Page, predicate: str, key: str = "Tab", limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate}); }})()"):
            return
    raise AssertionError(f"the keyboard never reached: {predicate}")


def focus_outline(page: Page) -> float:
    return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                                   return s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth); }""")


def test_keyboard_alone_reaches_and_operates_the_picker_tools_and_send_box(web_servers, context):
    page = open_chat(context, web_servers.web_url, name=None)
    expect(page.locator("#learner-form")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert focus_outline(page) >= 2

    tab_to(page, "el.id === 'learner-name'")
    assert focus_outline(page) >= 2
    page.keyboard.type(LEARNER)
    page.keyboard.press("Enter")  # the name prompt goes; the focus moves to the picker's scenarios
    expect(page.locator("#picker")).to_be_visible()
    assert page.evaluate("document.activeElement.name") == "scenario"
    assert focus_outline(page) >= 2
    for _ in range(8):
        if page.evaluate("document.activeElement.value") == "late_delivery":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "late_delivery"
    assert page.locator("#scenario-late_delivery").is_checked()

    tab_to(page, "el.id === 'persona'")
    assert focus_outline(page) >= 2
    for _ in range(8):
        if page.evaluate("document.activeElement.value") == "demanding":
            break
        page.keyboard.press("ArrowDown")
    assert page.locator("#persona").input_value() == "demanding"
    tab_to(page, "el.id === 'difficulty'")
    page.keyboard.press("ArrowUp")  # standard -> easy
    assert page.locator("#difficulty").input_value() == "easy"
    tab_to(page, "el.name === 'mode'")
    page.keyboard.press("ArrowRight")
    assert page.locator("input[name=mode][value=assessment]").is_checked()
    tab_to(page, "el.id === 'start-button'")
    assert focus_outline(page) >= 2
    before = log_count(page)
    page.keyboard.press("Enter")
    wait_idle(page, before, 3)
    expect(page.locator("#scenario-line")).to_have_text("Late delivery · demanding customer · easy · assessment mode")
    assert page.evaluate("document.activeElement.id") == "composer-input"  # ready to reply

    before = log_count(page)
    page.keyboard.type("I'm so sorry your order is late. Could you give me your order number?")
    page.keyboard.press("Enter")
    wait_idle(page, before, 2)
    expect(page.locator("#log li.msg.learner").last).to_contain_text("order number")

    tab_to(page, "el.textContent === 'Hint'", key="Shift+Tab")
    assert focus_outline(page) >= 2
    before = log_count(page)
    page.keyboard.press("Enter")
    wait_idle(page, before, 2)
    expect(page.locator("#log li.msg.coach").last).to_contain_text("Hints are off in assessment mode")

    tab_to(page, "el.id === 'notes-button'")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "composer-input"
    assert page.locator("#composer-input").input_value() == "notes: "


CONTRAST_JS = """(selectors) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let rgb = [255, 255, 255];
    for (const c of layers.reverse()) { rgb = rgb.map((v, i) => c[i] * c[3] + v * (1 - c[3])); }
    return rgb;
  };
  const lum = (rgb) => { const [r, g, b] = rgb.map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      const position = getComputedStyle(el).position;
      if (!el.offsetParent && position !== 'fixed' && position !== 'sticky') continue;
      const fg = parse(getComputedStyle(el).color), bg = background(el);
      const a = lum(fg.slice(0, 3)), b = lum(bg);
      out.push({ sel, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) });
    }
  }
  return out;
}"""

TEXT_SELECTORS = [
    ".topbar h1",
    ".scenario-line",
    ".mood-label",
    ".mood-text",
    ".msg.learner",
    ".msg.learner .who",
    ".msg.customer",
    ".msg.customer .who",
    ".msg.coach",
    ".msg.coach .who",
    ".msg code",
    ".why",
    ".msg.system",
    ".composer-label",
    ".help",
    "button",
    "legend",
    "label",
    "select",
    "textarea",
]


def test_controls_are_labelled_contrast_is_aa_and_it_fits_a_phone(web_servers, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = open_chat(context, web_servers.web_url)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby') && !el.textContent.trim())
            .map(el => el.outerHTML)""")
        assert unlabelled == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        start_scenario(page)
        say(page, "I'm so sorry about this. Could you give me your `order number`?")
        say(page, "help")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        send = page.get_by_role("button", name="Send")
        box = send.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
        results = page.evaluate(CONTRAST_JS, TEXT_SELECTORS)
        assert {r["sel"] for r in results} >= {".msg.learner", ".msg.customer", ".msg.coach", ".why", ".help"}
        low = [r for r in results if r["ratio"] < 4.5]
        assert low == [], f"text below WCAG AA contrast: {low}"
        expect(page.get_by_role("log", name="Conversation")).to_be_visible()
        expect(page.get_by_role("toolbar", name="Learner tools")).to_be_visible()
        expect(page.get_by_role("meter", name="Customer mood")).to_be_visible()
    finally:
        context.close()


# -- whose conversation ------------------------------------------------------------------------------
def chat_cookie(context) -> dict:
    return next(c for c in context.cookies() if c["name"] == "coach_chat")


def test_a_second_browser_cannot_read_or_post_into_the_first_ones_conversation(web_servers, browser):
    first, second = browser.new_context(), browser.new_context()
    try:
        secret = f"My reference is ZX-{secrets.token_hex(4)}"
        page_a = open_chat(first, web_servers.web_url)
        start_scenario(page_a)
        say(page_a, secret)
        cookie_a = chat_cookie(first)
        assert cookie_a["httpOnly"] and cookie_a["sameSite"] == "Strict"
        assert "coach_chat" not in page_a.evaluate("document.cookie")  # page scripts never see it
        conversation_a, signature_a = cookie_a["value"].split(".")
        assert len(conversation_a) >= 32  # 192 random bits, base64url

        page_b = open_chat(second, web_servers.web_url)
        assert secret not in page_b.content()
        conversation_b, signature_b = chat_cookie(second)["value"].split(".")
        assert conversation_b != conversation_a

        forgeries = [
            f"{conversation_a}.{signature_b}",
            f"{conversation_a}.{signature_a[:-3]}AAA",
            f"{conversation_a}.",
            conversation_a,
        ]
        for forged in forgeries:
            second.clear_cookies()
            second.add_cookies(
                [{"name": "coach_chat", "value": forged, "domain": "127.0.0.1", "path": "/webhooks/webchat/"}]
            )
            page_b.reload()
            expect(page_b.locator("#notice")).to_contain_text("not valid")
            assert secret not in page_b.content()
            status = page_b.evaluate("fetch('api/conversation').then(r => r.status)")
            assert status == 401, forged
            posted = page_b.evaluate("""() => fetch('api/message', {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-Coach-CSRF': 'x'},
                body: JSON.stringify({text: 'I am in your conversation'})}).then(r => r.status)""")
            assert posted == 401, forged

        # the refused learner can start afresh; the first conversation is untouched
        page_b.get_by_role("button", name="Start a new conversation").click()
        expect(page_b.locator("#picker")).to_be_visible()
        expect(page_b.locator("#notice")).to_be_hidden()
        cookies = [c for c in second.cookies() if c["name"] == "coach_chat"]
        assert len(cookies) == 1 and cookies[0]["value"].split(".")[0] not in (conversation_a, conversation_b)
        page_a.reload()
        expect(page_a.locator("#log li.msg.learner").last).to_have_text(re.compile(re.escape(secret)))
        assert "I am in your conversation" not in page_a.content()
    finally:
        first.close()
        second.close()


def test_post_endpoints_refuse_cross_site_forged_and_bad_requests(web_servers):
    url = web_servers.web_url
    learner = requests.Session()
    reply = learner.get(url + "api/conversation", timeout=30)
    assert reply.status_code == 200
    conversation = learner.cookies["coach_chat"].split(".")[0]
    assert conversation not in reply.text  # the id stays in the HttpOnly cookie
    csrf = reply.json()["csrf"]
    own = {"Origin": web_servers.url, "X-Coach-CSRF": csrf}
    start = {
        "scenario": "late_delivery",
        "persona": "angry",
        "difficulty": "standard",
        "mode": "practice",
        "name": LEARNER,
    }

    def post(path, body, headers, session=learner):
        return session.post(url + path, json=body, headers=headers, timeout=60)

    assert post("api/start", dict(start, scenario="moon_landing"), own).json()["error"].startswith("Unknown scenario")
    assert post("api/start", dict(start, mode="exam"), own).status_code == 400
    # the learner's name is required (1-80 characters once trimmed), the cohort optional (at most 40)
    unnamed = {k: v for k, v in start.items() if k != "name"}
    for body, problem in [
        (unnamed, "Type your name first"),
        (dict(start, name="   "), "Type your name first"),
        (dict(start, name="x" * 81), "Your name is too long"),
        (dict(start, name=42), "Your name must be text"),
        (dict(start, name="Sam\nOkafor"), "cannot be shown"),
        (dict(start, cohort="C" * 41), "Your cohort or course code is too long"),
    ]:
        refused = post("api/start", body, own)
        assert refused.status_code == 400 and refused.json()["code"] == "bad_learner", body
        assert refused.json()["error"].startswith(problem) or problem in refused.json()["error"], refused.json()
    assert post("api/start", start, dict(own, Origin="http://evil.example")).status_code == 403
    assert post("api/start", start, {"Origin": web_servers.url}).status_code == 403  # no CSRF token
    assert post("api/start", start, dict(own, **{"X-Coach-CSRF": csrf[:-2] + "xx"})).status_code == 403
    cross = {"X-Coach-CSRF": csrf, "Sec-Fetch-Site": "cross-site"}
    assert post("api/start", start, cross).status_code == 403
    assert post("api/start", start, own).status_code == 200
    assert post("api/start", start, own).status_code == 409  # already playing: restart first

    empty = post("api/message", {"text": "   "}, own)
    assert empty.status_code == 400 and empty.json()["error"] == "Type a message first."
    assert post("api/message", {"text": "x" * 10_001}, own).status_code == 400
    assert post("api/message", {"words": "hi"}, own).status_code == 400
    bad_json = learner.post(url + "api/message", data=b"{not json", headers=own, timeout=30)
    assert bad_json.status_code == 400

    stranger = requests.Session()
    other_csrf = stranger.get(url + "api/conversation", timeout=30).json()["csrf"]
    # the stranger's own token does not open the learner's conversation, nor does no cookie at all
    assert post("api/message", {"text": "hi"}, dict(own, **{"X-Coach-CSRF": other_csrf})).status_code == 403
    assert requests.post(url + "api/message", json={"text": "hi"}, headers=own, timeout=30).status_code == 401
    assert (
        requests.post(url + "api/session", json={}, headers={"Origin": "http://evil.example"}, timeout=30).status_code
        == 403
    )
    assert requests.post(url + "api/session", json={}, timeout=30).status_code == 403  # no Origin at all
    ok = post("api/message", {"text": "I'm so sorry, that's not good enough from us."}, own)
    assert ok.status_code == 200
    assert [m["custom"]["coach"]["speaker"] for m in ok.json()["messages"]] == ["customer"]
    assert "hits" not in ok.json()["messages"][0]["custom"]["coach"]

    page = requests.get(url, timeout=30)
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"


# -- the embed snippet ----------------------------------------------------------------------------------
@pytest.fixture
def intranet_page(web_servers):
    """An intranet/LMS page on another port that carries the chat through the documented snippet."""
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course unit 3</title></head><body>'
        f"<h1>Unit 3: handling complaints</h1><p>Practise below.</p>"
        f'<script src="{web_servers.web_url}embed.js" data-scenario="late_delivery" data-persona="anxious" '
        f'data-difficulty="easy" data-name="Ana Ruiz" data-height="700"></script><p>End of unit.</p></body></html>'
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/unit-3.html"
    server.shutdown()
    server.server_close()


def test_embed_snippet_carries_the_chat_and_no_request_leaves_the_machine(web_servers, context, intranet_page):
    seen = record_requests(context)
    page = context.new_page()
    page.goto(intranet_page)
    frame_element = page.locator("iframe.complaint-coach-widget")
    expect(frame_element).to_have_attribute("title", "Complaint coach: practice chat")
    frame = frame_element.element_handle().content_frame()
    # the snippet's data-name fills in the name prompt; the learner confirms it
    expect(frame.locator("#learner-name")).to_have_value("Ana Ruiz")
    frame.get_by_role("button", name="Continue").click()
    expect(frame.locator("#picker")).to_be_visible()
    expect(frame.locator("#learner-line")).to_contain_text("Practising as Ana Ruiz")
    # the data-* attributes preselect the picker
    assert frame.locator("#scenario-late_delivery").is_checked()
    assert frame.locator("#persona").input_value() == "anxious"
    assert frame.locator("#difficulty").input_value() == "easy"
    before = log_count(frame)
    frame.get_by_role("button", name="Start practice").click()
    wait_idle(frame, before, 3)
    say(frame, "Hello, I'm so sorry your order hasn't arrived yet.")
    expect(frame.locator("#log li.msg.customer")).to_have_count(2)
    page.reload()
    frame = page.locator("iframe.complaint-coach-widget").element_handle().content_frame()
    expect(frame.locator("#log li.msg.customer")).to_have_count(2)
    assert any(u.endswith("/webhooks/webchat/embed.js") for u in seen)
    assert any("/webhooks/webchat/api/message" in u for u in seen)
    assert_all_local(seen)


# -- the learner's name ------------------------------------------------------------------------------
def conversation_id(context) -> str:
    return chat_cookie(context)["value"].split(".")[0]


def stored_learner(servers, context) -> dict:
    """What reached the coach: the start message's ``coach.learner`` and the session's learner (coach_state)."""
    events = stored_events(servers.tracker_db, "web-" + conversation_id(context))
    started = next(e for e in events if e.get("event") == "user" and e["metadata"]["coach"].get("start"))
    states = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "coach_state"]
    return {"sent": started["metadata"]["coach"]["learner"], "session": states[-1]["learner"]}


def test_the_name_prompt_comes_first_and_the_name_is_kept_and_recorded(web_servers, context, artifacts):
    name, cohort = "<b>Ana</b> Ruiz-Ortega", "CS-2027 <i>B</i>"
    page = open_chat(context, web_servers.web_url, name=None)
    form = page.locator("#learner-form")
    expect(form).to_be_visible()
    expect(page.locator("#picker")).to_be_hidden()  # the name comes before the scenario picker
    page.screenshot(path=str(artifacts / "name-prompt.png"))

    form.get_by_role("button", name="Continue").click()  # a name is required
    expect(page.locator("#learner-problem")).to_have_text("Type your name first (1 to 80 characters).")
    expect(page.locator("#learner-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#picker")).to_be_hidden()
    give_name(page, "   " + name + "  ", cohort)
    expect(page.locator("#learner-line")).to_contain_text(f"Practising as {name} ({cohort})")
    assert page.locator("#learner-line b, #learner-line i").count() == 0  # shown as text, not markup

    # a changed mind: Change name brings the prompt back, filled in; Cancel keeps the name
    page.get_by_role("button", name="Change name").click()
    expect(page.locator("#learner-name")).to_have_value(name)
    expect(page.locator("#learner-cohort")).to_have_value(cohort)
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#learner-line")).to_contain_text(f"Practising as {name}")

    page.reload()  # remembered in this browser: no prompt the second time
    expect(page.locator("#picker")).to_be_visible()
    expect(page.locator("#learner-form")).to_be_hidden()
    expect(page.locator("#learner-line")).to_contain_text(f"Practising as {name} ({cohort})")
    start_scenario(page)
    learner = stored_learner(web_servers, context)
    sender = "web-" + conversation_id(context)
    assert learner["sent"] == {"id": sender, "name": name, "cohort": cohort}
    assert learner["session"] == {"id": sender, "name": name, "cohort": cohort}

    # someone else at this browser: a different name starts a conversation of its own
    before = log_count(page)
    page.get_by_role("toolbar", name="Learner tools").get_by_role("button", name="Restart").click()
    wait_idle(page, before, 2)
    page.get_by_role("button", name="Change name").click()
    expect(page.locator("#learner-help")).to_contain_text("A different name starts a new conversation")
    give_name(page, "Lee Chen")
    expect(page.locator("#log .msg.system")).to_have_count(0)  # the earlier practice is not shown to them
    assert "web-" + conversation_id(context) != sender
    start_scenario(page)
    assert stored_learner(web_servers, context)["session"]["name"] == "Lee Chen"


def test_a_name_in_the_address_fills_in_the_prompt(web_servers, context):
    page = open_chat(context, web_servers.web_url + "?name=Kim%20Lee&cohort=HSC-3", name=None)
    expect(page.locator("#learner-name")).to_have_value("Kim Lee")
    expect(page.locator("#learner-cohort")).to_have_value("HSC-3")
    expect(page.locator("#picker")).to_be_hidden()  # prefilled, not yet confirmed


# -- truthful labels ------------------------------------------------------------------------------------
def assert_at_welcome(page: Page) -> None:
    page.wait_for_timeout(300)  # after any scrolling the page does once drawn
    assert page.evaluate("window.scrollY") == 0
    welcome = page.locator("#log > li").first
    expect(welcome).to_contain_text("Welcome to complaint-coach!")
    expect(welcome).to_be_in_viewport()


def test_the_page_opens_at_its_welcome(web_servers, browser, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 640})
    try:
        page = open_chat(context, web_servers.web_url, name=None)
        assert_at_welcome(page)  # a first visit: the welcome, then the name prompt
        give_name(page)
        page.reload()  # a return visit: the welcome, then the picker, which runs far below the fold
        expect(page.locator("#picker")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollHeight") > 2 * 640
        assert_at_welcome(page)
        page.screenshot(path=str(artifacts / "welcome.png"))
    finally:
        context.close()


def test_menu_cards_carry_the_numbers_the_typed_choice_uses(web_servers, context, library, artifacts):
    page = open_chat(context, web_servers.web_url)
    cards = page.locator("#scenario-options label.option")
    numbered = cards.locator(".number")
    expect(numbered).to_have_count(len(library.menu_ids()))
    assert numbered.all_inner_texts() == [str(n) for n in range(1, len(library.menu_ids()) + 1)]
    titles = cards.locator(".title").all_inner_texts()
    assert titles[-1] == "Random scenario" and cards.last.locator(".number").count() == 0
    page.evaluate(UNSTICK)  # so the sticky bars do not cover parts of the picker's picture
    page.locator("#picker").screenshot(path=str(artifacts / "menu-numbered.png"))

    # the typed choice "4 angry hard" starts card 4
    before = log_count(page)
    page.fill("#composer-input", "4 angry hard")
    page.press("#composer-input", "Enter")
    wait_idle(page, before, 3)
    expect(page.locator("#scenario-line")).to_have_text(f"{titles[3]} · angry customer · hard · practice mode")
    # a practice started by typing is recorded under the learner's name, as one started from a card
    events = stored_events(web_servers.tracker_db, "web-" + conversation_id(context))
    states = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "coach_state"]
    assert states[-1]["learner"]["name"] == LEARNER


def test_a_typed_choice_waits_for_the_name(web_servers, context):
    page = open_chat(context, web_servers.web_url, name=None)
    page.fill("#composer-input", "2 anxious easy")
    page.press("#composer-input", "Enter")
    expect(page.locator("#notice")).to_contain_text("Tell us your name first")
    expect(page.locator("#learner-name")).to_be_focused()
    expect(page.locator("#composer-input")).to_have_value("2 anxious easy")  # nothing lost
    expect(page.locator("#log .msg.learner")).to_have_count(0)


def test_labels_say_the_persona_actually_chosen(web_servers, context):
    page = open_chat(context, web_servers.web_url)
    page.locator("#scenario-billing_error").check()
    # the usual customer of this scenario is anxious, and the picker says so
    expect(page.locator("#persona option[value='']")).to_have_text("The scenario's usual customer (anxious)")
    start_scenario(page, scenario="billing_error", persona="")
    expect(page.locator("#scenario-line")).to_have_text("Billing error · anxious customer · standard · practice mode")
    expect(page.locator("#log .msg.system").last).to_have_text(
        "You started: Billing error · anxious customer · standard · practice mode"
    )
    assert_mood_in_words_of(page, ANXIOUS_WORDS)
    # a random persona: the start line names the one the coach picked, as the header does
    before = log_count(page)
    page.get_by_role("toolbar", name="Learner tools").get_by_role("button", name="Restart").click()
    wait_idle(page, before, 2)
    start_scenario(page, scenario="late_delivery", persona="random")
    header = page.locator("#scenario-line").inner_text()
    persona = header.split(" · ")[1]
    expect(page.locator("#log .msg.system").last).to_have_text(
        f"You started: Late delivery · {persona} (picked at random) · standard · practice mode"
    )
    page.reload()  # the same words when rebuilt from the tracker
    expect(page.locator("#log .msg.system").last).to_contain_text(f"{persona} (picked at random)")
    assert "usual customer" not in " ".join(page.locator("#log .msg.system").all_inner_texts())


# -- coaching a team member (issue 18) ---------------------------------------------------------
COACHING_LINES = [
    "Hi Sam, I'd like us to look at yesterday's washing machine chat together. It's not a telling-off.",
    "Well done for getting her order number so quickly, and for staying polite.",
    "What got in the way of saying sorry at the start?",
    "When you wrote that the damage was down to the courier, she came back with 'I paid YOU'. How do you see it now?",
    "What could you do differently if she came back today? " + XSS,
    "From today you can offer up to £25 goodwill without asking me.",
    "So what will you change, and when will you start?",
    "Great. Can you tell me back what we've agreed?",
    "Thanks for your time, Sam, speak soon.",
]


def test_coaching_shows_the_coached_chat_and_scores_grow(web_servers, context, artifacts):
    page = open_chat(context, web_servers.web_url)
    expect(page.locator("label[for=scenario-coaching_review]")).to_contain_text("Coaching review")
    start_scenario(page, scenario="coaching_review", persona="anxious")
    panel = page.get_by_test_id("coached-chat")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("The chat Sam Okafor handled")
    expect(panel).to_contain_text("Damage in transit is down to the courier")
    expect(page.locator("#mood-label")).to_have_text("Sam Okafor's guard")
    expect(page.locator("#log li.msg.customer .who").last).to_have_text("Sam Okafor")
    expect(page.locator("#scenario-line")).to_contain_text("Coaching review · coaching")
    for line in COACHING_LINES:
        say(page, line)
    # the learner's markup is text, never markup
    assert page.locator("#log img").count() == 0
    expect(page.locator("#log li.msg.learner").nth(4)).to_contain_text(XSS)
    before = log_count(page)
    page.locator("#tools").get_by_role("button", name="End", exact=True).click()
    wait_idle(page, before, 2)
    card = page.locator("#log .scorecard")
    expect(card).to_have_count(1)
    labels = card.locator("svg[role=img]").nth(0).locator("text").all_text_contents()
    assert {"GROW", "COACHING"} <= set(labels) and "HEAT" not in labels
    expect(card.locator(".strengths blockquote").first).to_be_visible()
    page.evaluate(UNSTICK)
    page.screenshot(path=str(artifacts / "coaching.png"), full_page=True)
