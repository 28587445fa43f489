"""Pure renderers: storage models in, Telegram HTML out. No I/O, so tests and digests reuse them."""

from datetime import datetime, tzinfo

from render.formatting import (
    ago,
    bold,
    dated,
    day,
    is_stale,
    italic,
    phase_badge,
    source_html,
    text,
    trend_text,
)
from storage import Channel, ChannelStatus, PhaseLadder, StatusEntry

STALE_MARK = "⚠️ stale"


def _verified(status: ChannelStatus, now: datetime) -> str:
    verified = status.channel.verified_at
    if verified is not None and verified > status.current.changed_at:
        return f", verified {ago(verified, now)}"
    return ""


def _stale(status: ChannelStatus, now: datetime) -> str:
    return f" · {STALE_MARK}" if is_stale(status.last_touched, now) else ""


def _freshness(status: ChannelStatus, now: datetime) -> str:
    """One line for /status: the status's date and the latest note's, kept apart."""
    words = f"status from {dated(status.current.changed_at, now)}"
    if status.last_note_at is not None:
        words += f", last note {dated(status.last_note_at, now)}"
    return words + _verified(status, now) + _stale(status, now)


def status_overview(statuses: list[ChannelStatus], now: datetime) -> str:
    """The /status reply: one short block per channel."""
    if not statuses:
        return "No channels are tracked yet. An admin can add one with /addchannel."
    blocks = [bold("Backchannel: where the talks stand")]
    for status in statuses:
        blocks.append(
            f"{bold(status.channel.title)}\n"
            f"{phase_badge(status.phase)} · {text(status.current.summary)}\n"
            f"{italic(_freshness(status, now))} · /{status.channel.slug}"
        )
    blocks.append("Tap a channel or its command for details, or /help for everything I can do.")
    return "\n\n".join(blocks)


def entry_line(entry: StatusEntry, ladder: PhaseLadder, zone: tzinfo) -> str:
    """One history entry on one line: date, phase (or note), summary, source."""
    phase = ladder.get(entry.phase)
    badge = phase_badge(phase) if phase else text(entry.phase)
    what = f"📌 note ({badge})" if entry.kind == "note" else badge
    return (
        f"• {day(entry.changed_at, zone)}: {what}: {text(entry.summary)}\n"
        f"  {italic('source:')} {source_html(entry)}"
    )


def channel_detail(
    status: ChannelStatus,
    recent: list[StatusEntry],
    ladder: PhaseLadder,
    now: datetime,
    zone: tzinfo,
) -> str:
    """The /<channel> reply: current status in full, trend, and the latest changes."""
    channel, current = status.channel, status.current
    trend = trend_text(status.trend)
    previous = ladder.get(status.previous_phase) if status.previous_phase else None
    if previous is not None:
        trend += f" (was {phase_badge(previous)})"
    local = now.astimezone(zone)
    lines = [
        bold(channel.title),
        f"{phase_badge(status.phase)} · {trend}",
        text(current.summary),
        "",
        f"Source: {source_html(current)}",
        f"Status from {dated(current.changed_at, local)}{_verified(status, local)}"
        f"{_stale(status, local)}",
    ]
    if status.last_note_at is not None:
        lines.append(f"Last note: {dated(status.last_note_at, local)}")
    # The current status is shown in full above; a list holding nothing else would repeat it.
    if any(entry.id != current.id for entry in recent):
        lines += ["", bold("Latest changes")]
        lines += [entry_line(entry, ladder, zone) for entry in recent]
    lines += ["", f"More: /history {channel.slug}"]
    return "\n".join(lines)


def history_view(
    channel: Channel, entries: list[StatusEntry], ladder: PhaseLadder, zone: tzinfo
) -> str:
    """The /history reply: the latest entries, newest first."""
    header = bold(f"History: {channel.title}")
    if not entries:
        return f"{header}\nNothing has been recorded for this channel yet."
    count = f"last {len(entries)} change{'s' if len(entries) != 1 else ''}, newest first"
    lines = [f"{header}\n{italic(count)}"]
    lines += [entry_line(entry, ladder, zone) for entry in entries]
    return "\n".join(lines)


def channel_list(channels: list[Channel]) -> str:
    """The /channels reply: every channel with all of its commands."""
    if not channels:
        return "No channels are tracked yet."
    lines = [bold("Channels"), ""]
    for channel in channels:
        commands = " ".join(f"/{command}" for command in channel.commands)
        lines.append(f"• {text(channel.title)}: {commands}")
    lines += ["", "Send a command for the channel's current status."]
    return "\n".join(lines)
