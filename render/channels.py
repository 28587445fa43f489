"""Pure renderers: storage models in, Telegram HTML out. No I/O, so tests and digests reuse them."""

from datetime import datetime, tzinfo

from language.i18n import N_, Texts
from render.formatting import (
    ago,
    bold,
    channel_title,
    dated,
    day,
    is_stale,
    italic,
    phase_badge,
    slug_badge,
    source_html,
    summary_html,
    text,
    trend_text,
)
from storage import Channel, ChannelStatus, PhaseLadder, StatusEntry

STALE_MARK = N_("⚠️ stale")
NO_CHANNELS = N_("No channels are tracked yet. An admin can add one with /addchannel.")
# The most entries one /history reply shows (`/history ceasefire 50`); digests that leave
# older changes out point there, asking for no more than this.
HISTORY_MAX = 50


def _since(status: ChannelStatus, now: datetime, _: Texts) -> str:
    """ ", verified N days ago" when a check is newer than the status, and the stale mark when
    neither has been touched for STALE_AFTER_DAYS (one look at both dates, for every page)."""
    touched = status.last_touched
    verified = touched != status.current.changed_at
    words = _(", verified {ago}", ago=ago(touched, now, _)) if verified else ""
    return f"{words} · {_(STALE_MARK)}" if is_stale(touched, now) else words


def _freshness(status: ChannelStatus, now: datetime, _: Texts) -> str:
    """One line for /status: the status's date and the latest note's, kept apart."""
    words = _("status from {date}", date=dated(status.current.changed_at, now, _))
    if status.last_note_at is not None:
        words += _(", last note {date}", date=dated(status.last_note_at, now, _))
    return words + _since(status, now, _)


def status_overview(statuses: list[ChannelStatus], now: datetime, _: Texts) -> str:
    """The /status reply: one short block per channel."""
    if not statuses:
        return _(NO_CHANNELS)
    blocks = [bold(_("Backchannel: where the talks stand"))]
    for status in statuses:
        blocks.append(
            f"{bold(channel_title(status.channel, _))}\n"
            f"{phase_badge(status.phase, _)} · {summary_html(status.current, _)}\n"
            f"{italic(_freshness(status, now, _))} · /{status.channel.slug}"
        )
    blocks.append(_("Tap a channel or its command for details, or /help for everything I can do."))
    return "\n\n".join(blocks)


def entry_line(entry: StatusEntry, ladder: PhaseLadder, zone: tzinfo, _: Texts) -> str:
    """One history entry on one line: date, phase (or note), summary, source."""
    badge = slug_badge(ladder, entry.phase, _)
    what = _("📌 note ({phase})", phase=badge) if entry.kind == "note" else badge
    return (
        f"• {day(entry.changed_at, zone, _)}: {what}: {summary_html(entry, _)}\n"
        f"  {italic(_('source:'))} {source_html(entry, _)}"
    )


def channel_detail(
    status: ChannelStatus,
    recent: list[StatusEntry],
    ladder: PhaseLadder,
    now: datetime,
    zone: tzinfo,
    _: Texts,
) -> str:
    """The /<channel> reply: current status in full, trend, and the latest changes."""
    channel, current = status.channel, status.current
    trend = trend_text(status.trend, _)
    previous = ladder.get(status.previous_phase) if status.previous_phase else None
    if previous is not None:
        trend += _(" (was {phase})", phase=phase_badge(previous, _))
    local = now.astimezone(zone)
    lines = [
        bold(channel_title(channel, _)),
        f"{phase_badge(status.phase, _)} · {trend}",
        summary_html(current, _),
        "",
        _("Source: {source}", source=source_html(current, _)),
        _("Status from {date}", date=dated(current.changed_at, local, _))
        + _since(status, local, _),
    ]
    if status.last_note_at is not None:
        lines.append(_("Last note: {date}", date=dated(status.last_note_at, local, _)))
    # The current status is shown in full above; a list holding nothing else would repeat it.
    if any(entry.id != current.id for entry in recent):
        lines += ["", bold(_("Latest changes"))]
        lines += [entry_line(entry, ladder, zone, _) for entry in recent]
    lines += ["", _("More: /history {slug}", slug=channel.slug)]
    return "\n".join(lines)


def history_view(
    channel: Channel, entries: list[StatusEntry], ladder: PhaseLadder, zone: tzinfo, _: Texts
) -> str:
    """The /history reply: the latest entries, newest first."""
    header = bold(_("History: {title}", title=channel_title(channel, _)))
    if not entries:
        return header + "\n" + _("Nothing has been recorded for this channel yet.")
    count = _.plural(
        "last {count} change, newest first", "last {count} changes, newest first", len(entries)
    )
    lines = [f"{header}\n{italic(count)}"]
    lines += [entry_line(entry, ladder, zone, _) for entry in entries]
    return "\n".join(lines)


def channel_list(channels: list[Channel], _: Texts) -> str:
    """The /channels reply: every channel with all of its commands."""
    if not channels:
        return _("No channels are tracked yet.")
    lines = [bold(_("Channels")), ""]
    for channel in channels:
        commands = " ".join(f"/{command}" for command in channel.commands)
        lines.append(f"• {text(channel_title(channel, _))}: {commands}")
    lines += ["", _("Send a command for the channel's current status.")]
    return "\n".join(lines)
