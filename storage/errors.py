"""Small, specific exceptions so callers can tell "not found" from a real failure."""


class StorageError(Exception):
    """Base class for every error storage raises on purpose."""


class ChannelNotFoundError(StorageError):
    """No active channel has this slug or alias; carries the name that was asked for."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no channel named {name!r}")
        self.name = name


class UnknownPhaseError(StorageError):
    """The phase is not on the ladder; carries the name that was asked for."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no phase named {name!r}")
        self.name = name


class NotSubscribedError(StorageError):
    """The chat has no active digest subscription; carries the chat id."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(f"chat {chat_id} is not subscribed")
        self.chat_id = chat_id
