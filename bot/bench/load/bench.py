"""Concurrent simulated learners against the coach and against a bare Rasa assistant.

The learners and their checks are in ``learners.py``; the per-stage breakdown of
``--profile`` is in ``profile.py``. Both assistants are started at once and played in
**interleaved rounds**: every learner sends its next few messages to the coach, then
its twin sends as many to the bare assistant (the order swaps each round), so that a
noisy moment on the machine hits both alike. Afterwards (when the bench started the
coach itself) the tracker store must hold exactly each learner's messages, in order.

The bare assistant is ``rasa init``'s scaffolding, trained once and cached, served
with Rasa's plain REST channel and the same SQLite tracker store, and played by
the same number of learners with the same number of messages and pauses.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.bench import BenchError
from bot.bench.load import profile
from bot.bench.load.learners import Conversation, Learner, Stats, bare_plans, coach_plans
from bot.domain.scenarios import default_library
from bot.ops.servers import Servers, _get, _sqlite_wal, api_token, child_env, free_port, new_token
from bot.settings import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "var" / "bench"
# rasa init's assistant, trained with its own config ("default": DIET, TED...) or with the
# lightest stock pipeline ("light": no TensorFlow at all), the stricter baseline for Rasa's own cost.
BARE_CONFIGS = {
    "light": (
        "language: en\nassistant_id: bare-light\npipeline:\n  - name: WhitespaceTokenizer\n"
        "  - name: CountVectorsFeaturizer\n  - name: LogisticRegressionClassifier\n"
        "policies:\n  - name: MemoizationPolicy\n  - name: RulePolicy\n"
    ),
    "default": None,
}
LOG_DIR = PROJECT_ROOT / "var" / "log" / "bench"
ROUND_MESSAGES = 4  # messages each learner sends to one assistant before the other one's turn
TIMED_STORE = "bot.bench.load.timed_store.TimedSQLTrackerStore"
# Issue 20's targets.
TARGET_P95_MS = 150.0
TARGET_RATIOS = {"p95": 1.5, "p99": 2.0}
TARGET_LATE_TURN = 1.2  # the late turn within 20% of turn 5


# -- rounds ---------------------------------------------------------------------------------
@dataclass
class Side:
    """One assistant under test: where to post, and its learners' conversations."""

    stats: Stats
    webhook: str
    headers: Dict[str, str]
    conversations: List[Conversation] = field(default_factory=list)

    @classmethod
    def of(cls, name: str, webhook: str, token: Optional[str], plans: List[Learner], coach: bool) -> "Side":
        stats = Stats(name, learners=len(plans))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return cls(stats, webhook, headers, [Conversation(plan, stats, coach) for plan in plans])

    async def play_round(self, session) -> None:
        started = time.perf_counter()
        await asyncio.gather(*(c.play(session, self.webhook, self.headers, ROUND_MESSAGES) for c in self.conversations))
        self.stats.wall += time.perf_counter() - started

    @property
    def done(self) -> bool:
        return all(c.done for c in self.conversations)


async def play_interleaved(sides: List[Side]) -> None:
    """Round after round, each side in turn (the order swaps every round) until every message is sent."""
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        number = 0
        while not all(side.done for side in sides):
            for side in sides if number % 2 == 0 else list(reversed(sides)):
                await side.play_round(session)
            number += 1
    for side in sides:
        for conversation in side.conversations:
            conversation.finish()


def check_tracker_store(db: Path, stats: Stats) -> int:
    """Compare each learner's stored messages with what it sent; returns how many matched."""
    matched = 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for sender, texts in stats.sent.items():
            rows = conn.execute(
                "select data from events where sender_id = ? and type_name = 'user' order by id", (sender,)
            ).fetchall()
            stored = [json.loads(row[0]).get("text") for row in rows]
            if stored == texts:
                matched += 1
            else:
                stats.crosstalk.append(
                    f"{sender}: the tracker store holds {len(stored)} messages, not the {len(texts)} it sent in order"
                )
    return matched


# -- the bare assistant ----------------------------------------------------------------------
def ensure_bare_model(path: Optional[str] = None, config: str = "light") -> Path:
    """rasa init's assistant with ``config``, trained once and cached in var/bench/."""
    if path:
        if not Path(path).is_file():
            raise BenchError(f"no bare model at {path}")
        return Path(path)
    target = BENCH_DIR / f"bare-rasa-{config}.tar.gz"
    if target.is_file():
        return target
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(
        f"Building the bare Rasa assistant once (rasa init's scaffold, {config} config; about 1-2 minutes)...",
        file=sys.stderr,
        flush=True,
    )
    import importlib.util

    # what `rasa init` copies (found without importing Rasa)
    scaffold = Path(importlib.util.find_spec("rasa").origin).parent / "cli" / "initial_project"
    with tempfile.TemporaryDirectory(prefix="coach-bare-") as tmp:
        project = Path(tmp) / "bare"
        shutil.copytree(scaffold, project)
        if BARE_CONFIGS[config]:
            (project / "config.yml").write_text(BARE_CONFIGS[config])
        log = BENCH_DIR / f"bare-{config}-train.log"
        with open(log, "wb") as out:
            run = subprocess.run(
                [sys.executable, "-m", "rasa", "train", "--out", "models"],
                cwd=project,
                env=child_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        models = sorted((project / "models").glob("*.tar.gz"))
        if run.returncode != 0 or not models:
            raise BenchError(f"building the bare assistant failed (exit {run.returncode}); see {log}")
        shutil.copyfile(models[-1], target.with_suffix(".tmp"))
        os.replace(target.with_suffix(".tmp"), target)
    return target


class BareRasa:
    """rasa run with the stock REST channel and a SQLite tracker store; no action server."""

    def __init__(self, model: Path, workdir: Path):
        self.model = model
        self.workdir = workdir
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        (self.workdir / "credentials.yml").write_text("rest:\n")
        (self.workdir / "endpoints.yml").write_text(
            f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{self.workdir / "bare.db"}"\n'
        )
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = open(LOG_DIR / f"bare-rasa-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--model",
                str(self.model),
                "--port",
                str(self.port),
                "--interface",
                "127.0.0.1",
                "--endpoints",
                str(self.workdir / "endpoints.yml"),
                "--credentials",
                str(self.workdir / "credentials.yml"),
            ],
            cwd=self.workdir,
            env=child_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the bare Rasa server exited (code {self.process.returncode}); see {LOG_DIR}")
            if (_get(self.url + "/") or "").startswith("Hello from Rasa"):
                return
            time.sleep(0.5)
        raise BenchError(f"the bare Rasa server was not ready after {timeout:.0f} s; see {LOG_DIR}")

    def stop(self) -> None:
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# -- the command -----------------------------------------------------------------------------
def _row(name: str, f: Dict[str, Any]) -> str:
    return (
        f"{name:<17}{f['turns']:>7}{f['errors']:>8}{f['p50_ms']:>9.1f}{f['p95_ms']:>9.1f}{f['p99_ms']:>9.1f}"
        f"{f['max_ms']:>9.1f}{f['turns_per_s']:>10.1f}"
    )


def _met(value: float, target: float, unit: str = "") -> str:
    return f"target <= {target:g}{unit}: {'met' if value <= target else 'NOT met'}"


def ratio_lines(coach: Dict[str, Any], bare: Dict[str, Any]) -> Tuple[List[str], Dict[str, float]]:
    """The coach / bare ratio of each percentile, with the targets."""
    ratios = {p: coach[f"{p}_ms"] / bare[f"{p}_ms"] if bare[f"{p}_ms"] else float("inf") for p in ("p50", "p95", "p99")}
    parts = [
        f"{p} {r:.2f}" + (f" ({_met(r, TARGET_RATIOS[p])})" if p in TARGET_RATIOS else "") for p, r in ratios.items()
    ]
    return ["\nratio coach / bare Rasa: " + ", ".join(parts)], ratios


def by_turn_lines(found: Dict[str, Any]) -> List[str]:
    """Turn 5 against the same message late in the conversation (with --turns)."""
    lines = []
    if found["early_ms"] is not None and found["late_ms"] is not None:
        late = found["late_turns"]
        where = f"turn {late[0]}" if len(late) == 1 else f"turns {late[0]}-{late[-1]}"
        ratio = found["late_ms"] / found["early_ms"]
        lines.append(
            f"coach latency by turn (median over learners): turn {found['early_turn']} {found['early_ms']:.1f} ms, "
            f"the same message in the last attempt ({where}) {found['late_ms']:.1f} ms: "
            f"ratio {ratio:.2f} ({_met(ratio, TARGET_LATE_TURN)})"
        )
    if found["first_attempt_ms"] is not None and found["last_attempt_ms"] is not None:
        lines.append(
            f"  median turn of the first attempt {found['first_attempt_ms']:.1f} ms, of the last whole attempt "
            f"{found['last_attempt_ms']:.1f} ms (the same messages)"
        )
    return lines


def _start_coach(args, tmp: Path) -> Servers:
    print("Starting the coach servers...", file=sys.stderr, flush=True)
    db = tmp / "coach.db"
    servers = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        tracker_db=db,
        log_dir=LOG_DIR,
        token=new_token(24),
    )
    if args.profile:  # the same SQLite file and code, with each read and write timed
        _sqlite_wal(db)
        servers.tracker_store = {
            "type": TIMED_STORE,
            "dialect": "sqlite",
            "db": str(db),
            "timings": str(tmp / "timings.jsonl"),
        }
    servers.action_workers = args.action_workers
    if hasattr(servers, "dashboard_port"):
        servers.dashboard_port = None  # the tutor dashboard takes no part in chat turns
    servers.start()
    return servers


def run_command(args) -> int:
    if args.profile and args.url:
        raise BenchError("--profile reads the servers' own timings: let the bench start the coach (no --url)")
    run_id = secrets.token_hex(3)
    plans = coach_plans(default_library(), args.learners, args.think, args.seed, run_id, args.turns)
    servers: Optional[Servers] = None
    bare: Optional[BareRasa] = None
    tmp = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    try:
        if not args.no_bare:
            bare = BareRasa(ensure_bare_model(args.bare_model, args.bare_config), tmp)
            bare.start()
        if args.url:
            webhook, token, db = args.url.rstrip("/") + "/webhooks/rest/webhook", args.token or api_token(), None
        else:
            servers = _start_coach(args, tmp)
            webhook, token, db = servers.webhook, servers.token, tmp / "coach.db"
        sides = [Side.of("complaint-coach", webhook, token, plans, coach=True)]
        if bare:
            bare.wait_ready()
            bare_webhook = bare.url + "/webhooks/rest/webhook"
            sides.append(Side.of("bare Rasa", bare_webhook, None, bare_plans(plans, run_id), coach=False))
        against = " and the bare Rasa assistant, in interleaved rounds" if bare else ""
        print(f"Playing {args.learners} learners against the coach{against}...", file=sys.stderr, flush=True)
        asyncio.run(play_interleaved(sides))
        coach = sides[0].stats
        base = sides[1].stats if bare else None
        stored_ok = check_tracker_store(db, coach) if db else None
        stages = None
        if args.profile and servers is not None:
            log = LOG_DIR / f"actions-{servers.actions_port}.log"
            stages = profile.breakdown(coach, plans, log, tmp / "timings.jsonl")
    except (RuntimeError, TimeoutError, FileNotFoundError) as exc:
        raise BenchError(str(exc)) from exc
    finally:
        if servers:
            servers.stop()
        if bare:
            bare.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return report(args, plans, coach, base, stored_ok, stages)


def report(args, plans: List[Learner], coach: Stats, base: Optional[Stats], stored_ok, stages) -> int:
    """Print the figures (and write them as JSON with --json); 1 on any error or cross-talk."""
    cf = coach.figures()
    length = (
        f"{args.turns} messages each (the script, played again after `restart`)"
        if args.turns
        else "a whole scenario each"
    )
    print(
        f"\ncoach bench-load: {args.learners} concurrent learners, {length}, over HTTP (REST channel), "
        f"pause {args.think:g} s ±50% between messages, {os.cpu_count()} cores\n"
    )
    print(f"{'':<17}{'turns':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'turns/s':>10}")
    print(_row("complaint-coach", cf))
    result: Dict[str, Any] = {"learners": args.learners, "think": args.think, "turns": args.turns, "coach": cf}
    if base:
        bf = base.figures()
        print(_row("bare Rasa", bf))
        lines, ratios = ratio_lines(cf, bf)
        print("\n".join(lines))
        result.update(bare=bf, ratios=ratios, p95_ratio=ratios["p95"])
    print(f"coach p95 {cf['p95_ms']:.0f} ms ({_met(cf['p95_ms'], TARGET_P95_MS, ' ms')}); errors {cf['errors']}")
    found = profile.latency_by_turn(coach, plans)
    result["by_turn"] = found
    for line in by_turn_lines(found):
        print(line)
    checks = [
        f"{sum(len(v) for v in coach.sent.values())} answered messages all addressed to their own learner",
        "turn numbers 0,1,2,... in every attempt",
        f"{coach.scorecards_ok}/{coach.scorecards_expected} scorecards match the learner's scenario, persona and difficulty",
    ]
    if stored_ok is not None:
        checks.append(
            f"{stored_ok}/{len(plans)} conversations in the tracker store hold exactly the learner's messages in order"
        )
    print(
        ("cross-talk: none (" if not coach.crosstalk else f"cross-talk: {len(coach.crosstalk)} problem(s) (")
        + "; ".join(checks)
        + ")"
    )
    for problem in (coach.crosstalk + coach.errors + (base.errors + base.crosstalk if base else []))[:20]:
        print(f"  ! {problem}")
    if stages is not None:
        print("\n".join(profile.breakdown_lines(stages)))
        result["profile"] = stages
    result.update(
        crosstalk=coach.crosstalk,
        errors=coach.errors,
        stored_ok=stored_ok,
        scorecards_ok=coach.scorecards_ok,
        scorecards_expected=coach.scorecards_expected,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    bad = coach.errors or coach.crosstalk or (base and (base.errors or base.crosstalk))
    return 1 if bad else 0
