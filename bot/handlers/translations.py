"""/translate: an admin adds the other language's text to a channel's latest entry.

Readers of that language then see it instead of the original (marked with its language). The
guided /set asks for the same text as its last step; both check it here.
"""

import logging

from telegram import Update

import storage
from bot.auth import actor_of, admin_only
from bot.chats import texts_for
from bot.context import BotContext
from bot.editing.validation import channel_choices, rules
from bot.handlers.status_changes import command_rest
from bot.replies import reply
from language.i18n import Texts, language_of_text
from render.formatting import text
from render.translations import same_translation, translation_echo, wrong_language
from storage import values

log = logging.getLogger(__name__)


def translate_usage(_: Texts) -> str:
    """How to type /translate."""
    return _(
        "Type <code>/translate &lt;channel&gt; &lt;text&gt;</code> to add the Ukrainian (or "
        "English) text of the channel's latest status or note, e.g.\n"
        "<code>/translate exchanges Обмін 90 полоненими відбувся в Стамбулі</code>"
    )


def translation_problem(_: Texts, entry: storage.StatusEntry, typed: str) -> str | None:
    """Why `typed` cannot be the entry's translation (plain text), or None when it can."""
    try:
        values.summary(typed)
    except ValueError as error:
        return str(error)
    if entry.translation is not None and typed.strip() == entry.translation:
        return same_translation(_)  # saving it again would only add an audit row
    written_in = language_of_text(typed)
    if written_in is not None and written_in == entry.summary_language:
        return wrong_language(_, entry)
    return None


async def save_translation(
    update: Update, context: BotContext, channel: storage.Channel, entry: storage.StatusEntry,
    typed: str,
) -> None:  # fmt: skip
    """Store a checked translation and echo it."""
    _ = texts_for(update, context)
    saved = storage.translate_entry(
        context.db, entry_id=entry.id, text=typed.strip(), actor=actor_of(update)
    )
    log.info("translation of entry %s by user %s", entry.id, actor_of(update).id)
    await reply(update, translation_echo(_, channel, saved, entry.translation))


@admin_only
async def translate(update: Update, context: BotContext) -> None:
    """Add the other language's text to a channel's latest entry."""
    _ = texts_for(update, context)
    name, _space, typed = command_rest(update).partition(" ")
    channels = rules(context.db)
    if not typed.strip():
        choices = text(channel_choices(channels))
        await reply(update, translate_usage(_) + "\n" + _("Channels: {names}", names=choices))
        return
    try:
        channel = storage.find_channel(context.db, name)
    except storage.ChannelNotFoundError:
        await reply(
            update,
            _("There is no channel called {name}.", name=f"“{text(values.excerpt(name))}”")
            + "\n"
            + _("Channels: {names}", names=text(channel_choices(channels))),
        )
        return
    latest = storage.history(context.db, channel.id, 1)
    if not latest:
        await reply(update, _("Nothing has been recorded for this channel yet."))
        return
    problem = translation_problem(_, latest[0], typed)
    if problem is not None:
        await reply(
            update, _("Nothing was changed: {problem}", problem=text(problem)) + "\n"
            + translate_usage(_),
        )  # fmt: skip
        return
    await save_translation(update, context, channel, latest[0], typed)
