"""The ``coach`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import List, Optional

from bot.adapters.model_archive import ModelError, load_detector
from bot.bench import BenchError
from bot.cli import bench, tutor
from bot.cli.common import CliError, library, read_text
from bot.domain.coaching.detector import load_coaching_detector
from bot.domain.law.knowledge import default_checker
from bot.domain.moves.patterns import PatternError
from bot.domain.scenarios.loader import SCENARIO_DIR, check_files, load_library, scenario_files
from bot.ops.play import PlayError, play, rescore
from bot.ops.servers import Servers, free_port
from bot.settings import PROJECT_ROOT, settings, settings_rows

SETUP_KEYS = ("scenario", "persona", "difficulty", "seed", "mode")

# Each module adds its subcommands with ``register(subparsers)``.
COMMAND_MODULES = [bench, tutor]


# -- detect ---------------------------------------------------------------------------
def cmd_detect(args) -> int:
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
                raise CliError(f'line {number} has no "text" string')
            obj["moves"] = detector.detect(obj["text"]).moves
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return 0


# -- scenarios --------------------------------------------------------------------------
def cmd_scenarios(args) -> int:
    if args.check is not None:
        paths = [Path(p) for p in args.check] or scenario_files(SCENARIO_DIR)
        errors: list = list(check_files(paths))
        if not args.check:  # the whole course: the coaching patterns, spellings and examples too
            try:
                load_coaching_detector()
            except PatternError as exc:
                errors.append(str(exc))
        for error in errors:
            print(error)
        if errors:
            print(f"{len(errors)} problem(s) in {len(paths)} file(s).", file=sys.stderr)
            return 1
        print(f"{len(paths)} scenario file(s) OK.")
        return 0
    loaded = load_library()
    for error in loaded.errors:
        print(f"warning: skipped: {error}", file=sys.stderr)
    ids = loaded.menu_ids()
    width = max((len(s) for s in ids), default=0)
    for scenario_id in ids:
        print(f"{scenario_id:<{width}}  {loaded.practice(scenario_id).description}")
    return 0


# -- play / score -----------------------------------------------------------------------
def cmd_play(args) -> int:
    scenarios = library()
    try:
        scenario = scenarios.practice(args.scenario)
    except KeyError as exc:
        raise CliError(exc.args[0])
    course = scenarios.course
    if args.persona and args.persona not in {p.id for p in course.personas}:
        raise CliError(f"unknown persona '{args.persona}' (known: {', '.join(p.id for p in course.personas)})")
    if args.difficulty and args.difficulty not in {d.id for d in course.difficulties}:
        raise CliError(
            f"unknown difficulty '{args.difficulty}' (known: {', '.join(d.id for d in course.difficulties)})"
        )
    lines = read_text(args.script).splitlines()
    setup = {
        "scenario": scenario.id,
        "persona": args.persona or scenario.default_persona,
        "difficulty": args.difficulty or "standard",
        "seed": args.seed,
        "mode": args.mode,
    }
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
    try:
        record = json.loads(read_text(args.file))
    except json.JSONDecodeError as exc:
        raise CliError(f"{args.file} is not JSON: {exc.msg} (line {exc.lineno})")
    try:
        card = rescore(record, library())
    except (PlayError, KeyError) as exc:
        raise CliError(str(exc.args[0] if exc.args else exc))
    print(json.dumps(card, ensure_ascii=False, indent=2))
    return 0


# -- serve ------------------------------------------------------------------------------
def cmd_serve(args) -> int:
    def stop_on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_sigterm)  # `kill` stops the servers too, not only Ctrl-C
    servers = Servers(rasa_port=args.rasa_port, actions_port=args.actions_port, host=args.host)
    print(
        f"Starting the action server on port {args.actions_port} and Rasa on port {args.rasa_port} (about a minute)...",
        flush=True,
    )
    try:
        servers.start()
    except (FileNotFoundError, RuntimeError, TimeoutError) as exc:
        raise CliError(str(exc))
    except KeyboardInterrupt:
        servers.stop()
        print("\nStopped before the coach was ready.", flush=True)
        return 130
    token_hint = "$COACH_API_TOKEN" if settings().api_token else "$(cat var/api-token)"
    print(
        f"\ncomplaint-coach is ready.\n  Chat in your browser: {servers.web_url}\n"
        f"  Chat (REST, for tools): POST {servers.webhook}\n"
        f'    e.g. curl -s {servers.webhook} -H "Authorization: Bearer {token_hint}" '
        f'-d \'{{"sender": "me", "message": "hi"}}\'\n'
        f"  Conversations are stored in {servers.tracker_db}",
        flush=True,
    )
    if servers.dashboard_url:
        from bot.tutor.db import describe  # SQLAlchemy loads only when the dashboard runs

        print(
            f"  Tutor dashboard: {servers.dashboard_url} (tutors sign in; add one with `coach tutor add NAME`; "
            f"reads {describe(servers.dashboard_database())})",
            flush=True,
        )
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


def cmd_settings(args) -> int:
    """Print every COACH_* variable with the value in force (secrets show as "(set)")."""
    rows = settings_rows()
    width = max(len(variable) for variable, _, _ in rows)
    for variable, value, meaning in rows:
        print(f"{variable:<{width}}  {value or '(unset)'}  # {meaning}")
    return 0


def cmd_law_model(args) -> int:
    """Train the legal-statement model now, unless one is kept for the current files (``make model`` runs this)."""
    try:
        checker = default_checker()
    except PatternError as exc:
        raise CliError(str(exc))
    print(f"legal-statement model ready ({len(checker.law.rights)} rights)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description="complaint-coach command line")
    sub = parser.add_subparsers(dest="command", required=True)

    detect = sub.add_parser("detect", help='add "moves" to JSON lines with a "text" field, or to plain lines of text')
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
    serve.add_argument("--rasa-port", type=int, default=settings().rasa_port)
    serve.add_argument("--actions-port", type=int, default=settings().actions_port)
    serve.add_argument("--host", default=settings().host)
    serve.set_defaults(func=cmd_serve)

    law_model = sub.add_parser("law-model", help="train the learned legal-statement model if none is kept")
    law_model.set_defaults(func=cmd_law_model)

    shown = sub.add_parser("settings", help="print every COACH_* setting in force, with its meaning")
    shown.set_defaults(func=cmd_settings)

    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, BenchError) as exc:
        print(f"coach: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
