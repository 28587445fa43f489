"""Synthetic data for benchmarks: a seeded random generator, written straight into SQLite.

A million history rows through `record_status` one by one would take minutes, so the rows are
bulk-inserted with sqlite-utils here, then each channel's current-status pointer is set the
way `record_status` leaves it. Only benchmarks do this; the bot itself never writes SQL
outside `storage/`.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from sqlite_utils import Database

import storage
from storage.models import SourceGrade

START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 50_000
GRADES = list(get_args(SourceGrade))


def _rows(channel_ids: list[int], phases: list[str], count: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed)
    step = timedelta(days=690) / max(count, 1)
    for number in range(count):
        moment = (START + step * number).isoformat(timespec="seconds")
        # Drawn in this order (the seeded data stays what it always was).
        channel_id = rng.choice(channel_ids)
        kind = "note" if rng.random() < 0.3 else "status"
        phase = rng.choice(phases)
        summary = f"Synthetic update {number}: talks on {rng.choice(['aid', 'POWs', 'grid'])}"
        yield _row(number, moment, channel_id, kind, phase, summary, rng.choice(GRADES))


def _row(
    number: int, moment: str, channel_id: int, kind: str, phase: str, summary: str, grade: str
) -> dict[str, Any]:
    """One history row as `record_status` would write it, linking to report `number`."""
    return {
        "channel_id": channel_id,
        "kind": kind,
        "phase": phase,
        "summary": summary,
        "source_label": None,
        "source_url": f"https://example.org/report/{number}",
        "source_grade": grade,
        "changed_at": moment,
        "recorded_at": moment,
        "actor_id": 1,
        "actor_name": "bench",
    }


def add_history(db: Database, count: int, seed: int = 1) -> None:
    """Append `count` synthetic history rows spread over the seeded channels."""
    channels = storage.list_channels(db)
    phases = storage.phase_ladder(db).slugs()
    with db.atomic():
        db["status_history"].insert_all(
            _rows([c.id for c in channels], phases, count, seed), batch_size=BATCH
        )
        _point_channels(db, channels)


def _point_channels(db: Database, channels: list[storage.Channel]) -> None:
    # Each channel's current status is its newest status row, as record_status leaves it.
    for channel in channels:
        latest: Any = next(
            iter(
                db.query(
                    "SELECT id, changed_at FROM status_history "
                    "WHERE channel_id = ? AND kind = 'status' ORDER BY id DESC LIMIT 1",
                    [channel.id],
                )
            )
        )
        db["channels"].update(
            channel.id,
            {"current_status_id": latest["id"], "updated_at": latest["changed_at"]},
        )


def add_subscribers(
    db: Database,
    count: int,
    *,
    due_at: datetime,
    window: int = 1000,
    seed: int = 3,
    quiet_share: float = 0.5,
) -> None:
    """`count` active subscribers, all due at `due_at`, with mixed channel sets and watermarks.

    Half follow every channel, half two or three channels; watermarks are spread over the
    last `window` history rows, so each digest covers up to `window` changes. `quiet_share`
    of them skip days without changes (quiet mode); the others always get a message.
    """
    rng = random.Random(seed)
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    latest = storage.latest_change_id(db)
    watermarks = sorted({max(0, latest - window + step * window // 10) for step in range(10)})
    due = due_at.isoformat(timespec="seconds")
    subscribers, follows = [], []
    for number in range(count):
        chat_id = 10_000_000 + number
        # Drawn in this order (the seeded data stays what it always was).
        every = rng.random() < 0.5
        timezone = rng.choice(["Europe/Kyiv", "Europe/Berlin", "America/New_York"])
        quiet = rng.random() < quiet_share
        watermark = rng.choice(watermarks)
        subscribers.append(
            _subscriber_row(chat_id, every, "08:00", timezone, quiet, watermark, due, None)
        )
        if not every:
            for channel_id in rng.sample(channel_ids, rng.choice([2, 3])):
                follows.append({"chat_id": chat_id, "channel_id": channel_id})
    _insert_subscribers(db, subscribers, follows)


def _subscriber_row(
    chat_id: int,
    every: bool,
    digest_time: str,
    timezone: str,
    quiet: bool,
    watermark: int,
    due: str,
    last_digest_at: str | None,
) -> dict[str, Any]:
    """One active private subscriber as `storage` writes it, due at `due` (values drawn)."""
    return {
        "chat_id": chat_id,
        "chat_type": "private",
        "all_channels": int(every),
        "digest_time": digest_time,
        "timezone": timezone,
        "quiet": int(quiet),
        "active": 1,
        "next_due_at": due,
        "watermark": watermark,
        "last_digest_at": last_digest_at,
        "created_at": due,
        "updated_at": due,
    }


def _insert_subscribers(db: Database, subscribers: list[dict], follows: list[dict]) -> None:
    # One transaction: a subscriber's channel set never exists without the subscriber.
    with db.atomic():
        db["subscribers"].insert_all(subscribers, batch_size=BATCH)
        db["subscription_channels"].insert_all(follows, batch_size=BATCH)


# Where subscribers live: 22 zones, from UTC-8 to UTC+12, so digests go out around the clock
# and dates differ between zones for the same change.
ZONES = (
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "Atlantic/Azores", "UTC", "Europe/London", "Europe/Berlin",
    "Europe/Warsaw", "Europe/Kyiv", "Europe/Istanbul", "Europe/Moscow", "Asia/Dubai",
    "Asia/Karachi", "Asia/Kolkata", "Asia/Almaty", "Asia/Bangkok", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
)  # fmt: skip
_TOPICS = ["aid convoys", "prisoner lists", "the grid", "grain corridors", "a local truce"]


def add_recent_history(
    db: Database, *, end: datetime, days: int = 30, per_day: int = 50, seed: int = 5
) -> list[int]:
    """`days * per_day` changes evenly over the `days` before `end`; returns their ids.

    Summaries of 60 to 220 characters and a source link each, like an editor's updates.
    """
    rng = random.Random(seed)
    channels = storage.list_channels(db)
    phases = storage.phase_ladder(db).slugs()
    count = days * per_day
    step = timedelta(days=days) / count
    first = end - timedelta(days=days)
    rows = []
    for number in range(count):
        moment = (first + step * number).isoformat(timespec="seconds")
        words = f"Update {number}: talks on {rng.choice(_TOPICS)}"
        summary = (words + ", " + "details from both delegations " * 8)[: rng.randint(60, 220)]
        channel_id = rng.choice(channels).id
        kind = "note" if rng.random() < 0.2 else "status"
        phase = rng.choice(phases)
        rows.append(_row(number, moment, channel_id, kind, phase, summary, rng.choice(GRADES)))
    with db.atomic():
        db["status_history"].insert_all(rows, batch_size=BATCH)
        _point_channels(db, channels)
    since = first.isoformat(timespec="seconds")
    found = db.execute("SELECT id FROM status_history WHERE changed_at >= ? ORDER BY id", [since])
    return [row[0] for row in found.fetchall()]


def add_spread_subscribers(
    db: Database,
    count: int,
    change_ids: list[int],
    *,
    due_at: datetime,
    seed: int = 7,
    behind: tuple[int, int] | None = None,
) -> None:
    """`count` subscribers due at `due_at`, in ZONES, none quiet, as a real audience spreads.

    Watermarks: without `behind`, 90% read up to one of the last day's changes (yesterday's
    digest, at their own hour), 8% up to one of the last week's (back from a few days off),
    2% up to any change of the month (back from a pause; they take the changes in turn, so
    every change is somebody's watermark from about 75,000 subscribers on); with
    `behind=(low, high)`, everyone is that many changes behind and follows every channel
    (the delivery benchmark's 1-3 KB digests).
    Otherwise a third follow every channel, the rest a random subset; one in twenty has had
    no digest yet ("since you subscribed").
    """
    rng = random.Random(seed)
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    due = due_at.isoformat(timespec="seconds")
    yesterday = (due_at - timedelta(days=1)).isoformat(timespec="seconds")
    subscribers, follows = [], []
    paused = 0  # subscribers back from a pause so far: they take the month's changes in turn
    for number in range(count):
        chat_id = 10_000_000 + number
        if behind is not None:
            watermark = change_ids[-1 - rng.randint(*behind)]
            every = True
        else:
            roll, day = rng.random(), len(change_ids) // 30
            if roll < 0.9:
                back = rng.randint(1, day)
            elif roll < 0.98:
                back = rng.randint(day + 1, 7 * day)
            else:
                back, paused = paused % len(change_ids) + 1, paused + 1
            watermark = change_ids[-back]
            every = rng.random() < 1 / 3
        # Drawn in this order (the seeded data stays what it always was).
        digest_time = f"{rng.randint(6, 21):02d}:{rng.choice([0, 15, 30, 45]):02d}"
        timezone = rng.choice(ZONES)
        last_digest_at = None if rng.random() < 0.05 else yesterday
        subscribers.append(
            _subscriber_row(
                chat_id, every, digest_time, timezone, False, watermark, due, last_digest_at
            )
        )
        if not every:
            for channel_id in rng.sample(channel_ids, rng.randint(1, len(channel_ids) - 1)):
                follows.append({"chat_id": chat_id, "channel_id": channel_id})
    _insert_subscribers(db, subscribers, follows)
