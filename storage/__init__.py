"""Backchannel's storage layer: the only package that knows SQL, table names or the schema.

Everything above it (handlers, digests, CLI) calls the functions re-exported here and gets
pydantic models back, so the schema can change behind one migration without touching callers.
"""

from storage.admins import grant_admin, is_granted_admin, list_admins, revoke_admin
from storage.audit import recent_audit
from storage.channel_writes import create_channel, rename_channel, set_archived
from storage.channels import (
    channel_status,
    command_index,
    current_statuses,
    find_channel,
    list_channels,
    taken_commands,
)
from storage.database import data_version, open_database
from storage.errors import (
    ChannelExistsError,
    ChannelNotFoundError,
    StorageError,
    UndoRefusedError,
    UnknownPhaseError,
)
from storage.export import EXPORT_COLUMNS, ExportRow, export_rows
from storage.history import (
    COUNTED,
    history,
    history_since,
    latest_entry_id,
    record_status,
    status_at,
)
from storage.models import (
    Actor,
    AdminGrant,
    AuditEntry,
    Channel,
    ChannelStatus,
    Phase,
    PhaseLadder,
    StatusEntry,
    Trend,
    UndoResult,
)
from storage.phases import phase_ladder
from storage.seed import seed_if_empty
from storage.status_writes import add_note, confirm_channel, current_phase
from storage.undo import UNDO_WINDOW, undo_last_change

__all__ = [
    "COUNTED",
    "EXPORT_COLUMNS",
    "UNDO_WINDOW",
    "Actor",
    "AdminGrant",
    "AuditEntry",
    "Channel",
    "ChannelExistsError",
    "ChannelNotFoundError",
    "ChannelStatus",
    "ExportRow",
    "Phase",
    "PhaseLadder",
    "StatusEntry",
    "StorageError",
    "Trend",
    "UndoRefusedError",
    "UndoResult",
    "UnknownPhaseError",
    "add_note",
    "channel_status",
    "command_index",
    "confirm_channel",
    "create_channel",
    "current_phase",
    "current_statuses",
    "data_version",
    "export_rows",
    "find_channel",
    "grant_admin",
    "history",
    "history_since",
    "is_granted_admin",
    "latest_entry_id",
    "list_admins",
    "list_channels",
    "open_database",
    "phase_ladder",
    "recent_audit",
    "record_status",
    "rename_channel",
    "revoke_admin",
    "seed_if_empty",
    "set_archived",
    "status_at",
    "taken_commands",
    "undo_last_change",
]
