"""Restoring an export into a new, empty database: the history recreated exactly as exported.

An ordinary import records updates now, by the person importing. A restore instead writes each
exported row verbatim (recorded time, actor id and name, undone marks) in the exported order,
so exporting the restored database gives the same file again. It only runs on a database with
no history at all, because appending a whole history to another would duplicate it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlite_utils import Database

from language.i18n import ENGLISH, language_of_text
from language.word_forms import index_words
from storage.errors import RestoreRefusedError
from storage.export import ExportRow
from storage.history import COUNTED, write_audit
from storage.models import Actor, Phase, PhaseLadder
from storage.phases import phase_ladder
from storage.seed import SeedChannel, fill_from_seed, load_seed
from storage.timestamps import to_db, utc_now


class RestoreResult(BaseModel):
    """What a restore wrote; `untitled`: channels unknown to the seed file, titled by slug."""

    entries: int
    channels: list[str]
    untitled: list[str]


def history_count(db: Database) -> int:
    """How many history rows the database holds (0 for a new database)."""
    return db["status_history"].count


def restore_ladder(db: Database) -> PhaseLadder:
    """The ladder restored rows are checked against: the database's own, else the seed file's."""
    ladder = phase_ladder(db)
    if ladder.phases:
        return ladder
    phases = load_seed().phases
    return PhaseLadder(
        phases=tuple(Phase(**phase.model_dump(), rank=rank) for rank, phase in enumerate(phases))
    )


def restore_history(db: Database, rows: Sequence[ExportRow], actor: Actor) -> RestoreResult:
    """Write validated export rows into an empty database, all of them or none.

    Channels are created in order of first appearance; their titles, aliases and keywords
    come from the seed file when it knows the slug (the export carries slugs only), otherwise
    the slug is the title. Raises RestoreRefusedError if the database already has history.
    """
    seed = load_seed()
    known = {channel.slug: channel for channel in seed.channels}
    now = utc_now()
    with db.atomic():
        if (count := history_count(db)) or db["channels"].count:
            raise RestoreRefusedError(count)
        if not phase_ladder(db).phases:
            db["phases"].insert_all(
                {**phase.model_dump(), "rank": rank} for rank, phase in enumerate(seed.phases)
            )
        ids: dict[str, int] = {}
        for row in rows:
            if row.channel not in ids:
                ids[row.channel] = _create_channel(db, row.channel, known.get(row.channel), now)
            _insert(db, ids[row.channel], row)
        for channel_id in ids.values():
            _point_to_latest(db, channel_id)
        # The export carries no translations; the seeded statuses get theirs back.
        fill_from_seed(db)
        untitled = [slug for slug in ids if slug not in known]
        new = {"entries": len(rows), "channels": list(ids), "untitled": untitled}
        write_audit(db, actor=actor, action="restore", channel_id=None, old=None, new=new, at=now)
    return RestoreResult(entries=len(rows), channels=list(ids), untitled=untitled)


def _create_channel(db: Database, slug: str, seeded: SeedChannel | None, now: datetime) -> int:
    title = seeded.title if seeded else slug
    title_uk = seeded.title_uk if seeded else None
    aliases = seeded.aliases if seeded else []
    keywords = seeded.keywords if seeded else []
    position = next(iter(db.query("SELECT coalesce(max(position), 0) + 1 AS p FROM channels")))
    cursor = db.execute(
        "INSERT INTO channels (slug, title, title_uk, keywords, archived, position, created_at) "
        "VALUES (?, ?, ?, ?, 0, ?, ?)",
        [
            slug,
            title,
            title_uk,
            json.dumps(keywords, ensure_ascii=False),
            position["p"],
            to_db(now),
        ],
    )
    channel_id = int(cursor.lastrowid or 0)
    db.conn.executemany(
        "INSERT INTO channel_commands (command, channel_id, is_alias) VALUES (?, ?, ?)",
        [(slug, channel_id, 0), *((alias, channel_id, 1) for alias in aliases)],
    )
    return channel_id


def _insert(db: Database, channel_id: int, row: ExportRow) -> None:
    db.execute(
        "INSERT INTO status_history (channel_id, kind, phase, summary, source_label, source_url, "
        "source_grade, changed_at, recorded_at, actor_id, actor_name, reverted_at, reverted_by, "
        "summary_language, search_words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            channel_id, row.kind, row.phase, row.summary, row.source_label, row.source_url,
            row.source_grade, to_db(row.changed_at), to_db(row.recorded_at), row.actor_id,
            row.actor_name, None if row.reverted_at is None else to_db(row.reverted_at),
            row.reverted_by, language_of_text(row.summary) or ENGLISH, index_words(row.summary),
        ],
    )  # fmt: skip


def _point_to_latest(db: Database, channel_id: int) -> None:
    # The same rules as live writes and /undo: the current status is the last one recorded
    # that still counts, and "updated" is the latest counted change.
    db.execute(
        "UPDATE channels SET "
        "current_status_id = (SELECT max(id) FROM status_history "
        f"WHERE channel_id = ? AND kind = 'status' AND {COUNTED}), "
        "updated_at = (SELECT max(changed_at) FROM status_history "
        f"WHERE channel_id = ? AND {COUNTED}) WHERE id = ?",
        [channel_id, channel_id, channel_id],
    )
