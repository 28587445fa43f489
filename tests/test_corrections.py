"""Corrections propagate: an undone change is corrected in the alerts that announced it, and
the next digest says it was withdrawn."""

from __future__ import annotations

import pytest

import storage
from bot.cli.offline_api import ScriptedFailure
from bot.jobs import scheduling as jobs
from digests import alerts
from render.splitting import TELEGRAM_LIMIT, telegram_length
from storage.models import Actor
from tests.conftest import ADMIN_ID, READER_ID, Chat
from tests.digest_support import FIRST_DUE, SimulatedCrash, make_sender, texts_to
from tests.html_check import telegram_html_problems

OTHER_EDITOR = Actor(id=901, name="Other editor")
WITHDRAWN_EN = "Corrected 24 Nov 2026 14:01: this change was withdrawn."


@pytest.fixture
def admin(app, api) -> Chat:
    return Chat(app, api, user_id=ADMIN_ID, chat_id=ADMIN_ID, first_name="Editor")


@pytest.fixture
def reader(app, api) -> Chat:
    return Chat(app, api)


@pytest.fixture
def service(app):
    found = jobs.service(app)
    found.sender = make_sender(app.bot)
    jobs.install(app)
    return found


async def correction_job(app) -> None:
    """What the publishing job does every few seconds: start a run if anything waits."""
    (job,) = app.job_queue.get_jobs_by_name(jobs.PUBLISH_JOB_NAME)
    await job.run(app)
    background = jobs.service(app).publish_background
    if background is not None:
        await background
        jobs.service(app).publish_background = None


def alert_message_id(db, chat_id: int) -> int:
    return db.execute(
        "SELECT message_id FROM alert_messages WHERE chat_id = ?", [chat_id]
    ).fetchone()[0]


async def alerts_sent(service, api, chat_id: int) -> list[str]:
    before = len(texts_to(api, chat_id))
    await service.send_alerts()
    return texts_to(api, chat_id)[before:]


def edits_to(api, chat_id: int) -> list[dict]:
    return [p for p in api.sent("editMessageText") if int(p["chat_id"]) == chat_id]


async def alerted_reader(reader: Chat, language: str | None = None) -> None:
    reader.language_code = language
    await reader.send("/subscribe")
    await reader.send("/alerts on")


async def alerted_then_undone(reader: Chat, admin, service, api, frozen_time) -> None:
    """The reader got an alert about a change the admin undid a minute later."""
    await alerted_reader(reader)
    await admin.ask("/set ceasefire stalled Talks broke off")
    await alerts_sent(service, api, READER_ID)
    frozen_time.shift(60)
    await admin.ask("/undo")


async def test_undone_change_is_struck_through_in_the_alert_the_other_kept(
    app, api, db, admin, reader, service, frozen_time
):
    await alerted_reader(reader)
    await admin.ask("/set aid negotiating Convoys resume at dawn")
    await admin.ask("/set ceasefire stalled Talks broke off in Doha")
    (alert,) = await alerts_sent(service, api, READER_ID)
    kept, undone = (alert.split("\n\n")[i] for i in (1, 2))
    assert "Convoys resume at dawn" in kept and "Talks broke off in Doha" in undone

    frozen_time.shift(60)
    assert "Undone" in await admin.ask("/undo")
    await correction_job(app)
    (edit,) = edits_to(api, READER_ID)
    assert edit["message_id"] == alert_message_id(db, READER_ID)
    assert edit["text"] == alert.replace(undone, f"<s>{undone}</s>\n✏️ <i>{WITHDRAWN_EN}</i>")
    assert telegram_html_problems(edit["text"]) == []
    await correction_job(app)  # corrected once: nothing more to do
    assert len(edits_to(api, READER_ID)) == 1


FILLERS = [("summit", "proposed"), ("aid", "negotiating"), ("exchanges", "stalled"),
           ("corridors", "negotiating"), ("reconstruction", "proposed")]  # fmt: skip


async def test_a_long_alert_stays_within_the_limit_after_editing(
    app, api, db, admin, reader, service, frozen_time
):
    await alerted_reader(reader)
    for number, (slug, phase) in enumerate(FILLERS):
        channel = storage.find_channel(db, slug)
        storage.record_status(
            db, channel_id=channel.id, kind="status", phase=phase, actor=OTHER_EDITOR,
            summary=f"Filler {number} " + "ї" * 480,
        )  # fmt: skip
    await admin.ask("/set ceasefire stalled Talks broke off " + "д" * 450)
    (alert,) = await alerts_sent(service, api, READER_ID)
    blocks = alert.split("\n\n")[1:-1]
    assert len(blocks) == 6 and "Talks broke off" in blocks[-1]
    # Full: striking the block and adding the note in full would not fit one message.
    assert TELEGRAM_LIMIT - 60 < telegram_length(alert) <= TELEGRAM_LIMIT

    frozen_time.shift(60)
    await admin.ask("/undo")
    await correction_job(app)
    (edit,) = edits_to(api, READER_ID)
    text = edit["text"]
    assert telegram_length(text) <= TELEGRAM_LIMIT and telegram_html_problems(text) == []
    assert all(block in text for block in blocks[:-1])  # the other changes are kept
    title = "Tactical ceasefire proposals · /ceasefire"
    assert f"<s>{title}</s>\n✏️ <i>{WITHDRAWN_EN}</i>" in text
    assert "Talks broke off" not in text


@pytest.mark.parametrize(
    "refusal",
    [
        "Bad Request: message can't be edited",  # older than 48 hours in a group
        "Bad Request: message to edit not found",  # deleted by the reader
        "Bad Request: can't parse entities: unsupported start tag",  # never accepted
    ],
)
async def test_an_alert_telegram_refuses_to_edit_is_not_retried_forever(
    app, api, db, admin, reader, service, frozen_time, refusal
):
    await alerted_then_undone(reader, admin, service, api, frozen_time)
    api.fail_next("editMessageText", ScriptedFailure(400, refusal))
    await correction_job(app)
    assert not storage.publishing_pending(db)
    for _ in range(3):
        await correction_job(app)
    assert not api.failures["editMessageText"]  # the one attempt was made and refused
    assert edits_to(api, READER_ID) == []  # and never tried again


async def test_a_crash_between_edit_and_record_repeats_one_identical_edit(
    app, api, db, admin, reader, service, frozen_time, monkeypatch
):
    await alerted_then_undone(reader, admin, service, api, frozen_time)

    def crash(*args: object) -> None:
        raise SimulatedCrash

    monkeypatch.setattr(storage, "mark_alert_corrected", crash)
    with pytest.raises(SimulatedCrash):
        await service.publish()
    monkeypatch.undo()
    await service.publish()  # the restarted bot
    await service.publish()
    first, second = edits_to(api, READER_ID)
    assert first == second and "<s>" in first["text"]
    assert not storage.publishing_pending(db)


CORRECTED_LINE = {
    None: "✏️ Corrected: Tactical ceasefire proposals — 🧊 Stalled · Talks broke off was "
    "withdrawn at 24 Nov 2026 14:01",
    # The admin's English words are marked as such, as everywhere else they are quoted.
    "uk": "✏️ Виправлено: Пропозиції тактичного перемир&#x27;я — 🧊 Застопорено · Talks broke off "
    "<i>(англійською)</i>: відкликано 24 листопада 2026 14:01",
}


async def digest_text(service, api, how: str = "due") -> str:
    before = len(texts_to(api, READER_ID))
    await (service.send_due() if how == "due" else service.send_to_all())
    return "\n".join(texts_to(api, READER_ID)[before:])


@pytest.mark.parametrize("language", [None, "uk"])
@pytest.mark.parametrize("told_in", ["digest", "alert"])
async def test_the_next_digest_says_a_change_it_was_told_of_was_withdrawn(
    app, api, db, admin, reader, service, frozen_time, told_in, language
):
    reader.language_code = language
    await reader.send("/subscribe")
    if told_in == "alert":
        await reader.send("/alerts on")
    await admin.ask("/set ceasefire stalled Talks broke off")
    if told_in == "alert":
        assert "Talks broke off" in (await alerts_sent(service, api, READER_ID))[0]
    else:
        assert "Talks broke off" in await digest_text(service, api, "now")
    frozen_time.shift(60)
    await admin.ask("/undo")

    frozen_time.move_to(FIRST_DUE)
    digest = await digest_text(service, api)
    assert CORRECTED_LINE[language] in digest.splitlines()
    # Mentioned once: the digest after that no longer carries it.
    assert "Talks broke off" not in await digest_text(service, api, "now")


async def test_only_what_the_reader_was_told_is_corrected(
    app, api, db, admin, reader, service, frozen_time
):
    await reader.send("/subscribe ceasefire")
    await admin.ask("/set ceasefire stalled Talks broke off")
    await admin.ask("/set aid negotiating Convoys resume")  # not a channel they follow
    await digest_text(service, api, "now")
    frozen_time.shift(60)
    await admin.ask("/undo")  # aid
    await admin.ask("/undo")  # ceasefire: they read it in the digest
    await admin.ask("/set ceasefire negotiating Back at the table")
    frozen_time.shift(60)
    await admin.ask("/undo")  # undone before any digest or alert told them
    frozen_time.move_to(FIRST_DUE)
    corrections = [line for line in (await digest_text(service, api)).splitlines() if "✏️" in line]
    assert corrections == [CORRECTED_LINE[None]]


async def test_one_run_corrects_more_alerts_than_a_batch(app, api, db, admin, frozen_time):
    from digests.publishing import publish

    chats = [Chat(app, api, user_id=chat_id, chat_id=chat_id) for chat_id in (501, 502, 503)]
    for chat in chats:
        await alerted_reader(chat)
    await admin.ask("/set ceasefire stalled Talks broke off")
    sender = make_sender(app.bot)
    await alerts.send_alerts(db, sender)
    frozen_time.shift(60)
    await admin.ask("/undo")
    report = await publish(db, sender, "Europe/Kyiv", batch=2)
    assert report.corrected == 3 and not storage.publishing_pending(db)
    assert all(len(edits_to(api, chat.chat_id)) == 1 for chat in chats)
