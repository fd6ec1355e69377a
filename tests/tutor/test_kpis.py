"""Service KPIs on the tutor side: indexed per attempt, aggregated (CSAT average, NPS, FCR rate), filtered
and exported; scorecards stored before KPIs existed are left out, never counted as zero."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select, text

from bot.domain.scenarios import default_library
from bot.tutor import exports, indexer, queries, seed
from bot.tutor.db import attempts, create_events_table, make_engine, sqlite_url
from bot.tutor.view import kpi_trend_charts

DAY = 86400.0
START = 1.7664e9  # 2025-12-22 10:40 UTC, a Monday
SETUP = {"scenario": "late_delivery", "persona": "angry", "difficulty": "standard", "seed": 3, "mode": "practice"}
GOOD = [
    ("Hi, I'm Sam. I'm so sorry your order hasn't arrived.", ["greet", "apologize", "acknowledge"]),
    ("That must be really stressful. Could you give me your order number?", ["empathize", "ask_question"]),
]


def _attempt(number: int, learner: str, kpis, cohort: str = "", day: float = 0.0) -> dict:
    """An attempt row as the indexer writes it; ``kpis`` is (csat, nps, category, fcr) or None (an old scorecard)."""
    csat, nps, category, fcr = kpis or (None, None, None, None)
    return {
        "sender_id": f"conv-{number}",
        "attempt": 1,
        "learner_id": learner,
        "learner_name": learner.title(),
        "person_id": learner,
        "person_name": learner.title(),
        "learner_cohort": cohort,
        "scenario": "late_delivery",
        "outcome": "satisfied",
        "started_at": START + day * DAY + number,
        "updated_at": START + day * DAY + number,
        "overall": 60,
        "overall_auto": 60,
        "turns": 5,
        "kpi_csat": csat,
        "kpi_nps": nps,
        "kpi_nps_category": category,
        "kpi_fcr": fcr,
        "kpi_handle_seconds": None if kpis is None else 125,
    }


# 2 promoters, 1 passive, 1 detractor (NPS 25), CSAT 5, 5, 4, 1 (3.8), 3 of 4 resolved first time (75%),
# and one attempt scored before KPIs existed.
ROWS = [
    _attempt(1, "kim", (5, 9, "promoter", True), "CS-A", day=0),
    _attempt(2, "kim", (5, 10, "promoter", True), "CS-A", day=1),
    _attempt(3, "raj", (4, 7, "passive", True), "CS-B", day=2),
    _attempt(4, "raj", (1, 1, "detractor", False), "CS-B", day=2),
    _attempt(5, "raj", None, "CS-B", day=2),
]


@pytest.fixture
def filled(engine):
    with engine.begin() as db:
        db.execute(insert(attempts), ROWS)
    return engine


def test_nps_is_percent_promoters_minus_percent_detractors():
    assert queries.nps_score(promoters=2, detractors=1, answers=4) == 25
    assert queries.nps_score(promoters=0, detractors=3, answers=3) == -100
    assert queries.nps_score(promoters=1, detractors=0, answers=8) == 13  # 12.5 rounds up, not to even
    assert queries.nps_score(0, 0, 0) is None


def test_kpi_figures_average_csat_and_count_first_contact_resolution():
    assert queries.kpi_figures(4, 15, 2, 1, 3) == {"count": 4, "csat": 3.8, "nps": 25, "fcr": 75}
    assert queries.kpi_figures(0, None, None, None, None) == {"count": 0, "csat": None, "nps": None, "fcr": None}


def test_the_cohort_figures_leave_out_attempts_without_kpis(filled):
    with filled.connect() as db:
        data = queries.cohort(db, queries.Filters())
    assert data["scored"] == 5
    assert data["kpis"]["total"] == {"count": 4, "csat": 3.8, "nps": 25, "fcr": 75}
    by_learner = {learner["id"]: learner["kpis"] for learner in data["learners"]}
    assert by_learner["kim"] == {"count": 2, "csat": 5.0, "nps": 100, "fcr": 100}
    assert by_learner["raj"] == {"count": 2, "csat": 2.5, "nps": -50, "fcr": 50}
    by_cohort = {group["cohort"]: group for group in data["kpis"]["by_cohort"]}
    assert (by_cohort["CS-A"]["nps"], by_cohort["CS-B"]["nps"], by_cohort["CS-B"]["count"]) == (100, -50, 2)


def test_the_cohort_filter_narrows_the_figures_to_one_cohort(filled):
    with filled.connect() as db:
        data = queries.cohort(db, queries.Filters({"cohort": "CS-B"}))
    assert data["kpis"]["total"] == {"count": 2, "csat": 2.5, "nps": -50, "fcr": 50}


def test_the_trend_has_one_point_per_day_with_that_days_figures(filled):
    with filled.connect() as db:
        trend = queries.cohort(db, queries.Filters())["kpi_trend"]
    assert trend["unit"] == "day"
    assert [(p["label"], p["count"], p["nps"]) for p in trend["periods"]] == [
        ("2025-12-22", 1, 100),
        ("2025-12-23", 1, 100),
        ("2025-12-24", 2, -50),
    ]
    csat, nps, fcr = kpi_trend_charts(trend)
    assert [p["value"] for p in csat["points"]] == [5.0, 5.0, 2.5]
    assert [p["x"] for p in nps["points"]] == sorted(p["x"] for p in nps["points"])  # left to right in time
    assert nps["points"][0]["y"] == nps["top"] and nps["points"][2]["y"] > nps["mid_y"]  # +100 top, −50 below 0
    assert fcr["points"][0]["y"] == fcr["top"]  # 100% at the top


def test_the_trend_period_grows_with_the_time_covered():
    def rows(*days):
        return [
            SimpleNamespace(started_at=START + d * DAY, kpi_csat=3, kpi_nps_category="passive", kpi_fcr=False)
            for d in days
        ]

    assert queries.kpi_periods(rows(0, 0.5))["unit"] == "hour"
    assert queries.kpi_periods(rows(0, 20))["unit"] == "day"
    weekly = queries.kpi_periods(rows(0, 1, 8, 100))
    assert weekly["unit"] == "week" and [p["count"] for p in weekly["periods"]] == [2, 1, 1]
    assert weekly["periods"][0]["label"] == "week of 2025-12-22"
    assert queries.kpi_periods(rows(0, 400))["unit"] == "month"
    assert queries.kpi_periods([]) == {"unit": None, "periods": []}


def test_the_list_filters_on_nps_category_and_first_contact_resolution(filled):
    def senders(**values):
        with filled.connect() as db:
            return sorted(i["sender_id"] for i in queries.list_page(db, queries.Filters(values))["items"])

    assert senders(nps_category="promoter") == ["conv-1", "conv-2"]
    assert senders(nps_category="detractor", learner="raj") == ["conv-4"]
    assert senders(fcr="yes") == ["conv-1", "conv-2", "conv-3"]
    assert senders(fcr="no") == ["conv-4"]  # the attempt without KPIs is neither yes nor no
    with pytest.raises(queries.FilterError, match="promoter, passive or detractor"):
        senders(nps_category="fan")
    with pytest.raises(queries.FilterError, match="yes or no"):
        senders(fcr="maybe")


def test_exports_carry_the_kpis_and_leave_them_empty_for_old_scorecards(filled):
    with filled.connect() as db:
        rows = list(csv.DictReader(io.StringIO(exports.export(db, "csv"))))
        statements = json.loads(exports.to_xapi(exports.select_rows(db)))
        data = json.loads(exports.to_json(exports.select_rows(db)))
    first = rows[0]
    assert (first["csat"], first["nps"], first["nps_category"], first["first_contact_resolution"]) == (
        "5",
        "9",
        "promoter",
        "yes",
    )
    assert (first["turns"], first["handle_seconds"]) == ("5", "125")
    assert rows[3]["first_contact_resolution"] == "no"
    assert [rows[4][k] for k in ("csat", "nps", "nps_category", "first_contact_resolution", "handle_seconds")] == [
        ""
    ] * 5
    assert data[2]["kpis"] == {
        "csat": 4,
        "nps": 7,
        "nps_category": "passive",
        "first_contact_resolution": True,
        "turns": 5,
        "handle_seconds": 125,
    }
    assert data[4]["kpis"] is None
    result = statements[3]["result"]
    assert result["extensions"]["urn:complaint-coach:csat"] == 1
    assert result["extensions"]["urn:complaint-coach:nps-category"] == "detractor"
    assert result["extensions"]["urn:complaint-coach:first-contact-resolution"] is False
    assert result["extensions"]["urn:complaint-coach:turns"] == 5
    assert result["extensions"]["urn:complaint-coach:handle-seconds"] == 125 and result["duration"] == "PT125S"
    old = statements[4]["result"]
    assert "urn:complaint-coach:csat" not in old["extensions"] and "duration" not in old


def _play(engine, sender: str, strip_kpis: bool = False) -> None:
    recorder = seed.Recorder(sender, default_library(), channel="webchat")
    recorder.say("start", metadata={"coach": {"start": SETUP, "learner": {"id": sender, "name": sender}}})
    for line in GOOD:
        recorder.say(*line)
    recorder.say("end")
    if strip_kpis:  # a scorecard as stored before KPIs existed
        for event in recorder.events:
            if event["event"] == "slot" and event["name"] == "scorecard" and isinstance(event["value"], dict):
                event["value"] = {k: v for k, v in event["value"].items() if k != "kpis"}
    seed.write(engine, seed.rows(sender, recorder.events))


def test_the_indexer_fills_the_kpi_columns_from_the_scorecard(engine):
    _play(engine, "new-card")
    _play(engine, "old-card", strip_kpis=True)
    indexer.sync(engine)
    with engine.connect() as db:
        rows = {r.sender_id: r for r in db.execute(select(attempts))}
        new_card = queries.attempt_row(db, rows["new-card"].id)["scorecard"]["kpis"]
    new, old = rows["new-card"], rows["old-card"]
    assert (new.kpi_csat, new.kpi_nps, new.kpi_nps_category, new.kpi_fcr, new.kpi_handle_seconds) == (
        new_card["csat"],
        new_card["nps"],
        new_card["nps_category"],
        new_card["first_contact_resolution"],
        new_card["handle_seconds"],
    )
    assert new.kpi_handle_seconds > 0 and new.turns == new_card["turns"]
    assert (old.kpi_csat, old.kpi_nps, old.kpi_nps_category, old.kpi_fcr, old.kpi_handle_seconds) == (None,) * 5
    assert old.overall is not None


def test_a_database_from_before_kpis_gets_the_columns_and_the_next_sync_fills_them(tmp_path):
    url = sqlite_url(tmp_path / "old.db")
    engine = make_engine(url)
    create_events_table(engine)
    _play(engine, "before")
    indexer.sync(engine)
    with engine.begin() as db:  # the table as the release before KPIs made it
        for name in indexer.KPI_COLUMNS:
            db.execute(text(f"ALTER TABLE coach_attempts DROP COLUMN {name}"))
        db.execute(text("UPDATE coach_attempts SET person_name = 'Renamed by a tutor'"))
    engine.dispose()
    upgraded = make_engine(url)
    with upgraded.connect() as db:
        assert db.execute(text("SELECT kpi_csat, person_name FROM coach_attempts")).one() == (
            None,
            "Renamed by a tutor",
        )
    indexer.sync(upgraded)
    with upgraded.connect() as db:
        assert db.execute(select(attempts.c.kpi_csat)).scalar() in range(1, 6)
    upgraded.dispose()
