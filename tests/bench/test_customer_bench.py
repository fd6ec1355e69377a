"""The frozen comprehension set behind `coach bench-customer`, and how it is scored."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.bench import BenchError
from bot.bench.customer import DEV, TEST, read_rows, understood
from bot.domain.customer.acts import ActParser
from bot.domain.scenarios import default_library


def all_rows():
    return read_rows(DEV) + read_rows(TEST)


def test_every_scenario_has_at_least_30_messages_and_dev_and_test_are_disjoint():
    per_scenario = Counter(row["scenario"] for row in all_rows())
    assert set(per_scenario) == set(default_library().scenarios)
    assert min(per_scenario.values()) >= 30
    assert not {r["text"] for r in read_rows(DEV)} & {r["text"] for r in read_rows(TEST)}


def test_every_label_names_a_fact_or_remedy_of_its_scenario():
    scenarios = default_library().scenarios
    for row in all_rows():
        scenario = scenarios[row["scenario"]]
        remedies = {r.id for r in scenario.remedies}
        named = [row[k] for k in ("remedy", "alternative") if k in row] + row.get("remedies", [])
        assert set(named) <= remedies, row["id"]
        if "fact" in row:
            assert row["fact"] in {f.id for f in scenario.facts}, row["id"]


def test_an_offer_that_is_refused_does_not_count_as_the_offer_understood():
    parser = ActParser(default_library().scenarios["late_delivery"])
    row = {"act": "remedy_offer", "remedy": "full_refund"}
    assert understood(row, parser.parse("I can refund the order in full."))
    assert not understood(row, parser.parse("I can't refund the order in full."))


def test_an_unknown_act_type_is_refused_with_the_file_named(tmp_path):
    broken = tmp_path / "set.jsonl"
    broken.write_text('{"id": "x", "scenario": "late_delivery", "act": "telepathy", "text": "hi"}\n')
    with pytest.raises(BenchError, match="set.jsonl.*telepathy"):
        read_rows(broken)
