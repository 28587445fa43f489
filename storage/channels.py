"""Reading channels and their current status: what /status, /channels and /<channel> show."""

import json
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from storage.errors import ChannelNotFoundError
from storage.history import _ENTRY_NAMES, entry_from_values
from storage.memo import memoized
from storage.models import Channel, ChannelStatus, PhaseLadder
from storage.phases import phase_ladder
from storage.timestamps import from_db

_CHANNEL_NAMES = (
    "id", "slug", "title", "keywords", "archived", "position", "verified_at", "title_uk",
)  # fmt: skip
_CHANNEL_SELECT = ", ".join(f"c.{name}" for name in _CHANNEL_NAMES)
# The channel's id, its current status row, the phase before it and the latest note since
# (both kept on the channel's row by triggers, migration m130). The channel's own columns come
# from the remembered channel list: a status change leaves them as they were, and reading and
# converting them again cost a cold /status more than the statuses themselves.
_STATUS_SQL = f"""
SELECT c.id, {", ".join(f"h.{name}" for name in _ENTRY_NAMES)}, c.previous_phase, c.last_note_at
FROM channels c JOIN status_history h ON h.id = c.current_status_id
"""
_CHANNEL_WIDTH = len(_CHANNEL_NAMES)
_ENTRY_END = 1 + len(_ENTRY_NAMES)


def _aliases(db: Database, channel_id: int) -> tuple[str, ...]:
    rows = db.execute(
        "SELECT command FROM channel_commands WHERE is_alias = 1 AND channel_id = ? ORDER BY rowid",
        [channel_id],
    )
    return tuple(command for (command,) in rows)


@lru_cache(maxsize=1024)
def _channel_from(values: tuple[Any, ...], aliases: tuple[str, ...]) -> Channel:
    """A Channel from the values of `_CHANNEL_NAMES` (in that order) and its aliases.

    Remembered by value: after a change to one channel the list is read again, yet the other
    channels' rows did not change; building each only when its row did keeps that reload from
    re-parsing every channel. Shared objects: never mutate them.
    Not validated by pydantic (see `entry_from_values`: rows are validated on the way in).
    """
    channel_id, slug, title, keywords, archived, position, verified_at, title_uk = values
    return Channel(
        id=channel_id,
        slug=slug,
        title=title,
        title_uk=title_uk,
        aliases=list(aliases),
        keywords=json.loads(keywords or "[]"),
        archived=bool(archived),
        position=position,
        verified_at=from_db(verified_at),
    )


def list_channels(db: Database, *, include_archived: bool = False) -> list[Channel]:
    """Channels in display order; archived ones only when asked for (admin views)."""
    return list(
        memoized(
            db, "channels", ("channels", include_archived), lambda: _load(db, include_archived)
        )
    )


def _load(db: Database, include_archived: bool) -> tuple[Channel, ...]:
    # Channels and their aliases in one round trip: one row per alias (or one with NULL).
    where = "" if include_archived else "WHERE c.archived = 0"
    rows = db.execute(
        f"SELECT {_CHANNEL_SELECT}, a.command FROM channels c LEFT JOIN channel_commands a "
        f"ON a.channel_id = c.id AND a.is_alias = 1 {where} ORDER BY c.position, c.id, a.rowid"
    ).fetchall()
    grouped: dict[tuple[Any, ...], list[str]] = {}
    for row in rows:
        aliases = grouped.setdefault(row[:_CHANNEL_WIDTH], [])
        if row[_CHANNEL_WIDTH] is not None:
            aliases.append(row[_CHANNEL_WIDTH])
    return tuple(_channel_from(values, tuple(aliases)) for values, aliases in grouped.items())


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
    return memoized(db, "channels", "commands", lambda: _commands(db))


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
    row = db.execute(
        f"SELECT {_CHANNEL_SELECT} FROM channel_commands cc JOIN channels c "
        "ON c.id = cc.channel_id WHERE cc.command = ?",
        [wanted],
    ).fetchone()
    if row is None:
        raise ChannelNotFoundError(name)
    return _channel_from(tuple(row), _aliases(db, row[0]))


def _channels_by_id(db: Database) -> dict[int, Channel]:
    # Archived ones too: an admin's confirmation echo shows an archived channel's status.
    return memoized(
        db,
        "channels",
        "by_id",
        lambda: {channel.id: channel for channel in list_channels(db, include_archived=True)},
    )


def _status_from_row(row: tuple[Any, ...], channel: Channel, ladder: PhaseLadder) -> ChannelStatus:
    current = entry_from_values(row[1:_ENTRY_END])
    previous_phase = row[_ENTRY_END]
    phase = ladder.get(current.phase)
    if phase is None:  # the foreign key makes this unreachable unless the data was hand-edited
        raise ValueError(f"channel {channel.slug} has unknown phase {current.phase}")
    return ChannelStatus(
        channel=channel,
        current=current,
        phase=phase,
        previous_phase=previous_phase,
        ladder=ladder,
        last_note_at=from_db(row[_ENTRY_END + 1]),
    )


def current_statuses(db: Database) -> list[ChannelStatus]:
    """Every active channel with its current status, in display order, in one query.

    The channels are the remembered list's (as the command index of the same update has
    them); a channel added by another process while an update is handled shows on the next.
    """
    channels = list_channels(db)
    ladder = phase_ladder(db)
    rows = {row[0]: row for row in db.execute(_STATUS_SQL + " WHERE c.archived = 0").fetchall()}
    return [
        _status_from_row(row, channel, ladder)
        for channel in channels
        if (row := rows.get(channel.id)) is not None
    ]


def channel_status(db: Database, channel: Channel) -> ChannelStatus:
    """One channel's current status and trend against the status before it.

    The channel as remembered now (a confirmation just written shows), not as passed.
    """
    row = db.execute(_STATUS_SQL + " WHERE c.id = ?", [channel.id]).fetchone()
    if row is None:
        raise ChannelNotFoundError(channel.slug)
    channel = _channels_by_id(db).get(channel.id, channel)
    return _status_from_row(row, channel, phase_ladder(db))
