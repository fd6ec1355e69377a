"""Scoring speed: how many stored 30-turn conversations the coach scores per second."""

from __future__ import annotations

import random
import time
from typing import Dict

from bot.domain.assessment.scoring import score_attempt
from bot.domain.scenarios.loader import Library
from bot.domain.session.commands import parse_command
from bot.domain.session.session import LearnerInput, Session

# Learner lines with the moves a detector would give them, mixed at random into long conversations.
LINES = [
    ("Hi, I'm Sam. I'm so sorry your order hasn't arrived.", ["greet", "apologize", "acknowledge"]),
    ("That must be really stressful before your trip.", ["empathize"]),
    ("Could you give me your order number?", ["ask_question"]),
    ("When was it promised, and why do you need it?", ["ask_question"]),
    ("The depot had a backlog, which is why it is late.", ["explain"]),
    ("Leave it with me, I'll sort it out.", ["take_ownership"]),
    (
        "I can send a new pair by express today or hold a pair in Kendal. Which would you prefer?",
        ["offer_solution", "ask_question"],
    ),
    ("You'll get a dispatch email within the hour.", ["set_expectations"]),
    ("Does that work for you?", ["check_satisfaction"]),
    ("I'll check tomorrow that they arrived.", ["follow_up"]),
    ("Thanks for bearing with me.", ["thank"]),
    ("You should have chosen express delivery.", ["blame"]),
    ("It's only two days.", ["dismiss"]),
    ("ok", []),
]


def build_attempts(library: Library, count: int, turns: int, seed: int = 1):
    rng = random.Random(seed)
    attempts = []
    for number in range(count):
        session = Session(f"bench-{number}", library)
        session.handle(
            LearnerInput(
                "start",
                metadata={
                    "coach": {
                        "start": {
                            "scenario": "late_delivery",
                            "persona": rng.choice(["angry", "anxious", "impatient", "demanding"]),
                            "difficulty": "easy",
                            "seed": number,
                        }
                    }
                },
            )
        )
        attempt, customer = session.attempt, session.attempt.customer
        for turn in range(turns):
            customer.outcome = None  # keep the customer talking so every conversation is full length
            text, moves = rng.choice(LINES)
            attempt.turns.append(customer.respond(f"{text} ({turn})", moves))
            attempt.times.append(1000.0 + 20 * turn)
            attempt.hits.append([])
        session.handle(
            LearnerInput(
                "notes: order late, offered express, customer accepted",
                command=parse_command("notes: order late, offered express, customer accepted"),
            )
        )
        customer.outcome = None
        attempt.outcome = customer.end_by_learner()
        attempts.append(session.attempt)
    return attempts


def run(library: Library, count: int = 300, turns: int = 30, rounds: int = 3) -> Dict[str, float]:
    attempts = build_attempts(library, count, turns)
    assert all(len(a.turns) == turns for a in attempts)
    score_attempt(attempts[0])  # warm caches (rubric file)
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for attempt in attempts:
            score_attempt(attempt)
        best = min(best, time.process_time() - start)
    return {"conversations": count, "turns": turns, "seconds": best, "per_second": count / best}
