"""``coach bench-root-cause``: does the root-cause review place a learner's answer at the right depth?

The frozen sets (tests/data/root_cause_answers_{dev,test}.jsonl) were written by three writers who
saw only each case's story and causes in prose, never the cause chains' cues, and labelled by two
annotators from the chains' labels (disagreements adjudicated). For each level (root cause,
immediate cause, symptom, vague): precision and recall of the review's verdict, the accuracy of
the verdict, and of the ``symptom_as_root_cause`` flag (raised for a symptom or immediate cause).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from bot.bench import BenchError, frozen_sets
from bot.domain.assessment.root_cause import DEPTH, SHALLOW, review_answer
from bot.domain.scenarios.loader import Library
from bot.domain.scenarios.schema import PreventionWords
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DEV = DATA / "root_cause_answers_dev.jsonl"
TEST = DATA / "root_cause_answers_test.jsonl"
LEVELS = DEPTH + ("vague",)


def read_items(path: Path) -> List[Dict]:
    if not path.exists():
        raise BenchError(f"{path}: the frozen root-cause set is missing")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def verdicts(items: Sequence[Dict], library: Library) -> List[Tuple[Dict, str, bool]]:
    """(item, the review's verdict, whether it found a prevention) for each answer."""
    out = []
    words = library.course.prevention if library.course else PreventionWords()
    for item in items:
        review = review_answer(library.scenario(item["scenario"]), item["text"], words)
        if review is None:
            raise BenchError(f"scenario {item['scenario']!r} has no cause chain")
        out.append((item, review.verdict, review.prevention))
    return out


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def table_lines(name: str, judged: Sequence[Tuple[Dict, str, bool]], show_wrong: bool) -> List[str]:
    total = len(judged)
    right = sum(item["level"] == verdict for item, verdict, _ in judged)
    flag_right = sum((item["level"] in SHALLOW) == (verdict in SHALLOW) for item, verdict, _ in judged)
    prevention_right = sum(item["prevention"] == found for item, _, found in judged)
    lines = [
        f"{name}: verdict accuracy {_ratio(right, total):.2f} ({right}/{total}), "
        f"symptom_as_root_cause accuracy {_ratio(flag_right, total):.2f}, "
        f"prevention accuracy {_ratio(prevention_right, total):.2f}",
        "",
        "| level | answers | precision | recall |",
        "|---|---|---|---|",
    ]
    for level in LEVELS:
        gold = sum(item["level"] == level for item, _, _ in judged)
        said = sum(verdict == level for _, verdict, _ in judged)
        hit = sum(item["level"] == level == verdict for item, verdict, _ in judged)
        lines.append(f"| {level} | {gold} | {_ratio(hit, said):.2f} | {_ratio(hit, gold):.2f} |")
    if show_wrong:
        lines += ["", "Wrong:"] + [
            f"  {item['scenario']} [{item['level']} -> {verdict}] {item['text']}"
            for item, verdict, _ in judged
            if item["level"] != verdict
        ]
    return lines


def agreement_line(items: Sequence[Dict]) -> str:
    level = sum(i["annotator_a"]["level"] == i["annotator_b"]["level"] for i in items)
    prevention = sum(i["annotator_a"]["prevention"] == i["annotator_b"]["prevention"] for i in items)
    return (
        f"annotators agreed on the level of {level}/{len(items)} answers and on prevention for "
        f"{prevention}/{len(items)}; the rest were adjudicated"
    )


def run(library: Library, release: bool, show_wrong: bool) -> List[str]:
    lines: List[str] = []
    for name, path in frozen_sets(DEV, TEST, release):
        items = read_items(path)
        lines += table_lines(f"{name}, {path.name}, {len(items)} answers", verdicts(items, library), show_wrong)
        lines += ["", agreement_line(items), ""]
    return lines
