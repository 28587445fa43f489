"""Creating channels: a channel, its command names and its first status land together."""

import json
from datetime import datetime
from typing import Any

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
    title_uk: str | None = None,
    summary_language: str | None = None,
    translation: str | None = None,
) -> int:
    """Insert a channel with its first status; returns the new channel id.

    A channel is never visible without a status: the insert, its command names and the
    first history row share one transaction, and a clash on a command name undoes all three.
    """
    now = utc_now()
    with db.atomic():
        position = next(iter(db.query("SELECT coalesce(max(position), 0) + 1 AS p FROM channels")))
        cursor = db.execute(
            "INSERT INTO channels (slug, title, title_uk, keywords, archived, position, "
            "created_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
            [
                slug, title, title_uk, json.dumps(keywords, ensure_ascii=False), position["p"],
                to_db(now),
            ],
        )  # fmt: skip
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
            new={"slug": slug, "title": title, "title_uk": title_uk, "aliases": aliases},
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
            summary_language=summary_language,
            translation=translation,
        )
    return channel_id


def _shown(column: str, value: Any) -> Any:
    """Flags are stored as 0/1 but audited as booleans, so the log reads true/false."""
    return bool(value) if column == "archived" else value


def _set_column(
    db: Database, channel_id: int, column: str, value: Any, action: str, actor: Actor
) -> None:
    with db.atomic():
        row = next(iter(db.query(f"SELECT {column} FROM channels WHERE id = ?", [channel_id])))
        db.execute(f"UPDATE channels SET {column} = ? WHERE id = ?", [value, channel_id])
        write_audit(
            db,
            actor=actor,
            action=action,
            channel_id=channel_id,
            old={column: _shown(column, row[column])},
            new={column: _shown(column, value)},
        )


def rename_channel(
    db: Database,
    *,
    channel_id: int,
    actor: Actor,
    title: str | None = None,
    title_uk: str | None = None,
) -> None:
    """Give a channel a new English and/or Ukrainian title (None keeps that one).

    Its commands and history stay as they are; one audit row holds both titles' change.
    """
    pairs = (("title", title), ("title_uk", title_uk))
    changed = {name: value for name, value in pairs if value is not None}
    if not changed:
        return
    with db.atomic():
        row = next(
            iter(db.query("SELECT title, title_uk FROM channels WHERE id = ?", [channel_id]))
        )
        assignments = ", ".join(f"{name} = :{name}" for name in changed)
        db.execute(
            f"UPDATE channels SET {assignments} WHERE id = :id", {**changed, "id": channel_id}
        )
        write_audit(
            db,
            actor=actor,
            action="rename",
            channel_id=channel_id,
            old={name: row[name] for name in changed},
            new=changed,
        )


def set_archived(db: Database, *, channel_id: int, archived: bool, actor: Actor) -> None:
    """Hide a channel from readers and digests (or bring it back); history is kept either way.

    Its command names stay reserved while archived, so restoring it can never clash.
    """
    action = "archive" if archived else "restore"
    _set_column(db, channel_id, "archived", int(archived), action, actor)
