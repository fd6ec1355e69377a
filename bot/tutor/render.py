"""Jinja2 templates, always autoescaped (learner text is shown as text everywhere)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from bot.domain.assessment.breakdown import signed_points
from bot.tutor.learners import short_id, shown_name
from bot.tutor.view import duration, signed

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def score_class(value) -> str:
    if value is None:
        return "s-none"
    if value >= 70:
        return "s-good"
    if value >= 40:
        return "s-mid"
    return "s-poor"


def heat_class(value) -> str:
    """A colour band (0-9) for a model average in the cohort table."""
    if value is None:
        return "heat-none"
    return f"heat-{min(9, max(0, int(value) // 10))}"


def mood_class(value) -> str:
    if value is None:
        return ""
    return "mood-hot" if value >= 8 else "mood-warm" if value >= 5 else "mood-calm"


def label(value) -> str:
    return str(value or "").replace("_", " ")


def yes_no(value) -> str:
    """A yes/no column that may be empty (old scorecards have no KPIs)."""
    return "—" if value is None else "yes" if value else "no"


def or_dash(value, suffix: str = "") -> str:
    return "—" if value is None else f"{value}{suffix}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(
        score_class=score_class,
        heat_class=heat_class,
        mood_class=mood_class,
        label=label,
        learner_label=shown_name,
        short_id=short_id,
        points=signed_points,
        signed=signed,
        duration=duration,
        yes_no=yes_no,
        or_dash=or_dash,
    )
    env.globals["css"] = lambda: (STATIC / "style.css").read_text(encoding="utf-8")
    return env
