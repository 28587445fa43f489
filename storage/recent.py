"""What changed across channels in a time window, for "what changed this week?" questions."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlite_utils import Database

from storage.history import COUNTED, entry_from_row
from storage.models import StatusEntry
from storage.timestamps import to_db

_FROM = (
    "FROM status_history h JOIN channels c ON c.id = h.channel_id "
    f"WHERE c.archived = 0 AND h.{COUNTED} AND h.changed_at >= :since"
)


class Changes(BaseModel):
    """The newest entries of a window and how many there are in all."""

    total: int
    entries: list[StatusEntry]


def changes_since(
    db: Database,
    since: datetime | None,
    *,
    limit: int,
    channel_id: int | None = None,
    until: datetime | None = None,
) -> Changes:
    """Statuses and notes of active channels dated at or after `since`, newest first.

    `since=None` means all time, so `limit=1` gives the latest entry of any channel; `until`
    (exclusive) closes a calendar window ("in November"). Dates are the effective dates
    admins gave (changed_at), not when the row was typed in.
    """
    where = _FROM
    params: dict[str, Any] = {"since": "" if since is None else to_db(since), "limit": limit}
    if until is not None:
        where += " AND h.changed_at < :until"
        params["until"] = to_db(until)
    if channel_id is not None:
        where += " AND h.channel_id = :channel"
        params["channel"] = channel_id
    total = next(iter(db.query(f"SELECT count(*) AS n {where}", params)))["n"]
    rows = db.query(
        f"SELECT h.* {where} ORDER BY h.changed_at DESC, h.id DESC LIMIT :limit", params
    )
    return Changes(total=total, entries=[entry_from_row(row) for row in rows])
