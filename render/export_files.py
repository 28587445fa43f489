"""Export rows as CSV or JSON text: the file formats of /export and `backchannel export`.

Both formats carry the same columns in the same order (storage.EXPORT_COLUMNS), with times
in ISO 8601 UTC and missing values empty (CSV) or null (JSON).
"""

import csv
import io
import json
from collections.abc import Sequence
from typing import Literal

from storage import EXPORT_COLUMNS, ExportRow

ExportFormat = Literal["csv", "json"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "json")


def to_csv(rows: Sequence[ExportRow]) -> str:
    """A header line, then one line per entry (RFC 4180 quoting, so spreadsheets open it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row.model_dump(mode="json"))
    return buffer.getvalue()


def to_json(rows: Sequence[ExportRow]) -> str:
    """A JSON array of objects, one per entry, keys in column order."""
    data = [row.model_dump(mode="json") for row in rows]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def serialize(rows: Sequence[ExportRow], export_format: ExportFormat) -> str:
    """The rows in the requested format."""
    return to_csv(rows) if export_format == "csv" else to_json(rows)
