"""Benchmark subcommands: ``bench-moves``, ``bench-score``, ``bench-load`` and ``bench-diet``.

Each prints figures; none is a timed test. The heavy work lives in ``bot.bench``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Tuple

from bot.adapters.model_archive import ModelError, load_detector
from bot.bench import scoring
from bot.bench.evaluation import evaluate, keyword_baseline, p50_p95, per_move_table, read_jsonl, summary_line
from bot.cli.common import CliError, library, whole_number
from bot.domain.moves.detector import MoveDetector
from bot.settings import PROJECT_ROOT, settings

MAX_LEARNERS = 100


# -- bench-moves -------------------------------------------------------------------------
def _latency_ms(detect, data) -> Tuple[float, float]:
    """p50 and p95 milliseconds of one ``detect(text)`` call over the set's messages."""
    latencies = []
    for text, _ in data:
        start = time.perf_counter()
        detect(text)
        latencies.append((time.perf_counter() - start) * 1000)
    return p50_p95(latencies)


def cmd_bench_moves(args) -> int:
    try:
        detector = load_detector(args.model)
        data = read_jsonl(Path(args.test_set))
    except ModelError as exc:
        raise CliError(str(exc))
    except (OSError, ValueError, KeyError) as exc:
        raise CliError(f"cannot read the test set {args.test_set}: {exc}")
    chosen = evaluate(lambda t: detector.detect(t).moves, data)
    baseline = evaluate(keyword_baseline, data)
    chosen_p50, chosen_p95 = _latency_ms(detector.detect, data)
    print(f"Move detection on {args.test_set} ({len(data)} messages)\n")
    print("\n".join(per_move_table(chosen, baseline, "baseline f1")) + "\n")
    rows = [
        ("chosen (rules + classifier)", chosen, chosen_p95),
        ("keyword baseline", baseline, _latency_ms(keyword_baseline, data)[1]),
    ]
    if args.alternatives:
        for mode in ("rules", "model"):
            alt = MoveDetector(detector.classifier, mode=mode, threshold=detector.threshold)
            rows.append(
                (
                    f"alternative: {mode} only",
                    evaluate(lambda t, alt=alt: alt.detect(t).moves, data),
                    _latency_ms(alt.detect, data)[1],
                )
            )
    for label, result, p95 in rows:
        print(f"{summary_line(label, result)}  p95 {p95:.2f} ms")
    print(f"macro-F1 gain over baseline: {chosen['macro_f1'] - baseline['macro_f1']:+.3f}\n")
    print(f"in-process latency per message: p50 {chosen_p50:.2f} ms, p95 {chosen_p95:.2f} ms")
    payload = "".join(json.dumps({"text": t}) + "\n" for t, _ in data)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "bot", "detect"] + (["--model", str(args.model)] if args.model else []),
        input=payload,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise CliError("coach detect failed: " + run.stderr.strip()[:300])
    print(
        f"`coach detect` on the whole set: {len(data)} messages in {elapsed:.2f} s = "
        f"{len(data) / elapsed:.0f} messages/s (including start-up)"
    )
    if args.errors:
        Path(args.errors).write_text("\n".join(json.dumps(e) for e in chosen["errors"]) + "\n")
        print(f"errors written to {args.errors}")
    return 0


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


def register(sub) -> None:
    bench = sub.add_parser("bench-moves", help="evaluate move detection on the labelled test set")
    bench.add_argument("--test-set", default=str(PROJECT_ROOT / "tests" / "data" / "moves_heldout.jsonl"))
    bench.add_argument("--model")
    bench.add_argument(
        "--alternatives", action="store_true", help="also measure the rules-only and model-only pipelines"
    )
    bench.add_argument("--errors", help="write misclassified messages to this JSON lines file")
    bench.set_defaults(func=cmd_bench_moves)

    bench_score = sub.add_parser("bench-score", help="scoring speed on a batch of long conversations")
    bench_score.add_argument("--conversations", type=int, default=300)
    bench_score.add_argument("--turns", type=int, default=30)
    bench_score.set_defaults(func=cmd_bench_score)

    bench = sub.add_parser(
        "bench-load",
        help="concurrent simulated learners over HTTP: latency, throughput, errors, cross-talk",
        description="Start the coach (or use --url), play whole scenarios with N concurrent learners over the "
        "REST channel, do the same against a bare Rasa assistant, and print p50/p95/p99 turn "
        "latency, turns per second, errors and cross-talk checks for both.",
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
