"""``coach bench-customer``: does the customer understand what the learner said?

It reads the frozen comprehension set (``tests/data/customer_comprehension_*.jsonl``): learner
messages written by people who saw only a scenario's story and the act to express, each
labelled with the act the customer must understand (a fact asked for, an open question, a
remedy offered, a choice, a refusal, a conditional offer, a commitment, a handover, a
satisfaction check, a closing). For every act type it prints the share understood by the act
parser (``bot.domain.customer.acts``) beside the keyword reading the customer used before it.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from bot.bench import BenchError, frozen_sets
from bot.bench.evaluation import p50_p95
from bot.domain.customer.acts import ActParser, LearnerAct
from bot.domain.customer.offers import analyse
from bot.domain.moves.detector import MoveDetector
from bot.domain.moves.text import normalise
from bot.domain.scenarios.schema import Scenario
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DEV = DATA / "customer_comprehension_dev.jsonl"
DEV2 = DATA / "customer_comprehension_dev2.jsonl"  # a second round by new writers (tests/data/README.md)
TEST = DATA / "customer_comprehension_test.jsonl"
ACT_TYPES = (
    "fact_question",
    "open_question",
    "remedy_offer",
    "choice_offer",
    "refusal",
    "refusal_with_alternative",
    "conditional_offer",
    "commitment",
    "handover",
    "satisfaction_check",
    "closing",
)
Row = Dict


def read_rows(path: Path) -> List[Row]:
    if not path.exists():
        raise BenchError(f"{path} is missing: the comprehension set is frozen in tests/data/")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    unknown = sorted({row["act"] for row in rows} - set(ACT_TYPES))
    if unknown:
        raise BenchError(f"{path}: unknown act type {unknown[0]!r}")
    return rows


def _words(text: str) -> set:
    return {w for w in normalise(text).split() if any(ch.isalnum() for ch in w)}


def understood(row: Row, act: LearnerAct) -> bool:
    """Whether the parsed act holds what the row says the customer must understand."""
    kind = row["act"]
    offered = set(act.remedies("offered"))
    if kind == "fact_question":
        return row["fact"] in act.facts_asked()
    if kind == "open_question":
        return act.asks_open()
    if kind == "remedy_offer":
        return row["remedy"] in offered
    if kind == "choice_offer":
        return set(row["remedies"]) <= set(act.remedies("offered", "conditional")) and act.asks_choice
    if kind == "refusal":
        return row["remedy"] in act.remedies("refused") and not offered
    if kind == "refusal_with_alternative":
        return row["remedy"] in act.remedies("refused") and row["alternative"] in offered
    if kind == "conditional_offer":
        return row["remedy"] in act.remedies("conditional")
    if kind == "commitment":
        return any(_words(row.get("when", "")) & _words(c.when) for c in act.commitments)
    if kind == "handover":
        return act.handover
    if kind == "satisfaction_check":
        return act.checks_satisfaction
    return act.closing


def keyword_understood(row: Row, text: str, moves: List[str], scenario: Scenario) -> Optional[bool]:
    """The customer's reading before the act parser: scenario keywords and the detected moves.

    ``None`` where that reading had no notion of the act (conditions, commitments).
    """
    kind = row["act"]
    offer = analyse(text, moves, scenario)
    norm = normalise(text)
    if kind == "fact_question":
        fact = next(f for f in scenario.facts if f.id == row["fact"])
        return "ask_question" in moves and any(f" {k.lower()} " in f" {norm} " for k in fact.ask_keywords)
    if kind == "open_question":
        return "ask_question" in moves and any(
            f" {k.lower()} " in f" {norm} " for f in scenario.facts for k in f.ask_keywords
        )
    if kind == "remedy_offer":
        return row["remedy"] in offer.remedies
    if kind == "choice_offer":
        return set(row["remedies"]) <= set(offer.remedies) and offer.choice
    if kind == "refusal":
        return row["remedy"] not in offer.remedies
    if kind == "refusal_with_alternative":
        return row["remedy"] not in offer.remedies and row["alternative"] in offer.remedies
    if kind in ("conditional_offer", "commitment"):
        return None
    move = {"handover": "escalate", "satisfaction_check": "check_satisfaction", "closing": "close"}[kind]
    return move in moves


def score_rows(rows: Sequence[Row], scenarios: Dict[str, Scenario], detect: Callable[[str], List[str]]) -> Dict:
    parsers = {sid: ActParser(scenario) for sid, scenario in scenarios.items()}
    tally: Dict[str, List[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, parser ok, keyword ok, keyword n
    misses: List[Dict] = []
    timings: List[float] = []
    for row in rows:
        scenario = scenarios[row["scenario"]]
        moves = detect(row["text"])
        started = time.perf_counter()
        act = parsers[row["scenario"]].parse(row["text"], moves)
        timings.append((time.perf_counter() - started) * 1000)
        ok = understood(row, act)
        baseline = keyword_understood(row, row["text"], moves, scenario)
        counts = tally[row["act"]]
        counts[0] += 1
        counts[1] += int(ok)
        if baseline is not None:
            counts[2] += int(baseline)
            counts[3] += 1
        if not ok:
            misses.append(
                {"id": row["id"], "act": row["act"], "text": row["text"], "parsed": act.dict(exclude={"text"})}
            )
    return {"tally": dict(tally), "misses": misses, "timings": timings}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    —"


def table_lines(name: str, result: Dict) -> List[str]:
    lines = [f"{name}: acts understood", f"  {'act':26} {'n':>4}  {'act parser':>10}  {'keywords (before)':>17}"]
    total = [0, 0, 0, 0]
    for kind in ACT_TYPES:
        counts = result["tally"].get(kind)
        if not counts:
            continue
        total = [a + b for a, b in zip(total, counts)]
        lines.append(
            f"  {kind:26} {counts[0]:4d}  {_percent(counts[1], counts[0]):>10}  {_percent(counts[2], counts[3]):>17}"
        )
    lines.append(f"  {'all':26} {total[0]:4d}  {_percent(total[1], total[0]):>10}  {_percent(total[2], total[3]):>17}")
    p50, p95 = p50_p95(result["timings"])
    lines.append(f"  act parser per message: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    return lines


def run(scenarios: Dict[str, Scenario], detector: MoveDetector, release: bool, misses: Optional[str]) -> int:
    sets = frozen_sets(DEV, TEST, release)
    sets.insert(1, ("dev 2", DEV2))
    every_miss: List[Dict] = []
    for name, path in sets:
        rows = read_rows(path)
        result = score_rows(rows, scenarios, lambda text: [h.move for h in detector.detect(text).hits])
        print("\n".join(table_lines(f"{name}, {path.name}, {len(rows)} messages", result)))
        print()
        every_miss += [dict(m, set=name) for m in result["misses"]]
    if misses:
        with open(misses, "w", encoding="utf-8") as handle:
            for miss in every_miss:
                handle.write(json.dumps(miss, ensure_ascii=False) + "\n")
        print(f"{len(every_miss)} acts not understood written to {misses}")
    return 0
