"""Rasa's SQL tracker store, timed: used only by ``coach bench-load --profile``, inside Rasa's process.

For each message it writes one JSON line to the file named by the endpoint setting
``timings``: how long the store's read and write took, and, from the timestamps Rasa
puts on the events of that turn, how long the NLU (the move detector) and the
custom action's round trip took. Rasa stamps a ``user`` event once its message has
been parsed, and the action's ``action`` event once the action server has answered,
so ``nlu`` is read end to ``user`` event and ``action_call`` is ``user`` event to
``action`` event (Rasa's slot extraction and policy included). Nothing else changes:
reads and writes go to the same SQLite file through the same code as without it.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Optional, Text, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

LISTEN = "action_listen"


class TimedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, timings: Optional[Text] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timings_path = timings
        self._reads: Dict[Text, Tuple[float, float]] = {}  # sender -> (read seconds, wall time read ended)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        started = time.perf_counter()
        tracker = await super().retrieve(sender_id)
        self._reads[sender_id] = (time.perf_counter() - started, time.time())
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        started = time.perf_counter()
        await super().save(tracker)
        written = time.perf_counter() - started
        if self.timings_path:
            record = turn_record(tracker, self._reads.pop(tracker.sender_id, (0.0, None)), written)
            with open(self.timings_path, "a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")


def turn_record(tracker: DialogueStateTracker, read: Tuple[float, Optional[float]], written: float) -> Dict[str, Any]:
    """This turn's figures (ms) from the latest ``user`` event and the first action after it."""
    events = list(tracker.events)
    messages = sum(1 for e in events if isinstance(e, UserUttered))
    user_index = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=None)
    record: Dict[str, Any] = {
        "sender": tracker.sender_id,
        "messages": messages,
        "store_read_ms": read[0] * 1000,
        "store_write_ms": written * 1000,
    }
    if user_index is None:
        return record
    user = events[user_index]
    action = next(
        (e for e in events[user_index + 1 :] if isinstance(e, ActionExecuted) and e.action_name != LISTEN), None
    )
    if read[1] is not None:
        record["nlu_ms"] = max(0.0, user.timestamp - read[1]) * 1000
    if action is not None:
        record["action_call_ms"] = (action.timestamp - user.timestamp) * 1000
    return record
