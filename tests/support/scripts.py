"""The REST conversation's learners (tests/e2e/test_rest_conversation.py), reused by the channel,
web chat and tutor tests: a good one who satisfies the angry customer, and a poor one."""

from __future__ import annotations

GOOD_SCRIPT = [
    "Hi, you're through to Sam at Brightmart. I'm so sorry your order hasn't arrived.",
    "That must be really stressful, especially with a trip coming up. Could you give me your order number?",
    "Thanks. When was it promised for, and what do you need it for?",
    "I understand, so it was due Tuesday and you need the boots for Saturday.",
    "I'll sort this now. I can send a new pair by express delivery today so they arrive tomorrow, or hold a pair "
    "at our Kendal store. Which would you prefer?",
    "You'll get a dispatch email within the hour and they'll arrive tomorrow by 6pm. Does that work for you?",
    "notes: order BM-48213 two days late; offered express reship or Kendal collection, customer accepted "
    "express, satisfied",
    "end",
]
POOR_SCRIPT = [
    "what",
    "you should have paid for express delivery then",
    "calm down its only 2 days",
    "whatever, read the email",
    "end",
]
