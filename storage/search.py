"""Full-text search over every summary and note (SQLite FTS5, index kept by triggers).

The user's words are never passed to FTS5 as syntax: each word is quoted, so quotes, AND/OR/
NEAR, `*` and parentheses are searched for as plain words (or ignored) instead of failing.

A search costs the same however large the history grows: only the newest MAX_MATCHES matches
are counted and ranked (FTS5 hands them over newest first and stops there). "/search a", a
prefix of nearly every word, used to count and sort every entry ever recorded.
"""

import re

from pydantic import BaseModel
from sqlite_utils import Database

from storage.history import COUNTED, entry_from_row
from storage.models import StatusEntry

# FTS5's highlight() wraps matches in these; control characters cannot come from Telegram text
# in practice, and a summary that contains them anyway is shown without highlighting.
_OPEN, _CLOSE = "\x01", "\x02"
_WORD = re.compile(r"\w+")
MAX_TERMS = 16
MAX_MATCHES = 1000  # newest matches counted and ranked; beyond, "more than 1000 matches"

# Newest first by rowid, the order FTS5 keeps its index in, so the LIMIT ends the scan early.
_SEARCH_SQL = f"""
SELECT h.*, c.slug AS c_slug, c.title AS c_title, bm25(status_history_fts) AS score,
       highlight(status_history_fts, 0, char(1), char(2)) AS marked
FROM status_history_fts
JOIN status_history h ON h.id = status_history_fts.rowid
JOIN channels c ON c.id = h.channel_id
WHERE status_history_fts MATCH :query AND c.archived = 0 AND h.{COUNTED}
ORDER BY status_history_fts.rowid DESC LIMIT :cap
"""


class Fragment(BaseModel):
    """A piece of a summary, and whether it matched the search."""

    text: str
    matched: bool


class SearchHit(BaseModel):
    """One matching entry with its channel and its summary cut into marked fragments."""

    entry: StatusEntry
    channel_slug: str
    channel_title: str
    fragments: list[Fragment]


class SearchResults(BaseModel):
    """The words searched for, how many entries matched, and the first page of hits.

    With `more`, over `total` entries matched and only the newest `total` were looked at.
    """

    terms: list[str]
    total: int
    hits: list[SearchHit]
    more: bool = False


def search_terms(text: str) -> list[str]:
    """The words of a query as the index sees them; punctuation and operators are dropped."""
    return _WORD.findall(text)[:MAX_TERMS]


def _match_expression(terms: list[str]) -> str:
    # Every word quoted (so it is never an operator) and a prefix, so "swap" finds "swaps".
    return " ".join('"{}"*'.format(term.replace('"', '""')) for term in terms)


def _fragments(marked: str, plain: str) -> list[Fragment]:
    if _OPEN in plain or _CLOSE in plain:
        return [Fragment(text=plain, matched=False)]
    pieces: list[Fragment] = []
    for index, part in enumerate(re.split(f"[{_OPEN}{_CLOSE}]", marked)):
        if part:
            pieces.append(Fragment(text=part, matched=index % 2 == 1))
    return pieces


def search_entries(db: Database, text: str, limit: int) -> SearchResults:
    """Entries of active channels matching every word, newest day first.

    Within one day (UTC) the better match (FTS5's bm25) comes first, so recency decides the
    order and relevance breaks ties among entries of the same day. Only the newest
    MAX_MATCHES matches are considered (see the module docstring).
    """
    terms = search_terms(text)
    if not terms:
        return SearchResults(terms=[], total=0, hits=[])
    params = {"query": _match_expression(terms), "cap": MAX_MATCHES + 1}
    found = list(db.query(_SEARCH_SQL, params))
    more = len(found) > MAX_MATCHES
    del found[MAX_MATCHES:]
    # Stable sorts, least important key first: newest day, then best match, then newest entry.
    found.sort(key=lambda row: row["id"], reverse=True)
    found.sort(key=lambda row: row["score"])
    found.sort(key=lambda row: row["changed_at"][:10], reverse=True)
    hits = [
        SearchHit(
            entry=entry_from_row(row),
            channel_slug=row["c_slug"],
            channel_title=row["c_title"],
            fragments=_fragments(row["marked"], row["summary"]),
        )
        for row in found[:limit]
    ]
    return SearchResults(terms=terms, total=len(found), hits=hits, more=more)
