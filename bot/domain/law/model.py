"""A learned second opinion on "this sentence gets this right wrong", beside the patterns.

The contradiction patterns in law.yml catch the wordings someone wrote down, and people get the
law wrong in endless ways. This linear model is trained on the dev statements
(data/course/law_examples.yml, written from tests/data/ by ``coach bench-law --write-dev-examples``)
and on ordinary learner messages that touch a right's topic without getting it wrong
(the NLU examples). Each (sentence, right) pair is seen through shared features, which say what
any wrong statement sounds like ("only", "policy", a number of days), and the same features
tagged with the right, which say what is wrong about this one.

Training takes about 20 seconds, so the model is kept in ``models/law/<hash>/``, where the hash
covers everything it is trained from and the code that trains it: a changed example, pattern, NLU
file or feature trains a new one.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, List, Literal, Sequence, Tuple

from pydantic import BaseModel, Extra, constr

from bot.domain.content import read_content
from bot.domain.moves import classifier as classifier_module
from bot.domain.moves import text as text_module
from bot.domain.moves.classifier import MoveClassifier, features
from bot.domain.moves.patterns import PatternError
from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

EXAMPLES_FILE = PROJECT_ROOT / "data" / "course" / "law_examples.yml"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
LABEL = "contradicts"
# A sentence is flagged when the model gives it at least this probability. Chosen on the dev
# parts, training on all but one and scoring that one: from 0.5 to 0.6 recall moved by 0.01 at
# most and precision rose by up to 0.05 (docs/benchmarks.md, "Legal accuracy").
THRESHOLD = 0.6
# The code a kept model depends on (its features and training): a change to it trains a new one.
CODE_FILES = tuple(Path(str(module.__file__)) for module in (classifier_module, text_module)) + (Path(__file__),)

Pair = Tuple[str, str]  # (normalised sentence, right id)


class LawExample(BaseModel):
    right: constr(min_length=1)  # type: ignore[valid-type]
    label: Literal["contradicts", "correct"]
    text: constr(min_length=1)  # type: ignore[valid-type]

    class Config:
        extra = Extra.forbid


class LawExamples(BaseModel):
    examples: List[LawExample]

    class Config:
        extra = Extra.forbid


def read_examples(path: Path = EXAMPLES_FILE) -> List[LawExample]:
    """The validated training statements; a broken file raises PatternError naming the file and field."""
    return read_content(path, LawExamples, PatternError).examples


def pair_features(normalised_sentence: str, right_id: str) -> List[str]:
    base = features(normalised_sentence, ())
    return base + [right_id + "|" + name for name in base]


class ContradictionModel:
    """P(the sentence contradicts the right), from a one-label ``MoveClassifier``."""

    def __init__(self, classifier: MoveClassifier, threshold: float = THRESHOLD):
        self.classifier = classifier
        self.threshold = threshold

    def probability(self, normalised_sentence: str, right_id: str) -> float:
        return self.classifier.probabilities(pair_features(normalised_sentence, right_id))[LABEL]

    def contradicts(self, normalised_sentence: str, right_id: str) -> bool:
        return self.probability(normalised_sentence, right_id) >= self.threshold

    @classmethod
    def train(cls, positives: Sequence[Pair], negatives: Sequence[Pair]) -> "ContradictionModel":
        samples = [pair_features(text, right_id) for text, right_id in list(positives) + list(negatives)]
        targets = [[LABEL]] * len(positives) + [[]] * len(negatives)
        return cls(MoveClassifier.train(samples, targets, labels=(LABEL,), random_state=0))


def fingerprint(paths: Iterable[Path]) -> str:
    """A short hash of the files' bytes and of the code that trains the model: the name of a kept model."""
    digest = hashlib.sha256()
    for path in sorted({Path(p) for p in paths} | set(CODE_FILES)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def kept_or_trained(store: Path, key: str, train: Callable[[], ContradictionModel]) -> ContradictionModel:
    """The model kept under ``store/key``, or a new one trained and kept there (written whole, then renamed)."""
    directory = store / key
    if directory.is_dir():
        try:
            return ContradictionModel(MoveClassifier.load(directory))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("the kept legal model in %s cannot be read (%s); training a new one", directory, exc)
            shutil.rmtree(directory, ignore_errors=True)
    log.info("training the legal-statement model (once; kept in %s)", directory)
    model = train()
    store.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=store, prefix=".training-"))
    model.classifier.save(scratch)
    try:
        scratch.rename(directory)
    except OSError:  # another process kept the same model first
        shutil.rmtree(scratch, ignore_errors=True)
    for stale in store.iterdir():  # models trained from files that have since changed
        if stale.is_dir() and stale.name != key and not stale.name.startswith("."):
            shutil.rmtree(stale, ignore_errors=True)
    return model


def nlu_files(directory: Path = NLU_DIR) -> List[Path]:
    return sorted(Path(directory).glob("*.yml"))
