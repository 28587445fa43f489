"""Closest-match suggestions for mistyped commands and channel names."""

import difflib


def closest(word: str, choices: list[str]) -> str | None:
    """The single most similar choice, or None when nothing is close enough to be helpful."""
    matches = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return matches[0] if matches else None
