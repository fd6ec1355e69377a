"""Reading the index: the filtered, paged conversation list, option lists and cohort figures."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from bot.tutor.db import MODEL_IDS, attempt_flags, attempts, comments, overrides, scorecards

PAGE_SIZE = 50
OUTCOMES = ("satisfied", "unsatisfied", "escalated", "abandoned", "in_progress")
FILTER_KEYS = (
    "learner",
    "channel",
    "scenario",
    "persona",
    "difficulty",
    "mode",
    "outcome",
    "flag",
    "date_from",
    "date_to",
    "score_min",
    "score_max",
)
LIST_COLUMNS = [
    attempts.c[name]
    for name in (
        "id",
        "sender_id",
        "attempt",
        "learner_id",
        "learner_name",
        "channel",
        "scenario",
        "persona",
        "difficulty",
        "mode",
        "outcome",
        "started_at",
        "overall",
        "overall_auto",
        "flags",
        "overridden",
        "passed",
        "turns",
    )
]


class FilterError(ValueError):
    pass


def parse_day(value: str, end: bool = False) -> float:
    """``YYYY-MM-DD`` (UTC) as a timestamp: the start of that day, or the end with ``end``."""
    try:
        day = dt.datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise FilterError(f"'{value}' is not a date (YYYY-MM-DD)")
    return (day + dt.timedelta(days=1)).timestamp() if end else day.timestamp()


def when(stamp: Optional[float]) -> str:
    if not stamp:
        return ""
    return dt.datetime.fromtimestamp(stamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def iso(stamp: Optional[float]) -> str:
    if not stamp:
        return ""
    return dt.datetime.fromtimestamp(stamp, dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Filters:
    values: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "Filters":
        values = {}
        for key in FILTER_KEYS:
            value = (query.get(key) or "").strip()[:200]
            if value:
                values[key] = value
        return cls(values)

    def conditions(self) -> list:
        v, c = self.values, attempts.c
        out = []
        if "learner" in v:
            like = "%" + v["learner"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            out.append(
                or_(
                    c.learner_id == v["learner"],
                    func.lower(c.learner_name).like(like, escape="\\"),
                    func.lower(c.learner_id).like(like, escape="\\"),
                )
            )
        for key in ("channel", "scenario", "persona", "difficulty", "mode", "outcome"):
            if key in v:
                out.append(c[key] == v[key])
        if "flag" in v:
            out.append(c.id.in_(select(attempt_flags.c.attempt_id).where(attempt_flags.c.flag == v["flag"])))
        if "date_from" in v:
            out.append(c.started_at >= parse_day(v["date_from"]))
        if "date_to" in v:
            out.append(c.started_at < parse_day(v["date_to"], end=True))
        for key, op in (("score_min", "__ge__"), ("score_max", "__le__")):
            if key in v:
                try:
                    number = int(v[key])
                except ValueError:
                    raise FilterError(f"{key.replace('_', ' ')} must be a whole number")
                out.append(getattr(c.overall, op)(number))
        return out

    def query_string(self, **extra: Any) -> str:
        from urllib.parse import urlencode

        merged = dict(self.values)
        merged.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(merged)


def list_page(db: Connection, filters: Filters, page: int = 1, page_size: int = PAGE_SIZE) -> Dict[str, Any]:
    where = and_(*filters.conditions())
    total = db.execute(select(func.count()).select_from(attempts).where(where)).scalar()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = db.execute(
        select(*LIST_COLUMNS)
        .where(where)
        .order_by(attempts.c.started_at.desc(), attempts.c.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).fetchall()
    items = []
    for row in rows:
        item = dict(row._mapping)
        item["flags"] = json.loads(item["flags"] or "[]")
        item["date"] = when(item["started_at"])
        items.append(item)
    return {"items": items, "total": total, "page": page, "pages": pages, "page_size": page_size}


def options(db: Connection) -> Dict[str, List[str]]:
    """The values each filter can take (distinct values in the index, read from the indexes)."""
    out = {}
    for key in ("channel", "scenario", "persona", "difficulty", "mode"):
        out[key] = [v for (v,) in db.execute(select(attempts.c[key]).distinct().order_by(attempts.c[key])) if v]
    out["outcome"] = list(OUTCOMES)
    out["flag"] = [v for (v,) in db.execute(select(attempt_flags.c.flag).distinct().order_by(attempt_flags.c.flag))]
    return out


def attempt_row(db: Connection, attempt_id: int) -> Optional[Dict[str, Any]]:
    row = db.execute(
        select(attempts, scorecards.c.scorecard)
        .outerjoin(scorecards, scorecards.c.attempt_id == attempts.c.id)
        .where(attempts.c.id == attempt_id)
    ).first()
    if row is None:
        return None
    item = dict(row._mapping)
    item["flags"] = json.loads(item["flags"] or "[]")
    item["flags_auto"] = json.loads(item["flags_auto"] or "[]")
    item["scorecard"] = json.loads(item["scorecard"]) if item["scorecard"] else None
    item["date"] = when(item["started_at"])
    return item


def siblings(db: Connection, sender_id: str) -> List[Dict[str, Any]]:
    return [
        dict(r._mapping)
        for r in db.execute(
            select(attempts.c.id, attempts.c.attempt, attempts.c.scenario, attempts.c.overall)
            .where(attempts.c.sender_id == sender_id)
            .order_by(attempts.c.attempt)
        )
    ]


def audit(db: Connection, attempt_id: int) -> Dict[str, List[Dict[str, Any]]]:
    notes = [
        dict(r._mapping, date=when(r.created_at))
        for r in db.execute(select(comments).where(comments.c.attempt_id == attempt_id).order_by(comments.c.id))
    ]
    changes = [
        dict(r._mapping, date=when(r.created_at))
        for r in db.execute(select(overrides).where(overrides.c.attempt_id == attempt_id).order_by(overrides.c.id))
    ]
    return {"comments": notes, "overrides": changes}


# -- cohort -------------------------------------------------------------------------------------
def cohort(db: Connection, filters: Filters, page: int = 1, page_size: int = 40) -> Dict[str, Any]:
    base = [attempts.c.overall.isnot(None)] + filters.conditions()
    where = and_(*base)
    scored = db.execute(select(func.count()).select_from(attempts).where(where)).scalar()
    learner_count = db.execute(select(func.count(func.distinct(attempts.c.learner_id))).where(where)).scalar()
    pages = max(1, -(-learner_count // page_size))
    page = min(max(1, page), pages)
    learner_rows = db.execute(
        select(
            attempts.c.learner_id,
            func.max(attempts.c.learner_name).label("name"),
            func.count().label("n"),
            func.avg(attempts.c.overall).label("avg"),
            func.max(attempts.c.started_at).label("latest"),
        )
        .where(where)
        .group_by(attempts.c.learner_id)
        .order_by(func.max(attempts.c.started_at).desc(), attempts.c.learner_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).fetchall()
    ids = [r.learner_id for r in learner_rows]
    series: Dict[str, List[Dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for r in db.execute(
            select(
                attempts.c.id,
                attempts.c.learner_id,
                attempts.c.overall,
                attempts.c.started_at,
                attempts.c.scenario,
                attempts.c.mode,
                attempts.c.passed,
            )
            .where(where, attempts.c.learner_id.in_(ids))
            .order_by(attempts.c.learner_id, attempts.c.started_at, attempts.c.id)
        ):
            series[r.learner_id].append(
                {
                    "id": r.id,
                    "overall": r.overall,
                    "date": when(r.started_at),
                    "scenario": r.scenario,
                    "mode": r.mode,
                    "passed": r.passed,
                }
            )
    learners = []
    for r in learner_rows:
        scores = [p["overall"] for p in series[r.learner_id]]
        learners.append(
            {
                "id": r.learner_id,
                "name": r.name or "",
                "attempts": r.n,
                "average": round(r.avg or 0),
                "first": scores[0] if scores else None,
                "latest": scores[-1] if scores else None,
                "best": max(scores) if scores else None,
                "points": series[r.learner_id],
            }
        )
    flag_rows = db.execute(
        select(attempt_flags.c.flag, func.count().label("n"))
        .select_from(attempt_flags.join(attempts, attempts.c.id == attempt_flags.c.attempt_id))
        .where(where)
        .group_by(attempt_flags.c.flag)
        .order_by(func.count().desc(), attempt_flags.c.flag)
    ).fetchall()
    flags = [{"flag": r.flag, "count": r.n, "share": (r.n / scored) if scored else 0.0} for r in flag_rows]
    model_cols = [func.avg(attempts.c["m_" + m.lower()]).label(m) for m in MODEL_IDS]
    by_scenario = []
    for r in db.execute(
        select(attempts.c.scenario, func.count().label("n"), func.avg(attempts.c.overall).label("overall"), *model_cols)
        .where(where)
        .group_by(attempts.c.scenario)
        .order_by(attempts.c.scenario)
    ):
        by_scenario.append(
            {
                "scenario": r.scenario,
                "attempts": r.n,
                "overall": _round(r.overall),
                "models": {m: _round(getattr(r, m)) for m in MODEL_IDS},
            }
        )
    return {
        "scored": scored,
        "learner_count": learner_count,
        "learners": learners,
        "page": page,
        "pages": pages,
        "flags": flags,
        "by_scenario": by_scenario,
    }


def _round(value: Optional[float]) -> Optional[int]:
    return None if value is None else int(round(value))
