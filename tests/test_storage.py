"""Storage: migrations, seeding, atomic status changes and index-backed queries."""

import sqlite3

import pytest

import storage
from storage.migrations import migrations
from storage.models import Actor
from storage.seed import load_seed
from tests.sqlite_steps import steps

EDITOR = Actor(id=7, name="Editor")


def test_migrations_create_schema_on_empty_database(tmp_path) -> None:
    db = storage.open_database(tmp_path / "new.db")
    assert {"phases", "channels", "channel_commands", "status_history", "audit_log"} <= set(
        db.table_names()
    )
    assert migrations.pending(db) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_existing_database_keeps_data_and_applies_nothing(tmp_path) -> None:
    path = tmp_path / "existing.db"
    first = storage.open_database(path)
    storage.seed_if_empty(first)
    applied = [m.name for m in migrations.applied(first)]
    first.close()
    again = storage.open_database(path)
    assert [m.name for m in migrations.applied(again)] == applied
    assert len(storage.current_statuses(again)) == 6
    assert storage.seed_if_empty(again) is False


def test_seed_matches_the_article(db) -> None:
    seed = load_seed()
    assert [p.slug for p in seed.phases] == storage.phase_ladder(db).slugs()
    assert storage.phase_ladder(db).slugs() == [
        "collapsed", "stalled", "proposed", "exploratory",
        "negotiating", "partial_agreement", "agreement", "implementing",
    ]  # fmt: skip
    table = {
        s.channel.slug: (s.phase.slug, s.channel.aliases) for s in storage.current_statuses(db)
    }
    assert table == {
        "summit": ("stalled", []),
        "aid": ("partial_agreement", []),
        "ceasefire": ("exploratory", []),
        "exchanges": ("implementing", ["prisoners", "swaps"]),
        "corridors": ("proposed", []),
        "reconstruction": ("exploratory", ["economy"]),
    }


@pytest.mark.parametrize(
    ("previous", "current", "trend"),
    [
        ("stalled", "negotiating", storage.Trend.IMPROVED),
        ("agreement", "collapsed", storage.Trend.SETBACK),
        ("proposed", "proposed", storage.Trend.UNCHANGED),
        (None, "proposed", storage.Trend.NEW),
    ],
)
def test_trend_follows_the_ladder(db, previous, current, trend) -> None:
    assert storage.phase_ladder(db).trend(current, previous) == trend


def test_record_status_writes_history_pointer_and_audit_together(db) -> None:
    channel = storage.find_channel(db, "aid")
    entry = storage.record_status(
        db, channel_id=channel.id, kind="status", phase="agreement", summary="Deal", actor=EDITOR
    )
    status = storage.channel_status(db, channel)
    assert status.current == entry
    assert status.trend == storage.Trend.IMPROVED
    audit = next(iter(db.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")))
    assert audit["actor_id"] == 7 and audit["channel_id"] == channel.id
    assert '"partial_agreement"' in audit["old"] and '"agreement"' in audit["new"]


def test_unknown_phase_writes_nothing(db) -> None:
    channel = storage.find_channel(db, "aid")
    counts = (db["status_history"].count, db["audit_log"].count)
    with pytest.raises(storage.UnknownPhaseError):
        storage.record_status(
            db, channel_id=channel.id, kind="status", phase="peace", summary="x", actor=EDITOR
        )
    assert (db["status_history"].count, db["audit_log"].count) == counts


def test_failed_write_rolls_back_history_and_audit(db) -> None:
    counts = (db["status_history"].count, db["audit_log"].count)
    with pytest.raises(sqlite3.IntegrityError):  # no channel 999: the foreign key fails
        storage.record_status(
            db, channel_id=999, kind="status", phase="stalled", summary="x", actor=EDITOR
        )
    assert (db["status_history"].count, db["audit_log"].count) == counts


def test_notes_do_not_move_the_current_status(db) -> None:
    channel = storage.find_channel(db, "corridors")
    before = storage.channel_status(db, channel).current
    storage.record_status(
        db, channel_id=channel.id, kind="note", phase="proposed", summary="ICRC visit", actor=EDITOR
    )
    assert storage.channel_status(db, channel).current == before
    assert storage.history(db, channel.id, 1)[0].summary == "ICRC visit"


def test_find_channel_by_alias_and_case(db) -> None:
    assert storage.find_channel(db, "/Prisoners").slug == "exchanges"
    with pytest.raises(storage.ChannelNotFoundError):
        storage.find_channel(db, "weather")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM status_history WHERE channel_id = 1 ORDER BY id DESC LIMIT 10",
        "SELECT phase FROM status_history WHERE channel_id = 1 AND kind = 'status' AND id < 5 "
        "ORDER BY id DESC LIMIT 1",
    ],
)
def test_history_queries_use_an_index_not_a_scan(db, sql) -> None:
    plan = " ".join(row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
    assert "USING" in plan and "INDEX" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_the_status_query_reads_only_entries_after_the_current_status(db) -> None:
    """/status at 10^6 rows took 160 ms: the "last note" lookup walked the channel's whole
    history through the (channel, changed_at) index instead of seeking past the current
    status by id. Every history lookup in it must be bounded by id. The lookups now run
    when history is written (migration m130's triggers), so the plan checked is theirs."""
    from storage.migrations import STATUS_CONTEXT_SET

    sql = f"UPDATE channels SET {STATUS_CONTEXT_SET} WHERE id = 1"
    plan = [row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]
    lookups = [step for step in plan if step.startswith(("SEARCH n ", "SEARCH p "))]
    assert len(lookups) == 2, plan
    assert all("id>?" in step or "id<?" in step for step in lookups), plan


def test_remembered_channels_follow_changes_from_any_connection(db, settings) -> None:
    from storage.channel_writes import rename_channel

    assert storage.find_channel(db, "aid").title == "Civilian humanitarian aid access"
    other = storage.open_database(settings.database_path)
    aid_id = storage.find_channel(db, "aid").id
    rename_channel(other, channel_id=aid_id, title="Aid convoys", actor=EDITOR)
    other.close()
    assert storage.find_channel(db, "aid").title == "Aid convoys"
    assert [c.title for c in storage.list_channels(db)][1] == "Aid convoys"
    rename_channel(db, channel_id=aid_id, title="Aid access", actor=EDITOR)
    assert storage.command_index(db)["aid"].title == "Aid access"


def _steps_to_read_every_status(db) -> int:
    """SQLite virtual-machine steps (in hundreds) that one cold /status page's query takes."""
    return steps(db, lambda: storage.current_statuses(db))


def _status_on_every_channel(db) -> None:
    # The latest row of each channel is a status change, so no note follows it: the case
    # where looking for "a note since the current status" must not walk the whole history.
    for channel in storage.list_channels(db):
        storage.record_status(
            db, channel_id=channel.id, kind="status", phase="stalled", summary="Latest",
            actor=EDITOR,
        )  # fmt: skip


def test_reading_every_status_costs_the_same_whatever_the_history_length(db) -> None:
    from bench.synthetic import add_history

    _status_on_every_channel(db)
    short = _steps_to_read_every_status(db)
    add_history(db, 20_000)
    _status_on_every_channel(db)
    long = _steps_to_read_every_status(db)
    assert long <= 2 * short + 5, (short, long)


def test_every_status_shows_aliases_added_by_another_connection(db, settings) -> None:
    assert "grain" not in {s.channel.slug for s in storage.current_statuses(db)}
    other = storage.open_database(settings.database_path)
    storage.create_channel(
        other, slug="grain", title="Grain corridor", aliases=["wheat", "ports"], keywords=[],
        phase="stalled", summary="Opened", actor=EDITOR,
    )  # fmt: skip
    other.close()
    grain = next(s for s in storage.current_statuses(db) if s.channel.slug == "grain")
    assert grain.channel.aliases == ["wheat", "ports"]


def test_history_columns_are_read_in_the_order_of_the_entry_fields() -> None:
    # `entry_from_values` builds entries positionally (bench/NOTES.md, cold path): a column
    # added to one and not the other would shift every value into the wrong field.
    from dataclasses import fields

    from storage.history import _ENTRY_NAMES

    assert tuple(field.name for field in fields(storage.StatusEntry)) == _ENTRY_NAMES
