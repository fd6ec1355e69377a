"""The frozen root-cause answers behind `coach bench-root-cause`, and what the command prints."""

from __future__ import annotations

from collections import Counter

from bot.bench.root_cause import DEV, LEVELS, TEST, read_items, run, table_lines, verdicts
from bot.domain.scenarios import default_library


def test_the_sets_cover_every_scenario_and_level_and_are_disjoint():
    dev, test = read_items(DEV), read_items(TEST)
    scenarios = set(default_library().scenarios)
    for part in (dev, test):
        assert {row["scenario"] for row in part} == scenarios
        assert set(Counter(row["level"] for row in part)) == set(LEVELS)
        assert all(row["annotator_a"]["level"] in LEVELS and row["annotator_b"]["level"] in LEVELS for row in part)
    assert not {r["id"] for r in dev} & {r["id"] for r in test}
    assert not {r["writer"] for r in dev} & {r["writer"] for r in test}  # held out by writer


def test_the_dev_part_is_placed_at_the_right_depth():
    """A floor under the tuned figure (0.99 when frozen): a cue change that breaks the review fails here."""
    judged = verdicts(read_items(DEV), default_library())
    right = sum(item["level"] == verdict for item, verdict, _ in judged)
    assert right / len(judged) >= 0.9


def test_the_table_counts_what_was_judged():
    item = {"scenario": "x", "level": "symptom", "prevention": False, "text": "late"}
    lines = table_lines("t", [(item, "immediate_cause", False)], show_wrong=True)
    assert "verdict accuracy 0.00 (0/1)" in lines[0] and "symptom_as_root_cause accuracy 1.00" in lines[0]
    assert "| symptom | 1 | 1.00 | 0.00 |" in lines and any("[symptom -> immediate_cause]" in line for line in lines)


def test_the_command_reports_dev_only_unless_released():
    printed = run(default_library(), release=False, show_wrong=False)
    assert printed[0].startswith("dev, root_cause_answers_dev.jsonl, 80 answers")
    assert not any(line.startswith("test (held out)") for line in printed)
    assert any("annotators agreed on the level of" in line for line in printed)
