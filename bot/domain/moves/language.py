"""The spaCy layer: a blank English pipeline with a sentencizer and the lookup lemmatizer.

No trained spaCy model is used (none can be downloaded here, and none is needed): the
tokenizer, the rule-based sentencizer and the lemma lookup table from ``spacy-lookups-data``
are enough for the ``Matcher`` patterns in ``data/patterns/`` and for the classifier's lemma
features. Everything is offline and deterministic.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any, Tuple


def _import_spacy() -> Any:
    """Import spaCy without letting thinc import TensorFlow.

    thinc probes for TensorFlow at import time, which costs about five seconds and is never
    used by a blank pipeline. When TensorFlow is not loaded yet (``coach detect``, the tests),
    the probe is made to fail; the block is lifted straight after, so a later real import of
    TensorFlow (Rasa's) is unaffected.
    """
    blocked = "tensorflow" not in sys.modules
    if blocked:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        if blocked and sys.modules.get("tensorflow", 0) is None:
            del sys.modules["tensorflow"]
    return spacy


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The shared blank English pipeline (built once per process)."""
    spacy = _import_spacy()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def matcher_classes() -> Tuple[Any, Any]:
    """spaCy's ``Matcher`` and ``PhraseMatcher``, imported the same way as the pipeline."""
    _import_spacy()
    from spacy.matcher import Matcher, PhraseMatcher

    return Matcher, PhraseMatcher


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    return pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The lookup lemma of one lowercased word ("delayed" -> "delay"); the word itself when unknown."""
    return str(_lemma_table().get(word, word))
