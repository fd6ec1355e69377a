"""Where a turn's time goes, early and late in a conversation (``coach bench-load --profile``).

Every figure is a timing the servers record for that very turn, matched by conversation
and message number:

- the learner's wait: the bench's own clock around the HTTP request;
- the action server's log line per turn (``actions/learner_turn.py``): restoring the
  session (snapshot or replay) and handling the newest message;
- the timed tracker store in Rasa's process (``timed_store.py``): the store's read and
  write, the NLU (from read to the ``user`` event) and the action's round trip (from the
  ``user`` event to the ``action`` event).

What is left of the learner's wait is Rasa's own processing (HTTP, the conversation lock,
the policy, events). The early turn is turn 5; the late one is the same message in the
learner's last attempt (with ``--turns``), so the two do the same work at different depths.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from bot.adapters.tracker import TIMING_MARK, conversation_key
from bot.bench.load.learners import Learner, Stats

EARLY_TURN = 5
STAGES = [
    ("rasa", "Rasa processing (HTTP, lock, policy, events)"),
    ("nlu", "move detection (Rasa NLU)"),
    ("hop", "action-server hop (tracker JSON, HTTP, replies)"),
    ("restore", "session restore / replay"),
    ("customer", "this message (customer, tools, scoring)"),
    ("store", "tracker store (read + write)"),
    ("total", "total, as the learner waits"),
]


def matched_turns(plan: Learner) -> Tuple[Optional[int], Optional[int]]:
    """Turn 5, and the turn with the same message in the last attempt (None when there is none)."""
    count = len(plan.messages)
    if count < EARLY_TURN:
        return None, None
    if not plan.attempt_length:
        return EARLY_TURN, None
    late = EARLY_TURN + (count - EARLY_TURN) // plan.attempt_length * plan.attempt_length
    return EARLY_TURN, (late if late > EARLY_TURN else None)


def _median(values: List[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def latency_by_turn(stats: Stats, plans: List[Learner]) -> Dict[str, Any]:
    """Turn 5 against the same message in the last attempt, and the first attempt against the last whole one."""
    waited = {(sender, turn): seconds * 1000 for sender, turn, seconds in stats.samples}
    early, late, late_turns, first, last = [], [], [], [], []
    for plan in plans:
        early_turn, late_turn = matched_turns(plan)
        if late_turn is not None and (plan.sender, early_turn) in waited and (plan.sender, late_turn) in waited:
            early.append(waited[(plan.sender, early_turn)])
            late.append(waited[(plan.sender, late_turn)])
            late_turns.append(late_turn)
        whole = len(plan.messages) // plan.attempt_length if plan.attempt_length else 0
        if whole >= 2:
            span = plan.attempt_length
            first_ms = [waited[(plan.sender, t)] for t in range(1, span + 1) if (plan.sender, t) in waited]
            last_ms = [
                waited[(plan.sender, t)]
                for t in range((whole - 1) * span + 1, whole * span + 1)
                if (plan.sender, t) in waited
            ]
            if first_ms and last_ms:
                first.append(statistics.median(first_ms))
                last.append(statistics.median(last_ms))
    found: Dict[str, Any] = {"early_turn": EARLY_TURN, "late_turns": sorted(set(late_turns))}
    found.update(early_ms=_median(early), late_ms=_median(late), first_attempt_ms=_median(first))
    found.update(last_attempt_ms=_median(last))
    return found


# -- the per-stage breakdown ------------------------------------------------------------------
def action_timings(log: Path) -> Dict[Tuple[str, int], Dict[str, Any]]:
    """The action server's per-turn lines, by (conversation key, message number)."""
    found: Dict[Tuple[str, int], Dict[str, Any]] = {}
    if not log.is_file():
        return found
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if TIMING_MARK not in line:
            continue
        try:
            record = json.loads(line.split(TIMING_MARK, 1)[1])
            found[(record["conversation"], int(record["messages"]))] = record
        except (ValueError, KeyError, TypeError):
            continue
    return found


def store_timings(path: Path) -> Dict[Tuple[str, int], Dict[str, Any]]:
    """The timed tracker store's lines, by (sender, message number)."""
    found: Dict[Tuple[str, int], Dict[str, Any]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found[(record["sender"], int(record["messages"]))] = record
    return found


def stages(waited_ms: float, store: Dict[str, Any], action: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """One turn's stages in ms; None when a server recorded nothing for it."""
    needed = ("nlu_ms", "action_call_ms")
    if any(key not in store for key in needed) or "restore_ms" not in action:
        return None
    call = store["action_call_ms"]
    restore = action["restore_ms"] + action.get("read_ms", 0.0)
    found = {
        "nlu": store["nlu_ms"],
        "restore": restore,
        "customer": action["handle_ms"],
        "hop": call - restore - action["handle_ms"],
        "store": store["store_read_ms"] + store["store_write_ms"],
        "total": waited_ms,
        "path": action.get("path", "?"),
    }
    found["rasa"] = waited_ms - found["store"] - found["nlu"] - call
    return found


def breakdown(stats: Stats, plans: List[Learner], action_log: Path, store_file: Path) -> Dict[str, Any]:
    """Median ms per stage over the learners, at the early and at the late turn."""
    waited = {(sender, turn): seconds * 1000 for sender, turn, seconds in stats.samples}
    actions, stores = action_timings(action_log), store_timings(store_file)
    columns: Dict[str, List[Dict[str, Any]]] = {"early": [], "late": []}
    turns: Dict[str, List[int]] = {"early": [], "late": []}
    paired = [plan for plan in plans if matched_turns(plan)[1] is not None]
    for plan in paired or plans:  # the same learners in both columns when there is a late turn
        for column, turn in zip(("early", "late"), matched_turns(plan)):
            if turn is None or (plan.sender, turn) not in waited:
                continue
            found = stages(
                waited[(plan.sender, turn)],
                stores.get((plan.sender, turn), {}),
                actions.get((conversation_key(plan.sender), turn), {}),
            )
            if found is not None:
                columns[column].append(found)
                turns[column].append(turn)
    result: Dict[str, Any] = {}
    for column, rows in columns.items():
        if rows:
            result[column] = {key: statistics.median(row[key] for row in rows) for key, _ in STAGES}
            result[column].update(turns=sorted(set(turns[column])), learners=len(rows), paths=_paths(rows))
    return result


def _paths(rows: Iterable[Dict[str, Any]]) -> Dict[str, int]:
    counted: Dict[str, int] = {}
    for row in rows:
        counted[row["path"]] = counted.get(row["path"], 0) + 1
    return counted


def _turns_label(turns: List[int]) -> str:
    if not turns:
        return "-"
    return f"turn {turns[0]}" if len(turns) == 1 else f"turns {turns[0]}-{turns[-1]}"


def breakdown_lines(result: Dict[str, Any]) -> List[str]:
    """The table as printed: one row per stage, a column per turn."""
    columns = [name for name in ("early", "late") if name in result]
    if not columns:
        return ["per-stage breakdown: no turn had timings from both servers (see var/log/bench/)"]
    learners = max(result[c]["learners"] for c in columns)
    lines = [f"\nper-stage breakdown, ms (median over {learners} learner(s); timings recorded by the servers):"]
    lines.append(f"{'':<50}" + "".join(f"{_turns_label(result[c]['turns']):>16}" for c in columns))
    for key, label in STAGES:
        lines.append(f"{label:<50}" + "".join(f"{result[c][key]:>16.1f}" for c in columns))
    paths = ["/".join(f"{n} {p}" for p, n in sorted(result[c]["paths"].items())) for c in columns]
    lines.append(f"{'session path':<50}" + "".join(f"{p:>16}" for p in paths))
    if "late" not in result:
        lines.append(
            "(no late turn: give --turns longer than one attempt to see the same message late in a conversation)"
        )
    return lines
