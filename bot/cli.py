"""The ``coach`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

from bot.scenarios.loader import PROJECT_ROOT

SETUP_KEYS = ("scenario", "persona", "difficulty", "seed", "mode")

# Feature packages add their subcommands here: each module has ``register(subparsers)``
# and imports its heavy dependencies inside the command functions, not at import time.
COMMAND_MODULES: List[str] = ["bot.load", "bot.tutor.cli", "bot.diet"]


class CliError(Exception):
    """An error reported as one clear line and a non-zero exit."""


def _read_text(path: Optional[str]) -> str:
    if path in (None, "-"):
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        raise CliError(f"cannot read {path}: not UTF-8 text")


def _library():
    from bot.scenarios import default_library

    try:
        return default_library()
    except RuntimeError as exc:
        raise CliError(str(exc))


# -- detect ---------------------------------------------------------------------------
def cmd_detect(args) -> int:
    from bot.moves.model_archive import ModelError, load_detector

    try:
        detector = load_detector(args.model)
    except ModelError as exc:
        raise CliError(str(exc))
    source = sys.stdin if args.file in (None, "-") else None
    if source is None:
        try:
            source = open(args.file, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read {args.file}: {exc.strerror or exc}")
    out = sys.stdout
    with source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            if line.lstrip().startswith("{"):
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CliError(f"line {number} is not JSON: {exc.msg}")
            else:  # a plain line of text is the message itself
                obj = {"text": line.rstrip("\r\n")}
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise CliError(f"line {number} has no \"text\" string")
            obj["moves"] = detector.detect(obj["text"]).moves
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return 0


# -- scenarios --------------------------------------------------------------------------
def cmd_scenarios(args) -> int:
    from bot.scenarios.loader import SCENARIO_DIR, check_files, load_library, scenario_files

    if args.check is not None:
        paths = [Path(p) for p in args.check] or scenario_files(SCENARIO_DIR)
        errors = check_files(paths)
        for error in errors:
            print(error)
        if errors:
            print(f"{len(errors)} problem(s) in {len(paths)} file(s).", file=sys.stderr)
            return 1
        print(f"{len(paths)} scenario file(s) OK.")
        return 0
    library = load_library()
    for error in library.errors:
        print(f"warning: skipped: {error}", file=sys.stderr)
    width = max((len(s) for s in library.scenarios), default=0)
    for scenario_id in sorted(library.scenarios):
        print(f"{scenario_id:<{width}}  {library.scenarios[scenario_id].description}")
    return 0


# -- play / score -----------------------------------------------------------------------
def cmd_play(args) -> int:
    from bot.play import PlayError, play
    from bot.servers import Servers, free_port

    library = _library()
    try:
        scenario = library.scenario(args.scenario)
    except KeyError as exc:
        raise CliError(exc.args[0])
    course = library.course
    if args.persona and args.persona not in {p.id for p in course.personas}:
        raise CliError(f"unknown persona '{args.persona}' (known: {', '.join(p.id for p in course.personas)})")
    if args.difficulty and args.difficulty not in {d.id for d in course.difficulties}:
        raise CliError(f"unknown difficulty '{args.difficulty}' (known: "
                       f"{', '.join(d.id for d in course.difficulties)})")
    lines = _read_text(args.script).splitlines()
    setup = {"scenario": scenario.id, "persona": args.persona or scenario.default_persona,
             "difficulty": args.difficulty or "standard", "seed": args.seed, "mode": args.mode}
    servers = None
    try:
        if args.url:
            webhook = args.url.rstrip("/") + "/webhooks/rest/webhook"
        else:
            model = Path(args.model) if args.model else PROJECT_ROOT / "models" / "coach.tar.gz"
            if not model.is_file():
                raise CliError(f"no trained model at {model}; run `make model` first")
            print("Starting the coach servers (about a minute)...", file=sys.stderr)
            servers = Servers(rasa_port=free_port(), actions_port=free_port(), model=model, tracker_db=None)
            servers.start()
            webhook = servers.webhook
        result = play(webhook, setup, lines, token=servers.token if servers else args.token)
    except (PlayError, RuntimeError, TimeoutError) as exc:
        raise CliError(str(exc))
    finally:
        if servers:
            servers.stop()
    print(json.dumps(result, ensure_ascii=False, indent=None if args.compact else 2))
    return 0


def cmd_score(args) -> int:
    from bot.play import PlayError, rescore

    try:
        record = json.loads(_read_text(args.file))
    except json.JSONDecodeError as exc:
        raise CliError(f"{args.file} is not JSON: {exc.msg} (line {exc.lineno})")
    try:
        card = rescore(record, _library())
    except (PlayError, KeyError) as exc:
        raise CliError(str(exc.args[0] if exc.args else exc))
    print(json.dumps(card, ensure_ascii=False, indent=2))
    return 0


# -- serve ------------------------------------------------------------------------------
def cmd_serve(args) -> int:
    from bot.servers import Servers

    import signal

    def stop_on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_sigterm)  # `kill` stops the servers too, not only Ctrl-C
    servers = Servers(rasa_port=args.rasa_port, actions_port=args.actions_port, host=args.host)
    print(f"Starting the action server on port {args.actions_port} and Rasa on port {args.rasa_port} "
          "(about a minute)...", flush=True)
    try:
        servers.start()
    except (FileNotFoundError, RuntimeError, TimeoutError) as exc:
        raise CliError(str(exc))
    except KeyboardInterrupt:
        servers.stop()
        print("\nStopped before the coach was ready.", flush=True)
        return 130
    token_hint = "$COACH_API_TOKEN" if os.environ.get("COACH_API_TOKEN") else "$(cat var/api-token)"
    print(f"\ncomplaint-coach is ready.\n  Chat in your browser: {servers.web_url}\n"
          f"  Chat (REST, for tools): POST {servers.webhook}\n"
          f"    e.g. curl -s {servers.webhook} -H \"Authorization: Bearer {token_hint}\" "
          f"-d '{{\"sender\": \"me\", \"message\": \"hi\"}}'\n"
          f"  Conversations are stored in {servers.tracker_db}", flush=True)
    if servers.dashboard_url:
        from bot.tutor.db import describe

        print(f"  Tutor dashboard: {servers.dashboard_url} (tutors sign in; add one with `coach tutor add NAME`; "
              f"reads {describe(servers.dashboard_database())})", flush=True)
    for note in servers.channel_notes:
        print(f"  ({note})", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while all(p.poll() is None for p in servers.processes):
            time.sleep(1)
        print("A coach server stopped unexpectedly; see var/log/.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        servers.stop()
        print("Stopped.", flush=True)


# -- bench-moves -------------------------------------------------------------------------
def _latency_ms(detect, data) -> Tuple[float, float]:
    """p50 and p95 milliseconds of one ``detect(text)`` call over the set's messages."""
    from bot.moves.evaluation import p50_p95

    latencies = []
    for text, _ in data:
        start = time.perf_counter()
        detect(text)
        latencies.append((time.perf_counter() - start) * 1000)
    return p50_p95(latencies)


def cmd_bench_moves(args) -> int:
    from bot.moves.detector import MoveDetector
    from bot.moves.evaluation import evaluate, keyword_baseline, per_move_table, read_jsonl, summary_line
    from bot.moves.model_archive import ModelError, load_detector

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
    rows = [("chosen (rules + classifier)", chosen, chosen_p95),
            ("keyword baseline", baseline, _latency_ms(keyword_baseline, data)[1])]
    if args.alternatives:
        for mode in ("rules", "model"):
            alt = MoveDetector(detector.classifier, mode=mode, threshold=detector.threshold)
            rows.append((f"alternative: {mode} only", evaluate(lambda t: alt.detect(t).moves, data),
                         _latency_ms(alt.detect, data)[1]))
    for label, result, p95 in rows:
        print(f"{summary_line(label, result)}  p95 {p95:.2f} ms")
    print(f"macro-F1 gain over baseline: {chosen['macro_f1'] - baseline['macro_f1']:+.3f}\n")
    print(f"in-process latency per message: p50 {chosen_p50:.2f} ms, p95 {chosen_p95:.2f} ms")
    payload = "".join(json.dumps({"text": t}) + "\n" for t, _ in data)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "bot", "detect"] + (["--model", str(args.model)] if args.model else []),
                         input=payload, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise CliError("coach detect failed: " + run.stderr.strip()[:300])
    print(f"`coach detect` on the whole set: {len(data)} messages in {elapsed:.2f} s = "
          f"{len(data) / elapsed:.0f} messages/s (including start-up)")
    if args.errors:
        Path(args.errors).write_text("\n".join(json.dumps(e) for e in chosen["errors"]) + "\n")
        print(f"errors written to {args.errors}")
    return 0


def cmd_bench_score(args) -> int:
    from bot.assessment import bench

    result = bench.run(_library(), count=args.conversations, turns=args.turns)
    print(f"Scored {result['conversations']} conversations of {result['turns']} learner turns each in "
          f"{result['seconds']:.3f} s of CPU time (best of 3, one core): "
          f"{result['per_second']:.0f} conversations per second")
    return 0


def whole_number(option: str, low: int = 1, high: Optional[int] = None):
    """An argparse ``type`` for a whole number in [low, high] that names ``option`` when out of range."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number")
        if number < low or (high is not None and number > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{option} must be {bound}")
        return number
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description="complaint-coach command line")
    sub = parser.add_subparsers(dest="command", required=True)

    detect = sub.add_parser("detect", help="add \"moves\" to JSON lines with a \"text\" field, or to plain lines of text")
    detect.add_argument("file", nargs="?", help="JSON lines file (standard input when absent)")
    detect.add_argument("--model", help="trained model archive (default models/coach.tar.gz)")
    detect.set_defaults(func=cmd_detect)

    play = sub.add_parser("play", help="play a scripted learner against the real assistant")
    play.add_argument("--scenario", required=True)
    play.add_argument("--script", required=True, help="learner messages, one per line")
    play.add_argument("--persona")
    play.add_argument("--difficulty")
    play.add_argument("--seed", type=int, default=1)
    play.add_argument("--mode", choices=("practice", "assessment"), default="practice")
    play.add_argument("--url", help="use a running Rasa server (e.g. http://localhost:5005) instead of starting one")
    play.add_argument("--model", help="trained model archive, when starting servers")
    play.add_argument("--token", help="API token for --url (default: COACH_API_TOKEN or var/api-token)")
    play.add_argument("--compact", action="store_true", help="print the JSON on one line")
    play.set_defaults(func=cmd_play)

    score = sub.add_parser("score", help="score a stored conversation (coach play output or tracker export)")
    score.add_argument("file")
    score.set_defaults(func=cmd_score)

    scenarios = sub.add_parser("scenarios", help="list scenarios, or check scenario files")
    scenarios.add_argument("--check", nargs="*", metavar="FILE", help="validate files (all scenarios when none given)")
    scenarios.set_defaults(func=cmd_scenarios)

    serve = sub.add_parser("serve", help="start the action server and the Rasa server")
    serve.add_argument("--rasa-port", type=int, default=int(os.environ.get("COACH_RASA_PORT", 5005)))
    serve.add_argument("--actions-port", type=int, default=int(os.environ.get("COACH_ACTIONS_PORT", 5055)))
    serve.add_argument("--host", default=os.environ.get("COACH_HOST", "127.0.0.1"))
    serve.set_defaults(func=cmd_serve)

    bench = sub.add_parser("bench-moves", help="evaluate move detection on the labelled test set")
    bench.add_argument("--test-set", default=str(PROJECT_ROOT / "tests" / "data" / "moves_heldout.jsonl"))
    bench.add_argument("--model")
    bench.add_argument("--alternatives", action="store_true", help="also measure the rules-only and model-only pipelines")
    bench.add_argument("--errors", help="write misclassified messages to this JSON lines file")
    bench.set_defaults(func=cmd_bench_moves)

    bench_score = sub.add_parser("bench-score", help="scoring speed on a batch of long conversations")
    bench_score.add_argument("--conversations", type=int, default=300)
    bench_score.add_argument("--turns", type=int, default=30)
    bench_score.set_defaults(func=cmd_bench_score)

    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"coach: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
