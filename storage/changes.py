"""What changed between two points of the history: the one query every digest is built from.

Keep "which history rows does a digest show" here and nowhere else, so rules such as
skipping reverted rows apply to every digest, preview and catch-up at once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlite_utils import Database

from storage.history import COUNTED, entry_from_row
from storage.models import DigestChange
from storage.timestamps import to_db

_CHANGES_SQL = f"""
SELECT h.*,
       (SELECT p.phase FROM status_history p
         WHERE p.channel_id = h.channel_id AND p.kind = 'status' AND p.id < h.id
           AND p.{COUNTED}
         ORDER BY p.id DESC LIMIT 1) AS previous_phase
FROM status_history h JOIN channels c ON c.id = h.channel_id
WHERE h.id > ? AND h.id <= ? AND c.archived = 0 AND h.{COUNTED}
"""


def latest_change_id(db: Database) -> int:
    """The id of the newest history row (0 for an empty history): a digest's upper bound."""
    row = next(iter(db.query("SELECT coalesce(max(id), 0) AS id FROM status_history")))
    return row["id"]


def changes_dated_since(db: Database, since: datetime) -> list[DigestChange]:
    """History rows of active channels that took effect (changed_at) at or after `since`.

    In recording order, like `changes_between`. For "what happened in the last day": an entry
    typed in today about last week, or a seed recorded today and dated 2025, is not in it.
    """
    sql = _CHANGES_SQL + " AND h.changed_at >= ? ORDER BY h.id"
    rows = db.query(sql, [0, latest_change_id(db), to_db(since)])
    return [
        DigestChange(entry=entry_from_row(row), previous_phase=row["previous_phase"])
        for row in rows
    ]


def changes_between(
    db: Database, after_id: int, upto_id: int, channel_ids: Collection[int] | None = None
) -> list[DigestChange]:
    """History rows with after_id < id <= upto_id of active channels, oldest first.

    `channel_ids=None` means every channel. Each status row carries the phase of the status
    before it (for "old -> new"); notes are included as they are.
    """
    sql, params = _CHANGES_SQL, [after_id, upto_id]
    if channel_ids is not None:
        ids = sorted(channel_ids)
        if not ids:
            return []
        sql += f" AND h.channel_id IN ({', '.join('?' for _ in ids)})"
        params += ids
    rows = db.query(sql + " ORDER BY h.id", params)
    return [
        DigestChange(entry=entry_from_row(row), previous_phase=row["previous_phase"])
        for row in rows
    ]
