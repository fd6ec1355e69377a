"""The coach's messages as Slack Block Kit and Teams activities (no server needed)."""

from __future__ import annotations

import json

from bot.adapters.channels.delivery import whole_messages
from bot.adapters.channels.formatting import ADAPTIVE_CARD, slack_message, teams_activity
from tests.conftest import finish, run_session

SNEAKY = "<!channel> *free* <http://evil.example|click> & `code`"


def scorecard_with_quote(quote: str) -> dict:
    session = run_session(
        [
            (quote, ["apologize", "empathize"]),
            ("I'll send a replacement today.", ["offer_remedy"]),
            ("Does that work for you?", ["check_satisfaction"]),
        ]
    )
    card = finish(session)
    card["feedback"]["strengths"].insert(0, {"what": "You apologised", "turn": 1, "quote": quote})
    card["feedback"]["improvements"].insert(0, {"what": "Say more", "turn": 1, "quote": quote, "better": "Try this."})
    return card


def test_slack_scorecard_shows_learner_quotes_literally():
    payload = slack_message(
        {
            "text": "Coach: Scorecard",
            "custom": {"scorecard": scorecard_with_quote(SNEAKY), "coach": {"speaker": "coach"}},
        }
    )
    blocks = payload["blocks"]
    assert len(blocks) <= 50
    for block in blocks:
        for part in [block.get("text")] + list(block.get("elements") or []) + list(block.get("fields") or []):
            if not isinstance(part, dict):
                continue
            if SNEAKY in part.get("text", ""):
                assert part["type"] == "plain_text"  # Slack shows plain_text as typed
            if part.get("type") == "mrkdwn":
                assert "<!channel>" not in part["text"] and "<http" not in part["text"]
    assert "coach" not in json.dumps(payload).replace("Coach", "").replace("coach_", "")


def test_slack_coach_text_is_escaped_and_buttons_become_actions():
    payload = slack_message(
        {
            "text": "Coach: Earlier contacts: <b> & you",
            "buttons": [{"title": "End and see my scorecard", "payload": "end"}],
            "custom": {"coach": {"speaker": "coach"}},
        }
    )
    assert payload["blocks"][0]["text"] == {
        "type": "mrkdwn",
        "text": "*Coach:* Earlier contacts: &lt;b&gt; &amp; you",
        "verbatim": True,
    }
    assert payload["blocks"][1]["elements"][0]["value"] == "end"
    assert payload["text"] == "Coach: Earlier contacts: &lt;b&gt; &amp; you"


def test_teams_scorecard_is_an_adaptive_card_with_quotes_as_text_runs():
    activity = teams_activity({"text": "Coach: Scorecard", "custom": {"scorecard": scorecard_with_quote(SNEAKY)}})
    attachment = activity["attachments"][0]
    assert attachment["contentType"] == ADAPTIVE_CARD
    body = attachment["content"]["body"]
    holders = [b["type"] for b in body if SNEAKY in json.dumps(b, ensure_ascii=False)]
    assert holders and set(holders) == {"RichTextBlock"}  # never a markdown TextBlock


def test_replies_are_put_back_together_as_the_action_sent_them():
    items = [
        {"recipient_id": "u", "text": "First part."},
        {"recipient_id": "u", "text": "Second part."},
        {"recipient_id": "u", "custom": {"coach": {"speaker": "customer", "mood": 6}}},
        {"recipient_id": "u", "text": "Coach: pick", "buttons": [{"title": "End", "payload": "end"}]},
        {"recipient_id": "u", "custom": {"coach": {"speaker": "coach"}}},
        {"recipient_id": "u", "text": "Coach: unavailable", "custom": {"coach": {"error": "unavailable"}}},
    ]
    assert whole_messages(items) == [
        {"text": "First part.\n\nSecond part.", "custom": {"coach": {"speaker": "customer", "mood": 6}}},
        {
            "text": "Coach: pick",
            "buttons": [{"title": "End", "payload": "end"}],
            "custom": {"coach": {"speaker": "coach"}},
        },
        {"text": "Coach: unavailable", "custom": {"coach": {"error": "unavailable"}}},
    ]


def _texts(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def test_slack_and_teams_scorecards_show_how_the_score_is_made():
    card = scorecard_with_quote("Sorry about that.")
    overall, flag_labels = card["overall"], [line["label"] for line in card["breakdown"]["lines"]]
    lost = [lost["why"] for model in card["models"].values() for lost in model["lost"]]
    assert lost, "a three-line conversation should leave models below 100"
    slack = _texts(slack_message({"text": "Coach: Scorecard", "custom": {"scorecard": card}}))
    teams = _texts(teams_activity({"text": "Coach: Scorecard", "custom": {"scorecard": card}}))
    for rendered in (slack, teams):
        assert "How your score is made" in rendered
        assert f"= {overall}" in rendered
        assert all(label in rendered for label in flag_labels)
        assert "Why a model is below 100" in rendered and lost[0] in rendered


def test_an_old_scorecard_without_a_breakdown_still_renders():
    card = scorecard_with_quote("Sorry about that.")
    del card["breakdown"]
    for model in card["models"].values():
        del model["lost"]
    slack = _texts(slack_message({"text": "Coach: Scorecard", "custom": {"scorecard": card}}))
    assert "Scorecard" in slack and "How your score is made" not in slack


def test_slack_and_teams_scorecards_carry_the_service_kpis_and_the_customers_rating():
    card = scorecard_with_quote("Sorry about that.")
    said = card["kpis"]["customer_says"]
    for rendered in (
        _texts(slack_message({"text": "Coach: Scorecard", "custom": {"scorecard": card}})),
        _texts(teams_activity({"text": "Coach: Scorecard", "custom": {"scorecard": card}})),
    ):
        assert f"CSAT {card['kpis']['csat']}/5" in rendered and "NPS" in rendered
        assert said in rendered


def test_a_coached_agents_line_shows_their_guard_not_a_customer_mood():
    from bot.adapters.channels.formatting import slack_message

    message = {
        "text": "Fine. Go on, then.",
        "custom": {"coach": {"speaker": "customer", "mood": 7, "name": "Sam Okafor"}},
    }
    context = slack_message(message)["blocks"][1]["elements"][0]["text"]
    assert context.startswith("Sam Okafor's guard 7/10") and "defensive" in context
