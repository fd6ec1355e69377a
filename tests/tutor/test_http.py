"""Plain HTTP checks on the running dashboard: sessions, CSRF, rate limiting, cookies, headers."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.tutor.conftest import PASSWORD, TUTOR, Http, attempt_ids, coach

PROTECTED_GETS = [
    "/",
    "/conversations",
    "/conversations?scenario=late_delivery",
    "/conversations/1",
    "/cohort",
    "/learners",
    "/learner?id=kim",
    "/export.csv",
    "/export.csv?messages=1",
    "/export.json",
    "/export.xapi",
    "/conversations/1/report.md",
    "/conversations/1/report.html",
    "/api/conversations",
]


def test_the_dashboard_is_a_third_process_on_its_own_port(stack):
    servers = stack.servers
    assert servers.dashboard_port not in (servers.rasa_port, servers.actions_port)
    status, page = Http(stack.base).request("GET", "/login")
    assert status == 200 and "Tutor sign-in" in page
    # The learners' Rasa server does not serve the dashboard.
    status, _ = Http(servers.url).request("GET", "/conversations")
    assert status == 404


@pytest.mark.parametrize("path", PROTECTED_GETS)
def test_every_page_and_download_needs_a_tutor_session(stack, path):
    client = Http(stack.base)
    for cookie in (None, "not-a-real-session"):
        client.cookies = {"coach_tutor_session": cookie} if cookie else {}
        status, body = client.request("GET", path)
        if path.startswith("/api/"):
            assert status == 401
        else:
            assert status == 303 and client.last_headers["Location"].startswith("/login?next=")
        assert "Kim Lee" not in body and "kim-good" not in body and "late_delivery" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/conversations/1/comments",
        "/conversations/1/overrides",
        "/logout",
        "/learner/rename",
        "/learner/merge",
        "/learner/unmerge",
    ],
)
def test_posts_without_a_session_are_refused(stack, path):
    status, body = Http(stack.base).request("POST", path, {"text": "sneaky", "kind": "overall", "value": "100"})
    assert status == 401 and "sneaky" not in body


def _comments(stack, attempt_id):
    with sqlite3.connect(stack.db_path) as db:
        return [t for (t,) in db.execute("select text from coach_comments where attempt_id = ?", (attempt_id,))]


def test_a_post_without_the_csrf_token_is_refused(stack):
    target = attempt_ids(stack)["kim-good"]
    client = Http(stack.base)
    assert client.login() == 303
    for form in ({"text": "forged without token"}, {"text": "forged with a wrong token", "csrf_token": "x" * 43}):
        status, body = client.request("POST", f"/conversations/{target}/comments", form)
        assert status == 403 and "CSRF" in body
    status, _ = client.request("POST", f"/conversations/{target}/overrides", {"kind": "overall", "value": "99"})
    assert status == 403
    assert not any(t.startswith("forged") for t in _comments(stack, target))
    status, page = client.request("GET", f"/conversations/{target}")
    assert 'data-testid="overall-now">99<' not in page
    # The same comment with the page's token goes through.
    token = client.csrf(f"/conversations/{target}")
    status, _ = client.request("POST", f"/conversations/{target}/comments", {"text": "with token", "csrf_token": token})
    assert status == 303 and "with token" in _comments(stack, target)


def _learner_records(stack):
    with sqlite3.connect(stack.db_path) as db:
        return db.execute("select count(*) from coach_learner_changes").fetchone()[0]


def test_renames_and_merges_need_a_session_and_the_csrf_token(stack):
    attempt_ids(stack)
    before = _learner_records(stack)
    forms = {
        "/learner/rename": {"id": "kim", "name": "Forged Name"},
        "/learner/merge": {"id": "kim", "other": "U07XQ2"},
        "/learner/unmerge": {"id": "U07XQ2"},
    }
    anonymous = Http(stack.base)
    for path, form in forms.items():
        status, body = anonymous.request("POST", path, form)
        assert status == 401 and "Forged" not in body
    client = Http(stack.base)
    assert client.login() == 303
    for path, form in forms.items():
        status, body = client.request("POST", path, dict(form, csrf_token="x" * 43))
        assert status == 403 and "CSRF" in body
    assert _learner_records(stack) == before
    status, page = client.request("GET", "/conversations?learner=kim")
    assert "Forged Name" not in page and 'data-testid="result-count">2 attempts' in page


def test_the_sign_in_form_needs_its_own_csrf_token(stack):
    client = Http(stack.base)
    status, page = client.request("POST", "/login", {"name": TUTOR, "password": PASSWORD})
    assert status == 403 and "coach_tutor_session" not in client.cookies


def test_wrong_password_is_refused_and_the_session_cookie_is_safe(stack):
    client = Http(stack.base)
    status, page = client.request("GET", "/login")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    status, page = client.request("POST", "/login", {"name": TUTOR, "password": "wrong password", "csrf_token": token})
    assert status == 401 and "Wrong name or password" in page and "coach_tutor_session" not in client.cookies
    assert client.login() == 303
    cookie = [h for h in client.last_headers.get_all("Set-Cookie") if h.startswith("coach_tutor_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    value = client.cookies["coach_tutor_session"]
    other = Http(stack.base)
    other.login()
    assert len(value) >= 40 and other.cookies["coach_tutor_session"] != value
    with sqlite3.connect(stack.db_path) as db:
        stored = [row for (row,) in db.execute("select id from coach_sessions")]
        hashes = [h for (h,) in db.execute("select password_hash from coach_tutors")]
    assert value not in stored  # only a hash of the cookie value is kept
    assert all(h.startswith("scrypt$") and PASSWORD not in h for h in hashes)


def test_signing_out_ends_the_session_on_the_server(stack):
    client = Http(stack.base)
    client.login()
    kept = dict(client.cookies)
    token = client.csrf("/conversations")
    status, _ = client.request("POST", "/logout", {"csrf_token": token})
    assert status == 303
    client.cookies = kept  # replaying the old cookie does not work any more
    status, _ = client.request("GET", "/conversations")
    assert status == 303


def test_repeated_wrong_passwords_are_rate_limited(stack):
    made = coach(
        "tutor",
        "add",
        "rate.limited",
        "--password-stdin",
        "--database-url",
        stack.database_url,
        input="the right password\n",
    )
    assert made.returncode == 0, made.stderr
    client = Http(stack.base)
    statuses = []
    for _ in range(5):
        statuses.append(client.login("rate.limited", "a wrong password"))
    assert statuses == [401] * 5
    status = client.login("rate.limited", "the right password")
    assert status == 429 and "coach_tutor_session" not in client.cookies
    # Other tutors can still sign in.
    assert Http(stack.base).login() == 303


def test_pages_carry_security_headers_and_load_nothing_from_other_hosts(stack):
    client = Http(stack.base)
    client.login()
    target = attempt_ids(stack)["kim-good"]
    for path in ("/conversations", f"/conversations/{target}", "/cohort"):
        status, page = client.request("GET", path)
        assert status == 200
        csp = client.last_headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert client.last_headers["X-Content-Type-Options"] == "nosniff"
        assert "http://" not in page.replace(stack.base, "") and "https://" not in page


def test_the_json_api_lists_conversations_for_a_tutor(stack):
    client = Http(stack.base)
    client.login()
    status, body = client.request("GET", "/api/conversations?learner=kim")
    data = json.loads(body)
    assert status == 200 and data["total"] == 2
    assert {item["sender_id"] for item in data["items"]} == {"kim-good", "kim-poor"}


def test_coach_dashboard_also_runs_on_its_own(stack, tmp_path):
    import subprocess
    import sys
    import time

    from bot.ops.servers import child_env, free_port

    port = free_port()
    env = child_env()
    env["COACH_DATABASE_URL"] = stack.database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "dashboard", "--port", str(port)],
        env=env,
        stdout=open(tmp_path / "dashboard.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        client = Http(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.request("GET", "/login")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert client.login() == 303
        status, page = client.request("GET", "/conversations?learner=raj")
        assert status == 200 and "Raj Patel" in page and 'data-testid="result-count">1 attempt' in page
    finally:
        process.terminate()
        process.wait(timeout=10)
