"""Helpers for the fault, bad-input and security tests: real servers, raw HTTP, the tracker file."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from bot.ops.servers import Servers, free_port, new_token
from tests.conftest import MODEL

SETUP = {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 3, "mode": "practice"}
LINES = [
    "Hi, you're through to Sam at Brightmart. I'm so sorry your order hasn't arrived.",
    "That must be really stressful. Could you give me your order number?",
    "Thanks. When was it promised for, and what do you need it for?",
    "I understand, so it was due Tuesday and you need the boots for Saturday.",
    "I can send a new pair by express delivery today so they arrive tomorrow. Would that help?",
]


def start_servers(root: Path, **kwargs) -> Servers:
    if not MODEL.is_file():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    servers = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        model=MODEL,
        tracker_db=root / "tracker.db",
        log_dir=root / "log",
        token=new_token(24),
        **kwargs,
    )
    if hasattr(servers, "dashboard_port") and "dashboard_port" not in kwargs:
        servers.dashboard_port = None  # the tutor dashboard is not what these tests are about
    servers.start()
    return servers


def post(
    servers: Servers,
    sender: str,
    text: str,
    metadata: Optional[Dict[str, Any]] = None,
    token: Optional[str] = "default",
    raw: Optional[bytes] = None,
    path: str = "/webhooks/rest/webhook",
    method: str = "POST",
    timeout: float = 60,
) -> Tuple[int, Any]:
    """One HTTP request; returns (status, parsed JSON or raw bytes) and never raises for HTTP errors."""
    body = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    token = servers.token if token == "default" else token
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        servers.url + path, data=data if method != "GET" else None, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, payload = exc.code, exc.read()
    try:
        return status, json.loads(payload or b"null")
    except ValueError:
        return status, payload


def coach_meta(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [(r.get("custom") or {}).get("coach", {}) for r in replies if "custom" in r]


def customer_turns(replies: List[Dict[str, Any]]) -> List[int]:
    return [m["turn"] for m in coach_meta(replies) if m.get("speaker") == "customer" and "turn" in m]


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def stored_events(db: Path, sender: str) -> List[Dict[str, Any]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        rows = conn.execute("select data from events where sender_id = ? order by id", (sender,)).fetchall()
    return [json.loads(row[0]) for row in rows]


def stored_texts(db: Path, sender: str) -> List[str]:
    return [e.get("text") for e in stored_events(db, sender) if e.get("event") == "user"]


def wait_for(predicate, timeout: float = 120, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def start_conversation(servers: Servers, sender: str, lines: List[str], setup: Optional[Dict[str, Any]] = None) -> None:
    """Start the scenario and play ``lines``, checking the turn numbers 1, 2, 3..."""
    status, replies = post(servers, sender, "start", {"coach": {"start": setup or SETUP}})
    assert status == 200 and customer_turns(replies) == [0], replies
    for number, line in enumerate(lines, start=1):
        status, replies = post(servers, sender, line)
        assert status == 200 and customer_turns(replies) == [number], (line, replies)
