"""Session snapshots: each turn applies only the newest learner message.

The action server used to rebuild the whole session on every turn by replaying
every learner message in the tracker (``replay``), so a turn cost grew with the
conversation. Here each action-server process keeps the live ``Session`` of its
most recent conversations in memory (an LRU keyed by conversation id). A
snapshot is used only when it provably holds the state the tracker describes:

- its **version** equals the current one: a digest of the code that decides a
  session's behaviour and of the course content (a code or content change, or a
  reloaded library, is a miss);
- it has applied exactly the tracker's learner messages but the newest one: the
  same **count** and the same chained **digest** of every field the session reads
  from them (text, moves, hits, tool, trust, metadata, time).

Then the newest message is applied to it. If the tracker holds exactly the
messages already applied (Rasa asked again for the same turn), the replies kept
with the snapshot are sent again. Anything else (a restarted action server, a
rewound or edited tracker, a new Rasa session, a second worker that saw other
turns, an evicted entry) replays the messages from the tracker, as before, and
keeps the result. The session is deterministic, so both paths give the same
replies, the same events and the same scorecard; nothing of this is stored in
the tracker, so the tutor's transcript and ``coach score`` are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import bot.domain as domain_package
from bot.domain.scenarios.loader import Library
from bot.domain.session.session import LearnerInput, Output, Session, replay
from bot.settings import PROJECT_ROOT

CAPACITY = 1000  # conversations kept per action-server process (a few tens of kB each)
FORMAT = "session-snapshot/1"  # raise when what a snapshot holds changes meaning

PATH_SNAPSHOT, PATH_REPLAY, PATH_REPEAT = "snapshot", "replay", "repeat"


def _code_digest() -> str:
    """The source that decides what a session does with a message, and the course files it reads."""
    digest = hashlib.sha256(FORMAT.encode())
    sources = sorted(Path(domain_package.__file__).parent.rglob("*.py"))
    sources += sorted((PROJECT_ROOT / "data" / "course").glob("*.yml"))
    # the coaching patterns, spellings and classifier examples decide what a coaching turn detects
    sources += sorted(p for p in (PROJECT_ROOT / "data" / "coaching").rglob("*") if p.is_file())
    sources += [
        Path(__file__),
        Path(__file__).parent / "learner_turn.py",
        PROJECT_ROOT / "bot" / "adapters" / "tracker.py",
    ]
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_digest()  # read once, when the action server starts
_LIBRARY_VERSIONS: Dict[int, Tuple[Library, str]] = {}


def version_of(library: Library) -> str:
    """The snapshot version for ``library``: the code digest and the library's content, computed once."""
    held = _LIBRARY_VERSIONS.get(id(library))
    if held is None or held[0] is not library:
        digest = hashlib.sha256(CODE_VERSION.encode())
        course = library.course.json() if library.course is not None else ""
        digest.update(course.encode())
        for scenario_id in library.menu_ids():
            digest.update(scenario_id.encode() + b"\0" + library.practice(scenario_id).json().encode())
        held = (library, digest.hexdigest()[:16])
        _LIBRARY_VERSIONS[id(library)] = held
    return held[1]


def message_digest(message: LearnerInput) -> bytes:
    """Every field of a learner message that the session reads, as one digest."""
    command = [message.command.name, message.command.arg] if message.command else None
    fields = [message.text, message.moves, message.hits, command, message.trusted, message.metadata, message.time]
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).digest()


def chained_digests(inputs: List[LearnerInput]) -> List[str]:
    """The digest of the first 0, 1, ... n messages (so that order and every earlier message count)."""
    found = [hashlib.sha256(b"").hexdigest()]
    for message in inputs:
        found.append(hashlib.sha256(bytes.fromhex(found[-1]) + message_digest(message)).hexdigest())
    return found


@dataclass
class Snapshot:
    session: Session
    outputs: List[Output]  # the replies to the last message applied
    count: int  # learner messages applied
    digest: str  # chained digest of those messages
    version: str


@dataclass
class Turn:
    """One turn's result and where its time went (seconds)."""

    session: Session
    outputs: List[Output]
    path: str  # "snapshot", "replay" or "repeat"
    restore_s: float = 0.0  # finding and checking the snapshot, or replaying the earlier messages
    handle_s: float = 0.0  # the newest message: the customer's reply, a tool, the scorecard

    def as_log(self) -> Dict[str, object]:
        return {"path": self.path, "restore_ms": self.restore_s * 1000, "handle_ms": self.handle_s * 1000}


class SessionSnapshots:
    """An in-process LRU of live sessions, keyed by conversation id (see the module docstring)."""

    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._held: "OrderedDict[str, Snapshot]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._held)

    def clear(self) -> None:
        self._held.clear()

    def forget(self, conversation_id: str) -> None:
        self._held.pop(conversation_id, None)

    def advance(self, conversation_id: str, library: Library, inputs: List[LearnerInput]) -> Turn:
        """The session after every message in ``inputs`` and the replies to the last one."""
        started = time.perf_counter()
        version = version_of(library)
        digests = chained_digests(inputs)
        held = self._held.pop(conversation_id, None)
        if held is not None and held.version == version:
            if held.count == len(inputs) and held.digest == digests[-1]:
                self._keep(conversation_id, held)
                return Turn(held.session, held.outputs, PATH_REPEAT, time.perf_counter() - started)
            if inputs and held.count == len(inputs) - 1 and held.digest == digests[-2]:
                return self._apply(conversation_id, held, inputs[-1], digests[-1], started)
        session, outputs = replay(conversation_id, library, inputs[:-1])
        if not inputs:  # nothing typed yet: nothing to keep
            return Turn(session, outputs, PATH_REPLAY, time.perf_counter() - started)
        fresh = Snapshot(session, outputs, len(inputs) - 1, digests[-2], version)
        turn = self._apply(conversation_id, fresh, inputs[-1], digests[-1], started)
        turn.path = PATH_REPLAY
        return turn

    def _apply(self, conversation_id: str, held: Snapshot, message: LearnerInput, digest: str, started: float) -> Turn:
        restored = time.perf_counter()
        # If handling raises, the half-changed session is not kept (it was popped): the next turn replays.
        outputs = held.session.handle(message)
        handled = time.perf_counter()
        held.outputs, held.count, held.digest = outputs, held.count + 1, digest
        self._keep(conversation_id, held)
        return Turn(held.session, outputs, PATH_SNAPSHOT, restored - started, handled - restored)

    def _keep(self, conversation_id: str, held: Snapshot) -> None:
        self._held[conversation_id] = held
        self._held.move_to_end(conversation_id)
        while len(self._held) > self.capacity:
            self._held.popitem(last=False)
