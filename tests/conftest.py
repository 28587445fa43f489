"""Shared fixtures: a seeded database on disk, settings, and the real Application offline.

The bot, storage and the rest are imported in the fixtures that use them, not at the top:
with `-n 2`, pytest-xdist's controlling process loads this file too, before it starts any
test process, and runs no test; importing the bot here cost it 1.4 s of CPU, a delay at the
start of every run.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import time_machine
    from sqlite_utils import Database
    from telegram.ext import Application

    from bot.cli.offline_api import OfflineBotApi
    from bot.config import Settings

TEST_TOKEN = "123456:TEST-TOKEN-never-sent-anywhere"
NOW = "2026-11-24T12:00:00+00:00"
READER_ID = 501
ADMIN_ID = 900
GROUP_ID = -100123

ENV_VARS = (
    "BOT_TOKEN", "ADMIN_IDS", "DATABASE_PATH", "BOT_API_BASE_URL", "TIMEZONE",
    "DIGEST_TIME", "LOG_LEVEL", "DIGEST_RATE_LIMIT", "DIGEST_WORKERS", "CONCURRENT_UPDATES",
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first, so that two test processes (`make test` runs -n 2) end together.

    Left in file order, a test that starts eleven bot processes may be handed out last and run
    alone for its whole length while the other process idles. Those with their own (longer)
    time limit start first, then the ones that start real processes; the many quick in-process
    tests fill the gaps. The sort is stable: file order within each group.
    """

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("timeout") is not None:
            return 0
        if item.get_closest_marker("subprocess") is not None:
            return 1
        # The readers of tests/test_site.py's one site build (14 charts, seconds of CPU) go with
        # its browser test, a process test: next to each other, so the build is made once, in
        # one test process (xdist hands out consecutive tests together), and not again later.
        return 1 if "built" in getattr(item, "fixturenames", ()) else 2

    items.sort(key=rank)


@pytest.fixture(scope="session")
def one_certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA bundle holding one certificate (certifi's first), for SSL_CERT_FILE in the tests.

    Every HTTP client the bot builds (PTB's httpx client, the feed fetcher's) loads the CA
    bundle when it is created, ~50 ms of CPU for the 150 certificates of a full one: three
    per `backchannel run` started, and the tests start dozens. The tests never use TLS (they
    talk plain HTTP to 127.0.0.1), so which authorities a client would trust does not matter.
    """
    import certifi

    end = "-----END CERTIFICATE-----\n"
    bundle = Path(certifi.where()).read_text()
    path = tmp_path_factory.mktemp("certificates") / "one.pem"
    path.write_text(bundle[: bundle.index(end) + len(end)])
    return path


@pytest.fixture(autouse=True)
def clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, one_certificate: Path
) -> None:
    """Tests never see the developer's own .env or environment (and a one-certificate CA
    bundle stands in for the system's: `one_certificate`)."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(one_certificate))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def frozen_time() -> Iterator[time_machine.Coordinates]:
    """The clock stands still at NOW unless a test moves it."""
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    """The tests' settings but for the database, validated once per test process.

    Settings read and validate every variable of the environment, ~2 ms; a thousand tests ask
    for them. Read here in an environment cleaned as `clean_environment` cleans each test's.
    """
    from bot.config import Settings

    with pytest.MonkeyPatch.context() as patch:
        for name in ENV_VARS:
            patch.delenv(name, raising=False)
        return Settings(
            _env_file=None,
            admin_ids=frozenset({ADMIN_ID}),
            # Tests send many messages from one user in no time; flood control has its own tests.
            flood_burst=100_000,
        )


@pytest.fixture
def settings(base_settings: Settings, tmp_path: Path) -> Settings:
    return base_settings.model_copy(update={"database_path": tmp_path / "backchannel.db"})


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated and seeded database file per test process, copied by every test that needs one.

    Running every migration and the seed for each test cost 30-100 ms a test, most of the
    suite's set-up time; copying a finished file costs about 2 ms. The template is built with
    the clock frozen at NOW, exactly as the per-test `open_database` + `seed_if_empty` under
    `frozen_time` was, so its rows (created_at, recorded_at, the migrations' applied_at) are
    the same; tests/test_template_database.py checks that against a fresh seeding.
    """
    import time_machine

    import storage

    path = tmp_path_factory.mktemp("template") / "seeded.db"
    with time_machine.travel(NOW, tick=False):
        database = storage.open_database(path)
        storage.seed_if_empty(database)
    # Closing the last connection checkpoints the WAL into the main file and deletes it, so
    # a plain copy of that one file is the whole database.
    database.close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def seeded_database(seeded_template: Path) -> Callable[[Path], Database]:
    """Open a fresh copy of the seeded template at a path; for tests that need a second file.

    Only a stand-in for `open_database(path)` + `seed_if_empty` while the clock is at NOW and
    nothing exists at `path` yet: the template holds rows stamped at NOW.
    """

    import storage

    def open_copy(path: Path) -> Database:
        assert not path.exists(), f"{path} exists; the template would overwrite it"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seeded_template, path)
        return storage.open_database(path)

    return open_copy


@pytest.fixture
def db(
    settings: Settings,
    frozen_time: time_machine.Coordinates,
    seeded_database: Callable[[Path], Database],
) -> Iterator[Database]:
    """The seeded database at settings.database_path, the clock frozen at NOW."""
    database = seeded_database(settings.database_path)
    yield database
    database.close()


@pytest.fixture
def api() -> OfflineBotApi:
    from bot.cli.offline_api import OfflineBotApi

    return OfflineBotApi()


@pytest.fixture
def chart_pool() -> Iterator[Executor]:
    """Charts drawn in threads: a process pool per test would cost seconds to start."""
    with ThreadPoolExecutor(2, thread_name_prefix="chart") as pool:
        yield pool


@pytest.fixture
async def app(
    settings: Settings, db: Database, api: OfflineBotApi, chart_pool: Executor
) -> AsyncIterator[Application]:
    from bot.app import build_application

    application = build_application(
        settings, db, token=TEST_TOKEN, request=api, chart_executor=chart_pool
    )
    async with application:
        # run_polling calls post_init right after initialize, then starts the application
        # (and its JobQueue, which conversation timeouts need); do the same.
        await application.post_init(application)
        await application.start()
        yield application
        await _stop(application)


async def _stop(application: Application) -> None:
    """`application.stop()`, less PTB's fixed 10 ms sleep in `JobQueue.stop`.

    That sleep lets APScheduler run its shutdown, which it schedules on the event loop: it was
    half of the wall time of a test using `app` (~10 of ~20 ms, a thousand tests), the test
    process idle. Done here in JobQueue.stop's order, the loop runs the shutdown at once, and
    `stop()` then finds the scheduler stopped and skips its sleep.
    """
    job_queue = application.job_queue
    assert job_queue is not None
    # As JobQueue.stop: running jobs finish first (shutting down would cancel them).
    await asyncio.gather(*job_queue._executor._pending_futures, return_exceptions=True)
    job_queue.scheduler.shutdown()
    while job_queue.scheduler.running:
        await asyncio.sleep(0)
    await application.stop()


@dataclass
class Chat:
    """One conversation with the bot: send text as a user, read what the bot answered."""

    app: Application
    api: OfflineBotApi
    user_id: int = READER_ID
    chat_id: int = READER_ID
    chat_type: str = "private"
    first_name: str = "Reader"
    language_code: str | None = None

    async def send(self, text: str, *, edited: bool = False, **message_extra: object) -> list[str]:
        """Process one message (`edited`: an edit of an old one; in a channel: a channel post);
        return the texts of the messages the bot sent in reply."""
        from bot.cli.update_factory import chat_dict, text_update, user_dict
        from tests.html_check import telegram_html_problems

        before = len(self.api.calls)
        update = text_update(
            self.app.bot,
            text,
            user=user_dict(self.user_id, self.first_name, language_code=self.language_code),
            chat=chat_dict(self.chat_id, self.chat_type),
            edited=edited,
            **message_extra,
        )
        await self.app.process_update(update)
        replies = [
            call.params
            for call in self.api.calls[before:]
            if call.method == "sendMessage" and call.params.get("chat_id") == self.chat_id
        ]
        for params in replies:
            assert params.get("parse_mode") == "HTML"
            assert telegram_html_problems(params["text"]) == [], params["text"]
        return [params["text"] for params in replies]

    async def ask(self, text: str) -> str:
        """Send and expect exactly one reply."""
        replies = await self.send(text)
        assert len(replies) == 1, replies
        return replies[0]


@pytest.fixture
def private_chat(app: Application, api: OfflineBotApi) -> Chat:
    return Chat(app, api)


@pytest.fixture
def group_chat(app: Application, api: OfflineBotApi) -> Chat:
    return Chat(app, api, chat_id=GROUP_ID, chat_type="supergroup")


@pytest.fixture(params=["private", "group"])
def any_chat(request: pytest.FixtureRequest, app: Application, api: OfflineBotApi) -> Chat:
    """The same test in a private chat and in a group."""
    if request.param == "private":
        return Chat(app, api)
    return Chat(app, api, chat_id=GROUP_ID, chat_type="supergroup")
