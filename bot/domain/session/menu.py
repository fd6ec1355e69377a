"""The menu: what a learner can choose, and reading their choice."""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, cast

from bot.domain.scenarios.loader import Library
from bot.domain.scenarios.schema import Course
from bot.domain.session.messages import COACH, Output


def read_choice(library: Library, text: str) -> Optional[Dict[str, Any]]:
    """The scenario, persona, difficulty and mode named in a menu choice such as ``1``,
    ``late delivery angry hard`` or ``random``; None when it names no scenario."""
    words = re.findall(r"[a-z0-9_]+", text.lower())
    if not words or text.lstrip().startswith("/"):
        return None
    ids = library.menu_ids()
    choice: Dict[str, Any] = {}
    joined = " ".join(words)
    for scenario_id in ids:
        if (
            scenario_id in words
            or scenario_id.replace("_", " ") in joined
            or library.practice(scenario_id).title.lower() in joined
        ):
            choice["scenario"] = scenario_id
    numbers = [w for w in words if w.isdigit()]
    if "scenario" not in choice and numbers and 1 <= int(numbers[0]) <= len(ids):
        choice["scenario"] = ids[int(numbers[0]) - 1]
    if "scenario" not in choice and "random" in words:
        choice["scenario"] = "random"
    if "scenario" not in choice:
        return None
    # a Session needs course defaults (default_library() guarantees them)
    course = cast(Course, library.course)
    for persona in course.personas:
        if persona.id in words:
            choice["persona"] = persona.id
    for difficulty in course.difficulties:
        if difficulty.id in words:
            choice["difficulty"] = difficulty.id
    if "assessment" in words or "assess" in words or "exam" in words:
        choice["mode"] = "assessment"
    return choice


def menu_output(library: Library, first: bool) -> Output:
    """The menu: every scenario by number, the personas and difficulties, and a button each."""
    ids = library.menu_ids()
    pick = library.practice
    lines = [f"{i}. {pick(s).title}: {pick(s).description}" for i, s in enumerate(ids, start=1)]
    # a Session needs course defaults (default_library() guarantees them)
    course = cast(Course, library.course)
    personas = ", ".join(p.id for p in course.personas)
    difficulties = ", ".join(d.id for d in course.difficulties)
    hello = "Welcome to complaint-coach! You'll play a customer-service adviser. " if first else ""
    text = (
        COACH + hello + "Choose a scenario by number or name, optionally with a persona "
        f"({personas}) and a difficulty ({difficulties}), or say `random`. "
        "Add `assessment` for a scored attempt without hints. For example: `1 angry standard`.\n" + "\n".join(lines)
    )
    buttons = [{"title": pick(s).title, "payload": str(i)} for i, s in enumerate(ids, start=1)]
    buttons.append({"title": "Random", "payload": "random"})
    menu = {
        "scenarios": [
            {"id": s, "title": pick(s).title, "description": pick(s).description, "kind": pick(s).kind} for s in ids
        ],
        "personas": [p.id for p in course.personas],
        "difficulties": [d.id for d in course.difficulties],
    }
    return Output("coach", text, custom={"menu": menu}, buttons=buttons)
