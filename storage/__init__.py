"""Backchannel's storage layer: the only package that knows SQL, table names or the schema.

Everything above it (handlers, digests, CLI) calls the functions re-exported here and gets
pydantic models back, so the schema can change behind one migration without touching callers.
"""

from storage.channels import (
    channel_status,
    command_index,
    current_statuses,
    find_channel,
    list_channels,
)
from storage.database import data_version, open_database
from storage.errors import ChannelNotFoundError, StorageError, UnknownPhaseError
from storage.export import EXPORT_COLUMNS, ExportRow, export_rows
from storage.history import history, history_since, latest_entry_id, record_status, status_at
from storage.models import (
    Actor,
    Channel,
    ChannelStatus,
    Phase,
    PhaseLadder,
    StatusEntry,
    Trend,
)
from storage.phases import phase_ladder
from storage.seed import seed_if_empty

__all__ = [
    "EXPORT_COLUMNS",
    "Actor",
    "Channel",
    "ChannelNotFoundError",
    "ChannelStatus",
    "ExportRow",
    "Phase",
    "PhaseLadder",
    "StatusEntry",
    "StorageError",
    "Trend",
    "UnknownPhaseError",
    "channel_status",
    "command_index",
    "current_statuses",
    "data_version",
    "export_rows",
    "find_channel",
    "history",
    "history_since",
    "latest_entry_id",
    "list_channels",
    "open_database",
    "phase_ladder",
    "record_status",
    "seed_if_empty",
    "status_at",
]
