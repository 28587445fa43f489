"""The whole history as flat rows, for `/export`, `backchannel export` and spreadsheets.

Rows name channels by slug rather than id, so an export stays meaningful outside this
database (and can be imported into another one).
"""

from datetime import datetime

from pydantic import BaseModel, field_serializer
from sqlite_utils import Database

from storage.models import EntryKind, SourceGrade
from storage.timestamps import from_db, to_db


class ExportRow(BaseModel):
    """One status or note, flattened; field order is the column order of every export."""

    channel: str
    kind: EntryKind
    phase: str
    summary: str
    source_label: str | None
    source_url: str | None
    source_grade: SourceGrade
    changed_at: datetime
    recorded_at: datetime
    actor_id: int | None
    actor_name: str
    # Entries reverted by /undo are exported too, marked, so a restore keeps them undone.
    reverted_at: datetime | None = None
    reverted_by: str | None = None

    @field_serializer("changed_at", "recorded_at", "reverted_at")
    def _utc_iso(self, moment: datetime | None) -> str | None:
        """ISO 8601 in UTC, exactly as stored, so exports compare equal across runs."""
        return None if moment is None else to_db(moment)


EXPORT_COLUMNS: tuple[str, ...] = tuple(ExportRow.model_fields)


def export_rows(db: Database, since: datetime | None = None) -> list[ExportRow]:
    """Every entry of every channel (archived ones too), oldest first in recording order.

    Recording order is the order in which a history can be replayed: the last status
    recorded is the current one even when an earlier-recorded one is dated later.
    `since` keeps only entries that took effect at or after it. Entries undone by /undo are
    included with `reverted_at` set, so the export is the whole record.
    """
    where, params = ("WHERE h.changed_at >= ?", [to_db(since)]) if since else ("", [])
    rows = db.query(
        "SELECT c.slug AS channel, h.kind, h.phase, h.summary, h.source_label, h.source_url, "
        "h.source_grade, h.changed_at, h.recorded_at, h.actor_id, h.actor_name, h.reverted_at, "
        "h.reverted_by "
        f"FROM status_history h JOIN channels c ON c.id = h.channel_id {where} ORDER BY h.id",
        params,
    )
    return [
        ExportRow(
            **{
                **row,
                "changed_at": from_db(row["changed_at"]),
                "recorded_at": from_db(row["recorded_at"]),
                "reverted_at": from_db(row["reverted_at"]),
            }
        )
        for row in rows
    ]
