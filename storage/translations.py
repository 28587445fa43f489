"""A status's or note's text in the other language, added after it was recorded (/translate).

Admins write in one language; readers of the other see the translation when there is one and
the original, marked with its language, when there is not. Adding or replacing a translation
is audited like any change (old and new text), in one transaction with the change itself.
"""

from dataclasses import replace

from sqlite_utils import Database

from language.word_forms import index_words
from storage.errors import StorageError
from storage.history import _ENTRY_COLUMNS, entry_from_row, other_language, write_audit
from storage.models import Actor, StatusEntry


class EntryNotFoundError(StorageError):
    """The history entry to translate does not exist."""


def translate_entry(db: Database, *, entry_id: int, text: str, actor: Actor) -> StatusEntry:
    """Store `text` as the entry's summary in the language other than its own; returns it.

    The search index follows (the row's trigger re-indexes summary, translation and the
    lemmas written here).
    """
    with db.atomic():
        row = next(
            iter(db.query(f"SELECT {_ENTRY_COLUMNS} FROM status_history WHERE id = ?", [entry_id])),
            None,
        )
        if row is None:
            raise EntryNotFoundError(str(entry_id))
        entry = entry_from_row(row)
        language = other_language(entry.summary_language)
        db.execute(
            "UPDATE status_history SET translation = ?, translation_language = ?, "
            "search_words = ? WHERE id = ?",
            [text, language, index_words(entry.summary, text), entry_id],
        )
        write_audit(
            db,
            actor=actor,
            action="translate",
            channel_id=entry.channel_id,
            old={"entry": entry_id, "translation": entry.translation},
            new={"entry": entry_id, "translation": text, "language": language},
        )
    return replace(entry, translation=text, translation_language=language)
