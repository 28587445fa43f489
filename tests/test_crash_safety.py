"""Crash safety: the real bot, killed with SIGKILL again and again during a digest run.

`backchannel run` starts against the Bot API emulator with every subscriber due; it is killed
at seeded random moments (while a digest is on the wire before or after Telegram took it, or
wherever the bot happens to be) and restarted each time. In the end every subscriber got their
digest, only the message in flight at a kill may have arrived twice, and SQLite is intact.
"""

import random
import sqlite3
from collections import Counter

import pytest

import storage
from storage.timestamps import from_db, utc_now
from tests.crash_support import (
    NEWS,
    CrashingEmulator,
    KillPoint,
    Moment,
    prepare_due_digests,
    start_bot,
    stop_bot,
)

# Ten kills in a run of 500 digests: what is tested is each kill, and every kill point lands
# mid-run (asserted below), before some subscriber got their digest. 2,000 digests (as before)
# tested the same ten kills in a run four times as long.
SUBSCRIBERS = 500
KILLS = 10
FIRST_CHAT = 10_000


def prepare(tmp_path) -> None:
    prepare_due_digests(tmp_path / "bot.db", FIRST_CHAT, SUBSCRIBERS)


def kill_points(seed: int) -> list[KillPoint]:
    rng = random.Random(seed)
    counts = sorted(rng.sample(range(1, SUBSCRIBERS), KILLS))
    return [KillPoint(count, rng.choice(list(Moment))) for count in counts]


@pytest.mark.subprocess
# Eleven bot processes (forked, tests/forked_cli.py) and 500 digests: a few seconds on an idle
# 2-core machine but several times that on a loaded one, and more on a slower one: past the
# default minute is possible. A kill point never reached still fails first through its own 120 s
# wait, with the bot's log.
@pytest.mark.timeout(600)
# 1: the default; 16: what README.md documents for Telegram's paid broadcast tier.
@pytest.mark.parametrize(("seed", "workers"), [(7, 1), (11, 16)])
def test_sigkill_during_a_digest_run_loses_nothing(tmp_path, seed, workers) -> None:
    prepare(tmp_path)
    log = tmp_path / "bot.log"
    in_flight: list[int] = []
    held: list[int] = []  # chats whose accepted message was held unanswered at the kill
    # With several workers, each may have one accepted message not yet recorded: the kill
    # can repeat up to `workers` messages, all among the last ones Telegram accepted.
    recent: set[int] = set()
    env = {"DIGEST_RATE_LIMIT": "1000", "DIGEST_WORKERS": str(workers)}
    with CrashingEmulator() as server:
        points = kill_points(seed)
        for point in points:
            server.arm(point)
            process = start_bot(tmp_path, server.url, log, **env)
            try:
                assert server.reached.wait(timeout=120), log.read_text()[-2000:]
            finally:
                process.kill()
                process.wait()
            assert process.returncode == -9
            # Mid-run: some subscriber was still waiting for their digest at the kill.
            assert len({chat for chat, _ in server.delivered}) < SUBSCRIBERS, point
            server.settle()
            # The last message Telegram accepted may be the one the bot never recorded.
            in_flight.append(server.delivered[-1][0])
            if point.moment is Moment.BEFORE_ANSWER:
                assert server.stopped_chat is not None
                held.append(server.stopped_chat)
            recent |= {chat for chat, _ in server.delivered[-2 * workers :]}
        process = start_bot(tmp_path, server.url, log, **env)
        try:
            server.wait_delivered_to(SUBSCRIBERS)
        finally:
            assert stop_bot(process) == 0, log.read_text()[-2000:]
        delivered = list(server.delivered)

    counts = Counter(chat for chat, _ in delivered)
    assert set(counts) == set(range(FIRST_CHAT, FIRST_CHAT + SUBSCRIBERS))
    assert all(NEWS in text for _, text in delivered)
    twice = {chat: n for chat, n in counts.items() if n > 1}
    if workers == 1:
        assert set(twice) <= set(in_flight), (twice, in_flight)
        assert all(n <= 1 + in_flight.count(chat) for chat, n in twice.items())
    else:
        assert set(twice) <= recent, (twice, recent)
        assert sum(n - 1 for n in twice.values()) <= workers * KILLS
        assert all(n <= 1 + KILLS for n in twice.values())
    # Killed after Telegram took the message but before the bot heard back: the one repeat.
    # How many repeats at most is bounded above (per kill it was in flight); here: it was sent
    # again, not lost. The held chat is the one the emulator stopped at, not the last one
    # delivered: with 16 workers other messages are accepted between the stop and the kill.
    assert held and all(counts[chat] >= 2 for chat in held), (held, counts)
    check_database(tmp_path)


def check_database(tmp_path) -> None:
    """SQLite is intact and every subscriber is recorded as served, due again tomorrow."""
    connection = sqlite3.connect(tmp_path / "bot.db")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()
    db = storage.open_database(tmp_path / "bot.db")
    try:
        assert storage.due_subscribers(db, utc_now(), 1) == []
        latest = storage.latest_change_id(db)
        rows = list(db.query("SELECT watermark, next_due_at, active FROM subscribers"))
        assert len(rows) == SUBSCRIBERS
        assert all(row["watermark"] == latest and row["active"] for row in rows)
        assert all(from_db(row["next_due_at"]) > utc_now() for row in rows)
    finally:
        db.close()
