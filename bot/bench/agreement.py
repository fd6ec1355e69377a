"""Agreement between the two annotators of an independent set: macro-F1 and Cohen's kappa per move.

Each row of the set carries both annotators' labels (``annotator_a``, ``annotator_b``) beside the
adjudicated ``moves``. F1 between two annotators is symmetric, so either can stand as the
reference. Kappa corrects the per-move agreement for what two annotators with the same label
rates would reach by chance.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

from bot.domain.vocabulary import MOVES


def _kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    total = len(a)
    if not total:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b)) / total
    rate_a, rate_b = sum(a) / total, sum(b) / total
    chance = rate_a * rate_b + (1 - rate_a) * (1 - rate_b)
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def _f1(a: Sequence[bool], b: Sequence[bool]) -> float:
    both = sum(x and y for x, y in zip(a, b))
    either = sum(a) + sum(b)
    return 2 * both / either if either else 0.0


def agreement(rows: Sequence[Dict], min_support: int = 10, moves: Sequence[str] = MOVES) -> Dict:
    """Per-move kappa and F1 between the annotators, and the macro-F1 over moves either used enough."""
    per_move = {}
    for move in moves:
        a = [move in row["annotator_a"] for row in rows]
        b = [move in row["annotator_b"] for row in rows]
        per_move[move] = {"kappa": _kappa(a, b), "f1": _f1(a, b), "a": sum(a), "b": sum(b)}
    used = [m for m, v in per_move.items() if max(v["a"], v["b"]) >= min_support]
    changed = sum(set(row["annotator_a"]) != set(row["annotator_b"]) for row in rows)
    return {
        "per_move": per_move,
        "macro_f1": sum(per_move[m]["f1"] for m in used) / len(used) if used else 0.0,
        "mean_kappa": sum(per_move[m]["kappa"] for m in used) / len(used) if used else 0.0,
        "messages": len(rows),
        "disagreements": changed,
    }


def agreement_lines(result: Dict) -> List[str]:
    lines = [f"{'move':<20}{'kappa':>7}{'f1':>7}{'A':>6}{'B':>6}"]
    for move, v in result["per_move"].items():
        lines.append(f"{move:<20}{v['kappa']:>7.3f}{v['f1']:>7.3f}{v['a']:>6}{v['b']:>6}")
    lines.append(
        f"{result['messages']} messages, annotators disagree on {result['disagreements']} "
        f"({result['disagreements'] / max(1, result['messages']):.1%}), adjudicated; "
        f"macro-F1 between annotators {result['macro_f1']:.3f}, mean kappa {result['mean_kappa']:.3f}"
    )
    return lines
