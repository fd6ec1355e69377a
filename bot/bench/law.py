"""``coach bench-law``: does the legal check catch statements that contradict a right, and only those?

The frozen sets (tests/data/legal_statements_{dev,test}.jsonl) were written by people who saw
only a plain statement of each right, never the patterns, and labelled by two annotators.
For each right: precision and recall of "contradicts" (the statements that must raise
``legal_inaccuracy``, or ``data_protection_breach`` for a disclosure).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from bot.bench import frozen_sets
from bot.domain.law.knowledge import LawChecker
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
DEV = DATA / "legal_statements_dev.jsonl"
TEST = DATA / "legal_statements_test.jsonl"
# Three more writers (chatty corner-cutters, policy-speak, non-native chat), their own labels: tuning only.
DEV2 = DATA / "legal_statements_dev2.jsonl"
# Writer 4: the held-out set until 2026-12-07, looked at four times and its errors read, so tuning only now.
DEV3 = DATA / "legal_statements_dev3.jsonl"
# Three more writers on the four weakest rights (discrimination, adjustments, services, disclosure): tuning only.
DEV4 = DATA / "legal_statements_dev4.jsonl"
# Three more writers, again on the weakest rights (discrimination above all): tuning only.
DEV5 = DATA / "legal_statements_dev5.jsonl"


# The dev parts printed after the first one, in order, with their names.
MORE_DEV_SETS = (
    ("dev 2, writers' labels", DEV2),
    ("dev 3, the former test set", DEV3),
    ("dev 4, the four weakest rights", DEV4),
    ("dev 5, the weakest rights again", DEV5),
)
DEV_PARTS = (DEV,) + tuple(path for _, path in MORE_DEV_SETS)
EXAMPLES_HEADER = (
    "# The dev parts of the legal statements (tests/data/legal_statements_dev*.jsonl) as the legal\n"
    "# model's training examples, written by `coach bench-law --write-dev-examples`; a test keeps them\n"
    "# equal. Never edit by hand. The held-out set (legal_statements_test.jsonl) is never here.\n"
)


def examples_yaml() -> str:
    """The dev parts as data/course/law_examples.yml (runtime code never reads tests/)."""
    rows = [
        {"right": item["right"], "label": item["label"], "text": item["text"]}
        for path in DEV_PARTS
        for item in read_items(path)
    ]
    return EXAMPLES_HEADER + yaml.safe_dump({"examples": rows}, allow_unicode=True, sort_keys=False, width=1000)


def read_items(path: Path) -> List[Dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(items: Sequence[Dict], checker: LawChecker) -> Dict:
    """Per right: true positives, false positives, false negatives, and the wrong items."""
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0, 0])
    wrong: List[Tuple[str, str, str]] = []
    for item in items:
        flagged = bool(checker.check(item["text"], [item["right"]]))
        wanted = item["label"] == "contradicts"
        cell = counts[item["right"]]
        if flagged and wanted:
            cell[0] += 1
        elif flagged:
            cell[1] += 1
        elif wanted:
            cell[2] += 1
        if flagged != wanted:
            wrong.append((item["right"], item["label"], item["text"]))
    return {"counts": dict(counts), "wrong": wrong}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def totals(result: Dict) -> Tuple[float, float]:
    tp = sum(c[0] for c in result["counts"].values())
    fp = sum(c[1] for c in result["counts"].values())
    fn = sum(c[2] for c in result["counts"].values())
    return _ratio(tp, tp + fp), _ratio(tp, tp + fn)


def table_lines(name: str, result: Dict, show_wrong: bool = False) -> List[str]:
    precision, recall = totals(result)
    lines = [
        f"{name}: precision {precision:.2f}, recall {recall:.2f}",
        "",
        "| right | precision | recall |",
        "|---|---|---|",
    ]
    for right_id, (tp, fp, fn) in sorted(result["counts"].items()):
        lines.append(f"| {right_id} | {_ratio(tp, tp + fp):.2f} | {_ratio(tp, tp + fn):.2f} |")
    if show_wrong:
        lines += ["", "Wrong:"] + [f"  {r} [{label}] {text}" for r, label, text in result["wrong"]]
    return lines


def credit_line(items: Sequence[Dict], checker: LawChecker) -> str:
    """Assurance credit: how many correct statements are recognised as stating the right, and how many wrong ones.

    The "correct" statements include ones that only avoid the law (asking for a card number), so the
    first figure is coverage, not recall; the second must stay at 0: a wrong statement earns no credit."""
    correct = [i for i in items if i["label"] == "correct"]
    wrong = [i for i in items if i["label"] == "contradicts"]
    credited = sum(bool(checker.affirmations(i["text"], [i["right"]])) for i in correct)
    misled = sum(bool(checker.affirmations(i["text"], [i["right"]])) for i in wrong)
    return (
        f"Assurance credit: {credited}/{len(correct)} correct statements recognised as stating the right; "
        f"{misled}/{len(wrong)} wrong statements credited"
    )


def run(checker: LawChecker, release: bool, show_wrong: bool) -> List[str]:
    sets = frozen_sets(DEV, TEST, release)
    sets[1:1] = MORE_DEV_SETS
    lines: List[str] = []
    for name, path in sets:
        items = read_items(path)
        lines += table_lines(f"{name}, {path.name}, {len(items)} statements", evaluate(items, checker), show_wrong)
        lines += [credit_line(items, checker), ""]
    return lines
