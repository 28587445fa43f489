"""A small Bot API server on 127.0.0.1 for tests that need real HTTP between bot and Telegram.

It speaks enough of the Bot API (getMe, getUpdates with offsets, sendMessage, ...) for the real
`backchannel run` process, with PTB's own HTTPX transport, to talk to it as it would to Telegram.
It can also behave like Telegram on a bad day: a message-rate limit answered with 429 and
retry_after, chats that blocked the bot (403) or are gone (400), and, at a seeded random rate,
transient faults (429, 500, 502, dropped connections, slow answers). For start-up failures it
can reject the token (401), stand in for a misconfigured proxy that answers 404 with an HTML page
echoing the request path (and so the token), answer 500, or drop every connection mid-run.
"""

from __future__ import annotations

import email.policy
import json
import random
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.cli.offline_api import BOT_USER, UploadedFile


@dataclass
class ReceivedCall:
    """One request the emulator answered."""

    token: str
    method: str
    params: dict[str, Any]


def _json_or_text(text: str) -> Any:
    """A parameter's value: PTB sends structured values (reply_markup, ids) as JSON text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _decode_form(body: bytes) -> dict[str, Any]:
    return {
        key: _json_or_text(values[0])
        for key, values in parse_qs(body.decode(), keep_blank_values=True).items()
    }


def _decode_json(body: bytes) -> dict[str, Any]:
    # A JSON body's values may themselves be JSON text (PTB serialises reply_markup and the
    # like to strings either way); read them as the form decoder does.
    return {
        key: _json_or_text(value) if isinstance(value, str) else value
        for key, value in json.loads(body or b"{}").items()
    }


def _decode_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[str(name)] = UploadedFile(filename, payload, part.get_content_type())
        else:
            params[str(name)] = _json_or_text(payload.decode())
    return params


DROP = -1  # status meaning "close the connection without answering"
# serve_forever checks for shutdown() this often; its default of 0.5 s made every test that
# stops a server wait up to half a second for nothing.
SHUTDOWN_POLL_SECONDS = 0.02
HTML_404 = -2  # status meaning "404 with an HTML page that echoes the request path"
TRANSIENT_FAULTS = ("429", "500", "502", "drop", "slow")


@dataclass
class Faults:
    """How badly the emulated Telegram behaves; all randomness comes from `seed`."""

    rate_limit: int | None = None  # sendMessage per second before 429s
    transient_rate: float = 0.0  # share of sendMessage calls that fail transiently
    slow_seconds: float = 1.0
    blocked_chats: frozenset[int] = frozenset()  # 403: the user blocked the bot
    gone_chats: frozenset[int] = frozenset()  # 400: chat not found
    seed: int = 0
    # Answer every call with this status from the start: 401 (token rejected), 404 (a proxy's
    # HTML page that echoes the path, token included) or 500.
    status: int | None = None
    # The same, for sendMessage only: a reply that fails inside a handler.
    send_status: int | None = None


class BotApiEmulator:
    """Thread-backed HTTP server; use as a context manager and read `calls` and `delivered`."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._random = random.Random(self.faults.seed)
        self.clock = time.monotonic  # replaced in tests of the rate limit
        self._recent_sends: deque[float] = deque()
        self.rejected_429 = 0
        self.delivered: list[tuple[int, str]] = []  # (chat id, text) of accepted messages
        self.calls: list[ReceivedCall] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._message_id = 0
        self._changed = threading.Condition()
        # Methods whose answers are held back until the gate opens (a "slow Telegram").
        self.gates: dict[str, threading.Event] = {}
        # Set by drop_connections(): every connection is dropped from then on, unanswered.
        self.dropping = threading.Event()
        # Connections accepted and not yet closed, and how many of them wait in a long poll.
        self._open = self._polling = 0
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive like Telegram itself: a new connection (and server thread) per request
            # would make the fake, not the bot, the bottleneck of the delivery benchmark.
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; without this, Nagle's algorithm and
                # the client's delayed ACK hold every answer back for 40 ms on a kept-alive
                # connection.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                kind = self.headers.get("Content-Type", "")
                if "json" in kind:
                    params = _decode_json(body)
                elif "multipart" in kind:
                    params = _decode_multipart(kind, body)
                else:
                    params = _decode_form(body)
                _, token_part, method = self.path.split("/", 2)
                status, payload = emulator.answer(token_part.removeprefix("bot"), method, params)
                if status == DROP or emulator.dropping.is_set():
                    self.close_connection = True
                    return
                if status == HTML_404:
                    status, kind = 404, "text/html"
                    data = f"<html><body>Cannot POST {self.path}</body></html>".encode()
                else:
                    kind, data = "application/json", json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot went away mid-poll (killed or stopped): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def process_request(self, request: Any, client_address: Any) -> None:
                # Counted as accepted, in the accepting thread, before its handler thread runs.
                with emulator._changed:
                    emulator._open += 1
                super().process_request(request, client_address)

            def shutdown_request(self, request: Any) -> None:
                super().shutdown_request(request)
                with emulator._changed:
                    emulator._open -= 1
                    emulator._changed.notify_all()

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            daemon=True,
        )

    @property
    def url(self) -> str:
        """The root to put in BOT_API_BASE_URL."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> BotApiEmulator:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def push_text(self, text: str, *, user_id: int = 501, chat_id: int = 501) -> None:
        """Queue a user's message for the bot's next getUpdates."""
        message: dict[str, Any] = {
            "message_id": 1000 + self._next_update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Reader"},
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        with self._changed:
            self._updates.append({"update_id": self._next_update_id, "message": message})
            self._next_update_id += 1
            self._changed.notify_all()

    def wait_until_quiet(self, timeout: float = 60) -> None:
        """Block until every request a client sent so far has been answered (or dropped).

        For a client that was just killed: what it sent before dying may still sit unread in
        a socket, or in the queue of connections not yet accepted, and is read and answered
        later, when a thread gets to it; a message in it is then accepted after the client's
        death. A connection of our own goes through the queue last (connections are accepted
        in order), then this waits until every accepted connection is closed, those waiting
        in a long poll for updates aside (a getUpdates changes nothing).
        """
        host, port = self.server.server_address[:2]
        with socket.create_connection((host, port), timeout=timeout) as probe:
            probe.sendall(b"HEAD / HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n")
            while probe.recv(4096):
                pass
        with self._changed:
            quiet = self._changed.wait_for(lambda: self._open == self._polling, timeout=timeout)
        assert quiet, f"{self._open - self._polling} connections still open after {timeout}s"

    def drop_connections(self) -> None:
        """The network goes away: every request from now on, and a long poll waiting for
        updates right now, ends with its connection dropped, unanswered."""
        with self._changed:
            self.dropping.set()
            self._changed.notify_all()

    def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """The Bot API's answer to one call."""
        if self.faults.status is not None:
            with self._changed:
                self.calls.append(ReceivedCall(token, method, params))
                self._changed.notify_all()
            return _fault_answer(self.faults.status)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates_after(params)}
        with self._changed:
            self.calls.append(ReceivedCall(token, method, params))
            self._changed.notify_all()
        gate = self.gates.get(method)
        if gate is not None:
            gate.wait(timeout=30)
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            if self.faults.send_status is not None:
                return _fault_answer(self.faults.send_status)
            failure = self._failure_for(chat_id)
            if failure is not None:
                return failure
            with self._changed:
                self._message_id += 1
                self.delivered.append((chat_id, params.get("text", "")))
            result = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            return 200, {"ok": True, "result": result}
        return 200, {"ok": True, "result": True}

    def _failure_for(self, chat_id: int) -> tuple[int, Any] | None:
        faults = self.faults
        if chat_id in faults.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in faults.gone_chats:
            return _error(400, "Bad Request: chat not found")
        with self._changed:
            now = self.clock()
            while self._recent_sends and now - self._recent_sends[0] >= 1.0:
                self._recent_sends.popleft()
            if faults.rate_limit is not None and len(self._recent_sends) >= faults.rate_limit:
                self.rejected_429 += 1
                return _error(429, "Too Many Requests: retry after 1", retry_after=1)
            self._recent_sends.append(now)
            roll = self._random.random()
            fault = self._random.choice(TRANSIENT_FAULTS)
        if roll >= faults.transient_rate:
            return None
        if fault == "429":
            return _error(429, "Too Many Requests: retry after 1", retry_after=1)
        if fault in {"500", "502"}:
            return _error(int(fault), "Internal Server Error")
        if fault == "drop":
            return DROP, None
        time.sleep(faults.slow_seconds)  # a slow Telegram: the answer comes, late
        return None

    def _updates_after(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 1.0)
        with self._changed:
            self._polling += 1
            self._changed.wait_for(
                lambda: (
                    self.dropping.is_set() or any(u["update_id"] >= offset for u in self._updates)
                ),
                timeout=wait,
            )
            self._polling -= 1
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            return list(self._updates)

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 30) -> list[ReceivedCall]:
        """Block until `count` calls of `method` arrived; fails the test on timeout."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.of(method)) >= count, timeout=timeout)
        assert arrived, f"no {method} within {timeout}s; got {[c.method for c in self.calls]}"
        return self.of(method)

    def delivered_to(self, chat_id: int) -> list[str]:
        """Texts Telegram accepted for one chat."""
        return [text for chat, text in list(self.delivered) if chat == chat_id]

    def of(self, method: str) -> list[ReceivedCall]:
        """Calls of one method so far."""
        return [call for call in list(self.calls) if call.method == method]


def _error(status: int, description: str, retry_after: int | None = None) -> tuple[int, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return status, body


def _fault_answer(status: int) -> tuple[int, Any]:
    if status == 401:
        return _error(401, "Unauthorized")
    if status == 404:
        return HTML_404, None
    return _error(status, "Internal Server Error")
