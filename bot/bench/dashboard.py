"""``coach bench-dashboard``: seed N conversations into a temporary tracker store, then time the
dashboard's conversation list over real HTTP with a range of filters (p50/p95 in ms).

Conversations are generated learners playing random scenarios, personas and difficulties with
a mix of good and poor lines, played through the real coach (customer simulation and scoring)
and written as the events Rasa stores (see ``bot.tutor.seed``).
"""

from __future__ import annotations

import http.client
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlencode

from bot.domain.scenarios import default_library
from bot.ops.servers import child_env, free_port
from bot.tutor import auth, indexer, seed
from bot.tutor.db import attempt_flags, attempts, create_events_table, make_engine, sqlite_url

SPAN_DAYS = 120
START = 1.76e9  # early November 2025


def _generate(job: Tuple[int, int, int]) -> List[dict]:
    first, last, learners = job
    library = default_library()
    out: List[dict] = []
    for number in range(first, last):
        rng = random.Random(number)
        sender, recorded = seed.generated_conversation(library, number, rng, learners, START, SPAN_DAYS * 86400)
        out.extend(seed.rows(sender, recorded))
    return out


def seed_database(url: str, conversations: int, learners: int, progress=print) -> Dict[str, float]:
    engine = make_engine(url)
    create_events_table(engine)
    chunk = 250
    jobs = [(i, min(i + chunk, conversations), learners) for i in range(0, conversations, chunk)]
    started = time.perf_counter()
    events = 0
    with get_context("fork").Pool(processes=max(1, os.cpu_count() or 1)) as pool:
        for done, rows in enumerate(pool.imap(_generate, jobs), start=1):
            seed.write(engine, rows)
            events += len(rows)
            if done % 8 == 0 or done == len(jobs):
                progress(f"  seeded {min(done * chunk, conversations)}/{conversations} conversations ({events} events)")
    engine.dispose()
    return {"seconds": time.perf_counter() - started, "events": events}


class Client:
    """A tutor's browser, reduced to what the benchmark needs: cookies and a kept-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: Dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: Optional[dict] = None) -> Tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def login(self, name: str, password: str) -> None:
        status, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "POST", "/login", {"name": name, "password": password, "csrf_token": token, "next": "/conversations"}
        )
        if status != 303:
            raise RuntimeError(f"could not sign in to the dashboard (HTTP {status})")


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the dashboard exited during start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the dashboard was not ready")


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(args) -> None:
    from sqlalchemy import func, select

    workdir = Path(tempfile.mkdtemp(prefix="coach-bench-dashboard-"))
    db_path = Path(args.keep) if args.keep else workdir / "coach.db"
    if db_path.exists():
        db_path.unlink()
    url = sqlite_url(db_path)
    process = None
    try:
        print(f"Seeding {args.conversations} conversations by {args.learners} learners into {db_path} ...", flush=True)
        seeded = seed_database(url, args.conversations, args.learners, progress=lambda m: print(m, flush=True))
        print(f"seeded in {seeded['seconds']:.1f} s ({seeded['events']} tracker events)", flush=True)
        engine = make_engine(url)
        started = time.perf_counter()
        changed = indexer.sync(engine)
        index_seconds = time.perf_counter() - started
        with engine.connect() as db:
            flags = [
                f
                for (f,) in db.execute(
                    select(attempt_flags.c.flag).group_by(attempt_flags.c.flag).order_by(func.count().desc())
                )
            ]
            scored = db.execute(
                select(func.count()).select_from(attempts).where(attempts.c.overall.isnot(None))
            ).scalar()
            a_learner = db.execute(select(attempts.c.learner_name).limit(1)).scalar() or "a"
        print(f"indexed {changed} attempts ({scored} scored) in {index_seconds:.1f} s", flush=True)
        password = secrets.token_urlsafe(12)
        auth.add_tutor(engine, "bench", password)
        engine.dispose()

        port = free_port()
        env = child_env()
        env["COACH_DATABASE_URL"] = url
        log = open(workdir / "dashboard.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "dashboard", "--port", str(port), "--host", "127.0.0.1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_ready(port, process)
        client = Client(port)
        client.login("bench", password)
        mid = time.strftime("%Y-%m-%d", time.gmtime(START + SPAN_DAYS * 86400 / 2))
        late = time.strftime("%Y-%m-%d", time.gmtime(START + SPAN_DAYS * 86400 * 0.6))
        cases = [
            ("no filter, page 1", {}),
            ("no filter, page 100", {"page": 100}),
            ("scenario", {"scenario": "late_delivery"}),
            ("outcome + persona", {"outcome": "satisfied", "persona": "angry"}),
            ("flag", {"flag": flags[0] if flags else "blamed_customer"}),
            ("rare flag, page 2", {"flag": flags[-1] if flags else "over_promise", "page": 2}),
            ("learner name search", {"learner": a_learner.split()[0].lower()}),
            ("channel + difficulty", {"channel": "slack", "difficulty": "hard"}),
            ("date range", {"date_from": mid, "date_to": late}),
            ("score range", {"score_min": 40, "score_max": 70}),
            (
                "everything",
                {
                    "scenario": "billing_error",
                    "outcome": "unsatisfied",
                    "difficulty": "standard",
                    "flag": flags[0] if flags else "blamed_customer",
                    "score_max": 60,
                    "date_from": mid,
                },
            ),
        ]
        for _ in range(3):  # warm-up
            client.request("GET", "/conversations")
        all_times: List[float] = []
        print(
            f"\nGET /conversations over HTTP, {args.requests} requests per case ({args.conversations} conversations):"
        )
        print(f"  {'case':<24}{'rows':>7}{'p50 ms':>9}{'p95 ms':>9}")
        for label, params in cases:
            path = "/conversations" + ("?" + urlencode(params) if params else "")
            times = []
            rows = "?"
            for _ in range(args.requests):
                start = time.perf_counter()
                status, page = client.request("GET", path)
                times.append((time.perf_counter() - start) * 1000)
                if status != 200:
                    raise RuntimeError(f"{path} answered HTTP {status}")
            found = re.search(r'data-testid="result-count">(\d+)', page)
            rows = found.group(1) if found else rows
            all_times += times
            print(f"  {label:<24}{rows:>7}{statistics.median(times):>9.1f}{percentile(times, 0.95):>9.1f}")
        print(
            f"\nall {len(all_times)} list requests: p50 {statistics.median(all_times):.1f} ms, "
            f"p95 {percentile(all_times, 0.95):.1f} ms, max {max(all_times):.1f} ms"
        )
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if args.keep:
            print(f"kept the database at {db_path}")
        shutil.rmtree(workdir, ignore_errors=True)
