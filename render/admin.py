"""Pure renderers for admin replies: what changed, as readers will now see it."""

from datetime import datetime
from typing import Any

from language.i18n import N_, Texts
from render.formatting import (
    bold,
    channel_title,
    dated,
    italic,
    named,
    phase_badge,
    slug_badge,
    source_html,
    text,
    trend_text,
)
from storage import (
    UNDO_WINDOW,
    AdminGrant,
    AuditEntry,
    ChannelStatus,
    PhaseLadder,
    StatusEntry,
    UndoRefusedError,
    UndoResult,
)

UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)
AUDIT_VALUE_MAX = 80
# The audit log stores actions and fields by their code names, which English shows as they
# are; other languages show them in words.
AUDIT_ACTIONS = {
    "status": N_("status"),
    "note": N_("note"),
    "confirm": N_("confirm"),
    "undo": N_("undo"),
    "add_channel": N_("add_channel"),
    "rename": N_("rename"),
    "archive": N_("archive"),
    "restore": N_("restore"),
    "grant": N_("grant"),
    "revoke": N_("revoke"),
    "publish": N_("publish"),
    "unpublish": N_("unpublish"),
}
AUDIT_FIELDS = {
    "phase": N_("phase"),
    "summary": N_("summary"),
    "source": N_("source"),
    "title": N_("title"),
    "slug": N_("slug"),
    "aliases": N_("aliases"),
    "archived": N_("archived"),
    "verified_at": N_("verified_at"),
    "user_id": N_("user_id"),
    "name": N_("name"),
    "chat_id": N_("chat_id"),
    "language": N_("language"),
    "digest": N_("digest"),
    "entries": N_("entries"),
    "channels": N_("channels"),
    "untitled": N_("untitled"),
}


def undo_hint(_: Texts) -> str:
    """The line under every change an admin makes: how long /undo can take it back."""
    return _("Wrong? Send /undo within {minutes} minutes.", minutes=UNDO_MINUTES)


def _badge(ladder: PhaseLadder, slug: str | None, _: Texts) -> str:
    return slug_badge(ladder, slug, _) if slug else text(_("none"))


def status_echo(status: ChannelStatus, ladder: PhaseLadder, _: Texts) -> str:
    """The reply to /set: old phase -> new phase, trend, and the status as readers see it."""
    before = _badge(ladder, status.previous_phase, _) if status.previous_phase else None
    badge = phase_badge(status.phase, _)
    move = f"{before} → {badge}" if before else badge
    return "\n".join(
        [
            _("✅ Status saved. Readers now see:"),
            "",
            bold(channel_title(status.channel, _)),
            f"{move} · {trend_text(status.trend, _)}",
            text(status.current.summary),
            _("Source: {source}", source=source_html(status.current, _)),
            "",
            undo_hint(_),
        ]
    )


def note_echo(status: ChannelStatus, note: StatusEntry, _: Texts) -> str:
    """The reply to /note: the note as it appears in history, phase unchanged."""
    return "\n".join(
        [
            _(
                "📌 Note added to {title} (phase stays {phase}):",
                title=bold(channel_title(status.channel, _)),
                phase=phase_badge(status.phase, _),
            ),
            text(note.summary),
            _("Source: {source}", source=source_html(note, _)),
            "",
            undo_hint(_),
        ]
    )


def confirm_echo(status: ChannelStatus, now: datetime, _: Texts) -> str:
    """The reply to /confirm: what readers now see about freshness."""
    return "\n".join(
        [
            _(
                "👍 Confirmed: {title} is still {phase}.",
                title=bold(channel_title(status.channel, _)),
                phase=phase_badge(status.phase, _),
            ),
            _(
                "Readers now see: status from {date}, verified today.",
                date=dated(status.current.changed_at, now, _),
            ),
        ]
    )


def undo_echo(result: UndoResult, title: str, ladder: PhaseLadder, _: Texts) -> str:
    """The reply to a successful /undo."""
    entry = result.reverted
    values = {"title": bold(title), "summary": text(entry.summary)}
    if entry.kind == "note":
        undone = _("↩️ Undone: your note on {title}: “{summary}”.", **values)
    else:
        phase = _badge(ladder, entry.phase, _)
        undone = _("↩️ Undone: your status {phase} on {title}: “{summary}”.", phase=phase, **values)
    lines = [undone]
    if result.restored is not None:
        lines.append(
            _(
                "Readers see {phase} again: {summary}",
                phase=_badge(ladder, result.restored.phase, _),
                summary=text(result.restored.summary),
            )
        )
    lines.append(_("It stays in the audit log."))
    return "\n".join(lines)


def undo_refusal(error: UndoRefusedError, titles: dict[int, str], now: datetime, _: Texts) -> str:
    """Why /undo did nothing, and what to do instead."""
    entry = error.entry
    if entry is None:
        return _("You have no change to undo. /undo reverts your own latest /set or /note.")
    title = bold(titles.get(entry.channel_id) or _("that channel"))
    if error.reason == "too_old":
        minutes = int((now - entry.recorded_at).total_seconds() // 60)
        return _(
            "Your latest change ({title}) was {minutes} minutes ago; /undo works for "
            "{limit} minutes. Send a new /set or /note to correct it.",
            title=title,
            minutes=minutes,
            limit=UNDO_MINUTES,
        )
    if error.reason == "superseded" and error.newer is not None:
        return _(
            "{name} updated {title} after your change, so undoing it would hide their update. "
            "Send a new /set or /note to correct it.",
            name=text(error.newer.actor_name),
            title=title,
        )
    return _(
        "That was the first status of {title}, and a channel always shows a status. "
        "Send a new /set to correct it, or /archivechannel to hide the channel.",
        title=title,
    )


def _short(value: Any, _: Texts) -> str:
    if value is None or isinstance(value, bool):
        shown = {None: _("none"), True: _("yes"), False: _("no")}[value]
    else:
        shown = str(value)
    return shown if len(shown) <= AUDIT_VALUE_MAX else shown[: AUDIT_VALUE_MAX - 1] + "…"


def _changes(old: dict[str, Any] | None, new: dict[str, Any] | None, _: Texts) -> str:
    old, new = old or {}, new or {}
    # The action already says whether it was a status or a note.
    keys = [k for k in {**old, **new} if k != "kind" and old.get(k) != new.get(k)]
    return "; ".join(
        f"{named(AUDIT_FIELDS, key, _)}: {_short(old.get(key), _)} → {_short(new.get(key), _)}"
        for key in keys
    )


def _without(values: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    return None if values is None else {k: v for k, v in values.items() if k != key}


def audit_view(entries: list[AuditEntry], _: Texts) -> str:
    """The /audit reply: who did what and when (UTC), old -> new, newest first."""
    if not entries:
        return _("The audit log is empty.")
    heading = _.plural(
        "Audit log: last {count}, newest first", "Audit log: last {count}, newest first",
        len(entries),
    )  # fmt: skip
    lines = [bold(heading), italic(_("times in UTC"))]
    for entry in entries:
        who = text(entry.actor_name) + (f" ({entry.actor_id})" if entry.actor_id else "")
        title = entry.channel_title_in(_.language)
        where = f" · {text(title)}" if title else ""
        # A note adds to the status rather than replacing it, so show just what was added.
        old = None if entry.action == "note" else entry.old
        new = _without(entry.new, "phase") if entry.action == "note" else entry.new
        action = bold(named(AUDIT_ACTIONS, entry.action, _))
        lines.append(
            f"• {entry.at:%Y-%m-%d %H:%M} · {who} · {action}{where}\n"
            f"  {text(_changes(old, new, _))}"
        )
    return "\n".join(lines)


def admins_view(fixed: frozenset[int], granted: list[AdminGrant], _: Texts) -> str:
    """The /admins reply: permanent admins from ADMIN_IDS, then those granted by command."""
    none = "• " + _("none")
    lines = [bold(_("Admins")), "", bold(_("From ADMIN_IDS (permanent)"))]
    lines += [f"• {user_id}" for user_id in sorted(fixed)] or [none]
    lines += ["", bold(_("Granted with /grant"))]
    lines += [
        "• "
        + _(
            "{user_id} {name} (by {by}, {date})",
            user_id=grant.user_id,
            name=text(grant.name),
            by=text(grant.granted_by),
            date=f"{grant.granted_at:%Y-%m-%d}",
        )
        for grant in granted
    ] or [none]
    lines += ["", _("Add one with <code>/grant 123456789</code>, remove with /revoke.")]
    return "\n".join(lines)
