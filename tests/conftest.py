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
from tests.support.paths import MODEL, ROOT  # noqa: E402,F401  (tests import them from here too)

# Tests that start real servers carry the ``e2e`` marker (``make test-fast`` skips them). They are
# chosen here, in one place, by folder; the tutor tests only when they use the running ``stack``.
E2E_FOLDERS = ("e2e", "ops/faults", "ops/security", "ops/scale", "adapters/web", "adapters/channels", "bench/load")
UNIT_FILES = ("test_formatting.py",)  # in an e2e folder, but needs no server
SCALE_ENABLED = os.environ.get("COACH_SCALE_TESTS") == "1"


def _starts_servers(item) -> bool:
    path = Path(str(item.fspath)).resolve()
    where = path.relative_to(ROOT / "tests").as_posix() if path.is_relative_to(ROOT / "tests") else ""
    if where.startswith("tutor/"):
        return "stack" in getattr(item, "fixturenames", ())
    return any(where.startswith(folder + "/") for folder in E2E_FOLDERS) and path.name not in UNIT_FILES


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _starts_servers(item):
            item.add_marker(pytest.mark.e2e)
        if "/ops/scale/" in str(item.fspath) and not SCALE_ENABLED:
            item.add_marker(pytest.mark.skip(reason="scale-out tests are opt-in: run `make test-scale`"))


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
