"""Course content: scenarios, personas, difficulties."""

from bot.scenarios.loader import ContentError, Library, default_library, load_library
from bot.scenarios.schema import Course, Difficulty, Persona, Scenario

__all__ = ["ContentError", "Course", "Difficulty", "Library", "Persona", "Scenario",
           "default_library", "load_library"]
