"""A coaching tip from the conversation so far (practice mode only)."""

from __future__ import annotations


def hint_for(attempt) -> str:
    customer = attempt.customer
    scenario = attempt.scenario
    used = set(customer.move_counts)
    phrasing = scenario.better_phrasings
    if not used & {"acknowledge", "empathize", "apologize"}:
        return (
            "The customer doesn't feel heard yet. Acknowledge the problem and how it affects them before "
            'solving anything. Try: "' + phrasing.get("empathise", "That must be really frustrating.") + '"'
        )
    missing = [f for f in scenario.required_facts if f.id not in customer.revealed]
    if missing:
        return f"You haven't asked about the customer's {missing[0].label} yet. Ask for it directly."
    if scenario.history and not attempt.history_checks and scenario.escalation.rule == "required":
        return "This customer has contacted us before. Type `check history` before deciding what to do."
    if customer.outcome is None and customer.accepted is None:
        if scenario.escalation.rule == "required":
            return (
                "This is beyond your authority. Explain why, and hand over to "
                f"{scenario.escalation.handover_to} with a clear summary and timescale."
            )
        if customer.mood > 6:
            return "The customer is still very upset. Empathise with their situation before offering a remedy."
        return (
            "Offer a remedy within policy that meets what the customer wants (" + scenario.wants + "). "
            "Giving a choice involves them."
        )
    if "set_expectations" not in used:
        return "Tell the customer exactly what happens next and when."
    if "check_satisfaction" not in used:
        return "Check the solution works for the customer and whether they need anything else."
    return "Record your case notes with `notes: ...` (problem, action, outcome), then type `end`."


def coaching_hint(attempt) -> str:
    """The next coaching step the team leader has not taken yet, in GROW order."""
    coachee = attempt.customer
    used = set(coachee.move_counts)
    name = attempt.scenario.agent.name.split()[0]
    if "criticise_person" in used:
        return f"Talk about what {name} said or did, and its effect, never about {name} as a person."
    steps = [
        ("set_goal", f"Start by saying what this conversation is for, so {name} knows it isn't a telling-off."),
        ("open_question", f"Ask an open question so {name} can say how the chat went and what got in the way."),
        ("praise", f"Recognise something {name} did well in the chat, specifically."),
        ("specific_feedback", f"Point to one thing {name} wrote in the chat, and what it led to."),
        ("ask_options", f"Ask {name} what they could do differently before giving your own ideas."),
    ]
    for move, tip in steps:
        if move not in used:
            return tip
    if not coachee.agreed_turns:
        return f"Agree one or two actions with {name}, with a date (from the next shift, by Friday)."
    if "delegate" not in used:
        return f"Where a rule held {name} back, give authority within a limit."
    if not coachee.played_back:
        return f"Ask {name} to tell you back what you agreed."
    return "Close the conversation, then type `end` for your scorecard."
