"""One pair of real servers (action server + Rasa) for the whole e2e session, on free ports."""

from __future__ import annotations

import pytest

from bot.ops.servers import Servers, free_port, new_token
from tests.conftest import MODEL


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    if not MODEL.is_file():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    root = tmp_path_factory.mktemp("servers")
    running = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        model=MODEL,
        tracker_db=root / "tracker.db",
        log_dir=root / "log",
        token=new_token(24),
    )
    running.start()
    yield running
    running.stop()
