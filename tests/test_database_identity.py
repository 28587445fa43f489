"""The database file deleted or replaced while the bot runs: writes are refused, not lost.

SQLite keeps writing to the file it opened, so without the check `/set` answered "saved" into
a file nobody would open again, and the next start quietly seeded a fresh database.
"""

import logging
import os
import shutil
from datetime import time
from pathlib import Path

import pytest

import storage
from tests.admin_support import admin_in


def database_files(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]


def replace_with_copy(path: Path, tmp_path: Path) -> None:
    """What `mv restored.db backchannel.db` does: a different file at the same path."""
    copy = tmp_path / "restored.db"
    storage.open_database(copy).close()
    os.replace(copy, path)


def delete(path: Path, tmp_path: Path) -> None:
    for file in database_files(path):
        file.unlink(missing_ok=True)


@pytest.mark.parametrize("change", [replace_with_copy, delete])
async def test_set_after_the_file_changed_is_refused_and_said(
    app, api, db, settings, tmp_path, caplog, change
) -> None:
    admin = admin_in(app, api)
    before = storage.channel_status(db, storage.find_channel(db, "ceasefire")).current.summary
    change(settings.database_path, tmp_path)
    with caplog.at_level(logging.ERROR):
        reply = await admin.ask("/set ceasefire negotiating Talks resumed in Doha")
    assert "database file was moved or replaced while the bot ran" in reply
    assert "nothing was saved" in reply and "Restart the bot" in reply
    assert "Talks resumed" not in reply
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "database file" in errors[0] and "writes refused" in errors[0]
    # Nothing was written to the old file either (it is what the open connection still reads).
    status = storage.channel_status(db, storage.find_channel(db, "ceasefire"))
    assert status.current.summary == before
    # Readers are still answered from what was open.
    reader_reply = await admin.ask("/ceasefire")
    assert "Talks resumed" not in reader_reply


def test_an_untouched_file_takes_writes(tmp_path) -> None:
    db = storage.open_database(tmp_path / "bot.db")
    storage.seed_if_empty(db)
    identity = storage.file_identity(db)
    assert identity is not None and identity.created
    identity.check()  # same file: no error
    db.close()


def test_a_missing_database_is_created_and_said(tmp_path, caplog) -> None:
    path = tmp_path / "data" / "bot.db"
    with caplog.at_level(logging.INFO, logger="storage"):
        db = storage.open_database(path)
        storage.seed_if_empty(db)
    db.close()
    assert f"no database file at {path}: created a new, empty one" in caplog.text
    assert "existed but has no channels" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="storage"):
        db = storage.open_database(path)
        assert storage.seed_if_empty(db) is False
    db.close()
    assert "created a new" not in caplog.text


def test_an_existing_database_without_channels_is_not_seeded_silently(tmp_path, caplog) -> None:
    path = tmp_path / "bot.db"
    storage.open_database(path).close()  # migrated, no channels
    with caplog.at_level(logging.INFO, logger="storage"):
        db = storage.open_database(path)
        assert storage.seed_if_empty(db) is True
    db.close()
    assert f"database {path} existed but has no channels: seeding it" in caplog.text


def test_a_moved_file_refuses_storage_writes(tmp_path) -> None:
    db = storage.open_database(tmp_path / "bot.db")
    storage.seed_if_empty(db)
    shutil.move(tmp_path / "bot.db", tmp_path / "elsewhere.db")
    with pytest.raises(storage.DatabaseReplacedError, match="no longer exists"):
        storage.subscribe(
            db, 42, chat_type="private", channel_ids=None, digest_time=time(8), timezone="UTC"
        )
    db.close()
