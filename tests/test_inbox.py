"""Source watch end to end: /source add, a poll of a local feed, /inbox, and its buttons."""
# ruff: noqa: RUF001 (Ukrainian text in the fixtures)

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

import storage
from bot.config import Settings
from bot.context import SETTINGS_KEY
from bot.jobs import sources as source_jobs
from language.i18n import N_, texts
from sources.addresses import AddressRefused
from sources.fetch import FetchError
from storage.stored_messages import readable, to_stored
from tests.admin_support import admin_in, rows, source_watch_settings
from tests.conftest import ADMIN_ID, Chat
from tests.feed_server import FEEDS, body, endless, feed, redirect, serving

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return source_watch_settings(tmp_path)  # one test below runs the bot's process pipeline


@pytest.fixture(autouse=True)
async def close_poller(app):
    yield
    await source_jobs.shutdown(app)


@pytest.fixture
def server():
    yield from serving("rss2.xml", "atom.xml", "ukrainian.xml", "hostile_titles.xml")


@pytest.fixture
def admin(app, api):
    return admin_in(app, api)


async def follow(app, admin, url: str, *extra: str) -> str:
    """/source add, which polls the new feed before it answers."""
    return await admin.ask(" ".join(["/source add", url, *extra]))


def item_ids(admin) -> list[int]:
    return sorted({int(data.split(":")[2]) for data in admin.buttons() if data.startswith("ibx:")})


def cards(api, since: int) -> list[tuple[str, list[str]]]:
    found = []
    for call in api.calls[since:]:
        if call.method != "sendMessage":
            continue
        markup = call.params.get("reply_markup") or {}
        data = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
        found.append((call.params["text"], data))
    return found


async def test_feed_to_inbox_to_note_audited_and_undoable(db, app, api, admin, server) -> None:
    added = await follow(app, admin, server.url("/rss2.xml"), "official")
    assert "✅ Following:" in added and "official" in added
    assert "First poll: 3 new items. /inbox to review them." in added
    listing = await admin.ask("/sources")
    assert "ICRC news releases" in listing and "3 items seen" in listing
    assert "✅ last success" in listing and "next poll" in listing

    before = len(api.calls)
    await admin.send("/inbox")
    shown = cards(api, before)
    header, *item_cards = shown
    assert "📥 Inbox: 3 pending" in header[0]
    assert "Civilian humanitarian aid access" in header[0]
    assert "no channel matched" in header[0]  # the water report matched nothing
    pow_card = next(c for c in item_cards if "prisoners of war" in c[0])
    assert pow_card[0].startswith("📥 <b>Detainee swaps and prisoner releases</b> · match")
    assert all(len(data.encode()) <= 64 for _, datas in item_cards for data in datas)
    # The unmatched item comes last.
    assert "No channel matched" in item_cards[-1][0]

    note_button = next(d for d in pow_card[1] if d.startswith("ibx:n:"))
    channel_id = int(note_button.split(":")[3])
    pressed = await admin.press(note_button)
    assert pressed.answers[0]["text"] == "Added as a note."
    assert "📌 Note added to" in pressed.edits[0] and "/undo" in pressed.edits[0]
    (note,) = storage.history(db, channel_id, 1)
    assert note.kind == "note"
    assert note.summary == "ICRC visits prisoners of war ahead of a prisoner exchange"
    assert note.source_url == "https://example.org/icrc/pow-visits"
    assert (note.source_label, note.source_grade) == ("ICRC news releases", "official")
    assert note.actor_id == ADMIN_ID
    assert rows(db, "audit_log")[-1]["action"] == "note"
    assert storage.inbox_counts(db).get(channel_id) is None

    # Pressing again (a second admin's stale card) changes nothing.
    again = await admin.press(note_button)
    assert "already handled" in again.answers[0]["text"]
    assert len(storage.history(db, channel_id, 5)) == 2

    # /undo reverts the note like any other, and the item is back in the inbox.
    assert "↩️ Undone" in await admin.ask("/undo")
    assert storage.inbox_counts(db).get(channel_id) == 1


async def test_polling_again_adds_nothing_and_uses_the_etag(db, app, admin, server) -> None:
    server.routes["/etag.xml"] = feed("atom.xml", etag='"abc"')
    await follow(app, admin, server.url("/etag.xml"))
    poller = source_jobs.service(app).poller
    (source,) = storage.list_sources(db)
    report = await poller.poll([storage.get_source(db, source.id)], NOW)
    assert report.outcomes[0].not_modified
    assert server.requests[-1][1]["If-None-Match"] == '"abc"'
    assert len(rows(db, "source_items")) == 1


async def test_a_failing_feed_backs_off_and_says_why(db, app, admin, server) -> None:
    added = await follow(app, admin, server.url("/missing.xml"))
    assert "⚠️ The first poll failed: HTTP 404 Not Found" in added
    (source,) = storage.list_sources(db)
    assert source.failures == 1 and readable(source.last_error, texts("en")) == "HTTP 404 Not Found"
    # 15 minutes doubled once.
    assert (source.next_poll_at - source.last_polled_at).total_seconds() == 30 * 60
    listing = await admin.ask("/sources")
    assert "❌ last error" in listing and "HTTP 404 Not Found" in listing
    # Nothing else broke: the reader's commands still work.
    assert "Tactical ceasefire proposals" in await Chat(app, admin.api).ask("/ceasefire")


async def test_hostile_items_are_escaped_and_flagged(db, app, api, admin, server) -> None:
    await follow(app, admin, server.url("/hostile_titles.xml"))
    listing = await admin.ask("/sources")
    assert "1 duplicate GUIDs skipped" in listing and "Hostile wire" in listing
    before = len(api.calls)
    await admin.send("/inbox")
    texts = "\n".join(text for text, _ in cards(api, before))
    assert "<script" not in texts and "alert(" not in texts
    assert "Ceasefire talks &amp; truce in Geneva" in texts
    assert "dated it in the future" in texts


async def test_dismiss_restore_and_mute(db, app, api, admin, server) -> None:
    await follow(app, admin, server.url("/atom.xml"), "ceasefire")
    await admin.send("/inbox")
    (item_id,) = item_ids(admin)
    dismissed = await admin.press(f"ibx:d:{item_id}")
    assert dismissed.edits[0].startswith("🗑 Dismissed.")
    assert storage.inbox_counts(db) == {}
    assert admin.buttons() == [f"ibx:r:{item_id}"]
    restored = await admin.press(f"ibx:r:{item_id}")
    assert "Tactical ceasefire proposals" in restored.edits[0]
    assert sum(storage.inbox_counts(db).values()) == 1
    muted = await admin.press(f"ibx:m:{item_id}")
    assert "🔇 Muted UN OCHA Ukraine updates" in muted.edits[0]
    assert storage.inbox_counts(db) == {}
    (source,) = storage.list_sources(db)
    assert source.paused and source.paused_reason == "muted"
    actions = [row["action"] for row in rows(db, "audit_log")][-4:]
    assert actions == ["source_add", "inbox_dismiss", "inbox_restore", "source_mute"]
    assert "/source resume" in await admin.ask("/sources")


@pytest.mark.parametrize(
    "data",
    ["ibx:n:1", "ibx:n:999:1", "ibx:x:1", "ibx:d:abc", "ibx:n:1:99999", "ibx:d:1:2" + "0" * 60],
)
async def test_forged_inbox_buttons_are_answered_not_trusted(db, app, admin, server, data) -> None:
    await follow(app, admin, server.url("/atom.xml"))
    pressed = await admin.press(data)
    assert pressed.edits == [] and pressed.answers
    assert "/inbox" in pressed.answers[0]["text"]
    assert len(storage.history(db, storage.find_channel(db, "ceasefire").id, 5)) == 1


async def test_readers_cannot_see_or_press_the_inbox(db, app, api, admin, server) -> None:
    await follow(app, admin, server.url("/atom.xml"))
    reader = admin_in(app, api, user_id=501)
    assert "only Backchannel admins" in await reader.ask("/inbox")
    assert "only Backchannel admins" in await reader.ask("/source add http://127.0.0.1/x")
    (item_id,) = [item.id for item in storage.inbox_items(db, per_channel=5, limit=5)]
    pressed = await reader.press(f"ibx:d:{item_id}")
    assert "only Backchannel admins" in pressed.answers[0]["text"]
    assert sum(storage.inbox_counts(db).values()) == 1


async def test_update_phase_opens_the_guided_set_with_the_source(db, app, admin, server) -> None:
    await follow(app, admin, server.url("/atom.xml"), "mediator")
    await admin.send("/inbox")
    (update_button,) = [d for d in admin.buttons() if d.startswith("ibx:u:")]
    opened = await admin.press(update_button)
    assert "Which phase is it now?" in opened.edits[0]
    ceasefire = storage.find_channel(db, "ceasefire")
    asked = await admin.press(f"set:p:{ceasefire.id}:negotiating")
    assert "Source from the inbox: UN OCHA Ukraine updates (mediator)" in asked.edits[0]
    echo = await admin.ask("Local pause for evacuations under discussion")
    assert "✅ Status saved" in echo
    status = storage.channel_status(db, ceasefire).current
    assert status.source_url == "https://example.org/ocha/ceasefire-evacuation"
    assert (status.source_label, status.source_grade) == ("UN OCHA Ukraine updates", "mediator")
    assert storage.inbox_counts(db) == {}  # the item's link is now a source: handled
    # A later plain /set keeps no trace of the inbox's source.
    await admin.ask("/set")
    await admin.press(f"set:c:{ceasefire.id}")
    await admin.press(f"set:p:{ceasefire.id}:stalled")
    await admin.ask("Talks paused")
    assert storage.channel_status(db, ceasefire).current.source_url is None


async def test_same_report_from_two_sources_is_one_card(db, app, api, admin, server) -> None:
    await follow(app, admin, server.url("/rss2.xml"))
    # Another source with the same GUIDs but its own links and a slightly different title.
    wire = (FEEDS / "rss2.xml").read_bytes().replace(b"ICRC news releases", b"Wire")
    wire = wire.replace(b"<link>https://example.org/icrc/", b"<link>https://wire.example/")
    wire = wire.replace(b"ahead of a prisoner exchange", b"ahead of prisoner exchange")
    server.routes["/wire.xml"] = body(wire)
    await follow(app, admin, server.url("/wire.xml"))
    assert sum(storage.inbox_counts(db).values()) == 3  # 6 items, 3 reports
    before = len(api.calls)
    await admin.send("/inbox")
    assert any("2 sources report this" in text for text, _ in cards(api, before))


async def test_forwarded_channel_post_becomes_an_inbox_item(db, app, api, admin) -> None:
    origin = {
        "type": "channel",
        "date": int(NOW.timestamp()) - 3600,
        "chat": {
            "id": -1001234567890,
            "type": "channel",
            "title": "Koordshtab",
            "username": "koordshtab",
        },
        "message_id": 4321,
    }
    replies = await admin.send(
        "/ceasefire Відбувся обмін полоненими\nПовернулися 84 захисники", forward_origin=origin
    )
    (filed,) = replies
    assert filed.startswith("<b>Filed in the inbox:</b>")
    assert "https://t.me/koordshtab/4321" in filed
    assert "📥 <b>Detainee swaps and prisoner releases</b>" in filed  # matched in Ukrainian
    (source,) = storage.list_sources(db)
    assert (source.kind, source.url, source.title) == (
        "telegram",
        "https://t.me/koordshtab",
        "@koordshtab",
    )
    # The text was filed, never run as the /ceasefire command.
    assert "Tactical ceasefire proposals" not in filed
    again = await admin.send("/ceasefire Відбувся обмін полоненими", forward_origin=origin)
    assert again == ["That post is already in the inbox (or was handled before)."]


async def test_a_readers_forward_is_just_a_question(app, api) -> None:
    reader = Chat(app, api)
    origin = {"type": "hidden_user", "date": int(NOW.timestamp()), "sender_user_name": "X"}
    answer = await reader.send("any news on prisoner swaps?", forward_origin=origin)
    assert len(answer) == 1 and "Filed" not in answer[0]


def notices(api) -> list[str]:
    return [
        c.params["text"]
        for c in api.calls
        if c.method == "sendMessage" and "in the inbox:" in c.params["text"]
    ]


async def test_batched_notices(db, app, api, admin, server, frozen_time) -> None:
    assert "Inbox notices on" in await admin.ask("/inbox notify on")
    await follow(app, admin, server.url("/rss2.xml"))
    cycle = source_jobs.service(app).cycle  # what the recurring job runs every minute
    await cycle()
    assert notices(api) == [
        "📥 3 new items in the inbox: 1 for Civilian humanitarian aid access, "
        "1 for Detainee swaps and prisoner releases, 1 for no channel. /inbox to review."
    ]
    # Within the notice interval (30 minutes), new items wait for the next notice.
    await follow(app, admin, server.url("/atom.xml"))
    await cycle()
    assert len(notices(api)) == 1
    frozen_time.shift(31 * 60)
    await cycle()
    assert notices(api)[1] == (
        "📥 1 new item in the inbox: 1 for Tactical ceasefire proposals. /inbox to review."
    )
    await cycle()
    assert len(notices(api)) == 2  # nothing new: no notice
    assert "Inbox notices off" in await admin.ask("/inbox notify off")


async def test_one_poll_job_for_every_feed_and_a_weekly_nudge(db, app, api, admin, server) -> None:
    job = source_jobs.install(app)
    for name in ("rss2.xml", "atom.xml", "ukrainian.xml"):
        await follow(app, admin, server.url(f"/{name}"))
    names = sorted(j.name for j in app.job_queue.jobs() if j.name.startswith("sources"))
    assert names == ["sources", "sources:nudge"]
    # Nothing is due: the tick returns without starting a cycle.
    source_jobs.service(app).background = None
    await job.run(app)
    assert source_jobs.service(app).background is None
    await admin.ask("/inbox notify on")
    (nudge,) = [j for j in app.job_queue.jobs() if j.name == "sources:nudge"]
    before = len(api.calls)
    await nudge.run(app)
    (sent,) = [c.params["text"] for c in api.calls[before:] if c.method == "sendMessage"]
    assert sent.startswith("<b>🗓 Weekly nudge")
    assert "Detainee swaps and prisoner releases: last touched 1 Jan 2025" in sent
    assert "/inbox exchanges" in sent


async def test_the_tick_makes_no_poller_until_there_is_work(db, app, admin) -> None:
    """The recurring tick with no feed due and no one watching the inbox does nothing, and
    makes nothing: the poller (an HTTP client, a pipeline worker process) is made by the first
    cycle, not at every start of a bot that watches no feeds."""
    job = source_jobs.install(app)
    await job.run(app)
    assert source_jobs.SERVICE_KEY not in app.bot_data
    await admin.ask("/inbox notify on")  # a watcher: every tick runs a cycle (notices)
    await job.run(app)
    background = source_jobs.service(app).background
    assert background is not None
    await background


@pytest.mark.subprocess  # the pipeline is a process of its own, started afresh (spawn)
async def test_the_bots_process_pipeline_end_to_end(db, app, api, admin, server, settings) -> None:
    """What `backchannel run` uses: parsing and storing in a separate, low-priority process."""
    app.bot_data["settings"] = settings.model_copy(update={"sources_pipeline": "process"})
    await follow(app, admin, server.url("/ukrainian.xml"), "official")
    (source,) = storage.list_sources(db)
    assert source.items_seen == 1 and source.last_error is None
    (item,) = storage.inbox_items(db, per_channel=5, limit=5)
    assert item.channel_id == storage.find_channel(db, "exchanges").id


@pytest.mark.parametrize(
    ("route", "line"),
    [
        (feed("entity_bomb.xml"), "refused: the feed declares XML entities"),
        (feed("not_a_feed.html"), "not an RSS or Atom feed"),
        (endless(50), "refused: the body is over the 2,097,152-byte limit"),
        (redirect("/hostile"), "more than 5 redirects (a redirect loop?)"),
        (body(b"down", status=500), "HTTP 500"),
        (feed("malformed.xml"), "⚠️ malformed XML, read leniently"),
    ],
    ids=["entity-bomb", "html", "50MB", "redirect-loop", "500", "malformed"],
)
async def test_each_hostile_feed_gets_a_clear_line(db, app, admin, server, route, line) -> None:
    server.routes["/hostile"] = route
    await follow(app, admin, server.url("/hostile"))
    listing = await admin.ask("/sources")
    assert line in listing
    # Nothing broken elsewhere: readers and the inbox still answer.
    assert "Tactical ceasefire proposals" in await Chat(app, admin.api).ask("/ceasefire")
    assert (await admin.send("/inbox"))[0]


async def test_per_source_interval(db, app, admin, server) -> None:
    added = await follow(app, admin, server.url("/atom.xml"), "2h", "ceasefire")
    assert "every 2 h" in added
    (source,) = storage.list_sources(db)
    assert source.interval.total_seconds() == 2 * 3600
    refused = await admin.ask(f"/source add {server.url('/rss2.xml')} 1m")
    assert "Nothing was changed: Poll a feed every 5m to every 24h" in refused


async def test_a_long_feed_error_is_stored_whole_enough_to_be_read_back(db, app, admin, server):
    """A refusal quoting a long host name and resolver message used to be cut at 300
    characters after it was stored as a catalog entry with its values: the cut JSON could not
    be read back, and /sources showed it raw."""
    await follow(app, admin, server.url("/rss2.xml"))
    (source,) = storage.list_sources(db)
    host = "h" * 60 + ".example"
    reason = AddressRefused(
        N_("the host name {host} does not resolve ({error})"), host=host, error="e " * 150
    )
    stored = to_stored([FetchError(N_("refused: {reason}"), reason=reason)])
    later = source.last_success_at + timedelta(minutes=1)
    storage.record_poll_failure(db, source.id, now=later, error=stored, next_poll_at=later)
    listing = await admin.ask("/sources")
    assert f"refused: the host name {host} does not resolve (e e" in listing
    assert '"problem"' not in listing
    assert len(storage.get_source(db, source.id).last_error or "") <= 300  # still bounded


async def test_a_host_name_with_private_in_it_that_does_not_resolve_yet_is_followed(
    db, app, admin, monkeypatch
) -> None:
    """Only an address on a private network is refused at /source add; a name that does not
    resolve now may later. The refusal used to be told apart by the word "private" in its
    English text, so a public name such as private-briefings.example was refused too."""
    app.bot_data[SETTINGS_KEY] = app.bot_data[SETTINGS_KEY].model_copy(
        update={"sources_allow_private": False}
    )

    async def nothing_found(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", nothing_found)
    followed = await follow(app, admin, "https://private-briefings.example/feed.xml")
    assert "✅ Following:" in followed and "Nothing was changed" not in followed
    assert [s.url for s in storage.list_sources(db)] == [
        "https://private-briefings.example/feed.xml"
    ]
    refused = await follow(app, admin, "http://10.1.2.3/feed.xml")
    assert "Nothing was changed" in refused and "private, loopback or link-local" in refused
    assert len(storage.list_sources(db)) == 1
