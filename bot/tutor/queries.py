"""Reading the index: the filtered, paged conversation list, option lists and cohort figures."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Connection

from bot.tutor.db import MODEL_IDS, attempt_flags, attempts, comments, overrides, scorecards

PAGE_SIZE = 50
OUTCOMES = ("satisfied", "unsatisfied", "escalated", "abandoned", "in_progress")
FILTER_KEYS = (
    "learner",
    "cohort",
    "channel",
    "scenario",
    "persona",
    "difficulty",
    "mode",
    "outcome",
    "flag",
    "nps_category",
    "fcr",
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
        "learner_cohort",
        "person_id",
        "person_name",
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
        "kpi_csat",
        "kpi_nps",
        "kpi_nps_category",
        "kpi_fcr",
    )
]
NPS_CATEGORIES = ("promoter", "passive", "detractor")
FCR_CHOICES = {"yes": True, "no": False}
# The trend's periods, smallest first: the first that covers the attempts in at most MAX_PERIODS is used.
PERIOD_UNITS = ("hour", "day", "week", "month")
MAX_PERIODS = 24


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
                    c.person_id == v["learner"],
                    func.lower(c.person_name).like(like, escape="\\"),
                    func.lower(c.learner_name).like(like, escape="\\"),
                    func.lower(c.learner_id).like(like, escape="\\"),
                )
            )
        if "cohort" in v:
            out.append(c.learner_cohort == v["cohort"])
        for key in ("channel", "scenario", "persona", "difficulty", "mode", "outcome"):
            if key in v:
                out.append(c[key] == v[key])
        if "flag" in v:
            out.append(c.id.in_(select(attempt_flags.c.attempt_id).where(attempt_flags.c.flag == v["flag"])))
        out += self._kpi_conditions()
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

    def _kpi_conditions(self) -> list:
        """NPS category and first contact resolution: attempts whose scorecard has no KPIs never match."""
        v, c = self.values, attempts.c
        out = []
        if "nps_category" in v:
            if v["nps_category"] not in NPS_CATEGORIES:
                raise FilterError("NPS must be promoter, passive or detractor")
            out.append(c.kpi_nps_category == v["nps_category"])
        if "fcr" in v:
            if v["fcr"] not in FCR_CHOICES:
                raise FilterError("resolved first time must be yes or no")
            out.append(c.kpi_fcr.is_(FCR_CHOICES[v["fcr"]]))
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
    out["cohort"] = [
        v for (v,) in db.execute(select(attempts.c.learner_cohort).distinct().order_by(attempts.c.learner_cohort)) if v
    ]
    out["outcome"] = list(OUTCOMES)
    out["nps_category"] = list(NPS_CATEGORIES)
    out["fcr"] = list(FCR_CHOICES)
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
    learner_count = db.execute(select(func.count(func.distinct(attempts.c.person_id))).where(where)).scalar()
    pages = max(1, -(-learner_count // page_size))
    page = min(max(1, page), pages)
    learner_rows = _per_person(
        db,
        where,
        page,
        page_size,
        attempts.c.person_id.label("learner_id"),
        func.count().label("n"),
        func.avg(attempts.c.overall).label("avg"),
        *kpi_columns(),
    )
    ids = [r.learner_id for r in learner_rows]
    series: Dict[str, List[Dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for r in db.execute(
            select(
                attempts.c.id,
                attempts.c.person_id.label("learner_id"),
                attempts.c.overall,
                attempts.c.started_at,
                attempts.c.scenario,
                attempts.c.mode,
                attempts.c.passed,
            )
            .where(where, attempts.c.person_id.in_(ids))
            .order_by(attempts.c.person_id, attempts.c.started_at, attempts.c.id)
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
                "cohort": r.cohort or "",
                "attempts": r.n,
                "average": round(r.avg or 0),
                "first": scores[0] if scores else None,
                "latest": scores[-1] if scores else None,
                "best": max(scores) if scores else None,
                "points": series[r.learner_id],
                "kpis": figures_of(r),
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
        "kpis": kpi_summary(db, where),
        "kpi_trend": kpi_trend(db, where),
    }


def _round(value: Optional[float]) -> Optional[int]:
    return None if value is None else int(round(value))


# -- learners -----------------------------------------------------------------------------------
def learner_page(db: Connection, filters: Filters, page: int = 1, page_size: int = PAGE_SIZE) -> Dict[str, Any]:
    """The learners (after the tutors' merges) with attempts matching the filters, most recent first."""
    where = and_(*filters.conditions())
    total = db.execute(select(func.count(func.distinct(attempts.c.person_id))).where(where)).scalar()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = _per_person(
        db,
        where,
        page,
        page_size,
        attempts.c.person_id,
        func.count(func.distinct(attempts.c.learner_id)).label("ids"),
        func.count().label("attempts"),
    )
    items = [dict(r._mapping, date=when(r.latest)) for r in rows]
    return {"items": items, "total": total, "page": page, "pages": pages}


# -- service KPIs -------------------------------------------------------------------------------
def _half_up(value: float) -> int:
    """Rounded half away from zero (12.5 -> 13, -12.5 -> -13), not Python's round-half-even."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def nps_score(promoters: int, detractors: int, answers: int) -> Optional[int]:
    """Net Promoter Score: % promoters − % detractors (−100 to 100); None with no answers."""
    if not answers:
        return None
    return _half_up(100 * (promoters - detractors) / answers)


def kpi_figures(
    count: Optional[int], csat_total: Optional[float], promoters: Any, detractors: Any, resolved: Any
) -> Dict[str, Any]:
    """CSAT average (one decimal), NPS and FCR rate (% resolved first time) over ``count`` attempts with KPIs.

    Attempts whose scorecard predates KPIs are not in ``count``: they are left out, not counted as zero."""
    count = int(count or 0)
    if not count:
        return {"count": 0, "csat": None, "nps": None, "fcr": None}
    return {
        "count": count,
        "csat": _half_up(10 * float(csat_total or 0) / count) / 10,
        "nps": nps_score(int(promoters or 0), int(detractors or 0), count),
        "fcr": _half_up(100 * int(resolved or 0) / count),
    }


def kpi_columns() -> list:
    """The aggregates ``kpi_figures`` needs, as labelled SQL columns for a SELECT (with any GROUP BY)."""
    c = attempts.c
    return [
        func.count(c.kpi_csat).label("kpi_count"),
        func.sum(c.kpi_csat).label("kpi_csat_total"),
        func.sum(case((c.kpi_nps_category == "promoter", 1), else_=0)).label("kpi_promoters"),
        func.sum(case((c.kpi_nps_category == "detractor", 1), else_=0)).label("kpi_detractors"),
        func.sum(case((c.kpi_fcr.is_(True), 1), else_=0)).label("kpi_resolved"),
    ]


def figures_of(row: Any) -> Dict[str, Any]:
    """``kpi_figures`` of a result row that selected ``kpi_columns()``."""
    return kpi_figures(row.kpi_count, row.kpi_csat_total, row.kpi_promoters, row.kpi_detractors, row.kpi_resolved)


def kpi_summary(db: Connection, where: Any) -> Dict[str, Any]:
    """The KPI figures of every attempt matching ``where``, and of each cohort ("" for none) among them."""
    total = figures_of(db.execute(select(*kpi_columns()).where(where)).first())
    by_cohort = [
        dict(figures_of(r), cohort=r.learner_cohort or "")
        for r in db.execute(
            select(attempts.c.learner_cohort, *kpi_columns())
            .where(where)
            .group_by(attempts.c.learner_cohort)
            .order_by(attempts.c.learner_cohort)
        )
    ]
    return {"total": total, "by_cohort": by_cohort}


def _period_start(stamp: float, unit: str) -> dt.datetime:
    moment = dt.datetime.fromtimestamp(stamp, dt.timezone.utc)
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day.replace(day=1)


def period_label(start: dt.datetime, unit: str) -> str:
    if unit == "hour":
        return start.strftime("%Y-%m-%d %H:00")
    if unit == "day":
        return start.strftime("%Y-%m-%d")
    if unit == "week":
        return "week of " + start.strftime("%Y-%m-%d")
    return start.strftime("%Y-%m")


def period_unit(first: float, last: float) -> str:
    """The smallest period that covers ``first`` to ``last`` in at most MAX_PERIODS periods."""
    for unit in PERIOD_UNITS[:-1]:
        start, end = _period_start(first, unit), _period_start(last, unit)
        step = {"hour": 3600, "day": 86400, "week": 7 * 86400}[unit]
        if (end - start).total_seconds() / step < MAX_PERIODS:
            return unit
    return PERIOD_UNITS[-1]


def kpi_periods(rows: List[Any]) -> Dict[str, Any]:
    """The KPI figures per period (hour, day, week or month, whichever keeps it to MAX_PERIODS), oldest first.

    ``rows`` have ``started_at, kpi_csat, kpi_nps_category, kpi_fcr``, in time order, KPIs present."""
    if not rows:
        return {"unit": None, "periods": []}
    unit = period_unit(rows[0].started_at, rows[-1].started_at)
    buckets: Dict[dt.datetime, List[Any]] = {}
    for r in rows:
        buckets.setdefault(_period_start(r.started_at, unit), []).append(r)
    periods = []
    for start, own in buckets.items():
        figures = kpi_figures(
            len(own),
            sum(r.kpi_csat for r in own),
            sum(r.kpi_nps_category == "promoter" for r in own),
            sum(r.kpi_nps_category == "detractor" for r in own),
            sum(bool(r.kpi_fcr) for r in own),
        )
        periods.append(dict(figures, label=period_label(start, unit), start=start.timestamp()))
    return {"unit": unit, "periods": periods}


def kpi_trend(db: Connection, where: Any) -> Dict[str, Any]:
    """``kpi_periods`` of the attempts matching ``where`` that have KPIs."""
    c = attempts.c
    rows = db.execute(
        select(c.started_at, c.kpi_csat, c.kpi_nps_category, c.kpi_fcr)
        .where(where, c.kpi_csat.isnot(None))
        .order_by(c.started_at, c.id)
    ).fetchall()
    return kpi_periods(rows)


def _per_person(db: Connection, where: Any, page: int, page_size: int, *columns: Any) -> List[Any]:
    """One row per (merged) learner: their name, cohort and latest attempt, plus ``columns``, newest first."""
    return db.execute(
        select(
            *columns,
            func.max(attempts.c.person_name).label("name"),
            func.max(attempts.c.learner_cohort).label("cohort"),
            func.max(attempts.c.started_at).label("latest"),
        )
        .where(where)
        .group_by(attempts.c.person_id)
        .order_by(func.max(attempts.c.started_at).desc(), attempts.c.person_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).fetchall()
