"""Which language each chat reads: its own choice, or the language it first used with the bot.

Kept apart from subscriptions because any chat may choose a language, subscribed or not, and
a digest run looks up a whole batch's languages in one query.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlite_utils import Database

from storage.memo import memoized
from storage.timestamps import to_db, utc_now


def chosen_language(db: Database, chat_id: int) -> str | None:
    """The language the chat chose with /language, or None if it never chose.

    Asked for every update a chat sends, so remembered until a chat's language changes.
    """
    return memoized(
        db, "languages", ("chosen_language", chat_id), lambda: _chosen_language(db, chat_id)
    )


def _chosen_language(db: Database, chat_id: int) -> str | None:
    row = db.execute(
        "SELECT language FROM chat_languages WHERE chat_id = ? AND chosen = 1", [chat_id]
    ).fetchone()
    return row[0] if row else None


def choose_language(db: Database, chat_id: int, language: str) -> None:
    """Record the chat's explicit choice (/language), replacing whatever was known."""
    db.execute(
        "INSERT INTO chat_languages (chat_id, language, chosen, updated_at) VALUES (?, ?, 1, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, chosen = 1, "
        "updated_at = excluded.updated_at",
        [chat_id, language, to_db(utc_now())],
    )


def remember_language(db: Database, chat_id: int, language: str) -> None:
    """Note the language a chat used when it subscribed, unless it already chose or has one.

    Digests are sent without anyone asking, so the language seen at subscription time is what
    they go out in until the chat chooses with /language.
    """
    db.execute(
        "INSERT OR IGNORE INTO chat_languages (chat_id, language, chosen, updated_at) "
        "VALUES (?, ?, 0, ?)",
        [chat_id, language, to_db(utc_now())],
    )


def languages_of(db: Database, chat_ids: Collection[int]) -> dict[int, str]:
    """The known language of each of these chats (chats without one are left out)."""
    found: dict[int, str] = {}
    ids = list(chat_ids)
    # Chunks stay under SQLite's host-parameter limit whatever the batch size.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        found.update(
            db.execute(
                f"SELECT chat_id, language FROM chat_languages WHERE chat_id IN ({marks})", chunk
            ).fetchall()
        )
    return found
