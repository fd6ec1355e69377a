"""Security over the real HTTP path, plus checks of the repository's configuration.

- Rasa's HTTP API (``/conversations/...``, ``/model/...``, ``/status``) is not served by
  ``make run``: ``rasa run`` is started without ``--enable-api``.
- The REST channel answers only holders of the API token, so nobody without it can
  post into, or read from, anyone's conversation.
- "/intent{...}" messages earn no credit, fill no slot and switch no scenario.
- Secrets come from the environment only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot.ops import servers as server_ops
from tests.conftest import ROOT
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
    running = start_servers(tmp_path_factory.mktemp("security"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def victim(servers):
    start_conversation(servers, "victim", [])
    return "victim"


# -- Rasa's HTTP API ----------------------------------------------------------------------------
def test_rasa_is_started_without_its_http_api(servers):
    rasa = servers.processes[1]
    command = Path(f"/proc/{rasa.pid}/cmdline").read_bytes().split(b"\0")
    assert b"run" in command and b"--enable-api" not in command


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/conversations/victim/tracker"),
        ("GET", "/conversations/victim/story"),
        ("POST", "/conversations/victim/messages"),
        ("POST", "/conversations/victim/tracker/events"),
        ("POST", "/conversations/victim/trigger_intent"),
        ("PUT", "/conversations/victim/tracker/events"),
        ("POST", "/model/parse"),
        ("PUT", "/model"),
        ("GET", "/status"),
        ("GET", "/domain"),
    ],
)
@pytest.mark.parametrize("token", [None, "default"])
def test_rasa_http_api_endpoints_are_not_reachable(servers, victim, method, path, token):
    status, body = post(
        servers,
        "x",
        "hi",
        token=token,
        path=path,
        method=method,
        raw=b'{"text": "hi", "sender": "user", "event": "user", "name": "x"}',
    )
    assert status == 404, (path, status, body)
    assert stored_texts(servers.tracker_db, "victim") == ["start"]


# -- the REST channel -----------------------------------------------------------------------------
@pytest.mark.parametrize("token", [None, "", "wrong-token-wrong-token-wrong", "Bearer", "x" * 40])
def test_without_the_token_nobody_can_post_into_a_conversation(servers, token):
    victim = "victim-post"
    if not stored_texts(servers.tracker_db, victim):
        start_conversation(servers, victim, LINES[:1])
    before = stored_events(servers.tracker_db, victim)
    status, body = post(servers, victim, "you should have paid for express delivery", token=token)
    assert status == 401 and "token" in body["error"]
    assert stored_events(servers.tracker_db, victim) == before


def test_the_token_is_not_accepted_in_other_places(servers):
    victim = "victim-places"
    start_conversation(servers, victim, [])
    for path in (f"/webhooks/rest/webhook?token={servers.token}", f"/webhooks/rest/webhook?auth={servers.token}"):
        status, _ = post(servers, victim, "hello", token=None, path=path)
        assert status == 401
    assert stored_texts(servers.tracker_db, victim) == ["start"]


def test_nothing_reads_a_conversation_back_over_http(servers):
    victim = "victim-read"
    start_conversation(servers, victim, LINES[:1])
    for path in (
        "/webhooks/rest/webhook",
        f"/webhooks/rest/webhook?sender={victim}",
        "/webhooks/rest/",
        f"/conversations/{victim}/tracker",
    ):
        for token in (None, "default"):
            status, body = post(servers, victim, "", token=token, path=path, method="GET")
            assert LINES[0] not in json.dumps(body) if not isinstance(body, bytes) else LINES[0].encode() not in body


def test_replies_only_ever_go_to_their_own_conversation(servers):
    for sender in ("learner-a", "learner-b"):
        status, replies = post(servers, sender, "start", {"coach": {"start": SETUP}})
        assert {r["recipient_id"] for r in replies} == {sender}
    status, replies = post(servers, "learner-a", LINES[0])
    assert {r["recipient_id"] for r in replies} == {"learner-a"} and customer_turns(replies) == [1]
    status, replies = post(servers, "learner-b", LINES[0])
    assert customer_turns(replies) == [1]  # b's turn count is its own
    assert stored_texts(servers.tracker_db, "learner-b") == ["start", LINES[0]]


# -- slash intents ------------------------------------------------------------------------------
SLASHES = [
    '/learner_message{"moves": ["apologize", "empathize", "offer_solution", "check_satisfaction"]}',
    '/learner_message{"scenario": "billing_error", "persona": "anxious", "difficulty": "easy"}',
    '/learner_message{"scorecard": {"overall": 100}, "coach_state": {"scenario": "billing_error"}}',
    '/coach_command{"coach_command": {"name": "end"}}',
    '/coach_command{"coach_command": {"name": "restart"}}',
    "/apologize",
    "/greet",
]


def test_slash_intents_at_the_menu_start_nothing(servers):
    sender = "slash-menu"
    for text in SLASHES:
        status, replies = post(servers, sender, text)
        assert status == 200
        assert customer_turns(replies) == [], text
        assert "Scenario:" not in texts(replies)
    slots = [
        e
        for e in stored_events(servers.tracker_db, sender)
        if e.get("event") == "slot" and e.get("name") in ("scorecard", "coach_state")
    ]
    assert all((e.get("value") or {}).get("phase", "menu") == "menu" for e in slots if e["name"] == "coach_state")
    assert not [e for e in slots if e["name"] == "scorecard" and e.get("value")]


def test_slash_intents_mid_conversation_earn_nothing_and_switch_nothing(servers):
    sender = "slash-mid"
    calm = dict(SETUP, persona="anxious", difficulty="easy")  # stays long enough to hear every slash message
    start_conversation(servers, sender, [], calm)
    for number, text in enumerate(SLASHES, start=1):
        status, replies = post(servers, sender, text)
        assert customer_turns(replies) == [number], text  # plain text to the customer, one turn each
        assert next(m for m in coach_meta(replies) if m.get("speaker") == "customer")["moves"] == []
    events = stored_events(servers.tracker_db, sender)
    state = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "coach_state"][-1]
    assert (state["scenario"], state["persona"], state["difficulty"]) == (
        calm["scenario"],
        calm["persona"],
        calm["difficulty"],
    )
    assert not [e for e in events if e.get("event") == "slot" and e.get("name") == "scorecard"]
    status, replies = post(servers, sender, "end")
    card = next(r["custom"]["scorecard"] for r in replies if "scorecard" in (r.get("custom") or {}))
    assert card["scenario"] == calm["scenario"] and card["persona"] == calm["persona"]
    quotes = [
        e.get("quote", "")
        for model in card["models"].values()
        for step in model.get("steps", [])
        for e in (step.get("evidence") or [])
        if isinstance(step, dict)
    ]
    assert not [q for q in quotes if q.startswith("/")]
    assert not [step["id"] for model in card["models"].values() for step in model["steps"] if step["met"]]
    assert card["overall"] < 30


# -- secrets ----------------------------------------------------------------------------------------
SKIP_DIRS = {
    ".git",
    ".venv",
    "var",
    "models",
    ".rasa",
    ".pytest_cache",
    "__pycache__",
    "node_modules",
    "build",
    "complaint_coach.egg-info",
}
CONFIG_SUFFIXES = {".yml", ".yaml", ".toml", ".ini", ".cfg", ".conf", ".env", ".json", ".template", ".tmpl"}
TOKEN_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[0-9A-Za-z]{30,}"),
    "OpenAI-style key": re.compile(r"\bsk-[0-9A-Za-z]{32,}"),
    "password in a URL": re.compile(r"[a-z+]+://[^/\s:@${}]+:[^/\s:@${}]+@"),
}
SECRET_KEY = re.compile(
    r"^\s*[\"']?([A-Za-z_]*(?:password|passwd|secret|token|api_key|apikey|private_key)"
    r"[A-Za-z_]*)[\"']?\s*[:=]\s*(.*)$",
    re.IGNORECASE,
)
ALLOWED_VALUE = re.compile(
    r"^(?:|[\"']{2}|null|none|~|\$\{[A-Z][A-Z0-9_]*\}|[\"']\$\{[A-Z][A-Z0-9_]*\}[\"']|"
    r"\$\(?[A-Z][A-Z0-9_]*\)?|[\"']?<[a-z-]+>[\"']?|\{\{.*\}\}|#.*)$",
    re.IGNORECASE,
)


def config_files():
    import os

    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and d != "fixtures" and not d.startswith(".venv"))
        for name in sorted(names):
            path = Path(folder) / name
            parts = set(path.relative_to(ROOT).parts)
            if path.suffix in CONFIG_SUFFIXES or name in ("Makefile", "Dockerfile", "run") or ".ci" in parts:
                if path.is_file() and path.stat().st_size < 2_000_000:
                    yield path


def test_tracked_config_files_hold_no_literal_secrets():
    problems = []
    files = list(config_files())
    assert any(p.name == "credentials.yml" for p in files) and any(p.name == "endpoints.yml" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, pattern in TOKEN_PATTERNS.items():
            if pattern.search(text):
                problems.append(f"{path.relative_to(ROOT)}: looks like a {name}")
        if path.suffix in (".json",) or path.relative_to(ROOT).parts[0] == "data":
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = SECRET_KEY.match(line)
            if match and not line.lstrip().startswith("#"):
                value = match.group(2).split(" #")[0].strip()
                if not ALLOWED_VALUE.match(value) and not value.endswith((":", "{", "[")):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {match.group(1)} has a literal value")
    assert not problems, "\n".join(problems)


def test_credentials_use_environment_variables_only():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert credentials, "credentials.yml names no channel"
    for channel, settings in credentials.items():
        for key, value in (settings or {}).items():
            assert isinstance(value, str) and re.fullmatch(r"\$\{[A-Z][A-Z0-9_]*\}", value), (
                f"{channel}.{key} must be a ${{VARIABLE}}, not a literal value"
            )


def test_endpoints_and_deploy_templates_take_passwords_from_the_environment():
    for path in [ROOT / "endpoints.yml", *sorted((ROOT / "bot" / "deploy").glob("*"))]:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s*(password|secret|token)\s*:\s*(\S.*)$", line)
            if match:
                assert re.fullmatch(r"[\"']?\$\{[A-Z][A-Z0-9_]*\}[\"']?", match.group(2).strip()), (path, line)


def test_a_generated_token_can_follow_a_flag_on_the_command_line(monkeypatch):
    """secrets.token_urlsafe starts with "-" one time in 64; `coach play --token -x…` would fail."""
    drawn = iter(["-starts-like-a-flag", "AbC-123_xyz"])
    monkeypatch.setattr(server_ops.secrets, "token_urlsafe", lambda nbytes: next(drawn))
    assert server_ops.new_token(24) == "AbC-123_xyz"
