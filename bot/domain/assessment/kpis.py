"""Service KPIs for one attempt: CSAT, NPS, first contact resolution, turns and handle time.

Each figure is derived deterministically from what happened (the outcome, the customer's last
mood and the flags raised), and the scorecard carries the reasoning next to the number, so a
tutor can see why a conversation scored CSAT 3 and what would have made it a 5.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from bot.domain.assessment.scorecard import FlagResult, Kpis

# CSAT by outcome: (mood at most, rating) pairs, calmest first; the last pair catches the rest.
_CSAT_BY_MOOD = {
    "satisfied": ((2.5, 5), (4.5, 4), (10, 3)),
    "escalated": ((3.5, 4), (6.5, 3), (10, 2)),
    "unsatisfied": ((5.5, 2), (10, 1)),
    "abandoned": ((10, 1),),
}
# Flags that cost the customer's goodwill, whatever the outcome: one point off CSAT.
_GOODWILL_FLAGS = ("blamed_customer", "dismissive_language")
# Likelihood to recommend for each CSAT rating; one more when resolved at first contact.
_NPS_FOR_CSAT = {5: 9, 4: 7, 3: 5, 2: 3, 1: 1}


def nps_category(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def first_contact_resolution(outcome: str, escalation_rule: str, flag_ids: Sequence[str]) -> Tuple[bool, str]:
    """Resolved in this contact with no needless transfer; an escalation the scenario requires counts as resolved."""
    if outcome == "satisfied":
        return True, "Resolved in this contact: the customer accepted a remedy."
    if outcome == "escalated" and escalation_rule == "required" and "unnecessary_escalation" not in flag_ids:
        return True, "Handed over as this case requires (beyond the agent's authority): counted as resolved first time."
    if outcome == "escalated":
        return False, "Transferred when the agent could have resolved it: not a first-contact resolution."
    return False, f"Not resolved in this contact (outcome: {outcome})."


def csat(outcome: str, final_mood: float, flag_ids: Sequence[str]) -> Tuple[int, str]:
    bands = _CSAT_BY_MOOD.get(outcome, _CSAT_BY_MOOD["unsatisfied"])
    rating = next(value for limit, value in bands if final_mood <= limit)
    why = f"Outcome {outcome}, customer's mood at the end {final_mood:.1f}/10: {rating}."
    hurt = [f for f in _GOODWILL_FLAGS if f in flag_ids]
    if hurt and rating > 1:
        rating -= 1
        why += f" One point off for {' and '.join(h.replace('_', ' ') for h in hurt)}: {rating}."
    return rating, why


def _reason_key(outcome: str, flag_ids: Sequence[str], fcr: bool) -> str:
    if "blamed_customer" in flag_ids:
        return "blamed"
    if "dismissive_language" in flag_ids:
        return "brushed_off"
    if outcome == "abandoned":
        return "left"
    if outcome == "escalated":
        return "handed_over" if fcr else "handed_over_needless"
    if outcome == "satisfied":
        return "resolved_no_when" if "no_expectations_set" in flag_ids else "resolved"
    return "not_resolved"


def handle_seconds(start: Optional[float], times: Sequence[Optional[float]]) -> Optional[int]:
    stamps = [t for t in times if t is not None]
    if start is None or not stamps:
        return None
    return max(0, round(max(stamps) - start))


def service_kpis(
    outcome: str,
    final_mood: float,
    flags: List[FlagResult],
    escalation_rule: str,
    times: Tuple[Optional[float], Sequence[Optional[float]]],
    turns: int,
    lines: Tuple[dict, dict],
) -> Kpis:
    """The KPI block, with the customer's own rating said in role (``lines``: ratings and reasons)."""
    flag_ids = [f.id for f in flags]
    fcr, fcr_why = first_contact_resolution(outcome, escalation_rule, flag_ids)
    rating, csat_why = csat(outcome, final_mood, flag_ids)
    nps = _NPS_FOR_CSAT[rating] + (1 if fcr and rating >= 4 else 0)
    nps_why = f"CSAT {rating} gives {_NPS_FOR_CSAT[rating]}" + (
        ", +1 for resolving it first time." if nps > _NPS_FOR_CSAT[rating] else "."
    )
    ratings, reasons = lines
    said = f"{ratings[rating]} {reasons[_reason_key(outcome, flag_ids, fcr)]}"
    return Kpis(
        csat=rating,
        nps=nps,
        nps_category=nps_category(nps),
        first_contact_resolution=fcr,
        turns=turns,
        handle_seconds=handle_seconds(*times),
        customer_says=said,
        why={"csat": csat_why, "nps": nps_why, "first_contact_resolution": fcr_why},
    )
