"""Helpers for crash tests: a Bot API emulator that stops the world at a chosen message.

The test thread must kill the bot at moments picked by a seeded random generator, not by
sleeping and hoping. The emulator counts the messages it accepted and, when the count reaches
the next kill point, tells the test thread and (depending on the moment) holds its answer until
the bot is dead: so the kill lands while a digest is on the wire, unanswered, either before
Telegram took it or after.
"""

from __future__ import annotations

import enum
import os
import signal
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import storage
from storage.timestamps import utc_now
from tests.bot_api_emulator import DROP, BotApiEmulator, Faults
from tests.digest_support import EDITOR
from tests.forked_cli import CliProcess, start_cli

TOKEN = "515151:crash-test-token"


class Moment(enum.Enum):
    """When, relative to the message at the kill point, the bot dies."""

    BEFORE_ACCEPT = "before"  # the request arrived; Telegram never takes it
    BEFORE_ANSWER = "after"  # Telegram took it; the bot dies before hearing so
    RUNNING = "free"  # no hold: the kill lands wherever the bot is (sending, writing SQLite)


@dataclass(frozen=True)
class KillPoint:
    """Kill once this many messages were accepted in total, at this moment."""

    accepted: int
    moment: Moment


class CrashingEmulator(BotApiEmulator):
    """An emulator that signals `reached` at the armed kill point and can hold answers."""

    def __init__(self, faults: Faults | None = None) -> None:
        super().__init__(faults)
        self.armed: KillPoint | None = None
        self.reached = threading.Event()
        self.release = threading.Event()
        self.sending = 0  # sendMessage requests being answered right now
        # The chat whose accepted message the armed point stopped at: with several workers,
        # other messages may be accepted after it before the kill lands, so the last one
        # delivered is not necessarily the one held.
        self.stopped_chat: int | None = None

    def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """Answer as usual, stopping at the armed kill point."""
        if method != "sendMessage":
            return super().answer(token, method, params)
        with self._changed:
            self.sending += 1
        try:
            return self._send(token, method, params)
        finally:
            with self._changed:
                self.sending -= 1
                self._changed.notify_all()

    def _send(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        point = self._take(Moment.BEFORE_ACCEPT, len(self.delivered) + 1)
        if point is not None:
            self.reached.set()
            self.release.wait(timeout=60)
            return DROP, None
        result = super().answer(token, method, params)
        point = self._take(None, len(self.delivered))
        if point is not None:
            self.stopped_chat = int(params["chat_id"])
            self.reached.set()
            if point.moment is Moment.BEFORE_ANSWER:
                self.release.wait(timeout=60)
        return result

    def _take(self, moment: Moment | None, count: int) -> KillPoint | None:
        with self._changed:
            point = self.armed
            if point is None or count < point.accepted:
                return None
            if (moment is Moment.BEFORE_ACCEPT) != (point.moment is Moment.BEFORE_ACCEPT):
                return None
            self.armed = None
            return point

    def arm(self, point: KillPoint) -> None:
        """Stop at `point` next."""
        self.reached.clear()
        self.release.clear()
        self.stopped_chat = None
        with self._changed:
            self.armed = point

    def settle(self) -> None:
        """Let held answers go and wait until everything the killed bot sent is answered: no
        sendMessage being answered, none still unread in a socket (`wait_until_quiet`)."""
        self.release.set()
        with self._changed:
            assert self._changed.wait_for(lambda: self.sending == 0, timeout=60)
        self.wait_until_quiet()

    def wait_delivered_to(self, chats: int, timeout: float = 300) -> None:
        """Block until `chats` different chats got at least one message."""
        with self._changed:
            done = self._changed.wait_for(
                lambda: len({chat for chat, _ in self.delivered}) >= chats, timeout=timeout
            )
        assert done, f"only {len({c for c, _ in self.delivered})} of {chats} chats got a digest"


def start_bot(tmp_path: Path, api_url: str, log: Path, **env: str) -> CliProcess:
    """`backchannel run` as its own process, against the emulator, logging to `log`.

    Forked from a fork server that imported the bot once (tests/forked_cli.py): these tests
    start eleven bots each, and the import was most of their time.
    """
    variables = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": api_url,
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return start_cli(["run"], cwd=tmp_path, env=variables, stderr=log)


def stop_bot(process: CliProcess) -> int:
    """SIGTERM, as systemd stops the service; returns the exit code."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


NEWS = "Convoys resume through the northern corridor"


def prepare_due_digests(database: Path, first_chat: int, count: int) -> None:
    """`count` subscribers (chat ids from `first_chat`) whose digest came due yesterday, and one
    change for them to read, written before the bot process starts."""
    db = storage.open_database(database)
    storage.seed_if_empty(db)
    joined = utc_now() - timedelta(days=2)
    with db.atomic():
        for chat_id in range(first_chat, first_chat + count):
            storage.subscribe(
                db, chat_id, chat_type="private", channel_ids=None,
                digest_time=joined.time(), timezone="UTC", now=joined,
            )  # fmt: skip
    storage.record_status(
        db, channel_id=storage.find_channel(db, "aid").id, kind="status",
        phase="negotiating", summary=NEWS, actor=EDITOR,
    )  # fmt: skip
    assert len(storage.due_subscribers(db, utc_now(), count + 1)) == count
    db.close()
