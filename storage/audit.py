"""Reading the audit log: every change, who made it and when, for /audit."""

import json

from sqlite_utils import Database

from storage.models import AuditEntry
from storage.timestamps import from_db


def recent_audit(db: Database, limit: int) -> list[AuditEntry]:
    """The latest audit rows, newest first, with the channel's title when there is one."""
    rows = db.query(
        "SELECT a.*, c.title AS channel_title, c.title_uk AS channel_title_uk FROM audit_log a "
        "LEFT JOIN channels c ON c.id = a.channel_id ORDER BY a.id DESC LIMIT ?",
        [limit],
    )
    return [
        AuditEntry(
            **{
                **row,
                "at": from_db(row["at"]),
                "old": None if row["old"] is None else json.loads(row["old"]),
                "new": None if row["new"] is None else json.loads(row["new"]),
            }
        )
        for row in rows
    ]
