"""Guided /set: pick the channel and phase with buttons, then type the summary.

Button data is `set:c:<channel id>`, `set:p:<channel id>:<phase>` or `set:x` (cancel): short
enough for Telegram's 64-byte limit, and re-validated on every press because old keyboards
stay clickable in the chat long after the form they belonged to.
"""

import logging
import re

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

import storage
from bot.auth import admin_only
from bot.chats import in_channel, texts_for
from bot.context import BotContext
from bot.editing.validation import split_tail
from bot.handlers import guided_drafts
from bot.handlers.channels import admin_elsewhere
from bot.handlers.status_changes import saved_and_echoed, validated
from bot.handlers.translations import save_translation, translation_problem
from bot.replies import reply
from language.i18n import N_, Texts
from render.formatting import bold, channel_title, grade_name, phase_badge, phase_label, text
from render.translations import translation_prompt

log = logging.getLogger(__name__)

CHANNEL, PHASE, SUMMARY, TRANSLATION = range(4)
TIMEOUT_SECONDS = 300
_CHANNEL_DATA = re.compile(r"^set:c:(\d{1,12})$")
_PHASE_DATA = re.compile(r"^set:p:(\d{1,12}):([a-z0-9_]{1,40})$")
CANCEL_LABEL = N_("✖️ Cancel")
SUMMARY_USAGE = N_("Send the summary again (1 to 500 characters), or /cancel.")
# The inbox's Update phase button leaves the item's source here (source_url, source_label,
# source_grade); the form uses it unless the admin types a source URL of their own.
SOURCE_PREFILL = "guided_set_source"


def _rows(buttons: list[InlineKeyboardButton], _: Texts) -> InlineKeyboardMarkup:
    pairs = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    cancel = InlineKeyboardButton(_(CANCEL_LABEL), callback_data="set:x")
    return InlineKeyboardMarkup([*pairs, [cancel]])


def _message_id(query: CallbackQuery) -> int | None:
    """The form's message: the one whose buttons were pressed (None for inline messages)."""
    return query.message.message_id if query.message is not None else None


def _active(context: BotContext, channel_id: int) -> storage.Channel | None:
    return next((c for c in storage.list_channels(context.db) if c.id == channel_id), None)


@admin_only
async def start(update: Update, context: BotContext) -> int:
    """Guided /set: buttons for the channel and the phase, then the summary."""
    _ = texts_for(update, context)
    guided_drafts.discard(update, context)
    context.user_data.pop(SOURCE_PREFILL, None)
    buttons = [
        InlineKeyboardButton(channel_title(c, _), callback_data=f"set:c:{c.id}")
        for c in storage.list_channels(context.db)
    ]
    sent = await reply(update, _("Which channel changed?"), _rows(buttons, _))
    guided_drafts.keep(update, context, form=sent[-1] if sent else None)
    return CHANNEL


@admin_only
async def pick_channel(update: Update, context: BotContext) -> int | None:
    """The channel button: show the phases, marking the current one."""
    _ = texts_for(update, context)
    query = update.callback_query
    if query is not None and in_channel(update):
        # Posts in a channel name no person, so the form could never get its summary there.
        await query.answer(admin_elsewhere(context, _), show_alert=True)
        return ConversationHandler.END
    match = _CHANNEL_DATA.match(query.data or "") if query else None
    channel = _active(context, int(match.group(1))) if match else None
    if query is None or channel is None:
        if query is not None:
            await query.answer(_("That channel is no longer available; pick another one."))
        return None
    context.user_data.pop(SOURCE_PREFILL, None)
    return await offer_phases(update, context, channel)


async def offer_phases(update: Update, context: BotContext, channel: storage.Channel) -> int:
    """Answer the button and show the phase buttons of `channel` (the form's second step).

    Also the way in from the inbox's Update phase button, which first puts the item's
    source in `user_data[SOURCE_PREFILL]`.
    """
    _ = texts_for(update, context)
    query = update.callback_query
    assert query is not None
    await query.answer()
    # Also the start of a form (the Update button): a fresh draft tied to this message, with
    # the inbox item's source when the form was opened from the inbox.
    prefill = context.user_data.pop(SOURCE_PREFILL, None) or {}
    guided_drafts.discard(update, context)
    guided_drafts.keep(update, context, form=_message_id(query), prefill=prefill)
    current = storage.channel_status(context.db, channel).phase
    now = " " + _("(now)")
    buttons = [
        InlineKeyboardButton(
            f"{p.emoji} {phase_label(p, _)}" + (now if p == current else ""),
            callback_data=f"set:p:{channel.id}:{p.slug}",
        )
        for p in storage.phase_ladder(context.db).phases
    ]
    await query.edit_message_text(
        _(
            "{title} is {phase}. Which phase is it now?",
            title=bold(channel_title(channel, _)),
            phase=phase_badge(current, _),
        ),
        reply_markup=_rows(buttons, _),
    )
    return PHASE


@admin_only
async def pick_phase(update: Update, context: BotContext) -> int | None:
    """The phase button: remember the choice and ask for the summary."""
    _ = texts_for(update, context)
    query = update.callback_query
    match = _PHASE_DATA.match(query.data or "") if query else None
    channel = _active(context, int(match.group(1))) if match else None
    phase = storage.phase_ladder(context.db).get(match.group(2)) if match else None
    if query is None or channel is None or phase is None:
        if query is not None:
            await query.answer(_("That choice is no longer valid; send /set to start again."))
        return None
    await query.answer()
    guided_drafts.keep(
        update, context, channel=channel.slug, phase=phase.slug, form=_message_id(query)
    )
    draft = guided_drafts.draft_of(update, context) or {}
    prefill = draft.get("prefill") or {}
    ask = _(
        "Now send the summary (1 to 500 characters), optionally followed by a source URL "
        "and a grade (official, mediator, media, unconfirmed). In a group, reply to this "
        "message. /cancel stops."
    )
    if prefill.get("source_url"):
        ask += "\n" + _(
            "Source from the inbox: {source} ({grade}), unless you type another URL.",
            source=text(prefill["source_label"] or prefill["source_url"]),
            grade=text(grade_name(prefill["source_grade"], _)),
        )
    await query.edit_message_text(
        f"{bold(channel_title(channel, _))} → {phase_badge(phase, _)}.\n{ask}"
    )
    return SUMMARY


@admin_only
async def write_summary(update: Update, context: BotContext) -> int | None:
    """The typed summary: validate, save and echo, or ask again."""
    draft = guided_drafts.draft_of(update, context)
    message = update.effective_message
    if draft is None or "phase" not in draft or message is None or message.text is None:
        _ = texts_for(update, context)
        closed = _("That guided /set was closed, so nothing was saved. Send /set to start again.")
        await reply(update, closed)
        return ConversationHandler.END
    typed = split_tail(message.text)
    # The inbox item's source, unless the admin typed their own.
    prefill = {} if typed["source_url"] else dict(draft.get("prefill") or {})
    given = {key: value for key, value in typed.items() if value is not None}
    choices = {**prefill, "channel": draft["channel"], "phase": draft["phase"]}
    valid = await validated(update, context, {**choices, **given}, SUMMARY_USAGE)
    if valid is None:
        return None
    _ = texts_for(update, context)
    entry, sent = await saved_and_echoed(update, context, valid, lambda e: translation_prompt(_, e))
    # The form's last step: in a group, a reply to the echo (which asks for it) continues it.
    form = draft.get("form")
    guided_drafts.discard(update, context)
    guided_drafts.keep(update, context, form=form, prompt=sent, saved=entry.id)
    return TRANSLATION


@admin_only
async def write_translation(update: Update, context: BotContext) -> int | None:
    """The summary in the other language (the last, optional step): save it, or ask again."""
    _ = texts_for(update, context)
    draft, message = guided_drafts.draft_of(update, context), update.effective_message
    entry = _saved_entry(context, draft.get("saved") if draft else None)
    if entry is None or message is None or message.text is None:
        guided_drafts.discard(update, context)
        await reply(update, _("That entry changed in the meantime, so nothing was added."))
        return ConversationHandler.END
    problem = translation_problem(_, entry, message.text)
    if problem is not None:
        await reply(update, _("{problem} Send it again, or /skip.", problem=text(problem)))
        return None
    channel = next(c for c in storage.list_channels(context.db) if c.id == entry.channel_id)
    await save_translation(update, context, channel, entry, message.text)
    guided_drafts.discard(update, context)
    return ConversationHandler.END


def _saved_entry(context: BotContext, entry_id: int | None) -> storage.StatusEntry | None:
    """The entry the form saved, if it is still its channel's latest (not undone or followed)."""
    if entry_id is None:
        return None
    for channel in storage.list_channels(context.db):
        latest = storage.history(context.db, channel.id, 1)
        if latest and latest[0].id == entry_id:
            return latest[0]
    return None


async def skip(update: Update, context: BotContext) -> int:
    """/skip: finish the guided /set without the other language's text."""
    _ = texts_for(update, context)
    guided_drafts.discard(update, context)
    await reply(update, _("Done: saved without a translation. /translate adds one later."))
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """Stop the guided /set without changing anything."""
    draft = guided_drafts.draft_of(update, context)
    guided_drafts.discard(update, context)
    context.user_data.pop(SOURCE_PREFILL, None)
    _ = texts_for(update, context)
    words = _("Cancelled; nothing was changed.")
    if draft is not None and draft.get("saved") is not None:
        words = _("Done: the status is saved, without a translation.")
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(words)
    else:
        await reply(update, words)
    return ConversationHandler.END


async def use_buttons(update: Update, context: BotContext) -> None:
    """Text typed while the form waits for a button press."""
    _ = texts_for(update, context)
    await reply(update, _("Please pick one of the buttons above, or send /cancel."))


async def timed_out(update: Update, context: BotContext) -> None:
    """The admin walked away: say so, so a late summary is not mistaken for saved."""
    draft = guided_drafts.draft_of(update, context)
    guided_drafts.discard(update, context)
    context.user_data.pop(SOURCE_PREFILL, None)
    if draft is None:
        # A one-line /set (or a new form) already closed this form's draft: the admin has
        # moved on, and "nothing was changed" would contradict the status they just saved.
        return
    _ = texts_for(update, context)
    minutes = TIMEOUT_SECONDS // 60
    if draft is not None and draft.get("saved") is not None:
        await reply(
            update,
            _("⌛ The guided /set timed out after {minutes} minutes; the status is saved "
              "without a translation (/translate adds one).", minutes=minutes),
        )  # fmt: skip
        return
    timed_out_words = _(
        "⌛ The guided /set timed out after {minutes} minutes; nothing was changed.",
        minutes=minutes,
    )
    await reply(update, timed_out_words)


@admin_only
async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """Stop a guided /set."""
    _ = texts_for(update, context)
    await reply(update, _("There is nothing to cancel."))


async def expired_button(update: Update, context: BotContext) -> None:
    """A button of a finished, timed-out or someone else's form."""
    # Also where a reader's forged admin button lands: logged like any refused admin action.
    user = update.effective_user
    log.warning("refused guided /set button (no open form) to user %s", user.id if user else "?")
    if update.callback_query is not None:
        _ = texts_for(update, context)
        await update.callback_query.answer(
            _("This form has expired or belongs to someone else. Send /set to start again."),
            show_alert=True,
        )
