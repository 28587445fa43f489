"""Backchannel's storage layer: the only package that knows SQL, table names or the schema.

Everything above it (handlers, digests, CLI) calls the functions re-exported here and gets
pydantic models back, so the schema can change behind one migration without touching callers.
"""

from storage.changes import Changes, changes_since
from storage.channels import (
    channel_status,
    command_index,
    current_statuses,
    find_channel,
    list_channels,
)
from storage.database import open_database
from storage.errors import ChannelNotFoundError, StorageError, UnknownPhaseError
from storage.history import history, record_status
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
from storage.search import Fragment, SearchHit, SearchResults, search_entries, search_terms
from storage.seed import seed_if_empty

__all__ = [
    "Actor",
    "Changes",
    "Channel",
    "ChannelNotFoundError",
    "ChannelStatus",
    "Fragment",
    "Phase",
    "PhaseLadder",
    "SearchHit",
    "SearchResults",
    "StatusEntry",
    "StorageError",
    "Trend",
    "UnknownPhaseError",
    "changes_since",
    "channel_status",
    "command_index",
    "current_statuses",
    "find_channel",
    "history",
    "list_channels",
    "open_database",
    "phase_ladder",
    "record_status",
    "search_entries",
    "search_terms",
    "seed_if_empty",
]
