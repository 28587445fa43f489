"""The reply cache: a reply is rendered once per data version and local date, never served
after either moved, and what it keeps stays bounded."""

from datetime import date

import storage
from bot.config import Settings
from bot.reply_cache import ReplyCache

TODAY, TOMORROW = date(2025, 3, 1), date(2025, 3, 2)


class Renders:
    """A renderer that says what it read, and counts how often it had to."""

    def __init__(self, db) -> None:
        self.db, self.count = db, 0

    def __call__(self) -> str:
        self.count += 1
        return storage.current_statuses(self.db)[0].current.summary


def _change(db, summary: str) -> None:
    storage.record_status(
        db, channel_id=storage.find_channel(db, "summit").id, kind="status", phase="stalled",
        summary=summary, actor=storage.Actor(id=1, name="Olena"),
    )  # fmt: skip


def test_a_reply_is_rendered_once_until_the_data_changes(db) -> None:
    cache, render = ReplyCache(), Renders(db)
    first = cache.get(db, TODAY, "overview", render)
    assert cache.get(db, TODAY, "overview", render) == first and render.count == 1
    _change(db, "Talks broke off")
    assert cache.get(db, TODAY, "overview", render) == "Talks broke off"
    assert render.count == 2


def test_another_connections_change_is_never_served_stale(db, settings: Settings) -> None:
    cache, render = ReplyCache(), Renders(db)
    cache.get(db, TODAY, "overview", render)
    other = storage.open_database(settings.database_path)
    try:
        _change(other, "Written by the CLI")
    finally:
        other.close()
    assert cache.get(db, TODAY, "overview", render) == "Written by the CLI"


def test_a_new_day_renders_again(db) -> None:
    cache, render = ReplyCache(), Renders(db)
    cache.get(db, TODAY, "overview", render)
    cache.get(db, TOMORROW, "overview", render)
    assert render.count == 2


def test_replies_of_older_data_are_dropped_and_the_rest_stays_bounded(db) -> None:
    cache, render = ReplyCache(max_entries=3), Renders(db)
    for what in ["a", "b", "c"]:
        cache.get(db, TODAY, what, render)
    assert len(cache) == 3
    _change(db, "Talks broke off")
    cache.get(db, TODAY, "a", render)
    assert len(cache) == 1  # "b" and "c" of the old data can never be asked for again
    for what in ["b", "c", "d", "e"]:
        cache.get(db, TODAY, what, render)
    assert 1 <= len(cache) <= 3
    assert cache.get(db, TODAY, "e", render) == "Talks broke off"
