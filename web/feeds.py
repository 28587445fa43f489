"""Atom feeds of status changes: one for every channel together and one per channel.

Written with ElementTree, which escapes every text and attribute, so a summary or a source
title can never break the XML. Ids are tag URIs made from the history row id (and language), so
a feed reader sees each change once however often or wherever the site is rebuilt; links are
relative to the feed unless the site's public address (`SITE_URL`) is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from language.i18n import Texts
from render.formatting import channel_title, grade_name, phase_label
from storage import Channel, PhaseLadder, StatusEntry

ATOM = "http://www.w3.org/2005/Atom"
TAG_PREFIX = "tag:backchannel.invalid,2025:"
FEED_LIMIT = 50  # entries per feed; feed readers keep what they have already seen


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = value
    return element


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def atom_feed(
    *,
    title: str,
    feed_path: str,
    base_url: str,
    entries: Sequence[StatusEntry],
    channels: dict[int, Channel],
    ladder: PhaseLadder,
    updated: datetime,
    _: Texts,
) -> bytes:
    """An Atom 1.0 document of `entries` (newest first), each linking to its channel's page.

    `feed_path` is where the feed sits in the site ("atom.xml", "uk/channels/aid.xml");
    `base_url` is the site's public root, or "" for links relative to the feed.
    """
    ET.register_namespace("", ATOM)
    depth = feed_path.count("/")
    root = base_url.rstrip("/") + "/" if base_url else "../" * depth
    home = root + ("uk/" if _.language == "uk" else "")
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": _.language})
    _text(feed, "id", f"{TAG_PREFIX}{feed_path}")
    _text(feed, "title", title)
    _text(feed, "updated", _when(max((e.recorded_at for e in entries), default=updated)))
    self_href = root + feed_path if base_url else feed_path.rsplit("/", 1)[-1]
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_href})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": home + "index.html"})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "Backchannel")
    for entry in entries[:FEED_LIMIT]:
        channel = channels.get(entry.channel_id)
        if channel is None:
            continue
        phase = ladder.get(entry.phase)
        label = f"{phase.emoji} {phase_label(phase, _)}" if phase else entry.phase
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "id", f"{TAG_PREFIX}{_.language}:entry:{entry.id}")
        kind = _("note") if entry.kind == "note" else label
        _text(item, "title", f"{channel_title(channel, _)}: {kind}")
        _text(item, "updated", _when(entry.recorded_at))
        _text(item, "published", _when(entry.changed_at))
        href = f"{home}channels/{channel.slug}.html#entry-{entry.id}"
        ET.SubElement(item, f"{{{ATOM}}}link", {"rel": "alternate", "href": href})
        source = entry.source_label or entry.source_url or _("no source given")
        _text(
            item,
            "summary",
            _("{summary} (source: {source}, {grade})", summary=entry.summary_in(_.language)[0],
              source=source, grade=grade_name(entry.source_grade, _)),
        )  # fmt: skip
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
