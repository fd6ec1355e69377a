"""Learners as the tutors know them: a display name for a learner id, and merges of several ids into one.

A channel sends a learner id and a name; the same person may come with one id on the web and
another on Slack. A tutor can give an id a display name and merge one id into another. Both
are stored in ``coach_learners`` with every change in ``coach_learner_changes`` (who, when,
before, after, why), and are applied to each attempt row as ``person_id`` / ``person_name``,
which the list, the filters, the cohort view, the reports and the exports read. A merge is
undone with :func:`unmerge`; a display name is cleared by renaming to the empty name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from bot.tutor.db import attempts, learner_changes, learners
from bot.tutor.queries import when

MAX_NAME = 200
MAX_REASON = 1000
SHORT_ID = 12
KINDS = ("rename", "merge", "unmerge")


class LearnerError(ValueError):
    pass


def short_id(learner_id: str) -> str:
    """A long channel id (a UUID, a Teams id) cut to something a table can show."""
    learner_id = str(learner_id or "")
    return learner_id if len(learner_id) <= SHORT_ID + 1 else learner_id[:SHORT_ID] + "…"


def shown_name(name: Optional[str], learner_id: Optional[str]) -> str:
    """The learner's name, or their id (shortened) only when there is no name."""
    return name or short_id(learner_id or "")


@dataclass
class People:
    """The tutors' display names and merges, read once (the table holds only what tutors changed)."""

    names: Dict[str, str] = field(default_factory=dict)
    merged: Dict[str, str] = field(default_factory=dict)  # learner id -> the id it is merged into

    @classmethod
    def load(cls, db: Connection) -> "People":
        people = cls()
        for row in db.execute(select(learners)):
            if row.display_name:
                people.names[row.learner_id] = row.display_name
            if row.merged_into:
                people.merged[row.learner_id] = row.merged_into
        return people

    def root(self, learner_id: str) -> str:
        """The id a learner id ends up as after following its merges."""
        seen = {learner_id}
        while learner_id in self.merged and self.merged[learner_id] not in seen:
            learner_id = self.merged[learner_id]
            seen.add(learner_id)
        return learner_id

    def touched(self) -> Set[str]:
        """Every id whose attempts a rename or merge can change."""
        return set(self.names) | set(self.merged) | set(self.merged.values())

    def members(self, root: str) -> List[str]:
        """The ids merged (directly or not) into ``root``, with ``root`` first."""
        return [root] + sorted(i for i in self.merged if i != root and self.root(i) == root)


def _channel_name(db: Connection, learner_id: str) -> str:
    """The latest name a channel sent for this id."""
    return (
        db.execute(
            select(attempts.c.learner_name)
            .where(attempts.c.learner_id == learner_id, attempts.c.learner_name != "")
            .order_by(attempts.c.started_at.desc())
            .limit(1)
        ).scalar()
        or ""
    )


def refresh(db: Connection, people: Optional[People] = None, only: Optional[Iterable[str]] = None) -> None:
    """Rewrite ``person_id``/``person_name`` on the attempts of every id a tutor renamed or merged
    (or of those among ``only``): the person is the merge root, named by a tutor's display name for
    it, else by the name its own channel last sent."""
    people = people or People.load(db)
    ids = people.touched()
    if only is not None:
        wanted = {people.root(i) for i in only} & {people.root(i) for i in ids}
        ids = {i for i in ids if people.root(i) in wanted}
    names: Dict[str, str] = {}
    for learner_id in sorted(ids):
        root = people.root(learner_id)
        if root not in names:
            names[root] = people.names.get(root) or _channel_name(db, root)
        values: Dict[str, Any] = {"person_id": root, "person_name": names[root]}
        condition = attempts.c.learner_id == learner_id
        if not names[root]:  # nobody named it: each attempt keeps the name its channel sent
            values["person_name"] = attempts.c.learner_name
        db.execute(update(attempts).where(condition).values(**values))


def _apply(db: Connection, ids: List[str]) -> None:
    """After a change to these ids: refresh their people; an id no rename or merge touches any more
    goes back to its own id and the names its channel sent."""
    people = People.load(db)
    refresh(db, people, only=ids)
    for learner_id in set(ids) - people.touched():
        db.execute(
            update(attempts)
            .where(attempts.c.learner_id == learner_id)
            .values(person_id=learner_id, person_name=attempts.c.learner_name)
        )


def _known(db: Connection, learner_id: str) -> bool:
    return db.execute(select(attempts.c.id).where(attempts.c.learner_id == learner_id).limit(1)).first() is not None


def _record(db: Connection, learner_id: str, tutor: str, kind: str, before: str, after: str, reason: str) -> None:
    db.execute(
        insert(learner_changes).values(
            learner_id=learner_id,
            tutor=tutor,
            kind=kind,
            value_before=before,
            value_after=after,
            reason=(reason or "").strip()[:MAX_REASON],
            created_at=time.time(),
        )
    )


def _save(db: Connection, learner_id: str, **values: str) -> None:
    """Create or update the tutor's record of one learner id."""
    stamp = time.time()
    found = db.execute(select(learners.c.learner_id).where(learners.c.learner_id == learner_id)).first()
    if found is None:
        row = dict({"display_name": "", "merged_into": ""}, **values)
        db.execute(insert(learners).values(learner_id=learner_id, updated_at=stamp, **row))
    else:
        db.execute(update(learners).where(learners.c.learner_id == learner_id).values(updated_at=stamp, **values))


def rename(engine: Engine, learner_id: str, tutor: str, name: str, reason: str = "") -> None:
    """Give a learner id a display name; the empty name goes back to the name the channel sends."""
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME:
        raise LearnerError(f"A name can have at most {MAX_NAME} characters.")
    with engine.begin() as db:
        if not _known(db, learner_id):
            raise LearnerError("No such learner.")
        people = People.load(db)
        before = people.names.get(learner_id, "")
        if before == name:
            raise LearnerError("That is already the learner's name.")
        _save(db, learner_id, display_name=name)
        _record(db, learner_id, tutor, "rename", before, name, reason)
        _apply(db, [learner_id])


def merge(engine: Engine, learner_id: str, into: str, tutor: str, reason: str = "") -> None:
    """Count learner id ``learner_id`` as the same person as ``into`` (undo with :func:`unmerge`)."""
    into = (into or "").strip()
    with engine.begin() as db:
        if not _known(db, learner_id) or not _known(db, into):
            raise LearnerError(f"No learner with the id '{into if _known(db, learner_id) else learner_id}'.")
        people = People.load(db)
        if learner_id in people.merged:
            raise LearnerError(f"{learner_id} is already merged into {people.merged[learner_id]}; undo that first.")
        if people.root(into) == learner_id:
            raise LearnerError("A learner cannot be merged into itself (or into a learner merged into it).")
        _save(db, learner_id, merged_into=into)
        _record(db, learner_id, tutor, "merge", "", into, reason)
        _apply(db, [learner_id, into])


def unmerge(engine: Engine, learner_id: str, tutor: str, reason: str = "") -> None:
    """Undo a merge: the id's attempts count as its own learner again."""
    with engine.begin() as db:
        people = People.load(db)
        target = people.merged.get(learner_id)
        if not target:
            raise LearnerError(f"{learner_id} is not merged into another learner.")
        _save(db, learner_id, merged_into="")
        _record(db, learner_id, tutor, "unmerge", target, "", reason)
        _apply(db, [learner_id, target])


def describe(change: Any) -> str:
    """One learner change in plain words."""
    if change.kind == "rename":
        if not change.value_after:
            return f"Cleared the display name of {change.learner_id} (the channel's name shows again)"
        return f"Renamed {change.learner_id} to “{change.value_after}”"
    if change.kind == "merge":
        return f"Merged {change.learner_id} into {change.value_after}"
    return f"Undid the merge of {change.learner_id} into {change.value_before}"


def changes(db: Connection, ids: Iterable[str]) -> List[Dict[str, Any]]:
    """The audit trail of these learner ids: their renames, and merges from or into them, oldest first."""
    ids = list(ids)
    merges = learner_changes.c.kind.in_(("merge", "unmerge"))
    condition = or_(
        learner_changes.c.learner_id.in_(ids),
        and_(merges, or_(learner_changes.c.value_after.in_(ids), learner_changes.c.value_before.in_(ids))),
    )
    return [
        dict(r._mapping, what=describe(r), date=when(r.created_at))
        for r in db.execute(select(learner_changes).where(condition).order_by(learner_changes.c.id))
    ]


def person(db: Connection, learner_id: str) -> Optional[Dict[str, Any]]:
    """One learner as a person: the ids merged into them, with what each channel sent, and the audit trail."""
    people = People.load(db)
    if not _known(db, learner_id):
        return None
    root = people.root(learner_id)
    members = [i for i in people.members(root) if _known(db, i)]
    ids = []
    for member in members:
        row = db.execute(
            select(
                func.count().label("attempts"),
                func.max(attempts.c.learner_cohort).label("cohort"),
                func.max(attempts.c.started_at).label("latest"),
                func.max(attempts.c.person_name).label("person_name"),
            ).where(attempts.c.learner_id == member)
        ).first()
        channels = [
            c for (c,) in db.execute(select(attempts.c.channel).where(attempts.c.learner_id == member).distinct()) if c
        ]
        ids.append(
            {
                "id": member,
                "channel_name": _channel_name(db, member),
                "display_name": people.names.get(member, ""),
                "merged_into": people.merged.get(member, ""),
                "attempts": row.attempts,
                "cohort": row.cohort or "",
                "channels": sorted(channels),
            }
        )
    name = people.names.get(root) or _channel_name(db, root)
    return {
        "id": root,
        "asked": learner_id,
        "name": name,
        "display_name": people.names.get(root, ""),
        "ids": ids,
        "changes": changes(db, members + [learner_id]),
    }
