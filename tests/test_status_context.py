"""The previous phase and latest note kept on each channel's row (migration m130).

/status and channel pages read them from the row instead of looking them up per channel;
triggers keep them, so every way history is written must leave them equal to what the
lookups would find. A channel page shows both ("(was ...)", "Last note: ...").
"""

from datetime import timedelta

import pytest

import storage
from storage.migrations import STATUS_CONTEXT_SET
from storage.models import Actor
from storage.timestamps import utc_now
from tests.sqlite_steps import steps

EDITOR = Actor(id=7, name="Editor")


def _kept(db) -> dict[int, tuple[str | None, str | None]]:
    rows = db.execute("SELECT id, previous_phase, last_note_at FROM channels ORDER BY id")
    return {channel_id: (phase, note) for channel_id, phase, note in rows.fetchall()}


def _looked_up(db) -> dict[int, tuple[str | None, str | None]]:
    # The same lookups, run now over every channel (what /status ran before m130).
    columns = STATUS_CONTEXT_SET.replace("previous_phase =", "").replace("last_note_at =", "")
    rows = db.execute(f"SELECT channels.id, {columns} FROM channels ORDER BY channels.id")
    return {channel_id: (phase, note) for channel_id, phase, note in rows.fetchall()}


def _status(db, slug: str, phase: str, **extra) -> storage.StatusEntry:
    channel = storage.find_channel(db, slug, include_archived=True)
    return storage.record_status(
        db, channel_id=channel.id, kind="status", phase=phase, summary=f"{slug} {phase}",
        actor=EDITOR, **extra,
    )  # fmt: skip


def _note(db, slug: str, text: str, **extra) -> storage.StatusEntry:
    channel = storage.find_channel(db, slug)
    return storage.add_note(db, channel_id=channel.id, summary=text, actor=EDITOR, **extra)


def test_every_way_of_writing_history_keeps_them_as_the_lookups_find_them(db, frozen_time) -> None:
    assert _kept(db) == _looked_up(db)  # as seeded
    _status(db, "aid", "stalled")
    _note(db, "aid", "Trucks wait at the border")
    assert _kept(db) == _looked_up(db)
    aid = storage.find_channel(db, "aid")
    assert storage.channel_status(db, aid).last_note_at is not None
    frozen_time.shift(60)
    _note(db, "aid", "A later note")
    # A backdated status: notes recorded after it by id still follow it.
    _status(db, "summit", "proposed", changed_at=utc_now() - timedelta(days=30))
    _note(db, "summit", "Backdated note", changed_at=utc_now() - timedelta(days=40))
    assert _kept(db) == _looked_up(db)
    storage.undo_last_change(db, EDITOR)  # the summit note
    assert _kept(db) == _looked_up(db)
    storage.undo_last_change(db, EDITOR)  # the summit status: the one before comes back
    assert _kept(db) == _looked_up(db)
    _status(db, "aid", "negotiating")
    assert storage.channel_status(db, aid).last_note_at is None
    assert storage.channel_status(db, aid).previous_phase == "stalled"
    storage.create_channel(
        db, slug="grain", title="Grain corridor", aliases=[], keywords=[], phase="stalled",
        summary="Opened", actor=EDITOR,
    )  # fmt: skip
    _note(db, "grain", "First note")
    _status(db, "grain", "proposed")
    assert _kept(db) == _looked_up(db)


def test_a_hand_edit_or_delete_of_an_entry_in_another_connection_is_followed(db, settings) -> None:
    note = _note(db, "aid", "To be corrected")
    other = storage.open_database(settings.database_path)
    with other.conn:
        other.execute("UPDATE status_history SET changed_at = ? WHERE id = ?",
                      ["2026-01-02T00:00:00+00:00", note.id])  # fmt: skip
    assert _kept(db) == _looked_up(db)
    with other.conn:
        other.execute("UPDATE status_history SET kind = 'status' WHERE id = ?", [note.id])
    assert _kept(db) == _looked_up(db)
    with other.conn:
        other.execute("DELETE FROM status_history WHERE id = ?", [note.id])
    other.close()
    assert _kept(db) == _looked_up(db)


async def test_the_channel_page_shows_the_previous_phase_and_the_latest_note(
    db, private_chat
) -> None:
    _status(db, "aid", "stalled")
    _status(db, "aid", "negotiating")
    _note(db, "aid", "Convoy route agreed")
    reply = await private_chat.ask("/aid")
    assert "(was " in reply and "Last note:" in reply
    _status(db, "aid", "implementing")
    reply = await private_chat.ask("/aid")
    assert "Last note:" not in reply


@pytest.mark.parametrize("kind", ["status", "note"])
def test_writing_history_costs_the_same_whatever_its_length(db, kind: str) -> None:
    """The triggers' lookups must seek by id, not walk the channel's history (26 ms a write
    at 10^5 rows when the plan went wrong for the same lookup on the read side)."""
    from bench.synthetic import add_history

    write = (lambda: _status(db, "aid", "stalled")) if kind == "status" else (
        lambda: _note(db, "aid", "More")
    )  # fmt: skip
    _status(db, "aid", "negotiating")
    short = steps(db, write)
    add_history(db, 20_000)
    _status(db, "aid", "negotiating")
    long = steps(db, write)
    assert long <= 2 * short + 5, (short, long)


def test_a_database_from_before_m130_gets_them_filled_in(tmp_path) -> None:
    from tests.old_schema import old_database

    path = tmp_path / "old.db"
    old = old_database(path, stop_before="m130_status_context")
    aid = old.execute("SELECT id FROM channels WHERE slug = 'aid'").fetchone()[0]
    storage.add_note(old, channel_id=aid, summary="Before the upgrade", actor=EDITOR)
    old.close()
    db = storage.open_database(path)
    assert _kept(db) == _looked_up(db)
    assert _kept(db)[aid][1] is not None
