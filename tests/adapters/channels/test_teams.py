"""Microsoft Teams (Bot Framework): activities with tokens signed by a test key, posted to the real server.

The first test runs while the OpenID/JWKS stand-in is still down (the servers were
started that way), so keep it first in this file.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Dict, List, Optional
from urllib.parse import quote, unquote

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.adapters.channels.conftest import CONNECTOR_TOKEN, TEAMS_APP_ID, TEAMS_APP_PASSWORD
from tests.support.scripts import GOOD_SCRIPT
from tests.support.standin import Recorded

ADAPTIVE = "application/vnd.microsoft.card.adaptive"


class Learner:
    def __init__(self, platform) -> None:
        self.user = {"id": "29:" + secrets.token_hex(8), "name": "Pat Learner", "aadObjectId": secrets.token_hex(8)}
        self.conversation = {"id": "a:" + secrets.token_hex(10) + ";messageid=1", "conversationType": "personal"}
        self.service_url = f"{platform.url}/teams/"
        self.bot = {"id": "28:" + TEAMS_APP_ID, "name": "Complaint coach"}

    def activity(self, text: str, **extra: Any) -> Dict[str, Any]:
        activity = {
            "type": "message",
            "id": "act-" + secrets.token_hex(4),
            "timestamp": "2024-05-01T10:00:00Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": self.user,
            "conversation": self.conversation,
            "recipient": self.bot,
            "text": text,
            "textFormat": "plain",
        }
        activity.update(extra)
        return activity

    @property
    def activities_path(self) -> str:
        return f"/teams/v3/conversations/{quote(self.conversation['id'], safe='')}/activities"

    def replies(self, platform) -> List[Recorded]:
        return platform.matching(lambda r: r.method == "POST" and r.path == self.activities_path)


def post(servers, activity: Dict[str, Any], token: Optional[str], path: str = "api/messages") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.post(f"{servers.url}/webhooks/teams/{path}", json=activity, headers=headers, timeout=60)


def say(servers, platform, teams_keys, learner: Learner, text: str) -> List[Dict[str, Any]]:
    before = len(learner.replies(platform))
    answered = post(servers, learner.activity(text), teams_keys.token(learner.service_url))
    assert answered.status_code == 200, answered.text
    return [r.json() for r in learner.replies(platform)[before:]]  # replies are sent before the 200


def test_server_starts_and_answers_401_while_the_key_endpoint_is_unreachable(channel_servers, teams_keys, platform):
    assert not teams_keys.running, "run this test first: the key stand-in must still be down"
    learner = Learner(platform)
    token = teams_keys.token(learner.service_url)
    for _ in range(2):
        refused = post(channel_servers, learner.activity("hello"), token)
        assert refused.status_code == 401
        assert "could not be fetched" in refused.json()["error"]
    assert all(p.poll() is None for p in channel_servers.processes)  # nothing crashed
    assert requests.get(channel_servers.url + "/", timeout=10).text.startswith("Hello from Rasa")
    assert learner.replies(platform) == []

    # once Microsoft (here: the stand-in) answers, the channel's back-off retry fetches the keys
    teams_keys.start()
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        status = post(channel_servers, learner.activity("hello"), teams_keys.token(learner.service_url)).status_code
        if status == 200:
            break
        time.sleep(0.5)
    assert status == 200
    assert learner.replies(platform), "the accepted message got no reply"


def test_a_valid_activity_gets_the_customers_reply(channel_servers, teams_keys, platform):
    teams_keys.start()
    learner = Learner(platform)
    replies = say(channel_servers, platform, teams_keys, learner, "late delivery angry standard")
    assert len(replies) == 2
    setup, opening = replies
    assert setup["text"].startswith("Coach: Scenario: Late delivery")
    buttons = setup["attachments"][0]
    assert buttons["contentType"] == "application/vnd.microsoft.card.hero"
    assert [b["value"] for b in buttons["content"]["buttons"]] == ["check history", "hint", "end", "restart"]
    assert all(b["type"] == "imBack" for b in buttons["content"]["buttons"])
    assert opening["type"] == "message" and opening["textFormat"] == "plain" and opening["text"]
    assert [a["value"] for a in opening["suggestedActions"]["actions"]] == [
        "check history",
        "hint",
        "end",
        "restart",
        "help",
    ]
    assert opening["from"] == learner.bot and opening["recipient"] == learner.user
    assert opening["conversation"] == learner.conversation and opening["replyToId"].startswith("act-")
    assert "custom" not in opening and "coach" not in opening

    # replies went to the activity's serviceUrl with the bot's own token from the app credentials
    sent = learner.replies(platform)
    assert all(r.headers.get("Authorization") == f"Bearer {CONNECTOR_TOKEN}" for r in sent)
    token_requests = platform.matching(lambda r: r.path == "/botframework/token")
    assert token_requests
    form = token_requests[0].form()
    assert form["client_id"] == TEAMS_APP_ID and form["client_secret"] == TEAMS_APP_PASSWORD
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "https://api.botframework.com/.default"

    customer = say(channel_servers, platform, teams_keys, learner, GOOD_SCRIPT[0])
    assert len(customer) == 1 and customer[0]["text"] and "suggestedActions" in customer[0]
    # a mention of the bot (in a channel) is not part of what the learner said
    mentioned = say(channel_servers, platform, teams_keys, learner, "<at>Complaint coach</at> help")
    assert mentioned[0]["text"].startswith("Coach: Tools you can type")


def test_the_scorecard_arrives_as_an_adaptive_card(channel_servers, teams_keys, platform):
    teams_keys.start()
    learner = Learner(platform)
    say(channel_servers, platform, teams_keys, learner, "late delivery angry standard")
    for line in GOOD_SCRIPT[:-1]:
        say(channel_servers, platform, teams_keys, learner, line)
    card_reply, reflection = say(channel_servers, platform, teams_keys, learner, "end")
    attachment = card_reply["attachments"][0]
    assert attachment["contentType"] == ADAPTIVE
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == "Scorecard: Late delivery"
    facts = {f["title"]: f["value"] for f in card["body"][1]["facts"]}
    assert facts["Overall"].endswith("/100") and "Outcome" in facts
    model_facts = next(b for b in card["body"][2:] if b["type"] == "FactSet")["facts"]
    assert [f["title"] for f in model_facts] == ["HEAT", "LATER", "AAA", "LURC", "RATER", "CYCLE", "SOLVE"]
    runs = [i["text"] for b in card["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]]
    assert any(t.startswith("“") and any(t.strip("“”") in line for line in GOOD_SCRIPT) for t in runs)
    texts = [b.get("text") for b in card["body"] if b["type"] == "TextBlock"]
    assert "What went well" in texts and "Customer's mood over the turns (0 calm, 10 furious)" in texts
    assert "what would stop it happening again" in reflection["text"]


def test_requests_that_cannot_be_verified_get_401_and_no_reply(channel_servers, teams_keys, platform):
    teams_keys.start()
    learner = Learner(platform)
    url = learner.service_url
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    bad_tokens = {
        "no token": None,
        "not a JWT": "not-a-jwt",
        "signed by another key": teams_keys.token(url, key=other_key),
        "unknown key id": teams_keys.token(url, kid="someone-elses-key"),
        "expired": teams_keys.token(url, exp=now - 900, iat=now - 1800, nbf=now - 1800),
        "not yet valid": teams_keys.token(url, nbf=now + 900),
        "for another bot": teams_keys.token(url, aud="another-app-id"),
        "another issuer": teams_keys.token(url, iss="https://evil.example"),
        "another serviceUrl": teams_keys.token("https://evil.example/teams/"),
        "no expiry": teams_keys.token(url, exp=None),
        "HS256 with the password": jwt.encode(
            {"iss": "https://api.botframework.com", "aud": TEAMS_APP_ID, "exp": now + 600, "serviceUrl": url},
            TEAMS_APP_PASSWORD,
            algorithm="HS256",
            headers={"kid": teams_keys.kid},
        ),
        "alg none": jwt.encode(
            {"iss": "https://api.botframework.com", "aud": TEAMS_APP_ID, "exp": now + 600, "serviceUrl": url},
            None,
            algorithm="none",
            headers={"kid": teams_keys.kid},
        ),
    }
    for name, token in bad_tokens.items():
        refused = post(channel_servers, learner.activity("late delivery angry standard"), token)
        assert refused.status_code == 401, name
    # the same valid token does not pass on a channel its key is not endorsed for
    endorsed = post(channel_servers, learner.activity("hi", channelId="slack"), teams_keys.token(url))
    assert endorsed.status_code == 401
    assert post(channel_servers, learner.activity("hi"), bad_tokens["expired"], path="webhook").status_code == 401
    assert learner.replies(platform) == []
    assert all(p.poll() is None for p in channel_servers.processes)
    ok = post(channel_servers, learner.activity("hi"), teams_keys.token(url))
    assert ok.status_code == 200 and unquote(learner.activities_path).endswith("/activities")
