"""Pure renderers for subscription replies: models in, Telegram HTML out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from render.formatting import bold, text
from storage import AlertSetting, Channel, Subscriber


def when(moment: datetime, zone: str) -> str:
    """A due time as the subscriber reads it: 'Wed 25 Nov at 07:30 (Europe/Kyiv)'."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} ({text(zone)})"


def channel_names(channels: Sequence[Channel]) -> str:
    """Titles with their commands, for "you get these" lines."""
    return ", ".join(f"{text(c.title)} (/{c.slug})" for c in channels)


def followed(subscriber: Subscriber, channels: Sequence[Channel]) -> str:
    """What the subscriber gets, in words."""
    if subscriber.all_channels:
        return "every channel (new ones included)"
    return channel_names([c for c in channels if c.id in subscriber.channel_ids])


def alert_setting(setting: AlertSetting | None, channels: Sequence[Channel]) -> str:
    """Instant alerts in words, for /mysubs and /alerts."""
    if setting is None or not setting.on:
        return "off (<code>/alerts on</code> for a message the moment a phase changes)"
    if setting.all_channels:
        return "on for every channel · /alerts off stops them"
    chosen = [c for c in channels if c.id in setting.channel_ids]
    return f"on for {channel_names(chosen) or 'no active channel'} · /alerts off stops them"


def subscription_view(
    subscriber: Subscriber,
    channels: Sequence[Channel],
    group: bool,
    alerts: AlertSetting | None = None,
) -> str:
    """The /mysubs reply: what, when, and the commands that change it."""
    who = "This group gets" if group else "You get"
    empty_days = (
        "nothing is sent (/quiet off for a short note)"
        if subscriber.quiet
        else "a short “nothing new” note (/quiet on to skip it)"
    )
    return "\n".join(
        [
            bold("Your digest") if not group else bold("This group's digest"),
            f"{who}: {followed(subscriber, channels)}",
            f"Daily at {subscriber.digest_time:%H:%M} ({text(subscriber.timezone)})",
            f"Next digest: {when(subscriber.next_due_at, subscriber.timezone)}",
            f"On days with no changes: {empty_days}",
            f"Instant alerts: {alert_setting(alerts, channels)}",
            "",
            "Change it: /subscribe <i>channel</i>, /unsubscribe <i>channel</i>, "
            "<code>/digesttime 07:30 Europe/Kyiv</code>, /digest to see it now.",
        ]
    )


def not_subscribed(group: bool, paused_reason: str | None = None) -> str:
    """What to say to a chat without an active subscription, with what to type."""
    who = "This group is" if group else "You are"
    lead = f"{who} not subscribed to the daily digest."
    if paused_reason == "unreachable":
        lead = "Digests here were paused because I could not deliver them."
    return (
        f"{lead} Send /subscribe for every channel, or e.g. "
        "<code>/subscribe ceasefire exchanges</code> for only those."
    )


def subscribed(subscriber: Subscriber, channels: Sequence[Channel], added: str) -> str:
    """The reply to /subscribe: what changed and when the first digest comes."""
    return (
        f"✅ {added}\n"
        f"Digest includes: {followed(subscriber, channels)}\n"
        f"Next digest: {when(subscriber.next_due_at, subscriber.timezone)}, then daily.\n"
        "Change the hour with <code>/digesttime 07:30</code>; /mysubs shows everything."
    )
