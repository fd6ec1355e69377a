"""`coach bench-load`: the command end to end on a small run, and its cross-talk checks catching cross-talk."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys

import pytest

from bot.bench.load.bench import ROUND_MESSAGES, Side, play_interleaved, ratio_lines
from bot.bench.load.learners import Learner, Stats, coach_plans, percentile, play_coach_learner
from bot.bench.load.profile import matched_turns
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
            "3",
            "--turns",
            "16",
            "--think",
            "0.05",
            "--no-bare",
            "--profile",
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
    assert result["coach"]["turns"] == 3 * 16 and result["coach"]["errors"] == 0
    assert result["crosstalk"] == [] and result["stored_ok"] == 3
    assert result["scorecards_expected"] >= 3 and result["scorecards_ok"] == result["scorecards_expected"]
    assert "turn 5" in run.stdout and "the same message in the last attempt" in run.stdout
    for stage in ("Rasa processing", "move detection", "action-server hop", "session restore", "tracker store"):
        assert stage in run.stdout, stage
    early, late = result["profile"]["early"], result["profile"]["late"]
    assert early["paths"] == {"snapshot": early["learners"]} and late["paths"] == {"snapshot": late["learners"]}
    for column in (early, late):  # the servers' timings belong to the turn the learner waited for
        assert all(column[k] >= 0 for k in ("rasa", "nlu", "hop", "restore", "customer", "store")), column
        assert column["nlu"] + column["store"] < column["total"], column


def test_ratios_are_printed_for_each_percentile_with_the_targets():
    coach = {"p50_ms": 30.0, "p95_ms": 60.0, "p99_ms": 200.0}
    bare = {"p50_ms": 20.0, "p95_ms": 50.0, "p99_ms": 50.0}
    lines, ratios = ratio_lines(coach, bare)
    assert ratios == {"p50": 1.5, "p95": 1.2, "p99": 4.0}
    assert "p50 1.50" in lines[0] and "p95 1.20 (target <= 1.5: met)" in lines[0]
    assert "p99 4.00 (target <= 2: NOT met)" in lines[0]


def test_a_long_conversation_plays_the_script_again_after_restart(library):
    plan = coach_plans(library, 1, 0.0, 1, "x", turns=30)[0]
    texts = [text for text, _ in plan.messages]
    assert len(texts) == 30 and texts[0] == "start" and texts[plan.attempt_length] == "start"
    assert texts[plan.attempt_length - 1] == "restart" and texts[plan.attempt_length - 2] == "end"
    assert matched_turns(plan)[0] == 5 and texts[matched_turns(plan)[1] - 1] == texts[4]


def test_the_two_assistants_are_played_in_alternating_rounds():
    """Every learner's next messages go to one assistant, then to the other, and the order swaps."""
    from aiohttp import web

    arrivals = []

    def app(name):
        async def webhook(request):
            body = await request.json()
            arrivals.append(name)
            return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

        application = web.Application()
        application.router.add_post("/webhooks/rest/webhook", webhook)
        return application

    async def main():
        runners, urls = [], []
        for name in ("coach", "bare"):
            runner = web.AppRunner(app(name))
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            runners.append(runner)
            urls.append(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/webhooks/rest/webhook")
        plans = [Learner(f"l{i}", [("hi", None)] * 10, [0.0] * 10) for i in range(2)]
        sides = [
            Side.of("coach", urls[0], None, plans, coach=False),
            Side.of("bare", urls[1], None, plans, coach=False),
        ]
        try:
            await play_interleaved(sides)
        finally:
            for runner in runners:
                await runner.cleanup()

    asyncio.run(main())
    runs = [(name, len(list(group))) for name, group in itertools.groupby(arrivals)]
    # 2 learners x 4 messages per round: coach, bare | bare, coach | coach, bare (the last 2 messages each)
    per_round = 2 * ROUND_MESSAGES
    assert runs == [("coach", per_round), ("bare", 2 * per_round), ("coach", per_round + 4), ("bare", 4)], runs


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
