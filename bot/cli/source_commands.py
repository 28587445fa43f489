"""`backchannel sources ...`: follow feeds, list their health, poll once, OPML in and out.

The same validation and storage functions as /source in Telegram; the actor is the
operating-system user (like `backchannel set`). `poll --once` runs one poll cycle of every
due feed and prints what each did, which suits cron when the bot does not run as a service.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

import storage
from bot.cli.admin_commands import cli_actor
from bot.cli.console import render_html
from bot.config import Settings
from bot.editing.source_input import SourceInputError, parse_new_source, parse_source_id
from bot.jobs.sources import poll_config
from language.i18n import ENGLISH, texts
from render.sources import source_line, sources_view
from sources.opml import OpmlError, OpmlFeed, read_opml, write_opml
from sources.poller import Poller
from storage.stored_messages import readable
from storage.timestamps import utc_now


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the `sources` command and its subcommands to the main parser."""
    sources = commands.add_parser("sources", help="feeds the inbox follows (add, list, poll...)")
    actions = sources.add_subparsers(dest="sources_command", required=True)
    add = actions.add_parser(
        "add", help="follow a feed: sources add URL --channels aid --grade official"
    )
    add.add_argument("url")
    add.add_argument("--channels", default="", help="channel slugs, comma-separated (default any)")
    add.add_argument("--grade", default="media", help="official, mediator, media or unconfirmed")
    add.add_argument("--every", default="", help="poll interval, 5m to 24h, e.g. 30m or 2h")
    actions.add_parser("list", help="every source with its health")
    remove = actions.add_parser("remove", help="stop following a source (its pending items go)")
    remove.add_argument("id")
    poll = actions.add_parser("poll", help="poll the feeds that are due")
    poll.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")
    importer = actions.add_parser("import-opml", help="follow every feed of an OPML file")
    importer.add_argument("file", type=Path)
    exporter = actions.add_parser("export-opml", help="write the followed feeds as OPML")
    exporter.add_argument("--output", type=Path, help="file to write (default: standard output)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a `sources` subcommand; returns the exit code."""
    db = storage.open_database(settings.database_path)
    storage.seed_if_empty(db)
    try:
        action = args.sources_command
        if action == "add":
            return _add(db, settings, [args.url, args.channels, args.grade, args.every])
        if action == "list":
            return _list(db, settings)
        if action == "remove":
            return _remove(db, args.id)
        if action == "poll":
            return asyncio.run(_poll(db, settings))
        if action == "import-opml":
            return _import(db, settings, args.file)
        return _export(db, args.output)
    finally:
        db.close()


def _channels(db: Database) -> dict[int, storage.Channel]:
    return {c.id: c for c in storage.list_channels(db, include_archived=True)}


def _add(db: Database, settings: Settings, words: list[str]) -> int:
    try:
        new = parse_new_source(db, [word for word in words if word])
        added = storage.add_source(
            db, url=new.url, kind=new.kind, grade=new.grade, channel_ids=new.channel_ids,
            title=new.title, actor=cli_actor(),
            interval=new.interval or timedelta(minutes=settings.sources_interval_minutes),
        )  # fmt: skip
    except SourceInputError as error:
        print(f"Nothing was changed: {error}", file=sys.stderr)
        return 1
    except storage.SourceExistsError as error:
        print(f"Already followed as #{error.source_id}.", file=sys.stderr)
        return 1
    print(render_html(source_line(added, _channels(db), settings.zone, texts(ENGLISH))))
    return 0


def _list(db: Database, settings: Settings) -> int:
    english = texts(ENGLISH)
    print(
        render_html(sources_view(storage.list_sources(db), _channels(db), settings.zone, english))
    )
    return 0


def _remove(db: Database, typed: str) -> int:
    try:
        removed = storage.remove_source(db, parse_source_id(typed), actor=cli_actor())
    except (SourceInputError, storage.SourceNotFoundError):
        print(f"No source {typed[:20]!r}; `backchannel sources list` shows them.", file=sys.stderr)
        return 1
    print(f"Removed #{removed.id} {removed.label}.")
    return 0


async def _poll(db: Database, settings: Settings) -> int:
    poller = Poller(db, poll_config(settings))
    try:
        report = await poller.poll_due(utc_now())
    finally:
        await poller.aclose()
    labels = {source.id: source.label for source in storage.list_sources(db)}
    for outcome in report.outcomes:
        label = labels.get(outcome.source_id, "?")
        if outcome.error:
            failed = readable(outcome.error, texts(ENGLISH))
            print(f"#{outcome.source_id} {label}: failed: {failed}")
        elif outcome.not_modified:
            print(f"#{outcome.source_id} {label}: not modified")
        else:
            print(f"#{outcome.source_id} {label}: {outcome.new_items} new items")
    print(f"{report.polled} feeds polled, {report.new_items} new items, {report.failed} failed.")
    return 0 if report.failed == 0 else 1


def _import(db: Database, settings: Settings, path: Path) -> int:
    try:
        feeds = read_opml(path.read_bytes())
    except OSError as error:
        print(f"Cannot read {path}: {error.strerror}", file=sys.stderr)
        return 1
    except OpmlError as error:
        print(f"{path.name}: {error}; nothing was imported.", file=sys.stderr)
        return 1
    added = skipped = 0
    problems = []
    for feed in feeds:
        words = [feed.url, ",".join(feed.channels), feed.grade or "media"]
        try:
            new = parse_new_source(db, [word for word in words if word])
            storage.add_source(
                db, url=new.url, kind=new.kind, grade=new.grade, channel_ids=new.channel_ids,
                title=feed.title, actor=cli_actor(),
                interval=new.interval or timedelta(minutes=settings.sources_interval_minutes),
            )  # fmt: skip
            added += 1
        except storage.SourceExistsError:
            skipped += 1
        except SourceInputError as error:
            problems.append(f"{feed.url[:80]}: {error}")
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"{added} sources added, {skipped} already followed, {len(problems)} refused.")
    return 0 if not problems else 1


def _slugs(source: storage.Source, channels: dict[int, storage.Channel]) -> tuple[str, ...]:
    return tuple(channels[cid].slug for cid in source.channel_ids if cid in channels)


def _export(db: Database, output: Path | None) -> int:
    channels = _channels(db)
    feeds = [
        OpmlFeed(source.url, source.title, source.grade, _slugs(source, channels))
        for source in storage.list_sources(db)
        if source.kind == "feed"
    ]
    document = write_opml(feeds)
    if output is None:
        sys.stdout.write(document)
    else:
        output.write_text(document, encoding="utf-8")
        print(f"Wrote {len(feeds)} feeds to {output}.")
    return 0
