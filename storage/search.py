"""Full-text search over every summary and note (SQLite FTS5, index kept by triggers).

The user's words are never passed to FTS5 as syntax: each word is quoted, so quotes, AND/OR/
NEAR, `*` and parentheses are searched for as plain words (or ignored) instead of failing.
The index holds each entry's summary, its translation and `search_words`, the lemmas of their
Ukrainian words (language/word_forms.py): an English word matches by porter stem and prefix,
a Ukrainian one also by lemma, so "полонені" finds "полоненими".

A search costs the same however large the history grows: only the newest MAX_MATCHES matches
are counted and ranked (FTS5 hands them over newest first and stops there). "/search a", a
prefix of nearly every word, used to count and sort every entry ever recorded.
"""

import re
from typing import Any

from pydantic import BaseModel
from sqlite_utils import Database

from language.word_forms import cyrillic_words, lemmas
from storage.history import COUNTED, entry_from_row
from storage.models import StatusEntry, title_in

# FTS5's highlight() wraps matches in these; control characters cannot come from Telegram text
# in practice, and a summary that contains them anyway is shown without highlighting.
_OPEN, _CLOSE = "\x01", "\x02"
# A word, apostrophes inside included (перемир'я), searched as one phrase.
_WORD = re.compile("\\w+(?:['\u2019\u02bc]\\w+)*")
# A word of stored text, apostrophes included (перемир'я), to mark when its lemma matched.
_TEXT_WORD = re.compile("[\\w'\u2019\u02bc]+")
MAX_TERMS = 16
MAX_MATCHES = 1000  # newest matches counted and ranked; beyond, "more than 1000 matches"

# Newest first by rowid, the order FTS5 keeps its index in, so the LIMIT ends the scan early.
_SEARCH_SQL = f"""
SELECT h.*, c.slug AS c_slug, c.title AS c_title, c.title_uk AS c_title_uk,
       bm25(status_history_fts) AS score,
       highlight(status_history_fts, 0, char(1), char(2)) AS marked,
       highlight(status_history_fts, 1, char(1), char(2)) AS marked_translation
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
    channel_title_uk: str | None = None
    # True when the words matched the entry's translation, not its summary: `fragments` are
    # then the translation's, so the reader sees why it was found.
    in_translation: bool = False

    def channel_title_in(self, language: str) -> str:
        """The channel's title in `language` ("uk" or "en"); English when there is no other."""
        return title_in(language, self.channel_title, self.channel_title_uk)


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


def _quoted(word: str) -> str:
    return '"{}"'.format(word.replace('"', '""'))


def _term_expression(term: str) -> str:
    # Every word quoted (so it is never an operator) and a prefix, so "swap" finds "swaps";
    # a Ukrainian word also matches any form of its lemmas.
    prefix = f"{_quoted(term)}*"
    forms = [form for word in cyrillic_words(term) for form in lemmas(word)]
    if not forms:
        return prefix
    return "(" + " OR ".join([prefix, *(f"search_words : {_quoted(f)}" for f in forms)]) + ")"


def _match_expression(terms: list[str]) -> str:
    return " AND ".join(_term_expression(term) for term in terms)


def _query_lemmas(terms: list[str]) -> set[str]:
    return {form for term in terms for word in cyrillic_words(term) for form in lemmas(word)}


def _mark_word_forms(pieces: list[Fragment], wanted: set[str]) -> list[Fragment]:
    """Also mark the words FTS matched by lemma (its highlight() sees the text columns only)."""
    if not wanted:
        return pieces
    marked: list[Fragment] = []
    for piece in pieces:
        if piece.matched:
            marked.append(piece)
            continue
        start = 0
        for found in _TEXT_WORD.finditer(piece.text):
            words = cyrillic_words(found.group())
            if not words or not wanted.intersection(lemmas(words[0])):
                continue
            if found.start() > start:
                marked.append(Fragment(text=piece.text[start : found.start()], matched=False))
            marked.append(Fragment(text=found.group(), matched=True))
            start = found.end()
        if start < len(piece.text):
            marked.append(Fragment(text=piece.text[start:], matched=False))
    return marked


def _fragments(marked: str | None, plain: str | None, wanted: set[str]) -> list[Fragment]:
    if plain is None:
        return []
    if marked is None or _OPEN in plain or _CLOSE in plain:
        return [Fragment(text=plain, matched=False)]
    pieces: list[Fragment] = []
    for index, part in enumerate(re.split(f"[{_OPEN}{_CLOSE}]", marked)):
        if part:
            pieces.append(Fragment(text=part, matched=index % 2 == 1))
    return _mark_word_forms(pieces, wanted)


def _hit(row: dict[str, Any], wanted: set[str]) -> SearchHit:
    summary = _fragments(row["marked"], row["summary"], wanted)
    translation = _fragments(row["marked_translation"], row["translation"], wanted)
    in_translation = not any(p.matched for p in summary) and any(p.matched for p in translation)
    return SearchHit(
        entry=entry_from_row(row),
        channel_slug=row["c_slug"],
        channel_title=row["c_title"],
        channel_title_uk=row["c_title_uk"],
        fragments=translation if in_translation else summary,
        in_translation=in_translation,
    )


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
    wanted = _query_lemmas(terms)
    hits = [_hit(row, wanted) for row in found[:limit]]
    return SearchResults(terms=terms, total=len(found), hits=hits, more=more)
