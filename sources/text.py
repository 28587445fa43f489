"""Third-party text made plain: feeds put HTML, scripts and control characters in titles.

Everything an item shows is reduced to plain text here (tags dropped, script and style
content dropped, entities decoded, whitespace collapsed, length capped); escaping for
Telegram happens later, in render/, like for every other text.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

TITLE_MAX = 300
SUMMARY_MAX = 600
_SPACES = re.compile(r"\s+")
# C0/C1 controls, bidi overrides and zero-width characters: nothing a reader should get.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_KEY_WORD = re.compile(r"\w+")
# Elements whose content is never visible text, then any tag or comment. Regular expressions
# are enough: the result is plain text that is escaped again before anyone sees it, so a
# stray "<" left by broken markup is shown as a "<", never interpreted.
_INVISIBLE_ELEMENTS = re.compile(
    r"<(script|style|noscript|template|iframe|object|svg|head)\b.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
# Every match succeeds (a missing ">" ends the tag at the end of the text), so the scan stays
# linear however hostile the markup.
_TAG = re.compile(
    r"<!--.*?(?:-->|$)|<[!?][^>]*(?:>|$)|<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*(?:>|$)", re.DOTALL
)
_BREAKS = {"br", "p", "div", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
RAW_FACTOR = 40  # markup kept per visible character, at most: bounds the work per field


def _tag_gap(match: re.Match[str]) -> str:
    name = (match.group(2) or "").lower()
    return " " if name in _BREAKS else ""


def plain_text(value: str | None, limit: int) -> str:
    """Visible text of an HTML or plain fragment, on one line, at most `limit` characters."""
    if not value:
        return ""
    value = value[: limit * RAW_FACTOR]
    if "<" in value:
        value = _TAG.sub(_tag_gap, _INVISIBLE_ELEMENTS.sub(" ", value))
    value = unescape(value)
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    value = _SPACES.sub(" ", value).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def title_key(title: str) -> str:
    """The words of a title, lower-cased: what near-duplicate detection compares."""
    return " ".join(_KEY_WORD.findall(title.casefold()))
