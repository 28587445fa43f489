"""Applying validated updates: the one path Telegram, the guided /set, the CLI and imports share."""

from sqlite_utils import Database

import storage
from bot.editing.validation import UpdateInput


def apply_update(db: Database, update: UpdateInput, actor: storage.Actor) -> storage.StatusEntry:
    """Write one validated status or note; the row's own actor name wins (imports keep it)."""
    channel = storage.find_channel(db, update.channel)
    who = storage.Actor(id=actor.id, name=update.actor) if update.actor else actor
    if update.kind == "note":
        return storage.add_note(
            db,
            channel_id=channel.id,
            summary=update.summary,
            actor=who,
            source_url=update.source_url,
            source_grade=update.grade,
            source_label=update.source_label,
            phase=update.phase,
            changed_at=update.changed_at,
        )
    return storage.record_status(
        db,
        channel_id=channel.id,
        kind="status",
        phase=update.phase or storage.current_phase(db, channel.id),
        summary=update.summary,
        actor=who,
        source_url=update.source_url,
        source_grade=update.grade,
        source_label=update.source_label,
        changed_at=update.changed_at,
    )


def apply_all(db: Database, updates: list[UpdateInput], actor: storage.Actor) -> int:
    """Write every update in one transaction: an import lands whole or not at all."""
    with db.atomic():
        for update in updates:
            apply_update(db, update, actor)
    return len(updates)
