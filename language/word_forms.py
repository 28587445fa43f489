"""Ukrainian word forms brought to their dictionary form, so /search finds every case ending.

FTS5's porter tokenizer stems English only: "полонені" never found "полоненими". pymorphy3
with its Ukrainian dictionary gives each Cyrillic word its lemmas (all readings, since a
summary cannot tell us which one is meant); the index stores them beside the text and queries
are lemmatised the same way. bench/NOTES.md compares it with Snowball (which has no Ukrainian
stemmer) on forms from the seed keywords and the source article. Latin words are left to
porter, which already handles English.
"""
# ruff: noqa: RUF001 (Ukrainian letters and apostrophes)

from __future__ import annotations

import functools
import re
import unicodedata

import pymorphy3

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+(?:['\u2019\u02bc][\u0400-\u04ff]+)*")
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u02bc`\u00b4\u2018", "'"))
# Words repeat endlessly across summaries; remembering them makes re-indexing a large history
# (a migration) cost one dictionary lookup per distinct word, not per occurrence.
_CACHE_WORDS = 65536


@functools.cache
def _analyzer() -> pymorphy3.MorphAnalyzer:
    # Loaded once, on first use (about 0.1-0.4 s): the bot starts without paying for it.
    return pymorphy3.MorphAnalyzer(lang="uk")


def cyrillic_words(text: str) -> list[str]:
    """The Cyrillic words of a text, lower-case, with one kind of apostrophe (перемир'я)."""
    folded = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).lower()
    return _CYRILLIC_WORD.findall(folded)


@functools.lru_cache(maxsize=_CACHE_WORDS)
def lemmas(word: str) -> tuple[str, ...]:
    """Every dictionary form a Cyrillic word may be a form of ("полоненими" → "полонений").

    The word itself when the dictionary does not know it, so nothing typed is lost.
    """
    word = word.lower()
    found = sorted({parse.normal_form.replace("ʼ", "'") for parse in _analyzer().parse(word)})
    return tuple(found) or (word,)


def index_words(*texts: str | None) -> str:
    """The lemmas of every Cyrillic word of the texts, space-separated, for the search index."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in cyrillic_words(text or ""):
            seen.update(dict.fromkeys(lemmas(word)))
    return " ".join(seen)
