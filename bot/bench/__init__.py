"""Benchmarks: commands that print figures (quality, speed, load). None of them is a timed test."""


class BenchError(Exception):
    """A benchmark could not run; the command line prints it as one clear line."""
