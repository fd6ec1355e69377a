"""Loading the move detector from a trained Rasa model archive, without Rasa.

``rasa train`` stores the classifier's weights and the component's config in
``models/coach.tar.gz``; ``coach detect`` and the benchmark read the same
files, so they give exactly what live chat gives.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Optional

import numpy as np

from bot.domain.moves.classifier import FILE_VOCAB, FILE_WEIGHTS, MoveClassifier
from bot.domain.moves.detector import MoveDetector
from bot.settings import settings

COMPONENT = "bot.adapters.nlu_component.MoveDetectorComponent"


class ModelError(Exception):
    """The trained model is missing or unreadable."""


def load_detector(model_path: Optional[Path] = None) -> MoveDetector:
    path = Path(model_path or settings().model)
    if not path.is_file():
        raise ModelError(f"no trained model at {path}; run `make model` (or `make run`) first")
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = {m.name.lstrip("/"): m for m in archive.getmembers()}
            metadata = json.load(archive.extractfile(members["metadata.json"]))
            node = next(v for k, v in metadata["predict_schema"]["nodes"].items() if v.get("uses") == COMPONENT)
            resource = node["resource"]["name"]
            vocab = json.load(archive.extractfile(members[f"components/{resource}/{FILE_VOCAB}"]))
            weights = np.load(io.BytesIO(archive.extractfile(members[f"components/{resource}/{FILE_WEIGHTS}"]).read()))
    except (tarfile.TarError, KeyError, StopIteration, ValueError, OSError) as exc:
        raise ModelError(f"cannot read the move detector from {path}: {exc}") from exc
    classifier = MoveClassifier({f: i for i, f in enumerate(vocab["features"])}, weights, vocab["labels"])
    config = node.get("config", {})
    return MoveDetector(classifier, mode=config.get("mode", "hybrid"), threshold=float(config.get("threshold", 0.5)))
