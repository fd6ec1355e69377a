"""``coach bench-steps``: does a step's evidence mean what the step's definition says?

Each item is one learner message, written by people who saw only the step definitions
(``counts`` in data/course/rubrics.yml), never the patterns or the training data, and
labelled by two annotators: either it performs the step ("counts") or it is a near miss
that must not be credited. Each message is played as the first turn of a practice in a
scenario close to its situation, through the real detector, customer and scoring; the step
counts as credited when its evidence cites that turn.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from bot.bench import frozen_sets
from bot.domain.assessment.scorecard import Scorecard
from bot.domain.moves.detector import MoveDetector
from bot.domain.scenarios.loader import Library
from bot.domain.session.commands import parse_command
from bot.domain.session.session import LearnerInput, Session
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DEV = DATA / "step_quotes_dev.jsonl"
TEST = DATA / "step_quotes_test.jsonl"

# The model each step is read from (the same definition holds wherever the step recurs).
STEP_MODEL = {
    "hear": "HEAT",
    "empathise": "HEAT",
    "apologise": "HEAT",
    "take_action": "HEAT",
    "thank": "LATER",
    "explain": "LATER",
    "understand": "LURC",
    "tangibles": "RATER",
    "reliability": "RATER",
    "evaluate_options": "SOLVE",
    "justify": "SOLVE",
}
# The shipped scenario nearest to each writer's situation.
SITUATION_SCENARIO = {
    "shoe shop": "late_delivery",
    "coffee machine": "faulty_product",
    "phone billing": "billing_error",
    "energy bill": "billing_error",
    "bank card": "billing_error",
    "restaurant": "cancelled_booking",
    "airline": "cancelled_booking",
    "council bins": "repeat_complaint",
}


def read_items(path: Path) -> List[Dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def card_for_first_turn(item: Dict, library: Library, detector: MoveDetector) -> Scorecard:
    """Play the message as the learner's first turn, end the practice, and return the scorecard."""
    session = Session(f"steps-{item['id']}", library)
    start = {"scenario": SITUATION_SCENARIO[item["situation"]], "persona": "angry", "difficulty": "standard"}
    session.handle(LearnerInput("start", metadata={"coach": {"start": start}}))
    found = detector.detect(item["text"])
    hits = [{"move": h.move, "quote": h.quote, "source": h.source, "start": h.start, "end": h.end} for h in found.hits]
    session.handle(LearnerInput(item["text"], moves=found.moves, hits=hits))
    session.handle(LearnerInput("end", command=parse_command("end")))
    assert session.attempt is not None and session.attempt.scorecard is not None
    return session.attempt.scorecard


def credited(card: Scorecard, step_id: str) -> bool:
    step = card.step(STEP_MODEL[step_id], step_id)
    return bool(step and step.met and any(e.turn == 1 for e in step.evidence))


def evaluate(items: Sequence[Dict], library: Library, detector: MoveDetector) -> Dict:
    """Per step: how many "counts" messages were credited, how many near misses were (wrongly)."""
    table: Dict[str, Dict[str, List[int]]] = defaultdict(lambda: {"counts": [0, 0], "near_miss": [0, 0]})
    misses: List[Tuple[str, str, str]] = []
    for item in items:
        got = credited(card_for_first_turn(item, library, detector), item["step"])
        cell = table[item["step"]][item["label"]]
        cell[1] += 1
        right = got if item["label"] == "counts" else not got
        cell[0] += int(right)
        if not right:
            misses.append((item["step"], item["label"], item["text"]))
    return {"table": dict(table), "misses": misses}


def accuracy(result: Dict) -> float:
    right = sum(cell[0] for row in result["table"].values() for cell in row.values())
    total = sum(cell[1] for row in result["table"].values() for cell in row.values())
    return right / total if total else 0.0


def table_lines(name: str, result: Dict, show_misses: bool = False) -> List[str]:
    lines = [f"{name}: {accuracy(result):.1%} right", "", "| step | counts credited | near misses refused |"]
    lines.append("|---|---|---|")
    for step_id in STEP_MODEL:
        row = result["table"].get(step_id)
        if row:
            (c_ok, c_n), (n_ok, n_n) = row["counts"], row["near_miss"]
            lines.append(f"| {step_id} | {c_ok}/{c_n} | {n_ok}/{n_n} |")
    if show_misses:
        lines += ["", "Wrong:"] + [f"  {step} [{label}] {text}" for step, label, text in result["misses"]]
    return lines


def run(library: Library, detector: MoveDetector, release: bool, show_misses: bool) -> List[str]:
    sets = frozen_sets(DEV, TEST, release)
    lines: List[str] = []
    for name, path in sets:
        items = read_items(path)
        lines += table_lines(
            f"{name}, {path.name}, {len(items)} messages", evaluate(items, library, detector), show_misses
        )
        lines.append("")
    return lines
