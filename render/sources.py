"""How sources and the inbox look: /sources with each feed's health, inbox cards, notices.

Everything shown here came from a third party (feed titles, item titles, addresses), so all
of it goes through `text`/`link`, and long values are cut to a short excerpt.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from language.i18n import N_, Texts
from render.formatting import bold, channel_title, day, grade_name, italic, link, text
from storage import Channel, InboxItem, Source
from storage.stored_messages import readable

EXCERPT = 240
_DATE_FLAGS = {
    "future": N_("⚠️ the feed dated it in the future; shown with the time it was fetched"),
    "implausible": N_("⚠️ the feed's date was implausible (before 2000); shown as fetched"),
}


def _when(moment: datetime | None, zone: tzinfo, _: Texts) -> str:
    if moment is None:
        return _("never")
    local = moment.astimezone(zone)
    month = _.locale.months["format"]["abbreviated"][local.month]
    return f"{local.day} {month} {local:%H:%M}"


def _every(source: Source, _: Texts) -> str:
    minutes = int(source.interval.total_seconds() // 60)
    if minutes < 120:
        return _("every {minutes} min", minutes=minutes)
    return _("every {hours} h", hours=minutes // 60)


def _channel_names(source: Source, channels: dict[int, Channel], _: Texts) -> str:
    names = [channel_title(channels[cid], _) for cid in source.channel_ids if cid in channels]
    return ", ".join(names) if names else _("any channel")


def source_line(source: Source, channels: dict[int, Channel], zone: tzinfo, _: Texts) -> str:
    """One source with its health: what /sources lists and /source add confirms."""
    grade = text(grade_name(source.grade, _))
    head = f"<b>#{source.id}</b> {text(source.label[:80])} · {grade}"
    lines = [head] if source.label == source.url else [head, f"  {text(source.url[:120])}"]
    if source.kind == "telegram":
        lines.append("  " + _("📨 Telegram: items arrive when an admin forwards a post to me"))
    elif source.paused:
        if source.paused_reason == "muted":
            why = _("🔇 muted from the inbox; /source resume {id} to poll again", id=source.id)
        else:
            why = _("⏸ paused; /source resume {id} to poll again", id=source.id)
        lines.append(f"  {why}")
    else:
        lines.append(
            "  "
            + _(
                "{every} · next poll {when} · {seen} items seen",
                every=_every(source, _),
                when=_when(source.next_poll_at, zone, _),
                seen=f"{source.items_seen:,}",
            )
        )
        if source.last_success_at is not None:
            success = _when(source.last_success_at, zone, _)
            lines.append("  " + _("✅ last success {when}", when=success))
        elif source.last_error is None:
            lines.append("  " + _("⏳ not polled yet"))
    if source.last_error and (
        source.last_success_at is None
        or (source.last_error_at is not None and source.last_error_at >= source.last_success_at)
    ):
        when = _when(source.last_error_at, zone, _)
        error = text(readable(source.last_error, _)[:200])
        if source.failures > 1:
            failed = _(
                "❌ last error {when} ({count} in a row): {error}",
                when=when, count=source.failures, error=error,
            )  # fmt: skip
        else:
            failed = _("❌ last error {when}: {error}", when=when, error=error)
        lines.append(f"  {failed}")
    if source.warnings:
        lines.append(f"  ⚠️ {text(readable(source.warnings, _)[:200])}")
    lines.append("  " + _("for {channels}", channels=text(_channel_names(source, channels, _))))
    return "\n".join(lines)


def sources_view(
    sources: list[Source], channels: dict[int, Channel], zone: tzinfo, _: Texts
) -> str:
    """The /sources reply."""
    if not sources:
        return _(
            "No sources yet. Follow a feed with\n"
            "<code>/source add https://example.org/feed.xml ceasefire official</code>\n"
            "or forward a post from a Telegram channel to me."
        )
    heading = bold(_("Sources ({count})", count=len(sources)))
    lines = [heading, italic(_("times in the bot's time zone")), ""]
    lines += [source_line(source, channels, zone, _) for source in sources]
    lines += ["", _("/source pause|resume|remove &lt;id&gt; · /inbox to review what they brought")]
    return "\n".join(lines)


def _excerpt(value: str) -> str:
    return value if len(value) <= EXCERPT else value[: EXCERPT - 1].rstrip() + "…"


def item_card(item: InboxItem, channel: Channel | None, zone: tzinfo, _: Texts) -> str:
    """An inbox item as a card: channel and score, title, excerpt, source, date, link."""
    if channel:
        where = f"📥 {bold(channel_title(channel, _))}"
    else:
        where = "📥 " + _("<b>No channel matched</b>")
    score = " · " + _("match {score}", score=f"{item.score:g}") if channel and item.score else ""
    also = (
        " · " + _("{count} sources report this", count=item.sources_count)
        if item.sources_count > 1
        else ""
    )
    lines = [f"{where}{score}{also}", bold(item.title)]
    if item.summary and item.summary != item.title:
        lines.append(text(_excerpt(item.summary)))
    origin = link(item.source_label[:80], item.link) if item.link else text(item.source_label)
    grade = text(grade_name(item.source_grade, _))
    lines.append(f"{origin} ({grade}) · {day(item.published_at, zone, _)}")
    if item.date_flag in _DATE_FLAGS:
        lines.append(_(_DATE_FLAGS[item.date_flag]))
    return "\n".join(lines)


def decided_card(item: InboxItem, outcome: str) -> str:
    """A card after its button was used: what happened (already in the admin's language),
    and the title for reference."""
    return f"{outcome}\n{italic(_excerpt(item.title))}"


def inbox_header(
    counts: dict[int | None, int],
    channels: dict[int, Channel],
    shown: int,
    only: str | None,
    _: Texts,
) -> str:
    """The first message of /inbox: pending counts per channel and how to narrow down."""
    total = sum(counts.values())
    if total == 0:
        if only:
            return _(
                "📭 Nothing new for {what}. Sources are polled on their own; /sources shows "
                "their health.",
                what=text(only),
            )
        return _("📭 Nothing new. Sources are polled on their own; /sources shows their health.")
    lines = [bold(_("📥 Inbox: {count} pending", count=total))]
    ordered = sorted(
        counts.items(),
        key=lambda pair: (
            pair[0] is None,
            channels[pair[0]].position if pair[0] in channels else 0,
        ),
    )
    for channel_id, count in ordered:
        channel = channels.get(channel_id) if channel_id is not None else None
        if channel_id is None:
            name = _("no channel matched (/inbox unmatched)")
        elif channel:
            name = f"{text(channel_title(channel, _))} (/inbox {channel.slug})"
        else:
            name = _("no channel")
        lines.append(f"• {count} · {name}")
    if shown < total:
        lines.append(italic(_("The {shown} best are below; act on them to see more.", shown=shown)))
    return "\n".join(lines)


def notice_text(counts: dict[int | None, int], channels: dict[int, Channel], _: Texts) -> str:
    """A batched notice: "5 new items for Ceasefire, 2 for Exchanges"."""
    parts = []

    def order(pair: tuple[int | None, int]) -> tuple[int, bool, int]:
        channel = channels.get(pair[0]) if pair[0] is not None else None
        return (-pair[1], channel is None, channel.position if channel else 0)

    for channel_id, count in sorted(counts.items(), key=order):
        channel = channels.get(channel_id) if channel_id is not None else None
        name = channel_title(channel, _) if channel else _("no channel")
        parts.append(_("{count} for {name}", count=count, name=text(name)))
    total = sum(counts.values())
    return _.plural(
        "📥 {count} new item in the inbox: {parts}. /inbox to review.",
        "📥 {count} new items in the inbox: {parts}. /inbox to review.",
        total,
        parts=", ".join(parts),
    )


def nudge_text(
    stale: list[tuple[Channel, datetime, int]], now: datetime, zone: tzinfo, _: Texts
) -> str:
    """The weekly nudge: stale channels with pending items (the job sends none without)."""
    lines = [bold(_("🗓 Weekly nudge: channels nobody updated lately"))]
    for channel, touched, pending in stale:
        lines.append(
            "• "
            + _(
                "{title}: last touched {date}, {count} pending in /inbox {slug}",
                title=text(channel_title(channel, _)),
                date=day(touched, zone, _),
                count=pending,
                slug=channel.slug,
            )
        )
    lines.append(_("A note from the inbox or /confirm keeps readers' view fresh."))
    return "\n".join(lines)
