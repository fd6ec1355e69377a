"""Shared fixtures: the course library, the trained detector, and a scripted-session helper."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Sequence, Tuple, Union

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot.domain.scenarios import default_library  # noqa: E402
from bot.domain.session.commands import parse_command  # noqa: E402
from bot.domain.session.session import LearnerInput, Session  # noqa: E402
from bot.settings import reload_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "coach.tar.gz"

Line = Union[str, Tuple[str, Sequence[str]]]


@pytest.fixture
def coach_env(monkeypatch):
    """Set COACH_* variables for one test: the settings are read again, and restored afterwards."""

    def set_variable(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        reload_settings()

    yield set_variable
    monkeypatch.undo()
    reload_settings()


@pytest.fixture(scope="session")
def library():
    return default_library()


@pytest.fixture(scope="session")
def detector():
    from bot.adapters.model_archive import load_detector

    if not MODEL.is_file():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    return load_detector(MODEL)


def run_session(
    lines: List[Line],
    scenario: str = "late_delivery",
    persona: str = "angry",
    difficulty: str = "standard",
    seed: int = 7,
    detector=None,
    mode: str = "practice",
    conversation_id: str = "test",
) -> Session:
    """Play learner lines through a session. A line is text (moves detected) or (text, moves)."""
    session = Session(conversation_id, default_library())
    start = {"scenario": scenario, "persona": persona, "difficulty": difficulty, "seed": seed, "mode": mode}
    session.handle(LearnerInput("start", metadata={"coach": {"start": start}}, time=1000.0))
    for number, line in enumerate(lines, start=1):
        if isinstance(line, tuple):
            text, moves = line
            hits = []
        else:
            text = line
            command = parse_command(text)
            if command:
                moves, hits = [], []
            else:
                detection = detector.detect(text)
                moves = detection.moves
                hits = [hit.__dict__ for hit in detection.hits]
        session.handle(
            LearnerInput(text, moves=list(moves), hits=hits, command=parse_command(text), time=1000.0 + 30 * number)
        )
    return session


def finish(session: Session) -> dict:
    if session.attempt.scorecard is None:
        session.handle(LearnerInput("end", command=parse_command("end")))
    return session.attempt.scorecard.as_json()


def flag_ids(card: dict) -> List[str]:
    return [flag["id"] for flag in card["flags"]]
