"""The dashboard's database: Rasa's tracker store (``events``) plus the dashboard's own tables.

The URL is COACH_DATABASE_URL when set (e.g. ``postgresql://user:pass@host:5432/coach``),
else the SQLite file Rasa uses by default, ``var/coach.db``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import Engine

from bot.domain.vocabulary import MODEL_IDS
from bot.settings import PROJECT_ROOT, settings

DEFAULT_SQLITE = PROJECT_ROOT / "var" / "coach.db"

metadata = MetaData()

# Rasa's own table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), declared here only so the
# benchmark and tests can create it in an empty database exactly as Rasa does. Never altered.
events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

tutors = Table(
    "coach_tutors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
)

sessions = Table(
    "coach_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie value; the value itself is never stored
    Column("tutor_id", Integer, ForeignKey("coach_tutors.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

login_failures = Table(
    "coach_login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("address", String(100), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_coach_login_failures_name_at", "name", "at"),
    Index("ix_coach_login_failures_address_at", "address", "at"),
)

index_state = Table(
    "coach_index_state",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Float, nullable=False),
)

attempts = Table(
    "coach_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("learner_id", String(255), nullable=False),
    Column("learner_name", String(255), nullable=False, default=""),
    Column("learner_cohort", String(100), nullable=False, default=""),  # learner.cohort, when the channel sends it
    # the learner after the tutors' renames and merges (see bot/tutor/learners.py)
    Column("person_id", String(255), nullable=False, default=""),
    Column("person_name", String(255), nullable=False, default=""),
    Column("channel", String(100), nullable=False, default=""),
    Column("scenario", String(100), nullable=False),
    Column("persona", String(50), nullable=False, default=""),
    Column("difficulty", String(50), nullable=False, default=""),
    Column("mode", String(20), nullable=False, default="practice"),
    Column("phase", String(20), nullable=False, default=""),
    Column("outcome", String(20), nullable=False, default="in_progress"),
    Column("final_mood", Integer),
    Column("turns", Integer, nullable=False, default=0),
    Column("started_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("scored_at", Float),
    # automatic result (from the scorecard slot) and the effective one (after tutor overrides)
    Column("overall_auto", Integer),
    Column("overall", Integer),
    Column("flags_auto", Text, nullable=False, default="[]"),
    Column("flags", Text, nullable=False, default="[]"),
    Column("overridden", Boolean, nullable=False, default=False),
    Column("pass_mark", Integer),
    Column("passed", Boolean),
    *[Column("m_" + m.lower(), Integer) for m in MODEL_IDS],
    # the scorecard's service KPIs (``kpis``); NULL for scorecards stored before they existed
    Column("kpi_csat", Integer),
    Column("kpi_nps", Integer),
    Column("kpi_nps_category", String(20)),
    Column("kpi_fcr", Boolean),
    Column("kpi_handle_seconds", Integer),
    Column("last_event_id", Integer, nullable=False, default=0),
    UniqueConstraint("sender_id", "attempt", name="uq_coach_attempts_sender_attempt"),
    Index("ix_coach_attempts_started", "started_at", "id"),
    Index("ix_coach_attempts_learner", "learner_id", "started_at"),
    Index("ix_coach_attempts_person", "person_id", "started_at"),
    Index("ix_coach_attempts_scenario", "scenario", "started_at"),
    Index("ix_coach_attempts_outcome", "outcome", "started_at"),
    Index("ix_coach_attempts_channel", "channel", "started_at"),
    Index("ix_coach_attempts_persona", "persona", "started_at"),
    Index("ix_coach_attempts_difficulty", "difficulty", "started_at"),
    Index("ix_coach_attempts_overall", "overall"),
)

scorecards = Table(
    "coach_scorecards",
    metadata,  # the stored automatic scorecard, apart so attempt rows stay narrow
    Column("attempt_id", Integer, ForeignKey("coach_attempts.id", ondelete="CASCADE"), primary_key=True),
    Column("scorecard", Text, nullable=False),
)

attempt_flags = Table(
    "coach_attempt_flags",
    metadata,  # the effective flags, one row each, for filtering and counting
    Column("attempt_id", Integer, ForeignKey("coach_attempts.id", ondelete="CASCADE"), primary_key=True),
    Column("flag", String(60), primary_key=True),
    Index("ix_coach_attempt_flags_flag", "flag", "attempt_id"),
)

comments = Table(
    "coach_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("attempt_id", Integer, ForeignKey("coach_attempts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("tutor", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

overrides = Table(
    "coach_overrides",
    metadata,  # the audit trail: every change, with the value before and after
    Column("id", Integer, primary_key=True),
    Column("attempt_id", Integer, ForeignKey("coach_attempts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("tutor", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # overall, overall_reset, flag_add, flag_remove
    Column("value", String(100), nullable=False, default=""),
    Column("reason", Text, nullable=False, default=""),
    Column("value_before", Text, nullable=False, default=""),
    Column("value_after", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
)

learners = Table(
    "coach_learners",
    metadata,  # a tutor's display name for a learner id, and the learner id it is merged into
    Column("learner_id", String(255), primary_key=True),
    Column("display_name", String(255), nullable=False, default=""),
    Column("merged_into", String(255), nullable=False, default=""),
    Column("updated_at", Float, nullable=False),
)

learner_changes = Table(
    "coach_learner_changes",
    metadata,  # the audit trail of renames and merges, like coach_overrides for attempts
    Column("id", Integer, primary_key=True),
    Column("learner_id", String(255), nullable=False, index=True),
    Column("tutor", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # rename, merge, unmerge
    Column("value_before", Text, nullable=False, default=""),
    Column("value_after", Text, nullable=False, default=""),
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
)

# Columns added to coach_attempts after its first release: (name, SQL type and default) for ALTER TABLE.
ADDED_ATTEMPT_COLUMNS = (
    ("learner_cohort", "VARCHAR(100) NOT NULL DEFAULT ''"),
    ("person_id", "VARCHAR(255) NOT NULL DEFAULT ''"),
    ("person_name", "VARCHAR(255) NOT NULL DEFAULT ''"),
    ("kpi_csat", "INTEGER"),
    ("kpi_nps", "INTEGER"),
    ("kpi_nps_category", "VARCHAR(20)"),
    ("kpi_fcr", "BOOLEAN"),
    ("kpi_handle_seconds", "INTEGER"),
    ("m_grow", "INTEGER"),
    ("m_coaching", "INTEGER"),
)


def database_url(url: Optional[str] = None) -> str:
    """The explicit URL, else COACH_DATABASE_URL, else the default SQLite file."""
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    url = url or settings().database_url
    if url:
        return url
    return sqlite_url(DEFAULT_SQLITE)


def sqlite_url(path: Path) -> str:
    return "sqlite:///" + str(Path(path).resolve())


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: Optional[str] = None, create: bool = True) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, future=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True, future=True)
    if create:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            metadata.create_all(engine)
        except (OperationalError, ProgrammingError):
            metadata.create_all(engine)  # another process created the tables at the same moment
        upgrade(engine)
    return engine


def upgrade(engine: Engine) -> None:
    """Add the columns a database made by an older release lacks, and have the next sync refill every row."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    present = {c["name"] for c in inspect(engine).get_columns("coach_attempts")}
    missing = [(name, kind) for name, kind in ADDED_ATTEMPT_COLUMNS if name not in present]
    if not missing:
        return
    try:
        with engine.begin() as db:
            for name, kind in missing:
                db.execute(text(f"ALTER TABLE coach_attempts ADD COLUMN {name} {kind}"))
            if "person_id" not in present:
                db.execute(text("UPDATE coach_attempts SET person_id = learner_id, person_name = learner_name"))
            db.execute(text("UPDATE coach_attempts SET last_event_id = -1"))  # rebuilt (cohort, KPIs) on sync
            db.execute(index_state.delete().where(index_state.c.name.in_(("last_event_id", "last_sync"))))
            db.execute(
                text("CREATE INDEX IF NOT EXISTS ix_coach_attempts_person ON coach_attempts (person_id, started_at)")
            )
    except (OperationalError, ProgrammingError):
        present = {c["name"] for c in inspect(engine).get_columns("coach_attempts")}
        if any(name not in present for name, _ in ADDED_ATTEMPT_COLUMNS):
            raise  # not a second process upgrading at the same moment


def has_events_table(engine: Engine) -> bool:
    return inspect(engine).has_table("events")


def create_events_table(engine: Engine) -> None:
    """Rasa's ``events`` table, for a fresh database (the benchmark, tests). Rasa does the same."""
    events.metadata.create_all(engine)
