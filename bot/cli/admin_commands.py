"""`backchannel set`, `note` and `import`: the admin updates, scripted or in bulk.

They validate with the same models as the Telegram commands and write through the same
storage functions, so a CLI update is indistinguishable from one typed in Telegram except
for its actor (the operating-system user, with no Telegram id).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlite_utils import Database

import storage
from bot.app import builtin_command_names
from bot.config import Settings
from bot.editing.apply import apply_all
from bot.editing.import_files import ImportFileError
from bot.editing.import_files import read_rows as read_file_rows
from bot.editing.restore_files import validate_export
from bot.editing.validation import GRADES, UpdateInput, listed, problems, rules

COMMANDS = {"set", "note", "import"}
IMPORT_COLUMNS = "channel, kind, phase, summary, source_url, source_grade, changed_at, actor"
# Columns only an export has: an ordinary import records entries now, by the importing user,
# so it reads actor_name as the actor and leaves these out (see `as_update`).
_EXPORT_ONLY = ("actor_name", "actor_id", "recorded_at", "reverted_at", "reverted_by")


class InputRefused(Exception):
    """The update or file cannot be used; the message lists every problem, naming the rows."""


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add the update sub-commands to the `backchannel` parser."""
    for name, help_text in [
        ("set", "record a new status: backchannel set ceasefire negotiating Talks resumed"),
        ("note", "add a note without changing the phase: backchannel note aid Convoy arrived"),
    ]:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("channel", help="channel slug or alias, e.g. ceasefire")
        if name == "set":
            command.add_argument("phase", help="phase on the ladder, e.g. negotiating")
        command.add_argument("summary", nargs="+", help="what happened (1 to 500 characters)")
        command.add_argument("--source", help="source web address (http or https)")
        command.add_argument("--grade", choices=GRADES, help="source grade")
        command.add_argument("--at", help="when it happened, e.g. 2026-11-24T09:30Z (UTC)")
    importer = commands.add_parser(
        "import",
        help=f"import updates from a .yaml, .csv or .json file (columns: {IMPORT_COLUMNS}), "
        "or an export file from `backchannel export`",
    )
    importer.add_argument("file", type=Path)
    importer.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    importer.add_argument(
        "--into-empty",
        action="store_true",
        help="restore an export into a new, empty database exactly as exported (not seeded)",
    )


def cli_actor() -> storage.Actor:
    """The person at the terminal, as history and the audit log name them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in containers without a passwd entry
        name = "unknown"
    return storage.Actor(id=None, name=f"cli:{name}")


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of an update or export file, read with bounded size, depth and time."""
    try:
        return read_file_rows(path)
    except ImportFileError as error:
        raise InputRefused(str(error)) from None


def as_update(row: dict[str, Any]) -> dict[str, Any] | None:
    """An export row as an ordinary update (None for an entry undone by /undo: skipped)."""
    if not any(column in row for column in _EXPORT_ONLY):
        return row
    if row.get("reverted_at") not in (None, ""):
        return None
    update = {key: value for key, value in row.items() if key not in _EXPORT_ONLY}
    update.setdefault("actor", row.get("actor_name"))
    return update


def validate_rows(db: Database, rows: list[dict[str, Any]], name: str) -> list[UpdateInput]:
    """Validate every row before anything is written; errors name each bad row."""
    if not rows:
        raise InputRefused(f"{name} contains no updates; nothing was imported.")
    found, errors, valid = rules(db), [], []
    for number, row in enumerate(rows, start=1):
        try:
            valid.append(UpdateInput.model_validate(row, context=found))
        except ValidationError as error:
            errors += [f"row {number}: {problem}" for problem in problems(error)]
    if errors:
        raise InputRefused("\n".join([f"{name}: nothing was imported.", *listed(errors)]))
    return valid


def _one(db: Database, args: argparse.Namespace) -> UpdateInput:
    try:
        return UpdateInput.model_validate(_row(args), context=rules(db))
    except ValidationError as error:
        raise InputRefused("\n".join(["Nothing was changed:", *problems(error)])) from None


def _from_file(db: Database, path: Path) -> list[UpdateInput]:
    if not path.is_file():
        raise InputRefused(f"{path}: no such file; nothing was imported.")
    updates = [update for row in read_rows(path) if (update := as_update(row)) is not None]
    return validate_rows(db, updates, path.name)


def _restore(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    """`import --into-empty`: recreate an exported history exactly, in a database without one."""
    if not args.file.is_file():
        raise InputRefused(f"{args.file}: no such file; nothing was restored.")
    if count := storage.history_count(db):
        raise InputRefused(
            f"{settings.database_path} already has {count} history entries, so nothing was "
            "restored: --into-empty only fills a new database. Point DATABASE_PATH at a new "
            f"file, e.g. DATABASE_PATH=restored.db backchannel import {args.file} --into-empty"
        )
    reserved = builtin_command_names(db)
    try:
        ladder, name = storage.restore_ladder(db), args.file.name
        rows = validate_export(read_rows(args.file), ladder, name, reserved)
    except ValueError as error:
        raise InputRefused(str(error)) from None
    if args.dry_run:
        print(f"{len(rows)} entries are valid; nothing was written (--dry-run).")
        return 0
    result = storage.restore_history(db, rows, cli_actor())
    print(f"Restored {result.entries} entries in {len(result.channels)} channels.")
    if result.untitled:
        print(
            f"Not in the seed file, so titled by their slug: {', '.join(result.untitled)} "
            "(rename them with /renamechannel)."
        )
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one update sub-command; returns the exit code (1 when input was refused)."""
    db = storage.open_database(settings.database_path)
    try:
        if args.command == "import" and args.into_empty:
            return _restore(db, args, settings)
        storage.seed_if_empty(db)
        if args.command == "import":
            updates = _from_file(db, args.file)
            if args.dry_run:
                verb = "is" if len(updates) == 1 else "are"
                print(f"{_count(updates)} {verb} valid; nothing was written (--dry-run).")
                return 0
            apply_all(db, updates, cli_actor())
            print(f"Imported {_count(updates)} from {args.file.name}.")
            return 0
        update = _one(db, args)
        apply_all(db, [update], cli_actor())
        print(_done(db, update))
        return 0
    except InputRefused as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        db.close()


def _count(updates: list[UpdateInput]) -> str:
    return f"{len(updates)} update" + ("" if len(updates) == 1 else "s")


def _row(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "channel": args.channel,
        "kind": "status" if args.command == "set" else "note",
        "phase": getattr(args, "phase", None),
        "summary": " ".join(args.summary),
        "source_url": args.source,
        "source_grade": args.grade,
        "changed_at": args.at,
    }


def _done(db: Database, update: UpdateInput) -> str:
    status = storage.channel_status(db, storage.find_channel(db, update.channel))
    if update.kind == "note":
        return f"Note added to {update.channel} (phase stays {status.phase.slug})."
    before = status.previous_phase or "none"
    return f"{update.channel}: {before} -> {status.phase.slug} ({status.trend.value})."
