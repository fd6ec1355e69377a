"""Playing a scripted learner against the running assistant, and re-scoring stored conversations."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from typing import Any, Dict, Iterable, List, Optional

from bot.adapters.tracker import learner_inputs
from bot.domain.moves.detector import SLASH_COMMAND
from bot.domain.scenarios.loader import Library
from bot.domain.session.commands import parse_command
from bot.domain.session.session import PHASE_DONE, PHASE_REFLECTION, LearnerInput, replay
from bot.ops.servers import api_token


class PlayError(Exception):
    pass


def send(
    webhook: str,
    sender: str,
    text: str,
    metadata: Optional[Dict[str, Any]] = None,
    timeout: float = 60,
    token: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """One message over the coach's REST channel (token from COACH_API_TOKEN or var/api-token)."""
    body = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    headers = {"Content-Type": "application/json"}
    token = token or api_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(webhook, data=json.dumps(body).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"[]")
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise PlayError(f"the coach at {webhook} refused the API token (set COACH_API_TOKEN)") from exc
        raise PlayError(f"the coach at {webhook} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise PlayError(f"the coach at {webhook} did not answer: {exc}") from exc


def messages(response: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Pair each reply's text with the custom payload that follows it."""
    out: List[Dict[str, Any]] = []
    for item in response:
        if "text" in item:
            out.append({"text": item["text"], "custom": {}})
        elif "custom" in item and out and not out[-1]["custom"]:
            out[-1]["custom"] = item["custom"]
        elif "custom" in item:
            out.append({"text": "", "custom": item["custom"]})
    return out


def play(
    webhook: str, setup: Dict[str, Any], lines: Iterable[str], sender: Optional[str] = None, token: Optional[str] = None
) -> Dict[str, Any]:
    """Play learner ``lines`` in the scenario ``setup``; returns transcript and scorecard."""
    sender = sender or "play-" + secrets.token_hex(8)
    transcript: List[Dict[str, Any]] = []
    scorecard: Optional[Dict[str, Any]] = None
    started: Dict[str, Any] = {}

    def record(reply_list: List[Dict[str, Any]]) -> None:
        nonlocal scorecard
        for message in messages(reply_list):
            meta = message["custom"].get("coach", {})
            if meta.get("turn") == 0 and "time" in meta:
                started.setdefault("at", meta["time"])  # the practice's start, for handle time on re-scoring
            if "scorecard" in message["custom"]:
                scorecard = message["custom"]["scorecard"]
            speaker = meta.get("speaker", "coach")
            if speaker == "customer" and transcript and transcript[-1]["speaker"] == "learner" and "turn" in meta:
                transcript[-1].update(moves=meta.get("moves", []), hits=meta.get("hits", []), time=meta.get("time"))
            entry = {"speaker": speaker, "text": message["text"]}
            if speaker == "customer":
                entry["mood"] = meta.get("mood")
            transcript.append(entry)

    record(send(webhook, sender, "start", {"coach": {"start": setup}}, token=token))
    if not any(e["speaker"] == "customer" for e in transcript):
        raise PlayError("the coach did not start the scenario: " + " ".join(e["text"] for e in transcript)[:300])
    for line in lines:
        if not line.strip():
            continue
        entry = {"speaker": "learner", "text": line, "moves": []}
        command = parse_command(line)
        if command:
            entry["tool"] = command.name
        transcript.append(entry)
        record(send(webhook, sender, line, token=token))
        if scorecard is not None:
            break
    if scorecard is None:
        transcript.append({"speaker": "learner", "text": "end", "moves": [], "tool": "end"})
        record(send(webhook, sender, "end", token=token))
    if scorecard is None:
        raise PlayError("the conversation ended without a scorecard")
    return {
        "conversation_id": sender,
        "setup": setup,
        "started_at": started.get("at"),
        "transcript": transcript,
        "scorecard": scorecard,
    }


def _inputs_from_play(record: Dict[str, Any]) -> List[LearnerInput]:
    setup = record.get("setup") or {}
    inputs = [LearnerInput("start", metadata={"coach": {"start": setup}}, time=record.get("started_at"))]
    for entry in record.get("transcript", []):
        if entry.get("speaker") != "learner":
            continue
        text = entry.get("text", "")
        trusted = not SLASH_COMMAND.match(text)
        inputs.append(
            LearnerInput(
                text,
                moves=list(entry.get("moves", [])) if trusted else [],
                hits=list(entry.get("hits", [])) if trusted else [],
                command=parse_command(text) if trusted else None,
                trusted=trusted,
                time=entry.get("time"),
            )
        )
    return inputs


def rescore(record: Any, library: Library, conversation_id: str = "rescore") -> Dict[str, Any]:
    """The scorecard of a stored conversation: ``coach play`` output or a tracker export."""
    if isinstance(record, dict) and "transcript" in record:
        inputs = _inputs_from_play(record)
        conversation_id = record.get("conversation_id", conversation_id)
    else:
        events = record.get("events") if isinstance(record, dict) else record
        if not isinstance(events, list):
            raise PlayError('expected `coach play` output (with "transcript") or a tracker export (with "events")')
        inputs = learner_inputs(events)
        if isinstance(record, dict):
            conversation_id = record.get("sender_id", conversation_id)
    session, _ = replay(conversation_id, library, inputs)
    attempts = session.finished + ([session.attempt] if session.attempt else [])
    scored = [a for a in attempts if a.scorecard]
    if scored:
        return scored[-1].scorecard.as_json()
    if session.attempt is None:
        raise PlayError("the conversation never started a scenario")
    if session.phase not in (PHASE_REFLECTION, PHASE_DONE):
        session.handle(LearnerInput("end", command=parse_command("end")))
    return session.attempt.scorecard.as_json()
