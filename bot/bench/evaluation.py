"""Multi-label metrics for move detection, and a plain keyword baseline to compare with."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from bot.domain.vocabulary import MOVES

Labelled = Tuple[str, List[str]]
# The targets count a move in the macro average only when the set has this many examples of it.
MIN_SUPPORT = 10

# The baseline a first attempt would write: one keyword list per move, on lowercased text.
BASELINE_KEYWORDS = {
    "greet": ["hi", "hello", "hey", "good morning", "good afternoon", "how can i help"],
    "acknowledge": ["i see", "i understand", "so your", "i can see"],
    "apologize": ["sorry", "apologise", "apologize", "apologies"],
    "empathize": ["frustrating", "understand how", "must be", "i can imagine"],
    "thank": ["thank", "thanks"],
    "ask_question": ["?", "could you", "can you", "please send", "please provide"],
    "explain": ["because", "due to", "policy", "the reason"],
    "take_ownership": ["i will", "i'll", "leave it with me", "let me"],
    "offer_solution": ["refund", "replacement", "voucher", "credit", "i can offer", "restart"],
    "set_expectations": ["within", "by tomorrow", "days", "hours", "you will receive"],
    "escalate": ["manager", "supervisor", "team", "escalate", "transfer"],
    "check_satisfaction": ["anything else", "does that work", "is that ok", "happy with"],
    "follow_up": ["follow up", "get back to you", "let us know", "check in"],
    "close": ["have a good", "have a great", "have a nice", "bye", "take care"],
    "blame": ["your fault", "you should have", "not our fault", "fault"],
    "dismiss": ["calm down", "nothing i can do", "it's only", "policy is policy"],
    "rude": ["seriously", "stupid", "whatever", "read the"],
}


def keyword_baseline(text: str) -> List[str]:
    low = (text or "").lower()
    found = []
    for move, words in BASELINE_KEYWORDS.items():
        if any((w in low) if not w.isalpha() else re.search(r"\b" + re.escape(w) + r"\b", low) for w in words):
            found.append(move)
    return found


def read_jsonl(path: Path) -> List[Labelled]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            rows.append((obj["text"], list(obj.get("moves", []))))
    return rows


def evaluate(predict: Callable[[str], Sequence[str]], data: Sequence[Labelled], moves: Sequence[str] = MOVES) -> Dict:
    """Per-move precision, recall and F1 over ``moves`` (the learner moves, or the coaching moves)."""
    tp = {m: 0 for m in moves}
    fp = dict(tp)
    fn = dict(tp)
    exact = 0
    errors = []
    for text, gold in data:
        pred: Set[str] = set(predict(text))
        want = set(gold)
        exact += pred == want
        for move in moves:
            tp[move] += move in pred and move in want
            fp[move] += move in pred and move not in want
            fn[move] += move not in pred and move in want
        if pred != want:
            errors.append({"text": text, "gold": sorted(want), "pred": sorted(pred)})
    per_move = {}
    for move in moves:
        p = tp[move] / (tp[move] + fp[move]) if tp[move] + fp[move] else 0.0
        r = tp[move] / (tp[move] + fn[move]) if tp[move] + fn[move] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_move[move] = {"precision": p, "recall": r, "f1": f, "support": tp[move] + fn[move]}
    supported = [move for move, m in per_move.items() if m["support"] >= MIN_SUPPORT]
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = t / (t + f_p) if t + f_p else 0.0
    micro_r = t / (t + f_n) if t + f_n else 0.0
    return {
        "per_move": per_move,
        "micro_f1": 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
        "macro_f1": sum(v["f1"] for v in per_move.values()) / len(moves),
        "macro_f1_supported": sum(per_move[m]["f1"] for m in supported) / len(supported) if supported else 0.0,
        "supported_moves": supported,
        "exact_match": exact / len(data) if data else 0.0,
        "errors": errors,
    }


# -- the benchmarks' report (``coach bench-moves`` and ``coach bench-diet``) -----------------
def per_move_table(result: Dict, beside: Optional[Dict] = None, beside_label: str = "") -> List[str]:
    """Per-move precision, recall, F1 and support, with another pipeline's F1 beside them."""
    lines = [
        f"{'move':<20}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}" + (f"   {beside_label}" if beside else "")
    ]
    for move, m in result["per_move"].items():
        lines.append(
            f"{move:<20}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>9}"
            + (f"   {beside['per_move'][move]['f1']:.3f}" if beside else "")
        )
    return lines


def summary_line(label: str, result: Dict) -> str:
    supported = len(result["supported_moves"])
    return (
        f"{label:<30} macro-F1 {result['macro_f1']:.3f}  "
        f"(moves with >={MIN_SUPPORT} examples, {supported}: {result['macro_f1_supported']:.3f})  "
        f"micro-F1 {result['micro_f1']:.3f}  exact match {result['exact_match']:.3f}"
    )


def p50_p95(latencies: Sequence[float]) -> Tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]
