"""Wiring: build the PTB Application from settings and a database, with its handlers in order."""

from sqlite_utils import Database
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import callbacks, flood
from bot.command_menu import publish_menu
from bot.concurrency import PerChatUpdateProcessor
from bot.config import Settings
from bot.context import DB_KEY, SETTINGS_KEY, BotContext
from bot.flood import FLOOD_KEY, FloodGuard
from bot.handlers import (
    admin,
    alerts,
    channels,
    digest_admin,
    digest_settings,
    errors,
    export,
    guided_set,
    help,
    navigation,
    questions,
    search,
    status,
    subscriptions,
    timeline,
)
from bot.reply_cache import CACHE_KEY, ReplyCache
from bot.telegram_bot import BackchannelBot


def build_application(
    settings: Settings,
    db: Database,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
) -> Application:
    """Assemble the bot; `request` replaces the HTTP layer (console, tests, benchmarks)."""
    if token is None and settings.bot_token is not None:
        token = settings.bot_token.get_secret_value()
    if not token:
        raise ValueError("build_application needs a token (BOT_TOKEN, or the console's own)")
    bot = build_bot(settings, token, request)
    builder = (
        Application.builder()
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .post_init(_post_init)
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
    )
    application = builder.build()
    application.bot_data[DB_KEY] = db
    application.bot_data[SETTINGS_KEY] = settings
    application.bot_data[FLOOD_KEY] = FloodGuard(settings.flood_rate, settings.flood_burst)
    application.bot_data[CACHE_KEY] = ReplyCache()
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
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=request or HTTPXRequest(),
    )


def _add_handlers(application: Application) -> None:
    # Flood control sees every update first and can stop it before any handler runs.
    application.add_handler(TypeHandler(Update, flood.guard), group=-1)
    # One group: PTB runs only the first matching handler of a group, so the catch-alls at
    # the end see just what no built-in command took. /help lists commands in this order.
    db = application.bot_data[DB_KEY]
    application.add_handlers(
        [
            # Channel commands and questions are most of what readers send, so they come
            # before the thirty-odd built-in commands PTB would otherwise try one by one. They
            # cannot take anything meant for those: channel names are never built-in names,
            # and questions are plain text, which only an open guided /set form wants first.
            MessageHandler(channels.ChannelCommand(db), channels.channel_or_unknown),
            guided_set.conversation(),
            MessageHandler(filters.TEXT & ~filters.COMMAND, questions.question),
            CommandHandler("start", help.start),
            CommandHandler("help", help.help_command),
            CommandHandler("status", status.status),
            CommandHandler("channels", status.channels),
            CommandHandler("history", channels.history),
            CommandHandler("search", search.search),
            CommandHandler("timeline", timeline.timeline),
            CommandHandler("subscribe", subscriptions.subscribe),
            CommandHandler("unsubscribe", subscriptions.unsubscribe),
            CommandHandler("mysubs", subscriptions.mysubs),
            CommandHandler("digesttime", digest_settings.digesttime),
            CommandHandler("quiet", digest_settings.quiet),
            CommandHandler("digest", digest_settings.digest),
            CommandHandler("alerts", alerts.alerts),
            # Admin commands (hidden from readers' /help and menu).
            *admin.handlers(),
            CommandHandler("digestnow", digest_admin.digestnow),
            CommandHandler("export", export.export_history),
            # Unknown commands get suggestions; also answers a channel command whose channel
            # appeared between the filter's check and now.
            MessageHandler(filters.COMMAND, channels.channel_or_unknown),
            CallbackQueryHandler(navigation.navigate, pattern=f"^{callbacks.PREFIX}:"),
            # Last: answers any button no handler above claimed, so none spins forever.
            CallbackQueryHandler(navigation.unknown_button),
        ]
    )
    application.add_error_handler(errors.on_error)


async def _post_init(application: Application) -> None:
    await publish_menu(application, application.bot_data[DB_KEY])
