"""Reading import and restore files without trusting them: bounded size, depth and time.

An import file comes from anywhere, so parsing it must not be an attack of its own: a 415-byte
YAML "billion laughs" once took 23 s and 3.6 GB. Files are refused before the costly part
starts (size before reading, aliases and depth while composing), every refusal is one line
naming the line of the file, and no message quotes more than a short excerpt of the input.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import yaml

from render.export_files import restore_formula
from storage.values import excerpt

MAX_FILE_BYTES = 64 * 1024 * 1024
# An update file is a list of flat rows, perhaps under an `updates:` key: three levels, and
# one to spare so that a list inside a row is reported by validation, with its row number.
MAX_DEPTH = 4
_CSV_FIELD_LIMIT = csv.field_size_limit()


class ImportFileError(ValueError):
    """The file cannot be read as updates; the message is one line, ready to show."""


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a YAML or JSON list (or `updates:` mapping) or of a CSV file with a header."""
    name, suffix = path.name, path.suffix.lower()
    if suffix not in {".csv", ".json", ".yaml", ".yml"}:
        raise ImportFileError(f"{name}: use a .csv, .json, .yaml or .yml file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB ({size / 2**20:,.0f} MB); "
            "split it into smaller files."
        )
    text = _decode(path.read_bytes(), name)
    if suffix == ".csv":
        return _csv_rows(text, name)
    data = _json(text, name) if suffix == ".json" else _yaml(text, name)
    if isinstance(data, dict):
        data = data.get("updates")
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise ImportFileError(f"{name}: expected a list of updates (one mapping per update)")
    return data


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"{name}: line {line} is not UTF-8 text; save the file as UTF-8 and try again "
            "(nothing was imported)."
        ) from None


def _csv_rows(text: str, name: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[dict[str, Any]] = []
    try:
        header = next(reader, [])
        for cells in reader:
            if len(cells) > len(header):
                raise ImportFileError(
                    f"{name}: line {reader.line_num} has {len(cells)} cells but the header "
                    f"names {len(header)} columns."
                )
            values = [restore_formula(cell) for cell in cells]
            values += [None] * (len(header) - len(cells))
            rows.append(dict(zip(header, values, strict=True)))
    except csv.Error as error:
        if "field limit" in str(error):
            problem = f"a field is longer than {_CSV_FIELD_LIMIT:,} characters"
        else:
            problem = f"{excerpt(str(error), 80)}; the file is not valid CSV"
        raise ImportFileError(f"{name}: line {reader.line_num}: {problem}.") from None
    return rows


_TOO_DEEP = object()


def _json(text: str, name: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{name}: line {error.lineno}: {error.msg}; the file is not valid JSON."
        ) from None
    except RecursionError:
        data = _TOO_DEEP  # nested deeper than the parser goes: found below, with its line
    except ValueError as error:  # e.g. a number with more digits than Python converts
        raise ImportFileError(f"{name}: {excerpt(str(error), 80)}.") from None
    if data is _TOO_DEEP or _deeper_than(data, MAX_DEPTH):
        raise ImportFileError(
            f"{name}: line {_json_too_deep_line(text)}: the data is nested more than "
            f"{MAX_DEPTH} levels deep; an update file is a list of flat rows."
        )
    return data


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and mappings nest more than `limit` deep (a loop, not recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if not isinstance(value, dict | list):
            continue
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children)
    return False


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|\n')


def _json_too_deep_line(text: str) -> int:
    """The line where JSON brackets first nest deeper than MAX_DEPTH (only run on refusal)."""
    depth, line = 0, 1
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif token in "]}":
            depth -= 1
        else:
            line += token.count("\n")
    return line


class _Refusal(Exception):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors, aliases and deep nesting while composing.

    Aliases are what a "billion laughs" multiplies; refusing them as the composer meets
    them stops the attack before any expansion. Update files never need them.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node unless it is an alias, anchored, or one level too deep."""
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refusal(
                line,
                "YAML anchors and aliases (&name, *name) are not supported; write each value out",
            )
        nests = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nests:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refusal(
                    line,
                    f"the data is nested more than {MAX_DEPTH} levels deep; an update file "
                    "is a list of flat rows",
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nests:
                self._depth -= 1


def _yaml(text: str, name: str) -> Any:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _Refusal as refusal:
        raise ImportFileError(f"{name}: line {refusal.line}: {refusal.problem}.") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        problem = excerpt(error.problem or error.context or "unreadable", 80)
        raise ImportFileError(f"{name}: {where}{problem}; the file is not valid YAML.") from None
    except (yaml.YAMLError, ValueError) as error:  # e.g. an integer with 5,000 digits
        raise ImportFileError(
            f"{name}: {excerpt(str(error), 80)}; the file is not valid YAML."
        ) from None
    finally:
        loader.dispose()
