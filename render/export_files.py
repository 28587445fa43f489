"""Export rows as CSV or JSON text: the file formats of /export and `backchannel export`.

Both formats carry the same columns in the same order (storage.EXPORT_COLUMNS), with times
in ISO 8601 UTC and missing values empty (CSV) or null (JSON). CSV cells a spreadsheet would
run as a formula are prefixed with a quote; JSON stays exact.
"""

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Literal

from storage import EXPORT_COLUMNS, ExportRow

ExportFormat = Literal["csv", "json"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "json")
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise_formula(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: `=SUM(A1)` becomes `'=SUM(A1)`.

    A cell that already starts with quotes before such a character gets one more, so that
    `restore_formula` (run by CSV imports) gives back exactly the original text.
    """
    if value.startswith(FORMULA_START) or _NEUTRALISED.match(value):
        return "'" + value
    return value


def restore_formula(value: str) -> str:
    """Undo `neutralise_formula`: a CSV export imports back to the exact original text."""
    return value[1:] if _NEUTRALISED.match(value) else value


def to_csv(rows: Sequence[ExportRow]) -> str:
    """A header line, then one line per entry (RFC 4180 quoting, so spreadsheets open it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in rows:
        cells = row.model_dump(mode="json")
        writer.writerow(
            {k: neutralise_formula(v) if isinstance(v, str) else v for k, v in cells.items()}
        )
    return buffer.getvalue()


def to_json(rows: Sequence[ExportRow]) -> str:
    """A JSON array of objects, one per entry, keys in column order."""
    data = [row.model_dump(mode="json") for row in rows]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def serialize(rows: Sequence[ExportRow], export_format: ExportFormat) -> str:
    """The rows in the requested format."""
    return to_csv(rows) if export_format == "csv" else to_json(rows)
