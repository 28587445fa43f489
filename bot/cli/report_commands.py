"""`backchannel export` and `backchannel timeline`: the history out of the bot, for operators.

Both read the database the bot uses (DATABASE_PATH) and never change it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

import storage
from bot.charts.cache import DEFAULT_DAYS, channel_request, draw_now, overview_request
from bot.charts.drawing import MAX_DAYS
from bot.config import Settings
from language.suggestions import closest
from render.export_files import FORMATS, serialize

COMMANDS = frozenset({"export", "timeline"})


def _moment(value: str) -> datetime:
    """A date (2026-01-31) or date-time; without a zone it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-01-31") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _days(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"days must be a whole number from 1 to {MAX_DAYS}")
    return int(value)


def add_parsers(commands: Any) -> None:
    """Add the subcommands to the `backchannel` parser (`commands` is its subparsers)."""
    export = commands.add_parser("export", help="write the whole history as CSV or JSON")
    export.add_argument("--format", choices=FORMATS, default="csv", help="default: csv")
    export.add_argument(
        "--since", type=_moment, metavar="DATE", help="only entries dated on or after DATE (UTC)"
    )
    export.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    chart = commands.add_parser("timeline", help="draw a timeline chart as a PNG file")
    chart.add_argument("channel", nargs="?", help="a channel; every channel when left out")
    chart.add_argument("--days", type=_days, default=DEFAULT_DAYS, help=f"default: {DEFAULT_DAYS}")
    chart.add_argument(
        "--output", type=Path, metavar="FILE", help="default: timeline[-CHANNEL].png"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Carry out one of COMMANDS; returns the process exit code."""
    if not settings.database_path.exists():
        print(
            f"There is no database at {settings.database_path} yet; `backchannel run` creates it.",
            file=sys.stderr,
        )
        return 1
    db = storage.open_database(settings.database_path)
    try:
        if args.command == "export":
            return _export(db, args)
        return _timeline(db, args, settings)
    finally:
        db.close()


def _export(db: Database, args: argparse.Namespace) -> int:
    rows = storage.export_rows(db, since=args.since)
    content = serialize(rows, args.format)
    if args.output is None:
        sys.stdout.write(content)
    else:
        if problem := _output_problem(args.output, f".{args.format}"):
            print(problem, file=sys.stderr)
            return 2
        with args.output.open("w", encoding="utf-8", newline="") as file:
            file.write(content)
        print(f"Wrote {len(rows)} entries to {args.output}", file=sys.stderr)
    return 0


def _timeline(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    now = datetime.now(UTC)
    if args.channel is None:
        request, _, _ = overview_request(db, days=args.days, now=now, zone=settings.zone)
        png = draw_now(request)
        output = args.output or Path("timeline.png")
    else:
        try:
            channel = storage.find_channel(db, args.channel)
        except storage.ChannelNotFoundError:
            guess = closest(args.channel.lower(), list(storage.command_index(db)))
            hint = f" Did you mean {guess}?" if guess else ""
            print(f"There is no channel called {args.channel!r}.{hint}", file=sys.stderr)
            return 2
        png = draw_now(channel_request(db, channel, days=args.days, now=now, zone=settings.zone))
        output = args.output or Path(f"timeline-{channel.slug}.png")
    if problem := _output_problem(output, ".png"):
        print(problem, file=sys.stderr)
        return 2
    output.write_bytes(png)
    print(f"Wrote {output} ({round(len(png) / 1024)} KB)", file=sys.stderr)
    return 0


def _output_problem(output: Path, suffix: str) -> str | None:
    """Create the output's folder as `mkdir -p` would; a folder given instead of a file is
    refused with an example. Other problems (no permission) raise OSError for the CLI."""
    if output.is_dir():
        return f"{output} is a folder: give a file name for --output, e.g. {output / 'out'}{suffix}"
    output.parent.mkdir(parents=True, exist_ok=True)
    return None
