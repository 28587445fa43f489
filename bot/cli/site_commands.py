"""`backchannel site build DIR`: the public status page and Atom feeds as static files.

For operators who publish the briefing on the web (any static host, a CDN, a folder behind
nginx). It reads the database the bot uses and never changes it; run it from cron or after
updates, or let the bot serve the same pages live with WEB_PORT.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import storage
from bot.config import Settings
from web.site import pages, snapshot, write_site

COMMANDS = frozenset({"site"})


def add_parser(commands: Any) -> None:
    """Add `site build` to the `backchannel` parser (`commands` is its subparsers)."""
    site = commands.add_parser("site", help="build the public status page and Atom feeds")
    actions = site.add_subparsers(dest="site_action", required=True)
    build = actions.add_parser("build", help="write the site's files into a folder")
    build.add_argument("folder", type=Path, help="where to write (created if missing)")
    build.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="the site's public address, for absolute links in the feeds (default: SITE_URL)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the site; returns the process exit code."""
    if not settings.database_path.exists():
        print(
            f"No database at {settings.database_path}: start the bot once (make run) or set "
            "DATABASE_PATH.",
            file=sys.stderr,
        )
        return 1
    base_url = args.base_url if args.base_url is not None else settings.site_url or ""
    if base_url and not base_url.lower().startswith(("http://", "https://")):
        print(f"--base-url must start with http:// or https://, not {base_url[:40]!r}.",
              file=sys.stderr)  # fmt: skip
        return 2
    db = storage.open_database(settings.database_path)
    try:
        files = pages(snapshot(db, datetime.now(UTC), settings.zone), base_url)
    finally:
        db.close()
    try:
        write_site(files, args.folder, print)
    except OSError as error:
        print(f"Cannot write the site to {args.folder}: {error.strerror}.", file=sys.stderr)
        return 1
    return 0
