"""The admin handlers, in the order /help lists them; bot.app splices them in before catch-alls."""

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.handlers import admin_updates, admins, channel_admin, guided_set


def handlers() -> list[BaseHandler]:
    """Every admin handler; each callback is wrapped in `admin_only`."""
    return [
        # The guided /set (bare /set and an open form's replies) is not here: bot.app puts it
        # first, ahead of the one-line /set below and of plain-text questions.
        CommandHandler("set", admin_updates.set_status),
        CommandHandler("note", admin_updates.note),
        CommandHandler("confirm", admin_updates.confirm),
        CommandHandler("undo", admin_updates.undo),
        CommandHandler("addchannel", channel_admin.add_channel),
        CommandHandler("renamechannel", channel_admin.rename_channel),
        CommandHandler("archivechannel", channel_admin.archive_channel),
        CommandHandler("restorechannel", channel_admin.restore_channel),
        CommandHandler("admins", admins.admins),
        CommandHandler("grant", admins.grant),
        CommandHandler("revoke", admins.revoke),
        CommandHandler("audit", admins.audit),
        CommandHandler("cancel", guided_set.nothing_to_cancel),
        CallbackQueryHandler(guided_set.expired_button, pattern=r"^set:"),
    ]
