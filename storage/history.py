"""Status history: every status and note ever recorded, and the one way to record a new one."""

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from language.i18n import ENGLISH, UKRAINIAN, language_of_text
from language.word_forms import index_words
from storage.errors import UnknownPhaseError
from storage.models import Actor, EntryKind, SourceGrade, StatusEntry
from storage.phases import phase_ladder
from storage.timestamps import from_db, to_db, utc_now

# The one definition of which history rows count: rows reverted by /undo stay stored for the
# record but are skipped by every reader (views, trends, digests). Use it in any history query.
COUNTED = "reverted_at IS NULL"

_ENTRY_COLUMNS = (
    "id, channel_id, kind, phase, summary, source_label, source_url, source_grade, "
    "changed_at, recorded_at, actor_id, actor_name, summary_language, translation, "
    "translation_language"
)


def other_language(language: str) -> str:
    """The language a translation of a `language` summary is in (two languages: the other)."""
    return ENGLISH if language == UKRAINIAN else UKRAINIAN


def entry_from_row(row: dict[str, Any]) -> StatusEntry:
    """Build a StatusEntry from a status_history row (extra columns are ignored)."""
    return entry_from_values(tuple(row.get(name) for name in _ENTRY_NAMES))


_ENTRY_NAMES = tuple(name.strip() for name in _ENTRY_COLUMNS.split(","))


def entry_from_values(values: tuple[Any, ...]) -> StatusEntry:
    """Build a StatusEntry from the values of `_ENTRY_COLUMNS`, in that order.

    Without pydantic's validation: every row was validated on its way in (`record_status`, a
    validated restore file, the seed), and SQLite hands back the types it was given. Every
    cold reader reply builds several of these; validating each cost more than the query.
    Positional, in the dataclass's field order (which `_ENTRY_COLUMNS` follows; a test holds
    the two together): keyword arguments cost twice as much, six times per cold /status.
    """
    (entry_id, channel_id, kind, phase, summary, source_label, source_url, source_grade,
     changed_at, recorded_at, actor_id, actor_name, summary_language, translation,
     translation_language) = values  # fmt: skip
    return StatusEntry(
        entry_id, channel_id, kind, phase, summary, source_label, source_url, source_grade,
        from_db(changed_at), from_db(recorded_at), actor_id, actor_name,
        summary_language or ENGLISH, translation, translation_language,
    )  # fmt: skip


def history(db: Database, channel_id: int, limit: int) -> list[StatusEntry]:
    """The channel's latest entries, newest first; cost depends on limit, not history size.

    Entries reverted by /undo are left out (see COUNTED). One round trip, rows as tuples.
    """
    rows = db.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM status_history WHERE channel_id = ? AND {COUNTED} "
        "ORDER BY id DESC LIMIT ?",
        [channel_id, limit],
    ).fetchall()
    return [entry_from_values(row) for row in rows]


def record_status(
    db: Database,
    *,
    channel_id: int,
    kind: EntryKind,
    phase: str,
    summary: str,
    actor: Actor,
    source_label: str | None = None,
    source_url: str | None = None,
    source_grade: SourceGrade = "unconfirmed",
    changed_at: datetime | None = None,
    summary_language: str | None = None,
    translation: str | None = None,
) -> StatusEntry:
    """Append a status or note and move the channel's current status, in one transaction.

    The history row, the channel's pointer to its current status and the audit row are
    written together or not at all, so readers never see a status without its history.
    `summary_language` is read off the summary's letters when not given; a `translation` is
    the summary in the other language.
    """
    if phase_ladder(db).get(phase) is None:
        raise UnknownPhaseError(phase)
    now = utc_now()
    effective = changed_at or now
    language = summary_language or language_of_text(summary) or ENGLISH
    other = other_language(language) if translation else None
    with db.atomic():
        old = _current_summary(db, channel_id)
        cursor = db.execute(
            "INSERT INTO status_history (channel_id, kind, phase, summary, source_label, "
            "source_url, source_grade, changed_at, recorded_at, actor_id, actor_name, "
            "summary_language, translation, translation_language, search_words) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                channel_id,
                kind,
                phase.lower(),
                summary,
                source_label,
                source_url,
                source_grade,
                to_db(effective),
                to_db(now),
                actor.id,
                actor.name,
                language,
                translation,
                other,
                index_words(summary, translation),
            ],
        )
        entry_id = cursor.lastrowid
        if kind == "status":
            db.execute(
                "UPDATE channels SET current_status_id = ?, updated_at = ? WHERE id = ?",
                [entry_id, to_db(effective), channel_id],
            )
        else:
            db.execute(
                "UPDATE channels SET updated_at = max(coalesce(updated_at, ''), ?) WHERE id = ?",
                [to_db(effective), channel_id],
            )
        new = {"kind": kind, "phase": phase.lower(), "summary": summary, "source": source_url}
        write_audit(db, actor=actor, action=kind, channel_id=channel_id, old=old, new=new, at=now)
        row = next(
            iter(db.query(f"SELECT {_ENTRY_COLUMNS} FROM status_history WHERE id = ?", [entry_id]))
        )
    return entry_from_row(row)


def _current_summary(db: Database, channel_id: int) -> dict[str, Any] | None:
    row = next(
        iter(
            db.query(
                "SELECT h.phase, h.summary, h.source_url FROM channels c "
                "JOIN status_history h ON h.id = c.current_status_id WHERE c.id = ?",
                [channel_id],
            )
        ),
        None,
    )
    if row is None:
        return None
    return {"phase": row["phase"], "summary": row["summary"], "source": row["source_url"]}


def write_audit(
    db: Database,
    *,
    actor: Actor,
    action: str,
    channel_id: int | None,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    at: datetime | None = None,
) -> None:
    """Record who changed what; call inside the transaction of the change it describes."""
    db.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, channel_id, old, new) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            to_db(at or utc_now()),
            actor.id,
            actor.name,
            action,
            channel_id,
            None if old is None else json.dumps(old, ensure_ascii=False),
            None if new is None else json.dumps(new, ensure_ascii=False),
        ],
    )


def history_since(db: Database, channel_id: int, since: datetime) -> list[StatusEntry]:
    """Entries that took effect at or after `since`, oldest first: what a timeline plots.

    Ordered by when things happened (then by recording order), so a backdated entry lands
    where it belongs on a time axis.
    """
    rows = db.query(
        f"SELECT {_ENTRY_COLUMNS} FROM status_history WHERE channel_id = ? AND changed_at >= ? "
        f"AND {COUNTED} "
        "ORDER BY changed_at, id",
        [channel_id, to_db(since)],
    )
    return [entry_from_row(row) for row in rows]


def status_at(db: Database, channel_id: int, moment: datetime) -> StatusEntry | None:
    """The status in effect at `moment` (notes excluded), or None if there was none yet.

    A timeline window starts mid-history; this is the phase its line starts from.
    """
    row = next(
        iter(
            db.query(
                f"SELECT {_ENTRY_COLUMNS} FROM status_history WHERE channel_id = ? "
                f"AND kind = 'status' AND {COUNTED} AND changed_at < ? "
                "ORDER BY changed_at DESC, id DESC LIMIT 1",
                [channel_id, to_db(moment)],
            )
        ),
        None,
    )
    return None if row is None else entry_from_row(row)


def latest_entry_id(db: Database, channel_id: int | None = None) -> int:
    """The id of the newest history row, of one channel or of all (0 when there is none).

    Any new status or note raises it, and it is an index lookup, so callers use it to tell
    whether something rendered from the history is still current.
    """
    # Only rows that count: an /undo then lowers the channel's latest id, so caches keyed on it
    # (undo only ever reverts a channel's newest row) notice the undo too.
    where, params = (
        (f"WHERE channel_id = ? AND {COUNTED}", [channel_id])
        if channel_id is not None
        else (f"WHERE {COUNTED}", [])
    )
    row = next(
        iter(db.query(f"SELECT coalesce(max(id), 0) AS id FROM status_history {where}", params))
    )
    return int(row["id"])


def first_change(db: Database, channel_ids: list[int]) -> datetime | None:
    """When the earliest counted entry of these channels took effect (None: no entries).

    The start of an "all history" chart. It reads every row of the channels, so callers run
    it away from the event loop (the chart worker does).
    """
    if not channel_ids:
        return None
    marks = ", ".join("?" for _ in channel_ids)
    row = next(
        iter(
            db.query(
                f"SELECT min(changed_at) AS first FROM status_history "
                f"WHERE channel_id IN ({marks}) AND {COUNTED}",
                channel_ids,
            )
        )
    )
    return from_db(row["first"]) if row["first"] else None
