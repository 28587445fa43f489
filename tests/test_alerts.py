"""Instant alerts: opting in and out, what is alerted, crash safety, and the digest's marks."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

import storage
from bot.cli.console import CONSOLE_USER_ID, run_console
from bot.cli.offline_api import ScriptedFailure
from bot.jobs import scheduling as jobs
from digests import alerts, runner
from tests.conftest import GROUP_ID, READER_ID, Chat
from tests.digest_support import (
    EDITOR,
    FIRST_DUE,
    SimulatedCrash,
    add_subscriber,
    crash_for_chat,
    make_sender,
    set_status,
    texts_to,
)

BLOCKED = ScriptedFailure(403, "Forbidden: bot was blocked by the user")
SERVER = ScriptedFailure(500, "Internal Server Error")


@pytest.fixture
def sender(app):
    return make_sender(app.bot)


def alerts_on(db, chat_id: int, channels: list[str] | None = None) -> None:
    add_subscriber(db, chat_id)
    ids = None if channels is None else [storage.find_channel(db, c).id for c in channels]
    storage.set_alerts(db, chat_id, ids)


async def test_opt_in_and_out_in_a_private_chat(private_chat: Chat, db) -> None:
    assert "You are not subscribed" in await private_chat.ask("/alerts on")
    await private_chat.ask("/subscribe")
    assert "Instant alerts: off" in await private_chat.ask("/mysubs")
    reply = await private_chat.ask("/alerts on")
    assert "as soon as any channel's phase changes" in reply and "🔔 alerted" in reply
    assert "Instant alerts: on for every channel" in await private_chat.ask("/mysubs")
    reply = await private_chat.ask("/alerts on ceasefire, prisoners")
    assert "the phase of Tactical ceasefire proposals (/ceasefire), Detainee" in reply
    assert "on for Tactical ceasefire proposals (/ceasefire), Detainee" in await private_chat.ask(
        "/mysubs"
    )
    assert "Alerts off" in await private_chat.ask("/alerts off")
    assert not storage.get_alerts(db, READER_ID).on
    assert "Alerts were not on here" in await private_chat.ask("/alerts off")
    assert "Instant alerts: off" in await private_chat.ask("/mysubs")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/alerts", "Instant alerts: off"),
        ("/alerts maybe", "<code>/alerts on ceasefire exchanges</code>"),
        ("/alerts off now", "<code>/alerts off</code> to stop them"),
        ("/alerts on ceasfire", "Did you mean “ceasefire”? Nothing was changed."),
    ],
)
async def test_unclear_commands_explain_what_to_type(private_chat: Chat, db, command, expected):
    await private_chat.ask("/subscribe")
    reply = await private_chat.ask(command)
    assert expected in reply
    if "ceasfire" in command:
        assert "<code>/alerts on ceasefire</code>" in reply
    assert not storage.get_alerts(db, READER_ID).on


async def test_only_group_admins_change_the_groups_alerts(group_chat: Chat, api, db) -> None:
    api.chat_member_status[READER_ID] = "administrator"
    await group_chat.ask("/subscribe")
    api.chat_member_status[READER_ID] = "member"
    assert "Only this group's admins" in await group_chat.ask("/alerts@BackchannelBot on")
    assert not storage.get_alerts(db, GROUP_ID).on
    api.chat_member_status[READER_ID] = "creator"
    assert "Alerts on" in await group_chat.ask("/alerts@BackchannelBot on aid")
    api.chat_member_status[READER_ID] = "member"
    assert "Only this group's admins" in await group_chat.ask("/alerts off")
    assert "Instant alerts: on for Civilian" in await group_chat.ask("/mysubs")


async def test_group_alert_goes_through_the_group_limit(db, api, app) -> None:
    alerts_on(db, GROUP_ID, ["aid"])
    set_status(db, "aid", "negotiating", "Convoys paused")
    sender = make_sender(app.bot)
    report = await alerts.send_alerts(db, sender)
    assert report.sent == 1 and sender.limits.acquired == [GROUP_ID]
    (alert,) = texts_to(api, GROUP_ID)
    assert "Convoys paused" in alert and "<b>Civilian humanitarian aid access</b> · /aid" in alert


@pytest.mark.parametrize(
    ("kind", "phase", "alerted"),
    [
        ("status", "negotiating", True),  # partial_agreement -> negotiating
        ("status", "partial_agreement", False),  # same phase: no news worth a ping
        ("note", "partial_agreement", False),  # notes wait for the digest
    ],
)
async def test_only_phase_changes_are_alerted(db, api, sender, kind, phase, alerted) -> None:
    alerts_on(db, 501)
    entry = set_status(db, "aid", phase, "What happened", kind=kind)
    report = await alerts.send_alerts(db, sender)
    assert (report.sent, report.nothing) == ((1, 0) if alerted else (0, 1))
    assert len(texts_to(api, 501)) == int(alerted)
    assert storage.get_alerts(db, 501).watermark == entry.id
    assert (await alerts.send_alerts(db, sender)).sent == 0  # nothing is alerted twice


async def test_alerts_follow_the_chosen_channels(db, api, sender) -> None:
    alerts_on(db, 501, ["ceasefire"])
    alerts_on(db, 502)
    add_subscriber(db, 503)  # digest only
    set_status(db, "aid", "negotiating", "Aid moved")
    set_status(db, "ceasefire", "negotiating", "Ceasefire moved")
    await alerts.send_alerts(db, sender)
    (only,) = texts_to(api, 501)
    assert "Ceasefire moved" in only and "Aid moved" not in only
    (both,) = texts_to(api, 502)
    assert both.index("Aid moved") < both.index("Ceasefire moved")
    assert texts_to(api, 503) == []


async def test_a_change_undone_before_the_alert_is_not_alerted(db, api, sender) -> None:
    alerts_on(db, 501)
    set_status(db, "aid", "collapsed", "Typo")
    storage.undo_last_change(db, EDITOR)
    await alerts.send_alerts(db, sender)
    assert texts_to(api, 501) == []


@pytest.mark.parametrize(
    ("crash_point", "expected_counts"),
    [("before send", [1, 1, 1]), ("after send, before recording", [1, 2, 1])],
)
async def test_crash_loses_nothing_and_repeats_at_most_the_one_in_flight(
    db, api, app, monkeypatch, crash_point, expected_counts
) -> None:
    for chat_id in (501, 502, 503):
        alerts_on(db, chat_id)
    entry = set_status(db, "aid", "negotiating", "news")
    sender = make_sender(app.bot)
    crash_for_chat(monkeypatch, sender, crash_point, "record_alert", 502)
    with pytest.raises(SimulatedCrash):
        await alerts.send_alerts(db, sender)
    monkeypatch.undo()
    await alerts.send_alerts(db, make_sender(app.bot))  # the restarted bot
    assert [len(texts_to(api, chat_id)) for chat_id in (501, 502, 503)] == expected_counts
    assert all("news" in text for text in texts_to(api, 502))
    assert all(storage.get_alerts(db, c).watermark == entry.id for c in (501, 502, 503))


async def test_blocked_chat_is_deactivated(db, api, sender) -> None:
    alerts_on(db, 501)
    alerts_on(db, 502)
    set_status(db, "aid", "negotiating", "news")
    api.fail_next("sendMessage", BLOCKED)
    report = await alerts.send_alerts(db, sender)
    assert (report.deactivated, report.sent) == (1, 1)
    assert storage.get_subscriber(db, 501).paused_reason == "unreachable"
    set_status(db, "aid", "stalled", "more news")
    await alerts.send_alerts(db, sender)
    assert texts_to(api, 501) == [] and len(texts_to(api, 502)) == 2


async def test_failed_alert_waits_and_is_sent_later(running_app, api, db, monkeypatch) -> None:
    service = jobs.service(running_app)
    clock = [0.0]
    service.alert_retry = alerts.RetryLater(clock=lambda: clock[0])
    alerts_on(db, 501)
    set_status(db, "aid", "negotiating", "news")
    for _ in range(5):
        api.fail_next("sendMessage", SERVER)
    assert (await service.send_alerts()).failed == [501]
    assert storage.get_alerts(db, 501).watermark < storage.latest_change_id(db)
    assert (await service.send_alerts()).sent == 0  # held back, not hammered
    clock[0] += alerts.RETRY_SECONDS
    assert (await service.send_alerts()).sent == 1
    assert "news" in texts_to(api, 501)[-1]


@pytest.fixture
def running_app(app):
    jobs.service(app).sender = make_sender(app.bot)
    return app


async def test_the_alert_job_sends_in_the_background(running_app, api, db) -> None:
    jobs.install(running_app)
    (job,) = running_app.job_queue.get_jobs_by_name(jobs.ALERT_JOB_NAME)
    assert job.job.trigger.interval == timedelta(seconds=alerts.ALERT_TICK_SECONDS)
    alerts_on(db, 501)
    await job.run(running_app)
    assert jobs.service(running_app).alert_background is None  # nothing new: no run
    set_status(db, "ceasefire", "stalled", "Talks broke off")
    await job.run(running_app)
    await jobs.service(running_app).alert_background
    assert "Talks broke off" in texts_to(api, 501)[-1]


async def test_digest_marks_alerted_changes(db, api, app, frozen_time) -> None:
    alerts_on(db, 501)
    add_subscriber(db, 502)
    set_status(db, "aid", "negotiating", "Moved")
    set_status(db, "aid", "negotiating", "Unchanged", kind="note")
    frozen_time.shift(75 * 60)  # alerted at 13:15 UTC, 15:15 in Kyiv
    await alerts.send_alerts(db, make_sender(app.bot))
    assert runner.preview(db, storage.get_subscriber(db, 501)).parts[0].count("🔔 alerted") == 1
    await runner.send_due(db, make_sender(app.bot), now=FIRST_DUE)
    digest = texts_to(api, 501)[-1]
    moved = next(line for line in digest.splitlines() if "Negotiating" in line and "→" in line)
    assert moved.endswith("🔔 alerted 15:15")
    assert "Moved" in digest and "Unchanged" in digest and digest.count("🔔 alerted") == 1
    assert "🔔" not in texts_to(api, 502)[-1]
    assert storage.alerted_entries(db, [501]) == {}  # covered by the digest: pruned later
    set_status(db, "aid", "stalled", "Again")
    await alerts.send_alerts(db, make_sender(app.bot))
    assert list(storage.alerted_entries(db, [501])[501]) == [storage.latest_change_id(db)]


async def test_alerts_restart_from_now_after_resubscribing(db, api, sender) -> None:
    alerts_on(db, 501)
    storage.unsubscribe(db, 501)
    set_status(db, "aid", "negotiating", "While away")
    await alerts.send_alerts(db, sender)
    add_subscriber(db, 501)
    await alerts.send_alerts(db, sender)
    assert texts_to(api, 501) == []
    set_status(db, "aid", "stalled", "Back")
    await alerts.send_alerts(db, sender)
    (alert,) = texts_to(api, 501)
    assert "Back" in alert and "While away" not in alert


async def test_a_change_already_in_a_delivered_digest_is_not_alerted(db, api, sender) -> None:
    alerts_on(db, 501)
    set_status(db, "aid", "negotiating", "Old news by now")
    await runner.send_due(db, sender, now=FIRST_DUE)  # the alert job was down meanwhile
    await alerts.send_alerts(db, sender)
    assert len(texts_to(api, 501)) == 1 and "🔔" not in texts_to(api, 501)[0]


async def test_one_broken_chat_spares_the_others(db, api, sender, monkeypatch) -> None:
    alerts_on(db, 501)
    alerts_on(db, 502)
    set_status(db, "aid", "negotiating", "news")
    real = alerts.alert_text

    def broken_once(changes, channels, ladder, zone):
        monkeypatch.setattr(alerts, "alert_text", real)
        raise RuntimeError("rendering bug")

    monkeypatch.setattr(alerts, "alert_text", broken_once)
    report = await alerts.send_alerts(db, sender)
    assert report.failed == [501] and report.sent == 1 and len(texts_to(api, 502)) == 1
    assert storage.get_alerts(db, 501).watermark < storage.latest_change_id(db)


async def test_stopping_leaves_the_rest_for_the_restart(db, api, sender) -> None:
    for chat_id in (501, 502):
        alerts_on(db, chat_id)
    set_status(db, "aid", "negotiating", "news")
    report = await alerts.send_alerts(db, sender, should_stop=lambda: len(api.sent()) >= 1)
    assert report.sent == 1
    await alerts.send_alerts(db, sender)
    assert [len(texts_to(api, c)) for c in (501, 502)] == [1, 1]


async def test_console_stores_the_setting_without_sending(settings, db) -> None:
    out = io.StringIO()
    await run_console(settings, db, stdin=io.StringIO("/subscribe\n/alerts on aid\n"), stdout=out)
    assert "Alerts on: I'll message here as soon as the phase of Civilian" in out.getvalue()
    set_status(db, "aid", "negotiating", "news")
    setting = storage.get_alerts(db, CONSOLE_USER_ID)
    assert setting.on and not setting.all_channels
    assert setting.watermark < storage.latest_change_id(db)  # no alert job in the console
