"""Undo: revert an admin's own latest change without deleting history.

The reverted row stays in status_history with `reverted_at` set (so the audit trail and any
export keep it), and every reader skips it through `history.COUNTED`.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from storage.errors import UndoRefusedError
from storage.history import _ENTRY_COLUMNS, COUNTED, entry_from_row, entry_from_values, write_audit
from storage.models import Actor, StatusEntry, UndoResult
from storage.timestamps import from_db, to_db, utc_now

UNDO_WINDOW = timedelta(minutes=15)


def _first(db: Database, sql: str, params: list[Any]) -> StatusEntry | None:
    row = next(iter(db.query(f"SELECT {_ENTRY_COLUMNS} FROM status_history {sql}", params)), None)
    return None if row is None else entry_from_row(row)


def undo_last_change(db: Database, actor: Actor, window: timedelta = UNDO_WINDOW) -> UndoResult:
    """Revert `actor`'s most recent status or note, if recent and nobody changed it since.

    Raises UndoRefusedError with the reason otherwise. The revert, the channel's restored
    status and the audit row are one transaction.
    """
    now = utc_now()
    with db.atomic():
        entry = None
        if actor.id is not None:
            entry = _first(
                db, f"WHERE actor_id = ? AND {COUNTED} ORDER BY id DESC LIMIT 1", [actor.id]
            )
        if entry is None:
            raise UndoRefusedError("nothing")
        if now - entry.recorded_at >= window:
            raise UndoRefusedError("too_old", entry)
        newer = _first(
            db,
            f"WHERE channel_id = ? AND id > ? AND {COUNTED} ORDER BY id DESC LIMIT 1",
            [entry.channel_id, entry.id],
        )
        if newer is not None:
            raise UndoRefusedError("superseded", entry, newer)
        restored = _revert(db, entry, actor, now)
    return UndoResult(reverted=entry, restored=restored)


def _revert(db: Database, entry: StatusEntry, actor: Actor, now: datetime) -> StatusEntry | None:
    restored = None
    if entry.kind == "status":
        restored = _first(
            db,
            f"WHERE channel_id = ? AND kind = 'status' AND id < ? AND {COUNTED} "
            "ORDER BY id DESC LIMIT 1",
            [entry.channel_id, entry.id],
        )
        if restored is None:
            raise UndoRefusedError("first_status", entry)
        db.execute(
            "UPDATE channels SET current_status_id = ? WHERE id = ?",
            [restored.id, entry.channel_id],
        )
    db.execute(
        "UPDATE status_history SET reverted_at = ?, reverted_by_id = ?, reverted_by = ? "
        "WHERE id = ?",
        [to_db(now), actor.id, actor.name, entry.id],
    )
    # "Updated N days ago" must fall back to the latest change that still counts.
    db.execute(
        "UPDATE channels SET updated_at = (SELECT max(changed_at) FROM status_history "
        f"WHERE channel_id = ? AND {COUNTED}) WHERE id = ?",
        [entry.channel_id, entry.channel_id],
    )
    old = {"kind": entry.kind, "phase": entry.phase, "summary": entry.summary}
    new = None if restored is None else {"phase": restored.phase, "summary": restored.summary}
    write_audit(
        db, actor=actor, action="undo", channel_id=entry.channel_id, old=old, new=new, at=now
    )
    return restored


def undone_since(db: Database, since: datetime) -> list[tuple[StatusEntry, datetime]]:
    """Entries undone after `since` and when, oldest undo first (for digests' corrections).

    Undone entries are few, and a partial index holds only them: one seek per digest run.
    """
    rows = db.execute(
        f"SELECT {_ENTRY_COLUMNS}, reverted_at FROM status_history "
        "INDEXED BY idx_history_reverted WHERE reverted_at > ? ORDER BY reverted_at, id",
        [to_db(since)],
    ).fetchall()
    return [(entry_from_values(row[:-1]), from_db(row[-1])) for row in rows]
