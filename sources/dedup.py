"""The same report from several sources becomes one inbox entry ("3 sources report this").

Two items are the same report when they share a link or a GUID, or when their titles are
nearly the same (rapidfuzz token-sort ratio of at least NEAR_TITLE, and the same numbers:
"84 returned" and "85 returned" are two exchanges), within a recent window.
Comparing every title with every other would be quadratic, so candidates are first narrowed
by an inverted index (word -> titles): only titles sharing one of the two rarest words of
the new title are compared, and a word listed under too many titles says nothing.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import fuzz, process

NEAR_TITLE = 90.0
MIN_WORD = 4
COMMON_WORD_POSTINGS = 400  # a word in this many titles tells nothing about sameness
MAX_CANDIDATES = 200  # per word: the most recent titles listed under it
RAREST = 2


class TitleIndex:
    """Recent titles and their clusters; `find` answers the cluster of a near-same title."""

    def __init__(self) -> None:
        self._keys: dict[int, str] = {}
        self._clusters: dict[int, int] = {}
        self._postings: defaultdict[str, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._keys)

    @staticmethod
    def _words(key: str) -> set[str]:
        """Index words: each long word, tagged with the title's numbers.

        "84 detainees returned" and "85 detainees returned" are two reports, not one, so
        titles are only ever compared with titles carrying the same numbers.
        """
        split = key.split()
        numbers = " ".join(sorted({word for word in split if word.isdigit()}))
        return {
            f"{word}#{numbers}" for word in split if len(word) >= MIN_WORD and not word.isdigit()
        }

    def add(self, item_id: int, cluster_id: int, key: str) -> None:
        """Remember an item's normalised title (see sources.text.title_key)."""
        if item_id in self._keys or not key:
            return
        self._keys[item_id] = key
        self._clusters[item_id] = cluster_id
        for word in self._words(key):
            self._postings[word].append(item_id)

    def find(self, key: str) -> int | None:
        """The cluster of a remembered title nearly the same as `key`, or None.

        A near-same title shares all but a word or two, so it must contain one of the two
        rarest words of `key`: only titles listed under those are compared.
        """
        words = self._words(key)
        if len(words) < 2:
            return None  # one-word titles ("Update") are not evidence of the same report
        postings = sorted((self._postings.get(word, ()) for word in words), key=len)[:RAREST]
        if not postings[0]:
            postings = postings[1:]
        if not postings or len(postings[0]) > COMMON_WORD_POSTINGS:
            return None
        candidates: dict[int, str] = {}
        for listed in postings:
            for item_id in listed[-MAX_CANDIDATES:]:
                candidates[item_id] = self._keys[item_id]
        best = process.extractOne(
            key, candidates, scorer=fuzz.token_sort_ratio, score_cutoff=NEAR_TITLE
        )
        best_id = best[2] if best else None
        return None if best_id is None else self._clusters[best_id]
