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
