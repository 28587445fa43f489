"""Reading channels and their current status: what /status, /channels and /<channel> show."""

import json
from collections import defaultdict
from typing import Any

from sqlite_utils import Database

from storage.errors import ChannelNotFoundError
from storage.history import COUNTED, entry_from_row
from storage.memo import memoized
from storage.models import Channel, ChannelStatus, PhaseLadder
from storage.phases import phase_ladder
from storage.timestamps import from_db

_STATUS_SQL = f"""
SELECT c.id AS c_id, c.slug AS c_slug, c.title AS c_title, c.title_uk AS c_title_uk,
       c.keywords AS c_keywords,
       c.archived AS c_archived, c.position AS c_position, c.updated_at AS c_updated_at,
       c.verified_at AS c_verified_at, h.*,
       (SELECT p.phase FROM status_history p
         WHERE p.channel_id = c.id AND p.kind = 'status' AND p.id < c.current_status_id
           AND p.{COUNTED}
         ORDER BY p.id DESC LIMIT 1) AS previous_phase,
       (SELECT max(n.changed_at) FROM status_history n
         WHERE n.channel_id = c.id AND n.kind = 'note' AND n.id > c.current_status_id
           AND n.{COUNTED}) AS last_note_at
FROM channels c JOIN status_history h ON h.id = c.current_status_id
"""


def _aliases(db: Database, channel_ids: list[int] | None = None) -> dict[int, list[str]]:
    sql = "SELECT channel_id, command FROM channel_commands WHERE is_alias = 1"
    params: list[Any] = []
    if channel_ids is not None:
        sql += f" AND channel_id IN ({', '.join('?' for _ in channel_ids)})"
        params = list(channel_ids)
    found: dict[int, list[str]] = defaultdict(list)
    for row in db.query(sql + " ORDER BY rowid", params):
        found[row["channel_id"]].append(row["command"])
    return found


def _channel(row: dict[str, Any], aliases: list[str], prefix: str = "") -> Channel:
    return Channel(
        id=row[f"{prefix}id"],
        slug=row[f"{prefix}slug"],
        title=row[f"{prefix}title"],
        title_uk=row.get(f"{prefix}title_uk"),
        aliases=aliases,
        keywords=json.loads(row[f"{prefix}keywords"] or "[]"),
        archived=bool(row[f"{prefix}archived"]),
        position=row[f"{prefix}position"],
        updated_at=from_db(row[f"{prefix}updated_at"]),
        verified_at=from_db(row[f"{prefix}verified_at"]),
    )


def list_channels(db: Database, *, include_archived: bool = False) -> list[Channel]:
    """Channels in display order; archived ones only when asked for (admin views)."""
    return list(memoized(db, ("channels", include_archived), lambda: _load(db, include_archived)))


def _load(db: Database, include_archived: bool) -> tuple[Channel, ...]:
    where = "" if include_archived else "WHERE archived = 0"
    rows = list(db.query(f"SELECT * FROM channels {where} ORDER BY position, id"))
    aliases = _aliases(db)
    return tuple(_channel(row, aliases.get(row["id"], [])) for row in rows)


def command_index(db: Database) -> dict[str, Channel]:
    """Map every command name (slug and aliases) of an active channel to its channel."""
    return dict(_remembered_commands(db))


def is_channel_command(db: Database, name: str) -> bool:
    """Whether `name` (lower case, no slash) is an active channel's slug or alias."""
    return name in _remembered_commands(db)


def command_index_entry(db: Database, name: str) -> Channel | None:
    """The active channel whose slug or alias is `name` (lower case, no slash), if any.

    Asked for every command a reader sends, so it reads the remembered index without copying.
    """
    return _remembered_commands(db).get(name)


def _remembered_commands(db: Database) -> dict[str, Channel]:
    # Shared, not copied: callers inside this module only read it.
    return memoized(db, "commands", lambda: _commands(db))


def _commands(db: Database) -> dict[str, Channel]:
    return {command: channel for channel in list_channels(db) for command in channel.commands}


def taken_commands(db: Database) -> set[str]:
    """Every command name any channel uses, archived ones included (they may come back)."""
    return {row["command"] for row in db.query("SELECT command FROM channel_commands")}


def find_channel(db: Database, name: str, *, include_archived: bool = False) -> Channel:
    """Resolve a slug or alias, ignoring case and a leading slash.

    Raises ChannelNotFoundError so callers can offer suggestions instead of checking None.
    Archived channels are found only when asked for (admins restoring them).
    """
    wanted = name.strip().lstrip("/").lower()
    if not include_archived:
        found = _remembered_commands(db).get(wanted)
        if found is None:
            raise ChannelNotFoundError(name)
        return found
    active = ""
    row = next(
        iter(
            db.query(
                "SELECT c.* FROM channel_commands cc JOIN channels c ON c.id = cc.channel_id "
                f"WHERE cc.command = ?{active}",
                [wanted],
            )
        ),
        None,
    )
    if row is None:
        raise ChannelNotFoundError(name)
    return _channel(row, _aliases(db, [row["id"]]).get(row["id"], []))


def _status_from_row(row: dict[str, Any], aliases: list[str], ladder: PhaseLadder) -> ChannelStatus:
    current = entry_from_row(row)
    phase = ladder.get(current.phase)
    if phase is None:  # the foreign key makes this unreachable unless the data was hand-edited
        raise ValueError(f"channel {row['c_slug']} has unknown phase {current.phase}")
    return ChannelStatus(
        channel=_channel(row, aliases, prefix="c_"),
        current=current,
        phase=phase,
        previous_phase=row["previous_phase"],
        trend=ladder.trend(current.phase, row["previous_phase"]),
        last_note_at=from_db(row["last_note_at"]),
    )


def current_statuses(db: Database) -> list[ChannelStatus]:
    """Every active channel with its current status, in display order, in one query."""
    rows = list(db.query(_STATUS_SQL + " WHERE c.archived = 0 ORDER BY c.position, c.id"))
    aliases, ladder = _aliases(db), phase_ladder(db)
    return [_status_from_row(row, aliases.get(row["c_id"], []), ladder) for row in rows]


def channel_status(db: Database, channel: Channel) -> ChannelStatus:
    """One channel's current status and trend against the status before it."""
    row = next(iter(db.query(_STATUS_SQL + " WHERE c.id = ?", [channel.id])), None)
    if row is None:
        raise ChannelNotFoundError(channel.slug)
    return _status_from_row(row, channel.aliases, phase_ladder(db))
