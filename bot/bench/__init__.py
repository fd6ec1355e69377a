"""Benchmarks: commands that print figures (quality, speed, load). None of them is a timed test."""

from pathlib import Path
from typing import List, Tuple


class BenchError(Exception):
    """A benchmark could not run; the command line prints it as one clear line."""


def frozen_sets(dev: Path, test: Path, release: bool) -> List[Tuple[str, Path]]:
    """The frozen parts a quality benchmark scores: dev always, the held-out test part only for a release."""
    return [("dev", dev)] + ([("test (held out)", test)] if release else [])
