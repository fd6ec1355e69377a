"""The token-protected REST channel, hardened against faults and bad input.

Rasa's own flow stores a learner's message even when nothing answered it (the
action server was down: Rasa logs an error and sends nothing) and sends the
replies even when storing the conversation failed (the database was down: the
next turn would then forget them). Here a message is kept **only if it was
answered and stored**, all or nothing:

- the replies are collected first and delivered only after the conversation
  was saved;
- when the coach did not answer (action server unreachable or failing) the
  message is not stored, and the learner is told plainly that the coach is
  unavailable, that the conversation so far is saved and to send the message
  again; the next message carries on with the right turn number;
- when the conversation store cannot be read or written, the learner gets a
  clear error and nothing said before is lost (Rasa's own fall-back would greet
  them as a new learner, or keep the turn in memory only: see
  :func:`strict_tracker_store`).

Messages of one conversation wait for each other (Rasa's lock store) polling
every ``COACH_LOCK_POLL_SECONDS`` (0.02 s) instead of Rasa's whole second.

Bad requests (not a JSON object, no ``sender``, a ``message`` that is not text,
``metadata`` that is not an object, a body over ``COACH_MAX_REQUEST_BYTES``)
get HTTP 400/413 with a one-line ``error`` instead of reaching Rasa.

The same guard (:func:`handle_guarded`) can wrap any channel's message handler.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel
from sanic import Blueprint, response
from sanic.request import Request

from bot.adapters.channels import speedups
from bot.adapters.channels.rest import TokenRestInput
from bot.settings import settings

logger = logging.getLogger(__name__)
speedups.apply()


class TrackerStoreUnavailable(Exception):
    """The conversation store could not be read or written."""


def strict_tracker_store() -> None:
    """Make tracker-store failures errors instead of Rasa's silent fall-back.

    Rasa wraps the tracker store in ``FailSafeTrackerStore``: when a read fails it
    answers "no such conversation" (so the learner would be greeted as new), and when
    a write fails it keeps the conversation in memory only (lost at the next restart,
    and out of step with the database). Here both raise, so the message is refused with
    a clear answer and the stored conversation stays as it was.
    """
    from rasa.core.tracker_store import FailSafeTrackerStore

    def fail(self, error: Exception) -> None:
        logger.error("the tracker store failed: %s", error)
        raise TrackerStoreUnavailable(str(error)) from error

    FailSafeTrackerStore.on_tracker_store_error = fail
    FailSafeTrackerStore.on_tracker_store_retrieve_error = fail


strict_tracker_store()

MAX_REQUEST_BYTES = settings().max_request_bytes
MAX_SENDER_CHARS = 200
# How often a message waiting for its conversation's lock (another message of the same
# conversation is being answered) checks again; Rasa's default is a whole second.
LOCK_POLL_SECONDS = settings().lock_poll_seconds

UNAVAILABLE = (
    "Coach: The coach is unavailable just now, so your last message was not used. "
    "Your conversation so far is saved. Please send that message again in a moment."
)
STORE_FAILED = (
    "Coach: Your message could not be saved just now, so it was not used. "
    "Nothing you said before is lost. Please send that message again in a moment."
)


class CoachUnavailable(Exception):
    """The assistant produced no reply: the action server is down or failing."""


def _notice(recipient: Text, text: Text, error: Text) -> Dict[str, Any]:
    return {
        "recipient_id": recipient,
        "text": text,
        "custom": {"coach": {"speaker": "coach", "error": error, "saved": True}},
    }


async def _deliver(channel: OutputChannel, recipient: Text, items: List[Dict[str, Any]]) -> None:
    if isinstance(channel, QueueOutputChannel):
        for item in items:
            await channel.messages.put(item)
    elif isinstance(channel, CollectingOutputChannel):
        channel.messages.extend(items)
    else:  # a channel that sends elsewhere
        for item in items:
            await channel.send_response(recipient, {k: v for k, v in item.items() if k != "recipient_id"})


async def handle_guarded(agent: Any, message: UserMessage) -> str:
    """Handle ``message`` all or nothing; returns "ok", "unavailable" or "store_failed".

    The same steps as ``Agent.handle_message`` and ``MessageProcessor.handle_message``
    (Rasa 3.6), with the save made conditional on an answer and the replies held
    back until the save succeeded.
    """
    original = message.output_channel
    buffer = CollectingOutputChannel()
    held = UserMessage(
        message.text,
        buffer,
        message.sender_id,
        parse_data=message.parse_data,
        input_channel=message.input_channel,
        message_id=message.message_id,
        metadata=message.metadata,
    )
    outcome = "ok"
    try:
        async with agent.lock_store.lock(message.sender_id, wait_time_in_seconds=LOCK_POLL_SECONDS):
            processor = agent.processor
            tracker = await processor.log_message(held, should_save_tracker=False)
            tracker = await processor.run_action_extract_slots(buffer, tracker)
            await processor._run_prediction_loop(buffer, tracker)
            if not buffer.messages:
                raise CoachUnavailable()
            await processor.run_anonymization_pipeline(tracker)
            await processor.save_tracker(tracker)
    except CoachUnavailable:
        logger.error(
            "no reply to a message from %s (is the action server up?); the message was not stored", message.sender_id
        )
        outcome = "unavailable"
    except Exception:  # the tracker store (or anything else) failed: nothing of this message is kept
        logger.exception("could not handle a message from %s; the message was not stored", message.sender_id)
        outcome = "store_failed"
    if outcome == "ok":
        await _deliver(original, message.sender_id, buffer.messages)
    else:
        text = UNAVAILABLE if outcome == "unavailable" else STORE_FAILED
        await _deliver(original, message.sender_id, [_notice(message.sender_id, text, outcome)])
    return outcome


def request_problem(request: Request) -> Optional[tuple]:
    """(status, error) for a request the channel refuses, or None."""
    if len(request.body or b"") > MAX_REQUEST_BYTES:
        return 413, f"the request is larger than {MAX_REQUEST_BYTES:,} bytes"
    try:
        body = request.json
    except Exception:
        body = None
    if not isinstance(body, dict):
        return 400, 'the body must be a JSON object with "sender" and "message"'
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return 400, f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters'
    if not isinstance(body.get("message"), str):
        return 400, '"message" must be a string'
    if body.get("metadata") is not None and not isinstance(body.get("metadata"), dict):
        return 400, '"metadata" must be a JSON object'
    return None


class GuardedRestInput(TokenRestInput):
    """``TokenRestInput`` plus the all-or-nothing guard and request checks above."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        apps: List[Any] = []

        async def guarded(message: UserMessage) -> None:
            agent = apps[0].ctx.agent if apps else None
            if agent is None or not agent.is_ready():
                await on_new_message(message)  # Rasa's own path ("no agent" is logged there)
                return
            await handle_guarded(agent, message)

        blueprint = super().blueprint(guarded)

        @blueprint.middleware("request")
        async def check_request(request: Request):
            if not apps:
                apps.append(request.app)
            if request.method == "POST":
                problem = request_problem(request)
                if problem:
                    return response.json({"error": problem[1]}, status=problem[0])
            return None

        return blueprint
