"""Slack: signed Events API requests to the real server; replies captured on a local Web API stand-in."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, List

import requests

from tests.adapters.channels.conftest import SLACK_TOKEN, slack_click, slack_message, slack_post, slack_signature
from tests.support.scripts import GOOD_SCRIPT
from tests.support.standin import Recorded

INTERNAL_KEYS = {"coach", "custom", "speaker", "moves", "hits", "why", "scorecard"}


def posts_to(channel: str):
    return lambda r: r.path == "/api/chat.postMessage" and r.json().get("channel") == channel


def keys_of(value: Any) -> set:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value)) if value else set()
    return set()


def texts_of(blocks: List[dict]) -> List[str]:
    out = []
    for block in blocks:
        for part in [block.get("text")] + list(block.get("elements") or []) + list(block.get("fields") or []):
            if isinstance(part, dict) and "text" in part and isinstance(part["text"], str):
                out.append(part["text"])
    return out


def new_learner():
    return "U" + secrets.token_hex(5).upper(), "D" + secrets.token_hex(5).upper()


def converse(servers, platform, user, channel, text, expected_new=1) -> List[Recorded]:
    before = len(platform.matching(posts_to(channel)))
    reply = slack_message(servers, user, channel, text)
    assert reply.status_code == 200, reply.text
    return platform.wait_for(posts_to(channel), before + expected_new)[before:]


def test_url_verification_challenge_is_answered_when_signed(channel_servers):
    challenge = secrets.token_urlsafe(24)
    body = json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"}).encode()
    answered = slack_post(channel_servers, body, "application/json")
    assert answered.status_code == 200
    assert answered.json() == {"challenge": challenge}
    refused = slack_post(channel_servers, body, "application/json", secret="not-the-signing-secret")
    assert refused.status_code == 400
    assert challenge not in refused.text


def test_a_signed_message_gets_the_customers_reply_as_block_kit(channel_servers, platform):
    user, channel = new_learner()
    first = converse(channel_servers, platform, user, channel, "late delivery angry standard", expected_new=2)
    setup, opening = (p.json() for p in first[:2])
    assert first[0].headers.get("Authorization") == f"Bearer {SLACK_TOKEN}"
    assert setup["text"].startswith("Coach: Scenario: Late delivery")
    assert setup["blocks"][0]["text"]["type"] == "mrkdwn"
    assert setup["blocks"][0]["text"]["text"].startswith("*Coach:* Scenario: Late delivery")
    tool_buttons = setup["blocks"][1]
    assert tool_buttons["type"] == "actions"
    assert [b["value"] for b in tool_buttons["elements"]] == ["check history", "hint", "end", "restart"]

    # the customer's words, the tools in an overflow menu, the mood in a context line
    customer = opening["blocks"][0]
    assert customer["text"]["type"] == "plain_text" and customer["text"]["text"] == opening["text"]
    assert customer["accessory"]["type"] == "overflow"
    assert [o["value"] for o in customer["accessory"]["options"]] == ["check history", "hint", "end", "restart", "help"]
    assert opening["blocks"][1]["type"] == "context"
    assert opening["blocks"][1]["elements"][0]["text"].startswith("Customer mood ")

    reply = converse(channel_servers, platform, user, channel, GOOD_SCRIPT[0])[0].json()
    assert reply["blocks"][0]["text"]["type"] == "plain_text"
    assert "apologize" in reply["blocks"][1]["elements"][0]["text"]  # why the mood moved
    for post in first + [platform.matching(posts_to(channel))[-1]]:
        body = post.json()
        assert set(body) <= {"channel", "text", "blocks"}, body.keys()
        assert not keys_of(body) & INTERNAL_KEYS  # the coach's own metadata is never posted


def test_the_scorecard_arrives_as_block_kit_blocks(channel_servers, platform):
    user, channel = new_learner()
    converse(channel_servers, platform, user, channel, "late delivery angry standard", expected_new=2)
    for line in GOOD_SCRIPT[:-1]:  # all but "end": the learner ends with the tools menu instead
        converse(channel_servers, platform, user, channel, line)
    before = len(platform.matching(posts_to(channel)))
    clicked = slack_click(
        channel_servers,
        user,
        channel,
        {
            "type": "overflow",
            "action_id": "coach_tools",
            "block_id": "b1",
            "selected_option": {"text": {"type": "plain_text", "text": "End"}, "value": "end"},
        },
    )
    assert clicked.status_code == 200
    card, reflection = (p.json() for p in platform.wait_for(posts_to(channel), before + 2)[before : before + 2])

    blocks = card["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Scorecard: Late delivery", "emoji": False},
    }
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert fields[0].startswith("*Overall*\n") and fields[0].endswith("/100")
    assert fields[1].startswith("*Outcome*\n")
    models = next(t for t in texts_of(blocks) if t.startswith("*Models*"))
    assert all(
        f"\n{m} " in models or f"```{m} " in models for m in ("HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE")
    )
    assert any(t.startswith("*Customer's mood over the turns*") for t in texts_of(blocks))
    assert "*What went well*" in texts_of(blocks) and "*What to do better*" in texts_of(blocks)
    quotes = [
        e["text"] for b in blocks if b["type"] == "context" for e in b["elements"] if e["text"].startswith("You wrote")
    ]
    assert quotes and all(
        e_type == "plain_text"
        for e_type in (e["type"] for b in blocks if b["type"] == "context" for e in b["elements"])
    )
    assert any(line.split(". ")[-1][:30] in " ".join(quotes) for line in GOOD_SCRIPT)
    assert len(blocks) <= 50 and all(
        b["type"] in ("header", "section", "context", "divider", "actions") for b in blocks
    )
    assert not keys_of(card) & INTERNAL_KEYS
    assert "what would stop it happening again" in reflection["text"]


def test_a_badly_signed_request_is_rejected_and_nothing_is_posted(channel_servers, platform):
    user, channel = new_learner()
    body = json.dumps(
        {
            "type": "event_callback",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": channel,
                "user": user,
                "text": "late delivery",
            },
        }
    ).encode()
    now = str(int(time.time()))
    attempts = [
        slack_post(channel_servers, body, "application/json", secret="someone-elses-secret"),
        slack_post(channel_servers, body, "application/json", signature="v0=" + "0" * 64),
        slack_post(
            channel_servers,
            body.replace(b"late delivery", b"late delivery hard"),
            "application/json",
            timestamp=now,
            signature=slack_signature(body, now),
        ),  # the body was changed after signing
        slack_post(channel_servers, body, "application/json", timestamp=str(int(time.time()) - 600)),  # replayed
    ]
    assert [a.status_code for a in attempts] == [400, 400, 400, 400]
    unsigned = requests.post(
        f"{channel_servers.url}/webhooks/slack/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert unsigned.status_code == 400
    time.sleep(1.5)
    assert platform.matching(posts_to(channel)) == []
