"""Closest-match suggestions for mistyped commands, channel names and time zones.

rapidfuzz is the project's one fuzzy matcher (question routing uses it too), so "close enough"
means the same thing everywhere.
"""

from collections.abc import Iterable

from rapidfuzz import fuzz, process

SUGGESTION_CUTOFF = 60  # percent similarity below which a suggestion confuses more than helps

# Longer input is no name anyone mistyped; comparing it would only cost time.
WORD_MAX = 64


def closest(word: str, choices: Iterable[str], cutoff: float = SUGGESTION_CUTOFF) -> str | None:
    """The single most similar choice, or None when nothing is close enough to be helpful.

    Ties are common ("kiyv" is one edit from both "kyiv" and "kiev"); the commonest typo is
    two swapped letters, so among equals the choice made of the same letters wins.
    """
    if len(word) > WORD_MAX:
        return None
    wanted = word.lower()
    found = process.extract(wanted, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5)
    if not found:
        return None
    letters = sorted(wanted)
    best = max(found, key=lambda match: (match[1], fuzz.ratio(letters, sorted(match[0]))))
    return best[0]
