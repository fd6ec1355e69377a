"""``coach report CONVERSATION_ID``: one conversation as Markdown or standalone HTML."""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.domain.assessment.breakdown import signed_points
from bot.domain.assessment.rubrics import vocabulary
from bot.tutor.db import attempts
from bot.tutor.learners import shown_name
from bot.tutor.queries import attempt_row, audit
from bot.tutor.records import describe_override
from bot.tutor.render import environment
from bot.tutor.view import attempt_view, breakdown_view, duration, load_events


class ReportError(Exception):
    pass


def report_data(engine: Engine, sender_id: str, library, attempt: Optional[int] = None) -> List[Dict[str, Any]]:
    """The attempts of one conversation, each with its index row, rebuilt view and tutor audit trail."""
    with engine.connect() as db:
        event_list = load_events(db, sender_id)
        if not event_list:
            raise ReportError(f"no conversation '{sender_id}' in the tracker store")
        ids = [
            r.id
            for r in db.execute(
                select(attempts.c.id).where(attempts.c.sender_id == sender_id).order_by(attempts.c.attempt)
            )
        ]
        rows = [attempt_row(db, i) for i in ids]
        if attempt is not None:
            rows = [r for r in rows if r["attempt"] == attempt]
            if not rows:
                raise ReportError(f"conversation '{sender_id}' has no attempt {attempt}")
        if not rows:
            raise ReportError(f"conversation '{sender_id}' never started a scenario")
        words = vocabulary()
        out = []
        for row in rows:
            view = attempt_view(sender_id, row["attempt"], event_list, library, row["scorecard"])
            view["breakdown"] = breakdown_view(view["scorecard"], row)
            trail = audit(db, row["id"])
            trail["overrides"] = [dict(o, **describe_override(o, words)) for o in trail["overrides"]]
            out.append({"row": row, "view": view, "audit": trail})
    return out


def _md(text: Any) -> str:
    """Learner text made inert in Markdown: HTML escaped, Markdown punctuation backslashed."""
    value = html.escape(str(text if text is not None else ""), quote=False)
    for ch in "\\`*_{}[]()#+-!|>":
        value = value.replace(ch, "\\" + ch)
    return value.replace("\n", "  \n")


def markdown(sender_id: str, items: List[Dict[str, Any]]) -> str:
    lines = [f"# Conversation {_md(sender_id)}", ""]
    for item in items:
        row, view, trail = item["row"], item["view"], item["audit"]
        lines += [
            f"## Attempt {row['attempt']}: {_md(view.get('title') or row['scenario'])}",
            "",
            f"- Learner: {_md(shown_name(row['person_name'], row['person_id']))} ({_md(row['person_id'])})"
            + (f", cohort {_md(row['learner_cohort'])}" if row["learner_cohort"] else "")
            + (
                f"; the channel sent {_md(row['learner_name'] or '—')} ({_md(row['learner_id'])})"
                if (row["person_id"], row["person_name"]) != (row["learner_id"], row["learner_name"])
                else ""
            ),
            f"- Channel: {_md(row['channel'])}",
            f"- Scenario: {_md(row['scenario'])}, persona {_md(row['persona'])}, "
            f"difficulty {_md(row['difficulty'])}, {_md(row['mode'])} mode",
            f"- Started: {row['date']} UTC",
            f"- Outcome: {_md(row['outcome'])}",
        ]
        if row["overall"] is not None:
            score = f"- Overall: {row['overall']}/100"
            if row["overridden"] and row["overall"] != row["overall_auto"]:
                score += f" (tutor override; automatic {row['overall_auto']})"
            lines.append(score)
        if row["passed"] is not None:
            lines.append(f"- Assessment: {'passed' if row['passed'] else 'not passed'} (pass mark {row['pass_mark']})")
        lines.append(
            f"- Flags: {_md(', '.join(row['flags']) or 'none')}"
            + (
                f" (automatic: {_md(', '.join(row['flags_auto']) or 'none')})"
                if sorted(row["flags"]) != sorted(row["flags_auto"])
                else ""
            )
        )
        if view.get("notice"):
            lines += ["", f"_{_md(view['notice'])}_"]
        lines += ["", "### Transcript", ""]
        for entry in view["transcript"]:
            who = {"learner": "Learner", "customer": "Customer"}.get(entry["speaker"], "Coach")
            if entry.get("tool"):
                who = f"Learner (tool: {entry['tool']})"
            elif entry.get("late"):
                who = "Learner (after the customer left)"
            head = f"**{who}**" + (f" — turn {entry['turn']}" if entry.get("turn") else "")
            text = _md(entry["text"])
            lines.append(f"{head}: {text}")
            if entry["speaker"] == "learner" and entry.get("turn"):
                lines.append(f"  - moves: {_md(', '.join(entry.get('moves') or []) or 'none')}")
                if entry.get("reasons") is not None:
                    lines.append(
                        f"  - mood {entry['mood_before']} → {entry['mood_after']}: "
                        f"{_md('; '.join(entry['reasons']) or 'no change')}"
                    )
            lines.append("")
        if view["mood"]:
            lines += ["### Mood (0 calm – 10 furious)", "", "| turn | mood | why |", "|---|---|---|"]
            for point in view["mood"]:
                lines.append(f"| {point['turn']} | {point['mood']} | {_md('; '.join(point['reasons']))} |")
            lines.append("")
        card = view.get("scorecard")
        if card:
            lines += [
                "### Scorecard (automatic)",
                "",
                f"Overall {card.get('overall')}/100, outcome {_md(card.get('outcome'))}.",
                "",
            ]
            lines += _kpis_md(card.get("kpis"))
            lines += _breakdown_md(view.get("breakdown"))
            for model in card["models"]:
                lines.append(f"#### {model['id']}: {model['score']}")
                for step in model["steps"]:
                    mark = "✓" if step.get("met") else "✗"
                    lines.append(f"- {mark} {_md(step['id'])}")
                    for e in step.get("evidence", []):
                        lines.append(f"  - turn {e.get('turn')}: “{_md(e.get('quote'))}”")
                    if step.get("advice") and not step.get("met"):
                        lines.append(f"  - advice: {_md(step['advice'])}")
                if model.get("lost"):
                    lines += ["", f"Why {model['score']} and not 100:", ""]
                    lines += [
                        f"- −{lost['points']}: {_md(lost['why'])}{_turns_md(lost['turns'])}" for lost in model["lost"]
                    ]
                lines.append("")
            if card.get("flags"):
                lines += ["#### Flags", ""]
                for flag in card["flags"]:
                    turns = ", ".join(str(t) for t in flag.get("turns", []))
                    lines.append(
                        f"- **{_md(flag['id'])}**{f' (turns {turns})' if turns else ''}: "
                        f"{_md(flag.get('message'))} Advice: {_md(flag.get('advice'))}"
                    )
                lines.append("")
        lines += ["### Case notes", ""]
        lines += [f"- after turn {n['after_turn']}: {_md(n['text'])}" for n in view["notes"]] or ["- none"]
        lines += ["", "### Reflection", "", _md(view["reflection"]) if view["reflection"] else "_No answer._", ""]
        review = view.get("root_cause")
        if review:
            lines += [
                f"Root-cause review: the learner {_md(review['verdict_text'])}"
                + (f": {_md(review['named'])}" if review["named"] else "")
                + f". The scenario's root cause: {_md(review['root_cause'])}.",
                "",
            ]
        lines += ["### Tutor comments", ""]
        lines += [f"- {c['date']} UTC, {_md(c['tutor'])}: {_md(c['text'])}" for c in trail["comments"]] or ["- none"]
        lines += ["", "### Overrides (audit trail)", ""]
        lines += [
            f"- {o['date']} UTC, {_md(o['tutor'])}: {_md(o['what'])} ({_md(o['before'])} → {_md(o['after'])})"
            + (f", because: {_md(o['reason'])}" if o["reason"] else "")
            for o in trail["overrides"]
        ] or ["- none"]
        lines.append("")
    return "\n".join(lines)


def _turns_md(turns: List[int]) -> str:
    if not turns:
        return ""
    return f" (turn{'s' if len(turns) > 1 else ''} {', '.join(str(t) for t in turns)})"


def _kpis_md(kpis: Optional[Dict[str, Any]]) -> List[str]:
    """The attempt's service KPIs, each with why, and the customer's own words ("—" for old scorecards)."""
    if not kpis:
        return ["#### Service KPIs", "", "— (this scorecard was stored before service KPIs existed)", ""]
    why = kpis.get("why") or {}
    fcr = "yes" if kpis["first_contact_resolution"] else "no"
    out = [
        "#### Service KPIs",
        "",
        f"- CSAT {kpis['csat']}/5: {_md(why.get('csat', ''))}",
        f"- NPS {kpis['nps']}/10 ({_md(kpis['nps_category'])}): {_md(why.get('nps', ''))}",
        f"- Resolved first time: {fcr}. {_md(why.get('first_contact_resolution', ''))}",
        f"- Turns {kpis['turns']}, handle time {duration(kpis.get('handle_seconds'))}",
    ]
    if kpis.get("customer_says"):
        out.append(f"- The customer: “{_md(kpis['customer_says'])}”")
    return out + [""]


def _breakdown_md(breakdown: Optional[Dict[str, Any]]) -> List[str]:
    """ "How the score is made": the automatic sum, line by line, and the tutors' changes beside it."""
    if not breakdown:
        return []
    title = "#### How the score is made" + (" (automatic)" if breakdown["automatic_only"] else "")
    out = [title, ""]
    if breakdown["automatic_only"]:
        note = f"This is the automatic score. A tutor changed the result: the score now is {breakdown['overall_now']}"
        if breakdown["removed"]:
            note += f"; flags removed by a tutor: {', '.join(breakdown['removed'])}"
        if breakdown["added"]:
            note += f"; flags added by a tutor (not in this sum): {', '.join(breakdown['added'])}"
        out += [_md(note + "."), ""]
    out += ["| | points |", "|---|---:|"]
    for line in breakdown["lines"]:
        label = _md(line["label"]) + _turns_md(line.get("turns") or [])
        if line.get("removed"):
            label += " (removed by a tutor)"
        out.append(f"| {label} | {signed_points(line['points'])} |")
    total = "Automatic overall" if breakdown["automatic_only"] else "Overall"
    out += [f"| **{total}** | **{breakdown['overall']}** |", ""]
    return out


def html_report(sender_id: str, items: List[Dict[str, Any]]) -> str:
    return environment().get_template("report.html").render(sender_id=sender_id, items=items)


def render(engine: Engine, sender_id: str, library, fmt: str = "md", attempt: Optional[int] = None) -> str:
    items = report_data(engine, sender_id, library, attempt)
    if fmt == "md":
        return markdown(sender_id, items)
    if fmt == "html":
        return html_report(sender_id, items)
    raise ReportError(f"unknown report format '{fmt}' (md or html)")
