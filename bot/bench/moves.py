"""``coach bench-moves``: move detection on each labelled set, with a keyword baseline beside it.

The sets, in the order they are printed:

- the own held-out set, written by the people who wrote the rules and the training data;
- the second author's social replies;
- the independent development part, and a second one by five more writers (tune on these);
- the independent test part, only with ``--release``: it is scored to report a release, never
  to tune.

The independent sets carry each message's writer, so the report shows one figure per writer,
and overfitting to one style shows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from bot.bench import BenchError
from bot.bench.agreement import agreement, agreement_lines
from bot.bench.evaluation import MIN_SUPPORT, evaluate, keyword_baseline, p50_p95, per_move_table, summary_line
from bot.bench.overlap import folded_sentences
from bot.domain.moves.detector import MoveDetector
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
OWN_HELDOUT = DATA / "moves_heldout.jsonl"
SETS = {
    "own held-out": OWN_HELDOUT,
    "second author (social replies)": DATA / "moves_social.jsonl",
    "independent dev": DATA / "moves_independent_dev.jsonl",
    "independent dev 2": DATA / "moves_independent_dev2.jsonl",
    "independent dev 3": DATA / "moves_independent_dev3.jsonl",
    "independent dev 4": DATA / "moves_independent_dev4.jsonl",
}
RELEASE_SET = ("independent test", DATA / "moves_independent_test.jsonl")
# The four independent dev parts are also training examples of the classifier (data/nlu/), so their
# own figures are fits; the honest dev figure trains on one part and scores the other (docs/move-detection.md).
DEV_PARTS = tuple(name for name in SETS if name.startswith("independent dev"))
DEV_EXAMPLES = PROJECT_ROOT / "data" / "nlu" / "independent_dev.yml"
DEV_EXAMPLES_HEADER = (
    "# The four independent dev parts (tests/data/moves_independent_dev.jsonl, _dev2, _dev3 and _dev4) as training\n"
    "# examples, written by `coach bench-moves --write-dev-examples`; a test keeps them equal. Never edit by hand.\n"
)
RECALL_TARGET = 0.75

Detect = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class LabelledSet:
    name: str
    path: Path
    rows: List[Dict]

    @property
    def pairs(self) -> List[Tuple[str, List[str]]]:
        return [(row["text"], list(row.get("moves", []))) for row in self.rows]

    def writers(self) -> List[str]:
        return sorted({row["writer"] for row in self.rows if row.get("writer")})

    def of_writer(self, writer: str) -> List[Tuple[str, List[str]]]:
        return [(row["text"], list(row.get("moves", []))) for row in self.rows if row.get("writer") == writer]


def read_set(name: str, path: Path) -> LabelledSet:
    rows = []
    try:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if not isinstance(row.get("text"), str):
                    raise ValueError(f"line {number} has no text")
                rows.append(row)
    except (OSError, ValueError) as exc:
        raise BenchError(f"cannot read the test set {path}: {exc}")
    return LabelledSet(name, Path(path), rows)


def chosen_sets(test_set: Optional[str], release: bool) -> List[LabelledSet]:
    if test_set:
        return [read_set(Path(test_set).name, Path(test_set))]
    named = list(SETS.items()) + ([RELEASE_SET] if release else [])
    return [read_set(name, path) for name, path in named if path.is_file() or name == "own held-out"]


def _shown(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(PROJECT_ROOT)) if resolved.is_relative_to(PROJECT_ROOT) else str(path)


def _latency_ms(detect: Detect, texts: Sequence[str]) -> Tuple[float, float]:
    """p50 and p95 milliseconds of one ``detect(text)`` call over the messages."""
    latencies = []
    for text in texts:
        start = time.perf_counter()
        detect(text)
        latencies.append((time.perf_counter() - start) * 1000)
    return p50_p95(latencies)


def writer_lines(labelled: LabelledSet, detect: Detect) -> List[str]:
    """One line per writer: their message count, the detector's and the baseline's macro-F1."""
    if not labelled.writers():
        return []
    lines = [f"{'writer':<12}{'messages':>9}{'macro-F1':>10}{'baseline':>10}   (moves with >={MIN_SUPPORT} examples)"]
    for writer in labelled.writers():
        subset = labelled.of_writer(writer)
        chosen, baseline = evaluate(detect, subset), evaluate(keyword_baseline, subset)
        lines.append(
            f"{writer:<12}{len(subset):>9}{chosen['macro_f1_supported']:>10.3f}{baseline['macro_f1_supported']:>10.3f}"
        )
    return lines


def weak_recall_line(result: Dict) -> str:
    weak = [
        f"{move} {result['per_move'][move]['recall']:.2f}"
        for move in result["supported_moves"]
        if result["per_move"][move]["recall"] < RECALL_TARGET
    ]
    return f"moves with recall under {RECALL_TARGET}: " + (", ".join(weak) if weak else "none")


def report_set(labelled: LabelledSet, detector: MoveDetector, alternatives: bool) -> Dict:
    """Print one set's tables; return the detector's result on it."""
    data = labelled.pairs
    chosen = evaluate(lambda t: detector.detect(t).moves, data)
    baseline = evaluate(keyword_baseline, data)
    print(f"== {labelled.name}: {_shown(labelled.path)} ({len(data)} messages)\n")
    print("\n".join(per_move_table(chosen, baseline, "baseline f1")) + "\n")
    rows = [("chosen (rules + classifier)", chosen), ("keyword baseline", baseline)]
    if alternatives:
        for mode in ("rules", "model"):
            alt = MoveDetector(detector.classifier, mode=mode, threshold=detector.threshold)
            rows.append((f"alternative: {mode} only", evaluate(lambda t, alt=alt: alt.detect(t).moves, data)))
    for label, result in rows:
        print(summary_line(label, result))
    print(weak_recall_line(chosen))
    lines = writer_lines(labelled, lambda t: detector.detect(t).moves)
    if lines:
        print("\nper writer\n" + "\n".join(lines))
    if labelled.rows and all("annotator_a" in row and "annotator_b" in row for row in labelled.rows):
        print("\nagreement between the two annotators, before adjudication\n")
        print("\n".join(agreement_lines(agreement(labelled.rows))))
    print()
    return chosen


def gap_line(results: Dict[str, Dict]) -> Optional[str]:
    own = results.get("own held-out")
    other_name = "independent test" if "independent test" in results else "independent dev"
    other = results.get(other_name)
    if not own or not other:
        return None
    gap = own["macro_f1_supported"] - other["macro_f1_supported"]
    return (
        f"gap, own held-out minus {other_name}: {gap:+.3f} macro-F1 "
        f"({own['macro_f1_supported']:.3f} vs {other['macro_f1_supported']:.3f}, moves with >={MIN_SUPPORT} examples)"
    )


def throughput_line(texts: Sequence[str], model: Optional[str]) -> str:
    payload = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "bot", "detect"] + (["--model", str(model)] if model else []),
        input=payload,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise BenchError("coach detect failed: " + run.stderr.strip()[:300])
    return (
        f"`coach detect` on {len(texts)} messages: {elapsed:.2f} s = "
        f"{len(texts) / elapsed:.0f} messages/s (including start-up)"
    )


def write_errors(path: str, sets: Sequence[LabelledSet], detector: MoveDetector) -> None:
    """The misses of every set, one JSON line each, with the set and the writer."""
    with open(path, "w", encoding="utf-8") as out:
        for labelled in sets:
            for row in labelled.rows:
                pred = sorted(detector.detect(row["text"]).moves)
                gold = sorted(row.get("moves", []))
                if pred != gold:
                    miss = {"set": labelled.name, "writer": row.get("writer"), "text": row["text"]}
                    out.write(json.dumps({**miss, "gold": gold, "pred": pred}, ensure_ascii=False) + "\n")
    print(f"errors written to {path}")


def dev_examples_yaml() -> str:
    """The NLU YAML of every dev message with its decided moves, in the sets' order. A message
    that shares a sentence with the own held-out set is left out, so that set stays unseen."""
    import yaml

    held_out = {f for row in read_set("own held-out", OWN_HELDOUT).rows for f in folded_sentences(row["text"], 4)}
    examples = []
    for name in DEV_PARTS:
        for row in read_set(name, SETS[name]).rows:
            if held_out.intersection(folded_sentences(row["text"], 4)):
                continue
            examples.append({"text": row["text"], "metadata": {"moves": list(row.get("moves", []))}})
    body = {"version": "3.1", "nlu": [{"intent": "learner_message", "examples": examples}]}
    return DEV_EXAMPLES_HEADER + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)


def run(detector: MoveDetector, args) -> int:
    sets = chosen_sets(args.test_set, args.release)
    results = {labelled.name: report_set(labelled, detector, args.alternatives) for labelled in sets}
    gap = gap_line(results)
    if gap:
        print(gap + "\n")
    texts = [row["text"] for row in sets[0].rows]
    p50, p95 = _latency_ms(detector.detect, texts)
    print(f"in-process latency per message on {sets[0].name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(throughput_line(texts, args.model))
    if args.errors:
        write_errors(args.errors, sets, detector)
    return 0
