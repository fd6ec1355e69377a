"""Microsoft Teams through the Bot Framework, without needing Microsoft at start-up.

``bot.adapters.channels.teams.TeamsInput`` in credentials.yml; the messaging endpoint is
``/webhooks/teams/api/messages`` (``/webhooks/teams/webhook`` also works).

Rasa's own ``botframework`` channel downloads Microsoft's signing keys in its
constructor, so ``rasa run`` exits when that download fails (offline, firewall).
Here the OpenID configuration and its JWKS are fetched lazily, on the first
request, cached for a day, and refetched with exponential back-off after a
failure (1 s, 2 s, 4 s ... up to 5 minutes). Until keys are available a request
cannot be verified and is answered 401; the server never crashes over it.

Every request must carry ``Authorization: Bearer <JWT>``: RS256, signed by a key
from the JWKS (whose ``endorsements``, when present, must include the activity's
``channelId``), issuer ``https://api.botframework.com`` (or the OpenID
configuration's ``issuer``), audience the bot's app id, not expired (5 minutes'
clock skew), and a ``serviceUrl`` claim equal to the activity's ``serviceUrl``.

Replies are POSTed to ``{serviceUrl}/v3/conversations/{id}/activities`` with a
bearer token obtained from the app id and password (client credentials), cached
until it expires. The scorecard is sent as an Adaptive Card.

Environment: ``TEAMS_OPENID_URL`` (default Microsoft's Bot Framework OpenID
configuration) and ``TEAMS_TOKEN_URL`` (default Microsoft's token endpoint),
so tests and sovereign clouds can point them elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import quote

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from yarl import URL

from bot.adapters.channels.delivery import deliver
from bot.adapters.channels.formatting import teams_activity

logger = logging.getLogger(__name__)

DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
CONNECTOR_SCOPE = "https://api.botframework.com/.default"
CLOCK_SKEW = 300
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10, connect=5)
MAX_BODY_BYTES = 256 * 1024
_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.I | re.S)


class Unverified(Exception):
    """A request whose token cannot be verified (answered 401)."""


class SigningKeys:
    """Bot Framework token-signing keys: fetched on first use, cached, refetched with back-off."""

    def __init__(
        self, openid_url: str, refresh_after: float = 24 * 3600, first_retry: float = 1.0, max_retry: float = 300.0
    ) -> None:
        self.openid_url = openid_url
        self.refresh_after = refresh_after
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.keys: Dict[str, Dict[str, Any]] = {}
        self.issuer = BOT_FRAMEWORK_ISSUER
        self.algorithms = ["RS256"]
        self.fetched_at = 0.0
        self.failures = 0
        self.retry_at = 0.0
        self._lock: Optional[asyncio.Lock] = None

    async def _fetch(self) -> None:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            async with session.get(self.openid_url) as reply:
                reply.raise_for_status()
                config = await reply.json(content_type=None)
            jwks_uri = config["jwks_uri"]
            async with session.get(jwks_uri) as reply:
                reply.raise_for_status()
                jwks = await reply.json(content_type=None)
        keys = {k["kid"]: k for k in jwks["keys"] if isinstance(k, dict) and k.get("kid") and k.get("kty") == "RSA"}
        if not keys:
            raise ValueError("the JWKS has no RSA keys")
        self.keys = keys
        self.issuer = config.get("issuer") or BOT_FRAMEWORK_ISSUER
        algorithms = [a for a in config.get("id_token_signing_alg_values_supported") or ["RS256"] if a == "RS256"]
        self.algorithms = algorithms or ["RS256"]

    async def refresh(self) -> None:
        """Fetch the keys now, unless a recent failure says to wait (back-off)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            now = time.monotonic()
            if now < self.retry_at:
                return
            try:
                await self._fetch()
            except Exception as exc:  # noqa: BLE001 - offline, refused, bad JSON...: try again later
                self.failures += 1
                delay = min(self.max_retry, self.first_retry * 2 ** (self.failures - 1))
                self.retry_at = time.monotonic() + delay
                logger.warning(
                    "could not fetch the Bot Framework signing keys from %s (%s); retrying in %.0f s",
                    self.openid_url,
                    exc,
                    delay,
                )
                return
            self.failures = 0
            self.retry_at = 0.0
            self.fetched_at = time.monotonic()
            logger.info("fetched %d Bot Framework signing key(s)", len(self.keys))

    async def key(self, kid: str) -> Dict[str, Any]:
        now = time.monotonic()
        stale = not self.keys or now - self.fetched_at > self.refresh_after
        unknown = kid not in self.keys and now - self.fetched_at > 300  # keys roll over: look again, not often
        if stale or unknown:
            await self.refresh()
        if kid in self.keys:
            return self.keys[kid]
        if not self.keys:
            raise Unverified("the token-signing keys could not be fetched yet")
        raise Unverified("the token was signed with an unknown key")


class ConnectorToken:
    """The bot's own bearer token for the Bot Connector (client credentials), cached until it expires."""

    def __init__(self, app_id: str, app_password: str, token_url: str) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.token_url = token_url
        self.token: Optional[str] = None
        self.expires_at = 0.0
        self._lock: Optional[asyncio.Lock] = None

    async def get(self) -> str:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.token and time.monotonic() < self.expires_at:
                return self.token
            form = {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self.app_password,
                "scope": CONNECTOR_SCOPE,
            }
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                async with session.post(self.token_url, data=form) as reply:
                    reply.raise_for_status()
                    data = await reply.json(content_type=None)
            self.token = str(data["access_token"])
            self.expires_at = time.monotonic() + max(0, int(data.get("expires_in", 3600)) - 60)
            return self.token


class TeamsOutput(OutputChannel):
    """Replies into the activity's conversation through its Bot Connector (serviceUrl)."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def __init__(self, token: ConnectorToken, activity: Dict[str, Any]) -> None:
        self.token = token
        self.activity = activity

    def reply(self, content: Dict[str, Any]) -> Dict[str, Any]:
        activity = self.activity
        reply = {
            "type": "message",
            "from": activity.get("recipient"),
            "recipient": activity.get("from"),
            "conversation": activity.get("conversation"),
            "channelId": activity.get("channelId"),
            "serviceUrl": activity.get("serviceUrl"),
        }
        if activity.get("id"):
            reply["replyToId"] = activity["id"]
        reply.update(content)
        return {k: v for k, v in reply.items() if v is not None}

    @property
    def url(self) -> str:
        conversation = quote(str(self.activity["conversation"]["id"]), safe="")
        return f"{str(self.activity['serviceUrl']).rstrip('/')}/v3/conversations/{conversation}/activities"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        content = teams_activity(message)
        if not content.get("text") and not content.get("attachments"):
            return
        try:
            token = await self.token.get()
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                # the conversation id is percent-encoded here, as the Bot Framework SDKs do: keep it so
                async with session.post(
                    URL(self.url, encoded=True), json=self.reply(content), headers={"Authorization": f"Bearer {token}"}
                ) as posted:
                    if posted.status >= 300:
                        logger.error(
                            "the Bot Connector refused a reply: HTTP %s %s", posted.status, (await posted.text())[:300]
                        )
        except Exception:  # noqa: BLE001 - a failed reply must not break the conversation
            logger.exception("could not send a reply to Teams")

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class TeamsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TeamsInput":
        credentials = credentials or {}
        app_id, password = str(credentials.get("app_id") or ""), str(credentials.get("app_password") or "")
        if not app_id or not password:
            raise ValueError("the Teams channel needs app_id (TEAMS_APP_ID) and app_password (TEAMS_APP_PASSWORD)")
        return cls(app_id, password, credentials.get("openid_url"), credentials.get("token_url"))

    def __init__(
        self, app_id: Text, app_password: Text, openid_url: Optional[Text] = None, token_url: Optional[Text] = None
    ) -> None:
        # nothing is fetched here: Rasa must start even when Microsoft cannot be reached
        self.app_id = app_id
        self.keys = SigningKeys(openid_url or os.environ.get("TEAMS_OPENID_URL") or DEFAULT_OPENID_URL)
        self.connector_token = ConnectorToken(
            app_id, app_password, token_url or os.environ.get("TEAMS_TOKEN_URL") or DEFAULT_TOKEN_URL
        )

    async def verify(self, authorization: Optional[str]) -> Dict[str, Any]:
        """The claims of a valid Bot Framework token, or raise :class:`Unverified`."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unverified("no bearer token")
        token = authorization[len("Bearer ") :].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unverified("the token is not a JWT")
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise Unverified("the token must be RS256 with a key id")
        jwk = await self.keys.key(header["kid"])
        if "RS256" not in self.keys.algorithms:
            raise Unverified("RS256 is not an allowed algorithm")
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            claims = jwt.decode(
                token,
                key=public_key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.keys.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unverified(f"the token is not valid: {exc}")
        claims["_endorsements"] = jwk.get("endorsements")
        return claims

    @staticmethod
    def message_text(activity: Dict[str, Any]) -> str:
        text = activity.get("text")
        if not isinstance(text, str):
            value = activity.get("value")  # an Adaptive Card submit without imBack
            text = value.get("text") if isinstance(value, dict) and isinstance(value.get("text"), str) else ""
        return _MENTION.sub(" ", text).strip()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        teams = Blueprint("coach_teams", __name__)

        @teams.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def messages(request: Request) -> HTTPResponse:
            try:
                claims = await self.verify(request.headers.get("Authorization"))
            except Unverified as exc:
                logger.warning("refused a Teams request: %s", exc)
                return response.json({"error": f"unauthorized: {exc}"}, status=401)
            except Exception:  # noqa: BLE001 - never crash over a request
                logger.exception("could not verify a Teams request")
                return response.json({"error": "unauthorized: the token could not be verified"}, status=401)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "the activity is too large"}, status=413)
            try:
                activity = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                activity = None
            if not isinstance(activity, dict) or not isinstance(activity.get("serviceUrl"), str):
                return response.json({"error": "the body must be a Bot Framework activity"}, status=400)
            if str(claims.get("serviceUrl", "")).rstrip("/") != activity["serviceUrl"].rstrip("/"):
                return response.json({"error": "unauthorized: serviceUrl does not match the token"}, status=401)
            endorsements = claims.get("_endorsements")
            if isinstance(endorsements, list) and activity.get("channelId") not in endorsements:
                return response.json({"error": "unauthorized: the key is not endorsed for this channel"}, status=401)
            if activity.get("type") != "message":
                return response.text("", status=200)  # conversationUpdate, typing...: nothing to answer
            sender = activity.get("from") or {}
            conversation = activity.get("conversation") or {}
            if (
                not isinstance(sender, dict)
                or not sender.get("id")
                or not isinstance(conversation, dict)
                or not conversation.get("id")
            ):
                return response.json({"error": "the activity has no from.id or conversation.id"}, status=400)
            learner = {
                "id": str(sender.get("aadObjectId") or sender["id"])[:200],
                "name": str(sender.get("name") or "")[:200],
            }
            message = UserMessage(
                self.message_text(activity),
                TeamsOutput(self.connector_token, activity),
                "teams-" + str(sender["id"]),
                input_channel=self.name(),
                metadata={"coach": {"learner": learner}},
            )
            try:
                await deliver(request.app, on_new_message, message)
            except Exception:  # noqa: BLE001
                logger.exception("could not handle a Teams message")
            return response.text("", status=200)

        teams.add_route(messages, "/api/messages", methods=["POST"], name="messages")
        teams.add_route(messages, "/webhook", methods=["POST"], name="webhook")
        return teams
