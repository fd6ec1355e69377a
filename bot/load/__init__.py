"""``coach bench-load``: many simulated learners at once over the real REST channel.

Registered in ``bot.cli.COMMAND_MODULES``; the heavy imports (aiohttp, the servers)
happen inside the command.
"""

from __future__ import annotations

import os

MAX_LEARNERS = 100


def cmd_bench_load(args) -> int:
    from bot.load.bench import run_command

    return run_command(args)


def register(subparsers) -> None:
    from bot.cli import whole_number

    bench = subparsers.add_parser(
        "bench-load", help="concurrent simulated learners over HTTP: latency, throughput, errors, cross-talk",
        description="Start the coach (or use --url), play whole scenarios with N concurrent learners over the "
                    "REST channel, do the same against a bare Rasa assistant, and print p50/p95/p99 turn "
                    "latency, turns per second, errors and cross-talk checks for both.")
    bench.add_argument("--learners", type=whole_number("--learners", 1, MAX_LEARNERS), default=20, help=f"concurrent learners (1-{MAX_LEARNERS}, default 20)")
    bench.add_argument("--think", type=float, default=2.0,
                       help="mean pause between a reply and the learner's next message, seconds (uniform 0.5x-1.5x; "
                            "default 2; 0 = send as fast as possible)")
    bench.add_argument("--seed", type=int, default=1, help="seed for scenario choice and pauses")
    bench.add_argument("--url", help="use a running coach (e.g. http://127.0.0.1:5005) instead of starting one")
    bench.add_argument("--token", help="API token for --url (default: COACH_API_TOKEN or var/api-token)")
    bench.add_argument("--no-bare", action="store_true", help="skip the bare Rasa comparison")
    bench.add_argument("--bare-config", choices=("light", "default"), default="light",
                       help="the bare assistant's config: light (stock tokenizer, count vectors, logistic "
                            "regression, memoization and rules; no TensorFlow; default) or rasa init's own "
                            "default (DIET, TED...)")
    bench.add_argument("--bare-model", help="bare Rasa model archive (default: built once into var/bench/)")
    bench.add_argument("--action-workers", type=int, default=int(os.environ.get("COACH_ACTION_WORKERS", "1")),
                       help="action server worker processes when starting the coach (default 1)")
    bench.add_argument("--json", help="also write the figures to this JSON file")
    bench.set_defaults(func=cmd_bench_load)
