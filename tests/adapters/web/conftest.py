"""Real servers (action server + Rasa with the web chat channel) and a real browser (Debian Chromium)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from bot.ops.servers import Servers, free_port
from tests.conftest import MODEL, ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
# only the two servers these tests need (Servers may also start a tutor dashboard)
NO_EXTRA_PROCESSES = {"dashboard_port": None} if "dashboard_port" in Servers.__dataclass_fields__ else {}


@pytest.fixture(scope="package")
def web_servers(tmp_path_factory):
    if not MODEL.is_file():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    root = tmp_path_factory.mktemp("web-servers")
    running = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        model=MODEL,
        tracker_db=root / "tracker.db",
        log_dir=root / "log",
        token=secrets.token_urlsafe(24),
        web_secret=secrets.token_urlsafe(32),
        **NO_EXTRA_PROCESSES,
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run the tests with `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
