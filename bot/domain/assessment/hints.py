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
