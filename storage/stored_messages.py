"""Problems kept in the database (a feed's last error, its warnings), readable in any language.

A poll fails long before anyone reads `/sources`, and the admin who reads it may read
Ukrainian: storing the English sentence would freeze it in English. So the sentence's catalog
entry and its values are stored (JSON), and worded when shown. Rows written before this was
stored plain text; they are shown as they are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from language.i18n import Texts
from storage.values import Problem, Words

_MAX_VALUE = 300  # a value quoted from a server (a reason phrase, an error) stays short
STORED_MAX = 300  # characters of one stored value (a feed's last error) at most


def _value(value: object) -> Any:
    if isinstance(value, Problem):
        return _problem(value)
    if isinstance(value, Words):
        return {"words": str(value)}
    return str(value)[:_MAX_VALUE]


def _problem(problem: Problem) -> dict[str, Any]:
    return {"problem": problem.message, "values": {k: _value(v) for k, v in problem.values.items()}}


def to_stored(problems: Sequence[Problem], limit: int = STORED_MAX) -> str:
    """The problems as one database value of at most `limit` characters (see `readable`).

    Bounded here, by shortening the longest quoted values, and not by cutting the result:
    cut JSON cannot be read back, and /sources would show it raw.
    """
    data = [_problem(problem) for problem in problems]
    stored = json.dumps(data, ensure_ascii=False)
    while len(stored) > limit and (longest := _longest_value(data)) is not None:
        values, name = longest
        keep = len(values[name]) - (len(stored) - limit) - 1
        values[name] = values[name][:keep] + "…" if keep > 0 else ""
        stored = json.dumps(data, ensure_ascii=False)
    return stored


def _longest_value(data: Any) -> tuple[dict[str, Any], str] | None:
    """Where the longest non-empty quoted value is (its `values` dict and name), if any."""
    found: tuple[dict[str, Any], str] | None = None
    for item in data:
        values = item.get("values", {})
        for name, value in values.items():
            if isinstance(value, str):
                if value and (found is None or len(value) > len(found[0][found[1]])):
                    found = (values, name)
            elif isinstance(value, dict) and "problem" in value:
                inner = _longest_value([value])
                if inner is not None and (
                    found is None or len(inner[0][inner[1]]) > len(found[0][found[1]])
                ):
                    found = inner
    return found


def _revive(data: Any) -> object:
    if isinstance(data, dict) and isinstance(data.get("problem"), str):
        values = data.get("values")
        values = values if isinstance(values, dict) else {}
        return Problem(data["problem"], **{str(k): _revive(v) for k, v in values.items()})
    if isinstance(data, dict) and isinstance(data.get("words"), str):
        return Words(data["words"])
    return str(data)


def readable(stored: str | None, _: Texts) -> str:
    """A stored value in the reader's language; '; ' between several problems."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
    except ValueError:
        return stored  # written before problems were stored this way: English, shown as is
    if not isinstance(data, list):
        return stored
    parts = []
    for item in data:
        try:
            revived = _revive(item)
            parts.append(revived.in_language(_) if isinstance(revived, Problem) else str(revived))
        # A catalog entry whose placeholders changed since the row was written, or a hostile row.
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            parts.append(str(item.get("problem", "")) if isinstance(item, dict) else str(item))
    return "; ".join(parts)
