"""Where things are: the repository, the trained model, the screenshots."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "coach.tar.gz"
ARTIFACTS = ROOT / "tests" / "artifacts"
