"""Rasa keeps each conversation's tracker in memory between its messages (issue 20).

Rasa's SQL tracker store reads every event of the conversation and rebuilds the tracker
from them on every message, so a message's cost grows with the conversation (6.6 ms at
turn 5, 28 ms at turn 55 in ``coach bench-load --profile``). Here the tracker that Rasa
saved at the end of a message is kept, and the next message of that conversation takes it
instead of rebuilding it, when the database shows that nothing has changed since:

- **The stamp.** After a save, the cache records the conversation's row count and newest
  row id in the events table. A later ``retrieve`` reads the same two figures (one indexed
  query) and takes the kept tracker only if they are equal. Any other writer (a second Rasa
  process, ``coach`` tooling, a restore) changes the stamp, and the tracker is read from the
  database as before.
- **Only what a read would give.** A tracker is kept only if the events the store now holds
  for its session are as many as the tracker's own. That is not so when this message began a
  new session (the read would start at the new ``session_started``): then the next message
  reads from the database, and is kept from then on.
- **Taken, not shared.** ``retrieve`` removes the tracker from the cache, and only ``save``
  puts one back. A message that fails half way (its tracker changed but never saved) leaves
  nothing behind, and two readers never hold the same object.

``retrieve_full_tracker`` (the tutor's and the web page's history) always reads the
database. The cache holds at most ``COACH_TRACKER_CACHE`` conversations (least recently
used first out); 0 turns it off.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional, Tuple

Stamp = Tuple[int, Optional[int]]  # (rows of the conversation, newest row id)


class TrackerCache:
    """An LRU of trackers keyed by conversation id, each with the stamp it was saved at."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._kept: "OrderedDict[str, Tuple[Stamp, Any]]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def take(self, sender_id: str, stamp: Stamp) -> Optional[Any]:
        kept = self._kept.pop(sender_id, None)
        if kept is not None and kept[0] == stamp:
            self.hits += 1
            return kept[1]
        self.misses += 1
        return None

    def keep(self, sender_id: str, stamp: Stamp, tracker: Any) -> None:
        if self.capacity <= 0:
            return
        self._kept.pop(sender_id, None)
        self._kept[sender_id] = (stamp, tracker)
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


# Plain SQL (valid in SQLite and PostgreSQL), so that the check costs one indexed query and
# none of the ORM's per-query work. The table is Rasa's ``events`` (``SQLTrackerStore.SQLEvent``).
STAMP_SQL = "SELECT COUNT(*), MAX(id) FROM {table} WHERE sender_id = :sender"
SAVED_SQL = (
    "SELECT COUNT(*), MAX(id), SUM(CASE WHEN timestamp >= COALESCE(("
    "SELECT MAX(timestamp) FROM {table} WHERE sender_id = :sender AND type_name = 'session_started'"
    "), -1e300) THEN 1 ELSE 0 END) FROM {table} WHERE sender_id = :sender"
)


def stamp_of(store: Any, session: Any, sender_id: str) -> Stamp:
    """The conversation's row count and newest row id: any insert or delete changes it."""
    count, newest = _query(store, session, STAMP_SQL, sender_id)
    return int(count), newest


def saved_state(store: Any, session: Any, sender_id: str) -> Tuple[Stamp, int]:
    """The stamp, and how many rows a read of the latest session would return."""
    count, newest, in_session = _query(store, session, SAVED_SQL, sender_id)
    return (int(count), newest), int(in_session or 0)


def _query(store: Any, session: Any, sql: str, sender_id: str) -> Any:
    import sqlalchemy as sa

    statement = sa.text(sql.format(table=store.SQLEvent.__table__.fullname))
    return session.execute(statement, {"sender": sender_id}).one()


def install(capacity: int) -> None:
    """Give Rasa's ``SQLTrackerStore`` the cache (once per process)."""
    from rasa.core.tracker_store import SQLTrackerStore

    if getattr(SQLTrackerStore.retrieve, "cached", False) or capacity <= 0:
        return
    read_from_database = SQLTrackerStore.retrieve
    write_to_database = SQLTrackerStore.save

    def cache_of(store: Any) -> TrackerCache:
        if not hasattr(store, "_tracker_cache"):
            store._tracker_cache = TrackerCache(capacity)
        return store._tracker_cache

    async def retrieve(self, sender_id):
        with self.session_scope() as session:
            stamp = stamp_of(self, session, sender_id)
        tracker = cache_of(self).take(sender_id, stamp)
        if tracker is not None:
            return tracker
        return await read_from_database(self, sender_id)

    async def save(self, tracker):
        await write_to_database(self, tracker)  # an entry left from before is stale by its stamp, and replaced below
        with self.session_scope() as session:
            stamp, in_session = saved_state(self, session, tracker.sender_id)
        if in_session == len(tracker.events):
            cache_of(self).keep(tracker.sender_id, stamp, tracker)

    retrieve.cached = True  # type: ignore[attr-defined]
    retrieve.original = read_from_database  # type: ignore[attr-defined]
    save.original = write_to_database  # type: ignore[attr-defined]
    SQLTrackerStore.retrieve = retrieve
    SQLTrackerStore.save = save
