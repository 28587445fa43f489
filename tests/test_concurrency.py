"""Concurrency: 200 /set and /note from 5 admins, readers, a digest run and the CLI at once.

Updates go through the Application's update queue, so the real concurrent update processor
handles them; the fake Bot API yields to the event loop on every call (as a network would), so
handlers really interleave. In the end history holds every change exactly once, each channel's
current status is its latest change, and no user saw "database is locked" or an apology.
"""

import ast
import asyncio
import os
import random
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage
from bot.cli.offline_api import OfflineBotApi
from bot.cli.update_factory import callback_update, chat_dict, text_update, user_dict
from bot.handlers.error_handler import SORRY
from bot.jobs import scheduling as jobs
from bot.traffic.concurrency import PerChatUpdateProcessor
from tests import forked_cli
from tests.conftest import ADMIN_ID, GROUP_ID
from tests.digest_support import add_subscriber, make_sender, set_status

ADMINS = [ADMIN_ID, 901, 902, 903, 904]
# Two more admins fill in guided forms meanwhile (a one-line /set would close their form).
GUIDED = [905, 906]
COMMANDS = 200
READERS = 60
SUBSCRIBERS = 40
CLI_NOTES = 3
SEED = 11
ACTOR = storage.Actor(id=ADMIN_ID, name="Olena")


class InterleavingApi(OfflineBotApi):
    """Answers after yielding to the event loop a seeded random number of times."""

    def __init__(self) -> None:
        super().__init__()
        self.random = random.Random(SEED)
        self.in_flight = self.most_in_flight = 0

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            for _ in range(self.random.randrange(4)):
                await asyncio.sleep(0)
            return await super().do_request(url, method, request_data, *args, **kwargs)
        finally:
            self.in_flight -= 1


@pytest.fixture
def api() -> InterleavingApi:
    return InterleavingApi()


def admin_commands(db) -> list[tuple[int, int, str]]:
    """(user, chat, text) for 200 one-line updates; admin 904 works in the group."""
    rng = random.Random(SEED)
    slugs = [channel.slug for channel in storage.list_channels(db)]
    phases = storage.phase_ladder(db).slugs()
    found = []
    for number in range(COMMANDS):
        user = ADMINS[number % len(ADMINS)]
        chat = GROUP_ID if user == 904 else user
        slug = rng.choice(slugs)
        if number % 3:
            found.append((user, chat, f"/set {slug} {rng.choice(phases)} change number {number}"))
        else:
            found.append((user, chat, f"/note@BackchannelBot {slug} note number {number}"))
    return found


def reader_messages() -> list[tuple[int, int, str]]:
    texts = ["/status", "/history aid", "/ceasefire", "what is new on prisoner exchanges?"]
    return [(5000 + n, 5000 + n, texts[n % len(texts)]) for n in range(READERS)]


async def cli_note(tmp_path, number: int) -> int:
    """`backchannel note` as a process of its own (forked with the bot imported: forked_cli)."""
    env = {"PATH": os.environ["PATH"], "DATABASE_PATH": str(tmp_path / "backchannel.db")}
    argv = ["note", "corridors", f"cli note {number}"]
    result = await asyncio.to_thread(forked_cli.run_cli, argv, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return result.returncode


def guided_set(app, user: int, channel_id: int) -> list:
    """A whole guided /set from one admin: command, two buttons, the typed summary."""
    who, chat = user_dict(user, f"Admin {user}"), chat_dict(user)
    form = {"message_id": 1, "date": 0, "chat": chat, "text": "Which channel changed?",
            "from": {"id": 7000000001, "is_bot": True, "first_name": "Backchannel"}}  # fmt: skip
    return [
        text_update(app.bot, "/set", user=who, chat=chat),
        callback_update(app.bot, f"set:c:{channel_id}", user=who, message=form),
        callback_update(app.bot, f"set:p:{channel_id}:stalled", user=who, message=form),
        text_update(app.bot, f"guided change by {user}", user=who, chat=chat),
    ]


@pytest.mark.subprocess
async def test_admins_readers_digests_and_cli_at_once(tmp_path, db, app, api) -> None:
    assert isinstance(app.update_processor, PerChatUpdateProcessor)
    assert app.update_processor.max_concurrent_updates > 1
    owner = storage.Actor(id=ADMIN_ID, name="Olena")
    for user in ADMINS[1:] + GUIDED:
        storage.grant_admin(db, user_id=user, name=f"Admin {user}", actor=owner)
    for chat_id in range(7000, 7000 + SUBSCRIBERS):
        add_subscriber(db, chat_id, now=datetime(2026, 11, 24, 3, tzinfo=UTC))  # due at 06:00
    jobs.service(app).sender = make_sender(app.bot)
    set_status(db, "summit", "proposed", "news for every subscriber")
    commands = admin_commands(db)
    updates = [
        text_update(app.bot, text, user=user_dict(user, f"Admin {user}"),
                    chat=chat_dict(chat, "private" if chat > 0 else "supergroup"))
        for user, chat, text in commands + reader_messages()
    ]  # fmt: skip
    random.Random(SEED).shuffle(updates)
    aid = storage.find_channel(db, "aid").id
    # Whole guided forms interleaved with everything else, each in its own order.
    for user in GUIDED:
        for offset, update in enumerate(guided_set(app, user, aid)):
            updates.insert(40 * (offset + 1) + user % 7, update)
    before = len(storage.history(db, aid, 1000))

    digests = asyncio.create_task(jobs.service(app).send_due())
    clis = [asyncio.create_task(cli_note(tmp_path, n)) for n in range(CLI_NOTES)]
    for update in updates:
        await app.update_queue.put(update)
    await app.update_queue.join()
    report = await digests
    await asyncio.gather(*clis)

    assert api.most_in_flight > 1  # handlers did overlap
    history = list(db.query("SELECT summary, kind, actor_id FROM status_history"))
    summaries = Counter(row["summary"] for row in history)
    actors = {row["summary"]: row["actor_id"] for row in history}
    for user, _, text in commands:
        summary = text.split(maxsplit=3 if text.startswith("/set") else 2)[-1]
        assert summaries[summary] == 1 and actors[summary] == user, summary
    assert all(summaries[f"guided change by {user}"] == 1 for user in GUIDED)
    assert all(summaries[f"cli note {n}"] == 1 for n in range(CLI_NOTES)), [
        s for s in summaries if "cli" in s
    ]
    audits = Counter(row["action"] for row in db.query("SELECT action FROM audit_log"))
    changes = COMMANDS + 2 + CLI_NOTES
    assert audits["status"] + audits["note"] >= changes
    assert len(storage.history(db, aid, 1000)) >= before + 2
    # No lost update: each channel shows its latest status change.
    for channel in storage.list_channels(db):
        latest = next(
            entry for entry in storage.history(db, channel.id, 1000) if entry.kind == "status"
        )
        assert storage.channel_status(db, channel).current.id == latest.id
    assert report.delivered == SUBSCRIBERS
    texts = [call.params["text"] for call in api.calls if call.method == "sendMessage"]
    assert not [t for t in texts if "locked" in t.lower() or SORRY in t]
    saved = sum(1 for t in texts if "✅ Status saved" in t or "📌 Note added" in t)
    assert saved == COMMANDS + 2
    answered = Counter(call.params["chat_id"] for call in api.calls if call.method == "sendMessage")
    assert all(answered[chat] >= 1 for _, chat, _ in reader_messages())


def test_a_transaction_waits_for_another_process_instead_of_failing(tmp_path) -> None:
    """A write transaction that read first used to fail at once if another process committed."""
    bot_db = storage.open_database(tmp_path / "shared.db")
    storage.seed_if_empty(bot_db)
    cli_db = storage.open_database(tmp_path / "shared.db")
    aid = storage.find_channel(bot_db, "aid").id
    read, cli_done, failures = threading.Event(), threading.Event(), []

    def bot_transaction() -> None:
        try:
            with bot_db.atomic():
                storage.history(bot_db, aid, 1)  # reads first
                read.set()
                cli_done.wait(timeout=0.3)  # the CLI commits meanwhile (or waits for us)
                storage.add_note(bot_db, channel_id=aid, summary="from the bot", actor=ACTOR)
        except Exception as error:
            failures.append(error)

    thread = threading.Thread(target=bot_transaction)
    thread.start()
    assert read.wait(timeout=10)
    storage.add_note(cli_db, channel_id=aid, summary="from the CLI", actor=ACTOR)
    cli_done.set()
    thread.join()
    assert failures == []
    summaries = {entry.summary for entry in storage.history(cli_db, aid, 10)}
    assert {"from the bot", "from the CLI"} <= summaries


def in_transaction(node: ast.AST) -> bool:
    return isinstance(node, ast.With | ast.AsyncWith) and any(
        "atomic" in ast.unparse(item.context_expr) for item in node.items
    )


def test_no_handler_awaits_inside_a_transaction() -> None:
    """Handlers share one connection: an await inside a transaction would let others in."""
    root = Path(__file__).parent.parent
    sources = [*root.glob("bot/**/*.py"), *root.glob("digests/*.py"), *root.glob("storage/*.py")]
    transactions = [
        (path, node)
        for path in sources
        for node in ast.walk(ast.parse(path.read_text()))
        if in_transaction(node)
    ]
    found = [
        f"{path.relative_to(root)}:{node.lineno}"
        for path, node in transactions
        if any(isinstance(inner, ast.Await | ast.AsyncWith) for inner in ast.walk(node))
    ]
    assert len(transactions) > 5 and found == []
