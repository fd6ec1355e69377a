"""One pair of real servers with the Slack and Teams channels on, talking to local stand-ins.

- ``platform``: one stand-in for Slack's Web API (``SLACK_API_URL``), the Bot Framework
  token endpoint (``TEAMS_TOKEN_URL``) and the Bot Connector (the activities' serviceUrl);
- ``teams_keys``: Microsoft's OpenID configuration and JWKS with a test RSA key
  (``TEAMS_OPENID_URL``). It is *not* listening when the servers start, so the first
  Teams test sees the key endpoint unreachable; it is started later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from typing import Any, Dict, Optional
from urllib.parse import urlencode

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.ops.servers import Servers, free_port
from tests.conftest import MODEL
from tests.support.standin import StandIn

SLACK_TOKEN = "xoxb-test-" + secrets.token_hex(8)
SLACK_SIGNING_SECRET = secrets.token_hex(16)
TEAMS_APP_ID = "0c0ac0ac-test-" + secrets.token_hex(4)
TEAMS_APP_PASSWORD = secrets.token_urlsafe(32)
CONNECTOR_TOKEN = "connector-" + secrets.token_hex(8)
ISSUER = "https://api.botframework.com"
NO_EXTRA_PROCESSES = {"dashboard_port": None} if "dashboard_port" in Servers.__dataclass_fields__ else {}


def _ok(record):
    return 200, {"ok": True, "channel": "D0", "ts": f"{time.time():.6f}"}


@pytest.fixture(scope="package")
def platform():
    stand_in = StandIn()
    stand_in.route("POST", "/api/", _ok)
    stand_in.route(
        "POST",
        "/botframework/token",
        lambda r: (200, {"token_type": "Bearer", "expires_in": 3600, "access_token": CONNECTOR_TOKEN}),
    )
    stand_in.route("POST", "/teams/v3/conversations/", lambda r: (201, {"id": "reply-" + secrets.token_hex(4)}))
    stand_in.start()
    yield stand_in
    stand_in.stop()


class TeamsKeys:
    """The test's RSA signing key, and the OpenID/JWKS stand-in serving its public half."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-" + secrets.token_hex(4)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", endorsements=["msteams", "emulator"])
        self.stand_in = StandIn().reserve()
        self.stand_in.route(
            "GET",
            "/v1/.well-known/openidconfiguration",
            lambda r: (
                200,
                {
                    "issuer": ISSUER,
                    "jwks_uri": f"{self.stand_in.url}/v1/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                },
            ),
        )
        self.stand_in.route("GET", "/v1/keys", lambda r: (200, {"keys": [jwk]}))

    @property
    def openid_url(self) -> str:
        return f"{self.stand_in.url}/v1/.well-known/openidconfiguration"

    @property
    def running(self) -> bool:
        return self.stand_in.running

    def start(self) -> None:
        self.stand_in.start()

    def token(
        self, service_url: str, key=None, kid: Optional[str] = None, algorithm: str = "RS256", **overrides: Any
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": TEAMS_APP_ID,
            "iat": now - 5,
            "nbf": now - 5,
            "exp": now + 600,
            "serviceUrl": service_url,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        signing_key = key if key is not None else self.key
        return jwt.encode(claims, signing_key, algorithm=algorithm, headers={"kid": kid or self.kid})


@pytest.fixture(scope="package")
def teams_keys():
    keys = TeamsKeys()
    yield keys
    keys.stand_in.stop()


@pytest.fixture(scope="package")
def channel_servers(tmp_path_factory, platform, teams_keys):
    if not MODEL.is_file():
        pytest.fail("no trained model: run the tests with `make test`, which trains it first")
    env = {
        "SLACK_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
        "SLACK_API_URL": f"{platform.url}/api/",
        "TEAMS_APP_ID": TEAMS_APP_ID,
        "TEAMS_APP_PASSWORD": TEAMS_APP_PASSWORD,
        "TEAMS_OPENID_URL": teams_keys.openid_url,
        "TEAMS_TOKEN_URL": f"{platform.url}/botframework/token",
    }
    saved = {name: os.environ.get(name) for name in env}
    root = tmp_path_factory.mktemp("channel-servers")
    running = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        model=MODEL,
        tracker_db=root / "tracker.db",
        log_dir=root / "log",
        token=secrets.token_urlsafe(24),
        web_secret=secrets.token_urlsafe(32),
        **NO_EXTRA_PROCESSES,
    )
    os.environ.update(env)
    try:
        running.start()  # the child processes copy the environment at start
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert not any("slack" in note.lower() or "teams" in note.lower() for note in running.channel_notes), (
        running.channel_notes
    )
    yield running
    running.stop()


# -- Slack requests --------------------------------------------------------------------------------
def slack_signature(body: bytes, timestamp: str, secret: str = SLACK_SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_post(
    servers: Servers,
    body: bytes,
    content_type: str,
    secret: str = SLACK_SIGNING_SECRET,
    timestamp: Optional[str] = None,
    signature: Optional[str] = None,
) -> requests.Response:
    timestamp = timestamp or str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature or slack_signature(body, timestamp, secret),
    }
    return requests.post(f"{servers.url}/webhooks/slack/webhook", data=body, headers=headers, timeout=30)


def slack_event(user: str, channel: str, text: str) -> Dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": "T0TEST",
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(6),
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "U0COACHBOT", "is_bot": True}],
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        },
    }


def slack_message(servers: Servers, user: str, channel: str, text: str) -> requests.Response:
    return slack_post(servers, json.dumps(slack_event(user, channel, text)).encode(), "application/json")


def slack_click(servers: Servers, user: str, channel: str, action: Dict[str, Any]) -> requests.Response:
    """An interactivity request: the learner used a button or menu on one of the coach's messages."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "name": "learner"},
        "channel": {"id": channel},
        "message": {"ts": f"{time.time():.6f}"},
        "actions": [action],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return slack_post(servers, body, "application/x-www-form-urlencoded")
