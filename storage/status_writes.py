"""Admin updates that are not a new phase: notes and "still holds" confirmations."""

from datetime import datetime

from sqlite_utils import Database

from storage.errors import ChannelNotFoundError
from storage.history import record_status, write_audit
from storage.models import Actor, SourceGrade, StatusEntry
from storage.timestamps import from_db, to_db, utc_now


def current_phase(db: Database, channel_id: int) -> str:
    """The phase the channel shows now; a note keeps it, so digests can show it beside the note."""
    row = next(
        iter(
            db.query(
                "SELECT h.phase FROM channels c JOIN status_history h "
                "ON h.id = c.current_status_id WHERE c.id = ?",
                [channel_id],
            )
        ),
        None,
    )
    if row is None:
        raise ChannelNotFoundError(str(channel_id))
    return row["phase"]


def add_note(
    db: Database,
    *,
    channel_id: int,
    summary: str,
    actor: Actor,
    source_url: str | None = None,
    source_grade: SourceGrade = "unconfirmed",
    source_label: str | None = None,
    phase: str | None = None,
    changed_at: datetime | None = None,
) -> StatusEntry:
    """Record a note: new information in history and digests, the phase left as it is."""
    return record_status(
        db,
        channel_id=channel_id,
        kind="note",
        phase=phase or current_phase(db, channel_id),
        summary=summary,
        actor=actor,
        source_url=source_url,
        source_grade=source_grade,
        source_label=source_label,
        changed_at=changed_at,
    )


def confirm_channel(db: Database, *, channel_id: int, actor: Actor) -> datetime:
    """Mark the status as checked now: moves "last verified" without a history entry.

    Staleness counts from the later of the last change and the last verification, so a
    confirmed channel stops looking abandoned while its history stays about real changes.
    """
    now = utc_now()
    with db.atomic():
        row = next(iter(db.query("SELECT verified_at FROM channels WHERE id = ?", [channel_id])))
        db.execute("UPDATE channels SET verified_at = ? WHERE id = ?", [to_db(now), channel_id])
        previous = from_db(row["verified_at"])
        write_audit(
            db,
            actor=actor,
            action="confirm",
            channel_id=channel_id,
            old={"verified_at": None if previous is None else to_db(previous)},
            new={"verified_at": to_db(now)},
            at=now,
        )
    return now
