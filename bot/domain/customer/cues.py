"""What the customer listens for besides a scenario's facts and remedies (data/course/cues.yml).

Phrases that mark a kind of act (a request for details, an open question, a check of agreement or
satisfaction, a closing, a handover) and the words that make up a time ("by Thursday", "within
2 working days"). The file is validated; a broken one raises ``LexiconError`` naming the file and
the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List

from pydantic import BaseModel, Extra, constr

from bot.domain.content import read_content
from bot.domain.customer.lexicon import LexiconError
from bot.settings import PROJECT_ROOT

CUES_FILE = PROJECT_ROOT / "data" / "course" / "cues.yml"
Phrase = constr(strip_whitespace=True, min_length=1)


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class ActPhrases(_Strict):
    request: List[Phrase]  # type: ignore[valid-type]
    open: List[Phrase]  # type: ignore[valid-type]
    agreement: List[Phrase]  # type: ignore[valid-type]
    satisfaction: List[Phrase]  # type: ignore[valid-type]
    closing: List[Phrase]  # type: ignore[valid-type]
    handover: List[Phrase]  # type: ignore[valid-type]


class TimeWords(_Strict):
    weekdays: List[Phrase]  # type: ignore[valid-type]
    months: List[Phrase]  # type: ignore[valid-type]
    units: List[Phrase]  # type: ignore[valid-type]


class Cues(_Strict):
    phrases: ActPhrases
    time_words: TimeWords


def read_cues(path: Path = CUES_FILE) -> Cues:
    return read_content(path, Cues, LexiconError)


@lru_cache(maxsize=1)
def default_cues() -> Cues:
    """The shipped cues, read and validated once per process."""
    return read_cues()
