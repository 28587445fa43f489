"""Databases as older versions of Backchannel left them, for testing migrations on real data.

Seeding goes through today's code, which writes today's columns; these helpers write only the
columns the first schema had, the way the bot seeded before later migrations existed.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from storage.migrations import migrations
from storage.seed import load_seed

SEEDED_AT = "2025-01-01T00:00:00+00:00"


def old_database(path: Path, stop_before: str) -> Database:
    """A database migrated up to (not including) `stop_before`, seeded as the bot did then."""
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before=stop_before)
    seed = load_seed()
    with db.conn:
        for rank, phase in enumerate(seed.phases):
            db.execute(
                "INSERT INTO phases (slug, rank, label, emoji) VALUES (?, ?, ?, ?)",
                [phase.slug, rank, phase.label, phase.emoji],
            )
        for position, channel in enumerate(seed.channels, start=1):
            channel_id = db.execute(
                "INSERT INTO channels (slug, title, keywords, archived, position, created_at) "
                "VALUES (?, ?, ?, 0, ?, ?)",
                [channel.slug, channel.title, json.dumps(channel.keywords[:3]), position,
                 SEEDED_AT],
            ).lastrowid  # fmt: skip
            for command, alias in [(channel.slug, 0), *((a, 1) for a in channel.aliases)]:
                db.execute(
                    "INSERT INTO channel_commands (command, channel_id, is_alias) VALUES (?, ?, ?)",
                    [command, channel_id, alias],
                )
            entry_id = db.execute(
                "INSERT INTO status_history (channel_id, kind, phase, summary, source_label, "
                "source_url, source_grade, changed_at, recorded_at, actor_id, actor_name) "
                "VALUES (?, 'status', ?, ?, ?, NULL, ?, ?, ?, NULL, 'seed')",
                [channel_id, channel.phase, channel.summary, seed.source.label,
                 seed.source.grade, SEEDED_AT, SEEDED_AT],
            ).lastrowid  # fmt: skip
            db.execute(
                "UPDATE channels SET current_status_id = ?, updated_at = ? WHERE id = ?",
                [entry_id, SEEDED_AT, channel_id],
            )
    return db
