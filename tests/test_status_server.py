"""The live status page (WEB_PORT): the built files, read-only, current after a change."""

from __future__ import annotations

import asyncio
import socket

import httpx

import storage
from storage.models import Actor
from web.server import StatusSite, serve

EDITOR = Actor(id=1, name="Editor")


def _client(site: StatusSite) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site), base_url="http://site")


async def test_pages_feeds_and_charts_are_served(db, settings) -> None:
    # One channel on the page: serving it is what is tested here (tests/test_site.py checks
    # what the pages say); with every seeded channel the first request drew 14 charts (3 s).
    for channel in storage.list_channels(db):
        if channel.slug != "aid":
            storage.set_archived(db, channel_id=channel.id, archived=True, actor=EDITOR)
    async with _client(StatusSite(settings.database_path, settings.zone)) as client:
        index = await client.get("/")
        assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in index.headers["content-security-policy"]
        assert (await client.get("/uk/")).text.count("Де стоять переговори") >= 1
        assert (await client.get("/atom.xml")).headers["content-type"].startswith("application/xml")
        assert (await client.get("/charts/aid.png")).content.startswith(b"\x89PNG")
        assert (await client.get("/../../etc/passwd")).status_code == 404
        assert (await client.get("/nothing.html")).status_code == 404


async def test_nothing_but_get_and_head(db, settings) -> None:
    site = StatusSite(settings.database_path, settings.zone, with_charts=False)
    async with _client(site) as client:
        for method in ["POST", "PUT", "DELETE", "PATCH"]:
            answer = await client.request(method, "/index.html", content=b"x")
            assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD"
        head = await client.head("/index.html")
        assert head.status_code == 200 and head.content == b""


async def test_a_change_shows_on_the_next_request(db, settings) -> None:
    site = StatusSite(settings.database_path, settings.zone, with_charts=False)
    async with _client(site) as client:
        assert "Convoys rolling again" not in (await client.get("/")).text
        channel = storage.find_channel(db, "aid")
        storage.record_status(
            db, channel_id=channel.id, kind="status", phase="stalled",
            summary="Convoys rolling again", actor=Actor(id=1, name="Editor"),
        )  # fmt: skip
        assert "Convoys rolling again" in (await client.get("/")).text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_uvicorn_serves_it_on_loopback_and_stops(db, settings) -> None:
    port, stopping, started = _free_port(), asyncio.Event(), asyncio.Event()
    site = StatusSite(settings.database_path, settings.zone, with_charts=False)
    await site.files()  # built once up front, so the request below does not wait for charts
    server = asyncio.create_task(serve(site, "127.0.0.1", port, stopping, started))
    await asyncio.wait_for(started.wait(), 30)
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.get(f"http://127.0.0.1:{port}/index.html")
        assert answer.status_code == 200 and "Backchannel" in answer.text
    stopping.set()
    await asyncio.wait_for(server, 30)
