"""/publish: post every phase change to a Telegram channel the desk runs, as it is made.

The bot must be an administrator of that channel with the right to post and to edit (it
edits its posts when a change is undone); Telegram is asked before anything is linked, and
the admin is told exactly which right is missing. `/publish off` unlinks.
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

import storage
from bot.auth import actor_of, admin_only
from bot.chats import texts_for
from bot.context import BotContext
from bot.replies import reply
from language.i18n import LANGUAGES, Texts
from render.formatting import text

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,15})$")


@admin_only
async def publish(update: Update, context: BotContext) -> None:
    """Post phase changes to a Telegram channel: /publish @channel [digest] [uk|en], /publish off"""
    _ = texts_for(update, context)
    args = [arg.strip() for arg in context.args or [] if arg.strip()]
    if not args:
        await reply(update, _current(context, _))
        return
    if [arg.lower() for arg in args] == ["off"]:
        old = storage.unlink_target(context.db, actor=actor_of(update))
        if old is None:
            await reply(update, _("Nothing was being published."))
        else:
            if old.with_digest:
                storage.deactivate(context.db, old.chat_id, "unpublished")
            await reply(update, _("Stopped publishing to {title}.", title=text(old.title)))
        return
    target, options = args[0], {arg.lower() for arg in args[1:]}
    unknown = options - {"digest", *LANGUAGES}
    if not _CHANNEL.match(target) or unknown or len(options & set(LANGUAGES)) > 1:
        await reply(update, _usage(_))
        return
    await _link(update, context, target, options, _)


async def _link(
    update: Update, context: BotContext, target: str, options: set[str], _: Texts
) -> None:
    chat_ref: int | str = int(target) if target.startswith("-") else target
    try:
        chat = await context.bot.get_chat(chat_ref)
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError as error:
        log.info("cannot publish to %s: %s", target, error)
        cannot_see = _(
            "I cannot see {channel}. Add me to the channel as an administrator first, then "
            "send the command again.",
            channel=text(target),
        )
        await reply(update, cannot_see)
        return
    if chat.type != ChatType.CHANNEL:
        not_channel = _(
            "{channel} is not a channel. /publish posts to Telegram channels; groups can "
            "/subscribe to the digest.",
            channel=text(target),
        )
        await reply(update, not_channel)
        return
    missing = _missing_rights(member, _)
    if missing:
        needs = _(
            "I need to be an administrator of {channel} allowed to {rights}.",
            channel=text(target),
            rights=", ".join(missing),
        )
        await reply(update, needs)
        return
    language = next(iter(options & set(LANGUAGES)), context.settings.default_language)
    title = (chat.title or target)[:200]
    linked = storage.link_target(
        context.db, chat_id=chat.id, title=title, language=language,
        with_digest="digest" in options, actor=actor_of(update),
    )  # fmt: skip
    if linked.with_digest:
        storage.subscribe(
            context.db, chat.id, chat_type=ChatType.CHANNEL, channel_ids=None,
            digest_time=context.settings.digest_time, timezone=context.settings.timezone,
        )  # fmt: skip
        storage.remember_language(context.db, chat.id, language)
    await reply(update, _current(context, _))


def _missing_rights(member: object, _: Texts) -> list[str]:
    if getattr(member, "status", None) not in {ChatMemberStatus.ADMINISTRATOR}:
        return [_("post messages"), _("edit messages")]
    missing = []
    if not getattr(member, "can_post_messages", False):
        missing.append(_("post messages"))
    if not getattr(member, "can_edit_messages", False):
        missing.append(_("edit messages"))
    return missing


def _current(context: BotContext, _: Texts) -> str:
    target = storage.publish_target(context.db)
    if target is None:
        return _("Phase changes are not published to any channel.") + "\n" + _usage(_)
    if target.with_digest:
        return _(
            "Every phase change and the daily digest are posted to {title}, in {language}. "
            "When a change is undone, its post is corrected. /publish off stops it.",
            title=text(target.title), language=target.language,
        )  # fmt: skip
    return _(
        "Every phase change is posted to {title}, in {language}. When a change is undone, its "
        "post is corrected. /publish off stops it.",
        title=text(target.title), language=target.language,
    )  # fmt: skip


def _usage(_: Texts) -> str:
    return _(
        "Send <code>/publish @yourchannel</code> to post every phase change there (add "
        "<code>digest</code> for the daily digest too, <code>uk</code> or <code>en</code> for "
        "the language), or <code>/publish off</code>. I must be an administrator of the "
        "channel, allowed to post and edit messages."
    )
