"""Which channel an item is about, with a score: the vocabulary question routing uses.

Channels are recognised by the same terms readers' questions are (title, slug, aliases,
keywords, with English and Ukrainian word forms and typos), through language.routing, so a
channel's keywords serve both. A title word counts double: headlines say what a report is
about, summaries wander.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from language.routing import ChannelMatch, Router, normalize

TITLE_WEIGHT = 2.0
MIN_SCORE = 1.0  # one exact word in the summary, or a near one in the title
SUMMARY_WORDS = 60


@dataclass(frozen=True, slots=True)
class ChannelTerms:
    """What matching needs of a channel; hashable (matchers are cached) and picklable."""

    id: int
    slug: str
    title: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """The best channel for an item (None: nothing matched) and its score."""

    channel_id: int | None
    score: float


class Matcher:
    """Scores items against a fixed set of channels, remembering word scores between items."""

    def __init__(self, channels: Sequence[ChannelTerms]) -> None:
        self.channels = list(channels)
        self._router = Router(self.channels)
        self._index = {channel.slug: channel.id for channel in self.channels}
        self._titles: dict[str, list[ChannelMatch]] = {}

    MAX_REMEMBERED_TITLES = 16384

    def _title_scores(self, title: str) -> list[ChannelMatch]:
        # The same story comes from many feeds under the same headline: score it once.
        found = self._titles.get(title)
        if found is None:
            if len(self._titles) >= self.MAX_REMEMBERED_TITLES:
                self._titles.clear()
            found = self._titles[title] = self._router.score_channels(normalize(title))
        return found

    def match(self, title: str, summary: str, allowed: Sequence[int] = ()) -> Match:
        """Best channel among `allowed` (all when empty); a source's own channel as fallback."""
        totals: dict[int, float] = {}
        router = self._router
        for found_in, weight in (
            (self._title_scores(title), TITLE_WEIGHT),
            (router.score_channels(normalize(summary)[:SUMMARY_WORDS]), 1.0),
        ):
            for found in found_in:
                channel_id = self._index[found.slug]
                totals[channel_id] = totals.get(channel_id, 0.0) + weight * found.score
        if allowed:
            totals = {cid: score for cid, score in totals.items() if cid in allowed}
        best = max(totals.items(), key=lambda pair: pair[1], default=None)
        if best is not None and best[1] >= MIN_SCORE:
            return Match(best[0], round(best[1], 2))
        if allowed:
            # A source followed for one channel reports on it even in words we do not know.
            return Match(allowed[0], 0.0)
        return Match(None, 0.0)
