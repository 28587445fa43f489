"""Statuses and names in both languages: seed, migration, admin commands, translations."""
# ruff: noqa: RUF001 (Ukrainian text is the point of these tests)

import json

import pytest

import storage
from tests.admin_support import admin_in, rows
from tests.conftest import Chat


@pytest.fixture
def admin(app, api):
    return admin_in(app, api)


def latest(db, slug: str) -> storage.StatusEntry:
    return storage.history(db, storage.find_channel(db, slug).id, 1)[0]


def test_seeded_names_and_statuses_speak_both_languages(db) -> None:
    ladder = storage.phase_ladder(db)
    assert ladder.get("partial_agreement").label_in("uk") == "Часткова домовленість"
    assert ladder.get("partial_agreement").label_in("en") == "Partial agreement"
    exchanges = storage.find_channel(db, "exchanges")
    assert exchanges.title_in("uk") == "Обміни утримуваних і звільнення полонених"
    assert exchanges.title_in("en") == "Detainee swaps and prisoner releases"
    entry = latest(db, "summit")
    assert entry.summary_language == "en"
    assert entry.summary_in("en") == (entry.summary, None)
    assert entry.summary_in("uk") == (
        "Путін відхилив запрошення зустрітися із Зеленським; переговорів на рівні лідерів не "
        "заплановано",
        None,
    )
    status = storage.current_statuses(db)[0]
    assert status.channel.title_uk == "Саміт на рівні лідерів" and status.current.translation


def test_without_a_translation_readers_get_the_original_marked(db) -> None:
    channel = storage.find_channel(db, "aid")
    note = storage.add_note(
        db, channel_id=channel.id, summary="Конвой дійшов до Херсона",
        actor=storage.Actor(id=1, name="Olena"),
    )  # fmt: skip
    assert note.summary_language == "uk"
    assert note.summary_in("uk") == ("Конвой дійшов до Херсона", None)
    assert note.summary_in("en") == ("Конвой дійшов до Херсона", "uk")
    channel = storage.create_channel(
        db, slug="energy", title="Energy truce", aliases=[], keywords=[], phase="proposed",
        summary="x", actor=storage.Actor(id=1, name="Olena"),
    )  # fmt: skip
    assert storage.find_channel(db, "energy").title_in("uk") == "Energy truce"


def test_migration_fills_an_existing_database_from_the_seed_file(tmp_path, frozen_time) -> None:
    from tests.old_schema import old_database

    path = tmp_path / "old.db"
    old = old_database(path, stop_before="m070_bilingual")
    # An admin's work since: a renamed channel and a replaced status stay theirs.
    old.execute("UPDATE channels SET title = 'Aid (renamed)' WHERE slug = 'aid'")
    old.execute(
        "UPDATE status_history SET summary = 'Edited by hand' WHERE channel_id = "
        "(SELECT id FROM channels WHERE slug = 'corridors')"
    )
    old.conn.commit()
    old.close()
    db = storage.open_database(path)
    assert storage.phase_ladder(db).get("stalled").label_uk == "Застопорено"
    aid = storage.find_channel(db, "aid")
    assert (
        aid.title == "Aid (renamed)" and aid.title_uk == "Доступ цивільних до гуманітарної допомоги"
    )
    # The old seed had three keywords a channel; the rest arrive, in the file's order.
    assert aid.keywords[:3] == ["aid", "humanitarian", "medical"] and "допомога" in aid.keywords
    assert len(aid.keywords) == len(set(aid.keywords))
    assert latest(db, "summit").translation.startswith("Путін відхилив")
    assert latest(db, "corridors").translation is None
    assert latest(db, "corridors").summary_language == "en"


async def test_addchannel_takes_a_ukrainian_title(db, app, api, admin) -> None:
    reply = await admin.ask("/addchannel energy Energy truce | Енергетичне перемир'я /grid")
    assert "🆕 Added <b>Energy truce</b> (<b>Енергетичне перемир&#x27;я</b>)" in reply
    channel = storage.find_channel(db, "grid")
    assert (channel.title, channel.title_uk, channel.aliases) == (
        "Energy truce", "Енергетичне перемир'я", ["grid"],
    )  # fmt: skip
    audit = json.loads(rows(db, "audit_log")[-2]["new"])
    assert audit["title_uk"] == "Енергетичне перемир'я"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/addchannel energy Energy truce |", "The Ukrainian title is empty."),
        ("/addchannel energy Energy truce | " + "Я" * 101,
         "The Ukrainian title is 101 characters long; the limit is 100."),
        ("/addchannel energy | Енергетика", "The title is empty."),
    ],
)  # fmt: skip
async def test_addchannel_checks_the_ukrainian_title(db, admin, command, expected) -> None:
    before = rows(db, "channels")
    reply = await admin.ask(command)
    assert expected in reply and "Nothing was changed" in reply and "| Ukrainian title" in reply
    assert rows(db, "channels") == before


async def test_renamechannel_in_either_language(db, admin) -> None:
    reply = await admin.ask("/renamechannel aid | Гуманітарний доступ")
    assert reply.startswith("✏️ Renamed /aid: Ukrainian: <b>Доступ цивільних до гуманітарної")
    channel = storage.find_channel(db, "aid")
    assert (channel.title, channel.title_uk) == (
        "Civilian humanitarian aid access", "Гуманітарний доступ",
    )  # fmt: skip
    reply = await admin.ask("/renamechannel aid Aid access | Доступ допомоги")
    assert "<b>Civilian humanitarian aid access</b> → <b>Aid access</b>; Ukrainian:" in reply
    audit = rows(db, "audit_log")[-1]
    assert json.loads(audit["old"]) == {"title": "Civilian humanitarian aid access",
                                        "title_uk": "Гуманітарний доступ"}  # fmt: skip
    assert "Nothing was changed" in await admin.ask("/renamechannel aid |")
    assert "Nothing was changed: The Ukrainian title must be one line" in await admin.ask(
        "/renamechannel aid | a\tb"
    )


async def test_translate_adds_the_other_language_to_the_latest_entry(db, admin) -> None:
    await admin.ask("/note exchanges Lists of names handed over official")
    reply = await admin.ask("/translate exchanges Списки імен передано")
    assert reply.startswith("🌐 Saved the note of <b>Detainee swaps and prisoner releases</b> "
                            "in Ukrainian:\nСписки імен передано")  # fmt: skip
    entry = latest(db, "exchanges")
    assert entry.summary_in("uk") == ("Списки імен передано", None)
    reply = await admin.ask("/translate prisoners Списки передано")
    assert "(It replaces “Списки імен передано”.)" in reply
    audit = rows(db, "audit_log")[-1]
    assert audit["action"] == "translate"
    assert json.loads(audit["old"])["translation"] == "Списки імен передано"
    assert json.loads(audit["new"])["translation"] == "Списки передано"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/translate", "Type <code>/translate"),
        ("/translate exchanges", "Type <code>/translate"),
        ("/translate nowhere Текст", "There is no channel called “nowhere”"),
        ("/translate exchanges Lists handed over", "looks English, like the entry itself"),
        ("/translate exchanges " + "я" * 501, "is 501 characters long"),
    ],
)
async def test_translate_refuses_what_it_cannot_use(db, admin, command, expected) -> None:
    before = rows(db, "status_history")
    assert expected in await admin.ask(command)
    assert rows(db, "status_history") == before


async def test_readers_cannot_translate(app, api, db) -> None:
    reader = Chat(app, api)
    assert "only Backchannel admins" in await reader.ask("/translate aid Текст")


async def test_guided_set_takes_the_translation_as_its_last_step(db, app, api) -> None:
    admin = admin_in(app, api)
    aid = storage.find_channel(db, "aid").id
    await admin.ask("/set")
    await admin.press(f"set:c:{aid}")
    await admin.press(f"set:p:{aid}:stalled")
    reply = await admin.ask("Конвої зупинено на блокпосту")
    assert "✅ Status saved" in reply and reply.endswith("in theirs, or /skip.")
    assert "Send the same text in English too" in reply
    assert "looks Ukrainian" in await admin.ask("Ще раз українською")
    echo = await admin.ask("Convoys halted at the checkpoint")
    assert echo.startswith(
        "🌐 Saved the status of <b>Civilian humanitarian aid access</b> in English"
    )
    assert latest(db, "aid").summary_in("en") == ("Convoys halted at the checkpoint", None)
    assert latest(db, "aid").summary_in("uk") == ("Конвої зупинено на блокпосту", None)


async def test_guided_set_timeout_after_saving_says_it_was_saved(db, app, api) -> None:
    admin = admin_in(app, api)
    aid = storage.find_channel(db, "aid").id
    await admin.ask("/set")
    await admin.press(f"set:c:{aid}")
    await admin.press(f"set:p:{aid}:stalled")
    await admin.ask("Convoys halted")
    (job,) = app.job_queue.jobs()
    before = len(api.calls)
    await job.run(app)
    sent = [c.params["text"] for c in api.calls[before:] if c.method == "sendMessage"]
    assert sent == ["⌛ The guided /set timed out after 5 minutes; the status is saved without a "
                    "translation (/translate adds one)."]  # fmt: skip
    assert latest(db, "aid").summary == "Convoys halted"
