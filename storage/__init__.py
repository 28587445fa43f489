"""Backchannel's storage layer: the only package that knows SQL, table names or the schema.

Everything above it (handlers, digests, CLI) calls the functions re-exported here and gets
pydantic models back, so the schema can change behind one migration without touching callers.
"""

from storage.changes import change_id_before, changes_between, latest_change_id
from storage.channels import (
    channel_status,
    command_index,
    current_statuses,
    find_channel,
    list_channels,
)
from storage.database import open_database
from storage.errors import ChannelNotFoundError, NotSubscribedError, StorageError, UnknownPhaseError
from storage.history import history, record_status
from storage.models import (
    Actor,
    Channel,
    ChannelStatus,
    DigestChange,
    Phase,
    PhaseLadder,
    StatusEntry,
    Subscriber,
    Trend,
)
from storage.phases import phase_ladder
from storage.seed import seed_if_empty
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

__all__ = [
    "Actor",
    "Channel",
    "ChannelNotFoundError",
    "ChannelStatus",
    "DigestChange",
    "NotSubscribedError",
    "Phase",
    "PhaseLadder",
    "StatusEntry",
    "StorageError",
    "Subscriber",
    "Trend",
    "UnknownPhaseError",
    "active_subscribers",
    "change_id_before",
    "changes_between",
    "channel_status",
    "command_index",
    "count_subscribers",
    "current_statuses",
    "deactivate",
    "due_subscribers",
    "find_channel",
    "get_subscriber",
    "history",
    "is_subscribed",
    "latest_change_id",
    "list_channels",
    "open_database",
    "phase_ladder",
    "postpone",
    "record_delivery",
    "record_status",
    "seed_if_empty",
    "set_quiet",
    "set_schedule",
    "subscribe",
    "unsubscribe",
]
