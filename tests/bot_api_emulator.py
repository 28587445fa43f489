"""A small Bot API server on 127.0.0.1 for tests that need real HTTP between bot and Telegram.

It speaks enough of the Bot API (getMe, getUpdates with offsets, sendMessage, ...) for the real
`backchannel run` process, with PTB's own HTTPX transport, to talk to it as it would to Telegram.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.offline_api import BOT_USER


@dataclass
class ReceivedCall:
    """One request the emulator answered."""

    token: str
    method: str
    params: dict[str, Any]


def _decode_form(body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
        try:
            params[key] = json.loads(values[0])
        except ValueError:
            params[key] = values[0]
    return params


class BotApiEmulator:
    """Thread-backed HTTP server; use as a context manager and read `calls`."""

    def __init__(self) -> None:
        self.calls: list[ReceivedCall] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._message_id = 0
        self._changed = threading.Condition()
        # Methods whose answers are held back until the gate opens (a "slow Telegram").
        self.gates: dict[str, threading.Event] = {}
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                kind = self.headers.get("Content-Type", "")
                params = json.loads(body or b"{}") if "json" in kind else _decode_form(body)
                _, token_part, method = self.path.split("/", 2)
                status, payload = emulator.answer(token_part.removeprefix("bot"), method, params)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot went away mid-poll (killed or stopped): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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

    def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """The Bot API's answer to one call."""
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
            self._message_id += 1
            chat_id = int(params["chat_id"])
            result = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            return 200, {"ok": True, "result": result}
        return 200, {"ok": True, "result": True}

    def _updates_after(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 1.0)
        with self._changed:
            self._changed.wait_for(
                lambda: any(u["update_id"] >= offset for u in self._updates), timeout=wait
            )
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            return list(self._updates)

    def wait_for_call(self, method: str, count: int = 1, timeout: float = 30) -> list[ReceivedCall]:
        """Block until `count` calls of `method` arrived; fails the test on timeout."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.of(method)) >= count, timeout=timeout)
        assert arrived, f"no {method} within {timeout}s; got {[c.method for c in self.calls]}"
        return self.of(method)

    def of(self, method: str) -> list[ReceivedCall]:
        """Calls of one method so far."""
        return [call for call in list(self.calls) if call.method == method]
