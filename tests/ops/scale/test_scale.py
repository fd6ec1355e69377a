"""Two Rasa replicas on one PostgreSQL tracker store and one Redis lock store, behind nginx.

Conversations whose turns alternate between the replicas (directly, and round-robin through
nginx) must lose nothing and reorder nothing: the replies' turn numbers run 1, 2, 3... and
the tracker in PostgreSQL holds every message once, in order, and re-scores to the live
scorecard. Opt-in: `make test-scale`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple

import pytest

from bot.domain.scenarios import default_library
from bot.ops.play import rescore
from tests.conftest import MODEL
from tests.support.http import LINES, SETUP

SCRIPT = LINES + [
    "You'll get a dispatch email within the hour and they'll arrive tomorrow by 6pm. Does that work for you?",
    "notes: order BM-48213 late; sent express replacement, arriving tomorrow; customer satisfied",
    "end",
]


@pytest.fixture(scope="module")
def cluster():
    from bot.ops.deploy.cluster import Cluster

    if not MODEL.is_file():
        pytest.fail("no trained model: run `make test-scale`, which trains it first")
    running = Cluster(MODEL, replicas=2)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        running.remove()


def post(
    base: str, token: str, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None, timeout: float = 120
) -> Tuple[int, Any]:
    body = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    request = urllib.request.Request(
        base + "/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def turns(replies: List[dict]) -> List[int]:
    return [
        r["custom"]["coach"]["turn"]
        for r in replies
        if r.get("custom", {}).get("coach", {}).get("speaker") == "customer" and "turn" in r["custom"]["coach"]
    ]


def stored(cluster, sender: str) -> List[dict]:
    rows = cluster.sql(f"select data from events where sender_id = '{sender}' order by id")
    return [json.loads(row[0]) for row in rows]


def stored_texts(cluster, sender: str) -> List[str]:
    return [e["text"] for e in stored(cluster, sender) if e.get("event") == "user"]


def play(cluster, sender: str, bases: List[str], setup: Dict[str, Any] = SETUP) -> Dict[str, Any]:
    """Play SCRIPT, sending message n to bases[n % len(bases)]; returns the live scorecard."""
    status, replies = post(bases[0], cluster.token, sender, "start", {"coach": {"start": setup}})
    assert status == 200 and turns(replies) == [0], replies
    expected, card = 1, None
    for number, line in enumerate(SCRIPT, start=1):
        status, replies = post(bases[number % len(bases)], cluster.token, sender, line)
        assert status == 200, replies
        assert all(r["recipient_id"] == sender for r in replies)
        got = turns(replies)
        if got:
            assert got == [expected], (sender, line, got)
            expected += 1
        card = next((r["custom"]["scorecard"] for r in replies if "scorecard" in r.get("custom", {})), card)
    assert card is not None and card["scenario"] == setup["scenario"]
    return card


def check_stored(cluster, sender: str, card: Dict[str, Any]) -> None:
    assert stored_texts(cluster, sender) == ["start"] + SCRIPT  # every turn, once, in order
    export = {"sender_id": sender, "events": stored(cluster, sender)}
    assert rescore(export, default_library()) == card


def test_turns_alternating_between_replicas_directly(cluster):
    a, b = cluster.replica_url(0), cluster.replica_url(1)
    sender = "scale-direct"
    card = play(cluster, sender, [a, b])  # A, B, A, B...
    assert card["outcome"] == "satisfied"
    check_stored(cluster, sender, card)


def test_concurrent_learners_round_robin_through_nginx(cluster):
    before = len(cluster.nginx_upstreams())
    senders = [f"scale-nginx-{n}" for n in range(6)]
    setups = [dict(SETUP, seed=n) for n in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        cards = list(pool.map(lambda pair: play(cluster, pair[0], [cluster.nginx_url], pair[1]), zip(senders, setups)))
    for sender, card in zip(senders, cards):
        check_stored(cluster, sender, card)
    served = cluster.nginx_upstreams()[before:]
    assert len(served) == 6 * (len(SCRIPT) + 1)
    by_replica = {f"127.0.0.1:{port}": served.count(f"127.0.0.1:{port}") for port in cluster.rasa_ports}
    assert all(count >= len(served) // 4 for count in by_replica.values()), by_replica  # both replicas worked


def test_one_conversation_flooded_on_both_replicas_stays_in_order(cluster):
    """The Redis lock store serialises one conversation's messages across replicas."""
    sender = "scale-flood"
    calm = dict(SETUP, persona="anxious", difficulty="easy")
    status, replies = post(cluster.replica_url(0), cluster.token, sender, "start", {"coach": {"start": calm}})
    assert turns(replies) == [0]
    flood = [f"I'm sorry, could you tell me more about part {n} of the problem?" for n in range(1, 13)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(
            pool.map(
                lambda pair: post(cluster.replica_url(pair[0] % 2), cluster.token, sender, pair[1]), enumerate(flood)
            )
        )
    turn_of = {}
    for text, (status, replies) in zip(flood, results):
        assert status == 200, replies
        if turns(replies):
            turn_of[text] = turns(replies)[0]
    texts = stored_texts(cluster, sender)[1:]
    missing = {t: r for t, (s, r) in zip(flood, results) if t not in texts}
    assert not missing, missing
    assert sorted(texts) == sorted(flood)  # each message stored exactly once
    in_order = [turn_of.get(t) for t in texts]
    answered = len([t for t in in_order if t is not None])
    assert answered >= 1 and in_order == list(range(1, answered + 1)) + [None] * (len(texts) - answered)


def test_postgres_stopped_gives_a_clear_error_and_loses_nothing(cluster):
    a, b = cluster.replica_url(0), cluster.replica_url(1)
    sender = "scale-pg-down"
    status, replies = post(a, cluster.token, sender, "start", {"coach": {"start": SETUP}})
    for number, line in enumerate(LINES[:2], start=1):
        status, replies = post([a, b][number % 2], cluster.token, sender, line)
        assert turns(replies) == [number]
    cluster.postgres_stop()
    try:
        for base in (a, b):
            status, replies = post(base, cluster.token, sender, LINES[2])
            assert status == 200
            said = " ".join(r.get("text", "") for r in replies)
            assert "could not be saved" in said and "Nothing you said before is lost" in said
            assert turns(replies) == []
    finally:
        cluster.postgres_start()
    status, replies = post(b, cluster.token, sender, LINES[2])
    assert status == 200 and turns(replies) == [3]  # carries on, right turn number
    status, replies = post(a, cluster.token, sender, LINES[3])
    assert turns(replies) == [4]
    assert stored_texts(cluster, sender) == ["start"] + LINES[:4]


def test_a_replica_stopped_the_other_carries_on(cluster):
    import os
    import signal

    a, b = cluster.replica_url(0), cluster.replica_url(1)
    sender = "scale-replica-down"
    status, replies = post(a, cluster.token, sender, "start", {"coach": {"start": SETUP}})
    status, replies = post(a, cluster.token, sender, LINES[0])
    assert turns(replies) == [1]
    replica = cluster.replicas[0]
    process = replica.processes[0]
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    replica.processes.remove(process)
    try:
        status, replies = post(b, cluster.token, sender, LINES[1])
        assert turns(replies) == [2]
        # nginx takes the stopped replica out of the rotation: every request is still answered
        for number, line in enumerate(LINES[2:5], start=3):
            status, replies = post(cluster.nginx_url, cluster.token, sender, line)
            assert status == 200 and turns(replies) == [number]
    finally:
        replica.start_rasa()
        replica.wait_ready()
    assert stored_texts(cluster, sender) == ["start"] + LINES[:5]
