"""Benchmark subcommands: ``bench-moves``, ``bench-score``, ``bench-load`` and ``bench-diet``.

Each prints figures; none is a timed test. The heavy work lives in ``bot.bench``.
"""

from __future__ import annotations

from typing import Callable, List, Tuple, Type

from bot.adapters.model_archive import ModelError, load_detector
from bot.bench import BenchError, coaching, conversations, customer, law, moves, root_cause, scoring, steps
from bot.cli.common import CliError, library, whole_number
from bot.domain.coaching.detector import load_coaching_detector
from bot.domain.law.knowledge import default_checker
from bot.domain.law.model import EXAMPLES_FILE as LAW_EXAMPLES
from bot.domain.moves.patterns import PatternError
from bot.settings import PROJECT_ROOT, settings

MAX_LEARNERS = 100
MAX_TURNS = 500


# -- bench-moves -------------------------------------------------------------------------
def cmd_bench_moves(args) -> int:
    if args.write_dev_examples:
        moves.DEV_EXAMPLES.write_text(moves.dev_examples_yaml(), encoding="utf-8")
        print(f"wrote {moves.DEV_EXAMPLES}; run `make model` to train on it")
        return 0
    try:
        detector = load_detector(args.model)
        return moves.run(detector, args)
    except (ModelError, BenchError) as exc:
        raise CliError(str(exc))


def cmd_bench_customer(args) -> int:
    try:
        detector = load_detector(args.model)
        status = customer.run(library().scenarios, detector, args.release, args.errors)
        print("\n".join(conversations.run(library(), detector, args.release)))
        return status
    except (ModelError, BenchError) as exc:
        raise CliError(str(exc))


def _report(lines: Callable[[], List[str]], *errors: Type[Exception]) -> int:
    """Print a quality benchmark's lines; the errors it may raise become one clear CLI line."""
    try:
        print("\n".join(lines()))
        return 0
    except errors as exc:
        raise CliError(str(exc))


def cmd_bench_steps(args) -> int:
    return _report(
        lambda: steps.run(library(), load_detector(args.model), args.release, args.misses), ModelError, BenchError
    )


def cmd_bench_law(args) -> int:
    if args.write_dev_examples:
        LAW_EXAMPLES.write_text(law.examples_yaml(), encoding="utf-8")
        print(f"wrote {LAW_EXAMPLES}; the legal model retrains on its next use")
        return 0
    return _report(lambda: law.run(default_checker(), args.release, args.misses), PatternError, BenchError)


def cmd_bench_root_cause(args) -> int:
    return _report(lambda: root_cause.run(library(), args.release, args.misses), BenchError)


def cmd_bench_coaching(args) -> int:
    return _report(lambda: coaching.run(load_coaching_detector(), args.release, args.errors), PatternError, BenchError)


def cmd_bench_score(args) -> int:
    result = scoring.run(library(), count=args.conversations, turns=args.turns)
    print(
        f"Scored {result['conversations']} conversations of {result['turns']} learner turns each in "
        f"{result['seconds']:.3f} s of CPU time (best of 3, one core): "
        f"{result['per_second']:.0f} conversations per second"
    )
    return 0


def cmd_bench_load(args) -> int:
    from bot.bench.load.bench import run_command  # aiohttp and the servers only when the command runs

    return run_command(args)


def cmd_bench_diet(args) -> int:
    from bot.bench.diet.bench import run_command

    return run_command(args)


def add_release(bench) -> None:
    """``--release``: a quality benchmark scores its dev part, and with this its frozen held-out part too."""
    bench.add_argument("--release", action="store_true", help="also score the held-out test part (never tune on it)")


def frozen_bench(sub, name: str, summary: str, description: str, listing: Tuple[str, str], func: Callable):
    """A quality benchmark on a frozen dev/test set: ``--release`` and a flag that lists what it got wrong."""
    bench = sub.add_parser(
        name, help=summary, description=description + " The dev part by default; --release adds the held-out test part."
    )
    add_release(bench)
    bench.add_argument(listing[0], action="store_true", help=listing[1])
    bench.set_defaults(func=func)
    return bench


def register(sub) -> None:
    bench = sub.add_parser(
        "bench-moves",
        help="evaluate move detection on the labelled sets",
        description="Score move detection on the own held-out set, the second author's set and the independent "
        "dev part (with --release, also the independent test part), each beside a keyword baseline, with "
        "per-writer figures and the gap between the own and the independent sets.",
    )
    bench.add_argument("--test-set", help="score only this JSON lines set instead")
    bench.add_argument(
        "--release",
        action="store_true",
        help="also score the independent test part (to report a release; never tune on it)",
    )
    bench.add_argument("--model")
    bench.add_argument(
        "--alternatives", action="store_true", help="also measure the rules-only and model-only pipelines"
    )
    bench.add_argument("--errors", help="write misclassified messages to this JSON lines file")
    bench.add_argument(
        "--write-dev-examples",
        action="store_true",
        help="write the four dev parts into data/nlu/independent_dev.yml (training examples; then `make model`)",
    )
    bench.set_defaults(func=cmd_bench_moves)

    bench = sub.add_parser(
        "bench-customer",
        help="does the customer understand the learner? acts understood per act type",
        description="Parse the frozen comprehension set (learner messages written from a scenario's story and an "
        "act to express) and print the share of acts understood per act type, beside the keyword reading "
        "the customer used before. The dev part by default; --release adds the held-out test part.",
    )
    add_release(bench)
    bench.add_argument("--model")
    bench.add_argument("--errors", help="write the acts not understood to this JSON lines file")
    bench.set_defaults(func=cmd_bench_customer)

    bench = frozen_bench(
        sub,
        "bench-steps",
        "does each step's evidence mean what its definition says? credited and near misses per step",
        "Play each frozen one-message practice (written from the step definitions only, two "
        "annotators) and print per step how many messages that perform it were credited and how many near "
        "misses were refused.",
        ("--misses", "list the messages judged wrongly"),
        cmd_bench_steps,
    )
    bench.add_argument("--model")
    bench = frozen_bench(
        sub,
        "bench-law",
        "legal accuracy: precision and recall of statements that contradict a customer's right",
        "Check each frozen statement (written from a plain statement of each right, two annotators) "
        "against its right in data/course/law.yml and print precision and recall of 'contradicts' per right.",
        ("--misses", "list the statements judged wrongly"),
        cmd_bench_law,
    )
    bench.add_argument(
        "--write-dev-examples",
        action="store_true",
        help="write the dev parts into data/course/law_examples.yml (the legal model's training examples)",
    )
    frozen_bench(
        sub,
        "bench-root-cause",
        "root-cause review: does it place a learner's answer at the right depth of the cause chain",
        "Review each frozen reflection answer (three writers who never saw the cues, two annotators) "
        "against its scenario's cause chain and print the verdict's accuracy, precision and recall per level.",
        ("--misses", "list the answers judged wrongly"),
        cmd_bench_root_cause,
    )
    frozen_bench(
        sub,
        "bench-coaching",
        "coaching-move detection: per-move F1 on the frozen, independently written set",
        "Detect the coaching moves in each frozen team-leader message (four writers who never saw "
        "the patterns, two annotators, adjudicated) and print per-move precision, recall and F1, macro-F1 "
        "against the 0.85 target, and the annotators' agreement.",
        ("--errors", "list the messages detected wrongly"),
        cmd_bench_coaching,
    )

    bench_score = sub.add_parser("bench-score", help="scoring speed on a batch of long conversations")
    bench_score.add_argument("--conversations", type=int, default=300)
    bench_score.add_argument("--turns", type=int, default=30)
    bench_score.set_defaults(func=cmd_bench_score)

    bench = sub.add_parser(
        "bench-load",
        help="concurrent simulated learners over HTTP: latency, throughput, errors, cross-talk",
        description="Start the coach (or use --url) and a bare Rasa assistant, play whole scenarios with N "
        "concurrent learners over the REST channel against both in interleaved rounds (so that noise hits "
        "both alike), and print p50/p95/p99 turn latency, the coach / bare ratio of each, turns per second, "
        "errors and cross-talk checks.",
    )
    bench.add_argument(
        "--learners",
        type=whole_number("--learners", 1, MAX_LEARNERS),
        default=20,
        help=f"concurrent learners (1-{MAX_LEARNERS}, default 20)",
    )
    bench.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean pause between a reply and the learner's next message, seconds (uniform 0.5x-1.5x; "
        "default 2; 0 = send as fast as possible)",
    )
    bench.add_argument("--seed", type=int, default=1, help="seed for scenario choice and pauses")
    bench.add_argument("--url", help="use a running coach (e.g. http://127.0.0.1:5005) instead of starting one")
    bench.add_argument("--token", help="API token for --url (default: COACH_API_TOKEN or var/api-token)")
    bench.add_argument("--no-bare", action="store_true", help="skip the bare Rasa comparison")
    bench.add_argument(
        "--bare-config",
        choices=("light", "default"),
        default="light",
        help="the bare assistant's config: light (stock tokenizer, count vectors, logistic "
        "regression, memoization and rules; no TensorFlow; default) or rasa init's own "
        "default (DIET, TED...)",
    )
    bench.add_argument("--bare-model", help="bare Rasa model archive (default: built once into var/bench/)")
    bench.add_argument(
        "--action-workers",
        type=int,
        default=settings().action_workers,
        help="action server worker processes when starting the coach (default 1)",
    )
    bench.add_argument(
        "--turns",
        type=whole_number("--turns", 1, MAX_TURNS),
        help="messages per conversation: the learner plays its script, types `restart` and plays it again "
        "until it has sent N (default: the script once); prints turn 5 against the same message late on",
    )
    bench.add_argument(
        "--profile",
        action="store_true",
        help="print ms per stage (Rasa, move detection, action-server hop, session restore, customer, "
        "tracker store) at turn 5 and at the same message late in the conversation, from the servers' "
        "own timings (needs the bench to start the coach)",
    )
    bench.add_argument("--json", help="also write the figures to this JSON file")
    bench.set_defaults(func=cmd_bench_load)

    bench = sub.add_parser(
        "bench-diet",
        help="train Rasa's DIETClassifier on the move examples and score it on the held-out set",
        description="Turn each data/nlu example's move set into a multi-intent name (a+b, 'none' when empty), "
        "train a stock Rasa NLU pipeline with DIETClassifier on it (rasa train nlu), parse every "
        "held-out message in one long-lived process and print the same metrics as bench-moves, "
        "with latency, throughput and training time. Takes several minutes.",
    )
    bench.add_argument("--test-set", default=str(PROJECT_ROOT / "tests" / "data" / "moves_heldout.jsonl"))
    bench.add_argument(
        "--epochs", type=whole_number("--epochs"), default=100, help="DIET training epochs (default 100)"
    )
    bench.add_argument(
        "--keep",
        action="store_true",
        help="keep the work directory (training data, config, model, logs) under var/bench/",
    )
    bench.add_argument("--errors", help="write misclassified messages to this JSON lines file")
    bench.set_defaults(func=cmd_bench_diet)
