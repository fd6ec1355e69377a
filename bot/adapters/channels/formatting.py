"""The coach's messages for chat platforms: Slack Block Kit and Microsoft Teams activities.

Plain functions of one bot message as Rasa hands it to an output channel
(``text``, ``buttons``, ``custom``), so they can be tested without a server. The
coach's internal ``custom.coach`` metadata is read here and never posted as is.
Learner text (quotes in the scorecard) is always put where the platform shows it
literally: Slack ``plain_text`` (or mrkdwn with ``& < >`` escaped), Teams
``TextRun`` (which is never read as markdown).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.domain.assessment.breakdown import signed_points
from bot.domain.assessment.rubrics import vocabulary
from bot.domain.assessment.scorecard import ModelResult, Scorecard
from bot.domain.scenarios import default_library

COACH_PREFIX = "Coach: "
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
HERO_CARD = "application/vnd.microsoft.card.hero"
TOOLS = [("Check history", "check history"), ("Hint", "hint"), ("End", "end"), ("Restart", "restart"), ("Help", "help")]
SPARK = "▁▂▃▄▅▆▇█"


# -- shared ------------------------------------------------------------------------------
def coach_meta(message: Dict[str, Any]) -> Dict[str, Any]:
    custom = message.get("custom")
    meta = custom.get("coach") if isinstance(custom, dict) else None
    return meta if isinstance(meta, dict) else {}


def scorecard_of(message: Dict[str, Any]) -> Optional[Scorecard]:
    custom = message.get("custom")
    return Scorecard.read(custom.get("scorecard")) if isinstance(custom, dict) else None


def strip_coach(text: str) -> str:
    return text[len(COACH_PREFIX) :] if text.startswith(COACH_PREFIX) else text


GUARD_WORDS = ("open", "relaxed", "guarded", "defensive", "shut down")  # a coached agent's guard, 0-10


def guard_word(guard: int) -> str:
    return GUARD_WORDS[0 if guard <= 2 else 1 if guard <= 4 else 2 if guard <= 6 else 3 if guard <= 8 else 4]


def mood_word(mood: int) -> str:
    if mood <= 2:
        return "calm"
    if mood <= 4:
        return "uneasy"
    if mood <= 6:
        return "annoyed"
    if mood <= 8:
        return "angry"
    return "furious"


def bar(value: float, maximum: float = 100, width: int = 10) -> str:
    filled = max(0, min(width, int(round(width * float(value) / maximum))))
    return "█" * filled + "░" * (width - filled)


def sparkline(moods: List[Any]) -> str:
    return "".join(
        SPARK[min(7, int(round(max(0, min(10, int(m))) * 7 / 10)))] for m in moods if isinstance(m, (int, float))
    )


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scenario_title(scenario_id: str) -> str:
    try:
        return default_library().practice(scenario_id).title
    except Exception:  # noqa: BLE001 - the id is a fine fallback
        return str(scenario_id)


def model_labels() -> Dict[str, Dict[str, Any]]:
    try:
        return vocabulary().model_labels()
    except Exception:  # noqa: BLE001
        return {}


def missed_steps(model_id: str, model: ModelResult, labels: Dict[str, Dict[str, Any]]) -> List[str]:
    names = labels.get(model_id, {}).get("steps", {})
    return [names.get(step.id, step.id) for step in model.steps if not step.met]


def score_sum_rows(card: Scorecard) -> List[str]:
    """How the overall score is made, one line per term, ending with the total (empty for old scorecards)."""
    if card.breakdown is None:
        return []
    rows = [f"{signed_points(line.points):>7}  {line.label}{_turns(line.turns)}" for line in card.breakdown.lines]
    return rows + [f"{'= ' + str(card.breakdown.overall):>7}  Overall"]


def below_hundred_rows(card: Scorecard) -> List[str]:
    """Why each model is below 100: the points lost, step by step, with the turns."""
    rows = []
    for model_id, model in card.models.items():
        for lost in model.lost:
            rows.append(f"{model_id} −{lost.points}: {lost.why}")
    return rows


def kpi_text(card: Scorecard) -> str:
    """CSAT, NPS and first contact resolution on one line (empty for old scorecards)."""
    k = card.kpis
    if k is None:
        return ""
    fcr = "yes" if k.first_contact_resolution else "no"
    return f"CSAT {k.csat}/5 · NPS {k.nps}/10 ({k.nps_category}) · resolved first time: {fcr}"


def _mood_line(mood: List[int]) -> str:
    return sparkline(mood) + "  " + " → ".join(str(int(m)) for m in mood)


def _turns(turns: Any) -> str:
    if not turns:
        return ""
    return (
        " (turn " + ", ".join(str(t) for t in turns) + ")"
        if len(turns) == 1
        else " (turns " + ", ".join(str(t) for t in turns) + ")"
    )


# -- Slack ------------------------------------------------------------------------------
def slack_escape(text: str) -> str:
    """Text for Slack mrkdwn: the three characters Slack reserves are escaped."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(text: str, limit: int = 3000) -> Dict[str, Any]:
    return {"type": "plain_text", "text": truncate(str(text), limit) or " ", "emoji": False}


def _mrkdwn(text: str, limit: int = 3000) -> Dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit) or " ", "verbatim": True}


def slack_tools_menu() -> Dict[str, Any]:
    """The learner tools as an overflow menu (Slack allows five options: exactly our tools)."""
    return {
        "type": "overflow",
        "action_id": "coach_tools",
        "options": [{"text": _plain(title, 75), "value": payload} for title, payload in TOOLS],
    }


def slack_buttons(buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": f"coach_button_{i}",
                "text": _plain(b.get("title", ""), 75),
                "value": truncate(str(b.get("payload", "")), 2000),
            }
            for i, b in enumerate(buttons[:25])
            if isinstance(b, dict)
        ],
    }


def slack_message(message: Dict[str, Any]) -> Dict[str, Any]:
    """``chat.postMessage`` arguments (``text`` fallback and ``blocks``) for one bot message."""
    card = scorecard_of(message)
    if card is not None:
        return slack_scorecard(card, message.get("text") or "")
    text = str(message.get("text") or "")
    meta = coach_meta(message)
    blocks: List[Dict[str, Any]] = []
    if meta.get("speaker") == "customer":
        blocks.append({"type": "section", "text": _plain(text), "accessory": slack_tools_menu()})
        mood = meta.get("mood")
        if isinstance(mood, int):
            meter = f"{meta['name']}'s guard" if meta.get("name") else "Customer mood"  # a coached agent's guard
            word = guard_word(mood) if meta.get("name") else mood_word(mood)
            line = f"{meter} {mood}/10 {bar(mood, 10)} {word}"
            why = [str(w) for w in meta.get("why") or [] if w]
            if why:
                line += " · " + "; ".join(why)
            blocks.append({"type": "context", "elements": [_plain(line, 2000)]})
    elif text:
        blocks.append({"type": "section", "text": _mrkdwn("*Coach:* " + slack_escape(strip_coach(text)))})
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
    if buttons:
        blocks.append(slack_buttons(buttons))
    return {"text": slack_escape(truncate(text, 3000)), "blocks": blocks}


def slack_scorecard(card: Scorecard, fallback: str = "") -> Dict[str, Any]:
    """The scorecard as Block Kit blocks (at most 50, as Slack allows)."""
    title = scenario_title(card.scenario)
    blocks: List[Dict[str, Any]] = [
        {"type": "header", "text": _plain(f"Scorecard: {title}", 150)},
        {"type": "section", "fields": _slack_fields(card)},
        *_slack_models(card),
        *_slack_breakdown(card),
        *_slack_customer_rating(card),
    ]
    if card.mood:
        arrows = " → ".join(str(int(m)) for m in card.mood)
        line = f"*Customer's mood over the turns* (0 calm, 10 furious)\n`{sparkline(card.mood)}`  {arrows}"
        blocks.append({"type": "section", "text": _mrkdwn(line)})
    blocks += _slack_feedback(card)
    blocks += _slack_flags(card, room=49 - len(blocks) - 2)
    summary = f"Scorecard for {title}: {card.overall}/100, outcome {card.outcome}."
    return {
        "text": slack_escape(summary if not fallback else truncate(strip_coach(fallback).split("\n")[0], 3000)),
        "blocks": blocks[:50],
    }


def _slack_fields(card: Scorecard) -> List[Dict[str, Any]]:
    fields = [
        _mrkdwn(f"*Overall*\n{card.overall}/100"),
        _mrkdwn(f"*Outcome*\n{slack_escape(card.outcome)}"),
        _mrkdwn(f"*Customer*\n{slack_escape(card.persona)}, {slack_escape(card.difficulty)}"),
    ]
    if card.assessment:
        verdict = "Passed" if card.assessment.passed else "Not passed"
        fields.append(_mrkdwn(f"*Assessment*\n{verdict} (pass mark {card.assessment.pass_mark})"))
    if card.kpis:
        fields.append(_mrkdwn(f"*Service KPIs*\n{kpi_text(card)}"))
    return fields


def _slack_models(card: Scorecard) -> List[Dict[str, Any]]:
    labels = model_labels()
    rows = []
    for model_id, model in card.models.items():
        missed = missed_steps(model_id, model, labels)
        rows.append(
            f"{model_id:<6} {bar(model.score)} {model.score:>3}" + (f"  missed: {', '.join(missed)}" if missed else "")
        )
    if not rows:
        return []
    text = "*Models* (score out of 100)\n```" + slack_escape("\n".join(rows)) + "```"
    return [{"type": "section", "text": _mrkdwn(text)}]


def _slack_customer_rating(card: Scorecard) -> List[Dict[str, Any]]:
    if not card.kpis or not card.kpis.customer_says:
        return []
    return [{"type": "context", "elements": [_plain(f"The customer: “{card.kpis.customer_says}”", 2000)]}]


def _slack_breakdown(card: Scorecard) -> List[Dict[str, Any]]:
    blocks = []
    rows = score_sum_rows(card)
    if rows:
        text = "*How your score is made*\n```" + slack_escape("\n".join(rows)) + "```"
        blocks.append({"type": "section", "text": _mrkdwn(text)})
    reasons = below_hundred_rows(card)
    if reasons:
        text = "*Why a model is below 100*\n" + "\n".join("• " + slack_escape(r) for r in reasons)
        blocks.append({"type": "section", "text": _mrkdwn(truncate(text, 3000))})
    return blocks


def _slack_feedback(card: Scorecard) -> List[Dict[str, Any]]:
    blocks: List[Dict[str, Any]] = []
    strengths, improvements = card.feedback.strengths[:3], card.feedback.improvements[:3]
    if strengths:
        blocks += [{"type": "divider"}, {"type": "section", "text": _mrkdwn("*What went well*")}]
        for item in strengths:
            line = f":white_check_mark: {slack_escape(item.what)} (turn {item.turn})"
            blocks.append({"type": "section", "text": _mrkdwn(line)})
            if item.quote:
                blocks.append({"type": "context", "elements": [_plain(f"You wrote: “{item.quote}”", 2000)]})
    if improvements:
        blocks += [{"type": "divider"}, {"type": "section", "text": _mrkdwn("*What to do better*")}]
        for better in improvements:
            blocks.append({"type": "section", "text": _mrkdwn(f":small_orange_diamond: {slack_escape(better.what)}")})
            elements = []
            if better.quote:
                elements.append(
                    _plain(
                        f"You wrote (turn {better.turn if better.turn is not None else '?'}): “{better.quote}”", 2000
                    )
                )
            if better.better:
                elements.append(_plain(f"Better: {better.better}", 2000))
            if elements:
                blocks.append({"type": "context", "elements": elements})
    return blocks


def _slack_flags(card: Scorecard, room: int) -> List[Dict[str, Any]]:
    if not card.flags:
        return []
    blocks: List[Dict[str, Any]] = [{"type": "divider"}, {"type": "section", "text": _mrkdwn("*Flags*")}]
    for flag in card.flags[: max(0, room)]:
        text = f":warning: *{slack_escape(flag.message or flag.id)}*{_turns(flag.turns)}\n{slack_escape(flag.advice)}"
        blocks.append({"type": "section", "text": _mrkdwn(text)})
    return blocks


# -- Microsoft Teams --------------------------------------------------------------------------
def _imback(title: str, value: str) -> Dict[str, Any]:
    return {"type": "imBack", "title": title, "value": value}


def _run_block(*runs: Dict[str, Any], spacing: Optional[str] = None) -> Dict[str, Any]:
    block: Dict[str, Any] = {"type": "RichTextBlock", "inlines": list(runs)}
    if spacing:
        block["spacing"] = spacing
    return block


def _run(text: str, **style: Any) -> Dict[str, Any]:
    """Literal text in an Adaptive Card: a TextRun is never read as markdown."""
    return dict({"type": "TextRun", "text": str(text)}, **style)


def teams_activity(message: Dict[str, Any]) -> Dict[str, Any]:
    """The content of a reply activity (text, attachments, suggested actions) for one bot message."""
    card = scorecard_of(message)
    if card is not None:
        return {
            "text": "",
            "summary": "Your scorecard",
            "attachments": [{"contentType": ADAPTIVE_CARD, "content": teams_scorecard(card)}],
        }
    text = str(message.get("text") or "")
    meta = coach_meta(message)
    activity: Dict[str, Any] = {"text": text, "textFormat": "plain"}
    buttons = [b for b in message.get("buttons") or [] if isinstance(b, dict)]
    if buttons:
        activity["attachments"] = [
            {
                "contentType": HERO_CARD,
                "content": {
                    "buttons": [_imback(str(b.get("title", "")), str(b.get("payload", ""))) for b in buttons[:10]]
                },
            }
        ]
    if meta.get("speaker") == "customer":
        activity["suggestedActions"] = {"actions": [_imback(title, payload) for title, payload in TOOLS]}
    return activity


def teams_scorecard(card: Scorecard) -> Dict[str, Any]:
    """The scorecard as an Adaptive Card (schema 1.4, as Teams renders it)."""
    body: List[Dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": f"Scorecard: {scenario_title(card.scenario)}",
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        },
        {"type": "FactSet", "facts": _teams_facts(card)},
        {"type": "TextBlock", "text": "Models (score out of 100)", "weight": "Bolder", "spacing": "Medium"},
        {"type": "FactSet", "facts": _teams_models(card)},
        *_teams_breakdown(card),
    ]
    if card.mood:
        body.append(
            {
                "type": "TextBlock",
                "text": "Customer's mood over the turns (0 calm, 10 furious)",
                "weight": "Bolder",
                "spacing": "Medium",
                "wrap": True,
            }
        )
        body.append(_run_block(_run(_mood_line(card.mood), fontType="Monospace")))
    body += _teams_feedback(card) + _teams_flags(card)
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
    }


def _teams_facts(card: Scorecard) -> List[Dict[str, str]]:
    facts = [
        {"title": "Overall", "value": f"{card.overall}/100"},
        {"title": "Outcome", "value": card.outcome},
        {"title": "Customer", "value": f"{card.persona}, {card.difficulty}"},
    ]
    if card.assessment:
        verdict = "Passed" if card.assessment.passed else "Not passed"
        facts.append({"title": "Assessment", "value": f"{verdict} (pass mark {card.assessment.pass_mark})"})
    if card.kpis:
        facts.append({"title": "Service KPIs", "value": kpi_text(card)})
        if card.kpis.customer_says:
            facts.append({"title": "The customer", "value": f"“{card.kpis.customer_says}”"})
    return facts


def _teams_models(card: Scorecard) -> List[Dict[str, str]]:
    labels = model_labels()
    facts = []
    for model_id, model in card.models.items():
        missed = missed_steps(model_id, model, labels)
        value = f"{bar(model.score)} {model.score}" + (f" (missed: {', '.join(missed)})" if missed else "")
        facts.append({"title": model_id, "value": value})
    return facts


def _teams_breakdown(card: Scorecard) -> List[Dict[str, Any]]:
    body: List[Dict[str, Any]] = []
    rows = score_sum_rows(card)
    if rows:
        body.append({"type": "TextBlock", "text": "How your score is made", "weight": "Bolder", "spacing": "Medium"})
        body += [_run_block(_run(row, fontType="Monospace"), spacing="None") for row in rows]
    reasons = below_hundred_rows(card)
    if reasons:
        heading = {"type": "TextBlock", "text": "Why a model is below 100", "weight": "Bolder", "spacing": "Medium"}
        body += [heading] + [_run_block(_run("• " + reason), spacing="None") for reason in reasons]
    return body


def _teams_feedback(card: Scorecard) -> List[Dict[str, Any]]:
    body: List[Dict[str, Any]] = []
    if card.feedback.strengths:
        body.append({"type": "TextBlock", "text": "What went well", "weight": "Bolder", "spacing": "Medium"})
        for item in card.feedback.strengths[:3]:
            body.append(_run_block(_run(f"✔ {item.what} (turn {item.turn})")))
            if item.quote:
                body.append(_run_block(_run(f"“{item.quote}”", italic=True), spacing="None"))
    if card.feedback.improvements:
        body.append({"type": "TextBlock", "text": "What to do better", "weight": "Bolder", "spacing": "Medium"})
        for better in card.feedback.improvements[:3]:
            body.append(_run_block(_run(f"• {better.what}")))
            if better.quote:
                turn = better.turn if better.turn is not None else "?"
                body.append(
                    _run_block(
                        _run(f"You wrote (turn {turn}): "), _run(f"“{better.quote}”", italic=True), spacing="None"
                    )
                )
            if better.better:
                body.append(_run_block(_run("Better: ", weight="Bolder"), _run(better.better), spacing="None"))
    return body


def _teams_flags(card: Scorecard) -> List[Dict[str, Any]]:
    if not card.flags:
        return []
    body: List[Dict[str, Any]] = [{"type": "TextBlock", "text": "Flags", "weight": "Bolder", "spacing": "Medium"}]
    for flag in card.flags:
        body.append(_run_block(_run("⚠ " + (flag.message or flag.id) + _turns(flag.turns), weight="Bolder")))
        if flag.advice:
            body.append(_run_block(_run(flag.advice), spacing="None"))
    return body
