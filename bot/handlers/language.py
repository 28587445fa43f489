"""/language: which language the bot speaks in this chat (English or Ukrainian).

Until a chat chooses, the bot follows each person's Telegram app language; a choice made here
is stored per chat and also decides the language of the chat's digests and alerts. In groups
the choice belongs to the group, so only its admins may change it.
"""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

import storage
from bot.chats import language_of, may_manage_chat
from bot.context import BotContext
from bot.replies import reply
from language.i18n import LANGUAGE_NAMES, LANGUAGES, texts

CALLBACK_PREFIX = "lang:"


def language_keyboard() -> InlineKeyboardMarkup:
    """One button per language, each named in its own language."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=CALLBACK_PREFIX + code)
                for code in LANGUAGES
            ]
        ]
    )


async def language(update: Update, context: BotContext) -> None:
    """Choose the bot's language: /language uk or /language en."""
    args = [arg.lower() for arg in context.args or []]
    _ = texts(language_of(update, context))
    if not args:
        await reply(
            update,
            _(
                "The bot speaks {name} here. Tap a language, or send "
                "<code>/language uk</code> or <code>/language en</code>.",
                name=LANGUAGE_NAMES[_.language],
            ),
            language_keyboard(),
        )
        return
    if len(args) != 1 or args[0] not in LANGUAGES:
        await reply(
            update,
            _("I speak English (<code>en</code>) and Ukrainian (<code>uk</code>). Send "
              "<code>/language uk</code> or <code>/language en</code>."),
        )  # fmt: skip
        return
    await reply(update, await _choose(update, context, args[0]))


async def language_button(update: Update, context: BotContext) -> None:
    """A language button: store the choice and answer in the new language."""
    query = update.callback_query
    if query is None:
        return
    code = (query.data or "").removeprefix(CALLBACK_PREFIX)
    if code not in LANGUAGES:
        await query.answer()
        return
    await query.answer(await _choose(update, context, code))


async def _choose(update: Update, context: BotContext, code: str) -> str:
    chat = update.effective_chat
    if chat is None:
        return ""
    if not await may_manage_chat(update, context):
        _ = texts(language_of(update, context))
        return _("Only this group's admins can change the bot's language here.")
    storage.choose_language(context.db, chat.id, code)
    _ = texts(code)  # the confirmation already speaks the new language
    return _("From now on I answer in English in this chat.")
