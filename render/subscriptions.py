"""Pure renderers for subscription replies: models in, Telegram HTML out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from language.i18n import Texts
from render.formatting import bold, channel_title, text
from storage import AlertSetting, Channel, Subscriber


def when(moment: datetime, zone: str, _: Texts) -> str:
    """A due time as the subscriber reads it: 'Wed 25 Nov at 07:30 (Europe/Kyiv)'."""
    local = moment.astimezone(ZoneInfo(zone))
    return _(
        "{day} at {time} ({zone})", day=_.weekday(local), time=f"{local:%H:%M}", zone=text(zone)
    )


def channel_names(channels: Sequence[Channel], _: Texts) -> str:
    """Titles with their commands, for "you get these" lines."""
    return ", ".join(f"{text(channel_title(c, _))} (/{c.slug})" for c in channels)


def followed(subscriber: Subscriber, channels: Sequence[Channel], _: Texts) -> str:
    """What the subscriber gets, in words."""
    if subscriber.all_channels:
        return _("every channel (new ones included)")
    return channel_names([c for c in channels if c.id in subscriber.channel_ids], _)


def alert_setting(setting: AlertSetting | None, channels: Sequence[Channel], _: Texts) -> str:
    """Instant alerts in words, for /mysubs and /alerts."""
    if setting is None or not setting.on:
        return _("off (<code>/alerts on</code> for a message the moment a phase changes)")
    if setting.all_channels:
        return _("on for every channel · /alerts off stops them")
    chosen = [c for c in channels if c.id in setting.channel_ids]
    names = channel_names(chosen, _) or _("no active channel")
    return _("on for {channels} · /alerts off stops them", channels=names)


def subscription_view(
    subscriber: Subscriber,
    channels: Sequence[Channel],
    group: bool,
    _: Texts,
    alerts: AlertSetting | None = None,
) -> str:
    """The /mysubs reply: what, when, and the commands that change it."""
    what = followed(subscriber, channels, _)
    gets = _("This group gets: {what}", what=what) if group else _("You get: {what}", what=what)
    empty_days = (
        _("nothing is sent (/quiet off for a short note)")
        if subscriber.quiet
        else _("a short “nothing new” note (/quiet on to skip it)")
    )
    return "\n".join(
        [
            bold(_("Your digest")) if not group else bold(_("This group's digest")),
            gets,
            _(
                "Daily at {time} ({zone})",
                time=f"{subscriber.digest_time:%H:%M}",
                zone=text(subscriber.timezone),
            ),
            _("Next digest: {when}", when=when(subscriber.next_due_at, subscriber.timezone, _)),
            _("On days with no changes: {what}", what=empty_days),
            _("Instant alerts: {setting}", setting=alert_setting(alerts, channels, _)),
            "",
            _(
                "Change it: /subscribe <i>channel</i>, /unsubscribe <i>channel</i>, "
                "<code>/digesttime 07:30 Europe/Kyiv</code>, /digest to see it now."
            ),
        ]
    )


def not_subscribed(group: bool, _: Texts, paused_reason: str | None = None) -> str:
    """What to say to a chat without an active subscription, with what to type."""
    if paused_reason == "unreachable":
        lead = _("Digests here were paused because I could not deliver them.")
    elif group:
        lead = _("This group is not subscribed to the daily digest.")
    else:
        lead = _("You are not subscribed to the daily digest.")
    return (
        lead
        + " "
        + _(
            "Send /subscribe for every channel, or e.g. "
            "<code>/subscribe ceasefire exchanges</code> for only those."
        )
    )


def subscribed(subscriber: Subscriber, channels: Sequence[Channel], added: str, _: Texts) -> str:
    """The reply to /subscribe: what changed and when the first digest comes."""
    return "\n".join(
        [
            f"✅ {added}",
            _("Digest includes: {what}", what=followed(subscriber, channels, _)),
            _(
                "Next digest: {when}, then daily.",
                when=when(subscriber.next_due_at, subscriber.timezone, _),
            ),
            _("Change the hour with <code>/digesttime 07:30</code>; /mysubs shows everything."),
        ]
    )
