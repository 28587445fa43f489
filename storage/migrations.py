"""Versioned schema changes, applied in order and recorded in sqlite-utils' `_sqlite_migrations`.

Add a new function at the end for every change; never edit one that has shipped, because
databases in the field have already recorded it as applied.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("backchannel")


@migrations()
def m001_core(db: Database) -> None:
    """Phases, channels with their command names, status history and the audit log."""
    db["phases"].create(
        {"slug": str, "rank": int, "label": str, "emoji": str}, pk="slug", not_null={"rank"}
    )
    db["phases"].create_index(["rank"], unique=True)
    db["channels"].create(
        {
            "id": int,
            "slug": str,
            "title": str,
            "keywords": str,
            "archived": int,
            "position": int,
            "current_status_id": int,
            "updated_at": str,
            "verified_at": str,
            "created_at": str,
        },
        pk="id",
        not_null={"slug", "title", "archived", "position", "created_at"},
        defaults={"archived": 0, "keywords": "[]"},
    )
    db["channels"].create_index(["slug"], unique=True)
    # One row per command name (slug and aliases) so no two channels can share a command.
    db["channel_commands"].create(
        {"command": str, "channel_id": int, "is_alias": int},
        pk="command",
        foreign_keys=[("channel_id", "channels", "id")],
        not_null={"channel_id", "is_alias"},
    )
    db["channel_commands"].create_index(["channel_id"])
    db["status_history"].create(
        {
            "id": int,
            "channel_id": int,
            "kind": str,
            "phase": str,
            "summary": str,
            "source_label": str,
            "source_url": str,
            "source_grade": str,
            "changed_at": str,
            "recorded_at": str,
            "actor_id": int,
            "actor_name": str,
        },
        pk="id",
        foreign_keys=[("channel_id", "channels", "id"), ("phase", "phases", "slug")],
        not_null={"channel_id", "kind", "phase", "summary", "source_grade", "changed_at"},
    )
    # Newest-first history of one channel, and "previous status" lookups, stay index-only
    # however long the history grows.
    db["status_history"].create_index(["channel_id", "id"])
    db["status_history"].create_index(["channel_id", "kind", "id"])
    db["audit_log"].create(
        {
            "id": int,
            "at": str,
            "actor_id": int,
            "actor_name": str,
            "action": str,
            "channel_id": int,
            "old": str,
            "new": str,
        },
        pk="id",
        not_null={"at", "actor_name", "action"},
    )


@migrations()
def m030_search(db: Database) -> None:
    """Full-text index over every summary and note, kept current by triggers (/search)."""
    # Porter stemming lets "exchanges" find "exchange"; unicode61 folds case for Cyrillic too.
    db["status_history"].enable_fts(
        ["summary"], create_triggers=True, tokenize="porter unicode61 remove_diacritics 2"
    )
