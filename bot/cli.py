"""The `backchannel` command: serve Telegram, open the console, and operator tasks."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import storage
from bot import digest_cli
from bot.app import build_application
from bot.config import ConfigError, Settings, load_settings
from bot.console import run_console
from bot.logs import configure_logging
from digests import jobs as digest_jobs

log = logging.getLogger("backchannel")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backchannel", description="Telegram briefing bot on Ukraine-Russia talks."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="serve Telegram (long polling); opens the console when BOT_TOKEN is unset"
    )
    commands.add_parser("console", help="chat with the bot locally in this terminal")
    digest_cli.add_parser(commands)
    return parser


def _serve(settings: Settings) -> None:
    db = storage.open_database(settings.database_path)
    storage.seed_if_empty(db)
    application = build_application(settings, db)
    digest_jobs.install(application)
    log.info("serving Telegram by long polling via %s", settings.api_root)
    try:
        application.run_polling(close_loop=False)
    finally:
        db.close()


def _console(settings: Settings) -> None:
    db = storage.open_database(settings.database_path)
    storage.seed_if_empty(db)
    try:
        asyncio.run(run_console(settings, db))
    except KeyboardInterrupt:
        pass
    finally:
        db.close()


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
    configure_logging(level, settings.bot_token)
    if args.command == "digest":
        return digest_cli.run(args, settings)
    if serving:
        _serve(settings)
        return 0
    if args.command == "run":
        print("BOT_TOKEN is not set, so here is the console instead.", file=sys.stderr)
    _console(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
