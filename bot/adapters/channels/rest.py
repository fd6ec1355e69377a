"""Rasa's REST channel behind a bearer token.

The stock REST channel lets any client post as any ``sender``; this one answers
only callers holding the coach's API token (tools such as ``coach play`` and the
load benchmark). Learners use the web chat, Slack or Teams channels instead.
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request


class TokenRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TokenRestInput":
        token = str((credentials or {}).get("token") or "")
        if len(token) < 16:
            raise ValueError("the REST channel needs a token of at least 16 characters (COACH_API_TOKEN)")
        return cls(token)

    def __init__(self, token: Text) -> None:
        self.token = token

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def require_token(request: Request):
            supplied = request.headers.get("Authorization", "")
            if not hmac.compare_digest(supplied.encode(), f"Bearer {self.token}".encode()):
                return response.json({"error": "missing or wrong API token"}, status=401)
            return None

        return blueprint
