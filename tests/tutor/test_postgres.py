"""The PostgreSQL path for real: a throwaway cluster, Rasa's tracker store in it (COACH_DATABASE_URL's
way, through Servers.database_url), and the dashboard, exports and reports reading from it.

Skipped, with the reason, when PostgreSQL's server binaries are not installed
(Debian: ``apt-get install -y postgresql``); ``make test`` does not need them.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from bot.ops.servers import Servers, free_port
from tests.conftest import MODEL
from tests.tutor.conftest import GOOD_LINES, Http, coach, play_as


def _pg_bin() -> Path:
    for candidate in [shutil.which("pg_ctl"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)]:
        if (
            candidate
            and Path(candidate).with_name("initdb").exists()
            and Path(candidate).with_name("postgres").exists()
        ):
            return Path(candidate).parent
    pytest.skip(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed; "
        "install them with `apt-get install -y postgresql` to run the PostgreSQL test"
    )


def _as_owner(command, owner):
    """Run as ``owner`` (PostgreSQL refuses to run as root)."""
    if owner is None:
        return subprocess.run(command, capture_output=True, text=True, timeout=120)
    return subprocess.run(["runuser", "-u", owner, "--", *command], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def postgres():
    bindir = _pg_bin()
    owner = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run a PostgreSQL cluster as")
        if not shutil.which("runuser"):
            pytest.skip("running as root without `runuser` to start PostgreSQL as the postgres user")
        owner = "postgres"
    root = Path(tempfile.mkdtemp(prefix="coach-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if owner:
        shutil.chown(root, owner)
        shutil.chown(sockets, owner)
    port = free_port()
    made = _as_owner(
        [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"],
        owner,
    )
    assert made.returncode == 0, made.stderr
    started = _as_owner(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        owner,
    )
    assert started.returncode == 0, started.stderr + (root / "server.log").read_text()
    try:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE coach")
        connection.close()
        yield f"postgresql://postgres@127.0.0.1:{port}/coach"
    finally:
        _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], owner)
        shutil.rmtree(root, ignore_errors=True)


def test_rasa_and_the_dashboard_share_a_postgresql_database(postgres, tmp_path):
    if not MODEL.is_file():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    servers = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        dashboard_port=free_port(),
        model=MODEL,
        tracker_db=tmp_path / "not-used.db",
        log_dir=tmp_path / "log",
        token=secrets.token_urlsafe(24),
        database_url=postgres,
    )
    endpoints = servers.endpoints_file().read_text()
    assert 'dialect: "postgresql"' in endpoints and 'db: "coach"' in endpoints
    servers.start()
    try:
        play_as(
            servers.webhook,
            servers.token,
            "pg-conv",
            {"id": "pat", "name": "Pat Ng"},
            {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 3},
            GOOD_LINES,
        )
        import psycopg2

        with psycopg2.connect(postgres) as connection, connection.cursor() as cursor:
            cursor.execute("select count(*) from events where sender_id = 'pg-conv'")
            assert cursor.fetchone()[0] > 20  # Rasa wrote the conversation to PostgreSQL
        assert not (tmp_path / "not-used.db").exists()
        made = coach(
            "tutor", "add", "pg.tutor", "--password-stdin", "--database-url", postgres, input="a postgres password\n"
        )
        assert made.returncode == 0, made.stderr
        client = Http(f"http://127.0.0.1:{servers.dashboard_port}")
        assert client.login("pg.tutor", "a postgres password") == 303
        status, body = client.request("GET", "/api/conversations?learner=pat")
        listing = json.loads(body)
        assert status == 200 and listing["total"] == 1
        item = listing["items"][0]
        assert (item["sender_id"], item["learner_name"], item["outcome"]) == ("pg-conv", "Pat Ng", "satisfied")
        assert item["overall"] >= 70
        status, page = client.request("GET", f"/conversations/{item['id']}")
        assert status == 200 and "I should have asked about the trip sooner." in page
        exported = coach("export", "--format", "json", "--database-url", postgres)
        assert exported.returncode == 0, exported.stderr
        (row,) = json.loads(exported.stdout)
        assert row["conversation_id"] == "pg-conv" and row["overall"] == item["overall"]
        report = coach("report", "pg-conv", "--database-url", postgres)
        assert report.returncode == 0 and "## Attempt 1: Late delivery" in report.stdout
    finally:
        servers.stop()
