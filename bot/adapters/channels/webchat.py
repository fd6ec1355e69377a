"""The learner's web chat page, served by the Rasa server itself.

The page (``bot/adapters/channels/web/``) lives at ``/webhooks/webchat/``; its JSON API sits beside it:

``GET  api/conversation``  the learner's own transcript, rebuilt from the tracker store,
                           with the picker's menu, the current state and a CSRF token.
                           A first visit gets a new conversation (and its cookie).
``POST api/session``       a new, empty conversation (a fresh cookie).
``POST api/start``         start a scenario: ``{scenario, persona, difficulty, mode, name, cohort}``
                           (``name`` 1-80 characters, ``cohort`` 0-40; they reach the
                           session as ``coach.learner`` metadata).
``POST api/message``       send one learner message: ``{text}``.

A conversation belongs to whoever holds its cookie. The server makes the id (192
random bits) and signs it with ``COACH_WEB_SECRET``; the cookie is HttpOnly and
SameSite, so page scripts never see it and other sites' pages do not send it. A
cookie whose signature does not match is refused (401). Every POST must carry the
conversation's CSRF token (an HMAC of its id, handed out only to same-origin
readers of ``api/conversation``) and, when the browser sends one, an ``Origin``
of this server (or one listed in ``COACH_WEB_ORIGINS``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import unicodedata
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple
from urllib.parse import urlsplit

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.channels.delivery import handle_message
from bot.domain.assessment.rubrics import vocabulary
from bot.domain.scenarios import default_library
from bot.domain.session.session import Session
from bot.settings import settings

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"
COOKIE_NAME = "coach_chat"
CONVERSATION_PREFIX = "web-"
COOKIE_MAX_AGE = 30 * 24 * 3600  # a learner can come back to a conversation for 30 days
MAX_TEXT_CHARS = 10_000  # the coach itself uses the first 5,000 and says so
MAX_BODY_BYTES = 64 * 1024
CSRF_HEADER = "X-Coach-CSRF"
MODES = ("practice", "assessment")
MAX_NAME_CHARS = 80
MAX_COHORT_CHARS = 40
# text-direction overrides would let a name reorder what a tutor reads beside it
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

ASSETS = {
    "app.js": "application/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "embed.js": "application/javascript; charset=utf-8",
}
STATE_KEYS = ("phase", "attempt", "scenario", "persona", "difficulty", "mode", "outcome", "mood", "turns")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def web_message(message: Dict[str, Any]) -> Dict[str, Any]:
    """A bot message as the page reads it (from the output channel or a tracker ``bot`` event)."""
    out: Dict[str, Any] = {"type": "bot", "text": message.get("text") or ""}
    if message.get("buttons"):
        out["buttons"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in message["buttons"]
            if isinstance(b, dict)
        ]
    custom = message.get("custom")
    if isinstance(custom, dict):
        custom = dict(custom)
        coach = custom.get("coach")
        if isinstance(coach, dict):
            # the detector's character offsets and message times are internal
            custom["coach"] = {k: v for k, v in coach.items() if k not in ("hits", "time")}
        out["custom"] = custom
    return out


def transcript_from_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What the learner saw, rebuilt from tracker events (user and bot messages, in order)."""
    out: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            metadata = event.get("metadata") or {}
            coach = metadata.get("coach") if isinstance(metadata, dict) else None
            start = coach.get("start") if isinstance(coach, dict) else None
            if isinstance(start, dict):
                out.append(
                    {"type": "start", "start": {k: start.get(k) for k in ("scenario", "persona", "difficulty", "mode")}}
                )
            else:
                out.append({"type": "learner", "text": event.get("text") or ""})
        elif kind == "bot":
            data = event.get("data") or {}
            out.append(web_message(dict(data, text=event.get("text"))))
    return out


class WebChatInput(InputChannel):
    """The web chat channel: ``bot.adapters.channels.webchat.WebChatInput`` in credentials.yml."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        secret = str((credentials or {}).get("secret") or "")
        if len(secret) < 16:
            raise ValueError("the web chat channel needs a secret of at least 16 characters (COACH_WEB_SECRET)")
        return cls(secret)

    def __init__(self, secret: Text) -> None:
        self.secret = secret.encode("utf-8")
        config = settings()
        self.allowed_origins = {
            o.strip().rstrip("/").lower() for o in config.web_origins.replace(",", " ").split() if o.strip()
        }
        self.same_site = config.web_cookie_samesite.strip().capitalize()
        if self.same_site not in ("Strict", "Lax", "None"):
            raise ValueError("COACH_WEB_COOKIE_SAMESITE must be Strict, Lax or None")
        self.frame_ancestors = config.web_frame_ancestors.strip() or "*"
        self._menu: Optional[Dict[str, Any]] = None
        self._labels: Optional[Dict[str, Any]] = None

    # -- signing -------------------------------------------------------------
    def _mac(self, purpose: str, value: str) -> str:
        return _b64(hmac.new(self.secret, f"{purpose}|{value}".encode("utf-8"), hashlib.sha256).digest())

    def cookie_value(self, conversation: str) -> str:
        return f"{conversation}.{self._mac('conversation', conversation)}"

    def conversation_from_cookie(self, value: Optional[str]) -> Optional[str]:
        """The conversation id in a correctly signed cookie, else None."""
        if not value or value.count(".") != 1 or len(value) > 200:
            return None
        conversation, signature = value.split(".")
        if len(conversation) < 22 or not hmac.compare_digest(signature, self._mac("conversation", conversation)):
            return None
        return conversation

    def csrf_token(self, conversation: str) -> str:
        return self._mac("csrf", conversation)

    @staticmethod
    def new_conversation() -> str:
        return secrets.token_urlsafe(24)  # 192 random bits

    # -- course data for the picker ---------------------------------------------
    def menu(self) -> Dict[str, Any]:
        """The picker's menu payload: the same one the coach sends in chat (``Session.menu_output``)."""
        if self._menu is None:
            library = default_library()
            output = Session("menu", library).menu_output(first=True)
            menu = output.custom["menu"]
            # the persona a scenario uses when the learner leaves "the scenario's usual customer"
            for scenario in menu["scenarios"]:
                scenario["usual_persona"] = library.practice(scenario["id"]).default_persona
            self._menu = {"text": output.text, "menu": menu}
        return self._menu

    def labels(self) -> Dict[str, Any]:
        """Display names of the models and their steps, for drawing the scorecard."""
        if self._labels is None:
            try:
                self._labels = vocabulary().model_labels()
            except Exception:  # noqa: BLE001 - the page falls back to the ids
                logger.exception("could not read the rubric names")
                self._labels = {}
        return self._labels

    # -- request checks ------------------------------------------------------------
    @staticmethod
    def _is_https(request: Request) -> bool:
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return forwarded == "https" or request.scheme == "https"

    def _origin_allowed(self, request: Request, required: bool) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            fetch_site = request.headers.get("Sec-Fetch-Site")
            if fetch_site is not None:
                return fetch_site in ("same-origin", "none")
            return not required
        origin = origin.strip().rstrip("/").lower()
        if origin in self.allowed_origins:
            return True
        host = (request.headers.get("X-Forwarded-Host") or request.headers.get("Host") or "").split(",")[0]
        return bool(host) and urlsplit(origin).netloc == host.strip().lower()

    def _session_cookie(self, request: Request, conversation: str) -> str:
        parts = [
            f"{COOKIE_NAME}={self.cookie_value(conversation)}",
            "Path=/webhooks/webchat/",
            f"Max-Age={COOKIE_MAX_AGE}",
            "HttpOnly",
        ]
        secure = self._is_https(request)
        if self.same_site == "None":
            if secure:  # a cross-site embed over HTTPS: a partitioned (CHIPS) cookie
                parts += ["SameSite=None", "Secure", "Partitioned"]
            else:  # browsers drop SameSite=None without Secure: fall back to Lax
                parts.append("SameSite=Lax")
        else:
            parts.append(f"SameSite={self.same_site}")
            if secure:
                parts.append("Secure")
        return "; ".join(parts)

    def _headers(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        headers = {
            "Content-Security-Policy": (
                "default-src 'none'; script-src 'self'; style-src 'self'; "
                "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                f"form-action 'self'; frame-ancestors {self.frame_ancestors}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        }
        headers.update(extra or {})
        return headers

    def _json(self, body: Dict[str, Any], status: int = 200, cookie: Optional[str] = None) -> HTTPResponse:
        headers = self._headers({"Set-Cookie": cookie} if cookie else None)
        return response.json(body, status=status, headers=headers)

    def _error(self, status: int, code: str, message: str) -> HTTPResponse:
        return self._json({"error": message, "code": code}, status=status)

    def _check_post(self, request: Request) -> Tuple[Optional[str], Optional[HTTPResponse]]:
        """The conversation of an authentic same-site POST, or the response refusing it."""
        if not self._origin_allowed(request, required=False):
            return None, self._error(403, "cross_site", "Requests from other sites are not accepted.")
        cookie = request.cookies.get(COOKIE_NAME)
        conversation = self.conversation_from_cookie(cookie)
        if conversation is None:
            code = "bad_session" if cookie else "no_session"
            return None, self._error(
                401, code, "This chat session is not valid. Reload the page to start a new conversation."
            )
        supplied = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(supplied.encode("utf-8", "replace"), self.csrf_token(conversation).encode()):
            return None, self._error(
                403, "bad_csrf", "This request is missing its security token. Reload the page and try again."
            )
        if len(request.body or b"") > MAX_BODY_BYTES:
            return None, self._error(413, "too_large", "That request is too large.")
        return conversation, None

    @staticmethod
    def _body(request: Request) -> Optional[Dict[str, Any]]:
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    # -- conversation state ------------------------------------------------------------
    @staticmethod
    def sender(conversation: str) -> str:
        return CONVERSATION_PREFIX + conversation

    async def _tracker(self, request: Request, conversation: str):
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            raise RuntimeError("the assistant is not loaded yet")
        return await agent.tracker_store.retrieve_full_tracker(self.sender(conversation))

    async def _snapshot(self, request: Request, conversation: str) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
        tracker = await self._tracker(request, conversation)
        if tracker is None:
            return [], {"phase": "menu"}
        events = [e.as_dict() for e in tracker.events]
        state = tracker.get_slot("coach_state")
        state = {k: state.get(k) for k in STATE_KEYS if k in state} if isinstance(state, dict) else {}
        state.setdefault("phase", "menu")
        return transcript_from_events(events), state

    async def _conversation_body(self, request: Request, conversation: str) -> Dict[str, Any]:
        transcript, state = await self._snapshot(request, conversation)
        return {
            "transcript": transcript,
            "state": state,
            "menu": self.menu(),
            "labels": self.labels(),
            "csrf": self.csrf_token(conversation),
        }

    async def _send(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        conversation: str,
        text: str,
        metadata: Optional[Dict[str, Any]] = None,
    ) -> HTTPResponse:
        message = UserMessage(
            text, CollectingOutputChannel(), self.sender(conversation), input_channel=self.name(), metadata=metadata
        )
        try:
            replies = await handle_message(request.app, on_new_message, message)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - reported to the learner as one clear line
            logger.exception("the web chat could not handle a message")
            return self._error(502, "coach_error", "The coach could not answer just now. Please try again.")
        if not replies:
            return self._error(502, "no_reply", "The coach did not answer just now. Please try again.")
        messages = [web_message(reply) for reply in replies]
        _, state = await self._snapshot(request, conversation)
        return self._json({"messages": messages, "state": state})

    # -- routes --------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("coach_webchat", __name__)

        @webchat.exception(Exception)
        async def failed(request: Request, exc: Exception) -> HTTPResponse:
            status = getattr(exc, "status_code", 500)
            if isinstance(status, int) and 400 <= status < 500:  # Sanic's own: not found, bad method...
                return self._error(status, "bad_request", str(exc) or "That request is not understood here.")
            logger.exception("the web chat failed on %s", request.path, exc_info=exc)
            return self._error(
                503,
                "unavailable",
                "The coach could not do that just now (its conversation store "
                "may be unavailable). Please try again in a moment.",
            )

        @webchat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                return response.redirect(request.path + "/", headers=self._headers())
            html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
            return response.html(html, headers=self._headers({"Cache-Control": "no-cache"}))

        @webchat.route("/<asset:str>", methods=["GET"])
        async def static(request: Request, asset: str) -> HTTPResponse:
            if not asset:
                return await page(request)
            if asset not in ASSETS:
                return response.text("Not found.", status=404, headers=self._headers())
            body = (WEB_DIR / asset).read_bytes()
            extra = {"Cache-Control": "no-cache"}
            if asset == "embed.js":  # loaded by other (intranet, LMS) pages
                extra["Cross-Origin-Resource-Policy"] = "cross-origin"
            return response.raw(body, content_type=ASSETS[asset], headers=self._headers(extra))

        @webchat.route("/api/conversation", methods=["GET"])
        async def conversation(request: Request) -> HTTPResponse:
            cookie = request.cookies.get(COOKIE_NAME)
            if cookie:
                current = self.conversation_from_cookie(cookie)
                if current is None:
                    return self._error(
                        401,
                        "bad_session",
                        "This chat session is not valid (its signature does "
                        "not match), so it cannot be shown. Start a new "
                        "conversation.",
                    )
                return self._json(await self._conversation_body(request, current))
            fresh = self.new_conversation()
            body = await self._conversation_body(request, fresh)
            return self._json(body, cookie=self._session_cookie(request, fresh))

        @webchat.route("/api/session", methods=["POST"])
        async def new_session(request: Request) -> HTTPResponse:
            if not self._origin_allowed(request, required=True):
                return self._error(403, "cross_site", "Requests from other sites are not accepted.")
            fresh = self.new_conversation()
            body = await self._conversation_body(request, fresh)
            return self._json(body, cookie=self._session_cookie(request, fresh))

        @webchat.route("/api/start", methods=["POST"])
        async def start(request: Request) -> HTTPResponse:
            conversation, refused = self._check_post(request)
            if refused:
                return refused
            body = self._body(request)
            if body is None:
                return self._error(
                    400, "bad_request", "Send a JSON object with scenario, persona, difficulty and mode."
                )
            choice, problem = self.validate_start(body)
            if problem:
                return self._error(400, "bad_choice", problem)
            _, state = await self._snapshot(request, conversation)
            if state.get("phase") != "menu":
                return self._error(
                    409, "not_in_menu", "A practice is already under way. Use Restart to choose another scenario."
                )
            learner, problem = validate_learner(body)
            if problem:
                return self._error(400, "bad_learner", problem)
            learner = {"id": self.sender(conversation), **learner}
            metadata = {"coach": {"start": choice, "learner": learner}}
            return await self._send(request, on_new_message, conversation, "start", metadata)

        @webchat.route("/api/message", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            conversation, refused = self._check_post(request)
            if refused:
                return refused
            body = self._body(request)
            text = body.get("text") if body else None
            if not isinstance(text, str):
                return self._error(400, "bad_request", 'Send a JSON object with the message as "text".')
            text = text.strip()
            if not text:
                return self._error(400, "empty", "Type a message first.")
            if len(text) > MAX_TEXT_CHARS:
                return self._error(
                    400, "too_long", f"That message is too long: at most {MAX_TEXT_CHARS:,} characters, please."
                )
            metadata = None
            if "name" in body:  # a choice typed in the menu starts a practice too: it carries the name as well
                learner, problem = validate_learner(body)
                if problem:
                    return self._error(400, "bad_learner", problem)
                metadata = {"coach": {"learner": {"id": self.sender(conversation), **learner}}}
            return await self._send(request, on_new_message, conversation, text, metadata)

        return webchat

    def validate_start(self, body: Dict[str, Any]) -> Tuple[Dict[str, Any], Optional[str]]:
        """The scenario choice from the picker, or a clear problem with it."""
        menu = self.menu()["menu"]
        scenarios = [s["id"] for s in menu["scenarios"]]
        choice: Dict[str, Any] = {}
        for key, known, default in (
            ("scenario", scenarios, None),
            ("persona", menu["personas"], ""),
            ("difficulty", menu["difficulties"], "standard"),
        ):
            value = body.get(key, default)
            value = default if value is None else value
            if not isinstance(value, str) or (
                value not in known and value != "random" and not (value == "" and default == "")
            ):
                allowed = ", ".join(list(known) + ["random"])
                return {}, f"Unknown {key} {str(value)[:40]!r}: choose one of {allowed}."
            if value:
                choice[key] = value
        mode = body.get("mode") or "practice"
        if mode not in MODES:
            return {}, "Unknown mode: choose practice or assessment."
        choice["mode"] = mode
        return choice, None


def _text_field(body: Dict[str, Any], key: str, label: str, most: int, required: bool) -> Tuple[str, Optional[str]]:
    """One trimmed text field of the start request, or a problem with it that the learner can fix."""
    value = body.get(key)
    value = "" if value is None else value
    if not isinstance(value, str):
        return "", f"Your {label} must be text."
    value = value.strip()
    if required and not value:
        return "", f"Type your {label} first (1 to {most} characters)."
    if len(value) > most:
        return "", f"Your {label} is too long: at most {most} characters, please."
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in BIDI_CONTROLS for ch in value):
        return "", f"Your {label} contains characters that cannot be shown: use letters, digits and punctuation."
    return value, None


def validate_learner(body: Dict[str, Any]) -> Tuple[Dict[str, str], Optional[str]]:
    """The learner's name (required) and cohort or course code (optional) from the start request."""
    name, problem = _text_field(body, "name", "name", MAX_NAME_CHARS, required=True)
    if problem:
        return {}, problem
    cohort, problem = _text_field(body, "cohort", "cohort or course code", MAX_COHORT_CHARS, required=False)
    if problem:
        return {}, problem
    return {"name": name, "cohort": cohort}, None
