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
from telegram.request import BaseRequest

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
    help,
    navigation,
    questions,
    search,
    status,
    subscriptions,
    timeline,
)
from bot.reply_cache import CACHE_KEY, ReplyCache


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
    api_root = settings.api_root
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.zone,
            )
        )
        .post_init(_post_init)
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    application.bot_data[DB_KEY] = db
    application.bot_data[SETTINGS_KEY] = settings
    application.bot_data[FLOOD_KEY] = FloodGuard(settings.flood_rate, settings.flood_burst)
    application.bot_data[CACHE_KEY] = ReplyCache()
    _add_handlers(application)
    return application


def _add_handlers(application: Application) -> None:
    # Flood control sees every update first and can stop it before any handler runs.
    application.add_handler(TypeHandler(Update, flood.guard), group=-1)
    # One group: PTB runs only the first matching handler of a group, so the catch-alls at
    # the end see just what no built-in command took. /help lists commands in this order.
    application.add_handlers(
        [
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
            # Admin commands (hidden from readers' /help and menu), the guided /set included.
            *admin.handlers(),
            CommandHandler("digestnow", digest_admin.digestnow),
            CommandHandler("export", export.export_history),
            # Channel commands come from the database, so one handler serves them all.
            MessageHandler(filters.COMMAND, channels.channel_or_unknown),
            MessageHandler(filters.TEXT & ~filters.COMMAND, questions.question),
            CallbackQueryHandler(navigation.navigate, pattern=f"^{callbacks.PREFIX}:"),
            # Last: answers any button no handler above claimed, so none spins forever.
            CallbackQueryHandler(navigation.unknown_button),
        ]
    )
    application.add_error_handler(errors.on_error)


async def _post_init(application: Application) -> None:
    await publish_menu(application, application.bot_data[DB_KEY])
