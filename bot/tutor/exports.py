"""Exports of the indexed attempts: CSV, JSON and xAPI statements (one per scored attempt)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import and_, literal_column, select
from sqlalchemy.engine import Connection

from bot.domain.assessment.rubrics import pass_mark
from bot.domain.scenarios import default_library
from bot.settings import settings
from bot.tutor.db import MODEL_IDS, attempts, comments, overrides, scorecards
from bot.tutor.queries import Filters, iso
from bot.tutor.view import attempt_messages, load_events

FORMATS = ("csv", "json", "xapi")
VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/simulation"
STATEMENT_NAMESPACE = uuid.UUID("6b2f0c2e-6d3a-4c55-9a51-2a4e2f0c0a11")
CSV_COLUMNS = [
    "conversation_id",
    "attempt",
    "learner_id",
    "learner_name",
    "channel",
    "scenario",
    "persona",
    "difficulty",
    "mode",
    "started_at",
    "updated_at",
    "outcome",
    "overall",
    "overall_auto",
    "overridden",
    "pass_mark",
    "passed",
    "flags",
    "flags_auto",
    *MODEL_IDS,
    "turns",
    "final_mood",
    "comments",
    "cohort",
    "channel_learner_id",
    "channel_learner_name",
    # the service KPIs (``turns`` is above); empty for scorecards stored before KPIs existed
    "csat",
    "nps",
    "nps_category",
    "first_contact_resolution",
    "handle_seconds",
]
# ``coach export --format csv --messages`` (``/export.csv?messages=1``): one row per transcript line.
MESSAGE_COLUMNS = [
    "conversation_id",
    "attempt",
    "learner_id",
    "learner_name",
    "position",
    "speaker",
    "kind",
    "turn",
    "tool",
    "moves",
    "mood",
    "time",
    "text",
]


def homepage() -> str:
    """The xAPI account home page (COACH_XAPI_HOMEPAGE), where learner accounts live."""
    return settings().xapi_homepage


def activity_base() -> str:
    return settings().xapi_activity_base.rstrip("/")


def parse_since(value: Optional[str]) -> Optional[float]:
    """``YYYY-MM-DD`` or an ISO date-time (UTC unless it says otherwise) as a timestamp."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def select_rows(
    db: Connection,
    filters: Optional[Filters] = None,
    since: Optional[float] = None,
    with_scorecards: bool = True,
    library=None,
) -> List[Dict[str, Any]]:
    """Attempts matching the filters with activity at or after ``since``, oldest first; with a
    ``library``, each carries ``messages``, every line of its transcript in order."""
    conditions = (filters or Filters()).conditions()
    if since is not None:
        conditions.append(attempts.c.updated_at >= since)
    card = scorecards.c.scorecard if with_scorecards else literal_column("NULL").label("scorecard")
    rows = [
        dict(r._mapping)
        for r in db.execute(
            select(attempts, card)
            .outerjoin(scorecards, scorecards.c.attempt_id == attempts.c.id)
            .where(and_(*conditions))
            .order_by(attempts.c.started_at, attempts.c.id)
        )
    ]
    ids = [r["id"] for r in rows]
    notes: Dict[int, list] = {}
    changes: Dict[int, list] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for c in db.execute(select(comments).where(comments.c.attempt_id.in_(chunk)).order_by(comments.c.id)):
            notes.setdefault(c.attempt_id, []).append({"tutor": c.tutor, "text": c.text, "at": iso(c.created_at)})
        for o in db.execute(select(overrides).where(overrides.c.attempt_id.in_(chunk)).order_by(overrides.c.id)):
            changes.setdefault(o.attempt_id, []).append(
                {
                    "tutor": o.tutor,
                    "change": o.kind,
                    "value": o.value,
                    "before": o.value_before,
                    "after": o.value_after,
                    "reason": o.reason,
                    "at": iso(o.created_at),
                }
            )
    for row in rows:
        row["flags"] = json.loads(row["flags"] or "[]")
        row["flags_auto"] = json.loads(row["flags_auto"] or "[]")
        row["scorecard"] = json.loads(row["scorecard"]) if row["scorecard"] else None
        row["comments"] = notes.get(row["id"], [])
        row["overrides"] = changes.get(row["id"], [])
    if library is not None:
        _attach_messages(db, rows, library)
    return rows


def _attach_messages(db: Connection, rows: List[Dict[str, Any]], library) -> None:
    """Replay each conversation once and give each attempt its transcript lines."""
    by_sender: Dict[str, List[Dict[str, Any]]] = {}
    for row in rows:
        by_sender.setdefault(row["sender_id"], []).append(row)
    for sender_id, own in by_sender.items():
        found = attempt_messages(sender_id, load_events(db, sender_id), library)
        for row in own:
            row["messages"] = found.get(row["attempt"], found.get(0, []))


def learner_of(r: Dict[str, Any]) -> Dict[str, Any]:
    """The learner as exports name them: the id and name after the tutors' merges and renames,
    with the cohort and what the channel sent."""
    return {
        "id": r["person_id"] or r["learner_id"],
        "name": r["person_name"],
        "cohort": r["learner_cohort"] or None,
        "channel_id": r["learner_id"],
        "channel_name": r["learner_name"],
    }


def kpis_of(r: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The attempt's service KPIs as exports carry them, or None when its scorecard has none."""
    if r["kpi_csat"] is None:
        return None
    return {
        "csat": r["kpi_csat"],
        "nps": r["kpi_nps"],
        "nps_category": r["kpi_nps_category"],
        "first_contact_resolution": bool(r["kpi_fcr"]),
        "turns": r["turns"],
        "handle_seconds": r["kpi_handle_seconds"],
    }


def _kpi_cells(r: Dict[str, Any]) -> List[Any]:
    kpis = kpis_of(r)
    if kpis is None:
        return [None] * 5
    fcr = "yes" if kpis["first_contact_resolution"] else "no"
    return [kpis["csat"], kpis["nps"], kpis["nps_category"], fcr, kpis["handle_seconds"]]


def _kpi_extensions(r: Dict[str, Any]) -> Dict[str, Any]:
    """xAPI result extensions for the KPIs (none for an attempt without them)."""
    kpis = kpis_of(r)
    if kpis is None:
        return {}
    return {f"urn:complaint-coach:{key.replace('_', '-')}": value for key, value in kpis.items()}


def _safe_cell(value: Any) -> Any:
    """Spreadsheet formula injection guard: text cells never start with = + - @ or a control character."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Iterable[Dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        line = [
            r["sender_id"],
            r["attempt"],
            r["person_id"] or r["learner_id"],
            r["person_name"],
            r["channel"],
            r["scenario"],
            r["persona"],
            r["difficulty"],
            r["mode"],
            iso(r["started_at"]),
            iso(r["updated_at"]),
            r["outcome"],
            r["overall"],
            r["overall_auto"],
            "yes" if r["overridden"] else "no",
            r["pass_mark"],
            "" if r["passed"] is None else ("yes" if r["passed"] else "no"),
            ";".join(r["flags"]),
            ";".join(r["flags_auto"]),
            *[r["m_" + m.lower()] for m in MODEL_IDS],
            r["turns"],
            r["final_mood"],
            len(r["comments"]),
            r["learner_cohort"],
            r["learner_id"],
            r["learner_name"],
            *_kpi_cells(r),
        ]
        writer.writerow([_safe_cell("" if v is None else v) for v in line])
    return out.getvalue()


def to_messages_csv(rows: Iterable[Dict[str, Any]]) -> str:
    """One row per transcript line of every attempt, in the attempts' order and then the lines' order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MESSAGE_COLUMNS)
    for r in rows:
        for m in r["messages"]:
            line = [
                r["sender_id"],
                r["attempt"],
                r["person_id"] or r["learner_id"],
                r["person_name"],
                m["index"],
                m["speaker"],
                m["kind"],
                m["turn"],
                m["tool"],
                ";".join(m["moves"]),
                m["mood"],
                m["time"],
                m["text"],
            ]
            writer.writerow([_safe_cell("" if v is None else v) for v in line])
    return out.getvalue()


def to_json(rows: Iterable[Dict[str, Any]]) -> str:
    out = []
    for r in rows:
        out.append(
            {
                "conversation_id": r["sender_id"],
                "attempt": r["attempt"],
                "learner": learner_of(r),
                "channel": r["channel"],
                "scenario": r["scenario"],
                "persona": r["persona"],
                "difficulty": r["difficulty"],
                "mode": r["mode"],
                "started_at": iso(r["started_at"]),
                "updated_at": iso(r["updated_at"]),
                "outcome": r["outcome"],
                "overall": r["overall"],
                "overall_auto": r["overall_auto"],
                "overridden": bool(r["overridden"]),
                "flags": r["flags"],
                "flags_auto": r["flags_auto"],
                "pass_mark": r["pass_mark"],
                "passed": r["passed"],
                "turns": r["turns"],
                "final_mood": r["final_mood"],
                "kpis": kpis_of(r),
                "scorecard": r["scorecard"],
                "comments": r["comments"],
                "overrides": r["overrides"],
                "messages": r.get("messages", []),
            }
        )
    return json.dumps(out, ensure_ascii=False, indent=1)


def statement(r: Dict[str, Any], titles: Dict[str, str], default_pass_mark: int) -> Optional[Dict[str, Any]]:
    """One xAPI statement for a scored attempt (None for an attempt without a scorecard)."""
    if r["overall"] is None:
        return None
    assessment = r["mode"] == "assessment"
    mark = r["pass_mark"] if r["pass_mark"] is not None else default_pass_mark
    success = r["overall"] >= mark
    verb = ("passed" if success else "failed") if assessment else "completed"
    learner = learner_of(r)
    name = learner["name"] or learner["id"]
    title = titles.get(r["scenario"], r["scenario"].replace("_", " ").capitalize())
    key = f"{r['sender_id']}\n{r['attempt']}"
    return {
        "id": str(uuid.uuid5(STATEMENT_NAMESPACE, key)),
        "actor": {"objectType": "Agent", "name": name, "account": {"homePage": homepage(), "name": learner["id"]}},
        "verb": {"id": VERBS[verb], "display": {"en-GB": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{activity_base()}{r['scenario']}",
            "definition": {
                "name": {"en-GB": title},
                "type": ACTIVITY_TYPE,
                "description": {"en-GB": f"complaint-coach scenario {r['scenario']}"},
            },
        },
        "result": {
            "score": {"scaled": round(r["overall"] / 100, 4), "raw": r["overall"], "min": 0, "max": 100},
            "success": success,
            "completion": True,
            "extensions": {
                "urn:complaint-coach:outcome": r["outcome"],
                "urn:complaint-coach:flags": r["flags"],
                "urn:complaint-coach:overall-automatic": r["overall_auto"],
                **_kpi_extensions(r),
            },
            **_duration(r),
        },
        "context": {
            "platform": "complaint-coach",
            "language": "en-GB",
            "extensions": {
                "urn:complaint-coach:conversation": r["sender_id"],
                "urn:complaint-coach:attempt": r["attempt"],
                "urn:complaint-coach:persona": r["persona"],
                "urn:complaint-coach:difficulty": r["difficulty"],
                "urn:complaint-coach:mode": r["mode"],
                "urn:complaint-coach:channel": r["channel"],
                "urn:complaint-coach:learner": learner,
                "urn:complaint-coach:transcript": [
                    {k: m[k] for k in ("index", "speaker", "kind", "text", "turn", "tool", "time")}
                    for m in r.get("messages", [])
                ],
            },
        },
        "timestamp": iso(r["scored_at"] or r["updated_at"]),
        "version": "1.0.3",
    }


def _duration(r: Dict[str, Any]) -> Dict[str, str]:
    """xAPI's result.duration (ISO 8601) from the handle time, when the messages carried times."""
    seconds = r["kpi_handle_seconds"]
    return {} if seconds is None else {"duration": f"PT{int(seconds)}S"}


def to_xapi(rows: Iterable[Dict[str, Any]], library=None) -> str:
    titles = {}
    if library is not None:
        titles = {sid: library.practice(sid).title for sid in library.menu_ids()}
    mark = pass_mark()
    statements = [s for s in (statement(r, titles, mark) for r in rows) if s]
    return json.dumps(statements, ensure_ascii=False, indent=1)


def export(
    db: Connection,
    fmt: str,
    filters: Optional[Filters] = None,
    since: Optional[float] = None,
    library=None,
    messages: bool = False,
) -> str:
    """The export in ``fmt``. JSON and xAPI always carry the transcripts; CSV carries them as one row
    per line with ``messages`` (the attempts' CSV stays one row per attempt)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}' (csv, json or xapi)")
    transcripts = fmt in ("json", "xapi") or messages
    if transcripts and library is None:
        library = default_library()
    rows = select_rows(db, filters, since, with_scorecards=fmt == "json", library=library if transcripts else None)
    if fmt == "csv":
        return to_messages_csv(rows) if messages else to_csv(rows)
    if fmt == "json":
        return to_json(rows)
    if fmt == "xapi":
        return to_xapi(rows, library)
    raise ValueError(f"unknown export format '{fmt}' (csv, json or xapi)")


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xapi": "application/json; charset=utf-8",
}
MESSAGES_FILE_NAME = "coach-messages.csv"
FILE_NAMES = {"csv": "coach-attempts.csv", "json": "coach-attempts.json", "xapi": "coach-xapi-statements.json"}
