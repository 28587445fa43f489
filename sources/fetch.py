"""Fetching a feed politely and defensively: conditional, bounded in size, time and hops.

Each request asks only for what changed (If-None-Match / If-Modified-Since), follows at most
`max_redirects` redirects checking every hop (sources.addresses), connects to the address
it checked (Host header and TLS server name keep the real host name, so certificates are
verified against it), streams the body and gives up past `max_bytes` or `total_timeout`.
Everything is async I/O: a slow server costs a waiting coroutine, never the event loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlunsplit

import httpx

from language.i18n import N_
from sources.addresses import AddressRefused, Target, resolve
from storage.values import Problem

log = logging.getLogger(__name__)

REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How far a fetch may go; the defaults suit feeds of a few hundred kilobytes."""

    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 20.0
    allow_private: bool = False
    user_agent: str = "Backchannel source watch (+https://github.com/)"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched body (status 200), or nothing new (304, body empty)."""

    status: int
    body: bytes
    url: str
    etag: str | None
    last_modified: str | None


class FetchError(Problem):
    """The fetch failed: one line for /sources (no body, no secrets), in the admin's language."""


def _connect_url(target: Target) -> str:
    """The URL with the checked address in place of the host name."""
    address = target.address
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    parts = target.parts
    return urlunsplit((parts.scheme, f"{host}:{target.port}", parts.path or "/", parts.query, ""))


def _host_header(target: Target) -> str:
    default = 443 if target.parts.scheme.lower() == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


class Fetcher:
    """One HTTP client shared by every poll; `fetch` is safe to call concurrently."""

    def __init__(self, limits: FetchLimits, client: httpx.AsyncClient | None = None) -> None:
        self.limits = limits
        timeout = httpx.Timeout(
            limits.read_timeout, connect=limits.connect_timeout, pool=limits.total_timeout
        )
        # No proxies from the environment (the checked address must be the one connected
        # to), no automatic redirects (each hop is checked here).
        self.client = client or httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET the feed, conditionally; raises FetchError with a short reason on any failure."""
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                return await self._follow(url, etag, last_modified)
        except TimeoutError:
            raise FetchError(
                N_("timed out after {seconds} s (server too slow)"),
                seconds=f"{self.limits.total_timeout:.0f}",
            ) from None
        except AddressRefused as error:
            raise FetchError(N_("refused: {reason}"), reason=error) from None
        except httpx.TimeoutException:
            raise FetchError(N_("timed out (server too slow)")) from None
        except httpx.HTTPError as error:
            raise FetchError(
                N_("network error: {kind} {error}"),
                kind=type(error).__name__,
                error=str(error)[:80],
            ) from None

    async def _follow(self, url: str, etag: str | None, modified: str | None) -> FetchResult:
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            target = await resolve(current, allow_private=self.limits.allow_private)
            headers = {
                "Host": _host_header(target),
                "User-Agent": self.limits.user_agent,
                "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                "text/xml;q=0.9, */*;q=0.5",
                "Accept-Encoding": "identity",
            }
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            request = self.client.build_request(
                "GET",
                _connect_url(target),
                headers=headers,
                extensions={"sni_hostname": target.host},
            )
            response = await self.client.send(request, stream=True)
            try:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(
                            N_("HTTP {status} without a Location"), status=response.status_code
                        )
                    current = urljoin(current, location.strip())
                    continue
                return await self._result(response, current)
            finally:
                await response.aclose()
        raise FetchError(
            N_("more than {count} redirects (a redirect loop?)"), count=self.limits.max_redirects
        )

    async def _result(self, response: httpx.Response, url: str) -> FetchResult:
        headers = response.headers
        if response.status_code == 304:
            return FetchResult(304, b"", url, headers.get("etag"), headers.get("last-modified"))
        if response.status_code != 200:
            raise FetchError(
                N_("HTTP {status} {reason}"),
                status=response.status_code, reason=response.reason_phrase[:40],
            )  # fmt: skip
        limit = self.limits.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                N_("refused: {size} bytes is over the {limit}-byte limit"),
                size=f"{int(declared):,}", limit=f"{limit:,}",
            )  # fmt: skip
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(
                    N_("refused: the body is over the {limit}-byte limit"), limit=f"{limit:,}"
                )
            chunks.append(chunk)
        body = b"".join(chunks)
        return FetchResult(200, body, url, headers.get("etag"), headers.get("last-modified"))
