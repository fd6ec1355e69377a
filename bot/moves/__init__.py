"""Move detection: which communicative acts a learner message performs."""

from bot.moves.labels import MOVES
from bot.moves.detector import Detection, MoveDetector, MoveHit

__all__ = ["MOVES", "Detection", "MoveDetector", "MoveHit"]
