"""Service KPIs follow from what happened, and say how."""

from __future__ import annotations

import pytest

from bot.domain.assessment.kpis import first_contact_resolution, nps_category
from tests.conftest import finish, run_session
from tests.domain.assessment.test_flags import GOOD, card_for


def test_a_well_handled_complaint_makes_a_promoter_resolved_first_time():
    kpis = card_for(GOOD)["kpis"]
    assert kpis["csat"] == 5 and kpis["first_contact_resolution"] is True
    assert kpis["nps_category"] == "promoter"
    assert "five out of five" in kpis["customer_says"]
    assert kpis["turns"] == 6 and kpis["handle_seconds"] is not None


def test_blame_that_drives_the_customer_away_makes_a_detractor_and_the_customer_says_why():
    card = card_for([("You should have ordered earlier, calm down.", ["blame", "dismiss"])] * 4)
    kpis = card["kpis"]
    assert card["outcome"] == "abandoned"
    assert kpis["csat"] == 1 and kpis["nps_category"] == "detractor"
    assert kpis["first_contact_resolution"] is False
    assert "blamed" in kpis["customer_says"]
    assert set(kpis["why"]) == {"csat", "nps", "first_contact_resolution"}


def test_a_required_escalation_counts_as_resolved_first_time_and_a_needless_one_does_not():
    assert first_contact_resolution("escalated", "required", [])[0] is True
    assert first_contact_resolution("escalated", "allowed", ["unnecessary_escalation"])[0] is False
    assert first_contact_resolution("unsatisfied", "required", [])[0] is False


@pytest.mark.parametrize(
    "score, category",
    [(10, "promoter"), (9, "promoter"), (8, "passive"), (7, "passive"), (6, "detractor"), (0, "detractor")],
)
def test_nps_categories_follow_the_standard_bands(score, category):
    assert nps_category(score) == category


def test_the_same_conversation_gives_the_same_kpis():
    first = finish(run_session(GOOD))["kpis"]
    second = finish(run_session(GOOD))["kpis"]
    assert first == second
