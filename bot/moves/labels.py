"""The learner-move label set: the contract between detector, rubrics and tests."""

MOVES = (
    "greet",
    "acknowledge",
    "apologize",
    "empathize",
    "thank",
    "ask_question",
    "explain",
    "take_ownership",
    "offer_solution",
    "set_expectations",
    "escalate",
    "check_satisfaction",
    "follow_up",
    "close",
    "blame",
    "dismiss",
    "rude",
)

# Moves that make things worse; the rest are service moves.
NEGATIVE_MOVES = frozenset({"blame", "dismiss", "rude"})
# Moves that act on the problem (HEAT "take action", AAA "act").
ACTION_MOVES = frozenset({"offer_solution", "take_ownership", "escalate"})
