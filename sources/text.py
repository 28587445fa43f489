"""Third-party text made plain: feeds put HTML, scripts and control characters in titles.

Everything an item shows is reduced to plain text here (tags dropped, script and style
content dropped, entities decoded, whitespace collapsed, length capped); escaping for
Telegram happens later, in render/, like for every other text.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

TITLE_MAX = 300
SUMMARY_MAX = 600
_SPACES = re.compile(r"\s+")
# C0/C1 controls, bidi overrides and zero-width characters: nothing a reader should get.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_KEY_WORD = re.compile(r"\w+")
_SKIPPED = {"script", "style", "noscript", "template", "iframe", "object", "svg", "head"}
_BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


class _TextOnly(HTMLParser):
    """Collects the visible text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(value: str | None, limit: int) -> str:
    """Visible text of an HTML or plain fragment, on one line, at most `limit` characters."""
    if not value:
        return ""
    if "<" in value:
        parser = _TextOnly()
        try:
            parser.feed(value)
            parser.close()
            value = "".join(parser.parts)
        except (AssertionError, ValueError):  # hopeless markup: keep text between tags
            value = re.sub(r"<[^>]*>", " ", value)
    else:
        value = unescape(value)
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    value = _SPACES.sub(" ", value).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def title_key(title: str) -> str:
    """The words of a title, lower-cased: what near-duplicate detection compares."""
    return " ".join(_KEY_WORD.findall(title.casefold()))
