"""Handling one learner message for the web, Slack and Teams channels.

The message goes through the same all-or-nothing guard as the REST channel
(:func:`bot.adapters.channels.guarded.handle_guarded`): it is kept only if the coach
answered and the conversation was stored, otherwise the learner gets a plain
notice. The guard collects replies the way Rasa's collecting channel does, one
item for the text (split at blank lines) and another for the ``custom`` payload;
:func:`whole_messages` puts each bot message back together (text, buttons and
the coach's payload), as the action sent it, so a channel can draw it as one.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.adapters.channels.guarded import handle_guarded


def _merge(parts: List[Dict[str, Any]], custom: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    merged: Dict[str, Any] = {"text": "\n\n".join(p["text"] for p in parts if p.get("text"))}
    for part in parts:
        if part.get("buttons"):
            merged["buttons"] = part["buttons"]
    if custom is not None:
        merged["custom"] = custom
    return merged


def whole_messages(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Bot messages re-assembled from a collecting channel's items (see the module docstring)."""
    out: List[Dict[str, Any]] = []
    pending: List[Dict[str, Any]] = []
    for raw in items:
        item = {k: v for k, v in raw.items() if k != "recipient_id"}
        has_text = bool(item.get("text")) or bool(item.get("buttons"))
        if "custom" in item and not has_text:  # the payload that closes the preceding text
            out.append(_merge(pending, item["custom"]) if pending else item)
            pending = []
        elif "custom" in item:  # already whole (the guard's notices)
            if pending:
                out.append(_merge(pending))
                pending = []
            out.append(item)
        else:
            pending.append(item)
    if pending:
        out.append(_merge(pending))
    return out


async def handle_message(
    app: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
) -> List[Dict[str, Any]]:
    """Handle ``message`` (its own output channel is not used) and return the replies, whole."""
    collector = CollectingOutputChannel()
    inner = UserMessage(
        message.text,
        collector,
        message.sender_id,
        parse_data=message.parse_data,
        input_channel=message.input_channel,
        message_id=message.message_id,
        metadata=message.metadata,
    )
    agent = getattr(app.ctx, "agent", None) if app is not None else None
    if agent is not None and agent.is_ready():
        await handle_guarded(agent, inner)
    else:  # Rasa's own path (it logs that no agent is loaded)
        await on_new_message(inner)
    return whole_messages(collector.messages)


async def deliver(app: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> None:
    """Handle ``message`` and send each reply, whole, through the message's own output channel."""
    for reply in await handle_message(app, on_new_message, message):
        await message.output_channel.send_response(message.sender_id, reply)
