"""Bad input over the real HTTP path: every message gets a clear answer and nothing is lost."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.domain.scenarios import default_library
from bot.ops.play import rescore
from tests.support.http import (
    LINES,
    SETUP,
    coach_meta,
    customer_turns,
    post,
    start_conversation,
    start_servers,
    stored_events,
    stored_texts,
    texts,
)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    running = start_servers(tmp_path_factory.mktemp("bad-input"))
    yield running
    running.stop()


@pytest.mark.parametrize("text", ["", "   ", " \n\t \r\n "])
def test_empty_and_whitespace_messages_are_answered_without_a_turn(servers, text):
    sender = f"empty-{len(text)}"
    start_conversation(servers, sender, LINES[:1])
    status, replies = post(servers, sender, text)
    assert status == 200
    assert "That message was empty" in texts(replies)
    assert customer_turns(replies) == []
    status, replies = post(servers, sender, LINES[1])
    assert customer_turns(replies) == [2]  # the empty message did not count as a turn


def test_a_100_kb_message_is_answered_and_cut_with_a_notice(servers):
    sender = "huge-100k"
    start_conversation(servers, sender, [])
    huge = "I'm so sorry your order is late. " + "Let me look into it for you. " * 3600
    assert len(huge.encode()) > 100_000
    status, replies = post(servers, sender, huge)
    assert status == 200
    assert "only its first 5,000 characters were used" in texts(replies)
    assert customer_turns(replies) == [1]
    assert "apologize" in next(m for m in coach_meta(replies) if m.get("speaker") == "customer")["moves"]
    assert stored_texts(servers.tracker_db, sender) == ["start", huge.strip()]  # the learner's words are kept whole
    status, replies = post(servers, sender, LINES[1])
    assert customer_turns(replies) == [2]


def test_an_oversized_request_is_refused_clearly(servers):
    sender = "huge-2mb"
    status, body = post(servers, sender, "sorry " * 400_000)
    assert status == 413 and "larger than" in body["error"]
    assert stored_texts(servers.tracker_db, sender) == []


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x07 I'm sorry \x1b[31mabout\x1b[0m this \x7f\u200b",  # control characters, escape codes
        "I'm so sorry 😞🙏 that must be awful 💔",  # emoji
        "أنا آسف جدا بخصوص طلبك",  # Arabic, right to left
        "אני מצטער מאוד על העיכוב",  # Hebrew, right to left
        "\u202eI'm sorry\u202c about the \u2067delay\u2069",  # bidirectional overrides
        "Es tut mir sehr leid, dass Ihre Bestellung zu spät ist.",
        "非常抱歉您的订单晚到了",
        "Je suis désolé pour le retard de votre commande.",
        "\ud83d sorry, a broken surrogate",  # a lone surrogate from a careless client
    ],
)
def test_unusual_text_is_answered_as_a_turn_and_stored_as_sent(servers, text):
    sender = "odd-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    start_conversation(servers, sender, [])
    status, replies = post(servers, sender, text)
    assert status == 200
    assert customer_turns(replies) == [1]
    assert all(r.get("recipient_id") == sender for r in replies)
    customer = next(r for r in replies if "text" in r)
    assert customer["text"].strip()
    assert stored_texts(servers.tracker_db, sender)[-1] == text.strip()
    status, replies = post(servers, sender, LINES[0])
    assert customer_turns(replies) == [2]


@pytest.mark.parametrize(
    "raw, error",
    [
        (b"not json at all", "JSON object"),
        (b"[1, 2, 3]", "JSON object"),
        (json.dumps({"message": "hi"}).encode(), '"sender"'),
        (json.dumps({"sender": "", "message": "hi"}).encode(), '"sender"'),
        (json.dumps({"sender": "x" * 500, "message": "hi"}).encode(), '"sender"'),
        (json.dumps({"sender": "bad-body", "message": 42}).encode(), '"message"'),
        (json.dumps({"sender": "bad-body", "message": None}).encode(), '"message"'),
        (json.dumps({"sender": "bad-body"}).encode(), '"message"'),
        (json.dumps({"sender": "bad-body", "message": "hi", "metadata": [1, 2]}).encode(), '"metadata"'),
    ],
)
def test_malformed_requests_get_a_400_with_the_reason(servers, raw, error):
    status, body = post(servers, "ignored", "", raw=raw)
    assert status == 400 and error in body["error"]
    assert stored_texts(servers.tracker_db, "bad-body") == []
    assert stored_texts(servers.tracker_db, "default") == []  # Rasa's fallback sender id is never used


def test_twenty_messages_in_one_second_are_answered_in_order(servers):
    sender = "burst"
    start_conversation(servers, sender, [])
    burst = [f"I'm sorry, could you tell me more about problem number {n}?" for n in range(1, 21)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda text: post(servers, sender, text), burst))
    turn_of = {}
    for text, (status, replies) in zip(burst, results):
        assert status == 200, replies
        assert all(r.get("recipient_id") == sender for r in replies)
        turns = customer_turns(replies)
        errors = [m.get("error") for m in coach_meta(replies) if m.get("error")]
        assert turns or errors or replies, (text, replies)  # a sensible answer or a clear refusal
        if turns:
            turn_of[text] = turns[0]
    stored = stored_texts(servers.tracker_db, sender)[1:]
    assert sorted(stored) == sorted(burst)  # every message stored exactly once
    # The reply to the k-th stored message carries turn k (until the customer, tired of the
    # flood, may leave: after that the coach answers without a turn).
    turns = [turn_of.get(text) for text in stored]
    answered = len([t for t in turns if t is not None])
    assert answered >= 1
    assert turns == list(range(1, answered + 1)) + [None] * (len(turns) - answered)
    export = {"sender_id": sender, "events": stored_events(servers.tracker_db, sender)}
    card = rescore(export, default_library())
    assert card["scenario"] == SETUP["scenario"]
