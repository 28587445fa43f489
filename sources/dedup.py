"""The same report from several sources becomes one inbox entry ("3 sources report this").

Two items are the same report when they share a link or a GUID, or when their titles are
nearly the same (rapidfuzz token-sort ratio of at least NEAR_TITLE), within a recent window.
Comparing every title with every other would be quadratic, so candidates are first narrowed
by shared distinctive words (an inverted index that ignores words too common to tell
reports apart), and only those are compared.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rapidfuzz import fuzz

NEAR_TITLE = 90.0
MIN_WORD = 4
COMMON_WORD_POSTINGS = 400  # a word in this many titles tells nothing about sameness
MAX_CANDIDATES = 200


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
        return {word for word in key.split() if len(word) >= MIN_WORD}

    def add(self, item_id: int, cluster_id: int, key: str) -> None:
        """Remember an item's normalised title (see sources.text.title_key)."""
        if item_id in self._keys or not key:
            return
        self._keys[item_id] = key
        self._clusters[item_id] = cluster_id
        for word in self._words(key):
            self._postings[word].append(item_id)

    def find(self, key: str) -> int | None:
        """The cluster of a remembered title nearly the same as `key`, or None."""
        words = self._words(key)
        if len(words) < 2:
            return None  # one-word titles ("Update") are not evidence of the same report
        shared: Counter[int] = Counter()
        for word in words:
            postings = self._postings.get(word)
            if postings and len(postings) <= COMMON_WORD_POSTINGS:
                shared.update(postings)
        need = max(1, len(words) // 2)
        best_id, best_score = None, 0.0
        for item_id, count in shared.most_common(MAX_CANDIDATES):
            if count < need:
                break
            score = fuzz.token_sort_ratio(key, self._keys[item_id], score_cutoff=NEAR_TITLE)
            if score > best_score:
                best_id, best_score = item_id, score
        return None if best_id is None else self._clusters[best_id]
