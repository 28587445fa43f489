"""Reader commands through the real Application, in private chats and groups."""

from datetime import UTC, datetime

import pytest

import storage
from bot.cli.offline_api import OfflineBotApi
from storage.models import Actor
from tests.conftest import Chat

TITLES = [
    "Leader-level summit",
    "Civilian humanitarian aid access",
    "Tactical ceasefire proposals",
    "Detainee swaps and prisoner releases",
    "Safe humanitarian corridors",
    "Economic contacts and joint reconstruction",
]
EDITOR = Actor(id=900, name="Editor")


def set_status(db, slug: str, phase: str, summary: str, **extra) -> None:
    channel = storage.find_channel(db, slug)
    storage.record_status(
        db,
        channel_id=channel.id,
        kind="status",
        phase=phase,
        summary=summary,
        actor=EDITOR,
        **extra,
    )


async def test_status_lists_every_channel_with_phase_and_staleness(any_chat: Chat) -> None:
    reply = await any_chat.ask("/status")
    positions = [reply.index(title) for title in TITLES]
    assert positions == sorted(positions)
    assert "🧊 Stalled" in reply and "🧩 Partial agreement" in reply and "🚚 Implementing" in reply
    assert "Putin declined an invitation to meet Zelenskyy" in reply
    # Seeded 1 Jan 2025, asked on 24 Nov 2026.
    assert reply.count("status from 1 Jan 2025 (692 days ago)") == 6
    assert reply.count("stale") == 6


async def test_recent_update_is_not_stale(db, private_chat: Chat, frozen_time) -> None:
    set_status(db, "ceasefire", "negotiating", "Easter pause discussed")
    frozen_time.shift(86400 * 13)
    reply = await private_chat.ask("/status")
    assert "Easter pause discussed" in reply
    assert "status from 24 Nov 2026 (13 days ago)" in reply
    assert reply.count("stale") == 5
    frozen_time.shift(86400)
    assert (await private_chat.ask("/status")).count("stale") == 6


@pytest.mark.parametrize(
    ("command", "title"),
    [
        ("/ceasefire", "Tactical ceasefire proposals"),
        ("/exchanges", "Detainee swaps and prisoner releases"),
        ("/prisoners", "Detainee swaps and prisoner releases"),
        ("/swaps", "Detainee swaps and prisoner releases"),
        ("/economy", "Economic contacts and joint reconstruction"),
        ("/SUMMIT", "Leader-level summit"),
        ("/aid@BackchannelBot", "Civilian humanitarian aid access"),
    ],
)
async def test_channel_commands_and_aliases(any_chat: Chat, command: str, title: str) -> None:
    reply = await any_chat.ask(command)
    assert reply.startswith(f"<b>{title}</b>")
    assert "Source:" in reply and "(media)" in reply
    assert "Status from 1 Jan 2025" in reply


async def test_channel_reply_shows_trend_and_last_three_changes(db, any_chat: Chat) -> None:
    set_status(db, "ceasefire", "negotiating", "Talks on an Easter pause")
    set_status(db, "ceasefire", "stalled", "Talks broke off", source_url="https://example.org/a")
    reply = await any_chat.ask("/ceasefire")
    assert "🧊 Stalled · ⬇️ setback (was 🤝 Negotiating)" in reply
    assert '<a href="https://example.org/a">https://example.org/a</a>' in reply
    latest = reply.split("Latest changes")[1]
    assert latest.index("Talks broke off") < latest.index("Talks on an Easter pause")
    assert "Preliminary frameworks" in latest
    set_status(db, "ceasefire", "agreement", "Pause agreed")
    reply = await any_chat.ask("/ceasefire")
    assert "⬆️ improved (was 🧊 Stalled)" in reply
    assert "Preliminary frameworks" not in reply.split("Latest changes")[1]


async def test_admin_text_is_escaped(db, any_chat: Chat) -> None:
    set_status(db, "aid", "negotiating", "<b>Convoy</b> & trucks 🚛 <script>")
    reply = await any_chat.ask("/aid")
    assert "&lt;b&gt;Convoy&lt;/b&gt; &amp; trucks 🚛 &lt;script&gt;" in reply


async def test_new_channel_gets_its_command_without_code(db, any_chat: Chat, app, api) -> None:
    from storage.channel_writes import create_channel

    create_channel(
        db, slug="energy", title="Energy infrastructure truce", aliases=["grid"], keywords=[],
        phase="proposed", summary="Strikes on power plants paused?", actor=EDITOR,
    )  # fmt: skip
    assert (await any_chat.ask("/grid")).startswith("<b>Energy infrastructure truce</b>")
    assert "Energy infrastructure truce" in await any_chat.ask("/status")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/history ceasefire", "last 1 change, newest first"),
        ("/history prisoners 5", "History: Detainee swaps and prisoner releases"),
        ("/history", "Tell me which channel"),
        ("/history a b c", "Tell me which channel"),
        ("/history ceasfire", "Did you mean <code>/history ceasefire 5</code>?"),
        ("/history zzz", "There is no channel called “zzz”"),
        ("/history aid 0", "whole number from 1 to 50"),
        ("/history aid 51", "whole number from 1 to 50"),
        ("/history aid five", "whole number from 1 to 50"),
    ],
)
async def test_history_arguments(any_chat: Chat, command: str, expected: str) -> None:
    assert expected in await any_chat.ask(command)


async def test_history_limits_and_orders(db, private_chat: Chat) -> None:
    for number in range(60):
        set_status(db, "corridors", "proposed", f"update number {number}")
    default = await private_chat.ask("/history corridors")
    assert "last 10 changes" in default
    assert default.index("update number 59") < default.index("update number 50")
    assert "update number 49" not in default
    three = await private_chat.ask("/history corridors 3")
    assert three.count("• ") == 3 and "update number 57" in three


async def test_long_history_is_split_under_the_limit(db, private_chat: Chat) -> None:
    for number in range(50):
        set_status(db, "aid", "negotiating", f"entry {number:02d} " + "x" * 480)
    replies = await private_chat.send("/history aid 50")
    assert len(replies) > 1
    assert all(len(reply.encode("utf-16-le")) // 2 <= 4096 for reply in replies)
    joined = "\n".join(replies)
    assert all(f"entry {number:02d}" in joined for number in range(50))


async def test_channels_lists_commands(any_chat: Chat) -> None:
    reply = await any_chat.ask("/channels")
    assert "/exchanges /prisoners /swaps" in reply
    assert "/reconstruction /economy" in reply


@pytest.mark.parametrize("command", ["/start", "/help"])
async def test_help_lists_every_command_and_channel(any_chat: Chat, command: str) -> None:
    reply = await any_chat.ask(command)
    for name in ["/status", "/channels", "/history", "/help", "/start"]:
        assert f"{name}:" in reply
    assert "/exchanges (also /prisoners, /swaps): Detainee swaps" in reply


async def test_unknown_command_suggests_closest(any_chat: Chat) -> None:
    reply = await any_chat.ask("/ceasfire@BackchannelBot")
    assert "I don't know the command /ceasfire." in reply
    assert "Did you mean /ceasefire?" in reply
    reply = await any_chat.ask("/stauts@BackchannelBot")
    assert "Did you mean /status?" in reply


async def test_unknown_command_without_match(private_chat: Chat) -> None:
    reply = await private_chat.ask("/qqqqqq")
    assert "I don't know the command /qqqqqq." in reply and "Did you mean" not in reply


async def test_group_ignores_commands_for_other_bots(group_chat: Chat) -> None:
    assert await group_chat.send("/status@OtherBot") == []
    assert await group_chat.send("/ceasefire@OtherBot") == []
    # A bare unknown command in a group may belong to another bot: stay quiet.
    assert await group_chat.send("/weather") == []


async def test_group_replies_quote_the_asker(group_chat: Chat, api: OfflineBotApi) -> None:
    await group_chat.ask("/status")
    assert "reply_parameters" in api.sent()[-1]


async def test_plain_text_in_private_points_at_commands(private_chat: Chat, group_chat) -> None:
    assert "/status" in await private_chat.ask("any news?")
    assert await group_chat.send("just chatting") == []


async def test_command_menu_is_registered_at_start(api: OfflineBotApi, app) -> None:
    (menu,) = api.sent("setMyCommands")
    names = [command["command"] for command in menu["commands"]]
    assert names[:5] == ["start", "help", "status", "channels", "history"]
    assert names[-6:] == ["summit", "aid", "ceasefire", "exchanges", "corridors", "reconstruction"]
    assert all(command["description"] for command in menu["commands"])


async def test_times_are_aware(db) -> None:
    (status, *_) = storage.current_statuses(db)
    assert status.current.changed_at == datetime(2025, 1, 1, tzinfo=UTC)


async def test_days_are_counted_by_calendar_date_in_the_bot_zone(db, private_chat, frozen_time):
    # 23:30 in Kyiv (UTC+2 in November), then 00:30 the next day there: "yesterday".
    frozen_time.move_to("2026-11-24T21:30:00+00:00")
    set_status(db, "ceasefire", "negotiating", "Late-night statement")
    frozen_time.move_to("2026-11-24T22:30:00+00:00")
    assert "Status from 24 Nov 2026 (yesterday)" in await private_chat.ask("/ceasefire")


async def test_replies_follow_changes_from_this_and_other_connections(db, settings, any_chat):
    assert "Talks resumed" not in await any_chat.ask("/status")
    set_status(db, "summit", "proposed", "Talks resumed")
    assert "Talks resumed" in await any_chat.ask("/status")
    # Another process (the CLI, a second bot instance) writes through its own connection.
    other = storage.open_database(settings.database_path)
    set_status(other, "summit", "collapsed", "Talks called off")
    other.close()
    reply = await any_chat.ask("/status")
    assert "Talks called off" in reply and "Talks resumed" not in reply


async def test_a_channel_restored_under_a_command_name_never_hides_that_command(
    private_chat: Chat, db
) -> None:
    # Databases restored before reserved names were refused may hold such a channel.
    storage.create_channel(
        db, slug="help", title="Help desk talks", aliases=["search"], keywords=[],
        phase="stalled", summary="Old import", actor=storage.Actor(id=1, name="Import"),
    )  # fmt: skip
    assert "Commands" in await private_chat.ask("/help")
    assert "Help desk talks" not in await private_chat.ask("/search convoy")
