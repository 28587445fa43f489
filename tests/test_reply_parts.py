"""Whatever text is stored, every part of every reply is HTML Telegram accepts, under 4096.

Hypothesis writes arbitrary stored text (titles, summaries, labels and actor names with line
breaks, emoji, `<`, `>` and `&`), renders it with the real renderers and splits it the way
every reply and digest is split. Titles and labels can no longer hold line breaks, but rows
written before that rule (or by hand) still must not produce a message Telegram refuses.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage
from digests.alerts import alert_text
from digests.builder import DigestBuilder
from language.i18n import texts
from render.admin import note_echo, status_echo, undo_echo
from render.answers import changes_view, latest_view
from render.channels import channel_detail, channel_list, history_view, status_overview
from render.splitting import TELEGRAM_LIMIT, split_html, telegram_length
from storage.seed import load_seed
from tests.html_check import telegram_html_problems

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Kyiv")
EN = texts("en")
LADDER = storage.PhaseLadder(
    phases=tuple(
        storage.Phase(**phase.model_dump(), rank=rank)
        for rank, phase in enumerate(load_seed().phases)
    )
)
CHARACTERS = st.one_of(
    st.sampled_from(list("ab <>&\"';🚛🇺🇦é")),
    st.characters(exclude_categories=["Cs"]),
)
# Line breaks are where replies are cut, so titles and labels get many: a cut inside them is
# what used to break the markup.
BROKEN = st.one_of(CHARACTERS, st.just("\n"))
TEXT = st.text(CHARACTERS, min_size=1, max_size=500)
SHORT = st.text(BROKEN, min_size=1, max_size=120)
URL = st.one_of(
    st.none(),
    st.sampled_from(["https://example.org/a?x=1&y=<2>", "javascript:alert(1)", "http://e.org"]),
    st.builds(lambda tail: "https://e.org/" + tail, st.text(CHARACTERS, max_size=40)),
)


@st.composite
def entries(draw: st.DrawFn, channel_id: int, count: int) -> list[storage.StatusEntry]:
    return [
        storage.StatusEntry(
            id=channel_id * 1000 + number,
            channel_id=channel_id,
            kind=draw(st.sampled_from(["status", "note"])),
            phase=draw(st.sampled_from(LADDER.slugs())),
            summary=draw(TEXT),
            source_label=draw(st.one_of(st.none(), SHORT)),
            source_url=draw(URL),
            source_grade=draw(st.sampled_from(["official", "mediator", "media", "unconfirmed"])),
            changed_at=NOW - timedelta(days=number),
            recorded_at=NOW - timedelta(days=number),
            actor_id=None,
            actor_name=draw(SHORT),
        )
        for number in range(1, count + 1)
    ]


@st.composite
def channels(draw: st.DrawFn) -> list[tuple[storage.ChannelStatus, list[storage.StatusEntry]]]:
    found = []
    for channel_id in range(1, draw(st.integers(1, 4)) + 1):
        history = draw(entries(channel_id, draw(st.integers(1, 25))))
        channel = storage.Channel(
            id=channel_id, slug=f"c{channel_id}", title=draw(SHORT), aliases=[], keywords=[],
            archived=False, position=channel_id, verified_at=None,
        )  # fmt: skip
        current = replace(history[0], kind="status")
        status = storage.ChannelStatus(
            channel=channel, current=current, phase=LADDER.get(current.phase),
            previous_phase=history[1].phase if len(history) > 1 else None,
            ladder=LADDER,
        )  # fmt: skip
        found.append((status, history))
    return found


def _replies(
    world: list[tuple[storage.ChannelStatus, list[storage.StatusEntry]]], limit: int
) -> list[str]:
    statuses = [status for status, _ in world]
    by_id = {status.channel.id: status.channel for status in statuses}
    every = [entry for _, history in world for entry in history]
    changes = storage.Changes(entries=every, total=len(every) + 3)
    replies = [
        status_overview(statuses, NOW, EN),
        channel_list([status.channel for status in statuses], EN),
        changes_view(changes, by_id, LADDER, ZONE, EN, period="this week"),
    ]
    for status, history in world:
        replies += [
            channel_detail(status, history[:3], LADDER, NOW, ZONE, EN),
            history_view(status.channel, history, LADDER, ZONE, EN),
            status_echo(status, LADDER, EN),
            note_echo(status, history[-1], EN),
            undo_echo(
                storage.UndoResult(reverted=history[0], restored=history[-1]), "t", LADDER, EN
            ),
            latest_view(status.channel, history[0], LADDER, NOW, ZONE, EN),
        ]
    digest_changes = [
        storage.DigestChange(entry=entry, previous_phase=LADDER.slugs()[0]) for entry in every
    ]
    builder = DigestBuilder(
        digest_changes, [s.channel for s in statuses], LADDER, lowest=0, upto=10**9, now=NOW,
        limit=limit,
    )  # fmt: skip
    parts = [*builder.build_for(None, 0, "Europe/Kyiv").parts]
    replies.append(alert_text(digest_changes, by_id, LADDER, "Europe/Kyiv", EN)[0])
    return [part for html in replies for part in split_html(html, limit)] + parts


# Telegram's own limit, and smaller ones so that more cuts land inside tags.
LIMITS = st.one_of(st.just(TELEGRAM_LIMIT), st.integers(400, TELEGRAM_LIMIT))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=channels(), limit=LIMITS)
def test_every_part_is_valid_telegram_html_within_the_limit(world, limit: int) -> None:
    for part in _replies(world, limit):
        assert telegram_html_problems(part) == [], part
        assert 0 < telegram_length(part) <= limit
        assert re.sub(r"<[^>]*>", "", part).strip()
