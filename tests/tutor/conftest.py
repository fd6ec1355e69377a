"""The tutor dashboard against real servers: Rasa, the action server and the dashboard (all three
started by ``bot.ops.servers.Servers``, as ``make run`` does), on free ports, with a temporary SQLite
tracker store filled by playing real conversations over Rasa's REST channel."""

from __future__ import annotations

import http.client
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlencode, urlparse

import pytest

from bot.ops.play import send
from bot.ops.servers import Servers, child_env, free_port
from bot.tutor.db import create_events_table, make_engine, sqlite_url
from tests.conftest import MODEL, ROOT
from tests.support.scripts import GOOD_SCRIPT, POOR_SCRIPT

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TUTOR, PASSWORD = "tutor.one", "correct horse battery"

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert('xss')</script>"

# The e2e suite's good learner, plus an answer to the coach's reflection question.
GOOD_LINES = GOOD_SCRIPT + ["I should have asked about the trip sooner."]
POOR_LINES = POOR_SCRIPT
XSS_LINES = [
    f"Hello, I'm sorry about the double charge {XSS_IMG} let me look",
    f"{XSS_SCRIPT} Could you tell me your account number?",
    f"notes: {XSS_SCRIPT} double charge, refund offered",
    "end",
    f"<b>bold</b> reflection {XSS_IMG}",
]
ASSESS_LINES = [
    "Hello, I'm Jo. I'm really sorry the kettle stopped working.",
    "That's so frustrating when you rely on it every morning. Could you tell me your order number?",
    "When did you buy it and what happens when you switch it on?",
    "I can send a replacement today or refund you in full. Which would you prefer?",
    "You'll get a confirmation email within the hour. Does that work for you?",
    "notes: kettle faulty after 3 weeks; offered replacement or refund; customer chose replacement",
    "end",
]

# The same person as kim, on another channel with another id (the tutors merge them); the last line
# is typed after the attempt ended, so it reaches nobody but the transcript keeps it.
LATE_LINE = "Sorry, I forgot to say goodbye. Have a good day!"
SLACK_LINES = [
    "Hi, I'm so sorry this has happened again. Could you tell me what went wrong this time?",
    "That must be really frustrating. I'll sort it out today.",
    "end",
    "Next time I will check the history first.",
    LATE_LINE,
]
SLACK_LEARNER = {"id": "U07XQ2", "name": "klee"}

CONVERSATIONS = {
    # sender id: (learner, setup, lines)
    "kim-good": (
        {"id": "kim", "name": "Kim Lee", "cohort": "CS-2026A"},
        {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 3},
        GOOD_LINES,
    ),
    "kim-poor": (
        {"id": "kim", "name": "Kim Lee", "cohort": "CS-2026A"},
        {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 4},
        POOR_LINES,
    ),
    "eve-xss": (
        {"id": "eve", "name": f"Eve {XSS_SCRIPT}"},
        {"scenario": "billing_error", "persona": "anxious", "difficulty": "easy", "seed": 5},
        XSS_LINES,
    ),
    "raj-assess": (
        {"id": "raj", "name": "Raj Patel"},
        {"scenario": "faulty_product", "persona": "demanding", "difficulty": "hard", "seed": 6, "mode": "assessment"},
        ASSESS_LINES,
    ),
    "klee-slack": (
        SLACK_LEARNER,
        {"scenario": "repeat_complaint", "persona": "angry", "difficulty": "easy", "seed": 8},
        SLACK_LINES,
    ),
    "ana-open": (
        {"id": "ana", "name": "Ana Silva"},
        {"scenario": "cancelled_booking", "persona": "impatient", "difficulty": "standard", "seed": 7},
        ["Hi, sorry to hear that. What happened?"],
    ),
}


def play_as(webhook: str, token: str, sender: str, learner: dict, setup: dict, lines: List[str]) -> None:
    """A learner on a channel: the first message carries who they are and the scenario, as a channel would."""
    send(
        webhook,
        sender,
        "start",
        {"coach": {"start": dict({"mode": "practice"}, **setup), "learner": learner}},
        token=token,
    )
    for line in lines:
        send(webhook, sender, line, token=token)


def coach(*args: str, input: Optional[str] = None, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or child_env(),
        timeout=120,
    )


@dataclass
class Stack:
    servers: Servers
    database_url: str
    db_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.servers.dashboard_port}"


@pytest.fixture
def engine(tmp_path):
    """A fresh SQLite tutor database with a tracker events table, for tests that need no servers."""
    made = make_engine(sqlite_url(tmp_path / "coach.db"))
    create_events_table(made)
    yield made
    made.dispose()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not MODEL.is_file():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    root = tmp_path_factory.mktemp("tutor")
    db_path = root / "tracker.db"
    servers = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        dashboard_port=free_port(),
        model=MODEL,
        tracker_db=db_path,
        log_dir=root / "log",
        token=secrets.token_urlsafe(24),
        database_url=None,
    )
    servers.start()
    try:
        assert servers.dashboard_process is not None, "Servers.start() did not start the dashboard"
        for sender, (learner, setup, lines) in CONVERSATIONS.items():
            play_as(servers.webhook, servers.token, sender, learner, setup, lines)
        url = "sqlite:///" + str(db_path)
        made = coach("tutor", "add", TUTOR, "--password-stdin", "--database-url", url, input=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
        yield Stack(servers, url, db_path)
    finally:
        servers.stop()


class Http:
    """Plain HTTP with a cookie jar, for the checks a browser would hide."""

    def __init__(self, base: str):
        parsed = urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookies: Dict[str, str] = {}
        self.last_headers = None

    def request(
        self, method: str, path: str, form: Optional[dict] = None, cookies: bool = True, headers: Optional[dict] = None
    ) -> Tuple[int, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = dict(headers or {})
        if cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.last_headers = response.headers
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        connection.close()
        return response.status, text

    def login(self, name: str = TUTOR, password: str = PASSWORD) -> int:
        status, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/login", {"name": name, "password": password, "csrf_token": token})
        return status

    def csrf(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def attempt_ids(stack: Stack) -> Dict[str, int]:
    """Dashboard ids of the played conversations (first attempt of each)."""
    import sqlite3

    from bot.tutor import indexer
    from bot.tutor.db import make_engine

    engine = make_engine(stack.database_url)
    indexer.sync(engine)
    engine.dispose()
    with sqlite3.connect(stack.db_path) as db:
        return {sender: rid for sender, rid in db.execute("select sender_id, id from coach_attempts where attempt = 1")}


def auto_flags(stack: Stack, sender: str) -> List[str]:
    """The automatic flags of a played conversation's first attempt (as the coach scored it)."""
    import json
    import sqlite3

    attempt_ids(stack)
    with sqlite3.connect(stack.db_path) as db:
        (flags,) = db.execute(
            "select flags_auto from coach_attempts where sender_id = ? and attempt = 1", (sender,)
        ).fetchone()
    return json.loads(flags)


def stored_kpis(stack: Stack) -> Dict[str, Optional[dict]]:
    """The ``kpis`` block of each played conversation's first attempt, as its stored scorecard has it
    (None for the attempt still in progress)."""
    import json
    import sqlite3

    attempt_ids(stack)
    with sqlite3.connect(stack.db_path) as db:
        found = db.execute(
            "select a.sender_id, s.scorecard from coach_attempts a left join coach_scorecards s on s.attempt_id = a.id"
            " where a.attempt = 1"
        ).fetchall()
    return {sender: (json.loads(card).get("kpis") if card else None) for sender, card in found}
