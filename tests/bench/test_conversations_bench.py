"""The frozen whole-conversation scripts behind `coach bench-customer`, and how they are played."""

from __future__ import annotations

from collections import Counter

from bot.bench.conversations import DEV, TEST, contradictions, detector_reader, play, read_scripts
from bot.domain.customer.customer import TurnResult
from bot.domain.scenarios import default_library
from bot.settings import PROJECT_ROOT


def test_every_scenario_has_skilled_scripts_and_the_parts_are_disjoint():
    dev, test = read_scripts(DEV), read_scripts(TEST)
    skilled = Counter(s["scenario"] for s in dev + test if s["quality"] == "skilled")
    assert set(skilled) == set(default_library().scenarios)
    assert min(skilled.values()) >= 3
    assert any(s["quality"] == "poor" for s in dev) and any(s["quality"] == "poor" for s in test)
    assert not {s["id"] for s in dev} & {s["id"] for s in test}


def turn(index, kind, events=(), revealed=(), options=()):
    return TurnResult(
        index,
        "",
        [],
        5.0,
        5.0,
        [],
        "",
        kind,
        list(revealed),
        None,
        list(events),
        {"options": [{"remedy": r, "polarity": p} for r, p in options]} if options else {},
    )


def test_contradictions_are_counted_from_what_the_customer_did():
    turns = [
        turn(1, "reveal", revealed=["order_number"]),
        turn(2, "declined_remedy", options=[("express_reship", "offered")]),
        turn(3, "accepted", events=["accepted"], revealed=["order_number"]),
        turn(4, "not_resolved"),
        turn(5, "declined_remedy", options=[("full_refund", "offered"), ("express_reship", "refused")]),
    ]
    found = contradictions(turns, ["express_reship"])
    assert found == Counter({"declined goal": 1, "fact twice": 1, "refused close": 1})


def test_a_shipped_good_script_played_with_the_real_detector_ends_satisfied(detector):
    lines = [
        line
        for line in (PROJECT_ROOT / "data/scripts/late_delivery.good.txt").open(encoding="utf-8").read().splitlines()
        if line.strip() and not line.startswith("notes:") and line.strip() != "end"
    ]
    script = {"id": "t", "scenario": "late_delivery", "persona": "anxious", "difficulty": "standard", "lines": lines}
    played = play(script, default_library(), detector_reader(detector))
    assert played["outcome"] == "satisfied"
    assert not contradictions(played["turns"], ["express_reship", "collect_in_store"])
