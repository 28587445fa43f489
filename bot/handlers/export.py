"""/export: the full history as CSV and JSON files, for admins' own archives and analysis."""

import logging
from datetime import UTC, datetime

from telegram import Update

import storage
from bot.auth import admin_only
from bot.chats import texts_for
from bot.context import BotContext
from bot.replies import reply_document
from render.export_files import FORMATS, serialize

log = logging.getLogger(__name__)


@admin_only
async def export_history(update: Update, context: BotContext) -> None:
    """The full history as CSV and JSON files."""
    _ = texts_for(update, context)
    user = update.effective_user
    rows = storage.export_rows(context.db)
    stamp = datetime.now(UTC).astimezone(context.settings.zone).date().isoformat()
    count = _.plural("{count} entry, oldest first", "{count} entries, oldest first", len(rows))
    for export_format in FORMATS:
        caption = _("Full history as {format}: {count}.", format=export_format.upper(), count=count)
        content = serialize(rows, export_format).encode("utf-8")
        await reply_document(
            update, content, f"backchannel-history-{stamp}.{export_format}", caption
        )
    log.info("sent an export of %d entries to admin %s", len(rows), user.id if user else None)
