"""A Bot API that never leaves the process: PTB's HTTP layer is replaced, not its objects.

The console and the tests both plug this in with `ApplicationBuilder.request(...)`, so every
call still goes through PTB's own serialisation and comes back as JSON it must parse.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Backchannel",
    "username": "BackchannelBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# The rights Telegram always reports for a ChatMemberAdministrator.
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories",
)  # fmt: skip


@dataclass
class UploadedFile:
    """A file PTB uploaded as multipart form data, as Telegram would receive it."""

    filename: str
    content: bytes
    mimetype: str


@dataclass
class ApiCall:
    """One Bot API request as PTB sent it; uploads (photos, documents) are in `files`."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)


@dataclass
class ScriptedFailure:
    """An error answer to give instead of success (for fault tests)."""

    status: int
    description: str
    retry_after: int | None = None
    # Raised instead of answering, as the HTTP layer does for timeouts and dropped connections.
    raises: Exception | None = None


@dataclass
class OfflineBotApi(BaseRequest):
    """Answers every Bot API method with a valid success result and records the call."""

    calls: list[ApiCall] = field(default_factory=list)
    failures: dict[str, deque[ScriptedFailure]] = field(default_factory=dict)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    # getChatMember answers: user id -> "creator", "administrator", "member", "left"...
    # Users not listed are plain members.
    chat_member_status: dict[int, str] = field(default_factory=dict)
    # Extra fields of a member's answer, e.g. a channel admin's can_post_messages.
    chat_member_rights: dict[int, dict[str, bool]] = field(default_factory=dict)
    # getChat answers by id or @username; any other chat is "chat not found", as in Telegram.
    chats: dict[int | str, dict[str, Any]] = field(default_factory=dict)

    @property
    def read_timeout(self) -> float | None:
        """No real I/O happens, so there is nothing to time out."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def fail_next(self, method: str, failure: ScriptedFailure) -> None:
        """Make the next call of `method` fail the way Telegram would."""
        self.failures.setdefault(method, deque()).append(failure)

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Parameters of every successful call of `method`, oldest first."""
        return [call.params for call in self.calls if call.method == method]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        """Answer like the Bot API would: JSON with ok/result or ok/error_code."""
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        queued = self.failures.get(api_method)
        if queued:
            failure = queued.popleft()
            if failure.raises is not None:
                raise failure.raises
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, json.dumps(body).encode()
        if api_method == "getChat" and self._chat(params) is None:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return 400, json.dumps(body).encode()
        files = _uploads(request_data)
        self.calls.append(ApiCall(api_method, params, files))
        self.on_call(api_method, params)
        if files:
            self.on_upload(api_method, params, files)
        return 200, json.dumps({"ok": True, "result": self.result(api_method, params)}).encode()

    def on_call(self, method: str, params: dict[str, Any]) -> None:
        """Hook for subclasses that show calls (the console prints replies here)."""

    def on_upload(
        self, method: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> None:
        """Hook for subclasses that show uploaded files (the console saves them)."""

    def uploads(self, method: str) -> list[ApiCall]:
        """Every successful call of `method` (e.g. sendPhoto) with its files, oldest first."""
        return [call for call in self.calls if call.method == method]

    def result(self, method: str, params: dict[str, Any]) -> Any:
        """A minimal valid result for the methods Backchannel uses; True for the rest."""
        if method == "getMe":
            return BOT_USER
        if method in {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}:
            return self._message(params)
        if method == "getUpdates":
            return []
        if method == "getChatMember":
            return self._chat_member(int(params["user_id"]))
        if method == "getChat":
            return self._chat(params)
        return True

    def _chat(self, params: dict[str, Any]) -> dict[str, Any] | None:
        wanted = params.get("chat_id")
        if isinstance(wanted, str) and not wanted.startswith("@"):
            wanted = int(wanted)
        found = self.chats.get(wanted)
        if found is None:
            return None
        return {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
            "premium_subscription": False, "gifts_from_channels": False}, **found}  # fmt: skip

    def _chat_member(self, user_id: int) -> dict[str, Any]:
        status = self.chat_member_status.get(user_id, "member")
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"},
        }
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(dict.fromkeys(_ADMIN_RIGHTS, True), can_be_edited=False)
            member["is_anonymous"] = False
        member.update(self.chat_member_rights.get(user_id, {}))
        return member

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": params.get("message_id") or next(self._message_ids),
            "date": int(time.time()),
            # Telegram gives groups negative ids and users positive ones.
            "chat": {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        if "caption" in params:
            message["caption"] = params["caption"]
        return message


def _uploads(request_data: RequestData | None) -> dict[str, UploadedFile]:
    """The multipart parts of a request; file-valued parameters are not in `parameters`."""
    if request_data is None or not request_data.contains_files:
        return {}
    found = {}
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        found[name] = UploadedFile(filename, data, mimetype)
    return found
