"""The Telegram channel the briefing is published to, and the messages sent about each entry.

A linked channel gets a post for every phase change. Every such post (and every instant
alert) is recorded with its message id, so that when an admin undoes the change, the bot can
find each message it sent about it and edit in the correction. The watermark and the record
of a post move in one transaction after Telegram accepted it, so a crash repeats at most the
post in flight and never skips one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from storage.changes import latest_change_id
from storage.history import entry_from_row, write_audit
from storage.models import Actor, StatusEntry
from storage.timestamps import from_db, to_db, utc_now

CHANNEL_POST = "channel_post"
ALERT = "alert"
# One way to remember a sent message and one to mark it corrected, for posts and alerts alike.
_INSERT_SENT = (
    "INSERT OR REPLACE INTO sent_messages (chat_id, entry_id, message_id, kind, language, html, "
    "sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_MARK_CORRECTED = (
    "UPDATE sent_messages SET corrected_at = ? WHERE chat_id = ? AND entry_id = ? AND kind = ?"
)
# Telegram lets bots edit group messages for 48 hours; an alert record is kept that long.
ALERT_EDITABLE = timedelta(hours=48)


@dataclass(frozen=True)
class PublishTarget:
    """The linked Telegram channel: where posts go, in which language, and how far they got."""

    chat_id: int
    title: str
    language: str
    watermark: int
    with_digest: bool
    linked_at: datetime


@dataclass(frozen=True)
class SentMessage:
    """A message the bot sent about one history entry, as it was sent."""

    chat_id: int
    entry_id: int
    message_id: int
    kind: str
    language: str
    html: str
    sent_at: datetime


def publish_target(db: Database) -> PublishTarget | None:
    """The linked channel, or None when nothing is published."""
    row = db.execute(
        "SELECT chat_id, title, language, watermark, with_digest, linked_at FROM publish_targets"
    ).fetchone()
    if row is None:
        return None
    chat_id, title, language, watermark, with_digest, linked_at = row
    return PublishTarget(chat_id, title, language, watermark, bool(with_digest), from_db(linked_at))


def link_target(
    db: Database, *, chat_id: int, title: str, language: str, with_digest: bool, actor: Actor
) -> PublishTarget:
    """Publish to this channel from now on (replacing any other), audited.

    Posting starts with the next change: the channel does not get the whole history at once.
    """
    now = utc_now()
    with db.atomic():
        old = publish_target(db)
        db.execute("DELETE FROM publish_targets")
        db.execute(
            "INSERT INTO publish_targets (chat_id, title, language, watermark, with_digest, "
            "linked_at) VALUES (?, ?, ?, ?, ?, ?)",
            [chat_id, title, language, latest_change_id(db), int(with_digest), to_db(now)],
        )
        write_audit(
            db, actor=actor, action="publish", channel_id=None,
            old=None if old is None else {"chat_id": old.chat_id, "title": old.title},
            new={"chat_id": chat_id, "title": title, "language": language,
                 "digest": with_digest},
            at=now,
        )  # fmt: skip
    target = publish_target(db)
    assert target is not None
    return target


def unlink_target(db: Database, *, actor: Actor) -> PublishTarget | None:
    """Stop publishing; returns the channel that was linked (None if none was), audited."""
    with db.atomic():
        old = publish_target(db)
        if old is None:
            return None
        db.execute("DELETE FROM publish_targets")
        write_audit(
            db, actor=actor, action="unpublish", channel_id=None,
            old={"chat_id": old.chat_id, "title": old.title}, new=None,
        )  # fmt: skip
    return old


def record_sent(
    db: Database,
    *,
    chat_id: int,
    entry_id: int,
    message_id: int,
    kind: str,
    language: str,
    html: str,
    watermark: int | None = None,
) -> None:
    """Remember a message sent about an entry; for channel posts, move the watermark with it."""
    with db.atomic():
        db.execute(
            _INSERT_SENT, [chat_id, entry_id, message_id, kind, language, html, to_db(utc_now())]
        )
        if watermark is not None:
            db.execute(
                "UPDATE publish_targets SET watermark = max(watermark, ?) WHERE chat_id = ?",
                [watermark, chat_id],
            )


def move_publish_watermark(db: Database, chat_id: int, watermark: int) -> None:
    """Skip entries that need no post (notes, unchanged phases) without posting anything."""
    db.execute(
        "UPDATE publish_targets SET watermark = max(watermark, ?) WHERE chat_id = ?",
        [watermark, chat_id],
    )


@dataclass(frozen=True)
class Correction:
    """A message that must be edited: what was sent, about which entry, undone when."""

    message: SentMessage
    entry: StatusEntry
    reverted_at: datetime


def uncorrected_messages(db: Database, limit: int = 100) -> list[Correction]:
    """Messages about entries that were undone since they were sent, oldest undo first."""
    rows = db.execute(
        "SELECT m.chat_id, m.entry_id, m.message_id, m.kind, m.language, m.html, m.sent_at, "
        "h.* FROM status_history h INDEXED BY idx_history_reverted "
        "JOIN sent_messages m ON m.entry_id = h.id "
        "WHERE h.reverted_at IS NOT NULL AND m.corrected_at IS NULL "
        "ORDER BY h.reverted_at, m.entry_id LIMIT ?",
        [limit],
    )
    names = [column[0] for column in rows.description]
    found = []
    for values in rows.fetchall():
        row = dict(zip(names[7:], values[7:], strict=True))
        chat_id, entry_id, message_id, kind, language, html, sent_at = values[:7]
        message = SentMessage(chat_id, entry_id, message_id, kind, language, html, from_db(sent_at))
        found.append(Correction(message, entry_from_row(row), from_db(row["reverted_at"])))
    return found


def mark_corrected(db: Database, message: SentMessage) -> None:
    """The message now shows the correction (or cannot be edited any more): done with it."""
    db.execute(_MARK_CORRECTED, [to_db(utc_now()), message.chat_id, message.entry_id, message.kind])


def publishing_pending(db: Database) -> bool:
    """Whether the publishing job has anything to do (asked every few seconds: two seeks)."""
    target = publish_target(db)
    if target is not None and latest_change_id(db) > target.watermark:
        return True
    row = db.execute(
        "SELECT 1 FROM status_history h INDEXED BY idx_history_reverted "
        "JOIN sent_messages m ON m.entry_id = h.id "
        "WHERE h.reverted_at IS NOT NULL AND m.corrected_at IS NULL LIMIT 1"
    ).fetchone()
    return row is not None


@dataclass(frozen=True)
class SentAlert:
    """An alert message Telegram accepted: its id, text, and each change's block within it."""

    message_id: int
    language: str
    html: str
    blocks: Sequence[tuple[int, str]]  # (entry id, that entry's block of `html`), in order


def record_alert_message(db: Database, chat_id: int, alert: SentAlert, sent_at: datetime) -> None:
    """Remember an alert's id, text and blocks (call inside the alert's own transaction)."""
    at = to_db(sent_at)
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO alert_messages (chat_id, message_id, language, html, sent_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [chat_id, alert.message_id, alert.language, alert.html, at],
        )
        db.conn.executemany(
            _INSERT_SENT,
            [
                (chat_id, entry_id, alert.message_id, ALERT, alert.language, block, at)
                for entry_id, block in alert.blocks
            ],
        )


@dataclass(frozen=True)
class AlertBlock:
    """One change's block of an alert message, and when that change was undone (if it was)."""

    entry_id: int
    html: str
    reverted_at: datetime | None


@dataclass(frozen=True)
class AlertMessage:
    """An alert as it was sent, with every change it showed, for editing in corrections."""

    chat_id: int
    message_id: int
    language: str
    html: str
    blocks: list[AlertBlock]
    timezone: str | None  # the chat's zone now (None if it no longer subscribes)


def alert_message(db: Database, chat_id: int, message_id: int) -> AlertMessage | None:
    """The alert message with this id and its blocks in order; None if forgotten."""
    row = db.execute(
        "SELECT language, html FROM alert_messages WHERE chat_id = ? AND message_id = ?",
        [chat_id, message_id],
    ).fetchone()
    if row is None:
        return None
    blocks = [
        AlertBlock(entry_id, html, from_db(reverted_at))
        for entry_id, html, reverted_at in db.execute(
            "SELECT m.entry_id, m.html, h.reverted_at FROM sent_messages m "
            "JOIN status_history h ON h.id = m.entry_id "
            "WHERE m.chat_id = ? AND m.kind = ? AND m.message_id = ? ORDER BY m.entry_id",
            [chat_id, ALERT, message_id],
        ).fetchall()
    ]
    zone = db.execute("SELECT timezone FROM subscribers WHERE chat_id = ?", [chat_id]).fetchone()
    return AlertMessage(chat_id, message_id, row[0], row[1], blocks, zone and zone[0])


def mark_alert_corrected(db: Database, chat_id: int, entry_ids: Sequence[int]) -> None:
    """These changes' lines in the chat's alert now show the correction: done with them."""
    now = to_db(utc_now())
    with db.atomic():
        db.conn.executemany(
            _MARK_CORRECTED, [(now, chat_id, entry_id, ALERT) for entry_id in entry_ids]
        )


def forget_old_alerts(db: Database, before: datetime) -> None:
    """Drop alert records Telegram would no longer let the bot edit (older than `before`)."""
    cutoff = to_db(before)
    with db.atomic():
        db.execute(
            "DELETE FROM sent_messages INDEXED BY idx_sent_messages_alert_time "
            "WHERE kind = 'alert' AND sent_at < ?",
            [cutoff],
        )
        db.execute("DELETE FROM alert_messages WHERE sent_at < ?", [cutoff])
