"""Synthetic data for benchmarks: a seeded random generator, written straight into SQLite.

A million history rows through `record_status` one by one would take minutes, so the rows are
bulk-inserted with sqlite-utils here, then each channel's current-status pointer is set the
way `record_status` leaves it. Only benchmarks do this; the bot itself never writes SQL
outside `storage/`.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

import storage

START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 50_000


def _rows(channel_ids: list[int], phases: list[str], count: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed)
    step = timedelta(days=690) / max(count, 1)
    for number in range(count):
        moment = (START + step * number).isoformat(timespec="seconds")
        yield {
            "channel_id": rng.choice(channel_ids),
            "kind": "note" if rng.random() < 0.3 else "status",
            "phase": rng.choice(phases),
            "summary": f"Synthetic update {number}: talks on {rng.choice(['aid', 'POWs', 'grid'])}",
            "source_label": None,
            "source_url": f"https://example.org/report/{number}",
            "source_grade": rng.choice(["official", "mediator", "media", "unconfirmed"]),
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
        every = rng.random() < 0.5
        subscribers.append(
            {
                "chat_id": chat_id,
                "chat_type": "private",
                "all_channels": int(every),
                "digest_time": "08:00",
                "timezone": rng.choice(["Europe/Kyiv", "Europe/Berlin", "America/New_York"]),
                "quiet": int(rng.random() < quiet_share),
                "active": 1,
                "next_due_at": due,
                "watermark": rng.choice(watermarks),
                "created_at": due,
                "updated_at": due,
            }
        )
        if not every:
            for channel_id in rng.sample(channel_ids, rng.choice([2, 3])):
                follows.append({"chat_id": chat_id, "channel_id": channel_id})
    with db.atomic():
        db["subscribers"].insert_all(subscribers, batch_size=BATCH)
        db["subscription_channels"].insert_all(follows, batch_size=BATCH)
