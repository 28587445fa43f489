"""A small threaded HTTP server on 127.0.0.1 serving fixture feeds and hostile behaviours.

Routes are plain functions of the request, so a test can add a route that counts requests,
answers 304 to a matching ETag, redirects forever, trickles bytes or streams 50 MB.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


@dataclass
class Answer:
    """What a route answers: status, headers, and a body (bytes or chunks)."""

    status: int = 200
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[BaseHTTPRequestHandler], Answer]


def feed(name: str, etag: str | None = None) -> Route:
    """Serve a fixture file; with `etag`, answer 304 when the client already has it."""

    def route(request: BaseHTTPRequestHandler) -> Answer:
        if etag is not None and request.headers.get("If-None-Match") == etag:
            return Answer(304)
        headers = {"Content-Type": "application/rss+xml"}
        if etag is not None:
            headers["ETag"] = etag
        return Answer(200, (FEEDS / name).read_bytes(), headers)

    return route


def body(data: bytes, status: int = 200) -> Route:
    """Serve fixed bytes."""
    return lambda request: Answer(status, data, {"Content-Type": "application/xml"})


class FeedServer:
    """The running server: `url(path)`, `routes`, and every request's path and headers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                answer = route(self) if route else Answer(404, b"not found")
                try:
                    self.send_response(answer.status)
                    chunks = [answer.body] if isinstance(answer.body, bytes) else answer.body
                    if isinstance(answer.body, bytes) and answer.status != 304:
                        answer.headers.setdefault("Content-Length", str(len(answer.body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should for hostile answers

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        """The full address of a path on this server."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def start(self) -> FeedServer:
        """Start serving in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()


def slow(seconds_per_chunk: float, chunks: int) -> Route:
    """A server that trickles a byte at a time: only a total timeout catches it."""

    def stream() -> Iterator[bytes]:
        yield b"<?xml version='1.0'?><rss version='2.0'><channel>"
        for _ in range(chunks):
            time.sleep(seconds_per_chunk)
            yield b" "

    return lambda request: Answer(200, stream(), {"Content-Type": "application/rss+xml"})


def endless(megabytes: int) -> Route:
    """A body of `megabytes` MB without a Content-Length, streamed in 64 KB chunks."""

    def stream() -> Iterator[bytes]:
        yield b"<?xml version='1.0'?><rss version='2.0'><channel><title>"
        chunk = b"A" * 65536
        for _ in range(megabytes * 16):
            yield chunk

    return lambda request: Answer(200, stream(), {"Content-Type": "application/rss+xml"})


def redirect(to: str, status: int = 302) -> Route:
    """Redirect to another path or address."""
    return lambda request: Answer(status, b"", {"Location": to, "Content-Length": "0"})


def many_items(count: int) -> bytes:
    """An RSS feed with `count` items, newest first, one minute apart."""
    items = "".join(
        f"<item><title>Item {index} about prisoner exchange lists</title>"
        f"<link>https://example.org/many/{index}</link><guid>https://example.org/many/{index}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 {(index // 60) % 24:02d}:{index % 60:02d}:00 GMT</pubDate>"
        "</item>"
        for index in range(count)
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Many</title>"
        f"{items}</channel></rss>"
    ).encode()


def serving(*names: str) -> Iterator[FeedServer]:
    """For a fixture: a started server with each fixture feed at /<name>, stopped afterwards."""
    running = FeedServer().start()
    for name in names:
        running.routes[f"/{name}"] = feed(name)
    try:
        yield running
    finally:
        running.stop()
