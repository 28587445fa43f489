"""Backchannel's storage layer: the only package that knows SQL, table names or the schema.

Everything above it (handlers, digests, CLI) calls the functions re-exported here and gets
pydantic models back, so the schema can change behind one migration without touching callers.
"""

from storage.admins import grant_admin, is_granted_admin, list_admins, revoke_admin
from storage.alerts import (
    AlertSetting,
    alert_batch,
    alerted_entries,
    alerts_off,
    alerts_pending,
    get_alerts,
    record_alert,
    set_alerts,
)
from storage.audit import recent_audit
from storage.changes import change_id_before, changes_between, latest_change_id
from storage.channel_writes import create_channel, rename_channel, set_archived
from storage.channels import (
    channel_status,
    command_index,
    command_index_entry,
    current_statuses,
    find_channel,
    is_channel_command,
    list_channels,
    taken_commands,
)
from storage.database import data_version, open_database
from storage.errors import (
    ChannelExistsError,
    ChannelNotFoundError,
    NotSubscribedError,
    RestoreRefusedError,
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
    DigestChange,
    Phase,
    PhaseLadder,
    StatusEntry,
    Subscriber,
    Trend,
    UndoResult,
)
from storage.phases import phase_ladder
from storage.recent import Changes, changes_since
from storage.restore import RestoreResult, history_count, restore_history, restore_ladder
from storage.search import Fragment, SearchHit, SearchResults, search_entries, search_terms
from storage.seed import seed_if_empty
from storage.status_writes import add_note, confirm_channel, current_phase
from storage.subscribers import (
    active_subscribers,
    count_subscribers,
    deactivate,
    due_subscribers,
    get_subscriber,
    is_subscribed,
    postpone,
    record_delivery,
    set_quiet,
    set_schedule,
    subscribe,
    unsubscribe,
)
from storage.undo import UNDO_WINDOW, undo_last_change

__all__ = [
    "COUNTED",
    "EXPORT_COLUMNS",
    "UNDO_WINDOW",
    "Actor",
    "AdminGrant",
    "AlertSetting",
    "AuditEntry",
    "Changes",
    "Channel",
    "ChannelExistsError",
    "ChannelNotFoundError",
    "ChannelStatus",
    "DigestChange",
    "ExportRow",
    "Fragment",
    "NotSubscribedError",
    "Phase",
    "PhaseLadder",
    "RestoreRefusedError",
    "RestoreResult",
    "SearchHit",
    "SearchResults",
    "StatusEntry",
    "StorageError",
    "Subscriber",
    "Trend",
    "UndoRefusedError",
    "UndoResult",
    "UnknownPhaseError",
    "active_subscribers",
    "add_note",
    "alert_batch",
    "alerted_entries",
    "alerts_off",
    "alerts_pending",
    "change_id_before",
    "changes_between",
    "changes_since",
    "channel_status",
    "command_index",
    "command_index_entry",
    "confirm_channel",
    "count_subscribers",
    "create_channel",
    "current_phase",
    "current_statuses",
    "data_version",
    "deactivate",
    "due_subscribers",
    "export_rows",
    "find_channel",
    "get_alerts",
    "get_subscriber",
    "grant_admin",
    "history",
    "history_count",
    "history_since",
    "is_channel_command",
    "is_granted_admin",
    "is_subscribed",
    "latest_change_id",
    "latest_entry_id",
    "list_admins",
    "list_channels",
    "open_database",
    "phase_ladder",
    "postpone",
    "recent_audit",
    "record_alert",
    "record_delivery",
    "record_status",
    "rename_channel",
    "restore_history",
    "restore_ladder",
    "revoke_admin",
    "search_entries",
    "search_terms",
    "seed_if_empty",
    "set_alerts",
    "set_archived",
    "set_quiet",
    "set_schedule",
    "status_at",
    "subscribe",
    "taken_commands",
    "undo_last_change",
    "unsubscribe",
]
