"""Whole conversations for ``coach bench-customer``: does each script end as a fair expert expects?

The frozen scripts (``tests/data/customer_conversations_*.jsonl``) are learner messages for a
whole conversation, written by people who saw only a scenario's story, facts, remedies and
policy, never the customer's replies, patterns or keyword lists. Skilled scripts should end
the way the writer (checked by a second reader) expects; poor ones unsatisfied or abandoned.

Each script is played in-process through the same ``Session`` the Rasa actions use, with the
real move detector, so what is measured is what a learner gets. Contradictions are counted
from the customer's own record of each turn:

- *declined goal*: an offer holding a remedy the customer wants was declined;
- *refused close*: the learner checked or closed once the remedy was agreed and the customer
  said nothing had been resolved;
- *fact twice*: a fact told as new a second time.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

from bot.bench import BenchError, frozen_sets
from bot.bench.evaluation import p50_p95
from bot.domain.customer.customer import TurnResult
from bot.domain.moves.detector import MoveDetector
from bot.domain.scenarios.loader import Library
from bot.domain.session.session import LearnerInput, Session
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DEV = DATA / "customer_conversations_dev.jsonl"
TEST = DATA / "customer_conversations_test.jsonl"
OUTCOMES = ("satisfied", "escalated", "unsatisfied", "abandoned")
MISSED_KINDS = ("clarify", "unclear", "asked_other", "offer_vague")
Detect = Callable[[str], Tuple[List[str], List[Dict]]]
Script = Dict


def read_scripts(path: Path) -> List[Script]:
    if not path.exists():
        raise BenchError(f"{path} is missing: the conversation scripts are frozen in tests/data/")
    scripts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for script in scripts:
        if script.get("expected_outcome") not in OUTCOMES or not script.get("lines"):
            raise BenchError(f"{path}: script {script.get('id')!r} needs an expected_outcome and lines")
    return scripts


def detector_reader(detector: MoveDetector) -> Detect:
    def detect(text: str) -> Tuple[List[str], List[Dict]]:
        found = detector.detect(text)
        hits = [{"move": h.move, "quote": h.quote, "source": h.source} for h in found.hits]
        return found.moves, hits

    return detect


def play(script: Script, library: Library, detect: Detect, seed: int = 1) -> Dict:
    """Play one script; returns the outcome, the customer's turns and the time each reply took."""
    session = Session(f"bench-{script['id']}", library)
    start = {k: script[k] for k in ("scenario", "persona", "difficulty")}
    session.handle(LearnerInput("start", metadata={"coach": {"start": dict(start, seed=seed)}}))
    attempt = session.attempt
    if attempt is None:
        raise BenchError(f"script {script['id']}: cannot start {start}")
    timings: List[float] = []
    unheard = 0
    for line in script["lines"]:
        if attempt.customer.outcome:
            unheard += 1
            continue
        moves, hits = detect(line)
        started = time.perf_counter()
        session.handle(LearnerInput(line, moves=moves, hits=hits))
        timings.append((time.perf_counter() - started) * 1000)
    outcome = attempt.customer.outcome or attempt.customer.end_by_learner()
    return {"outcome": outcome, "turns": attempt.turns, "timings": timings, "unheard": unheard}


def contradictions(turns: Sequence[TurnResult], satisfying: Sequence[str]) -> Counter:
    found: Counter = Counter()
    agreed = False
    told: set = set()
    for turn in turns:
        offered = {
            o["remedy"] for o in turn.understood.get("options", []) if o["polarity"] in ("offered", "conditional")
        }
        if turn.reply_kind == "declined_remedy" and offered & set(satisfying):
            found["declined goal"] += 1
        if agreed and turn.reply_kind == "not_resolved":
            found["refused close"] += 1
        twice = len(set(turn.revealed) & told)
        if twice:
            found["fact twice"] += twice
        told |= set(turn.revealed)
        agreed = agreed or bool({"accepted", "escalated"} & set(turn.events))
    return found


def score_scripts(scripts: Sequence[Script], library: Library, detect: Detect) -> Dict:
    rows, timings = [], []
    total: Counter = Counter()
    for script in scripts:
        played = play(script, library, detect)
        scenario = library.scenarios[script["scenario"]]
        found = contradictions(played["turns"], [r.id for r in scenario.remedies if r.satisfies])
        total.update(found)
        timings += played["timings"]
        missed = sum(1 for t in played["turns"] if t.reply_kind in MISSED_KINDS and t.moves)
        rows.append(
            dict(
                id=script["id"],
                quality=script["quality"],
                expected=script["expected_outcome"],
                got=played["outcome"],
                turns=len(played["turns"]),
                unheard=played["unheard"],
                missed=missed,
                contradictions=sum(found.values()),
                kinds=[t.reply_kind for t in played["turns"]],
            )
        )
    return {"rows": rows, "contradictions": total, "timings": timings}


def _fits(row: Dict) -> bool:
    if row["quality"] == "poor":
        return row["got"] in ("unsatisfied", "abandoned")
    return row["got"] == row["expected"]


def table_lines(name: str, result: Dict) -> List[str]:
    rows = result["rows"]
    lines = [f"{name}: whole conversations", f"  {'script':34} {'expected':>11} {'ended':>11}  turns  replies missed"]
    for row in rows:
        mark = "" if _fits(row) else "   <- differs"
        expected = "poor" if row["quality"] == "poor" else row["expected"]
        lines.append(f"  {row['id']:34} {expected:>11} {row['got']:>11}  {row['turns']:5d}  {row['missed']:5d}{mark}")
    for quality in ("skilled", "poor"):
        group = [r for r in rows if r["quality"] == quality]
        if group:
            want = "the expected outcome" if quality == "skilled" else "unsatisfied or abandoned"
            lines.append(f"  {quality} scripts ending in {want}: {sum(map(_fits, group))}/{len(group)}")
    skilled = [r for r in rows if r["quality"] == "skilled"]
    heard = sum(r["turns"] for r in skilled)
    lines.append(
        f"  replies to a skilled turn that missed it (clarify, unclear, asked_other, offer_vague): "
        f"{sum(r['missed'] for r in skilled)}/{heard}; learner lines sent after the customer left: "
        f"{sum(r['unheard'] for r in skilled)}"
    )
    counted = result["contradictions"]
    kinds = ", ".join(f"{k} {counted.get(k, 0)}" for k in ("declined goal", "refused close", "fact twice"))
    lines.append(f"  contradictions: {sum(counted.values())} ({kinds})")
    p50, p95 = p50_p95(result["timings"])
    lines.append(f"  understanding + reply per turn: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    return lines


def run(library: Library, detector: MoveDetector, release: bool) -> List[str]:
    sets = frozen_sets(DEV, TEST, release)
    lines: List[str] = []
    for name, path in sets:
        scripts = read_scripts(path)
        result = score_scripts(scripts, library, detector_reader(detector))
        lines += table_lines(f"{name}, {path.name}, {len(scripts)} scripts", result) + [""]
    return lines
