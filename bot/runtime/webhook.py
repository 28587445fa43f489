"""Webhook mode: Telegram POSTs updates to us; nobody else gets to make us read a byte of body.

PTB's own webhook server (tornado) reads a request's whole body before it checks the secret
token: ten concurrent 95 MB POSTs without the secret were all refused, but only after growing
the process from 118 MB to 1.5 GB. Here the handler streams the body and checks the headers in
`prepare()`, which tornado runs before the body arrives: a request without the right secret
gets 403 and the connection is closed unread, and an authenticated body over MAX_BODY bytes
(an update is a few kB) gets 413 the same way.

The lifecycle is PTB's documented one for custom webhook servers: initialize, post_init,
setWebhook, start, serve until SIGINT/SIGTERM, then stop (finishing updates in flight).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Telegram's updates are a few kB; a megabyte is already generous
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """One POST from Telegram: refused before its body unless it carries the secret."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, ptb: Application, secret: str) -> None:
        """Tornado's per-request set-up: what the handler needs to queue an update."""
        self.ptb = ptb
        self.secret = secret.encode()
        self.body = bytearray()
        self.refused = False

    def prepare(self) -> None:
        """Check the headers, before tornado reads any of the body."""
        offered = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(offered, self.secret):
            log.debug("webhook request from %s without the secret token", self.request.remote_ip)
            self._refuse(HTTPStatus.FORBIDDEN)
            return
        length = self.request.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        # A backstop for chunked bodies, above our own limit so the 413 below comes first.
        self.request.connection.set_max_body_size(2 * MAX_BODY)  # type: ignore[union-attr]

    def data_received(self, chunk: bytes) -> None:
        """Collect the body, refusing it as soon as it grows past MAX_BODY."""
        if self.refused:
            return  # tornado closes the connection after the answer; nothing is kept
        if len(self.body) + len(chunk) > MAX_BODY:
            self.body.clear()
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self.body.extend(chunk)

    async def post(self) -> None:
        """Queue the update for the Application, as PTB's own server does."""
        try:
            data = json.loads(self.body)
            update = Update.de_json(data, self.ptb.bot)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("webhook: could not read the update (%s)", type(error).__name__)
            self._refuse(HTTPStatus.BAD_REQUEST)
            return
        await self.ptb.update_queue.put(update)
        self.set_status(HTTPStatus.OK)
        self.finish()

    def _refuse(self, status: HTTPStatus) -> None:
        self.refused = True
        self.clear_header("Content-Type")
        self.set_status(status)
        # Closing is the only way not to read the rest of the body; say so to the client.
        self.set_header("Connection", "close")
        self.finish()

    def log_exception(self, *args: Any) -> None:
        """Tornado's access-log style tracebacks go to our logger, one line."""
        log.warning("webhook: error in a request from %s", self.request.remote_ip)


def webhook_app(path: str, application: Application, secret: str) -> tornado.web.Application:
    """The tornado application answering Telegram at `path` (e.g. "/telegram/hook")."""
    route = "/" + path.strip("/")
    handler_args = {"ptb": application, "secret": secret}
    return tornado.web.Application(
        [(rf"{route}/?", UpdateHandler, handler_args)], log_function=lambda handler: None
    )


async def serve_webhook(
    application: Application, *, listen: str, port: int, path: str, url: str, secret: str
) -> None:
    """Register the webhook with Telegram and serve it until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with application:  # initialize ... shutdown
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(url=url, secret_token=secret)
        server = HTTPServer(webhook_app(path, application, secret), max_body_size=2 * MAX_BODY)
        server.listen(port, address=listen)
        log.info("Webhook Server started on %s:%s", listen, port)
        await application.start()
        try:
            await stop.wait()
        finally:
            log.info("stopping: finishing the updates in flight")
            server.stop()
            await application.stop()  # lets the updates already queued finish first
            await server.close_all_connections()
