"""The `backchannel` command: serve Telegram, open the console, and operator tasks."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram.ext import Application

import storage
from bot.app import build_application
from bot.cli import (
    admin_commands,
    digest_commands,
    failures,
    report_commands,
    site_commands,
    source_commands,
)
from bot.cli.console import run_console
from bot.cli.guard import run_guarded
from bot.config import ConfigError, Settings, load_settings
from bot.jobs import scheduling as digest_jobs
from bot.jobs import sources as source_jobs
from bot.runtime.heap import freeze_startup_heap
from bot.runtime.logs import configure_logging
from bot.runtime.webhook import serve_webhook
from storage.backup import BackupError, backup_database

log = logging.getLogger("backchannel")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backchannel", description="Telegram briefing bot on Ukraine-Russia talks."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="serve Telegram (long polling); opens the console when BOT_TOKEN is unset"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook (WEBHOOK_URL, WEBHOOK_SECRET) instead of polling",
    )
    console = commands.add_parser("console", help="chat with the bot locally in this terminal")
    console.add_argument(
        "--as-reader",
        action="store_true",
        help="be an ordinary reader (not an admin), to see exactly what readers see",
    )
    backup = commands.add_parser(
        "backup", help="write a consistent copy of the database, safe while the bot runs"
    )
    backup.add_argument("path", type=Path, help="new file to write the copy to")
    report_commands.add_parsers(commands)
    admin_commands.add_commands(commands)
    digest_commands.add_parser(commands)
    source_commands.add_parser(commands)
    site_commands.add_parser(commands)
    return parser


def _serve(settings: Settings, *, webhook: bool) -> int:
    if webhook and (settings.webhook_url is None or settings.webhook_secret is None):
        print(
            "Webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET (see .env.example).", file=sys.stderr
        )
        return 2
    db = storage.open_database(settings.database_path)
    storage.seed_if_empty(db)
    application = build_application(settings, db)
    digest_jobs.install(application)
    source_jobs.install(application)
    freeze_startup_heap()
    try:
        if webhook:
            _run_webhook(settings, application)
        else:
            log.info("serving Telegram by long polling via %s", settings.api_root)
            application.run_polling(close_loop=False)
    finally:
        db.close()
    return 0


def _run_webhook(settings: Settings, application: Application) -> None:
    """Serve Telegram's webhook; requests without the secret token get 403 before their body."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    public_url = str(settings.webhook_url)
    log.info(
        "serving Telegram by webhook on %s:%s for %s",
        settings.webhook_listen,
        settings.webhook_port,
        public_url,
    )
    asyncio.run(
        serve_webhook(
            application,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=urlsplit(public_url).path,
            url=public_url,
            secret=settings.webhook_secret.get_secret_value(),
        )
    )


def _console(settings: Settings, *, as_reader: bool = False) -> None:
    db = storage.open_database(settings.database_path)
    storage.seed_if_empty(db)
    try:
        asyncio.run(run_console(settings, db, as_reader=as_reader))
    except KeyboardInterrupt:
        pass
    finally:
        db.close()


def _backup(settings: Settings, target: Path) -> int:
    try:
        size = backup_database(settings.database_path, target)
    except BackupError as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 1
    print(f"Backed up {settings.database_path} to {target} ({size:,} bytes).")
    return 0


def _one_line_on_failure(
    settings: Settings, command: Callable[..., int | None], *args: Any, **kwargs: Any
) -> int:
    """Run a command; a file or database problem becomes one line on stderr and exit code 1.

    A missing folder, a read-only database or DATABASE_PATH naming the wrong file are what
    operators meet first; the line says what is wrong and what to do (see bot/cli/failures.py).
    """
    try:
        return command(*args, **kwargs) or 0
    except (sqlite3.Error, OSError) as error:
        log.debug("command failed", exc_info=True)
        print(failures.explain(error, settings.database_path), file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    # Every command runs guarded: no secret in any output, known failures as one line.
    return run_guarded(settings, lambda: _dispatch(args, settings))


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the chosen command; exceptions are left to `run_guarded`."""
    serving = args.command == "run" and settings.bot_token is not None
    # In the console, start-up chatter would interleave with the conversation.
    level = settings.log_level if serving or settings.log_level == "DEBUG" else "WARNING"
    configure_logging(level, [settings.bot_token, settings.webhook_secret])
    if args.command in report_commands.COMMANDS:
        return _one_line_on_failure(settings, report_commands.run, args, settings)
    if args.command in admin_commands.COMMANDS:
        return _one_line_on_failure(settings, admin_commands.run, args, settings)
    if args.command == "digest":
        return _one_line_on_failure(settings, digest_commands.run, args, settings)
    if args.command == "sources":
        return _one_line_on_failure(settings, source_commands.run, args, settings)
    if args.command in site_commands.COMMANDS:
        return _one_line_on_failure(settings, site_commands.run, args, settings)
    if serving:
        return _one_line_on_failure(settings, _serve, settings, webhook=args.webhook)
    if args.command == "backup":
        return _one_line_on_failure(settings, _backup, settings, args.path)
    if args.command == "run":
        print("BOT_TOKEN is not set, so here is the console instead.", file=sys.stderr)
    as_reader = getattr(args, "as_reader", False)  # `run` without a token has no such option
    return _one_line_on_failure(settings, _console, settings, as_reader=as_reader)


if __name__ == "__main__":
    raise SystemExit(main())
