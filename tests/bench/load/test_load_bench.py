"""`coach bench-load`: the command end to end on a small run, and its cross-talk checks catching cross-talk."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from bot.bench.load.bench import Learner, Stats, percentile, play_coach_learner
from tests.conftest import ROOT


def test_percentiles_are_nearest_rank():
    values = sorted(float(v) for v in range(1, 101))
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95 and percentile(values, 99) == 99
    assert percentile([0.2], 95) == 0.2 and percentile([], 95) == 0.0


def test_learner_count_is_bounded():
    run = subprocess.run(
        [sys.executable, "-m", "bot", "bench-load", "--learners", "101"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 2 and "between 1 and 100" in run.stderr


def test_a_small_bench_load_run_reports_figures_and_no_cross_talk(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "bench-load",
            "--learners",
            "4",
            "--think",
            "0.05",
            "--no-bare",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "p95 ms" in run.stdout and "cross-talk: none" in run.stdout
    result = json.loads(out.read_text())
    assert result["coach"]["turns"] >= 4 * 5 and result["coach"]["errors"] == 0
    assert result["crosstalk"] == [] and result["scorecards_ok"] == 4 and result["stored_ok"] == 4


def _fake_coach(replies_for):
    """A stand-in REST endpoint answering with whatever ``replies_for(sender, text)`` returns."""
    from aiohttp import web

    async def webhook(request):
        body = await request.json()
        return web.json_response(replies_for(body["sender"], body["message"]))

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    return app


@pytest.mark.parametrize("fault", ["wrong recipient", "skipped turn", "wrong scenario"])
def test_the_checks_catch_cross_talk(fault):
    import aiohttp
    from aiohttp import web

    setup = {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard"}
    turn = {"n": -1}

    def replies_for(sender, text):
        turn["n"] += 2 if fault == "skipped turn" and turn["n"] == 1 else 1
        recipient = "someone-else" if fault == "wrong recipient" and turn["n"] == 2 else sender
        items = [
            {"recipient_id": recipient, "text": "hm"},
            {"recipient_id": recipient, "custom": {"coach": {"speaker": "customer", "turn": turn["n"]}}},
        ]
        if text == "end":
            card = dict(setup, scenario="billing_error" if fault == "wrong scenario" else setup["scenario"])
            items.append({"recipient_id": recipient, "custom": {"scorecard": card}})
        return items

    async def main():
        runner = web.AppRunner(_fake_coach(replies_for))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        stats = Stats("fake")
        plan = Learner("learner-1", [("start", None), ("a", None), ("b", None), ("end", None)], [0] * 4, setup)
        try:
            async with aiohttp.ClientSession() as session:
                await play_coach_learner(session, f"http://127.0.0.1:{port}/webhooks/rest/webhook", {}, plan, stats)
        finally:
            await runner.cleanup()
        return stats

    stats = asyncio.run(main())
    assert stats.crosstalk, fault
