"""A Babel extraction method for handler modules: their strings, plus each command's help line.

/help and Telegram's command menu describe every command with the first line of its handler's
docstring (bot.command_menu), so those lines are words readers see and belong in the catalog.
Babel's own Python extractor does not read docstrings; this one adds the help line of every
function `bot/app.py` registers with a `CommandHandler`, then yields what Babel's extractor
finds. Other docstrings are for developers and stay out of the catalog.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import IO, Any

from babel.messages.extract import extract_python

APP_MODULE = Path(__file__).resolve().parent.parent / "bot" / "app.py"


def extract_handlers(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[tuple[int, str, str | tuple[str, ...], list[str]]]:
    """Babel extraction method (see babel.cfg): gettext calls and command help lines."""
    module = Path(getattr(fileobj, "name", "")).stem
    commands = command_callbacks().get(module, frozenset())
    tree = ast.parse(fileobj.read())
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef) and node.name in commands:
            line = help_line(ast.get_docstring(node))
            if line:
                yield node.lineno, "", line, ["command help (/help and the command menu)"]
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)


@cache
def command_callbacks() -> dict[str, frozenset[str]]:
    """Handler module -> functions registered as commands (`CommandHandler("x", mod.func)`)."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(APP_MODULE.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "CommandHandler"):
            continue
        callback = node.args[1] if len(node.args) >= 2 else None
        if isinstance(callback, ast.Attribute) and isinstance(callback.value, ast.Name):
            found.setdefault(callback.value.id, set()).add(callback.attr)
    return {module: frozenset(names) for module, names in found.items()}


def help_line(docstring: str | None) -> str:
    """The part of a docstring /help shows: its first line, without the final full stop."""
    doc = (docstring or "").strip()
    return doc.splitlines()[0].rstrip(".") if doc else ""
