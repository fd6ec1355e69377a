"""Slack: the learner's name comes from Slack's users.info (once per user), and a failed look-up costs nothing."""

from __future__ import annotations

import secrets
import time
from typing import Any, Dict, List

import pytest

from tests.adapters.channels.conftest import SLACK_TOKEN, slack_message
from tests.support.http import stored_events, wait_for

USERS_INFO = "/api/users.info"


class UsersInfo:
    """The stand-in's answer to users.info, switched by the test: a profile, an error or a slow reply."""

    def __init__(self) -> None:
        self.answer = "profile"

    def __call__(self, record) -> tuple:
        if self.answer == "slow":
            time.sleep(6)  # longer than the coach waits for a name
        if self.answer == "error":
            return 200, {"ok": False, "error": "user_not_found"}
        return 200, {
            "ok": True,
            "user": {"id": "U?", "name": "kim.lee", "real_name": "Kim Lee", "profile": {"real_name": "Kim Lee"}},
        }


@pytest.fixture
def users_info(platform):
    handler = UsersInfo()
    route = ("GET", USERS_INFO, handler)
    platform.routes.insert(0, route)
    yield handler
    platform.routes.remove(route)


def lookups(platform) -> int:
    return len(platform.matching(lambda r: r.method == "GET" and r.path == USERS_INFO))


def learner_events(servers, user: str) -> List[Dict[str, Any]]:
    return [e for e in stored_events(servers.tracker_db, user) if e.get("event") == "user"]


def stored_learner(servers, user: str, messages: int) -> List[Dict[str, Any]]:
    """The ``coach.learner`` metadata of each of the user's first ``messages`` stored messages."""
    wait_for(lambda: len(learner_events(servers, user)) >= messages, timeout=60, what=f"{messages} stored messages")
    return [e["metadata"]["coach"]["learner"] for e in learner_events(servers, user)[:messages]]


def session_learner(servers, user: str) -> Dict[str, Any]:
    """What the coach's session keeps about the learner (the ``coach_state`` slot), as the dashboard reads it."""
    slots = [
        e["value"]
        for e in stored_events(servers.tracker_db, user)
        if e.get("event") == "slot" and e.get("name") == "coach_state" and e.get("value")
    ]
    return slots[-1]["learner"]


def new_user() -> tuple:
    return "U" + secrets.token_hex(5).upper(), "D" + secrets.token_hex(5).upper()


def test_the_learner_is_named_from_users_info_asked_once(channel_servers, platform, users_info):
    user, channel = new_user()
    before = lookups(platform)
    assert slack_message(channel_servers, user, channel, "late delivery angry standard").status_code == 200
    assert slack_message(channel_servers, user, channel, "Hello, I'm so sorry about your order.").status_code == 200
    assert stored_learner(channel_servers, user, 2) == [{"id": user, "name": "Kim Lee"}] * 2
    assert session_learner(channel_servers, user) == {"id": user, "name": "Kim Lee"}
    asked = platform.matching(lambda r: r.method == "GET" and r.path == USERS_INFO)[before:]
    assert len(asked) == 1  # the second message used the name kept in memory
    assert asked[0].headers.get("Authorization") == f"Bearer {SLACK_TOKEN}"


@pytest.mark.parametrize("answer", ["error", "slow"])
def test_a_failed_or_slow_look_up_names_the_learner_by_id_and_loses_nothing(
    channel_servers, platform, users_info, answer
):
    users_info.answer = answer
    user, channel = new_user()
    before = len(platform.matching(lambda r: r.path == "/api/chat.postMessage" and r.json()["channel"] == channel))
    started = time.monotonic()
    assert slack_message(channel_servers, user, channel, "late delivery angry standard").status_code == 200
    assert time.monotonic() - started < 2  # Slack gets its acknowledgement at once, look-up or not
    assert stored_learner(channel_servers, user, 1) == [{"id": user, "name": user}]
    posted = platform.wait_for(
        lambda r: r.path == "/api/chat.postMessage" and r.json()["channel"] == channel, before + 2
    )
    assert posted[before].json()["text"].startswith("Coach: Scenario: Late delivery")
