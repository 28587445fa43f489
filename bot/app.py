"""Wiring: build the PTB Application from settings and a database, with its handlers in order.

This is the place to start reading: `_handlers` lists every entry point of the bot in the
order python-telegram-bot tries them (the guided /set form's own steps included).
"""

import warnings
from collections.abc import Mapping
from concurrent.futures import Executor
from typing import Any

from sqlite_utils import Database
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest
from telegram.warnings import PTBUserWarning

import storage
from bot import callbacks
from bot.aiohttp_request import AiohttpRequest
from bot.charts.cache import CHARTS_KEY, ChartDrawer
from bot.chats import FORWARDED, FRESH, FRESH_TEXT
from bot.command_menu import command_names, publish_menu
from bot.config import Settings
from bot.context import DB_KEY, SETTINGS_KEY, BotContext
from bot.dispatch import shortcut_for
from bot.handlers import (
    admin_rights,
    alerts,
    channel_admin,
    channels,
    digest_admin,
    digest_settings,
    error_handler,
    export,
    guided_drafts,
    guided_set,
    help,
    inbox,
    inline,
    language,
    navigation,
    publishing,
    questions,
    resent,
    search,
    sources,
    status,
    status_changes,
    subscriptions,
    timeline,
    translations,
)
from bot.jobs import sources as source_jobs
from bot.jobs import status_page
from bot.reply_cache import CACHE_KEY, ReplyCache
from bot.telegram_bot import BackchannelBot
from bot.traffic import flood
from bot.traffic.concurrency import PerChatUpdateProcessor
from bot.traffic.flood import FLOOD_KEY, FloodGuard


class BackchannelApplication(Application):  # type: ignore[type-arg]
    """PTB's Application, handling each update with one data-version check.

    Every memo and the reply cache ask SQLite whether another connection committed
    (`PRAGMA data_version`); a cold channel reply asked six times. Inside an update the
    first answer is reused (`storage.one_version_check` says why that keeps the promise that
    no change committed before the update is missed, and that the bot's own writes are seen
    at once).
    """

    async def process_update(self, update: object) -> None:
        """Handle one update (every handler group) under one data-version check."""
        with storage.one_version_check():
            await super().process_update(update)


def build_application(
    settings: Settings,
    db: Database,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    chart_executor: Executor | None = None,
) -> Application:
    """Assemble the bot; `request` replaces the HTTP layer (console, tests, benchmarks).

    Charts are drawn in `chart_executor` (tests pass threads), by default in a pool of worker
    processes started with the first chart and stopped with the application.
    """
    if token is None and settings.bot_token is not None:
        token = settings.bot_token.get_secret_value()
    if not token:
        raise ValueError("build_application needs a token (BOT_TOKEN, or the console's own)")
    bot = build_bot(settings, token, request)
    builder = (
        Application.builder()
        .application_class(BackchannelApplication)
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .post_init(_post_init)
        .post_shutdown(source_jobs.shutdown)
        .post_stop(_post_stop)
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
    )
    application = builder.build()
    application.bot_data[DB_KEY] = db
    application.bot_data[SETTINGS_KEY] = settings
    application.bot_data[FLOOD_KEY] = FloodGuard(settings.flood_rate, settings.flood_burst)
    application.bot_data[CACHE_KEY] = ReplyCache()
    application.bot_data[CHARTS_KEY] = ChartDrawer(chart_executor)
    _add_handlers(application)
    return application


def build_bot(settings: Settings, token: str, request: BaseRequest | None = None) -> BackchannelBot:
    """The bot object, configured once for the application, the CLI and the benchmarks."""
    return BackchannelBot(
        token,
        base_url=f"{settings.api_root}/bot",
        base_file_url=f"{settings.api_root}/file/bot",
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            tzinfo=settings.zone,
        ),
        # The pool sizes ApplicationBuilder would choose: many replies at once, one long poll.
        # Replies, uploads and digests go through aiohttp (ten times httpx's requests a
        # second, see bot/aiohttp_request.py); the long poll stays on PTB's own httpx layer.
        request=request or AiohttpRequest(connection_pool_size=256),
        get_updates_request=request or HTTPXRequest(),
    )


def _add_handlers(application: Application) -> None:
    # Flood control sees every update first and can stop it before any handler runs.
    application.add_handler(flood.FloodHandler(application.bot, application.bot_data), group=-1)
    application.add_handlers(_handlers(application.bot_data[DB_KEY], application.user_data))
    application.add_error_handler(error_handler.on_error)


# Only a new message runs a command or writes: never an edit, never a forward. The first two
# handlers below answer those; the filters keep it so wherever a handler moves in the list
# (FRESH is `~filters.UpdateType.EDITED & ~FORWARDED`, FRESH_TEXT adds `filters.TEXT &
# ~filters.COMMAND`, each in one step: bot/chats.py).
# Reader commands also run in channel posts (only a channel's admins can post there). Admin
# commands need a person behind them, which a channel post never names.
READER = (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST) & ~FORWARDED
ADMIN = filters.UpdateType.MESSAGE & ~FORWARDED


def builtin_command_names(db: Database) -> frozenset[str]:
    """The commands the bot answers itself, read off the handler list below.

    The one list of reserved names for paths without a running Application (the CLI's
    restore): a channel may never be called like one of these.
    """
    return command_names(_handlers(db, {}))


def _handlers(db: Database, user_data: Mapping[int, Any]) -> list[BaseHandler]:
    """Every handler in one group, in order: PTB runs only the first one that matches.

    The catch-alls at the end therefore see just what no command took. /help lists the
    commands in this order (admin ones only to admins). A shortcut put in front finds the
    built-in commands' handlers by name (bot/dispatch.py); it picks what this order picks.
    """
    channel_command = channels.ChannelCommand(db)
    handlers = [
        # Edits and forwards first: they never reach a command (bot/handlers/resent.py).
        MessageHandler(filters.UpdateType.EDITED, resent.edited),
        # A post an admin forwards in private goes to the inbox, never runs as a command or
        # question; readers' forwards are answered as questions (see inbox.forwarded).
        MessageHandler(filters.ChatType.PRIVATE & FORWARDED, inbox.forwarded),
        MessageHandler(FORWARDED, resent.forwarded),
        # Channel commands and questions are most of what readers send, so they come before
        # the thirty-odd built-in commands PTB would otherwise try one by one. They cannot
        # take anything meant for those: channel names are never built-in names (and a
        # database restored before that rule cannot hide one: see `reserved` below), and
        # questions are plain text, which only an open guided /set form wants first.
        MessageHandler(FRESH & channel_command, channels.channel_or_unknown),
        _guided_set(user_data),
        MessageHandler(FRESH_TEXT, questions.question),
        # Reader commands.
        CommandHandler("start", help.start, READER),
        CommandHandler("help", help.help_command, READER),
        CommandHandler("status", status.status, READER),
        CommandHandler("channels", status.channels, READER),
        CommandHandler("history", channels.history, READER),
        CommandHandler("search", search.search, READER),
        CommandHandler("timeline", timeline.timeline, READER),
        CommandHandler("subscribe", subscriptions.subscribe, READER),
        CommandHandler("unsubscribe", subscriptions.unsubscribe, READER),
        CommandHandler("mysubs", subscriptions.mysubs, READER),
        CommandHandler("digesttime", digest_settings.digesttime, READER),
        CommandHandler("quiet", digest_settings.quiet, READER),
        CommandHandler("digest", digest_settings.digest, READER),
        CommandHandler("alerts", alerts.alerts, READER),
        CommandHandler("language", language.language, READER),
        CallbackQueryHandler(language.language_button, pattern=f"^{language.CALLBACK_PREFIX}"),
        # Admin commands, each wrapped in `admin_only` (hidden from readers' /help and menu).
        # The one-line /set comes after the guided form above, which takes only a bare /set.
        CommandHandler("set", status_changes.set_status, ADMIN),
        CommandHandler("note", status_changes.note, ADMIN),
        CommandHandler("confirm", status_changes.confirm, ADMIN),
        CommandHandler("undo", status_changes.undo, ADMIN),
        CommandHandler("translate", translations.translate, ADMIN),
        CommandHandler("addchannel", channel_admin.add_channel, ADMIN),
        CommandHandler("renamechannel", channel_admin.rename_channel, ADMIN),
        CommandHandler("archivechannel", channel_admin.archive_channel, ADMIN),
        CommandHandler("restorechannel", channel_admin.restore_channel, ADMIN),
        CommandHandler("admins", admin_rights.admins, ADMIN),
        CommandHandler("grant", admin_rights.grant, ADMIN),
        CommandHandler("revoke", admin_rights.revoke, ADMIN),
        CommandHandler("audit", admin_rights.audit, ADMIN),
        CommandHandler("cancel", guided_set.nothing_to_cancel, ADMIN),
        CallbackQueryHandler(guided_set.expired_button, pattern=r"^set:"),
        CommandHandler("digestnow", digest_admin.digestnow, ADMIN),
        CommandHandler("publish", publishing.publish, ADMIN),
        CommandHandler("export", export.export_history, ADMIN),
        CommandHandler("sources", sources.list_sources, ADMIN),
        CommandHandler("source", sources.source, ADMIN),
        CommandHandler("inbox", inbox.inbox, ADMIN),
        CallbackQueryHandler(inbox.button, pattern=f"^{inbox.PREFIX}:"),
        # Unknown commands get suggestions (admin commands posted in a channel: where they
        # work); also answers a channel command whose channel appeared since the filter's check.
        MessageHandler(FRESH & filters.COMMAND, channels.channel_or_unknown),
        CallbackQueryHandler(navigation.navigate, pattern=f"^{callbacks.PREFIX}:"),
        # Last: answers any button no handler above claimed, so none spins forever.
        CallbackQueryHandler(navigation.unknown_button),
        # Inline mode (@Bot ceasefire in any chat); only inline queries reach it.
        InlineQueryHandler(inline.inline_query),
    ]
    channel_command.reserved = command_names(handlers)
    # Built-in commands are looked up by name first (bot/dispatch.py says why that changes
    # nothing but the time); the form's own commands keep their place after the form.
    conversations = [h for h in handlers if isinstance(h, ConversationHandler)]
    handlers.insert(0, shortcut_for(handlers, (READER, ADMIN), command_names(conversations)))
    return handlers


def _guided_set(user_data: Mapping[int, Any]) -> ConversationHandler:
    """The guided /set form: a bare /set (or the Update button), then buttons, then a summary.

    In a group only replies to the form's message continue it (`FormReply`); the admin's
    other messages there go to the handlers after the form, like anyone's.
    """
    bare_set = ADMIN & filters.Regex(r"^/set(@\w+)?\s*$")
    typed = FRESH_TEXT & guided_drafts.FormReply(user_data)
    with warnings.catch_warnings():
        # PTB warns that with per_message=False button presses are tracked per chat and user,
        # not per message. That is what we want (one open form per admin per chat, and the
        # summary arrives as a message, which per_message=True cannot track); stale keyboards
        # are caught by validating the callback data and by `expired_button`.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("set", guided_set.start, filters=bare_set),
                CallbackQueryHandler(guided_set.pick_channel, pattern=r"^set:c:"),
                # The inbox's ✏️ Update phase: the same form, the item's source filled in.
                CallbackQueryHandler(inbox.update_phase, pattern=rf"^{inbox.PREFIX}:u:"),
            ],
            states={
                guided_set.CHANNEL: [
                    CallbackQueryHandler(guided_set.pick_channel, pattern=r"^set:c:")
                ],
                guided_set.PHASE: [CallbackQueryHandler(guided_set.pick_phase, pattern=r"^set:p:")],
                guided_set.SUMMARY: [MessageHandler(typed, guided_set.write_summary)],
                guided_set.TRANSLATION: [
                    MessageHandler(typed, guided_set.write_translation),
                    CommandHandler("skip", guided_set.skip, ADMIN),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, guided_set.timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", guided_set.cancel, ADMIN),
                CallbackQueryHandler(guided_set.cancel, pattern=r"^set:x$"),
                MessageHandler(typed, guided_set.use_buttons),
            ],
            conversation_timeout=guided_set.TIMEOUT_SECONDS,
            allow_reentry=True,
            name="guided_set",
        )


async def _post_init(application: Application) -> None:
    await publish_menu(application, application.bot_data[DB_KEY])
    status_page.start(application)


async def _post_stop(application: Application) -> None:
    await status_page.stop(application)
    application.bot_data[CHARTS_KEY].shutdown()
