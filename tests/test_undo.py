"""/undo: only your own latest change, only for 15 minutes, only if nobody changed it since."""

import storage
from tests.admin_support import admin_in, rows
from tests.conftest import Chat

OTHER_ADMIN = 901


def history_of(db, slug: str) -> list[str]:
    return [e.summary for e in storage.history(db, storage.find_channel(db, slug).id, 10)]


async def test_undo_restores_the_previous_status_and_keeps_the_row(db, app, api) -> None:
    admin, reader = admin_in(app, api), Chat(app, api)
    await admin.ask("/set ceasefire negotiating Easter pause")
    await admin.ask("/set ceasefire agreement Pause agreed")
    reply = await admin.ask("/undo")
    assert "↩️ Undone: your status ✅ Agreement on <b>Tactical ceasefire proposals</b>" in reply
    assert "Readers see 🤝 Negotiating again: Easter pause" in reply
    detail = await reader.ask("/ceasefire")
    assert "🤝 Negotiating · ⬆️ improved (was 🔎 Exploratory)" in detail
    assert "Pause agreed" not in detail
    assert "Pause agreed" not in await reader.ask("/history ceasefire")
    reverted = [row for row in rows(db, "status_history") if row["summary"] == "Pause agreed"]
    assert reverted[0]["reverted_at"] == "2026-11-24T12:00:00+00:00"
    assert reverted[0]["reverted_by_id"] == 900
    undo = rows(db, "audit_log")[-1]
    assert (undo["action"], undo["actor_id"]) == ("undo", 900)
    assert "Pause agreed" in undo["old"] and "Easter pause" in undo["new"]


async def test_undo_twice_walks_back_and_restores_freshness(db, app, api) -> None:
    admin = admin_in(app, api)
    await admin.ask("/set aid negotiating One")
    await admin.ask("/note aid Two")
    assert "your note on" in await admin.ask("/undo")
    assert "Readers see 🧩 Partial agreement again" in await admin.ask("/undo")
    assert history_of(db, "aid") == [
        "Active negotiations ongoing with partial agreements reached in key regions"
    ]
    status = await Chat(app, api).ask("/status")
    assert status.count("status from 1 Jan 2025 (692 days ago)") == 6
    assert "You have no change to undo" in await admin.ask("/undo")


async def test_nothing_to_undo(app, api) -> None:
    assert "You have no change to undo" in await admin_in(app, api).ask("/undo")


async def test_too_old_after_15_minutes(db, app, api, frozen_time) -> None:
    admin = admin_in(app, api)
    await admin.ask("/set corridors negotiating Talks")
    frozen_time.shift(15 * 60)
    reply = await admin.ask("/undo")
    assert "was 15 minutes ago; /undo works for 15 minutes" in reply
    assert history_of(db, "corridors")[0] == "Talks"


async def test_just_under_15_minutes_still_works(db, app, api, frozen_time) -> None:
    admin = admin_in(app, api)
    await admin.ask("/set corridors negotiating Talks")
    frozen_time.shift(14 * 60 + 59)
    assert "↩️ Undone" in await admin.ask("/undo")


async def test_refused_when_someone_changed_the_channel_since(db, app, api) -> None:
    admin = admin_in(app, api)
    other = admin_in(app, api, user_id=OTHER_ADMIN)
    other.first_name = "Taras"
    await admin.ask("/grant 901 Taras")
    await admin.ask("/set summit proposed Invitation sent")
    await other.ask("/note summit Invitation declined")
    reply = await admin.ask("/undo")
    assert "Taras updated <b>Leader-level summit</b> after your change" in reply
    assert history_of(db, "summit")[:2] == ["Invitation declined", "Invitation sent"]
    # The other admin's own change is theirs to undo, not mine.
    assert "your note on <b>Leader-level summit</b>" in await other.ask("/undo")


async def test_first_status_of_a_new_channel_cannot_be_undone(db, app, api) -> None:
    admin = admin_in(app, api)
    await admin.ask("/addchannel energy Energy truce")
    reply = await admin.ask("/undo")
    assert "first status of <b>Energy truce</b>" in reply
    assert "/archivechannel" in reply
    assert history_of(db, "energy") == ["New channel; no update recorded yet."]
