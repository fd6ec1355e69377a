"""Move detection: which communicative acts a learner message performs."""

from bot.domain.moves.detector import Detection, MoveDetector, MoveHit
from bot.domain.vocabulary import MOVES

__all__ = ["MOVES", "Detection", "MoveDetector", "MoveHit"]
