"""Source watch rows: the sources admins follow, the items they bring (the inbox), notices.

An item is never published by itself: it waits in the inbox until an admin turns it into a
note (through `add_note`, so it is audited and /undo reverts it like any other note) or
dismisses it. Whether an item is still news is decided when it is read: an item whose note
was undone, or whose link no counted history entry uses as its source, is pending again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlite_utils import Database

from storage.errors import StorageError
from storage.history import write_audit
from storage.models import Actor, SourceGrade, StatusEntry
from storage.status_writes import add_note
from storage.timestamps import from_db, to_db, utc_now

SourceKind = Literal["feed", "telegram"]
DEFAULT_INTERVAL = timedelta(minutes=15)


class SourceExistsError(StorageError):
    """A source with this address is already followed; carries its id."""

    def __init__(self, source_id: int) -> None:
        super().__init__(f"source {source_id} already has this address")
        self.source_id = source_id


class SourceNotFoundError(StorageError):
    """No source or inbox item with this id (removed, or never existed)."""


class ItemDecidedError(StorageError):
    """The inbox item was already turned into a note or dismissed; carries its state."""

    def __init__(self, state: str) -> None:
        super().__init__(f"inbox item already {state}")
        self.state = state


@dataclass(frozen=True, slots=True)
class Source:
    """A followed source and its health, as /sources shows it."""

    id: int
    kind: SourceKind
    url: str
    title: str | None
    grade: SourceGrade
    channel_ids: tuple[int, ...]
    interval: timedelta
    paused: bool
    paused_reason: str | None
    created_at: datetime
    created_by: str
    etag: str | None
    last_modified: str | None
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_poll_at: datetime
    items_seen: int
    warnings: str | None

    @property
    def label(self) -> str:
        """How the source is named in notes and lists: its title, or its address."""
        return self.title or self.url


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item as the poller (or a forward) hands it to storage: cleaned, dated, matched."""

    guid: str
    link: str | None
    title: str
    title_key: str
    summary: str
    published_at: datetime
    date_flag: str | None
    channel_id: int | None
    score: float
    cluster_id: int | None = None  # an existing cluster it duplicates, if any


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One pending report in the inbox, with its source and how many sources report it."""

    id: int
    source_id: int
    source_label: str
    source_grade: SourceGrade
    guid: str
    link: str | None
    title: str
    summary: str
    published_at: datetime
    date_flag: str | None
    fetched_at: datetime
    channel_id: int | None
    score: float
    sources_count: int
    pending: bool


_SOURCE_TIMES = ("created_at", "last_polled_at", "last_success_at", "last_error_at")


def _source(row: dict[str, Any]) -> Source:
    return Source(
        id=row["id"],
        kind=row["kind"],
        url=row["url"],
        title=row["title"],
        grade=row["grade"],
        channel_ids=tuple(json.loads(row["channel_ids"] or "[]")),
        interval=timedelta(seconds=row["interval_seconds"]),
        paused=bool(row["paused"]),
        paused_reason=row["paused_reason"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_error=row["last_error"],
        failures=row["failures"],
        next_poll_at=from_db(row["next_poll_at"]),
        items_seen=row["items_seen"],
        warnings=row["warnings"],
        created_by=row["created_by"],
        **{name: from_db(row[name]) for name in _SOURCE_TIMES},
    )


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    return next(iter(db.query(sql, params)), None)


def get_source(db: Database, source_id: int) -> Source | None:
    """The source with this id, or None."""
    row = _one(db, "SELECT * FROM sources WHERE id = ?", [source_id])
    return None if row is None else _source(row)


def source_by_url(db: Database, url: str) -> Source | None:
    """The source with exactly this address, or None."""
    row = _one(db, "SELECT * FROM sources WHERE url = ?", [url])
    return None if row is None else _source(row)


def list_sources(db: Database) -> list[Source]:
    """Every source, oldest first (ids are what admins type)."""
    return [_source(row) for row in db.query("SELECT * FROM sources ORDER BY id")]


def add_source(
    db: Database,
    *,
    url: str,
    actor: Actor,
    kind: SourceKind = "feed",
    grade: SourceGrade = "media",
    channel_ids: list[int] | tuple[int, ...] = (),
    title: str | None = None,
    interval: timedelta = DEFAULT_INTERVAL,
    now: datetime | None = None,
) -> Source:
    """Follow a new source (first poll due at once), audited; SourceExistsError if followed."""
    moment = now or utc_now()
    with db.atomic():
        existing = source_by_url(db, url)
        if existing is not None:
            raise SourceExistsError(existing.id)
        cursor = db.execute(
            "INSERT INTO sources (kind, url, title, grade, channel_ids, interval_seconds, "
            "created_at, created_by, next_poll_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [kind, url, title, grade, json.dumps(list(channel_ids)),
             int(interval.total_seconds()), to_db(moment), actor.name, to_db(moment)],
        )  # fmt: skip
        source_id = int(cursor.lastrowid or 0)
        new = {"source": url, "grade": grade, "channels": list(channel_ids)}
        write_audit(db, actor=actor, action="source_add", channel_id=None, old=None, new=new)
    found = get_source(db, source_id)
    assert found is not None
    return found


def set_source_paused(
    db: Database, source_id: int, *, paused: bool, actor: Actor, reason: str = "paused"
) -> Source:
    """Pause (or mute) a source, or resume it with its next poll due at once; audited."""
    with db.atomic():
        source = get_source(db, source_id)
        if source is None:
            raise SourceNotFoundError(str(source_id))
        db.execute(
            "UPDATE sources SET paused = ?, paused_reason = ?, failures = "
            "CASE WHEN ? THEN failures ELSE 0 END, next_poll_at = ? WHERE id = ?",
            [int(paused), reason if paused else None, int(paused), to_db(utc_now()), source_id],
        )
        action = f"source_{'mute' if reason == 'muted' else 'pause'}" if paused else "source_resume"
        write_audit(
            db, actor=actor, action=action, channel_id=None,
            old={"source": source.url, "paused": source.paused},
            new={"source": source.url, "paused": paused},
        )  # fmt: skip
    updated = get_source(db, source_id)
    assert updated is not None
    return updated


def remove_source(db: Database, source_id: int, *, actor: Actor) -> Source:
    """Stop following a source and drop its inbox items (notes made from them stay); audited."""
    with db.atomic():
        source = get_source(db, source_id)
        if source is None:
            raise SourceNotFoundError(str(source_id))
        db.execute("DELETE FROM source_items WHERE source_id = ?", [source_id])
        # Items of other sources that were grouped under one of these keep their own group.
        db.execute(
            "UPDATE source_items SET cluster_id = id "
            "WHERE cluster_id NOT IN (SELECT id FROM source_items)"
        )
        db.execute("DELETE FROM sources WHERE id = ?", [source_id])
        write_audit(
            db, actor=actor, action="source_remove", channel_id=None,
            old={"source": source.url, "grade": source.grade}, new=None,
        )  # fmt: skip
    return source


def due_sources(db: Database, now: datetime, limit: int) -> list[Source]:
    """Feeds whose next poll is due, most overdue first (an index range scan)."""
    rows = db.query(
        "SELECT * FROM sources WHERE paused = 0 AND kind = 'feed' AND next_poll_at <= ? "
        "ORDER BY next_poll_at, id LIMIT ?",
        [to_db(now), limit],
    )
    return [_source(row) for row in rows]


def next_poll_time(db: Database) -> datetime | None:
    """When the next feed is due (None when no active feed is followed)."""
    row = _one(
        db, "SELECT min(next_poll_at) AS t FROM sources WHERE paused = 0 AND kind = 'feed'", []
    )
    return from_db(row["t"]) if row else None


def record_poll_success(
    db: Database,
    source_id: int,
    *,
    now: datetime,
    next_poll_at: datetime,
    etag: str | None,
    last_modified: str | None,
    title: str | None,
    warnings: str | None,
    items_seen: int,
) -> None:
    """A poll worked (a 304 too): keep validators, clear the error count, count new items."""
    db.execute(
        "UPDATE sources SET last_polled_at = ?, last_success_at = ?, failures = 0, "
        "next_poll_at = ?, etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
        "title = coalesce(title, ?), warnings = ?, items_seen = items_seen + ? WHERE id = ?",
        [to_db(now), to_db(now), to_db(next_poll_at), etag, last_modified, title, warnings,
         items_seen, source_id],
    )  # fmt: skip


def record_poll_failure(
    db: Database, source_id: int, *, now: datetime, error: str, next_poll_at: datetime
) -> None:
    """A poll failed: remember why and when, count it (backoff grows with it).

    `error` is a stored problem (`storage.stored_messages.to_stored`), bounded there: cutting
    it here would leave JSON nobody can read back.
    """
    db.execute(
        "UPDATE sources SET last_polled_at = ?, last_error = ?, last_error_at = ?, "
        "failures = failures + 1, next_poll_at = ? WHERE id = ?",
        [to_db(now), error, to_db(now), to_db(next_poll_at), source_id],
    )


def store_items(
    db: Database, source_id: int, items: list[NewItem], now: datetime
) -> list[tuple[int, NewItem]]:
    """Insert items not seen before from this source; returns the new ones with their ids.

    An item seen before (same GUID from the same source) is skipped, so polling the same
    feed twice adds nothing. One transaction per call.
    """
    if not items:
        return []
    with db.atomic():
        before = latest_item_id(db)
        db.conn.executemany(
            "INSERT OR IGNORE INTO source_items (source_id, guid, link, title, title_key, "
            "summary, published_at, date_flag, fetched_at, channel_id, score, cluster_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [source_id, item.guid, item.link, item.title, item.title_key, item.summary,
                 to_db(item.published_at), item.date_flag, to_db(now), item.channel_id,
                 item.score, item.cluster_id]
                for item in items
            ],
        )  # fmt: skip
        # Writes are serialised by the transaction, so the rows above `before` are ours.
        # `execute`, not `query`: sqlite-utils wraps each `query` in a SAVEPOINT and RELEASE,
        # three statements where one does (here and in the other per-feed reads below).
        ids = {
            guid: item_id
            for item_id, guid in db.execute(
                "SELECT id, guid FROM source_items WHERE id > ? AND source_id = ?",
                [before, source_id],
            )
        }
        stored = []
        for item in items:  # the same GUID twice in one call is stored once
            if (item_id := ids.pop(item.guid, None)) is not None:
                stored.append((item_id, item))
        # A new report heads its own cluster.
        db.execute(
            "UPDATE source_items SET cluster_id = id WHERE source_id = ? AND cluster_id IS NULL",
            [source_id],
        )
    return stored


def known_guids(db: Database, source_id: int, guids: list[str]) -> set[str]:
    """Which of these GUIDs this source already brought (so re-polls skip matching them)."""
    found: set[str] = set()
    for start in range(0, len(guids), 500):
        chunk = guids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = db.execute(
            f"SELECT guid FROM source_items WHERE source_id = ? AND guid IN ({marks})",
            [source_id, *chunk],
        )
        found.update(guid for (guid,) in rows)
    return found


def clusters_of(
    db: Database, links: list[str], guids: list[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Clusters of items (any source) with these links, and with these GUIDs (first item's)."""
    found: tuple[dict[str, int], dict[str, int]] = ({}, {})
    for column, values, into in (("link", links, found[0]), ("guid", guids, found[1])):
        unique = sorted(set(values))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = db.execute(
                f"SELECT {column}, cluster_id FROM source_items "
                f"WHERE {column} IN ({', '.join('?' for _ in chunk)}) ORDER BY id DESC",
                chunk,
            )
            for value, cluster_id in rows:  # oldest last, so the first item's cluster wins
                into[value] = cluster_id
    return found


def cluster_by_link_or_guid(db: Database, link: str | None, guid: str) -> int | None:
    """The cluster of an item from any source with the same link or GUID, if there is one."""
    row = _one(
        db,
        "SELECT cluster_id FROM source_items WHERE guid = ? OR (? IS NOT NULL AND link = ?) "
        "ORDER BY id LIMIT 1",
        [guid, link, link],
    )
    return None if row is None else int(row["cluster_id"])


def recent_title_keys(db: Database, since: datetime, limit: int) -> list[tuple[int, int, str]]:
    """(item id, cluster id, title key) of items fetched since `since`, newest first."""
    rows = db.execute(
        "SELECT id, cluster_id, title_key FROM source_items WHERE fetched_at >= ? "
        "ORDER BY id DESC LIMIT ?",
        [to_db(since), limit],
    )
    return [(item_id, cluster_id, key) for item_id, cluster_id, key in rows]


# An item is still news unless it was dismissed, or became a note that still counts, or its
# link is the source of any entry that still counts (a /set made from it, by any path).
_PENDING = """(
  (i.state = 'pending' OR (i.state = 'noted' AND NOT EXISTS (
      SELECT 1 FROM status_history h WHERE h.id = i.entry_id AND h.reverted_at IS NULL)))
  AND NOT EXISTS (SELECT 1 FROM status_history h
      WHERE i.link IS NOT NULL AND h.source_url = i.link AND h.reverted_at IS NULL)
)"""
_VISIBLE = "i.id = i.cluster_id AND s.paused_reason IS NOT 'muted'"
_ITEM_SQL = f"""
SELECT i.*, coalesce(s.title, s.url) AS source_label, s.grade AS source_grade,
       (SELECT count(DISTINCT m.source_id) FROM source_items m WHERE m.cluster_id = i.id)
         AS sources_count,
       {_PENDING} AS pending
FROM source_items i JOIN sources s ON s.id = i.source_id
"""


def _item(row: dict[str, Any]) -> InboxItem:
    return InboxItem(
        id=row["id"],
        source_id=row["source_id"],
        source_label=row["source_label"],
        source_grade=row["source_grade"],
        guid=row["guid"],
        link=row["link"],
        title=row["title"],
        summary=row["summary"] or "",
        published_at=from_db(row["published_at"]),
        date_flag=row["date_flag"],
        fetched_at=from_db(row["fetched_at"]),
        channel_id=row["channel_id"],
        score=row["score"],
        sources_count=max(1, row["sources_count"]),
        pending=bool(row["pending"]),
    )


def inbox_item(db: Database, item_id: int) -> InboxItem | None:
    """One item (its cluster's head), pending or not; None when it no longer exists."""
    row = _one(db, _ITEM_SQL + " WHERE i.id = ?", [item_id])
    return None if row is None else _item(row)


ANY_CHANNEL: Any = object()  # inbox_items(channel_id=ANY_CHANNEL): every channel


def inbox_counts(db: Database) -> dict[int | None, int]:
    """Pending items per channel (None: matched no channel)."""
    rows = db.query(
        "SELECT i.channel_id, count(*) AS n FROM source_items i "
        f"JOIN sources s ON s.id = i.source_id WHERE {_VISIBLE} AND {_PENDING} "
        "GROUP BY i.channel_id"
    )
    return {row["channel_id"]: row["n"] for row in rows}


def inbox_items(
    db: Database, *, channel_id: Any = ANY_CHANNEL, per_channel: int, limit: int
) -> list[InboxItem]:
    """Pending items by channel (display order, unmatched last), newest day and best first."""
    where, params = "", []
    if channel_id is None:
        where = " AND i.channel_id IS NULL"
    elif channel_id is not ANY_CHANNEL:
        where, params = " AND i.channel_id = ?", [channel_id]
    sql = f"""
    SELECT * FROM (
      SELECT i.id, c.position AS position,
             row_number() OVER (PARTITION BY i.channel_id ORDER BY
               substr(i.published_at, 1, 10) DESC, i.score DESC, i.id DESC) AS rank_in_channel,
             substr(i.published_at, 1, 10) AS day, i.score AS score
      FROM source_items i JOIN sources s ON s.id = i.source_id
      LEFT JOIN channels c ON c.id = i.channel_id
      WHERE {_VISIBLE} AND {_PENDING}{where}
    ) WHERE rank_in_channel <= ?
    ORDER BY position IS NULL, position, rank_in_channel LIMIT ?
    """
    ids = [row["id"] for row in db.query(sql, [*params, per_channel, limit])]
    found = [inbox_item(db, item_id) for item_id in ids]
    return [item for item in found if item is not None]


def _cluster_ids(db: Database, item_id: int) -> list[int]:
    return [
        row["id"]
        for row in db.query(
            "SELECT id FROM source_items WHERE cluster_id = "
            "(SELECT cluster_id FROM source_items WHERE id = ?)",
            [item_id],
        )
    ]


def _decide(db: Database, item_id: int, state: str, actor: Actor, entry_id: int | None) -> None:
    marks = _cluster_ids(db, item_id)
    db.execute(
        f"UPDATE source_items SET state = ?, entry_id = ?, decided_at = ?, decided_by = ? "
        f"WHERE id IN ({', '.join('?' for _ in marks)})",
        [state, entry_id, to_db(utc_now()), actor.name, *marks],
    )


def _pending_item(db: Database, item_id: int) -> InboxItem:
    item = inbox_item(db, item_id)
    if item is None:
        raise SourceNotFoundError(str(item_id))
    if not item.pending:
        state = _one(db, "SELECT state FROM source_items WHERE id = ?", [item_id])
        raise ItemDecidedError(state["state"] if state else "gone")
    return item


def note_from_item(
    db: Database,
    item_id: int,
    *,
    channel_id: int,
    actor: Actor,
    summary: str,
    changed_at: datetime | None,
) -> StatusEntry:
    """Turn a pending item into a sourced note (link, source label and grade), in one go.

    The note goes through `add_note`, so it is audited and /undo reverts it; an undone note
    puts the item back in the inbox. Raises ItemDecidedError when someone was quicker.
    """
    with db.atomic():
        item = _pending_item(db, item_id)
        entry = add_note(
            db,
            channel_id=channel_id,
            summary=summary,
            actor=actor,
            source_url=item.link,
            source_grade=item.source_grade,
            source_label=item.source_label,
            changed_at=changed_at,
        )
        _decide(db, item_id, "noted", actor, entry.id)
    return entry


def dismiss_item(db: Database, item_id: int, *, actor: Actor) -> InboxItem:
    """Take an item (and the same report from other sources) out of the inbox; audited."""
    with db.atomic():
        item = _pending_item(db, item_id)
        _decide(db, item_id, "dismissed", actor, None)
        write_audit(
            db, actor=actor, action="inbox_dismiss", channel_id=item.channel_id,
            old={"item": item.title[:80], "source": item.link}, new=None,
        )  # fmt: skip
    return item


def restore_item(db: Database, item_id: int, *, actor: Actor) -> InboxItem:
    """Put a dismissed item back in the inbox (the Restore button); audited."""
    with db.atomic():
        row = _one(db, "SELECT state FROM source_items WHERE id = ?", [item_id])
        if row is None:
            raise SourceNotFoundError(str(item_id))
        if row["state"] != "dismissed":
            raise ItemDecidedError(row["state"])
        _decide(db, item_id, "pending", actor, None)
        item = inbox_item(db, item_id)
        assert item is not None
        write_audit(
            db, actor=actor, action="inbox_restore", channel_id=item.channel_id,
            old=None, new={"item": item.title[:80], "source": item.link},
        )  # fmt: skip
    return item


def watch_inbox(db: Database, user_id: int, *, enabled: bool, from_item: int) -> None:
    """Turn an admin's batched inbox notices on or off (counting starts at `from_item`)."""
    db.execute(
        "INSERT INTO inbox_watchers (user_id, enabled, last_item_id) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET enabled = excluded.enabled, "
        "last_item_id = max(last_item_id, excluded.last_item_id)",
        [user_id, int(enabled), from_item],
    )


@dataclass(frozen=True, slots=True)
class Watcher:
    """An admin who opted in to inbox notices, and how far they were told."""

    user_id: int
    last_item_id: int
    last_notified_at: datetime | None


def inbox_watchers(db: Database) -> list[Watcher]:
    """Admins with inbox notices on."""
    rows = db.query("SELECT * FROM inbox_watchers WHERE enabled = 1 ORDER BY user_id")
    return [
        Watcher(row["user_id"], row["last_item_id"], from_db(row["last_notified_at"]))
        for row in rows
    ]


def is_watching(db: Database, user_id: int) -> bool:
    """Whether the admin gets inbox notices."""
    row = _one(db, "SELECT enabled FROM inbox_watchers WHERE user_id = ?", [user_id])
    return bool(row and row["enabled"])


def mark_notified(db: Database, user_id: int, *, last_item_id: int, at: datetime) -> None:
    """The admin was told about items up to `last_item_id` at `at`."""
    db.execute(
        "UPDATE inbox_watchers SET last_item_id = ?, last_notified_at = ? WHERE user_id = ?",
        [last_item_id, to_db(at), user_id],
    )


def latest_item_id(db: Database) -> int:
    """The newest item's id (0 when there is none)."""
    row = _one(db, "SELECT coalesce(max(id), 0) AS id FROM source_items", [])
    return int(row["id"]) if row else 0


def new_pending_counts(db: Database, after_item: int) -> dict[int | None, int]:
    """Pending items newer than `after_item`, per channel: what a notice announces."""
    rows = db.query(
        "SELECT i.channel_id, count(*) AS n FROM source_items i "
        f"JOIN sources s ON s.id = i.source_id WHERE i.id > ? AND {_VISIBLE} AND {_PENDING} "
        "GROUP BY i.channel_id",
        [after_item],
    )
    return {row["channel_id"]: row["n"] for row in rows}
