"""OPML, the subscription list every feed reader imports and exports.

Reading goes through defusedxml like any feed (an OPML file is third-party XML too). Each
outline with an `xmlUrl` is a feed; Backchannel's own export adds `backchannelGrade` and
`backchannelChannels` (channel slugs), so an export imported elsewhere keeps them, while a
feed reader's file simply brings the feeds with the default grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BYTES = 5 * 1024 * 1024
MAX_FEEDS = 5_000


class OpmlError(Exception):
    """The file is not usable OPML; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed of an OPML file."""

    url: str
    title: str | None
    grade: str | None
    channels: tuple[str, ...]


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds listed in an OPML document, in order, without duplicates."""
    if len(data) > MAX_BYTES:
        raise OpmlError(f"the file is over {MAX_BYTES:,} bytes")
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise OpmlError("refused: the file declares XML entities") from None
    except ParseError as error:
        raise OpmlError(f"not valid XML ({error})") from None
    if root.tag.lower() != "opml":
        raise OpmlError("not an OPML file (the root element is not <opml>)")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (outline.get("title") or outline.get("text") or "").strip() or None
        channels = tuple(
            part.strip()
            for part in (outline.get("backchannelChannels") or "").split(",")
            if part.strip()
        )
        feeds.append(OpmlFeed(url, title, outline.get("backchannelGrade"), channels))
        if len(feeds) > MAX_FEEDS:
            raise OpmlError(f"more than {MAX_FEEDS:,} feeds")
    return feeds


def write_opml(feeds: Iterable[OpmlFeed], title: str = "Backchannel sources") -> str:
    """An OPML 2.0 document listing the feeds (escaping is the XML writer's)."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    for feed in feeds:
        attributes = {"type": "rss", "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attributes["title"] = feed.title
        if feed.grade:
            attributes["backchannelGrade"] = feed.grade
        if feed.channels:
            attributes["backchannelChannels"] = ",".join(feed.channels)
        SubElement(body, "outline", attributes)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"
