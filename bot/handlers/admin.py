"""The admin handlers, in the order /help lists them; bot.app splices them in before catch-alls."""

from telegram.ext import BaseHandler, CommandHandler

from bot.handlers import admin_updates, admins, channel_admin


def handlers() -> list[BaseHandler]:
    """Every admin handler; each callback is wrapped in `admin_only`."""
    return [
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
    ]
