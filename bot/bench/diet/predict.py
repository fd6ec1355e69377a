"""Parse messages with a trained Rasa NLU model. Run only as a script, in a subprocess.

``coach bench-diet`` (bot/bench/diet/bench.py) runs this file by path with the venv's Python;
nothing imports it, so Rasa stays out of the ``bot`` package's imports. One process loads
the model once and parses every message, timing each parse.

usage: python bot/bench/diet/predict.py MODEL TEXTS_JSONL OUT_JSON
  TEXTS_JSONL  one {"text": ...} per line
  OUT_JSON     {"load_seconds", "warmup_ms", "predictions": [{"intent", "confidence", "ms"}, ...]}
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Dict, List

# Parses before timing starts: the first calls build TensorFlow's graph.
WARMUP_MESSAGES = 3


async def parse_all(model: str, texts: List[str]) -> Dict:
    from rasa.core.agent import Agent  # only here: this file runs in its own process
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # as `rasa run --quiet`: without this every parse is also logged at debug level
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    start = time.perf_counter()
    agent = Agent.load(model)
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts[:WARMUP_MESSAGES]:
        await agent.parse_message(text)
    warmup_ms = (time.perf_counter() - start) * 1000
    predictions = []
    for text in texts:
        start = time.perf_counter()
        parsed = await agent.parse_message(text)
        elapsed_ms = (time.perf_counter() - start) * 1000
        intent = parsed.get("intent") or {}
        predictions.append(
            {"intent": intent.get("name"), "confidence": float(intent.get("confidence") or 0.0), "ms": elapsed_ms}
        )
    return {"load_seconds": load_seconds, "warmup_ms": warmup_ms, "predictions": predictions}


def main(argv: List[str]) -> int:
    if len(argv) != 3:
        print("usage: python bot/bench/diet/predict.py MODEL TEXTS_JSONL OUT_JSON", file=sys.stderr)
        return 2
    model, texts_path, out_path = argv
    texts = [
        json.loads(line)["text"] for line in Path(texts_path).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    result = asyncio.run(parse_all(model, texts))
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
