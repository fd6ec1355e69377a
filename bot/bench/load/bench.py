"""Concurrent simulated learners against the coach and against a bare Rasa assistant.

Each learner is its own conversation (``sender``), plays a whole scenario script
over the REST channel with a seeded pause between messages, and checks every
reply it gets:

- every reply is addressed to it (``recipient_id`` is its own sender id);
- the customer's turn numbers run 0, 1, 2, 3... with no gap or repeat;
- the scorecard names the scenario, persona and difficulty it chose;
- no reply is an error notice (coach unavailable, store failed) or an HTTP error;
- afterwards (when the bench started the coach itself) the tracker store holds
  exactly this learner's messages, in the order sent.

The bare assistant is ``rasa init``'s scaffolding, trained once and cached, served
with Rasa's plain REST channel and the same SQLite tracker store, and played by
the same number of learners with the same number of turns and pauses.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
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
from bot.domain.scenarios import default_library
from bot.ops.servers import Servers, _get, api_token, child_env, free_port
from bot.settings import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "data" / "scripts"
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
REQUEST_TIMEOUT = 60.0
TARGET_P95_MS = 300.0
TARGET_RATIO = 1.5

# The bare assistant is rasa init's mood bot; its learners say these, in turn.
BARE_LINES = [
    "hello",
    "I am feeling very sad",
    "yes",
    "that helped, thank you",
    "great, I'm happy now",
    "are you a bot?",
    "good morning",
    "not really",
    "I am sad",
    "goodbye",
]


@dataclass
class Learner:
    sender: str
    messages: List[Tuple[str, Optional[Dict[str, Any]]]]
    pauses: List[float]
    setup: Optional[Dict[str, Any]] = None


@dataclass
class Stats:
    name: str
    latencies: List[float] = field(default_factory=list)  # seconds, one per answered HTTP request
    errors: List[str] = field(default_factory=list)
    crosstalk: List[str] = field(default_factory=list)
    sent: Dict[str, List[str]] = field(default_factory=dict)  # sender -> texts that were answered
    scorecards_ok: int = 0
    learners: int = 0
    wall: float = 0.0

    def figures(self) -> Dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "learners": self.learners,
            "turns": len(ordered),
            "errors": len(self.errors),
            "crosstalk": len(self.crosstalk),
            "p50_ms": percentile(ordered, 50) * 1000,
            "p95_ms": percentile(ordered, 95) * 1000,
            "p99_ms": percentile(ordered, 99) * 1000,
            "max_ms": (ordered[-1] * 1000 if ordered else 0.0),
            "turns_per_s": len(ordered) / self.wall if self.wall else 0.0,
            "seconds": self.wall,
        }


def percentile(ordered: List[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[min(rank, len(ordered)) - 1]


# -- plans --------------------------------------------------------------------------------
def _scripts(library) -> List[Tuple[str, str, List[str]]]:
    """(scenario, kind, lines) for every scenario with a good or poor script in data/scripts."""
    found = []
    for scenario_id in sorted(library.scenarios):
        for kind in ("good", "poor"):
            path = SCRIPTS / f"{scenario_id}.{kind}.txt"
            if path.is_file():
                lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
                if lines and lines[-1].lower() != "end":
                    lines.append("end")
                found.append((scenario_id, kind, lines))
    if not found:
        raise BenchError(f"no learner scripts (*.good.txt / *.poor.txt) in {SCRIPTS}")
    return found


def _pauses(rng: random.Random, count: int, think: float) -> List[float]:
    return [rng.uniform(0.5 * think, 1.5 * think) if think > 0 else 0.0 for _ in range(count)]


def coach_plans(count: int, think: float, seed: int, run_id: str) -> List[Learner]:
    library = default_library()
    scripts = _scripts(library)
    personas = [p.id for p in library.course.personas]
    difficulties = [d.id for d in library.course.difficulties]
    rng = random.Random(seed)
    plans = []
    for index in range(count):
        scenario, _, lines = scripts[index % len(scripts)]
        setup = {
            "scenario": scenario,
            "persona": personas[index % len(personas)],
            "difficulty": difficulties[(index // len(personas)) % len(difficulties)],
            "seed": seed * 1000 + index,
            "mode": "practice",
        }
        messages = [("start", {"coach": {"start": setup}})] + [(line, None) for line in lines]
        pauses = _pauses(rng, len(messages), think)
        pauses[0] = rng.uniform(0, think) if think > 0 else 0.0  # learners arrive spread over one pause
        plans.append(Learner(f"load-{run_id}-{index:03d}", messages, pauses, setup))
    return plans


def bare_plans(coach: List[Learner], think: float, seed: int, run_id: str) -> List[Learner]:
    """As many bare learners as coach ones, each sending as many messages with the same pauses."""
    plans = []
    for index, twin in enumerate(coach):
        messages = [(BARE_LINES[(index + n) % len(BARE_LINES)], None) for n in range(len(twin.messages))]
        plans.append(Learner(f"bare-{run_id}-{index:03d}", messages, list(twin.pauses)))
    return plans


# -- learners ------------------------------------------------------------------------------
async def _post(
    session, webhook: str, headers: Dict[str, str], sender: str, text: str, metadata: Optional[Dict[str, Any]]
) -> Tuple[int, Any, float]:
    import aiohttp

    body: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    started = time.perf_counter()
    async with session.post(
        webhook, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    ) as response:
        raw = await response.read()
    elapsed = time.perf_counter() - started
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        payload = raw[:200]
    return response.status, payload, elapsed


async def play_coach_learner(session, webhook: str, headers: Dict[str, str], plan: Learner, stats: Stats) -> None:
    last_turn: Optional[int] = None
    scorecard = None
    answered: List[str] = []
    for (text, metadata), pause in zip(plan.messages, plan.pauses):
        await asyncio.sleep(pause)
        try:
            status, payload, elapsed = await _post(session, webhook, headers, plan.sender, text, metadata)
        except Exception as exc:  # timeouts, refused connections
            stats.errors.append(f"{plan.sender}: {text[:40]!r}: {type(exc).__name__}: {exc}")
            continue
        stats.latencies.append(elapsed)
        if status != 200 or not isinstance(payload, list) or not payload:
            stats.errors.append(f"{plan.sender}: {text[:40]!r}: HTTP {status}: {str(payload)[:200]}")
            continue
        failed = False
        for item in payload:
            if item.get("recipient_id") != plan.sender:
                stats.crosstalk.append(f"{plan.sender} got a reply addressed to {item.get('recipient_id')!r}")
            custom = item.get("custom") or {}
            meta = custom.get("coach") or {}
            if meta.get("error"):
                stats.errors.append(f"{plan.sender}: {text[:40]!r}: {meta['error']}: {item.get('text', '')[:120]}")
                failed = True
            if meta.get("speaker") == "customer" and isinstance(meta.get("turn"), int):
                expected = 0 if last_turn is None else last_turn + 1
                if meta["turn"] != expected:
                    stats.crosstalk.append(f"{plan.sender}: turn {meta['turn']} after turn {last_turn}")
                last_turn = meta["turn"]
            if "scorecard" in custom:
                scorecard = custom["scorecard"]
        if not failed:
            answered.append(text)
        if scorecard is not None:
            break
    stats.sent[plan.sender] = answered
    if plan.setup is not None:
        if not last_turn:
            stats.crosstalk.append(f"{plan.sender}: the customer never answered a learner turn")
        if scorecard is None:
            stats.errors.append(f"{plan.sender}: no scorecard at the end")
        elif all(scorecard.get(k) == plan.setup[k] for k in ("scenario", "persona", "difficulty")):
            stats.scorecards_ok += 1
        else:
            stats.crosstalk.append(
                f"{plan.sender}: scorecard for {scorecard.get('scenario')}/"
                f"{scorecard.get('persona')}/{scorecard.get('difficulty')}, chose "
                f"{plan.setup['scenario']}/{plan.setup['persona']}/{plan.setup['difficulty']}"
            )


async def play_bare_learner(session, webhook: str, headers: Dict[str, str], plan: Learner, stats: Stats) -> None:
    answered = []
    for (text, metadata), pause in zip(plan.messages, plan.pauses):
        await asyncio.sleep(pause)
        try:
            status, payload, elapsed = await _post(session, webhook, headers, plan.sender, text, metadata)
        except Exception as exc:
            stats.errors.append(f"{plan.sender}: {text!r}: {type(exc).__name__}: {exc}")
            continue
        stats.latencies.append(elapsed)
        if status != 200 or not isinstance(payload, list):  # the mood bot may rightly say nothing
            stats.errors.append(f"{plan.sender}: {text!r}: HTTP {status}: {str(payload)[:200]}")
            continue
        for item in payload:
            if item.get("recipient_id") != plan.sender:
                stats.crosstalk.append(f"{plan.sender} got a reply addressed to {item.get('recipient_id')!r}")
        answered.append(text)
    stats.sent[plan.sender] = answered


async def run_learners(name: str, webhook: str, token: Optional[str], plans: List[Learner], coach: bool) -> Stats:
    import aiohttp

    stats = Stats(name, learners=len(plans))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    player = play_coach_learner if coach else play_bare_learner
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(player(session, webhook, headers, plan, stats) for plan in plans))
        stats.wall = time.perf_counter() - started
    return stats


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


def run_command(args) -> int:
    run_id = secrets.token_hex(3)
    plans = coach_plans(args.learners, args.think, args.seed, run_id)
    servers: Optional[Servers] = None
    bare: Optional[BareRasa] = None
    tmp = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    try:
        if not args.no_bare:
            bare = BareRasa(ensure_bare_model(args.bare_model, args.bare_config), tmp)
            bare.start()
        if args.url:
            webhook = args.url.rstrip("/") + "/webhooks/rest/webhook"
            token = args.token or api_token()
            db = None
        else:
            print("Starting the coach servers...", file=sys.stderr, flush=True)
            db = tmp / "coach.db"
            servers = Servers(
                rasa_port=free_port(),
                actions_port=free_port(),
                tracker_db=db,
                log_dir=LOG_DIR,
                token=secrets.token_urlsafe(24),
            )
            servers.action_workers = args.action_workers
            if hasattr(servers, "dashboard_port"):
                servers.dashboard_port = None  # the tutor dashboard takes no part in chat turns
            servers.start()
            webhook, token = servers.webhook, servers.token
        if bare:
            bare.wait_ready()
        print(f"Playing {args.learners} learners against the coach...", file=sys.stderr, flush=True)
        coach = asyncio.run(run_learners("complaint-coach", webhook, token, plans, coach=True))
        stored_ok = check_tracker_store(db, coach) if db else None
        base = None
        if bare:
            print(f"Playing {args.learners} learners against the bare Rasa assistant...", file=sys.stderr, flush=True)
            base = asyncio.run(
                run_learners(
                    "bare Rasa",
                    bare.url + "/webhooks/rest/webhook",
                    None,
                    bare_plans(plans, args.think, args.seed, run_id),
                    coach=False,
                )
            )
    except (RuntimeError, TimeoutError, FileNotFoundError) as exc:
        raise BenchError(str(exc)) from exc
    finally:
        if servers:
            servers.stop()
        if bare:
            bare.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    cf = coach.figures()
    print(
        f"\ncoach bench-load: {args.learners} concurrent learners, each a whole scenario over HTTP "
        f"(REST channel), pause {args.think:g} s ±50% between messages, {os.cpu_count()} cores\n"
    )
    print(f"{'':<17}{'turns':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'turns/s':>10}")
    print(_row("complaint-coach", cf))
    result: Dict[str, Any] = {"learners": args.learners, "think": args.think, "coach": cf}
    if base:
        bf = base.figures()
        print(_row("bare Rasa", bf))
        ratio = cf["p95_ms"] / bf["p95_ms"] if bf["p95_ms"] else float("inf")
        result.update(bare=bf, p95_ratio=ratio)
        print(
            f"\np95 ratio coach / bare Rasa: {ratio:.2f} (target <= {TARGET_RATIO}: "
            f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})"
        )
    print(
        f"coach p95 {cf['p95_ms']:.0f} ms (target <= {TARGET_P95_MS:.0f} ms: "
        f"{'met' if cf['p95_ms'] <= TARGET_P95_MS else 'NOT met'}); errors {cf['errors']}"
    )
    checks = [
        f"{sum(len(v) for v in coach.sent.values())} answered messages all addressed to their own learner",
        "turn numbers 0,1,2,... in every conversation",
        f"{coach.scorecards_ok}/{len(plans)} scorecards match the learner's scenario, persona and difficulty",
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
    result.update(
        crosstalk=coach.crosstalk, errors=coach.errors, stored_ok=stored_ok, scorecards_ok=coach.scorecards_ok
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    bad = coach.errors or coach.crosstalk or (base and (base.errors or base.crosstalk))
    return 1 if bad else 0
