"""/admins, /grant, /revoke and /audit: who may change the briefing, and what they changed."""

import logging

from telegram import Update

import storage
from bot.auth import actor_of, admin_only
from bot.chats import replied_message
from bot.context import BotContext
from bot.replies import reply
from render.admin import admins_view, audit_view
from render.formatting import text
from storage.values import actor_name

log = logging.getLogger(__name__)

AUDIT_DEFAULT = 10
AUDIT_MAX = 50
GRANT_USAGE = (
    "Type <code>/grant &lt;user id&gt; [name]</code>, e.g. <code>/grant 123456789 Olena</code>, "
    "or reply /grant to a message of the person. They can find their id with @userinfobot."
)


def _number(word: str) -> int | None:
    """A whole number typed in ASCII digits (int() refuses some Unicode digits, e.g. "²")."""
    return int(word) if word.isascii() and word.isdigit() else None


def _user_id(word: str) -> int | None:
    number = _number(word)
    return number if number is not None and 0 < number < 2**53 else None


@admin_only
async def admins(update: Update, context: BotContext) -> None:
    """List the admins."""
    granted = storage.list_admins(context.db)
    await reply(update, admins_view(context.settings.admin_ids, granted))


@admin_only
async def grant(update: Update, context: BotContext) -> None:
    """Make someone an admin: /grant <user id> [name]."""
    args, replied = context.args or [], replied_message(update.effective_message)
    target = replied.from_user if replied is not None else None
    if target is not None and not args and not target.is_bot:
        user_id, name = target.id, target.full_name
    else:
        user_id = _user_id(args[0]) if args else None
        name = " ".join(args[1:]).strip() or f"user {user_id}"
    if user_id is None:
        await reply(update, GRANT_USAGE)
        return
    try:
        actor_name(name, "name")
    except ValueError as problem:
        await reply(update, f"Nothing was changed: {text(str(problem))}\n{GRANT_USAGE}")
        return
    fixed = user_id in context.settings.admin_ids
    actor = actor_of(update)
    if fixed or not storage.grant_admin(context.db, user_id=user_id, name=name, actor=actor):
        await reply(update, f"{user_id} is already an admin. /admins lists them all.")
        return
    log.info("user %s granted admin rights to %s", actor.id, user_id)
    done = f"✅ {user_id} ({text(name)}) is now an admin. <code>/revoke {user_id}</code> undoes it."
    await reply(update, done)


@admin_only
async def revoke(update: Update, context: BotContext) -> None:
    """Remove an admin granted by command: /revoke <user id>."""
    args = context.args or []
    user_id = _user_id(args[0]) if len(args) == 1 else None
    if user_id is None:
        await reply(update, "Type <code>/revoke &lt;user id&gt;</code>; /admins lists the ids.")
        return
    if user_id in context.settings.admin_ids:
        await reply(
            update,
            f"{user_id} is in ADMIN_IDS, so it stays an admin. Remove it from ADMIN_IDS in the "
            "bot's settings and restart the bot to take the rights away.",
        )
        return
    actor = actor_of(update)
    if not storage.revoke_admin(context.db, user_id=user_id, actor=actor):
        await reply(update, f"{user_id} is not an admin, so nothing changed. See /admins.")
        return
    log.info("user %s revoked admin rights of %s", actor.id, user_id)
    await reply(update, f"🚫 {user_id} is no longer an admin.")


@admin_only
async def audit(update: Update, context: BotContext) -> None:
    """The latest changes, who made them and when: /audit [N]."""
    args = context.args or []
    asked = _number(args[0]) if len(args) == 1 else None
    if args and (asked is None or asked < 1):
        await reply(
            update,
            f"Type <code>/audit</code> for the last {AUDIT_DEFAULT} changes, or a number "
            f"from 1 to {AUDIT_MAX}, e.g. <code>/audit 25</code>.",
        )
        return
    limit = min(asked or AUDIT_DEFAULT, AUDIT_MAX)
    capped = f"Showing the last {AUDIT_MAX} changes, the most /audit lists.\n\n"
    view = audit_view(storage.recent_audit(context.db, limit))
    await reply(update, capped + view if asked is not None and asked > AUDIT_MAX else view)
