"""Keeping ``coach_attempts`` in step with Rasa's ``events`` table, incrementally.

Each sync reads only events newer than the last one seen (by id), finds the conversations
they belong to, and rebuilds those conversations' attempt rows from their ``coach_state``
and ``scorecard`` slot events. Scores come from the stored scorecard: nothing is re-scored.

One conversation (Rasa sender) can hold several attempts (the learner types ``restart``);
``coach_state.attempt`` numbers them. The scorecard slot is set in the same action as the
``coach_state`` that follows it, so a scorecard belongs to the attempt named by the next
``coach_state``. Slots that Rasa carries over into a new session (the events between a
``session_started`` and the next action) repeat old values and are skipped.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import and_, case, delete, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain.assessment.scorecard import Scorecard
from bot.tutor.db import (
    MODEL_IDS,
    attempt_flags,
    attempts,
    events,
    has_events_table,
    index_state,
    overrides,
    scorecards,
)
from bot.tutor.learners import People, refresh

SENDERS_PER_QUERY = 400
# On PostgreSQL, ids are handed out before commit, so a transaction can commit an id lower than
# one already seen. Conversations with events this recent are looked at again on the next sync.
RECHECK_SECONDS = 30.0
KPI_COLUMNS = ("kpi_csat", "kpi_nps", "kpi_nps_category", "kpi_fcr", "kpi_handle_seconds")

_locks: Dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(engine: Engine) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(str(engine.url), threading.Lock())


@dataclass
class AttemptRecord:
    sender_id: str
    attempt: int
    started_at: float
    state: Dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0
    scorecard: Optional[Dict[str, Any]] = None
    scored_at: Optional[float] = None
    last_event_id: int = 0


def _number(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(round(value))
    return None


def build_attempts(sender_id: str, rows: Iterable[Any]) -> List[AttemptRecord]:
    """Attempt records from one conversation's relevant events, in id order.

    ``rows`` have ``id, type_name, action_name, timestamp, data`` (data only for slot events).
    """
    found: Dict[int, AttemptRecord] = {}
    carrying = False
    pending = None  # (scorecard, timestamp, event id) waiting for the coach_state that follows it
    previous_card = None
    latest: Optional[AttemptRecord] = None

    def attach(record: AttemptRecord, card, stamp, event_id) -> None:
        record.scorecard, record.scored_at = card, stamp
        record.last_event_id = max(record.last_event_id, event_id)

    for row in rows:
        kind = row.type_name
        if kind == "session_started":
            carrying = True
            continue
        if kind == "action":
            carrying = False
            continue
        if kind != "slot" or carrying or not row.data:
            continue
        try:
            value = json.loads(row.data).get("value")
        except (ValueError, AttributeError):
            continue
        stamp = float(row.timestamp or 0.0)
        if row.action_name == "scorecard":
            if isinstance(value, dict) and isinstance(value.get("overall"), (int, float)) and value != previous_card:
                pending = (value, stamp, row.id)
                previous_card = value
            continue
        if row.action_name != "coach_state" or not isinstance(value, dict):
            continue
        number = _number(value.get("attempt"))
        if number is None or not value.get("scenario"):
            continue  # the menu, before a scenario starts
        record = found.get(number)
        if record is None:
            record = found[number] = AttemptRecord(sender_id, number, started_at=stamp)
        record.state = value
        record.updated_at = stamp
        record.last_event_id = max(record.last_event_id, row.id)
        latest = record
        if pending is not None:
            card = pending[0]
            if card.get("scenario") in (None, value.get("scenario")):
                attach(record, *pending)
            pending = None
    if (
        pending is not None
        and latest is not None
        and pending[0].get("scenario") in (None, latest.state.get("scenario"))
    ):
        attach(latest, *pending)
    return [found[n] for n in sorted(found)]


def auto_values(record: AttemptRecord) -> Dict[str, Any]:
    """The automatic columns of one attempt row."""
    state, card = record.state, Scorecard.read(record.scorecard)
    learner = state.get("learner") if isinstance(state.get("learner"), dict) else {}
    learner_id = str(learner.get("id") or record.sender_id)[:255]
    learner_name = str(learner.get("name") or "")[:255]
    outcome = (card.outcome if card else None) or state.get("outcome") or "in_progress"
    values = {
        "sender_id": record.sender_id,
        "attempt": record.attempt,
        "learner_id": learner_id,
        "learner_name": learner_name,
        "learner_cohort": str(learner.get("cohort") or "")[:100],
        # as the channel sent them; a tutor's rename or merge is applied after (bot/tutor/learners.py)
        "person_id": learner_id,
        "person_name": learner_name,
        "channel": str(state.get("channel") or "")[:100],
        "scenario": str(state.get("scenario") or (card.scenario if card else "") or "")[:100],
        "persona": str(state.get("persona") or "")[:50],
        "difficulty": str(state.get("difficulty") or "")[:50],
        "mode": str(state.get("mode") or "practice")[:20],
        "phase": str(state.get("phase") or "")[:20],
        "outcome": str(outcome)[:20],
        "final_mood": _number(state.get("mood")),
        "turns": _number(state.get("turns")) or 0,
        "started_at": record.started_at,
        "updated_at": max(record.updated_at, record.scored_at or 0.0),
        "scored_at": record.scored_at,
        "overall_auto": None,
        "flags_auto": "[]",
        "pass_mark": None,
        "last_event_id": record.last_event_id,
    }
    for model in MODEL_IDS:
        values["m_" + model.lower()] = None
    values.update(kpi_values(card))
    if card:
        values["overall_auto"] = card.overall
        values["flags_auto"] = json.dumps([f.id for f in card.flags])
        for model in MODEL_IDS:
            values["m_" + model.lower()] = card.models[model].score if model in card.models else None
        if card.assessment:
            values["pass_mark"] = card.assessment.pass_mark
    return values


def kpi_values(card: Optional[Scorecard]) -> Dict[str, Any]:
    """The KPI columns of one attempt row: all None when there is no scorecard or it predates KPIs."""
    kpis = card.kpis if card else None
    if kpis is None:
        return {name: None for name in KPI_COLUMNS}
    return {
        "kpi_csat": kpis.csat,
        "kpi_nps": kpis.nps,
        "kpi_nps_category": kpis.nps_category[:20],
        "kpi_fcr": kpis.first_contact_resolution,
        "kpi_handle_seconds": kpis.handle_seconds,
    }


def effective(
    overall_auto: Optional[int], flags_auto: List[str], changes: Iterable[Any], pass_mark: Optional[int] = None
) -> Dict[str, Any]:
    """The result after the tutors' overrides, applied in order on top of the automatic one."""
    overall, flags, overridden = overall_auto, list(flags_auto), False
    for change in changes:
        if change.kind == "overall":
            overall = int(change.value)
        elif change.kind == "overall_reset":
            overall = overall_auto
        elif change.kind == "flag_add" and change.value not in flags:
            flags.append(change.value)
        elif change.kind == "flag_remove" and change.value in flags:
            flags.remove(change.value)
    overridden = overall != overall_auto or sorted(flags) != sorted(flags_auto)
    passed = None if pass_mark is None or overall is None else overall >= pass_mark
    return {"overall": overall, "flags": json.dumps(flags), "overridden": overridden, "passed": passed}


def refresh_effective(db: Connection, attempt_id: int) -> Dict[str, Any]:
    """Recompute one attempt's effective columns and its rows in ``coach_attempt_flags``."""
    row = db.execute(
        select(attempts.c.overall_auto, attempts.c.flags_auto, attempts.c.pass_mark).where(attempts.c.id == attempt_id)
    ).first()
    changes = db.execute(
        select(overrides.c.kind, overrides.c.value).where(overrides.c.attempt_id == attempt_id).order_by(overrides.c.id)
    ).fetchall()
    values = effective(row.overall_auto, json.loads(row.flags_auto or "[]"), changes, row.pass_mark)
    db.execute(update(attempts).where(attempts.c.id == attempt_id).values(**values))
    db.execute(delete(attempt_flags).where(attempt_flags.c.attempt_id == attempt_id))
    flags = json.loads(values["flags"])
    if flags:
        db.execute(insert(attempt_flags), [{"attempt_id": attempt_id, "flag": f} for f in flags])
    return values


def _state(db: Connection, name: str, default: float = 0.0) -> float:
    value = db.execute(select(index_state.c.value).where(index_state.c.name == name)).scalar()
    return default if value is None else value


def _set_state(db: Connection, name: str, value: float) -> None:
    if db.execute(update(index_state).where(index_state.c.name == name).values(value=value)).rowcount == 0:
        db.execute(insert(index_state).values(name=name, value=value))


_RELEVANT = or_(
    events.c.type_name == "session_started",
    events.c.type_name == "action",
    and_(events.c.type_name == "slot", events.c.action_name.in_(("coach_state", "scorecard"))),
)


def _relevant_events(db: Connection, senders: List[str]):
    data = case((events.c.type_name == "slot", events.c.data), else_=None)  # only slots need their JSON
    query = (
        select(
            events.c.id,
            events.c.sender_id,
            events.c.type_name,
            events.c.action_name,
            events.c.timestamp,
            data.label("data"),
        )
        .where(events.c.sender_id.in_(senders), _RELEVANT)
        .order_by(events.c.sender_id, events.c.id)
    )
    return db.execute(query).fetchall()


def _store(db: Connection, sender_ids: List[str]) -> int:
    """Rebuild the attempt rows of these conversations; returns how many rows changed."""
    by_sender: Dict[str, list] = {s: [] for s in sender_ids}
    for row in _relevant_events(db, sender_ids):
        by_sender[row.sender_id].append(row)
    existing = {
        (r.sender_id, r.attempt): r
        for r in db.execute(
            select(
                attempts.c.id, attempts.c.sender_id, attempts.c.attempt, attempts.c.last_event_id, attempts.c.scored_at
            ).where(attempts.c.sender_id.in_(sender_ids))
        )
    }
    new: List[Dict[str, Any]] = []
    cards: Dict[tuple, str] = {}
    changed = 0
    seen_learners = set()
    for sender_id, rows in by_sender.items():
        for record in build_attempts(sender_id, rows):
            values = auto_values(record)
            seen_learners.add(values["learner_id"])
            key = (sender_id, record.attempt)
            old = existing.get(key)
            if (
                old is not None
                and old.last_event_id == values["last_event_id"]
                and old.scored_at == values["scored_at"]
            ):
                continue
            changed += 1
            if record.scorecard:
                cards[key] = json.dumps(record.scorecard, ensure_ascii=False)
            if old is None:
                mark, overall = values["pass_mark"], values["overall_auto"]
                new.append(
                    dict(
                        values,
                        overall=overall,
                        flags=values["flags_auto"],
                        overridden=False,
                        passed=None if mark is None or overall is None else overall >= mark,
                    )
                )
                continue
            db.execute(update(attempts).where(attempts.c.id == old.id).values(**values))
            db.execute(delete(scorecards).where(scorecards.c.attempt_id == old.id))
            if key in cards:
                db.execute(insert(scorecards).values(attempt_id=old.id, scorecard=cards[key]))
            refresh_effective(db, old.id)  # overrides stay, applied to the new automatic result
    if new:
        # New attempts have no overrides yet: insert them, their flags and scorecards in bulk.
        db.execute(insert(attempts), new)
        ids = {
            (r.sender_id, r.attempt): r.id
            for r in db.execute(
                select(attempts.c.id, attempts.c.sender_id, attempts.c.attempt).where(
                    attempts.c.sender_id.in_(sorted({v["sender_id"] for v in new}))
                )
            )
        }
        flag_rows = [
            {"attempt_id": ids[(v["sender_id"], v["attempt"])], "flag": flag}
            for v in new
            for flag in json.loads(v["flags"])
        ]
        if flag_rows:
            db.execute(insert(attempt_flags), flag_rows)
        card_rows = [
            {"attempt_id": ids[(v["sender_id"], v["attempt"])], "scorecard": cards[(v["sender_id"], v["attempt"])]}
            for v in new
            if (v["sender_id"], v["attempt"]) in cards
        ]
        if card_rows:
            db.execute(insert(scorecards), card_rows)
    people = People.load(db)
    if changed and seen_learners & people.touched():
        refresh(db, people, only=seen_learners & people.touched())
    return changed


def sync(engine: Engine) -> int:
    """Bring the index up to date with the events table; returns the number of attempt rows changed."""
    with _lock_for(engine):
        for attempt in range(3):
            try:
                return _sync(engine)
            except (IntegrityError, OperationalError):
                # Another process indexed the same rows at the same moment, or the database was busy.
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
    return 0


def _sync(engine: Engine) -> int:
    if not has_events_table(engine):
        return 0
    changed = 0
    recheck = engine.dialect.name != "sqlite"
    batch = 50000
    while True:
        with engine.begin() as db:
            last = int(_state(db, "last_event_id"))
            top = db.execute(select(func.max(events.c.id))).scalar() or 0
            since = _state(db, "last_sync") - RECHECK_SECONDS if recheck else None
            if top <= last and not recheck:
                return changed  # nothing new: one look at the primary key
            condition = events.c.id > last
            if recheck:
                condition = or_(condition, and_(events.c.id > last - 5000, events.c.timestamp > since))
            found = db.execute(
                select(events.c.id, events.c.sender_id).where(condition).order_by(events.c.id).limit(batch)
            ).fetchall()
            senders = list(dict.fromkeys(r.sender_id for r in found))
            for start in range(0, len(senders), SENDERS_PER_QUERY):
                changed += _store(db, senders[start : start + SENDERS_PER_QUERY])
            seen = max((r.id for r in found), default=last)
            _set_state(db, "last_event_id", max(seen, last))
            if recheck:
                _set_state(db, "last_sync", time.time())
            if len(found) < batch or seen <= last:
                return changed


def status(engine: Engine) -> Dict[str, Any]:
    with engine.connect() as db:
        return {
            "last_event_id": int(_state(db, "last_event_id")),
            "attempts": db.execute(select(func.count()).select_from(attempts)).scalar(),
        }


def reset(engine: Engine) -> None:
    """Forget the index position (the next sync rebuilds every row; overrides and comments stay)."""
    with engine.begin() as db:
        db.execute(delete(index_state).where(index_state.c.name.in_(("last_event_id", "last_sync"))))
        db.execute(text("UPDATE coach_attempts SET last_event_id = -1"))
