"""Closest-match suggestions for mistyped commands and channel names."""

import difflib

# Longer input is no name anyone mistyped; comparing it would only cost time.
WORD_MAX = 64


def closest(word: str, choices: list[str]) -> str | None:
    """The single most similar choice, or None when nothing is close enough to be helpful."""
    if len(word) > WORD_MAX:
        return None
    matches = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return matches[0] if matches else None
