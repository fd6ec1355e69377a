"""``coach dashboard``, ``coach tutor``, ``coach export``, ``coach report`` and ``coach bench-dashboard``."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from bot.cli.common import CliError, library
from bot.settings import settings


def _fail(message: str):
    raise CliError(message)


def _engine(args):
    from sqlalchemy.exc import SQLAlchemyError

    from bot.tutor.db import describe, make_engine

    try:
        return make_engine(args.database_url)
    except SQLAlchemyError as exc:
        from bot.tutor.db import database_url

        _fail(
            f"cannot open the database {describe(database_url(args.database_url))}: "
            f"{str(exc.orig if hasattr(exc, 'orig') and exc.orig else exc).strip().splitlines()[0]}"
        )


def _write(text: str, output) -> None:
    if output in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)


# -- dashboard ---------------------------------------------------------------------------------
def cmd_dashboard(args) -> int:
    from bot.tutor.app import run
    from bot.tutor.db import database_url, describe

    url = database_url(args.database_url)
    print(
        f"Tutor dashboard on http://{args.host}:{args.port}/ (conversations from {describe(url)}). "
        "Create tutors with `coach tutor add NAME`.",
        flush=True,
    )
    _engine(args).dispose()  # fail early, with one line, when the database cannot be opened
    run(host=args.host, port=args.port, database_url=url)
    return 0


# -- tutor accounts ----------------------------------------------------------------------------
def _read_password(args) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    second = getpass.getpass("Again: ")
    if first != second:
        _fail("the two passwords differ")
    return first


def cmd_tutor(args) -> int:
    from bot.tutor import auth

    engine = _engine(args)
    if args.tutor_command == "add":
        password = _read_password(args)
        try:
            auth.add_tutor(engine, args.name, password, replace=args.replace)
        except auth.AuthError as exc:
            _fail(str(exc))
        print(f"tutor '{args.name}' {'updated' if args.replace else 'added'}")
    elif args.tutor_command == "list":
        for tutor in auth.list_tutors(engine):
            print(tutor["name"])
    elif args.tutor_command == "remove":
        if not auth.remove_tutor(engine, args.name):
            _fail(f"no tutor '{args.name}'")
        print(f"tutor '{args.name}' removed")
    return 0


# -- export / report -----------------------------------------------------------------------------
def cmd_export(args) -> int:
    from bot.tutor import exports, indexer

    try:
        since = exports.parse_since(args.since)
    except ValueError as exc:
        _fail(str(exc))
    engine = _engine(args)
    indexer.sync(engine)
    if args.messages and args.format != "csv":
        _fail("--messages goes with --format csv (JSON and xAPI always carry the messages)")
    with engine.connect() as db:
        text = exports.export(db, args.format, since=since, library=library(), messages=args.messages)
    _write(text, args.output)
    return 0


def cmd_report(args) -> int:
    from bot.tutor import indexer, report

    engine = _engine(args)
    indexer.sync(engine)
    try:
        text = report.render(engine, args.conversation_id, library(), args.format, args.attempt)
    except report.ReportError as exc:
        _fail(str(exc))
    _write(text, args.output)
    return 0


def cmd_bench_dashboard(args) -> int:
    from bot.bench import dashboard as bench

    bench.main(args)
    return 0


def register(sub) -> None:
    db_help = "database URL (default: COACH_DATABASE_URL, else sqlite:///var/coach.db)"

    dashboard = sub.add_parser("dashboard", help="run the tutor dashboard on its own (make run starts it too)")
    dashboard.add_argument("--port", type=int, default=settings().dashboard_port)
    dashboard.add_argument("--host", default=settings().host)
    dashboard.add_argument("--database-url", help=db_help)
    dashboard.set_defaults(func=cmd_dashboard)

    tutor = sub.add_parser("tutor", help="tutor accounts for the dashboard: add, list, remove")
    tutor_sub = tutor.add_subparsers(dest="tutor_command", required=True)
    add = tutor_sub.add_parser("add", help="add a tutor (asks for the password, or reads it from standard input)")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.add_argument("--replace", action="store_true", help="set a new password for an existing tutor")
    listing = tutor_sub.add_parser("list", help="list tutor names")
    remove = tutor_sub.add_parser("remove", help="remove a tutor and end their sessions")
    remove.add_argument("name")
    for parser in (add, listing, remove):
        parser.add_argument("--database-url", help=db_help)
    tutor.set_defaults(func=cmd_tutor)

    export = sub.add_parser("export", help="export scored attempts as CSV, JSON or xAPI statements")
    export.add_argument("--format", choices=("csv", "json", "xapi"), default="csv")
    export.add_argument("--since", help="only attempts active on or after this date (YYYY-MM-DD, UTC) or time")
    export.add_argument(
        "--messages",
        action="store_true",
        help="with --format csv: one row per transcript line instead of one per attempt",
    )
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.add_argument("--database-url", help=db_help)
    export.set_defaults(func=cmd_export)

    report = sub.add_parser(
        "report",
        help="one conversation as a report: transcript, moves, mood, scorecard, "
        "notes, reflection, comments and overrides",
    )
    report.add_argument("conversation_id", metavar="CONVERSATION_ID", help="the Rasa conversation (sender) id")
    report.add_argument("--format", choices=("md", "html"), default="md")
    report.add_argument("--attempt", type=int, help="only this attempt (default: every attempt)")
    report.add_argument("--output", "-o", help="file to write (default: standard output)")
    report.add_argument("--database-url", help=db_help)
    report.set_defaults(func=cmd_report)

    bench = sub.add_parser(
        "bench-dashboard",
        help="seed conversations into a temporary database and time the dashboard's conversation list over HTTP",
    )
    bench.add_argument("--conversations", type=int, default=10000)
    bench.add_argument("--requests", type=int, default=40, help="timed requests per filter combination")
    bench.add_argument("--learners", type=int, default=400)
    bench.add_argument("--keep", help="keep the seeded SQLite database at this path")
    bench.set_defaults(func=cmd_bench_dashboard)
