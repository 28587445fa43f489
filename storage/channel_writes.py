"""Creating channels: a channel, its command names and its first status land together."""

import json
from datetime import datetime

from sqlite_utils import Database

from storage.history import record_status, write_audit
from storage.models import Actor, SourceGrade
from storage.timestamps import to_db, utc_now


def create_channel(
    db: Database,
    *,
    slug: str,
    title: str,
    aliases: list[str],
    keywords: list[str],
    phase: str,
    summary: str,
    actor: Actor,
    source_label: str | None = None,
    source_url: str | None = None,
    source_grade: SourceGrade = "unconfirmed",
    changed_at: datetime | None = None,
) -> int:
    """Insert a channel with its first status; returns the new channel id.

    A channel is never visible without a status: the insert, its command names and the
    first history row share one transaction, and a clash on a command name undoes all three.
    """
    now = utc_now()
    with db.atomic():
        position = next(iter(db.query("SELECT coalesce(max(position), 0) + 1 AS p FROM channels")))
        cursor = db.execute(
            "INSERT INTO channels (slug, title, keywords, archived, position, created_at) "
            "VALUES (?, ?, ?, 0, ?, ?)",
            [slug, title, json.dumps(keywords, ensure_ascii=False), position["p"], to_db(now)],
        )
        channel_id = cursor.lastrowid
        commands = [(slug, 0), *((alias, 1) for alias in aliases)]
        db.conn.executemany(
            "INSERT INTO channel_commands (command, channel_id, is_alias) VALUES (?, ?, ?)",
            [(command, channel_id, is_alias) for command, is_alias in commands],
        )
        write_audit(
            db,
            actor=actor,
            action="add_channel",
            channel_id=channel_id,
            old=None,
            new={"slug": slug, "title": title, "aliases": aliases},
            at=now,
        )
        record_status(
            db,
            channel_id=channel_id,
            kind="status",
            phase=phase,
            summary=summary,
            actor=actor,
            source_label=source_label,
            source_url=source_url,
            source_grade=source_grade,
            changed_at=changed_at,
        )
    return channel_id
