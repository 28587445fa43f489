"""Pure renderers for admin replies: what changed, as readers will now see it."""

from datetime import datetime
from typing import Any

from render.formatting import bold, dated, italic, phase_badge, source_html, text, trend_text
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
UNDO_HINT = f"Wrong? Send /undo within {UNDO_MINUTES} minutes."
AUDIT_VALUE_MAX = 80


def _badge(ladder: PhaseLadder, slug: str | None) -> str:
    phase = ladder.get(slug) if slug else None
    return phase_badge(phase) if phase else text(slug or "none")


def status_echo(status: ChannelStatus, ladder: PhaseLadder) -> str:
    """The reply to /set: old phase -> new phase, trend, and the status as readers see it."""
    before = _badge(ladder, status.previous_phase) if status.previous_phase else None
    move = f"{before} → {phase_badge(status.phase)}" if before else phase_badge(status.phase)
    return "\n".join(
        [
            "✅ Status saved. Readers now see:",
            "",
            bold(status.channel.title),
            f"{move} · {trend_text(status.trend)}",
            text(status.current.summary),
            f"Source: {source_html(status.current)}",
            "",
            UNDO_HINT,
        ]
    )


def note_echo(status: ChannelStatus, note: StatusEntry) -> str:
    """The reply to /note: the note as it appears in history, phase unchanged."""
    return "\n".join(
        [
            f"📌 Note added to {bold(status.channel.title)} "
            f"(phase stays {phase_badge(status.phase)}):",
            text(note.summary),
            f"Source: {source_html(note)}",
            "",
            UNDO_HINT,
        ]
    )


def confirm_echo(status: ChannelStatus, now: datetime) -> str:
    """The reply to /confirm: what readers now see about freshness."""
    return (
        f"👍 Confirmed: {bold(status.channel.title)} is still {phase_badge(status.phase)}.\n"
        f"Readers now see: status from {dated(status.current.changed_at, now)}, verified today."
    )


def undo_echo(result: UndoResult, title: str, ladder: PhaseLadder) -> str:
    """The reply to a successful /undo."""
    entry = result.reverted
    what = "note" if entry.kind == "note" else f"status {_badge(ladder, entry.phase)}"
    lines = [f"↩️ Undone: your {what} on {bold(title)}: “{text(entry.summary)}”."]
    if result.restored is not None:
        lines.append(
            f"Readers see {_badge(ladder, result.restored.phase)} again: "
            f"{text(result.restored.summary)}"
        )
    lines.append("It stays in the audit log.")
    return "\n".join(lines)


def undo_refusal(error: UndoRefusedError, titles: dict[int, str], now: datetime) -> str:
    """Why /undo did nothing, and what to do instead."""
    entry = error.entry
    if entry is None:
        return "You have no change to undo. /undo reverts your own latest /set or /note."
    title = bold(titles.get(entry.channel_id, "that channel"))
    if error.reason == "too_old":
        minutes = int((now - entry.recorded_at).total_seconds() // 60)
        return (
            f"Your latest change ({title}) was {minutes} minutes ago; /undo works for "
            f"{UNDO_MINUTES} minutes. Send a new /set or /note to correct it."
        )
    if error.reason == "superseded" and error.newer is not None:
        return (
            f"{text(error.newer.actor_name)} updated {title} after your change, so undoing it "
            "would hide their update. Send a new /set or /note to correct it."
        )
    return (
        f"That was the first status of {title}, and a channel always shows a status. "
        "Send a new /set to correct it, or /archivechannel to hide the channel."
    )


def _short(value: Any) -> str:
    if value is None or isinstance(value, bool):
        shown = {None: "none", True: "yes", False: "no"}[value]
    else:
        shown = str(value)
    return shown if len(shown) <= AUDIT_VALUE_MAX else shown[: AUDIT_VALUE_MAX - 1] + "…"


def _changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    old, new = old or {}, new or {}
    # The action already says whether it was a status or a note.
    keys = [k for k in {**old, **new} if k != "kind" and old.get(k) != new.get(k)]
    return "; ".join(f"{key}: {_short(old.get(key))} → {_short(new.get(key))}" for key in keys)


def _without(values: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    return None if values is None else {k: v for k, v in values.items() if k != key}


def audit_view(entries: list[AuditEntry]) -> str:
    """The /audit reply: who did what and when (UTC), old -> new, newest first."""
    if not entries:
        return "The audit log is empty."
    lines = [bold(f"Audit log: last {len(entries)}, newest first"), italic("times in UTC")]
    for entry in entries:
        who = text(entry.actor_name) + (f" ({entry.actor_id})" if entry.actor_id else "")
        where = f" · {text(entry.channel_title)}" if entry.channel_title else ""
        # A note adds to the status rather than replacing it, so show just what was added.
        old = None if entry.action == "note" else entry.old
        new = _without(entry.new, "phase") if entry.action == "note" else entry.new
        lines.append(
            f"• {entry.at:%Y-%m-%d %H:%M} · {who} · {bold(entry.action)}{where}\n"
            f"  {text(_changes(old, new))}"
        )
    return "\n".join(lines)


def admins_view(fixed: frozenset[int], granted: list[AdminGrant]) -> str:
    """The /admins reply: permanent admins from ADMIN_IDS, then those granted by command."""
    lines = [bold("Admins"), "", bold("From ADMIN_IDS (permanent)")]
    lines += [f"• {user_id}" for user_id in sorted(fixed)] or ["• none"]
    lines += ["", bold("Granted with /grant")]
    lines += [
        f"• {grant.user_id} {text(grant.name)} (by {text(grant.granted_by)}, "
        f"{grant.granted_at:%Y-%m-%d})"
        for grant in granted
    ] or ["• none"]
    lines += ["", "Add one with <code>/grant 123456789</code>, remove with /revoke."]
    return "\n".join(lines)
