"""Scoring a conversation against the complaint-handling models, flags and feedback."""
