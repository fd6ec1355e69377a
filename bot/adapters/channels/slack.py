"""Slack: Rasa's Slack channel with the coach's messages as Block Kit.

``bot.adapters.channels.slack.CoachSlackInput`` in credentials.yml (it keeps the name
``slack``, so Slack posts to ``/webhooks/slack/webhook``). Compared with Rasa's
``slack`` channel:

- every bot message is built by :func:`bot.adapters.channels.formatting.slack_message`: the
  customer's words with the learner tools in an overflow menu and the mood in a
  context line, coach messages in mrkdwn with their buttons, the scorecard as
  Block Kit; the coach's internal ``custom`` payload is never posted raw;
- the Web API base URL comes from ``SLACK_API_URL`` (default Slack's own), so
  tests can point it at a local stand-in; ``SLACK_CHANNEL`` sets ``slack_channel``;
- the ``url_verification`` challenge is answered as ``{"challenge": ...}`` (after
  the signature check, like every request);
- messages go through the same all-or-nothing guard as the REST channel;
- each message carries the learner as ``coach.learner`` metadata ``{id, name}``, the name
  looked up once per user with ``users.info`` (scope ``users:read``) and kept in memory;
  when the look-up fails the name is the user id, and the message goes on regardless.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.channels.delivery import deliver
from bot.adapters.channels.formatting import slack_message

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LOOKUP_TIMEOUT_S = 3.0  # the learner's message waits at most this long for their name
RETRY_FAILED_LOOKUP_S = 300.0  # a failed look-up is tried again after this long, not on every message
MAX_CACHED_NAMES = 10_000


def slack_api_url() -> str:
    url = (os.environ.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL).strip()
    return url if url.endswith("/") else url + "/"


class CoachSlackBot(SlackBot):
    """Posts the coach's messages as Block Kit through ``chat.postMessage``."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=slack_api_url())

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        payload = slack_message(message)
        if not payload["blocks"] and not payload["text"].strip():
            return
        try:
            await self._post_message(channel=self.slack_channel or recipient_id, **payload)
        except Exception:  # noqa: BLE001 - a failed post must not break the conversation
            logger.exception("could not post a coach message to Slack")

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


def display_name(user: Dict[str, Any]) -> str:
    """The name a tutor recognises: the real name, else the display name, else the handle."""
    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
    for name in (profile.get("real_name"), user.get("real_name"), profile.get("display_name"), user.get("name")):
        if isinstance(name, str) and name.strip():
            return name.strip()[:200]
    return ""


class SlackNames:
    """Slack user id -> name, from ``users.info``, asked once per user and kept in memory."""

    def __init__(self, token: Text, proxy: Optional[Text] = None) -> None:
        self.client = AsyncWebClient(token, proxy=proxy, base_url=slack_api_url(), timeout=int(LOOKUP_TIMEOUT_S))
        self.names: Dict[str, str] = {}
        self.failed_at: Dict[str, float] = {}
        self.pending: Dict[str, "asyncio.Future[str]"] = {}

    async def name(self, user_id: str) -> str:
        """The user's name, or the id itself when Slack cannot say (never raises).

        Messages that arrive while a user's look-up is under way wait for that same look-up.
        """
        if user_id in self.names:
            return self.names[user_id]
        failed = self.failed_at.get(user_id)
        if failed is not None and time.monotonic() - failed < RETRY_FAILED_LOOKUP_S:
            return user_id
        pending = self.pending.get(user_id)
        if pending is None:
            pending = self.pending[user_id] = asyncio.ensure_future(self._look_up(user_id))
            pending.add_done_callback(lambda _: self.pending.pop(user_id, None))
        return await asyncio.shield(pending)

    async def _look_up(self, user_id: str) -> str:
        try:
            reply = await asyncio.wait_for(self.client.users_info(user=user_id), LOOKUP_TIMEOUT_S)
            name = display_name(reply.get("user") or {})
        except Exception:  # noqa: BLE001 - a missing name must never cost the learner's message
            logger.warning("could not look up the Slack user %s; using the id as the name", user_id, exc_info=True)
            name = ""
        if not name:
            self.failed_at[user_id] = time.monotonic()
            return user_id
        if len(self.names) >= MAX_CACHED_NAMES:
            self.names.clear()
        self.names[user_id] = name
        self.failed_at.pop(user_id, None)
        return name


def slack_user_id(request: Request) -> str:
    """Who sent this Events API message or interactivity payload ("" when it says nobody)."""
    try:
        if request.headers.get("content-type") == "application/json":
            event = (request.json or {}).get("event") or {}
            return str(event.get("user") or "")
        if request.headers.get("content-type") == "application/x-www-form-urlencoded":
            payload = json.loads(request.form["payload"][0])
            return str((payload.get("user") or {}).get("id") or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""
    return ""


class CoachSlackInput(SlackInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names = SlackNames(self.slack_token, self.proxy)

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "CoachSlackInput":
        credentials = dict(credentials or {})
        if not credentials.get("slack_token"):
            raise ValueError("the Slack channel needs slack_token (SLACK_TOKEN)")
        if not credentials.get("slack_channel") and os.environ.get("SLACK_CHANNEL"):
            credentials["slack_channel"] = os.environ["SLACK_CHANNEL"]
        return super().from_credentials(credentials)  # type: ignore[return-value]

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return CoachSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)

    def get_metadata(self, request: Request) -> Dict[Text, Any]:
        metadata = super().get_metadata(request)
        user = slack_user_id(request)
        if user:
            metadata["slack_user"] = user[:200]
        return metadata

    async def with_learner(self, message: UserMessage) -> UserMessage:
        """The message with ``coach.learner`` {id, name} added to its metadata."""
        metadata = dict(message.metadata) if isinstance(message.metadata, dict) else {}
        user = str(metadata.get("slack_user") or message.sender_id or "")
        if not user:
            return message
        metadata["coach"] = {"learner": {"id": user, "name": await self.names.name(user)}}
        message.metadata = metadata
        return message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        apps: List[Any] = []

        async def guarded(message: UserMessage) -> None:
            # runs after Slack has had its quick 200, so the look-up never delays the acknowledgement
            await deliver(apps[0] if apps else None, on_new_message, await self.with_learner(message))

        blueprint = super().blueprint(guarded)

        @blueprint.middleware("request")
        async def verification(request: Request):
            if not apps:
                apps.append(request.app)
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            if request.headers.get("content-type") != "application/json":
                return None
            try:
                body = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return response.text("The body is not JSON.", status=400)
            if isinstance(body, dict) and body.get("type") == "url_verification":
                if not self.is_request_from_slack_authentic(request):
                    return response.text(
                        "Message is not properly signed with a valid X-Slack-Signature header", status=400
                    )
                return response.json({"challenge": body.get("challenge")})
            return None

        return blueprint
