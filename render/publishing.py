"""What the bot posts to a linked Telegram channel, and how a post reads once corrected.

A channel post is read by people who never talk to the bot, often long after it was posted,
so it carries the channel, the move between phases, the summary, the source and the date.
When the change is undone the post is not deleted (readers may have quoted it): its text is
struck through and the correction, with its time and the status now in force, is added.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from html import unescape

from language.i18n import Texts
from render.formatting import (
    bold,
    channel_title,
    italic,
    phase_badge,
    slug_badge,
    source_html,
    summary_html,
    text,
)
from storage import Channel, ChannelStatus, DigestChange, PhaseLadder

CORRECTION_MARK = "✏️"
MAX_ORIGINAL = 3000  # leaves room for the correction within Telegram's 4096 characters
_TAG = re.compile(r"<[^>]*>?")


def channel_post(change: DigestChange, channel: Channel, ladder: PhaseLadder, zone: tzinfo,
                 _: Texts) -> str:  # fmt: skip
    """One phase change as a post in the linked channel."""
    entry = change.entry
    badge = slug_badge(ladder, entry.phase, _)
    previous = ladder.get(change.previous_phase) if change.previous_phase else None
    move = f"{phase_badge(previous, _)} → {badge}" if previous else badge
    return "\n".join(
        [
            f"{bold(channel_title(channel, _))} · /{channel.slug}",
            move,
            summary_html(entry, _),
            "",
            _("Source: {source}", source=source_html(entry, _)),
            italic(_("Status of {date} · via Backchannel", date=_.date(entry.changed_at, zone))),
        ]
    )


def corrected_post(
    original: str, reverted_at: datetime, now_status: ChannelStatus | None, zone: tzinfo, _: Texts
) -> str:
    """The post as it reads after its change was undone: struck through, then the correction."""
    struck = original if len(original) <= MAX_ORIGINAL else original[:MAX_ORIGINAL]
    withdrawn = withdrawn_note(reverted_at, zone, _)
    lines = [
        f"<s>{struck}</s>" if len(original) <= MAX_ORIGINAL else f"<s>{text(plain(struck))}…</s>",
        "",
        f"{CORRECTION_MARK} {bold(withdrawn)}",
    ]
    if now_status is not None:
        lines.append(
            _("Now: {phase} · {summary}", phase=phase_badge(now_status.phase, _),
              summary=summary_html(now_status.current, _))
        )  # fmt: skip
    return "\n".join(lines)


def withdrawn_note(reverted_at: datetime, zone: tzinfo, _: Texts) -> str:
    """'Corrected 1 Dec 2026 14:05: this change was withdrawn.' in the reader's zone."""
    when = reverted_at.astimezone(zone)
    return _(
        "Corrected {date} {time}: this change was withdrawn.", date=_.date(when),
        time=f"{when:%H:%M}",
    )  # fmt: skip


def plain(html: str) -> str:
    """The text of a piece of HTML without its tags, even one cut off inside a tag."""
    return unescape(_TAG.sub("", html))
