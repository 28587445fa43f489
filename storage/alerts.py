"""Instant alerts: which chats want one when a channel's phase changes, and how far they got.

Alerts ride on the digest subscription (the same row, so pausing a chat stops both).
`alert_watermark` is the last history id a chat's alerts have dealt with; like the digest
watermark it moves only after Telegram accepted the alert, in the same transaction that
records which changes were alerted, so a crash repeats at most the alert in flight.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlite_utils import Database

from storage.changes import latest_change_id
from storage.errors import NotSubscribedError
from storage.publishing import SentAlert, record_alert_message
from storage.timestamps import to_db, utc_now

_COLUMNS = (
    "chat_id, chat_type, timezone, active, alerts, alert_all, alert_watermark, "
    "watermark AS digest_watermark"
)


class AlertSetting(BaseModel):
    """A chat's alert opt-in, and the point from which it still needs alerts."""

    chat_id: int
    chat_type: str
    timezone: str
    active: bool
    on: bool
    all_channels: bool
    channel_ids: frozenset[int]
    watermark: int
    digest_watermark: int

    @property
    def start(self) -> int:
        """Alerts cover changes after this id: a change already in a digest is not news."""
        return max(self.watermark, self.digest_watermark)

    def follows(self, channel_id: int) -> bool:
        """Whether this chat wants alerts for the channel."""
        return self.all_channels or channel_id in self.channel_ids


def _settings(db: Database, rows: Iterable[dict[str, Any]]) -> list[AlertSetting]:
    rows = list(rows)
    specific = [row["chat_id"] for row in rows if not row["alert_all"]]
    channels: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(specific), 500):
        chunk = specific[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in db.query(
            f"SELECT chat_id, channel_id FROM alert_channels WHERE chat_id IN ({marks})", chunk
        ):
            channels[row["chat_id"]].add(row["channel_id"])
    return [
        AlertSetting(
            chat_id=row["chat_id"],
            chat_type=row["chat_type"],
            timezone=row["timezone"],
            active=bool(row["active"]),
            on=bool(row["alerts"]),
            all_channels=bool(row["alert_all"]),
            channel_ids=frozenset(channels.get(row["chat_id"], ())),
            watermark=row["alert_watermark"],
            digest_watermark=row["digest_watermark"],
        )
        for row in rows
    ]


def get_alerts(db: Database, chat_id: int) -> AlertSetting | None:
    """The chat's alert setting; None if the chat never subscribed."""
    found = _settings(
        db, db.query(f"SELECT {_COLUMNS} FROM subscribers WHERE chat_id = ?", [chat_id])
    )
    return found[0] if found else None


def set_alerts(
    db: Database, chat_id: int, channel_ids: Collection[int] | None, now: datetime | None = None
) -> AlertSetting:
    """Turn alerts on for every channel (None) or exactly these; needs an active subscription.

    A chat turning alerts on starts from now: no alerts for what happened before.
    """
    current = get_alerts(db, chat_id)
    if current is None or not current.active:
        raise NotSubscribedError(chat_id)
    start = current.watermark if current.on else latest_change_id(db)
    with db.atomic():
        db.execute(
            "UPDATE subscribers SET alerts = 1, alert_all = ?, alert_watermark = ?, "
            "updated_at = ? WHERE chat_id = ?",
            [int(channel_ids is None), start, to_db(now or utc_now()), chat_id],
        )
        db.execute("DELETE FROM alert_channels WHERE chat_id = ?", [chat_id])
        db.conn.executemany(
            "INSERT INTO alert_channels (chat_id, channel_id) VALUES (?, ?)",
            [(chat_id, channel_id) for channel_id in sorted(channel_ids or ())],
        )
    found = get_alerts(db, chat_id)
    assert found is not None
    return found


def alerts_off(db: Database, chat_id: int, now: datetime | None = None) -> bool:
    """Stop the chat's alerts (the digest carries on); False if they were not on."""
    current = get_alerts(db, chat_id)
    if current is None or not current.on:
        return False
    db.execute(
        "UPDATE subscribers SET alerts = 0, updated_at = ? WHERE chat_id = ?",
        [to_db(now or utc_now()), chat_id],
    )
    return True


def alerts_pending(db: Database, upto: int) -> bool:
    """Whether any active chat with alerts on has not dealt with changes up to `upto`."""
    rows = db.query(
        "SELECT 1 FROM subscribers WHERE active = 1 AND alerts = 1 AND alert_watermark < ? LIMIT 1",
        [upto],
    )
    return next(iter(rows), None) is not None


def alert_batch(
    db: Database, upto: int, limit: int, after: tuple[int, int] | None = None
) -> list[AlertSetting]:
    """Up to `limit` active chats with alerts on that are behind `upto`, keyset-paged.

    `after` is (alert_watermark, chat_id) of the last chat of the previous batch, so chats
    whose alert could not be sent are not fetched again within one run.
    """
    after = after or (-1, -(2**63))
    rows = db.query(
        f"SELECT {_COLUMNS} FROM subscribers WHERE active = 1 AND alerts = 1 "
        "AND alert_watermark < ? AND (alert_watermark, chat_id) > (?, ?) "
        "ORDER BY alert_watermark, chat_id LIMIT ?",
        [upto, after[0], after[1], limit],
    )
    return _settings(db, rows)


def record_alert(
    db: Database,
    chat_id: int,
    *,
    watermark: int,
    entry_ids: Collection[int] = (),
    sent_at: datetime | None = None,
    message: SentAlert | None = None,
) -> None:
    """After Telegram accepted an alert (or there was nothing to alert): remember it.

    The watermark (never moved back), the alerted changes and the alert's message id (for
    corrections) are one transaction; marks the chat's digest has already covered are
    dropped at the same time.
    """
    with db.atomic():
        if message is not None:
            record_alert_message(db, chat_id, message, sent_at or utc_now())
        if entry_ids and sent_at is not None:
            db.conn.executemany(
                "INSERT OR REPLACE INTO alerted_entries (chat_id, entry_id, sent_at) "
                "VALUES (?, ?, ?)",
                [(chat_id, entry_id, to_db(sent_at)) for entry_id in entry_ids],
            )
        db.execute(
            "UPDATE subscribers SET alert_watermark = max(alert_watermark, ?) WHERE chat_id = ?",
            [watermark, chat_id],
        )
        db.execute(
            "DELETE FROM alerted_entries WHERE chat_id = ? AND entry_id <= "
            "(SELECT watermark FROM subscribers WHERE chat_id = ?)",
            [chat_id, chat_id],
        )


def alerted_entries(db: Database, chat_ids: Collection[int]) -> dict[int, dict[int, datetime]]:
    """Per chat, the changes newer than its digest watermark that it was alerted to, and when.

    Asked once per batch of a digest run (100,000 subscribers: 200 batches). Alerts are
    opt-in, so the table is most often empty: one probe answers that. Otherwise the batch's
    chats are looked up in it first, and the subscriber's watermark only for the marks found.
    """
    if db.execute("SELECT 1 FROM alerted_entries LIMIT 1").fetchone() is None:
        return {}
    found: dict[int, dict[int, datetime]] = defaultdict(dict)
    ids = sorted(chat_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.execute(
            "SELECT a.chat_id, a.entry_id, a.sent_at FROM alerted_entries a "
            "CROSS JOIN subscribers s ON s.chat_id = a.chat_id "
            f"WHERE a.chat_id IN ({_placeholders(len(chunk))}) AND a.entry_id > s.watermark",
            chunk,
        )
        for chat_id, entry_id, sent_at in rows:
            found[chat_id][entry_id] = datetime.fromisoformat(sent_at)
    return dict(found)


@cache
def _placeholders(count: int) -> str:
    # "?, ?, ..." for an IN list of `count` values: the same few lengths every run.
    return ", ".join("?" * count)
