"""The status page served live (WEB_PORT): the same files `site build` writes, always current.

A plain ASGI application run by uvicorn inside the bot's event loop. It is read-only by
construction: it answers GET and HEAD for the site's files and nothing else, and it reads the
database through a connection of its own, in a worker thread, so building the pages (charts
take a second) never holds up the bot. Pages are rebuilt only when the data or the date
changed since the last build.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import storage
from web.site import pages, snapshot

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # No script at all, one inline stylesheet, images from the site itself.
    (b"content-security-policy", b"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"),
    (b"cache-control", b"public, max-age=60"),
]


class StatusSite:
    """ASGI app: the site's files by path, rebuilt when the database or the date moves on."""

    def __init__(
        self, database_path: Path, zone: tzinfo, base_url: str = "", *, with_charts: bool = True
    ) -> None:
        self.database_path, self.zone, self.base_url = database_path, zone, base_url
        self.with_charts = with_charts
        self._files: dict[str, bytes] = {}
        self._built_for: tuple[object, object] | None = None
        self._lock = asyncio.Lock()
        self._db = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request (other ASGI scopes, e.g. lifespan, are ignored)."""
        if scope["type"] != "http":
            return
        if scope["method"] not in {"GET", "HEAD"}:
            await _respond(send, 405, b"text/plain", b"read-only\n", [(b"allow", b"GET, HEAD")])
            return
        path = scope["path"].lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        files = await self.files()
        content = files.get(path)
        if content is None:
            await _respond(send, 404, b"text/plain", b"not found\n")
            return
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if kind in {"text/html", "application/xml", "text/xml"}:
            kind += "; charset=utf-8"
        body = b"" if scope["method"] == "HEAD" else content
        await _respond(send, 200, kind.encode(), body, length=len(content))

    async def files(self) -> dict[str, bytes]:
        """The current files, rebuilt in a worker thread if the data or the date changed."""
        async with self._lock:
            return await asyncio.to_thread(self._current)

    def _current(self) -> dict[str, bytes]:
        if self._db is None:
            self._db = storage.open_database(self.database_path)
        now = datetime.now(UTC)
        key = (storage.data_version(self._db), now.astimezone(self.zone).date())
        if key != self._built_for:
            self._files = pages(
                snapshot(self._db, now, self.zone), self.base_url, with_charts=self.with_charts
            )
            self._built_for = key
            log.info("status page rebuilt (%d files)", len(self._files))
        return self._files


async def _respond(
    send: Send,
    status: int,
    content_type: bytes,
    body: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
    length: int | None = None,
) -> None:
    headers = [(b"content-type", content_type), *HEADERS, *(extra or [])]
    headers.append((b"content-length", str(len(body) if length is None else length).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def serve(
    site: StatusSite,
    host: str,
    port: int,
    stopping: asyncio.Event,
    started: asyncio.Event | None = None,
) -> None:
    """Run uvicorn for `site` until `stopping` is set (the bot shutting down); `started` is
    set once it accepts connections."""
    import uvicorn

    class _QuietServer(uvicorn.Server):
        # The bot owns SIGINT and SIGTERM; uvicorn must not take them over.
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    config = uvicorn.Config(
        site, host=host, port=port, lifespan="off", log_config=None, access_log=False
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    while started is not None and not server.started and not task.done():
        await asyncio.sleep(0.01)  # uvicorn has no "started" event to wait on
    if started is not None:
        started.set()
    await stopping.wait()
    server.should_exit = True
    await task
