"""Versioned schema changes, applied in order and recorded in sqlite-utils' `_sqlite_migrations`.

Add a new function at the end for every change; never edit one that has shipped, because
databases in the field have already recorded it as applied.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("backchannel")


@migrations()
def m001_core(db: Database) -> None:
    """Phases, channels with their command names, status history and the audit log."""
    db["phases"].create(
        {"slug": str, "rank": int, "label": str, "emoji": str}, pk="slug", not_null={"rank"}
    )
    db["phases"].create_index(["rank"], unique=True)
    db["channels"].create(
        {
            "id": int,
            "slug": str,
            "title": str,
            "keywords": str,
            "archived": int,
            "position": int,
            "current_status_id": int,
            "updated_at": str,
            "verified_at": str,
            "created_at": str,
        },
        pk="id",
        not_null={"slug", "title", "archived", "position", "created_at"},
        defaults={"archived": 0, "keywords": "[]"},
    )
    db["channels"].create_index(["slug"], unique=True)
    # One row per command name (slug and aliases) so no two channels can share a command.
    db["channel_commands"].create(
        {"command": str, "channel_id": int, "is_alias": int},
        pk="command",
        foreign_keys=[("channel_id", "channels", "id")],
        not_null={"channel_id", "is_alias"},
    )
    db["channel_commands"].create_index(["channel_id"])
    db["status_history"].create(
        {
            "id": int,
            "channel_id": int,
            "kind": str,
            "phase": str,
            "summary": str,
            "source_label": str,
            "source_url": str,
            "source_grade": str,
            "changed_at": str,
            "recorded_at": str,
            "actor_id": int,
            "actor_name": str,
        },
        pk="id",
        foreign_keys=[("channel_id", "channels", "id"), ("phase", "phases", "slug")],
        not_null={"channel_id", "kind", "phase", "summary", "source_grade", "changed_at"},
    )
    # Newest-first history of one channel, and "previous status" lookups, stay index-only
    # however long the history grows.
    db["status_history"].create_index(["channel_id", "id"])
    db["status_history"].create_index(["channel_id", "kind", "id"])
    db["audit_log"].create(
        {
            "id": int,
            "at": str,
            "actor_id": int,
            "actor_name": str,
            "action": str,
            "channel_id": int,
            "old": str,
            "new": str,
        },
        pk="id",
        not_null={"at", "actor_name", "action"},
    )


@migrations()
def m010_admins(db: Database) -> None:
    """Admins granted by command; the ids in ADMIN_IDS live in settings, not here."""
    db["admins"].create(
        {"user_id": int, "name": str, "granted_at": str, "granted_by_id": int, "granted_by": str},
        pk="user_id",
        not_null={"name", "granted_at", "granted_by"},
    )


@migrations()
def m011_history_reverts(db: Database) -> None:
    """Undo marks a history row as reverted instead of deleting it, so history stays complete."""
    db["status_history"].add_column("reverted_at", str)
    db["status_history"].add_column("reverted_by_id", int)
    db["status_history"].add_column("reverted_by", str)


_SUBSCRIBER_REQUIRED = (
    "chat_type", "all_channels", "digest_time", "timezone", "quiet", "active",
    "next_due_at", "watermark", "created_at", "updated_at",
)  # fmt: skip


@migrations()
def m020_subscriptions(db: Database) -> None:
    """Digest subscribers (one row per chat) and the channels of per-channel subscriptions."""
    db["subscribers"].create(
        {
            "chat_id": int,
            "chat_type": str,
            "all_channels": int,
            "digest_time": str,
            "timezone": str,
            "quiet": int,
            "active": int,
            "next_due_at": str,
            "watermark": int,
            "last_digest_at": str,
            "paused_reason": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="chat_id",
        not_null=set(_SUBSCRIBER_REQUIRED),
        defaults={"all_channels": 1, "quiet": 1, "active": 1, "watermark": 0},
    )
    # The scheduler asks "which active subscribers are due" every minute: a partial index keeps
    # that a range scan over due rows only, however many subscribers are paused or not due.
    db.execute(
        "CREATE INDEX idx_subscribers_due ON subscribers (next_due_at, chat_id) WHERE active = 1"
    )
    db["subscription_channels"].create(
        {"chat_id": int, "channel_id": int},
        pk=("chat_id", "channel_id"),
        foreign_keys=[("chat_id", "subscribers", "chat_id"), ("channel_id", "channels", "id")],
    )
    db["subscription_channels"].create_index(["channel_id"])


@migrations()
def m030_search(db: Database) -> None:
    """Full-text index over every summary and note, kept current by triggers (/search)."""
    # Porter stemming lets "exchanges" find "exchange"; unicode61 folds case for Cyrillic too.
    db["status_history"].enable_fts(
        ["summary"], create_triggers=True, tokenize="porter unicode61 remove_diacritics 2"
    )


@migrations()
def m040_alerts(db: Database) -> None:
    """Instant alerts: a chat's opt-in and channels, how far it was alerted, and what was."""
    db["subscribers"].add_column("alerts", int, not_null_default=0)
    db["subscribers"].add_column("alert_all", int, not_null_default=1)
    db["subscribers"].add_column("alert_watermark", int, not_null_default=0)
    # The alert job asks "is anyone behind" every few seconds: a partial index makes that one
    # seek over opted-in, active chats only.
    db.execute(
        "CREATE INDEX idx_subscribers_alerts ON subscribers (alert_watermark, chat_id) "
        "WHERE active = 1 AND alerts = 1"
    )
    db["alert_channels"].create(
        {"chat_id": int, "channel_id": int},
        pk=("chat_id", "channel_id"),
        foreign_keys=[("chat_id", "subscribers", "chat_id"), ("channel_id", "channels", "id")],
    )
    # Which changes a chat was alerted to and when, so its next digest can say so; rows the
    # digest has covered are pruned.
    db["alerted_entries"].create(
        {"chat_id": int, "entry_id": int, "sent_at": str},
        pk=("chat_id", "entry_id"),
        foreign_keys=[("chat_id", "subscribers", "chat_id")],
        not_null={"sent_at"},
    )


@migrations()
def m050_chat_languages(db: Database) -> None:
    """Each chat's language: chosen with /language, or the one it first used (`chosen` 0)."""
    db["chat_languages"].create(
        {"chat_id": int, "language": str, "chosen": int, "updated_at": str},
        pk="chat_id",
        not_null={"language", "chosen", "updated_at"},
    )


@migrations()
def m060_publishing(db: Database) -> None:
    """The Telegram channel phase changes are posted to, and every post, for corrections."""
    db["publish_targets"].create(
        {
            "chat_id": int,
            "title": str,
            "language": str,
            "watermark": int,
            "with_digest": int,
            "linked_at": str,
        },
        pk="chat_id",
        not_null={"title", "language", "watermark", "with_digest", "linked_at"},
    )
    # One row per message the bot posted about a history entry (channel posts and instant
    # alerts), so an /undo can find and edit every one of them.
    db["sent_messages"].create(
        {
            "chat_id": int,
            "entry_id": int,
            "message_id": int,
            "kind": str,
            "language": str,
            "html": str,
            "sent_at": str,
            "corrected_at": str,
        },
        pk=("chat_id", "entry_id", "kind"),
        not_null={"message_id", "kind", "language", "html", "sent_at"},
    )
    db.execute("CREATE INDEX idx_sent_messages_entry ON sent_messages (entry_id)")
    # Undone entries are few; the publishing job asks every few seconds whether any of them
    # still has an uncorrected message, starting from this small index.
    db.execute(
        "CREATE INDEX idx_history_reverted ON status_history (reverted_at) "
        "WHERE reverted_at IS NOT NULL"
    )


@migrations()
def m070_bilingual(db: Database) -> None:
    """Ukrainian phase labels and channel titles, and summaries in two languages.

    A data migration too: databases seeded before this get the seed file's Ukrainian labels,
    titles and seeded summaries, and the keywords the seed file gained since (by slug; what
    admins changed is kept). Each summary's language is read off its letters.
    """
    from language.i18n import ENGLISH, language_of_text
    from storage.seed import fill_from_seed

    db["phases"].add_column("label_uk", str)
    db["channels"].add_column("title_uk", str)
    # The summary's own language; `translation` is the same text in `translation_language`.
    db["status_history"].add_column("summary_language", str, not_null_default=ENGLISH)
    db["status_history"].add_column("translation", str)
    db["status_history"].add_column("translation_language", str)
    rows = db.execute("SELECT id, summary FROM status_history").fetchall()
    db.conn.executemany(
        "UPDATE status_history SET summary_language = ? WHERE id = ?",
        [(language_of_text(summary) or ENGLISH, entry_id) for entry_id, summary in rows],
    )
    fill_from_seed(db)


@migrations()
def m071_search_word_forms(db: Database) -> None:
    """Search by Ukrainian word forms: lemmas of every summary and translation are indexed.

    The old index held the summary only, stemmed by porter (English). The new one holds the
    summary, the translation and `search_words` (the lemmas of their Cyrillic words, written
    by storage on every change), so "полонені" finds "полоненими". Rebuilt here for every row.
    """
    from language.word_forms import index_words

    db["status_history"].add_column("search_words", str)
    rows = db.execute("SELECT id, summary, translation FROM status_history").fetchall()
    db.conn.executemany(
        "UPDATE status_history SET search_words = ? WHERE id = ?",
        [(index_words(summary, translation), entry_id) for entry_id, summary, translation in rows],
    )
    db["status_history"].disable_fts()
    db["status_history"].enable_fts(
        ["summary", "translation", "search_words"],
        create_triggers=True,
        tokenize="porter unicode61 remove_diacritics 2",
    )


@migrations()
def m080_sources(db: Database) -> None:
    """Source watch: feeds and forwarded channels, their items (the inbox), inbox notices."""
    db["sources"].create(
        {
            "id": int,
            "kind": str,  # "feed" (polled) or "telegram" (items arrive as forwards)
            "url": str,
            "title": str,
            "grade": str,
            "channel_ids": str,  # JSON list: the channels its items go to ([] = any)
            "interval_seconds": int,
            "paused": int,
            "paused_reason": str,  # "paused" by command, "muted" from the inbox
            "created_at": str,
            "created_by": str,
            "etag": str,
            "last_modified": str,
            "last_polled_at": str,
            "last_success_at": str,
            "last_error": str,
            "last_error_at": str,
            "failures": int,
            "next_poll_at": str,
            "items_seen": int,
            "warnings": str,  # what the last poll had to repair (clamped dates, capped items)
        },
        pk="id",
        not_null={"kind", "url", "grade", "channel_ids", "interval_seconds", "paused",
                  "created_at", "created_by", "failures", "next_poll_at", "items_seen"},
        defaults={"channel_ids": "[]", "paused": 0, "failures": 0, "items_seen": 0},
    )  # fmt: skip
    db["sources"].create_index(["url"], unique=True)
    # The poll job asks "which sources are due" every minute: one range scan over due rows.
    db.execute("CREATE INDEX idx_sources_due ON sources (next_poll_at) WHERE paused = 0")
    db["source_items"].create(
        {
            "id": int,
            "source_id": int,
            "guid": str,
            "link": str,
            "title": str,
            "title_key": str,  # normalised title, what near-duplicate detection compares
            "summary": str,
            "published_at": str,
            "date_flag": str,  # "future" or "implausible" when the feed's date was not used
            "fetched_at": str,
            "channel_id": int,  # best-matched channel; NULL = matched nothing
            "score": float,
            "cluster_id": int,  # the first item reporting the same thing (itself if first)
            "state": str,  # "pending", "noted" (became entry_id) or "dismissed"
            "entry_id": int,
            "decided_at": str,
            "decided_by": str,
        },
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
        not_null={"source_id", "guid", "title", "title_key", "published_at", "fetched_at",
                  "score", "state"},
        defaults={"score": 0.0, "state": "pending"},
    )  # fmt: skip
    db["source_items"].create_index(["source_id", "guid"], unique=True)
    db["source_items"].create_index(["cluster_id"])
    db["source_items"].create_index(["link"])
    db["source_items"].create_index(["guid"])
    db["source_items"].create_index(["fetched_at"])
    # The inbox lists cluster heads still pending, by channel.
    db.execute(
        "CREATE INDEX idx_source_items_inbox ON source_items (channel_id, published_at) "
        "WHERE state != 'dismissed' AND id = cluster_id"
    )
    # "Was this link already used as a source?" decides whether an item is still news.
    db.execute(
        "CREATE INDEX idx_history_source_url ON status_history (source_url) "
        "WHERE source_url IS NOT NULL"
    )
    db["inbox_watchers"].create(
        {"user_id": int, "enabled": int, "last_item_id": int, "last_notified_at": str},
        pk="user_id",
        not_null={"enabled", "last_item_id"},
        defaults={"enabled": 1, "last_item_id": 0},
    )


@migrations()
def m090_digest_parts(db: Database) -> None:
    """Progress within a multi-part digest, so a crash repeats at most one of its messages."""
    db["subscribers"].add_column("parts_sent", int, not_null_default=0)
    db["subscribers"].add_column("parts_upto", int)
    db["subscribers"].add_column("parts_hash", str)


@migrations()
def m100_history_by_time(db: Database) -> None:
    """Timelines read a channel's entries from a moment on: an index by time per channel."""
    # Without it a 30-day chart scanned the channel's whole history (seconds at 10^6 rows).
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_status_history_channel_changed "
        "ON status_history (channel_id, changed_at)"
    )


@migrations()
def m110_alert_messages(db: Database) -> None:
    """Instant alerts' message ids and texts, so an undone change's alert line can be corrected.

    One alert message may cover several changes: `sent_messages` keeps a row per change (its
    `html` is that change's block of the alert) and `alert_messages` the whole text once.
    """
    db["alert_messages"].create(
        {"chat_id": int, "message_id": int, "language": str, "html": str, "sent_at": str},
        pk=("chat_id", "message_id"),
        not_null={"language", "html", "sent_at"},
    )
    # Alerts older than Telegram's edit window are forgotten by time (see storage.publishing).
    db["alert_messages"].create_index(["sent_at"])
    db.execute(
        "CREATE INDEX idx_sent_messages_alert_time ON sent_messages (sent_at) WHERE kind = 'alert'"
    )


# Which memo group each table belongs to, and the columns whose change counts (None: all).
# channels: a status change moves `current_status_id` and `updated_at`, which no memo reads;
# subscribers: digest runs move watermarks and due times on every send, which no memo reads.
VERSIONED_TABLES: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("channels", "channels",
     ("id", "slug", "title", "keywords", "archived", "position", "verified_at", "created_at",
      "title_uk")),
    ("channels", "channel_commands", None),
    ("phases", "phases", None),
    ("admins", "admins", None),
    ("languages", "chat_languages", None),
    ("subscriptions", "subscribers", ("chat_id", "all_channels", "active")),
    ("subscriptions", "subscription_channels", None),
)  # fmt: skip


@migrations()
def m120_data_versions(db: Database) -> None:
    """A version per group of tables, moved by triggers, so memos outlive unrelated commits.

    `PRAGMA data_version` moves on every commit: a status change or a source poll threw away
    the channel list, the phase ladder, the admins and every chat's language (storage/memo.py)
    though it changed none of them. Triggers move only the group written to, whichever
    connection or process wrote (the bot, the CLI, a restore). A later migration that rebuilds
    one of these tables (sqlite-utils' `transform`) drops its triggers and must recreate them;
    tests/test_data_version_checks.py fails if one is missing.
    """
    db.execute("CREATE TABLE data_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    groups = sorted({group for group, _, _ in VERSIONED_TABLES})
    for group in groups:
        db.execute("INSERT INTO data_versions (name, version) VALUES (?, 0)", [group])
    for group, table, columns in VERSIONED_TABLES:
        bump = f"UPDATE data_versions SET version = version + 1 WHERE name = '{group}';"
        of = f" OF {', '.join(columns)}" if columns else ""
        for suffix, event in (("ai", "INSERT"), ("au", f"UPDATE{of}"), ("ad", "DELETE")):
            db.execute(
                f"CREATE TRIGGER data_version_{table}_{suffix} AFTER {event} ON {table} "
                f"BEGIN {bump} END"
            )


# A channel's phase before its current status, and its newest note since: what /status and a
# channel page show beside the status. Bounded by id both (see m100 and
# tests/test_storage.py): without INDEXED BY, SQLite answers max(changed_at) from the
# (channel, changed_at) index by walking the channel's whole history.
STATUS_CONTEXT_SET = """
previous_phase = (SELECT p.phase FROM status_history p
    WHERE p.channel_id = channels.id AND p.kind = 'status'
      AND p.id < channels.current_status_id AND p.reverted_at IS NULL
    ORDER BY p.id DESC LIMIT 1),
last_note_at = (SELECT max(n.changed_at) FROM status_history n
    INDEXED BY idx_status_history_channel_id_kind_id
    WHERE n.channel_id = channels.id AND n.kind = 'note'
      AND n.id > channels.current_status_id AND n.reverted_at IS NULL)
"""


@migrations()
def m130_status_context(db: Database) -> None:
    """Each channel's previous phase and latest note kept on its row, moved by triggers.

    Every cold /status looked both up per channel (two index descents each, half the cost
    of its one statement right after a write); they change only when history is written,
    so the write keeps them, whichever path wrote (a status, a note, /undo, a correction, a
    restore, the CLI). A status moves `current_status_id`, which recomputes both; a note
    after the current status only moves `last_note_at` forward; an edit or a delete of any
    entry recomputes its channel. m120's channel trigger lists its columns, so these two
    moving retire no memo (none reads them).
    """
    db["channels"].add_column("previous_phase", str)
    db["channels"].add_column("last_note_at", str)
    db.execute(f"UPDATE channels SET {STATUS_CONTEXT_SET}")
    recompute = "UPDATE channels SET {set} WHERE id = {channel};"
    db.execute(
        "CREATE TRIGGER status_context_pointer AFTER UPDATE OF current_status_id ON channels "
        f"BEGIN {recompute.format(set=STATUS_CONTEXT_SET, channel='NEW.id')} END"
    )
    db.execute(
        "CREATE TRIGGER status_context_note AFTER INSERT ON status_history "
        "WHEN NEW.kind = 'note' AND NEW.reverted_at IS NULL BEGIN "
        "UPDATE channels SET last_note_at = max(coalesce(last_note_at, ''), NEW.changed_at) "
        "WHERE id = NEW.channel_id AND NEW.id > current_status_id; END"
    )
    db.execute(
        "CREATE TRIGGER status_context_edit AFTER UPDATE OF "
        "channel_id, kind, phase, changed_at, reverted_at ON status_history BEGIN "
        f"UPDATE channels SET {STATUS_CONTEXT_SET} WHERE id IN (NEW.channel_id, OLD.channel_id); "
        "END"
    )
    db.execute(
        "CREATE TRIGGER status_context_delete AFTER DELETE ON status_history BEGIN "
        f"{recompute.format(set=STATUS_CONTEXT_SET, channel='OLD.channel_id')} END"
    )


# A subscriber's followed channels as the text "3,5,8" (ascending), NULL when it follows none.
SUBSCRIPTION_LIST = (
    "(SELECT group_concat(channel_id) FROM (SELECT channel_id FROM subscription_channels s "
    "WHERE s.chat_id = {chat} ORDER BY channel_id))"
)


@migrations()
def m140_subscription_lists(db: Database) -> None:
    """Each subscriber's followed channels kept on its row, moved by triggers.

    A due-digest run reads every due subscriber with its channels; gathering them per row
    from `subscription_channels` (a correlated sub-query) was a third of that query's time at
    100,000 subscribers (bench/NOTES.md). Triggers keep the copy whichever path writes the
    table (subscribe, unsubscribe, a restore, the CLI). Writing `channel_list` moves no
    memo: m120's subscriber trigger lists its columns, and every write of the table moves
    the subscriptions group already.
    """
    db["subscribers"].add_column("channel_list", str)
    # subscribers.chat_id, not chat_id: inside the sub-query that names its own table's.
    every = SUBSCRIPTION_LIST.format(chat="subscribers.chat_id")
    db.execute(f"UPDATE subscribers SET channel_list = {every}")
    keep = "UPDATE subscribers SET channel_list = {list} WHERE chat_id = {chat};"
    for suffix, event, chats in (
        ("ai", "INSERT", ("NEW.chat_id",)),
        ("ad", "DELETE", ("OLD.chat_id",)),
        ("au", "UPDATE", ("OLD.chat_id", "NEW.chat_id")),
    ):
        body = " ".join(
            keep.format(list=SUBSCRIPTION_LIST.format(chat=chat), chat=chat) for chat in chats
        )
        db.execute(
            f"CREATE TRIGGER subscription_list_{suffix} AFTER {event} ON subscription_channels "
            f"BEGIN {body} END"
        )
