"""The `backchannel` command: serve Telegram, open the console, and operator tasks."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit

from telegram.ext import Application

import storage
from bot.app import build_application
from bot.cli import admin_commands, digest_commands, report_commands
from bot.cli.console import run_console
from bot.config import ConfigError, Settings, load_settings
from bot.jobs import scheduling as digest_jobs
from bot.logs import configure_logging
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
    commands.add_parser("console", help="chat with the bot locally in this terminal")
    backup = commands.add_parser(
        "backup", help="write a consistent copy of the database, safe while the bot runs"
    )
    backup.add_argument("path", type=Path, help="new file to write the copy to")
    report_commands.add_parsers(commands)
    admin_commands.add_commands(commands)
    digest_commands.add_parser(commands)
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
    """Serve Telegram's webhook; requests without the secret token get 403 from PTB's server."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    public_url = str(settings.webhook_url)
    log.info(
        "serving Telegram by webhook on %s:%s for %s",
        settings.webhook_listen,
        settings.webhook_port,
        public_url,
    )
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlsplit(public_url).path.lstrip("/"),
        webhook_url=public_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        close_loop=False,
    )


def _console(settings: Settings) -> None:
    db = storage.open_database(settings.database_path)
    storage.seed_if_empty(db)
    try:
        asyncio.run(run_console(settings, db))
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    serving = args.command == "run" and settings.bot_token is not None
    # In the console, start-up chatter would interleave with the conversation.
    level = settings.log_level if serving or settings.log_level == "DEBUG" else "WARNING"
    configure_logging(level, [settings.bot_token, settings.webhook_secret])
    if args.command in report_commands.COMMANDS:
        return report_commands.run(args, settings)
    if args.command in admin_commands.COMMANDS:
        return admin_commands.run(args, settings)
    if args.command == "digest":
        return digest_commands.run(args, settings)
    if serving:
        return _serve(settings, webhook=args.webhook)
    if args.command == "backup":
        return _backup(settings, args.path)
    if args.command == "run":
        print("BOT_TOKEN is not set, so here is the console instead.", file=sys.stderr)
    _console(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
