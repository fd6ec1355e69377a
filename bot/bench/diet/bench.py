"""Rasa's DIETClassifier on the move benchmark: build the data, train, parse, score.

Each training example's move set becomes one multi-intent name, joined with "+" in the
order of ``MOVES`` (no moves: "none"), so DIET can only answer with move sets it saw in
training. Rasa runs in subprocesses only: ``rasa train nlu``, then ``predict.py`` as a script.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from bot.adapters.model_archive import ModelError, load_detector
from bot.bench import BenchError
from bot.bench.evaluation import evaluate, p50_p95, per_move_table, read_jsonl, summary_line
from bot.domain.moves.training import read_nlu_examples
from bot.domain.vocabulary import MOVES
from bot.ops.servers import child_env
from bot.settings import PROJECT_ROOT

NO_MOVES = "none"
SPLIT_SYMBOL = "+"
WORK_ROOT = PROJECT_ROOT / "var" / "bench"
PREDICT_SCRIPT = Path(__file__).resolve().with_name("predict.py")
MOVE_ORDER = {move: index for index, move in enumerate(MOVES)}


def moves_to_intent(moves: Sequence[str]) -> str:
    """{"ask_question", "apologize"} -> "apologize+ask_question"; no moves -> "none"."""
    unknown = set(moves) - set(MOVES)
    if unknown:
        raise ValueError(f"unknown move(s): {', '.join(sorted(unknown))}")
    return SPLIT_SYMBOL.join(sorted(set(moves), key=MOVE_ORDER.get)) or NO_MOVES


def intent_to_moves(intent: str) -> List[str]:
    """The inverse of ``moves_to_intent``: "apologize+ask_question" -> ["apologize", "ask_question"]."""
    if intent == NO_MOVES:
        return []
    moves = intent.split(SPLIT_SYMBOL)
    unknown = set(moves) - set(MOVES)
    if unknown:
        raise ValueError(f"unknown move(s) in intent {intent!r}: {', '.join(sorted(unknown))}")
    return sorted(set(moves), key=MOVE_ORDER.get)


def nlu_yaml(examples: Sequence[Tuple[str, Sequence[str]]]) -> str:
    """Rasa NLU training data: one intent per move set, in order of first appearance."""
    by_intent: Dict[str, List[dict]] = defaultdict(list)
    for text, moves in examples:
        by_intent[moves_to_intent(moves)].append({"text": text})
    data = {"version": "3.1", "nlu": [{"intent": name, "examples": rows} for name, rows in by_intent.items()]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def diet_config(epochs: int) -> str:
    """A stock Rasa pipeline (no spaCy) with multi-intent tokenization and DIET."""
    return f"""recipe: default.v1
language: en
assistant_id: coach-diet-bench
pipeline:
  - name: WhitespaceTokenizer
    intent_tokenization_flag: true
    intent_split_symbol: "{SPLIT_SYMBOL}"
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    constrain_similarities: true
    entity_recognition: false
    random_seed: 1
policies: []
"""


def _rasa() -> List[str]:
    """The venv's ``rasa`` next to this interpreter (``python -m rasa`` when there is none)."""
    script = Path(sys.executable).with_name("rasa")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "rasa"]


def _run(command: List[str], work: Path, log_name: str, what: str) -> float:
    """Run a step in ``work`` with its output in a log there; seconds taken."""
    log = work / log_name
    start = time.perf_counter()
    with open(log, "wb") as out:
        run = subprocess.run(command, cwd=work, env=child_env(), stdout=out, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:])
        raise BenchError(f"{what} failed (exit {run.returncode}); log: {log}\n{tail}")
    return elapsed


def _chosen_result(data):
    """The chosen pipeline's metrics from models/coach.tar.gz, or None when it can't be loaded."""
    try:
        detector = load_detector(None)
    except (ModelError, OSError) as exc:
        print(f"(chosen pipeline not compared: {exc})", file=sys.stderr)
        return None
    return evaluate(lambda t: detector.detect(t).moves, data)


def run_command(args) -> int:
    try:
        data = read_jsonl(Path(args.test_set))
    except (OSError, ValueError, KeyError) as exc:
        raise BenchError(f"cannot read the test set {args.test_set}: {exc}")
    examples = read_nlu_examples(sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")))
    trained_intents = {moves_to_intent(moves) for _, moves in examples}
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="diet-", dir=WORK_ROOT))
    (work / "nlu.yml").write_text(nlu_yaml(examples), encoding="utf-8")
    (work / "config.yml").write_text(diet_config(args.epochs), encoding="utf-8")
    (work / "texts.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t, _ in data), encoding="utf-8")
    keep = args.keep
    try:
        print(
            f"Training DIETClassifier ({args.epochs} epochs) on {len(examples)} examples as "
            f"{len(trained_intents)} multi-intents in {work} (several minutes)...",
            file=sys.stderr,
            flush=True,
        )
        train_seconds = _run(
            _rasa()
            + [
                "train",
                "nlu",
                "--config",
                "config.yml",
                "--nlu",
                "nlu.yml",
                "--out",
                "models",
                "--fixed-model-name",
                "diet",
            ],
            work,
            "train.log",
            "rasa train nlu",
        )
        print(f"Parsing {len(data)} held-out messages in one process...", file=sys.stderr, flush=True)
        parse_seconds = _run(
            [sys.executable, str(PREDICT_SCRIPT), "models/diet.tar.gz", "texts.jsonl", "predictions.json"],
            work,
            "predict.log",
            "parsing with the DIET model",
        )
        parsed = json.loads((work / "predictions.json").read_text(encoding="utf-8"))
    except BenchError:
        keep = True  # the work directory holds the logs the message points to
        raise
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    predictions = parsed["predictions"]
    if len(predictions) != len(data):
        raise BenchError(f"{len(predictions)} predictions for {len(data)} messages")
    answers = iter(intent_to_moves(p["intent"]) for p in predictions)  # evaluate() walks data in order
    diet = evaluate(lambda text: next(answers), data)
    chosen = _chosen_result(data)
    latencies = [p["ms"] for p in predictions]
    p50, p95 = p50_p95(latencies)
    unseen = sum(moves_to_intent(moves) not in trained_intents for _, moves in data)

    print(f"DIETClassifier (stock Rasa pipeline, multi-intent names) on {args.test_set} ({len(data)} messages)\n")
    print("\n".join(per_move_table(diet, chosen, "chosen f1")) + "\n")
    for label, result in (("DIETClassifier", diet), ("chosen (rules + classifier)", chosen)):
        if result:
            print(summary_line(label, result))
    print(
        f"\nheld-out messages whose move set never occurs in training (DIET cannot answer them exactly): "
        f"{unseen} of {len(data)}"
    )
    print(
        f"training: {len(examples)} examples, {len(trained_intents)} intents, {args.epochs} epochs, "
        f"`rasa train nlu` took {train_seconds:.1f} s (including Rasa start-up)"
    )
    print(
        f"parse latency per message (one process, after {min(3, len(data))} warm-up parses): "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
        f"{len(data) / (sum(latencies) / 1000):.0f} messages/s"
    )
    print(
        f"whole parsing run: {len(data)} messages in {parse_seconds:.1f} s = {len(data) / parse_seconds:.1f} "
        f"messages/s (including start-up and {parsed['load_seconds']:.1f} s to load the model)"
    )
    if args.keep:
        print(f"work directory kept: {work}")
    if args.errors:
        Path(args.errors).write_text("".join(json.dumps(e) + "\n" for e in diet["errors"]))
        print(f"errors written to {args.errors}")
    return 0
