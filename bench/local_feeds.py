"""The source-watch benchmark's feeds, served from their own process on 127.0.0.1.

Kept apart from bench/sources_bench.py so the server process imports only the standard
library: spawning it with the bot's imports took seconds of the quick run.
"""

# ruff: noqa: RUF001 (Ukrainian headlines)
from __future__ import annotations

import os
import random
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Stories in the words of the seeded channels, English and Ukrainian, plus news no channel
# is about. Each story has its own numbers and place, so different stories differ.
_TEMPLATES = [
    "Prisoner exchange: {n} detainees returned home via {city}",
    "Обмін полоненими: додому повернулися {n} захисників",
    "Humanitarian aid convoy of {n} trucks reaches {city}",
    "Гуманітарна допомога: {n} тонн ліків доставлено до {city}",
    "Tactical ceasefire of {n} hours proposed around {city}",
    "Перемир'я на {n} годин обговорюють у {city}",
    "Humanitarian corridor for {n} civilians opened near {city}",
    "Summit: presidents may meet in {city} within {n} days",
    "Energy infrastructure repair talks: {n} substations near {city}",
    "Weather: {n} mm of rain expected in {city}",
    "Football: {city} wins {n}-0 at home",
]
_CITIES = ["Istanbul", "Geneva", "Kherson", "Zaporizhzhia", "Doha", "Riyadh", "Vienna", "Odesa"]
_CITIES += ["Kharkiv", "Sumy", "Mykolaiv", "Ankara", "Abu Dhabi", "Rome", "Minsk"]


def feeds(sources: int, items: int, seed: int = 7) -> dict[str, bytes]:
    """Deterministic RSS bodies: about half the items repeat a story another feed has."""
    rng = random.Random(seed)
    stories = [
        rng.choice(_TEMPLATES).format(n=rng.randrange(2, 999), city=rng.choice(_CITIES))
        for _ in range(sources * items // 2)
    ]
    bodies = {}
    for source in range(sources):
        entries = []
        for item in range(items):
            story = rng.randrange(len(stories))
            title = stories[story]
            shared = rng.random() < 0.5
            link = (
                f"https://news.example/{story}"
                if shared
                else f"https://source{source}.example/{item}"
            )
            if not shared and rng.random() < 0.3:
                title = title.upper() + "!"  # the same report, worded by another desk
            minute = (source * items + item) % 1440
            entries.append(
                f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
                f"<pubDate>Mon, 23 Nov 2026 {minute // 60:02d}:{minute % 60:02d}:00 GMT</pubDate>"
                f"<description>&lt;p&gt;Report {item} of source {source}: {title}.&lt;/p&gt;"
                "</description></item>"
            )
        bodies[f"/feed/{source}.xml"] = (
            "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>Source {source}</title>{''.join(entries)}</channel></rss>"
        ).encode()
    return bodies


def start(sources: int, items: int) -> tuple[subprocess.Popen[str], int]:
    """A fresh interpreter serving the feeds (only this module imported); and its port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.local_feeds", str(sources), str(items)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.strip().isdigit():
        process.kill()
        raise RuntimeError(f"the feed server did not start: {line!r}")
    return process, int(line)


def serve(sources: int, items: int) -> None:
    """Serve `feeds(sources, items)` on a free port of 127.0.0.1, said on stdout."""
    # The feeds stand in for servers elsewhere on the internet: keep their CPU out of the way.
    os.nice(15)
    bodies = feeds(sources, items)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            payload = body or b""
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
