"""`check history` agrees with the story: a customer who says they got in touch before has a record (issue 19)."""

from __future__ import annotations

import re

from bot.domain.scenarios import default_library

EARLIER_CONTACT = re.compile(r"\b(?:emailed|rang|phoned|called|contacted|messaged|wrote to)\b", re.I)


def test_every_story_that_mentions_an_earlier_contact_has_a_history_entry():
    for scenario in default_library().scenarios.values():
        told = " ".join([scenario.customer.story] + list(scenario.opening))
        if EARLIER_CONTACT.search(told):
            assert scenario.history, f"{scenario.id}: the story mentions an earlier contact but the history is empty"
