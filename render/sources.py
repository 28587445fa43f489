"""How sources and the inbox look: /sources with each feed's health, inbox cards, notices.

Everything shown here came from a third party (feed titles, item titles, addresses), so all
of it goes through `text`/`link`, and long values are cut to a short excerpt.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from render.formatting import bold, day, italic, link, text
from storage import Channel, InboxItem, Source

EXCERPT = 240
_DATE_FLAGS = {
    "future": "⚠️ the feed dated it in the future; shown with the time it was fetched",
    "implausible": "⚠️ the feed's date was implausible (before 2000); shown as fetched",
}


def _when(moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return "never"
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %H:%M}"


def _every(source: Source) -> str:
    minutes = int(source.interval.total_seconds() // 60)
    return f"every {minutes} min" if minutes < 120 else f"every {minutes // 60} h"


def _channel_names(source: Source, channels: dict[int, Channel]) -> str:
    names = [channels[cid].title for cid in source.channel_ids if cid in channels]
    return ", ".join(names) if names else "any channel"


def source_line(source: Source, channels: dict[int, Channel], zone: tzinfo) -> str:
    """One source with its health: what /sources lists and /source add confirms."""
    head = f"<b>#{source.id}</b> {text(source.label[:80])} · {text(source.grade)}"
    lines = [head] if source.label == source.url else [head, f"  {text(source.url[:120])}"]
    if source.kind == "telegram":
        lines.append("  📨 Telegram: items arrive when an admin forwards a post to me")
    elif source.paused:
        why = "🔇 muted from the inbox" if source.paused_reason == "muted" else "⏸ paused"
        lines.append(f"  {why}; /source resume {source.id} to poll again")
    else:
        lines.append(
            f"  {_every(source)} · next poll {_when(source.next_poll_at, zone)} · "
            f"{source.items_seen:,} items seen"
        )
        if source.last_success_at is not None:
            lines.append(f"  ✅ last success {_when(source.last_success_at, zone)}")
        elif source.last_error is None:
            lines.append("  ⏳ not polled yet")
    if source.last_error and (
        source.last_success_at is None
        or (source.last_error_at is not None and source.last_error_at >= source.last_success_at)
    ):
        streak = f" ({source.failures} in a row)" if source.failures > 1 else ""
        lines.append(
            f"  ❌ last error {_when(source.last_error_at, zone)}{streak}: "
            f"{text(source.last_error[:200])}"
        )
    if source.warnings:
        lines.append(f"  ⚠️ {text(source.warnings[:200])}")
    lines.append(f"  for {text(_channel_names(source, channels))}")
    return "\n".join(lines)


def sources_view(sources: list[Source], channels: dict[int, Channel], zone: tzinfo) -> str:
    """The /sources reply."""
    if not sources:
        return (
            "No sources yet. Follow a feed with\n"
            "<code>/source add https://example.org/feed.xml ceasefire official</code>\n"
            "or forward a post from a Telegram channel to me."
        )
    lines = [bold(f"Sources ({len(sources)})"), italic("times in the bot's time zone"), ""]
    lines += [source_line(source, channels, zone) for source in sources]
    lines += ["", "/source pause|resume|remove &lt;id&gt; · /inbox to review what they brought"]
    return "\n".join(lines)


def _excerpt(value: str) -> str:
    return value if len(value) <= EXCERPT else value[: EXCERPT - 1].rstrip() + "…"


def item_card(item: InboxItem, channel: Channel | None, zone: tzinfo) -> str:
    """An inbox item as a card: channel and score, title, excerpt, source, date, link."""
    where = f"📥 {bold(channel.title)}" if channel else "📥 <b>No channel matched</b>"
    score = f" · match {item.score:g}" if channel and item.score else ""
    also = f" · {item.sources_count} sources report this" if item.sources_count > 1 else ""
    lines = [f"{where}{score}{also}", bold(item.title)]
    if item.summary and item.summary != item.title:
        lines.append(text(_excerpt(item.summary)))
    origin = link(item.source_label[:80], item.link) if item.link else text(item.source_label)
    lines.append(f"{origin} ({text(item.source_grade)}) · {day(item.published_at, zone)}")
    if item.date_flag in _DATE_FLAGS:
        lines.append(_DATE_FLAGS[item.date_flag])
    return "\n".join(lines)


def decided_card(item: InboxItem, outcome: str) -> str:
    """A card after its button was used: what happened, and the title for reference."""
    return f"{outcome}\n{italic(_excerpt(item.title))}"


def inbox_header(
    counts: dict[int | None, int], channels: dict[int, Channel], shown: int, only: str | None
) -> str:
    """The first message of /inbox: pending counts per channel and how to narrow down."""
    total = sum(counts.values())
    if total == 0:
        where = f" for {text(only)}" if only else ""
        return (
            f"📭 Nothing new{where}. Sources are polled on their own; /sources shows their health."
        )
    lines = [bold(f"📥 Inbox: {total} pending")]
    ordered = sorted(
        counts.items(),
        key=lambda pair: (
            pair[0] is None,
            channels[pair[0]].position if pair[0] in channels else 0,
        ),
    )
    for channel_id, count in ordered:
        channel = channels.get(channel_id) if channel_id is not None else None
        name = f"{text(channel.title)} (/inbox {channel.slug})" if channel else "no channel"
        if channel_id is None:
            name = "no channel matched (/inbox unmatched)"
        lines.append(f"• {count} · {name}")
    if shown < total:
        lines.append(italic(f"The {shown} best are below; act on them to see more."))
    return "\n".join(lines)


def notice_text(counts: dict[int | None, int], channels: dict[int, Channel]) -> str:
    """A batched notice: "5 new items for Ceasefire, 2 for Exchanges"."""
    parts = []

    def order(pair: tuple[int | None, int]) -> tuple[int, bool, int]:
        channel = channels.get(pair[0]) if pair[0] is not None else None
        return (-pair[1], channel is None, channel.position if channel else 0)

    for channel_id, count in sorted(counts.items(), key=order):
        channel = channels.get(channel_id) if channel_id is not None else None
        name = channel.title if channel else "no channel"
        parts.append(f"{count} for {text(name)}")
    total = sum(counts.values())
    noun = "item" if total == 1 else "items"
    return f"📥 {total} new {noun} in the inbox: {', '.join(parts)}. /inbox to review."


def nudge_text(
    stale: list[tuple[Channel, datetime, int]], now: datetime, zone: tzinfo
) -> str | None:
    """The weekly nudge: stale channels with pending items, or None when there are none."""
    if not stale:
        return None
    lines = [bold("🗓 Weekly nudge: channels nobody updated lately")]
    for channel, touched, pending in stale:
        lines.append(
            f"• {text(channel.title)}: last touched {day(touched, zone)}, "
            f"{pending} pending in /inbox {channel.slug}"
        )
    lines.append("A note from the inbox or /confirm keeps readers' view fresh.")
    return "\n".join(lines)
