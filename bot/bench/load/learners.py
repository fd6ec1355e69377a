"""The simulated learners of ``coach bench-load``: their plans, and the checks on every reply.

Each learner is its own conversation (``sender``) and plays a scenario script over the
REST channel with a seeded pause before each message. ``--turns N`` makes every
conversation exactly N messages long: the learner plays the script (``start`` with a
set-up, the lines, ``end``), types ``restart``, and plays it again, as a learner
practising the same scenario several times in one chat would. A conversation is played
a slice at a time (``Conversation.play``), so that the bench can alternate between the
coach and the bare assistant.

The checks on the coach's replies:

- every reply is addressed to it (``recipient_id`` is its own sender id);
- the customer's turn numbers run 0, 1, 2, 3... in each attempt, with no gap or repeat;
- every ``end`` gives a scorecard naming the scenario, persona and difficulty it chose;
- no reply is an error notice (coach unavailable, store failed) or an HTTP error.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from bot.bench import BenchError
from bot.domain.scenarios import Library
from bot.settings import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "data" / "scripts"
REQUEST_TIMEOUT = 60.0
# The bare assistant is rasa init's mood bot; its learners say these, in turn.
BARE_LINES = [
    "hello",
    "I am feeling very sad",
    "yes",
    "that helped, thank you",
    "great, I'm happy now",
    "are you a bot?",
    "good morning",
    "not really",
    "I am sad",
    "goodbye",
]

Message = Tuple[str, Optional[Dict[str, Any]]]


@dataclass
class Learner:
    sender: str
    messages: List[Message]
    pauses: List[float]
    setup: Optional[Dict[str, Any]] = None
    attempt_length: int = 0  # messages from one `start` to the next (0: a single attempt)


@dataclass
class Stats:
    name: str
    latencies: List[float] = field(default_factory=list)  # seconds, one per answered HTTP request
    samples: List[Tuple[str, int, float]] = field(default_factory=list)  # (sender, turn from 1, seconds)
    errors: List[str] = field(default_factory=list)
    crosstalk: List[str] = field(default_factory=list)
    sent: Dict[str, List[str]] = field(default_factory=dict)  # sender -> texts that were answered
    scorecards_ok: int = 0
    scorecards_expected: int = 0
    learners: int = 0
    wall: float = 0.0  # seconds spent playing this side (the sum of its rounds)

    def figures(self) -> Dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "learners": self.learners,
            "turns": len(ordered),
            "errors": len(self.errors),
            "crosstalk": len(self.crosstalk),
            "p50_ms": percentile(ordered, 50) * 1000,
            "p95_ms": percentile(ordered, 95) * 1000,
            "p99_ms": percentile(ordered, 99) * 1000,
            "max_ms": (ordered[-1] * 1000 if ordered else 0.0),
            "turns_per_s": len(ordered) / self.wall if self.wall else 0.0,
            "seconds": self.wall,
        }


def percentile(ordered: List[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[min(rank, len(ordered)) - 1]


# -- plans --------------------------------------------------------------------------------
def scripts(library: Library) -> List[Tuple[str, str, List[str]]]:
    """(scenario, kind, lines ending with ``end``) for every scenario's good and poor script."""
    found = []
    for scenario_id in sorted(library.scenarios):
        for kind in ("good", "poor"):
            path = SCRIPTS / f"{scenario_id}.{kind}.txt"
            if path.is_file():
                lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
                if lines and lines[-1].lower() != "end":
                    lines.append("end")
                found.append((scenario_id, kind, lines))
    if not found:
        raise BenchError(f"no learner scripts (*.good.txt / *.poor.txt) in {SCRIPTS}")
    return found


def _pauses(rng: random.Random, count: int, think: float) -> List[float]:
    return [rng.uniform(0.5 * think, 1.5 * think) if think > 0 else 0.0 for _ in range(count)]


def conversation(setup: Dict[str, Any], lines: List[str], turns: Optional[int]) -> Tuple[List[Message], int]:
    """The messages of one conversation, and the length of one attempt when it repeats."""
    attempt: List[Message] = [("start", {"coach": {"start": setup}})] + [(line, None) for line in lines]
    if not turns:
        return attempt, 0
    cycle = attempt + [("restart", None)]
    messages: List[Message] = []
    while len(messages) < turns:
        messages += cycle
    return messages[:turns], len(cycle)


def coach_plans(
    library: Library, count: int, think: float, seed: int, run_id: str, turns: Optional[int] = None
) -> List[Learner]:
    found = scripts(library)
    personas = [p.id for p in library.course.personas]
    difficulties = [d.id for d in library.course.difficulties]
    rng = random.Random(seed)
    plans = []
    for index in range(count):
        scenario, _, lines = found[index % len(found)]
        setup = {
            "scenario": scenario,
            "persona": personas[index % len(personas)],
            "difficulty": difficulties[(index // len(personas)) % len(difficulties)],
            "seed": seed * 1000 + index,
            "mode": "practice",
        }
        messages, attempt_length = conversation(setup, lines, turns)
        pauses = _pauses(rng, len(messages), think)
        pauses[0] = rng.uniform(0, think) if think > 0 else 0.0  # learners arrive spread over one pause
        plans.append(Learner(f"load-{run_id}-{index:03d}", messages, pauses, setup, attempt_length))
    return plans


def bare_plans(coach: List[Learner], run_id: str) -> List[Learner]:
    """As many bare learners as coach ones, each sending as many messages with the same pauses."""
    plans = []
    for index, twin in enumerate(coach):
        messages: List[Message] = [(BARE_LINES[(index + n) % len(BARE_LINES)], None) for n in range(len(twin.messages))]
        plans.append(Learner(f"bare-{run_id}-{index:03d}", messages, list(twin.pauses)))
    return plans


# -- playing -------------------------------------------------------------------------------
async def _post(
    session, webhook: str, headers: Dict[str, str], sender: str, text: str, metadata: Optional[Dict[str, Any]]
) -> Tuple[int, Any, float]:
    import aiohttp

    body: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    started = time.perf_counter()
    async with session.post(
        webhook, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    ) as response:
        raw = await response.read()
    elapsed = time.perf_counter() - started
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        payload = raw[:200]
    return response.status, payload, elapsed


class Conversation:
    """One learner's conversation, played a slice at a time, checking every reply."""

    def __init__(self, plan: Learner, stats: Stats, coach: bool):
        self.plan, self.stats, self.coach = plan, stats, coach
        self.played = 0  # messages sent so far
        self.answered: List[str] = []
        self.last_turn: Optional[int] = None  # the customer's last turn number in this attempt
        self.customer_turns = 0  # learner turns the customer answered, over every attempt
        self.scorecards: List[Dict[str, Any]] = []

    @property
    def done(self) -> bool:
        return self.played >= len(self.plan.messages)

    async def play(self, session, webhook: str, headers: Dict[str, str], count: int) -> None:
        """Send the next ``count`` messages, each after its pause."""
        stop = min(self.played + count, len(self.plan.messages))
        while self.played < stop:
            (text, metadata), pause = self.plan.messages[self.played], self.plan.pauses[self.played]
            self.played += 1
            await asyncio.sleep(pause)
            try:
                status, payload, elapsed = await _post(session, webhook, headers, self.plan.sender, text, metadata)
            except Exception as exc:  # timeouts, refused connections
                self.stats.errors.append(f"{self.plan.sender}: {text[:40]!r}: {type(exc).__name__}: {exc}")
                continue
            self.stats.latencies.append(elapsed)
            self.stats.samples.append((self.plan.sender, self.played, elapsed))
            # the coach answers every message; the mood bot may rightly say nothing
            if status != 200 or not isinstance(payload, list) or (self.coach and not payload):
                self.stats.errors.append(f"{self.plan.sender}: {text[:40]!r}: HTTP {status}: {str(payload)[:200]}")
                continue
            if self._check(text, payload):
                self.answered.append(text)

    def _check(self, text: str, payload: List[Dict[str, Any]]) -> bool:
        """The checks on one message's replies; False when the coach answered with an error notice."""
        failed = False
        for item in payload:
            if item.get("recipient_id") != self.plan.sender:
                self.stats.crosstalk.append(f"{self.plan.sender} got a reply addressed to {item.get('recipient_id')!r}")
            if not self.coach:
                continue
            custom = item.get("custom") or {}
            meta = custom.get("coach") or {}
            if meta.get("error"):
                self.stats.errors.append(
                    f"{self.plan.sender}: {text[:40]!r}: {meta['error']}: {item.get('text', '')[:120]}"
                )
                failed = True
            if meta.get("speaker") == "customer" and isinstance(meta.get("turn"), int):
                self._check_turn(meta["turn"])
            if "scorecard" in custom:
                self.scorecards.append(custom["scorecard"])
                self.last_turn = None  # the next attempt starts again at turn 0
        return not failed

    def _check_turn(self, turn: int) -> None:
        expected = 0 if self.last_turn is None else self.last_turn + 1
        if turn != expected:
            self.stats.crosstalk.append(f"{self.plan.sender}: turn {turn} after turn {self.last_turn}")
        self.last_turn = turn
        self.customer_turns += 1 if turn else 0

    def finish(self) -> None:
        """The checks at the end of the conversation: answered turns and one right scorecard per ``end``."""
        self.stats.sent[self.plan.sender] = self.answered
        setup = self.plan.setup
        if setup is None:
            return
        ends = sum(1 for text, _ in self.plan.messages[: self.played] if text == "end")
        self.stats.scorecards_expected += ends
        if not self.customer_turns and len(self.plan.messages) > 1:
            self.stats.crosstalk.append(f"{self.plan.sender}: the customer never answered a learner turn")
        if len(self.scorecards) < ends:
            self.stats.errors.append(f"{self.plan.sender}: {ends - len(self.scorecards)} `end` without a scorecard")
        for card in self.scorecards:
            if all(card.get(k) == setup[k] for k in ("scenario", "persona", "difficulty")):
                self.stats.scorecards_ok += 1
            else:
                self.stats.crosstalk.append(
                    f"{self.plan.sender}: scorecard for {card.get('scenario')}/{card.get('persona')}/"
                    f"{card.get('difficulty')}, chose {setup['scenario']}/{setup['persona']}/{setup['difficulty']}"
                )


async def play_coach_learner(session, webhook: str, headers: Dict[str, str], plan: Learner, stats: Stats) -> None:
    """A whole conversation against the coach, with its checks (one learner, no rounds)."""
    played = Conversation(plan, stats, coach=True)
    await played.play(session, webhook, headers, len(plan.messages))
    played.finish()
