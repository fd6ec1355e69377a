"""``coach bench-diet``: Rasa's own DIETClassifier on the move benchmark, for comparison.

Registered in ``bot.cli.COMMAND_MODULES``. Nothing in ``bot/`` imports Rasa for this:
training runs ``rasa train nlu`` and prediction runs ``bot/diet/predict.py`` as a script,
both in subprocesses with the venv's interpreter.
"""

from __future__ import annotations


def cmd_bench_diet(args) -> int:
    from bot.diet.bench import run_command

    return run_command(args)


def register(subparsers) -> None:
    from bot.cli import whole_number
    from bot.scenarios.loader import PROJECT_ROOT

    bench = subparsers.add_parser(
        "bench-diet", help="train Rasa's DIETClassifier on the move examples and score it on the held-out set",
        description="Turn each data/nlu example's move set into a multi-intent name (a+b, 'none' when empty), "
                    "train a stock Rasa NLU pipeline with DIETClassifier on it (rasa train nlu), parse every "
                    "held-out message in one long-lived process and print the same metrics as bench-moves, "
                    "with latency, throughput and training time. Takes several minutes.")
    bench.add_argument("--test-set", default=str(PROJECT_ROOT / "tests" / "data" / "moves_heldout.jsonl"))
    bench.add_argument("--epochs", type=whole_number("--epochs"), default=100, help="DIET training epochs (default 100)")
    bench.add_argument("--keep", action="store_true",
                       help="keep the work directory (training data, config, model, logs) under var/bench/")
    bench.add_argument("--errors", help="write misclassified messages to this JSON lines file")
    bench.set_defaults(func=cmd_bench_diet)
