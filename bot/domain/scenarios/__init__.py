"""Course content: scenarios, personas, difficulties."""

from bot.domain.scenarios.loader import ContentError, Library, default_library, load_library
from bot.domain.scenarios.schema import Course, Difficulty, Persona, Scenario

__all__ = ["ContentError", "Course", "Difficulty", "Library", "Persona", "Scenario", "default_library", "load_library"]
