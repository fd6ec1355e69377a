"""One attempt, rebuilt for reading: transcript with moves and highlighted evidence, mood with reasons.

The conversation is rebuilt with ``bot.domain.session.session.replay`` from the learner messages in the
tracker store, so the tutor sees exactly what the learner saw (same customer, same mood,
same reasons). The scorecard shown is the stored one (the automatic result).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.adapters.tracker import learner_inputs
from bot.domain.assessment.rubrics import vocabulary
from bot.domain.assessment.scorecard import Scorecard
from bot.domain.session.session import replay
from bot.tutor.db import events
from bot.tutor.queries import iso

MOOD_WIDTH, MOOD_HEIGHT = 640, 230
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 16, 14, 34


def load_events(db: Connection, sender_id: str) -> List[Dict[str, Any]]:
    out = []
    for (data,) in db.execute(select(events.c.data).where(events.c.sender_id == sender_id).order_by(events.c.id)):
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue
        if isinstance(event, dict):
            out.append(event)
    return out


def _segments(text: str, spans: List[Tuple[int, int, str]]) -> List[Dict[str, Any]]:
    """Split ``text`` at every span edge; each piece lists the quote ids covering it."""
    spans = [(s, e, q) for s, e, q in spans if 0 <= s < e <= len(text)]
    if not spans:
        return [{"text": text, "ids": []}]
    edges = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    pieces = []
    for start, end in zip(edges, edges[1:]):
        ids = [q for s, e, q in spans if s <= start and end <= e]
        pieces.append({"text": text[start:end], "ids": ids})
    return pieces


def _find(text: str, quote: str) -> Optional[int]:
    if not quote:
        return None
    at = text.find(quote)
    if at < 0:
        at = text.lower().find(quote.lower())
    return at if at >= 0 else None


class EvidenceIndex:
    """Gives each distinct (turn, quote) of the scorecard an id, for links and highlights."""

    def __init__(self) -> None:
        self.ids: Dict[Tuple[int, str], str] = {}
        self.by_turn: Dict[int, List[Tuple[str, str]]] = {}

    def id_for(self, turn: Any, quote: Any) -> Optional[str]:
        if not isinstance(turn, int) or not isinstance(quote, str) or not quote:
            return None
        key = (turn, quote)
        if key not in self.ids:
            self.ids[key] = f"q{turn}-{len(self.by_turn.get(turn, []))}"
            self.by_turn.setdefault(turn, []).append((self.ids[key], quote))
        return self.ids[key]


def _lost_view(model_id: str, lost: List[Any], words: Any) -> List[Dict[str, Any]]:
    """Why a model is below 100, each line with the label of its step ("Order" for the order line)."""
    steps = words.models[model_id].steps if model_id in words.models else {}
    out = []
    for line in lost:
        label = (
            "Order" if line.step == "order" else (steps[line.step].label if line.step in steps else label_of(line.step))
        )
        out.append(dict(line.dict(), label=label))
    return out


def label_of(value: Any) -> str:
    return str(value or "").replace("_", " ")


def scorecard_view(raw: Any, index: EvidenceIndex) -> Optional[Dict[str, Any]]:
    """The scorecard (stored JSON or a live one) for the templates, with an evidence id on every quote.

    ``breakdown`` and each model's ``lost`` are there only when the stored scorecard has them
    (scorecards stored before the breakdown existed show none)."""
    card = Scorecard.read(raw)
    if card is None:
        return None
    words = vocabulary()
    explained = card.breakdown is not None
    models = []
    for model_id, model in card.models.items():
        steps = []
        for step in model.steps:
            entry = step.dict(exclude_unset=True)
            entry["evidence"] = [dict(e.dict(), qid=index.id_for(e.turn, e.quote)) for e in step.evidence]
            steps.append(entry)
        models.append(
            {
                "id": model_id,
                "score": model.score,
                "steps": steps,
                "lost": _lost_view(model_id, model.lost, words) if explained else [],
            }
        )
    view = dict(card.as_json(), models=models)
    view["breakdown"] = card.breakdown.dict() if card.breakdown is not None else None
    view["strengths"] = [dict(s.dict(), qid=index.id_for(s.turn, s.quote)) for s in card.feedback.strengths]
    view["improvements"] = [dict(s.dict(), qid=index.id_for(s.turn, s.quote)) for s in card.feedback.improvements]
    return view


def mood_chart(points: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Coordinates for the inline SVG mood chart: mood 0 (calm) at the bottom, 10 (furious) at the top."""
    inner_w = MOOD_WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = MOOD_HEIGHT - PAD_TOP - PAD_BOTTOM
    last = max(1, len(points) - 1)
    step = max(1, -(-last // 12))
    plotted = []
    for i, point in enumerate(points):
        x = PAD_LEFT + inner_w * (i / last)
        y = PAD_TOP + inner_h * (1 - (point["mood"] or 0) / 10)
        plotted.append(dict(point, x=round(x, 1), y=round(y, 1)))
    grid = [{"y": round(PAD_TOP + inner_h * (1 - m / 10), 1), "label": m} for m in (0, 2, 4, 6, 8, 10)]
    ticks = [p for p in plotted if p["turn"] % step == 0 or p is plotted[-1]]
    return {
        "width": MOOD_WIDTH,
        "height": MOOD_HEIGHT,
        "left": PAD_LEFT,
        "right": MOOD_WIDTH - PAD_RIGHT,
        "top": PAD_TOP,
        "bottom": MOOD_HEIGHT - PAD_BOTTOM,
        "points": plotted,
        "grid": grid,
        "ticks": ticks,
        "line": " ".join(f"{p['x']},{p['y']}" for p in plotted),
        "boiling_y": round(PAD_TOP + inner_h * (1 - 8.5 / 10), 1),
    }


def score_chart(
    points: List[Dict[str, Any]], pass_mark: int = 70, width: int = 260, height: int = 74
) -> Dict[str, Any]:
    """A learner's overall scores over attempts (0-100), for the cohort view."""
    left, right, top, bottom = 26, width - 8, 8, height - 14
    n = len(points)
    plotted = []
    for i, point in enumerate(points):
        x = left + (right - left) * (i / (n - 1) if n > 1 else 0.5)
        y = top + (bottom - top) * (1 - (point["overall"] or 0) / 100)
        plotted.append(dict(point, x=round(x, 1), y=round(y, 1), number=i + 1))
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "points": plotted,
        "line": " ".join(f"{p['x']},{p['y']}" for p in plotted),
        "pass_y": round(top + (bottom - top) * (1 - pass_mark / 100), 1),
        "pass_mark": pass_mark,
        "mid_y": round(top + (bottom - top) * 0.5, 1),
    }


# The KPI trend charts: (key in the period figures, title, lowest and highest value on the axis, unit).
KPI_CHARTS = (
    ("csat", "CSAT (1–5)", 1, 5, "/5"),
    ("nps", "NPS (−100 to 100)", -100, 100, ""),
    ("fcr", "Resolved first time", 0, 100, "%"),
)


def trend_chart(
    periods: List[Dict[str, Any]], key: str, low: float, high: float, width: int = 300, height: int = 96
) -> Dict[str, Any]:
    """One KPI over time, for the cohort view: a point per period, placed by the period's start
    (so a gap of weeks shows as a gap), between ``low`` at the bottom and ``high`` at the top."""
    left, right, top, bottom = 34, width - 10, 8, height - 16
    first = periods[0]["start"] if periods else 0.0
    span = (periods[-1]["start"] - first) if periods else 0.0
    plotted = []
    for period in periods:
        value = period[key]
        x = left + (right - left) * ((period["start"] - first) / span if span else 0.5)
        y = top + (bottom - top) * (1 - (min(high, max(low, value)) - low) / (high - low))
        plotted.append(dict(period, value=value, x=round(x, 1), y=round(y, 1)))
    middle = (low + high) / 2
    return {
        "key": key,
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "points": plotted,
        "line": " ".join(f"{p['x']},{p['y']}" for p in plotted),
        "high": high,
        "low": low,
        "mid_y": round(top + (bottom - top) * 0.5, 1),
        "middle": int(middle) if middle == int(middle) else middle,
    }


def kpi_trend_charts(trend: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The three KPI trend charts (CSAT, NPS, FCR rate) of ``queries.kpi_trend``."""
    return [
        dict(trend_chart(trend["periods"], key, low, high), title=title, unit=unit)
        for key, title, low, high, unit in KPI_CHARTS
    ]


def signed(value: Any) -> str:
    """An NPS with its sign (+25, −25, 0); "—" when there is none."""
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "0"


def duration(seconds: Any) -> str:
    """Handle time as minutes and seconds (4:05); "—" when the messages carried no times."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def attempt_view(
    sender_id: str, number: int, event_list: List[Dict[str, Any]], library, card: Optional[Dict[str, Any]]
) -> Dict[str, Any]:
    """Everything the conversation view shows for attempt ``number`` of conversation ``sender_id``."""
    index = EvidenceIndex()
    card_view = scorecard_view(card, index)
    try:
        session, _ = replay(sender_id, library, learner_inputs(event_list))
    except Exception as exc:  # a scenario removed from the course, a broken event: show the raw messages
        return _raw_view(
            event_list,
            card_view,
            index,
            f"The conversation could not be replayed ({exc}); showing the stored messages.",
        )
    found = [a for a in session.finished + ([session.attempt] if session.attempt else []) if a.number == number]
    if not found:
        return _raw_view(event_list, card_view, index, "This attempt is not in the stored messages.")
    attempt = found[0]
    if card_view is None and attempt.scorecard:
        card_view = scorecard_view(attempt.scorecard, index)
    hits_by_turn = {i + 1: hits for i, hits in enumerate(attempt.hits)}
    turns = {t.index: t for t in attempt.turns}
    transcript = []
    for entry in attempt.transcript:
        item = {
            "speaker": entry["speaker"],
            "text": entry.get("text", ""),
            "moves": entry.get("moves", []),
            "tool": entry.get("tool"),
            "late": bool(entry.get("late")),
            "turn": entry.get("turn"),
            "mood": entry.get("mood"),
            "time": entry.get("time"),
        }
        if entry["speaker"] == "learner" and entry.get("turn") is not None:
            turn = entry["turn"]
            spans = []
            for qid, quote in index.by_turn.get(turn, []):
                at = _find(item["text"], quote)
                if at is not None:
                    spans.append((at, at + len(quote), qid))
            item["segments"] = _segments(item["text"], spans)
            item["hits"] = [
                {"move": h.get("move"), "quote": h.get("quote", ""), "source": h.get("source", "")}
                for h in hits_by_turn.get(turn, [])
            ]
            result = turns.get(turn)
            if result is not None:
                item["mood_before"], item["mood_after"] = round(result.mood_before), round(result.mood_after)
                item["reasons"] = [c.reason for c in result.changes]
        else:
            item["segments"] = [{"text": item["text"], "ids": []}]
        transcript.append(item)
    trace = attempt.mood_trace()
    points = [{"turn": 0, "mood": trace[0], "reasons": ["opening mood (persona and difficulty)"], "delta": 0}]
    for result, mood in zip(attempt.turns, trace[1:]):
        points.append(
            {
                "turn": result.index,
                "mood": mood,
                "delta": round(result.mood_after - result.mood_before, 1),
                "reasons": [f"{c.reason} ({c.delta:+.1f})" for c in result.changes] or ["no change"],
                "events": list(result.events),
                "understood": understood_text(result.understood),
            }
        )
    return {
        "replayed": True,
        "notice": None,
        "transcript": transcript,
        "mood": points,
        "chart": mood_chart(points),
        "notes": [dict(n) for n in attempt.notes],
        "history_checks": list(attempt.history_checks),
        "hints": list(attempt.hints),
        "reflection": attempt.reflection,
        "root_cause": root_cause_view(attempt.scorecard),
        "scorecard": card_view,
        "title": attempt.scenario.title,
        "organisation": attempt.scenario.organisation,
        "customer": attempt.scenario.counterpart,
        "coaching": attempt.coaching,
        "handled": (
            [
                {"speaker": attempt.scenario.agent.name if line.speaker == "agent" else "Customer", "text": line.text}
                for line in attempt.scenario.transcript
            ]
            if attempt.coaching
            else []
        ),
        "outcome": attempt.outcome,
    }


VERDICTS = {
    "root_cause": "found the root cause",
    "immediate_cause": "stopped at the immediate cause",
    "symptom": "named a symptom as the cause",
    "vague": "named no cause in this case",
}


def root_cause_view(card: Any) -> Optional[Dict[str, Any]]:
    """The root-cause review of the reflection for the tutor: the verdict in words, and the chain's root cause."""
    review = getattr(card, "root_cause", None)
    if review is None:
        return None
    return {**review.dict(), "verdict_text": VERDICTS.get(review.verdict, review.verdict)}


def _raw_view(event_list, card_view, index, notice: str) -> Dict[str, Any]:
    transcript = []
    for event in event_list:
        if event.get("event") == "user":
            transcript.append(
                {
                    "speaker": "learner",
                    "text": event.get("text") or "",
                    "moves": [],
                    "tool": None,
                    "turn": None,
                    "segments": [{"text": event.get("text") or "", "ids": []}],
                }
            )
        elif event.get("event") == "bot":
            coach = ((event.get("data") or {}).get("custom") or {}).get("coach") or {}
            text = event.get("text") or ""
            transcript.append(
                {
                    "speaker": coach.get("speaker", "coach"),
                    "text": text,
                    "moves": [],
                    "tool": None,
                    "turn": None,
                    "mood": coach.get("mood"),
                    "segments": [{"text": text, "ids": []}],
                }
            )
    return {
        "replayed": False,
        "notice": notice,
        "transcript": transcript,
        "mood": [],
        "chart": None,
        "notes": [],
        "history_checks": [],
        "hints": [],
        "reflection": None,
        "root_cause": None,
        "scorecard": card_view,
        "title": None,
        "organisation": None,
        "customer": None,
        "outcome": None,
    }


def understood_text(understood: Dict[str, Any]) -> str:
    """What the customer read in a learner message, in words a tutor can check."""
    parts: List[str] = []
    for question in understood.get("questions", []):
        about = ", ".join(f.replace("_", " ") for f in question["facts"]) or "nothing on file"
        parts.append(f"{question['kind']} question ({about})")
    for option in understood.get("options", []):
        parts.append(f"{option['remedy'].replace('_', ' ')}: {option['polarity']}")
    flags = {
        "asks_choice": "asked to choose",
        "asks_agreement": "asked to agree",
        "checks_satisfaction": "satisfaction check",
        "closing": "closing",
        "handover": "handover",
    }
    parts += [words for flag, words in flags.items() if understood.get(flag)]
    parts += [f"commitment ({when})" for when in understood.get("commitments", [])]
    return "; ".join(parts)


def breakdown_view(card_view: Optional[Dict[str, Any]], row: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """How the overall score is made, beside the tutors' changes.

    The lines are the automatic sum, never recomputed: when a tutor changed the score or the
    flags, the breakdown is labelled automatic and says which flags a tutor removed or added,
    so it never contradicts the score shown above it."""
    if not card_view or not card_view.get("breakdown"):
        return None
    breakdown = card_view["breakdown"]
    words = vocabulary()
    now = set(row.get("flags") or [])
    auto = set(row.get("flags_auto") or [])
    lines = []
    for line in breakdown["lines"]:
        entry = dict(line, removed=line["kind"] == "flag" and line.get("id") not in now)
        lines.append(entry)
    changed = bool(row.get("overridden")) and (row.get("overall") != row.get("overall_auto") or now != auto)
    return {
        "lines": lines,
        "overall": breakdown["overall"],
        "automatic_only": changed,
        "overall_now": row.get("overall"),
        "added": [words.flag_label(f) for f in row.get("flags") or [] if f not in auto],
        "removed": [words.flag_label(f) for f in row.get("flags_auto") or [] if f not in now],
    }


def _message(position: int, entry: Dict[str, Any]) -> Dict[str, Any]:
    """One transcript line as exports carry it."""
    kind = "tool" if entry.get("tool") else "late" if entry.get("late") else "message"
    stamp = entry.get("time")
    return {
        "index": position,
        "speaker": entry.get("speaker") or "coach",
        "kind": kind,
        "text": entry.get("text") or "",
        "turn": entry.get("turn"),
        "tool": entry.get("tool"),
        "late": bool(entry.get("late")),
        "moves": list(entry.get("moves") or []),
        "mood": entry.get("mood"),
        "time": iso(stamp) if isinstance(stamp, (int, float)) else None,
    }


def attempt_messages(sender_id: str, event_list: List[Dict[str, Any]], library) -> Dict[int, List[Dict[str, Any]]]:
    """Every line of each attempt's transcript, in order, from one replay of the conversation: the
    customer and the learner, tool lines (notes, history checks, the reflection) and lines typed
    after the customer left (``kind: "late"``). If the conversation cannot be replayed, key 0 holds
    the stored messages of the whole conversation."""
    try:
        session, _ = replay(sender_id, library, learner_inputs(event_list))
    except Exception:  # as attempt_view: a removed scenario or a broken event
        raw = _raw_view(event_list, None, EvidenceIndex(), "")["transcript"]
        return {0: [_message(i + 1, e) for i, e in enumerate(raw)]}
    found = session.finished + ([session.attempt] if session.attempt else [])
    return {a.number: [_message(i + 1, e) for i, e in enumerate(a.transcript)] for a in found}
