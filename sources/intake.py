"""One item that did not come from a feed (a forwarded Telegram post) into the inbox.

Forwards get the same treatment as feed items: plain text, a channel match with a score,
and duplicate detection (same link or GUID, or a near-same title in the last days), so a
post an admin forwards after the feed already brought it joins the existing report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

import storage
from sources.dedup import TitleIndex
from sources.feeds import FeedEntry
from sources.poller import channel_terms, match_entries
from sources.text import SUMMARY_MAX, TITLE_MAX, plain_text, title_key

RECENT_TITLES = 5_000


@dataclass(frozen=True, slots=True)
class Post:
    """A forwarded post: where it came from, its link (when public) and its text."""

    guid: str
    link: str | None
    text: str
    posted_at: datetime


def split_post(text: str) -> tuple[str, str]:
    """A post's first line as its title, the rest as its summary (both plain text)."""
    first, _, rest = text.strip().partition("\n")
    title = plain_text(first, TITLE_MAX)
    summary = plain_text(rest, SUMMARY_MAX)
    if len(title) < 12 and summary:  # a one-word first line ("BREAKING") says too little
        title = plain_text(text, TITLE_MAX)
        summary = plain_text(rest, SUMMARY_MAX)
    return title, summary


def ingest(
    db: Database, source: storage.Source, post: Post, now: datetime, window_days: int = 3
) -> int | None:
    """Store the post as an inbox item of `source`; its id, or None if it was stored before."""
    title, summary = split_post(post.text)
    if not title:
        return None
    posted = min(post.posted_at, now)
    entry = FeedEntry(post.guid, post.link, title, title_key(title), summary, posted, None)
    channels = tuple(channel_terms(db))
    (match,) = match_entries([entry], channels, tuple(source.channel_ids))
    cluster = storage.cluster_by_link_or_guid(db, post.link, post.guid)
    if cluster is None:
        titles = TitleIndex()
        since = now - timedelta(days=window_days)
        for item_id, cluster_id, key in storage.recent_title_keys(db, since, RECENT_TITLES):
            titles.add(item_id, cluster_id, key)
        cluster = titles.find(entry.title_key)
    item = storage.NewItem(
        guid=post.guid, link=post.link, title=title, title_key=entry.title_key,
        summary=summary, published_at=posted, date_flag=None, channel_id=match.channel_id,
        score=match.score, cluster_id=cluster,
    )  # fmt: skip
    stored = storage.store_items(db, source.id, [item], now)
    return stored[0][0] if stored else None
