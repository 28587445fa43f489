"""/export: the full history as CSV and JSON files, for admins' own archives and analysis."""

import logging
from datetime import UTC, datetime

from telegram import Update

import storage
from bot.context import BotContext
from bot.export_files import FORMATS, serialize
from bot.replies import reply, reply_document

log = logging.getLogger(__name__)

REFUSAL = (
    "Sorry, only admins can export the history. Readers can see it with "
    "<code>/history ceasefire</code> or as a chart with <code>/timeline</code>."
)


def is_admin(update: Update, context: BotContext) -> bool:
    """Whether the sender is a configured admin (ADMIN_IDS).

    A stand-in until the shared admin check (bot.auth) is merged, which replaces it.
    """
    user = update.effective_user
    return user is not None and user.id in context.settings.admin_ids


async def export_history(update: Update, context: BotContext) -> None:
    """The full history as CSV and JSON files."""
    user = update.effective_user
    if not is_admin(update, context):
        log.warning("refused /export for non-admin user %s", user.id if user else None)
        await reply(update, REFUSAL)
        return
    rows = storage.export_rows(context.db)
    stamp = datetime.now(UTC).astimezone(context.settings.zone).date().isoformat()
    count = f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}, oldest first"
    for export_format in FORMATS:
        caption = f"Full history as {export_format.upper()}: {count}."
        content = serialize(rows, export_format).encode("utf-8")
        await reply_document(
            update, content, f"backchannel-history-{stamp}.{export_format}", caption
        )
    log.info("sent an export of %d entries to admin %s", len(rows), user.id if user else None)


# /help and the command menu list this under admin commands only.
export_history.admin_only = True  # type: ignore[attr-defined]
