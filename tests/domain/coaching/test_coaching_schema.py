"""A coaching scenario file: loaded beside the complaints, and broken ones named with the field."""

from __future__ import annotations

from bot.domain.scenarios.loader import check_files, load_library
from tests.conftest import ROOT

SHIPPED = ROOT / "data" / "scenarios" / "coaching_review.yml"


def test_the_coaching_scenario_loads_beside_the_complaints(library):
    assert "coaching_review" in library.coaching and "coaching_review" not in library.scenarios
    assert "coaching_review" in library.menu_ids() and "late_delivery" in library.menu_ids()
    assert library.practice("coaching_review").agent.name == "Sam Okafor"


def test_a_reply_kind_without_both_styles_is_named(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace(
        '  told:\n    defensive:\n      - "Fine. I\'ll do that."\n      - "OK, if that\'s what you want."\n',
        "  told:\n",
        1,
    )
    path = tmp_path / "coach.yml"
    path.write_text(text, encoding="utf-8")
    errors = [str(e) for e in check_files([path])]
    assert any("coach.yml" in e and "replies" in e and "told" in e and "defensive" in e for e in errors), errors


def test_an_unknown_kind_is_named(tmp_path):
    path = tmp_path / "odd.yml"
    path.write_text(SHIPPED.read_text(encoding="utf-8").replace("\nkind: coaching\n", "\nkind: mentoring\n", 1))
    errors = [str(e) for e in check_files([path])]
    assert errors and "odd.yml" in errors[0] and "kind" in errors[0]


def test_a_broken_coaching_file_does_not_stop_the_rest(tmp_path):
    (tmp_path / "coach.yml").write_text(SHIPPED.read_text(encoding="utf-8").replace("transcript:", "transcrip:", 1))
    (tmp_path / "late.yml").write_text((ROOT / "data" / "scenarios" / "late_delivery.yml").read_text(encoding="utf-8"))
    library = load_library(tmp_path)
    assert list(library.scenarios) == ["late_delivery"] and not library.coaching
    assert any("coach.yml" in str(e) for e in library.errors)
