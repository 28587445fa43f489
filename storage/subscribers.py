"""Digest subscriptions: who gets a digest, of which channels, when, and how far they have read.

One row per chat (a person or a group). `watermark` is the last status_history id included
in the chat's last delivered digest; it only moves after Telegram accepted that digest, in the
same transaction that sets the next due time, so a crash at any point repeats at most one
digest and never skips one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, time
from typing import Any

from sqlite_utils import Database

from storage.changes import latest_change_id
from storage.errors import NotSubscribedError
from storage.memo import memoized
from storage.models import Subscriber
from storage.schedule import next_due
from storage.timestamps import from_db, to_db, utc_now

# What every read of subscribers takes. A due run reads every due subscriber (100,000 in the
# benchmark) and CPython's sqlite3 spends about 18 ns a column a row, so the three flags come
# as one number and the part progress of a digest cut short (NULL on nearly every row) as one
# text: 11 columns, not 15 (bench/NOTES.md). The last column is the chat's channels as
# "3,5,8" (NULL for every channel, or none), kept on the row by triggers (m140).
_COLUMNS = (
    "chat_id, chat_type, (all_channels != 0) + 2 * (quiet != 0) + 4 * (active != 0), "
    "digest_time, timezone, next_due_at, watermark, last_digest_at, paused_reason, "
    "CASE WHEN parts_sent OR parts_upto NOTNULL OR parts_hash NOTNULL "
    "THEN parts_sent || ',' || ifnull(parts_upto, '') || ',' || ifnull(parts_hash, '') END, "
    "CASE WHEN all_channels THEN NULL ELSE channel_list END"
)


_Row = tuple[Any, ...]  # the columns of _COLUMNS, in that order


def _subscribers(rows: Iterable[_Row]) -> list[Subscriber]:
    # Lean, for the same reason as _COLUMNS: the few distinct texts of a batch (digest
    # times, due moments, channel lists) are parsed once each, and chats following the same
    # channels share one frozenset.
    times: dict[str | None, Any] = {}
    moments: dict[str | None, Any] = {None: None}
    channel_sets: dict[str | None, frozenset[int]] = {None: frozenset()}
    found = []
    for (
        chat_id, chat_type, flags, digest_time, timezone, next_due_at, watermark,
        last_digest_at, paused_reason, progress, channels,
    ) in rows:  # fmt: skip
        at = times.get(digest_time)
        if at is None:
            at = times[digest_time] = time.fromisoformat(digest_time)
        due = moments.get(next_due_at, _MISSING)
        if due is _MISSING:
            due = moments[next_due_at] = from_db(next_due_at)
        last = moments.get(last_digest_at, _MISSING)
        if last is _MISSING:
            last = moments[last_digest_at] = from_db(last_digest_at)
        followed = channel_sets.get(channels)
        if followed is None:
            followed = channel_sets[channels] = frozenset(map(int, channels.split(",")))
        sent, upto, digest = 0, None, None
        if progress is not None:  # a digest cut short: rare
            parts_sent, parts_upto, parts_hash = progress.split(",")
            sent = int(parts_sent)
            upto = int(parts_upto) if parts_upto else None
            digest = parts_hash or None
        subscriber = Subscriber(
            chat_id, chat_type, flags & 1 == 1, followed, at, timezone, flags & 2 == 2,
            flags & 4 == 4, due, watermark, last, paused_reason, sent, upto, digest,
        )  # fmt: skip
        found.append(subscriber)
    return found


_MISSING: Any = object()


def get_subscriber(db: Database, chat_id: int) -> Subscriber | None:
    """The chat's subscription, active or paused; None if it never subscribed."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM subscribers WHERE chat_id = ?", [chat_id])
    found = _subscribers(rows)
    return found[0] if found else None


def is_subscribed(db: Database, chat_id: int, channel_id: int | None = None) -> bool:
    """Whether the chat gets digests at all, or digests that include `channel_id`.

    Asked for every channel page a reader opens (it decides the Subscribe button), so it is
    one indexed query rather than loading the whole subscription, remembered until a
    subscription changes.
    """
    return memoized(
        db,
        "subscriptions",
        ("subscribed", chat_id, channel_id),
        lambda: _is_subscribed(db, chat_id, channel_id),
    )


def _is_subscribed(db: Database, chat_id: int, channel_id: int | None) -> bool:
    if channel_id is None:
        found = db.execute(
            "SELECT 1 FROM subscribers WHERE chat_id = ? AND active", [chat_id]
        ).fetchone()
    else:
        found = db.execute(
            "SELECT 1 FROM subscribers AS s WHERE s.chat_id = ? AND s.active AND (s.all_channels"
            " OR EXISTS (SELECT 1 FROM subscription_channels AS c"
            " WHERE c.chat_id = s.chat_id AND c.channel_id = ?))",
            [chat_id, channel_id],
        ).fetchone()
    return found is not None


def subscribe(
    db: Database,
    chat_id: int,
    *,
    chat_type: str,
    channel_ids: Collection[int] | None,
    digest_time: time,
    timezone: str,
    now: datetime | None = None,
) -> Subscriber:
    """Subscribe a chat to every channel (`channel_ids=None`) or add the given channels.

    `digest_time` and `timezone` are the defaults for a chat subscribing for the first time;
    a returning chat keeps its own. A chat that was not active starts from now: its first
    digest covers changes after this moment, not the whole history.
    """
    now = now or utc_now()
    existing = get_subscriber(db, chat_id)
    with db.atomic():
        if existing is None or not existing.active:
            at = existing.digest_time if existing else digest_time
            zone = existing.timezone if existing else timezone
            db.execute(
                "INSERT INTO subscribers (chat_id, chat_type, all_channels, digest_time, "
                "timezone, quiet, active, next_due_at, watermark, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET chat_type = excluded.chat_type, "
                "all_channels = excluded.all_channels, active = 1, paused_reason = NULL, "
                "next_due_at = excluded.next_due_at, watermark = excluded.watermark, "
                "parts_sent = 0, parts_upto = NULL, parts_hash = NULL, "
                "updated_at = excluded.updated_at",
                [
                    chat_id, chat_type, int(channel_ids is None), at.isoformat("minutes"), zone,
                    to_db(next_due(now, at, zone)), latest_change_id(db), to_db(now), to_db(now),
                ],
            )  # fmt: skip
            db.execute("DELETE FROM subscription_channels WHERE chat_id = ?", [chat_id])
        elif channel_ids is None:
            db.execute(
                "UPDATE subscribers SET all_channels = 1, updated_at = ? WHERE chat_id = ?",
                [to_db(now), chat_id],
            )
            db.execute("DELETE FROM subscription_channels WHERE chat_id = ?", [chat_id])
        if channel_ids is not None and not (existing and existing.active and existing.all_channels):
            db.conn.executemany(
                "INSERT OR IGNORE INTO subscription_channels (chat_id, channel_id) VALUES (?, ?)",
                [(chat_id, channel_id) for channel_id in channel_ids],
            )
    return _require(db, chat_id)


def unsubscribe(
    db: Database,
    chat_id: int,
    channel_ids: Collection[int] | None = None,
    *,
    all_channel_ids: Collection[int] = (),
    now: datetime | None = None,
) -> Subscriber | None:
    """Stop all digests (`channel_ids=None`) or drop some channels; None when nothing is left.

    Dropping a channel from an all-channels subscription turns it into an explicit list of
    `all_channel_ids` minus the dropped ones, so later channels are not added silently.
    """
    now = now or utc_now()
    existing = get_subscriber(db, chat_id)
    if existing is None or not existing.active:
        return None
    with db.atomic():
        if channel_ids is not None:
            keep = (set(all_channel_ids) if existing.all_channels else existing.channel_ids) - set(
                channel_ids
            )
            db.execute("DELETE FROM subscription_channels WHERE chat_id = ?", [chat_id])
            db.conn.executemany(
                "INSERT INTO subscription_channels (chat_id, channel_id) VALUES (?, ?)",
                [(chat_id, channel_id) for channel_id in sorted(keep)],
            )
            db.execute(
                "UPDATE subscribers SET all_channels = 0, updated_at = ? WHERE chat_id = ?",
                [to_db(now), chat_id],
            )
        if channel_ids is None or not keep:
            _pause(db, chat_id, "unsubscribed", now)
    subscriber = _require(db, chat_id)
    return subscriber if subscriber.active else None


def set_schedule(
    db: Database, chat_id: int, digest_time: time, timezone: str, now: datetime | None = None
) -> Subscriber:
    """Change the chat's digest hour and zone; the next digest comes at the new hour."""
    now = now or utc_now()
    _require_active(db, chat_id)
    db.execute(
        "UPDATE subscribers SET digest_time = ?, timezone = ?, next_due_at = ?, updated_at = ? "
        "WHERE chat_id = ?",
        [
            digest_time.isoformat("minutes"),
            timezone,
            to_db(next_due(now, digest_time, timezone)),
            to_db(now),
            chat_id,
        ],
    )
    return _require(db, chat_id)


def set_quiet(db: Database, chat_id: int, quiet: bool) -> Subscriber:
    """Quiet chats get nothing on days without changes; others get a short note."""
    _require_active(db, chat_id)
    db.execute(
        "UPDATE subscribers SET quiet = ?, updated_at = ? WHERE chat_id = ?",
        [int(quiet), to_db(utc_now()), chat_id],
    )
    return _require(db, chat_id)


def lowest_due_watermark(db: Database, now: datetime) -> int | None:
    """The oldest watermark among subscribers due at `now` (None when nobody is due).

    A run reads the changes its digests need once, from here on, instead of widening its
    window (and re-joining every channel's lines) each time a batch reaches further back.
    """
    row = db.execute(
        "SELECT min(watermark) FROM subscribers WHERE active = 1 AND next_due_at <= ?",
        [to_db(now)],
    ).fetchone()
    return None if row is None else row[0]


def due_subscribers(
    db: Database, now: datetime, limit: int, after: Subscriber | None = None
) -> list[Subscriber]:
    """Up to `limit` active subscribers whose digest is due at `now`, earliest first.

    Senders move each returned subscriber's next_due_at past `now` (delivered, postponed or
    paused), so calling again yields the next batch. Readers that move nothing (previews,
    benchmarks) pass the last subscriber of the previous batch as `after`. Either way memory
    stays one batch however many subscribers there are.
    """
    sql = f"SELECT {_COLUMNS} FROM subscribers WHERE active = 1 AND next_due_at <= ?"
    order = " ORDER BY next_due_at, chat_id LIMIT ?"
    if after is None:
        return _subscribers(db.execute(sql + order, [to_db(now), limit]))
    # Two index seeks (rest of the same instant, then later instants) rather than one
    # row-value comparison, which SQLite answers by rescanning the instant's earlier rows.
    since = to_db(after.next_due_at)
    rows = db.execute(
        sql + " AND next_due_at = ? AND chat_id > ?" + order,
        [to_db(now), since, after.chat_id, limit],
    ).fetchall()
    if len(rows) < limit:
        rows += db.execute(
            sql + " AND next_due_at > ?" + order, [to_db(now), since, limit - len(rows)]
        )
    return _subscribers(rows)


def active_subscribers(db: Database, after_chat_id: int | None, limit: int) -> list[Subscriber]:
    """The next `limit` active subscribers by chat id, for runs that visit everyone."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM subscribers WHERE active = 1 AND chat_id > ? "
        "ORDER BY chat_id LIMIT ?",
        [after_chat_id if after_chat_id is not None else -(2**63), limit],
    )
    return _subscribers(rows)


def count_subscribers(db: Database) -> int:
    """How many chats currently get digests."""
    return next(iter(db.query("SELECT count(*) AS n FROM subscribers WHERE active = 1")))["n"]


def record_delivery(
    db: Database,
    chat_id: int,
    *,
    watermark: int,
    next_due_at: datetime | None,
    delivered_at: datetime | None,
) -> None:
    """After Telegram accepted a digest: move the watermark (never back) and the schedule.

    One statement, so both move together (and the digest's part progress is cleared);
    `next_due_at=None` keeps the schedule (an admin's extra digest does not replace the daily
    one), `delivered_at=None` records a quiet day on which nothing was sent.
    """
    db.execute(
        "UPDATE subscribers SET watermark = max(watermark, ?), "
        "parts_sent = 0, parts_upto = NULL, parts_hash = NULL, "
        "next_due_at = coalesce(?, next_due_at), last_digest_at = coalesce(?, last_digest_at) "
        "WHERE chat_id = ?",
        [
            watermark,
            None if next_due_at is None else to_db(next_due_at),
            None if delivered_at is None else to_db(delivered_at),
            chat_id,
        ],
    )


Delivery = tuple[int, int, datetime | None, datetime | None]  # chat, watermark, next, sent


def record_deliveries(db: Database, deliveries: Iterable[Delivery]) -> None:
    """`record_delivery` for several chats in one transaction: one disk sync for all of them.

    Each item is (chat id, watermark, next due, delivered at), as record_delivery takes them.
    """
    with db.atomic():
        for chat_id, watermark, next_due_at, delivered_at in deliveries:
            record_delivery(
                db, chat_id, watermark=watermark, next_due_at=next_due_at, delivered_at=delivered_at
            )


def record_parts_sent(db: Database, chat_id: int, *, upto: int, digest: str, sent: int) -> None:
    """Telegram accepted the first `sent` parts of a multi-part digest reading up to `upto`.

    `digest` fingerprints the parts, so a run after a crash resumes from part `sent` + 1 only
    if it would send the very same digest (and starts over otherwise: a repeat, never a gap).
    """
    db.execute(
        "UPDATE subscribers SET parts_sent = ?, parts_upto = ?, parts_hash = ? WHERE chat_id = ?",
        [sent, upto, digest, chat_id],
    )


def postpone(db: Database, chat_id: int, until: datetime) -> None:
    """Try this chat again at `until` (Telegram kept failing); the watermark stays."""
    db.execute("UPDATE subscribers SET next_due_at = ? WHERE chat_id = ?", [to_db(until), chat_id])


def deactivate(db: Database, chat_id: int, reason: str, now: datetime | None = None) -> None:
    """Stop sending to a chat that blocked the bot or no longer exists; /subscribe resumes."""
    _pause(db, chat_id, reason, now or utc_now())


def _pause(db: Database, chat_id: int, reason: str, now: datetime) -> None:
    db.execute(
        "UPDATE subscribers SET active = 0, paused_reason = ?, updated_at = ? WHERE chat_id = ?",
        [reason, to_db(now), chat_id],
    )


def _require(db: Database, chat_id: int) -> Subscriber:
    subscriber = get_subscriber(db, chat_id)
    if subscriber is None:
        raise NotSubscribedError(chat_id)
    return subscriber


def _require_active(db: Database, chat_id: int) -> None:
    if not is_subscribed(db, chat_id):
        raise NotSubscribedError(chat_id)
