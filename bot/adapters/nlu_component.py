"""Rasa NLU adapter: runs the move detector inside Rasa's pipeline.

This is the only module in ``bot`` that imports Rasa, and only Rasa imports it
(``config.yml`` names it). For each message it sets:

- ``intent``: ``coach_command`` for a learner tool (``hint``, ``notes: ...``), else ``learner_message``;
- ``moves``: the learner moves, ``move_hits``: where each was found and why;
- ``coach_command``: the tool and its argument.

Rasa replaces the whole parse of a ``/intent{...}`` message, dropping these
keys, so the custom actions can tell a real parse from a typed command.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, METADATA, METADATA_EXAMPLE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import bot.domain.moves as moves_package
from bot.adapters.gc_pauses import freeze_startup_objects
from bot.domain.moves.classifier import MoveClassifier
from bot.domain.moves.detector import MoveDetector
from bot.domain.moves.patterns import PATTERNS_DIR
from bot.domain.moves.training import train_classifier
from bot.domain.session.commands import parse_command

logger = logging.getLogger(__name__)

LEARNER_MESSAGE = "learner_message"
COACH_COMMAND = "coach_command"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MoveDetectorComponent(GraphComponent, IntentClassifier):
    """Detects learner moves (multi-label) and learner tools."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"mode": "hybrid", "threshold": 0.5}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Optional[MoveClassifier] = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._detector = MoveDetector(
            classifier, mode=config.get("mode", "hybrid"), threshold=float(config.get("threshold", 0.5))
        )

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """The detector's source code and pattern files: Rasa's training cache keys on config and
        data only, so without this a change to the rules, patterns or features would reuse stale weights."""
        digest = hashlib.sha256()
        sources = sorted(Path(moves_package.__file__).parent.glob("*.py")) + sorted(PATTERNS_DIR.rglob("*.yml"))
        for path in sources:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MoveDetectorComponent":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = []
        for message in training_data.intent_examples:
            if message.get(INTENT) != LEARNER_MESSAGE:
                continue
            meta = (message.get(METADATA) or {}).get(METADATA_EXAMPLE) or {}
            examples.append((message.get(TEXT), list(meta.get("moves") or [])))
        classifier = train_classifier(examples)
        logger.info("Trained the move classifier on %d examples (%d features).", len(examples), len(classifier.vocab))
        with self._storage.write_to(self._resource) as directory:
            classifier.save(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "MoveDetectorComponent":
        try:
            with model_storage.read_from(resource) as directory:
                classifier = MoveClassifier.load(directory)
        except (ValueError, FileNotFoundError, OSError):
            logger.warning("No trained move classifier found; using the rule layer only.")
            classifier = None
        component = cls(config, model_storage, resource, classifier)
        freeze_startup_objects()  # the model is loaded: see bot/adapters/gc_pauses.py
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            command = parse_command(text)
            if command:
                moves: List[str] = []
                hits: List[Dict[str, Any]] = []
            else:
                detection = self._detector.detect(text)
                moves, hits = detection.moves, [asdict(hit) for hit in detection.hits]
            intent = COACH_COMMAND if command else LEARNER_MESSAGE
            message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
            message.set("intent_ranking", [{"name": intent, "confidence": 1.0}], add_to_output=True)
            message.set("moves", moves, add_to_output=True)
            message.set("move_hits", hits, add_to_output=True)
            message.set("coach_command", command.as_dict() if command else None, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
