"""The calibration suite: the coach agrees with an expert's verdict on scripted conversations."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import ROOT, finish, flag_ids, run_session

ORDER = {"exemplary": 3, "adequate": 2, "poor": 1}
FILES = sorted((ROOT / "tests" / "calibration").glob("*.yml"))


def cases():
    for path in FILES:
        spec = yaml.safe_load(path.read_text())
        for conversation in spec["conversations"]:
            yield pytest.param(spec["scenario"], conversation, id=f"{path.stem}: {conversation['name']}")


def lines_of(conversation):
    if "script" in conversation:
        return (ROOT / conversation["script"]).read_text().splitlines()
    return conversation["lines"]


def play(detector, scenario, conversation):
    session = run_session(
        lines_of(conversation),
        scenario=scenario,
        persona=conversation["persona"],
        difficulty=conversation["difficulty"],
        seed=conversation.get("seed", 1),
        detector=detector,
    )
    return finish(session)


@pytest.mark.parametrize("scenario, conversation", list(cases()))
def test_expert_verdict(detector, scenario, conversation):
    card = play(detector, scenario, conversation)
    flags = set(flag_ids(card))
    if "outcome" in conversation:
        allowed = conversation["outcome"] if isinstance(conversation["outcome"], list) else [conversation["outcome"]]
        assert card["outcome"] in allowed
    assert set(conversation.get("flags_raised", [])) <= flags, f"missing flags; raised {sorted(flags)}"
    assert not set(conversation.get("flags_not_raised", [])) & flags, f"unexpected flags {sorted(flags)}"
    assert card["overall"] >= conversation.get("score_at_least", 0), f"scored {card['overall']}"
    assert card["overall"] <= conversation.get("score_at_most", 100), f"scored {card['overall']}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_better_handling_scores_higher(detector, path):
    spec = yaml.safe_load(path.read_text())
    scored = [
        (ORDER[c["quality"]], play(detector, spec["scenario"], c)["overall"], c["name"]) for c in spec["conversations"]
    ]
    for rank_a, score_a, name_a in scored:
        for rank_b, score_b, name_b in scored:
            if rank_a > rank_b:
                assert score_a > score_b, f"{name_a} ({score_a}) should beat {name_b} ({score_b})"


def test_suite_size():
    conversations = [c for path in FILES for c in yaml.safe_load(path.read_text())["conversations"]]
    assert len(FILES) >= 5 and len(conversations) >= 15
