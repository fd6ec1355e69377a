"""Every scenario is played by `coach play` with a good and a poor scripted learner."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.domain.scenarios import default_library
from tests.conftest import ROOT

SCRIPTS = ROOT / "data" / "scripts"
REQUIRED_ESCALATION = {sid for sid, s in default_library().scenarios.items() if s.escalation.rule == "required"}


def coach_play(servers, scenario: str, script, persona: str = "angry") -> dict:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "play",
            "--scenario",
            scenario,
            "--script",
            str(script),
            "--persona",
            persona,
            "--difficulty",
            "standard",
            "--seed",
            "2",
            "--url",
            servers.url,
            "--token",
            servers.token,
            "--compact",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_every_scenario_has_both_scripts():
    for scenario in default_library().scenarios:
        assert (SCRIPTS / f"{scenario}.good.txt").is_file(), scenario
        assert (SCRIPTS / f"{scenario}.poor.txt").is_file(), scenario


@pytest.mark.parametrize("scenario", sorted(default_library().scenarios))
def test_good_learner_resolves_or_escalates_correctly(servers, scenario):
    card = coach_play(servers, scenario, SCRIPTS / f"{scenario}.good.txt")["scorecard"]
    expected = "escalated" if scenario in REQUIRED_ESCALATION else "satisfied"
    assert card["outcome"] == expected
    assert card["mood"][-1] < card["mood"][0], card["mood"]
    assert card["overall"] >= 70


@pytest.mark.parametrize("scenario", sorted(default_library().scenarios))
def test_poor_learner_leaves_the_customer_unhappy(servers, scenario):
    card = coach_play(servers, scenario, SCRIPTS / f"{scenario}.poor.txt")["scorecard"]
    assert card["outcome"] in ("unsatisfied", "abandoned")
    assert card["mood"][-1] >= card["mood"][0] - 1, card["mood"]
    assert card["overall"] < 45


# -- the coaching scenario (issue 18): the same real servers, the team leader's side -------------
def test_a_skilled_coach_agrees_a_dated_action_through_the_real_assistant(servers):
    card = coach_play(servers, "coaching_review", SCRIPTS / "coaching_review.good.txt", persona="anxious")["scorecard"]
    assert set(card["models"]) == {"GROW", "COACHING"}
    assert card["outcome"] == "satisfied" and card["overall"] >= 70
    assert not {f["id"] for f in card["flags"]} & {"criticised_person", "no_action_agreed"}
    assert card["mood"][-1] < card["mood"][0], card["mood"]  # Sam's guard came down


def test_a_coach_who_labels_the_person_loses_the_agent(servers):
    card = coach_play(servers, "coaching_review", SCRIPTS / "coaching_review.poor.txt")["scorecard"]
    assert card["outcome"] == "abandoned" and card["overall"] <= 35
    assert "criticised_person" in {f["id"] for f in card["flags"]}
