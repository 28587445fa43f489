"""/inbox and its buttons, and forwarded posts: what sources brought, one tap from a note.

Nothing here publishes by itself: every card waits for an admin's button. 📝 Add as note
writes through storage's add_note (audited, /undo reverts it and the item comes back),
✏️ Update phase opens the guided /set with the item's source filled in, 🗑 Dismiss and
🔇 Mute are audited too. Button data is `ibx:<action>:<item id>[:<channel id>]`, well
under 64 bytes, parsed strictly: anything else is answered as outdated, never trusted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

import storage
from bot.auth import actor_of, admin_only, is_admin
from bot.context import BotContext
from bot.handlers import guided_set, questions
from bot.handlers.status_changes import command_rest
from bot.replies import reply
from bot.telegram_bot import bot_of
from render.admin import note_echo
from render.formatting import bold, text
from render.sources import decided_card, inbox_header, item_card
from render.splitting import split_html
from sources.intake import Post, ingest

log = logging.getLogger(__name__)

PREFIX = "ibx"
PER_CHANNEL = 3
CARDS = 8
ONE_CHANNEL_CARDS = 10
FORGED = "This button doesn't work anymore. Send /inbox for a fresh list."
_DATA = re.compile(
    r"^ibx:(?:(?P<with>[nuk]):(?P<item>\d{1,12}):(?P<channel>\d{1,12})"
    r"|(?P<plain>[dmor]):(?P<item2>\d{1,12}))$"
)
INBOX_USAGE = (
    "<code>/inbox</code> everything pending · <code>/inbox ceasefire</code> one channel · "
    "<code>/inbox unmatched</code> · <code>/inbox notify on|off</code> batched notices"
)


@dataclass(frozen=True)
class Press:
    """A decoded inbox button: action letter, item id, and channel id for n/u/k (0: own)."""

    action: str
    item_id: int
    channel_id: int | None


def encode(action: str, item_id: int, channel_id: int | None = None) -> str:
    """Button data for an inbox action; checked against the decoder and the 64-byte limit."""
    data = f"{PREFIX}:{action}:{item_id}" + (f":{channel_id}" if channel_id is not None else "")
    if decode(data) != Press(action, item_id, channel_id) or len(data.encode()) > 64:
        raise ValueError(f"cannot make inbox button {data!r}")
    return data


def decode(data: str | None) -> Press | None:
    """The press of well-formed data, or None (forged, or from an older version)."""
    match = _DATA.fullmatch(data or "") if data and len(data) <= 64 else None
    if match is None:
        return None
    if match["with"]:
        return Press(match["with"], int(match["item"]), int(match["channel"]))
    return Press(match["plain"], int(match["item2"]), None)


def _channels(context: BotContext) -> dict[int, storage.Channel]:
    return {channel.id: channel for channel in storage.list_channels(context.db)}


def card_keyboard(item: storage.InboxItem, channel: storage.Channel | None) -> InlineKeyboardMarkup:
    """The card's buttons: note and phase update for its channel, dismiss, mute, other channel."""
    rows = []
    if channel is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    "📝 Add as note", callback_data=encode("n", item.id, channel.id)
                ),
                InlineKeyboardButton(
                    "✏️ Update phase", callback_data=encode("u", item.id, channel.id)
                ),
            ]
        )
    rows.append(
        [
            InlineKeyboardButton("🗑 Dismiss", callback_data=encode("d", item.id)),
            InlineKeyboardButton("🔇 Mute this source", callback_data=encode("m", item.id)),
        ]
    )
    label = "🔀 Other channel" if channel is not None else "📌 Pick a channel"
    rows.append([InlineKeyboardButton(label, callback_data=encode("o", item.id))])
    return InlineKeyboardMarkup(rows)


def _picker(item: storage.InboxItem, channels: dict[int, storage.Channel]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(channel.title[:40], callback_data=encode("k", item.id, channel.id))
        for channel in channels.values()
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton("⬅️ Back", callback_data=encode("k", item.id, 0))])
    return InlineKeyboardMarkup(rows)


def card(
    context: BotContext, item: storage.InboxItem, channel_id: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """An item's card and buttons, shown for `channel_id` (default: its matched channel)."""
    channels = _channels(context)
    chosen = channel_id if channel_id else item.channel_id
    channel = channels.get(chosen) if chosen is not None else None
    return item_card(item, channel, context.settings.zone), card_keyboard(item, channel)


@admin_only
async def inbox(update: Update, context: BotContext) -> None:
    """Review what sources brought: /inbox [channel|unmatched], /inbox notify on|off."""
    db = context.db
    words = command_rest(update).lower().split()
    if words[:1] == ["notify"]:
        await _notify(update, context, words[1:])
        return
    channels = _channels(context)
    only: str | None = None
    wanted: object = storage.ANY_CHANNEL
    per_channel, limit = PER_CHANNEL, CARDS
    if words:
        if words[0] == "unmatched":
            only, wanted = "unmatched items", None
        else:
            try:
                found = storage.find_channel(db, words[0])
            except storage.ChannelNotFoundError:
                slugs = ", ".join(c.slug for c in channels.values())
                await reply(
                    update, f"There is no channel “{text(words[0][:40])}”. Channels: {slugs}.\n"
                    f"{INBOX_USAGE}"
                )  # fmt: skip
                return
            only, wanted = found.title, found.id
        per_channel = limit = ONE_CHANNEL_CARDS
    counts = storage.inbox_counts(db)
    if wanted is not storage.ANY_CHANNEL:
        counts = {wanted: counts[wanted]} if counts.get(wanted) else {}  # type: ignore[index]
    items = storage.inbox_items(db, channel_id=wanted, per_channel=per_channel, limit=limit)
    await reply(update, inbox_header(counts, channels, len(items), only))
    for item in items:
        html, keyboard = card(context, item)
        await reply(update, html, keyboard)


async def _notify(update: Update, context: BotContext, words: list[str]) -> None:
    user = update.effective_user
    if user is None or words not in (["on"], ["off"]):
        state = "on" if user and storage.is_watching(context.db, user.id) else "off"
        await reply(
            update,
            f"Inbox notices are {state} for you. <code>/inbox notify on</code> sends you "
            f"“N new items for …” at most every {context.settings.sources_notify_minutes} "
            "minutes, and a weekly nudge about stale channels; <code>off</code> stops them.",
        )
        return
    enabled = words == ["on"]
    latest = storage.latest_item_id(context.db)
    storage.watch_inbox(context.db, user.id, enabled=enabled, from_item=latest)
    if enabled:
        await reply(
            update,
            "🔔 Inbox notices on: I'll tell you when new items arrive (at most every "
            f"{context.settings.sources_notify_minutes} minutes) and nudge you weekly about "
            "stale channels. This works in our private chat only if you have started me there.",
        )
    else:
        await reply(update, "🔕 Inbox notices off.")


async def _edit(message: Message, html: str, keyboard: InlineKeyboardMarkup | None) -> None:
    try:
        await bot_of(message).edit_html(
            message.chat_id, message.message_id, split_html(html)[0], markup=keyboard
        )
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


@admin_only
async def button(update: Update, context: BotContext) -> None:
    """An inbox card's button: note, dismiss, mute, restore, or another channel."""
    query = update.callback_query
    if query is None:
        return
    press = decode(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if press is None or message is None or press.action == "u":
        log.info("forged or outdated inbox button")
        await query.answer(FORGED)
        return
    db = context.db
    item = storage.inbox_item(db, press.item_id)
    channels = _channels(context)
    if item is None or (press.channel_id and press.channel_id not in channels):
        await query.answer("That item or channel is gone. Send /inbox for a fresh list.")
        return
    notice = await _act(update, context, press, item, channels, message)
    await query.answer(notice)


async def _act(
    update: Update,
    context: BotContext,
    press: Press,
    item: storage.InboxItem,
    channels: dict[int, storage.Channel],
    message: Message,
) -> str | None:
    db, actor = context.db, actor_of(update)
    if press.action == "r":
        try:
            restored = storage.restore_item(db, item.id, actor=actor)
        except storage.ItemDecidedError:
            return "That item is not dismissed."
        await _edit(message, *card(context, restored))
        return "Back in the inbox."
    if not item.pending:
        await _edit(message, decided_card(item, "Already handled."), None)
        return "Someone already handled this item."
    if press.action == "k":
        await _edit(message, *card(context, item, press.channel_id))
        return None
    if press.action == "o":
        await _edit(message, item_card(item, None, context.settings.zone), _picker(item, channels))
        return "Pick the channel this item is about."
    if press.action == "n":
        return await _add_note(context, item, channels[press.channel_id or 0], message, actor)
    if press.action == "d":
        storage.dismiss_item(db, item.id, actor=actor)
        restore = InlineKeyboardMarkup(
            [[InlineKeyboardButton("↩️ Restore", callback_data=encode("r", item.id))]]
        )
        await _edit(message, decided_card(item, "🗑 Dismissed."), restore)
        return "Dismissed."
    source = storage.set_source_paused(db, item.source_id, paused=True, actor=actor, reason="muted")
    await _edit(
        message,
        decided_card(
            item,
            f"🔇 Muted {text(source.label[:80])}: no more polls, its items are hidden. "
            f"<code>/source resume {source.id}</code> undoes this.",
        ),
        None,
    )
    return "Source muted."


async def _add_note(
    context: BotContext,
    item: storage.InboxItem,
    channel: storage.Channel,
    message: Message,
    actor: storage.Actor,
) -> str:
    db = context.db
    when = item.published_at if item.date_flag is None else None
    try:
        entry = storage.note_from_item(
            db, item.id, channel_id=channel.id, actor=actor, summary=item.title, changed_at=when
        )
    except storage.ItemDecidedError:
        await _edit(message, decided_card(item, "Already handled."), None)
        return "Someone already handled this item."
    log.info("inbox item %s noted on %s by user %s", item.id, channel.slug, actor.id)
    await _edit(message, note_echo(storage.channel_status(db, channel), entry), None)
    return "Added as a note."


@admin_only
async def update_phase(update: Update, context: BotContext) -> int | None:
    """✏️ Update phase: the guided /set for the item's channel, its source filled in."""
    query = update.callback_query
    press = decode(query.data if query else None)
    item = storage.inbox_item(context.db, press.item_id) if press else None
    channel = _channels(context).get(press.channel_id or 0) if press else None
    if query is None or press is None or press.action != "u" or item is None or channel is None:
        if query is not None:
            await query.answer(FORGED)
        return None
    if not item.pending:
        await query.answer("Someone already handled this item.")
        return None
    context.user_data[guided_set.SOURCE_PREFILL] = {
        "source_url": item.link,
        "source_label": item.source_label[:200],
        "source_grade": item.source_grade,
    }
    return await guided_set.offer_phases(update, context, channel)


def _origin(message: Message) -> tuple[str, str, str | None, str, storage.SourceGrade] | None:
    """(source address, source title, post link, GUID, default grade) of a forward."""
    origin = message.forward_origin
    if origin is None:
        return None
    kind = origin.type
    if kind == "channel":
        chat, post_id = origin.chat, origin.message_id  # type: ignore[attr-defined]
        if chat.username:
            base = f"https://t.me/{chat.username}"
            return (
                base,
                f"@{chat.username}",
                f"{base}/{post_id}",
                f"tg:{chat.id}:{post_id}",
                "media",
            )
        internal = str(chat.id).removeprefix("-100")
        link = f"https://t.me/c/{internal}/{post_id}"
        return (
            f"tg://channel/{chat.id}",
            chat.title or "private channel",
            link,
            f"tg:{chat.id}:{post_id}",
            "media",
        )
    if kind == "chat":
        chat = origin.sender_chat  # type: ignore[attr-defined]
        return (
            f"tg://chat/{chat.id}",
            chat.title or "a group",
            None,
            f"tg:{chat.id}:{origin.date.timestamp():.0f}",
            "unconfirmed",
        )
    if kind == "user":
        user = origin.sender_user  # type: ignore[attr-defined]
        return (
            f"tg://user/{user.id}",
            user.full_name,
            None,
            f"tg:u{user.id}:{origin.date.timestamp():.0f}",
            "unconfirmed",
        )
    name = getattr(origin, "sender_user_name", "") or "hidden user"
    return (
        f"tg://hidden/{name[:60]}",
        name,
        None,
        f"tg:h{name[:60]}:{origin.date.timestamp():.0f}",
        "unconfirmed",
    )


async def forwarded(update: Update, context: BotContext) -> None:
    """A post forwarded in a private chat: an admin's goes to the inbox, never run as a command."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    if not is_admin(context, user.id if user else None):
        # Readers forwarding something get what any plain message gets: a question answer.
        if message.text:
            await questions.question(update, context)
        return
    body = message.text or message.caption or ""
    origin = _origin(message)
    if origin is None or not body.strip():
        await reply(update, "That post has no text I can file; forward one with text, or /note.")
        return
    address, title, post_link, guid, grade = origin
    db, now = context.db, datetime.now(UTC)
    source = storage.source_by_url(db, address)
    if source is None:
        source = storage.add_source(
            db, url=address, kind="telegram", grade=grade, title=title[:100], actor=actor_of(update)
        )
    if source.paused_reason == "muted":
        await reply(update, f"{text(source.label)} is muted; /source resume {source.id} first.")
        return
    posted = message.forward_origin.date if message.forward_origin else now
    item_id = ingest(db, source, Post(guid, post_link, body, posted), now)
    if item_id is None:
        await reply(update, "That post is already in the inbox (or was handled before).")
        return
    item = storage.inbox_item(db, item_id)
    assert item is not None
    log.info("forwarded post filed as inbox item %s by user %s", item_id, user.id if user else "?")
    html, keyboard = card(context, item)
    await reply(update, f"{bold('Filed in the inbox:')}\n{html}", keyboard)
