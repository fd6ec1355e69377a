"""What every ``coach`` subcommand shares: one error type, argument parsing helpers, the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from bot.domain.scenarios import Library, default_library


class CliError(Exception):
    """An error reported as one clear line and a non-zero exit."""


def read_text(path: Optional[str]) -> str:
    if path in (None, "-"):
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        raise CliError(f"cannot read {path}: not UTF-8 text")


def library() -> Library:
    try:
        return default_library()
    except RuntimeError as exc:
        raise CliError(str(exc))


def whole_number(option: str, low: int = 1, high: Optional[int] = None):
    """An argparse ``type`` for a whole number in [low, high] that names ``option`` when out of range."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number")
        if number < low or (high is not None and number > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{option} must be {bound}")
        return number

    return parse
