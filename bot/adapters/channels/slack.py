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
- messages go through the same all-or-nothing guard as the REST channel.
"""

from __future__ import annotations

import json
import logging
import os
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


class CoachSlackInput(SlackInput):
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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        apps: List[Any] = []

        async def guarded(message: UserMessage) -> None:
            await deliver(apps[0] if apps else None, on_new_message, message)

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
