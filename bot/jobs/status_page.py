"""Serving the public status page next to the bot when WEB_PORT is set.

uvicorn runs in the bot's own event loop as one more task, started after the bot is up and
stopped when it stops, so one process (and one systemd unit) serves both.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application

from bot.context import DB_KEY, SETTINGS_KEY
from storage.database import database_file
from web.server import StatusSite, serve

log = logging.getLogger(__name__)

STOP_KEY = "status_page_stop"
TASK_KEY = "status_page_task"


def start(application: Application) -> None:
    """Start serving if WEB_PORT is set; a no-op otherwise."""
    settings = application.bot_data[SETTINGS_KEY]
    if settings.web_port is None:
        return
    path = database_file(application.bot_data[DB_KEY])
    if path is None:
        log.warning("WEB_PORT is set but the database is in memory: no status page")
        return
    site = StatusSite(path, settings.zone, settings.site_url or "")
    stopping = asyncio.Event()
    application.bot_data[STOP_KEY] = stopping
    application.bot_data[TASK_KEY] = application.create_task(
        serve(site, settings.web_host, settings.web_port, stopping), name="status page"
    )
    log.info("status page on http://%s:%d/", settings.web_host, settings.web_port)


async def stop(application: Application) -> None:
    """Stop the web server, if one runs, and wait for it to close its connections."""
    stopping = application.bot_data.pop(STOP_KEY, None)
    task = application.bot_data.pop(TASK_KEY, None)
    if stopping is not None and task is not None:
        stopping.set()
        await task
