"""`backchannel digest preview|send-due`: digests from the command line, for operators and cron."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import timedelta

from sqlite_utils import Database

import storage
from bot.app import build_application
from bot.cli.console import render_html
from bot.config import Settings
from bot.jobs.scheduling import DigestService
from digests.runner import preview, preview_since
from storage.timestamps import utc_now

NEEDS_TOKEN = (
    "digest send-due sends real Telegram messages, so it needs BOT_TOKEN (in .env or the "
    "environment). To see digests without sending them: backchannel digest preview"
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the `digest` command and its subcommands to the main parser."""
    digest = commands.add_parser("digest", help="preview digests, or send the ones due now")
    actions = digest.add_subparsers(dest="digest_command", required=True)
    show = actions.add_parser("preview", help="print a digest without sending or recording it")
    show.add_argument(
        "--chat", type=int, help="a subscriber's chat id (default: every channel, last 24 hours)"
    )
    actions.add_parser("send-due", help="send every digest due now (needs BOT_TOKEN; for cron)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a digest subcommand; returns the exit code."""
    db = storage.open_database(settings.database_path)
    storage.seed_if_empty(db)
    try:
        if args.digest_command == "preview":
            return _preview(db, settings, args.chat)
        if settings.bot_token is None:
            print(NEEDS_TOKEN, file=sys.stderr)
            return 2
        return asyncio.run(_send_due(db, settings))
    finally:
        db.close()


def _preview(db: Database, settings: Settings, chat_id: int | None) -> int:
    now = utc_now()
    if chat_id is None:
        print("Every channel, changes of the last 24 hours:\n")
        parts = preview_since(db, now - timedelta(days=1), settings.timezone, now).parts
    else:
        found = storage.get_subscriber(db, chat_id)
        if found is None:
            print(f"Chat {chat_id} has never subscribed.", file=sys.stderr)
            return 1
        state = "active" if found.active else f"paused ({found.paused_reason})"
        print(f"Chat {chat_id}, {state}, next digest due {found.next_due_at:%Y-%m-%d %H:%M} UTC:\n")
        # In the chat's language, as send-due would send it; only these lines are English.
        language = storage.languages_of(db, [chat_id]).get(chat_id, settings.default_language)
        parts = preview(db, found, now, language).parts
    for number, part in enumerate(parts, start=1):
        if len(parts) > 1:
            print(f"--- message {number} of {len(parts)} ---")
        print(render_html(part))
    return 0


async def _send_due(db: Database, settings: Settings) -> int:
    """Send what is due; SIGTERM stops it between two digests, not in the middle.

    Cron's `timeout` and systemd stop a run with SIGTERM. Python's default would end the
    process wherever it is (safe, at most one repeated message per worker, but silent);
    instead the digest on the wire is finished and recorded, and the ones not yet sent stay
    due for the next run, which the summary says. A SIGTERM during start-up (Telegram not
    answering yet) stops at once: nothing was sent. Ctrl-C keeps its meaning for a person at
    the terminal: stop now ("Interrupted.").
    """
    application = build_application(settings, db)
    stopping = _Stopping(asyncio.current_task())
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.ask)
    try:
        async with application.bot:
            service = DigestService.create(db, application.bot, settings)
            stopping.sending = True
            report = await service.send_due(should_stop=lambda: stopping.asked)
    except asyncio.CancelledError:
        if not stopping.asked:
            raise
        print("Stopped (SIGTERM) before sending anything; the digests due stay due.")
        return 0
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
    if stopping.asked:
        print(
            f"Stopped early (SIGTERM). Digests sent: {report.summary()}. "
            "The others are still due: the next run sends them."
        )
    else:
        print(f"Digests sent: {report.summary()}")
    return 0


class _Stopping:
    """A SIGTERM's effect: cancel start-up outright, or end a run between two digests."""

    def __init__(self, task: asyncio.Task[object] | None) -> None:
        self.task, self.asked, self.sending = task, False, False

    def ask(self) -> None:
        """The signal handler."""
        self.asked = True
        if not self.sending and self.task is not None:
            self.task.cancel()
