"""The pure digest builder: what a digest says, how it is shared and how it is split."""

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import storage
from bench.synthetic import add_recent_history
from digests.builder import FOOTER, SHARED_DIGESTS, _pack, _pack_runs, _Run
from language import i18n
from render.splitting import telegram_length
from tests.digest_support import builder_for, set_status
from tests.html_check import telegram_html_problems

NOW = datetime(2026, 11, 25, 6, tzinfo=UTC)


def ids(db, *slugs: str) -> frozenset[int]:
    return frozenset(storage.find_channel(db, slug).id for slug in slugs)


@pytest.fixture
def seeded_upto(db) -> int:
    return storage.latest_change_id(db)


def test_changes_grouped_by_channel_with_trend_notes_and_sources(db, seeded_upto) -> None:
    set_status(db, "exchanges", "negotiating", "Talks on a new swap")
    set_status(db, "ceasefire", "negotiating", "Easter pause discussed",
               source_label="Reuters", source_url="https://example.org/r?a=1&b=2")  # fmt: skip
    set_status(db, "ceasefire", "stalled", "Talks broke off")
    set_status(db, "ceasefire", "stalled", "Mediators still call both sides", kind="note")
    (part,) = builder_for(db).build_for(None, seeded_upto, "Europe/Kyiv").parts
    assert telegram_html_problems(part) == []
    assert part.startswith("📰 <b>Backchannel digest</b> · 25 Nov 2026")
    assert "4 changes in 2 channels since your last digest" in part
    # Channels in display order (ceasefire before exchanges), changes oldest first inside.
    ceasefire = part.index("<b>Tactical ceasefire proposals</b> · /ceasefire")
    assert ceasefire < part.index("<b>Detainee swaps and prisoner releases</b>")
    block = part[ceasefire:]
    assert "🔎 Exploratory → 🤝 Negotiating · ⬆️ improved" in block
    assert "🤝 Negotiating → 🧊 Stalled · ⬇️ setback" in block
    assert block.index("Easter pause") < block.index("broke off") < block.index("Mediators")
    assert "📌 <b>Note</b> (🧊 Stalled)" in block
    assert '<a href="https://example.org/r?a=1&amp;b=2">Reuters</a> (unconfirmed)' in block
    assert "🚚 Implementing → 🤝 Negotiating · ⬇️ setback" in part
    assert "Leader-level summit" not in part


def test_only_changes_after_the_watermark_of_followed_channels(db) -> None:
    set_status(db, "aid", "negotiating", "old aid news")
    watermark = storage.latest_change_id(db)
    set_status(db, "aid", "agreement", "new aid news")
    set_status(db, "corridors", "negotiating", "corridor news")
    builder = builder_for(db)
    (part,) = builder.build_for(ids(db, "aid"), watermark, "UTC").parts
    assert "new aid news" in part and "old aid news" not in part
    assert "corridor news" not in part and "1 change in 1 channel" in part
    both = builder.build_for(ids(db, "aid", "corridors"), watermark, "UTC")
    assert both.change_count == 2 and both.upto == storage.latest_change_id(db)


def test_nothing_new_gives_a_short_note(db, seeded_upto) -> None:
    set_status(db, "aid", "negotiating", "aid news")
    digest = builder_for(db).build_for(ids(db, "summit"), seeded_upto, "UTC", first=True)
    assert digest.empty
    assert digest.parts == ("📰 <b>Backchannel digest</b> · 25 Nov 2026\n"
                            "Nothing new in your channels since you subscribed.",)  # fmt: skip


def test_dates_follow_the_subscriber_zone(db, seeded_upto) -> None:
    set_status(db, "aid", "negotiating", "late news",
               changed_at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC))  # fmt: skip
    builder = builder_for(db)
    assert "• 24 Nov 2026:" in builder.build_for(None, seeded_upto, "UTC").parts[0]
    assert "• 25 Nov 2026:" in builder.build_for(None, seeded_upto, "Europe/Kyiv").parts[0]
    assert "• 24 Nov 2026:" in builder.build_for(None, seeded_upto, "America/New_York").parts[0]


def test_identical_digests_are_rendered_once(db, seeded_upto) -> None:
    set_status(db, "aid", "negotiating", "aid news")
    set_status(db, "ceasefire", "negotiating", "ceasefire news")
    builder = builder_for(db)
    keys = [(None, seeded_upto), (ids(db, "aid"), seeded_upto), (ids(db, "aid"), seeded_upto + 1)]
    digests = [builder.build_for(*keys[n % 3], "Europe/Kyiv") for n in range(3000)]
    assert builder.distinct_digests == 3
    assert digests[0] is digests[3] and digests[1] is digests[1000]
    assert digests[2].empty and not digests[1].empty
    # Each subscriber's read joins the text; what the builder keeps for sharing holds none,
    # so a batch's texts do not stay in memory.
    assert [digest.parts for digest in digests[:6]] == [digest.parts for digest in digests[3:9]]
    assert all(kept._parts is None for kept in builder._digests.values() if not kept.empty)


def test_admin_text_is_escaped(db, seeded_upto) -> None:
    set_status(db, "aid", "negotiating", "<b>Convoy</b> & trucks <script>")
    (part,) = builder_for(db).build_for(None, seeded_upto, "UTC").parts
    assert "&lt;b&gt;Convoy&lt;/b&gt; &amp; trucks &lt;script&gt;" in part
    assert telegram_html_problems(part) == []


def test_long_digest_is_split_between_changes_under_4096(db, seeded_upto) -> None:
    # Lines of about 900 characters: a channel's 10 shown changes (SHOWN_PER_CHANNEL) alone
    # take more than two messages.
    for number in range(40):
        set_status(db, "aid", "negotiating", f"aid entry {number:02d} " + "ü" * 900)
        set_status(db, "corridors", "proposed", f"corridor entry {number:02d} " + "🚛" * 450)
    parts = builder_for(db).build_for(None, seeded_upto, "UTC").parts
    assert len(parts) > 3
    for part in parts:
        assert len(part.encode("utf-16-le")) // 2 <= 4096
        assert telegram_html_problems(part) == []
    joined = "\n".join(parts)
    for number in range(40):
        shown = 1 if number >= 30 else 0  # the 10 most recent of each channel
        assert joined.count(f"aid entry {number:02d} ") == shown
        assert joined.count(f"corridor entry {number:02d} ") == shown
    # Every message after the first starts with the channel it continues.
    assert all(part.startswith("<b>") for part in parts[1:])
    assert "(continued)" in joined
    assert parts[-1].endswith("/mysubs · /digesttime · /quiet · /unsubscribe")


def _units(part: str) -> int:
    return len(part.encode("utf-16-le")) // 2


def test_a_channel_section_that_does_not_fit_starts_the_next_message(db, seeded_upto) -> None:
    # Three channels of about 1,600 characters each: filled to the limit, the first message
    # would end part-way through the third channel. A reader gets whole channels instead.
    slugs = ["aid", "ceasefire", "corridors"]  # display order
    for slug in slugs:
        for number in range(4):
            set_status(db, slug, "negotiating", f"{slug} entry {number} " + "ü" * 300)
    titles = [f"· /{slug}" for slug in slugs]
    for alerted in (None, {seeded_upto + 1: NOW}):  # packed from runs, and line by line
        parts = builder_for(db).build_for(None, seeded_upto, "UTC", alerted=alerted).parts
        assert len(parts) == 2
        assert all(_units(part) <= 4096 for part in parts)
        assert all(telegram_html_problems(part) == [] for part in parts)
        assert "(continued)" not in "".join(parts)
        assert parts[0].startswith("📰 <b>Backchannel digest</b>")
        assert titles[0] in parts[0] and titles[1] in parts[0] and titles[2] not in parts[0]
        assert parts[1].startswith("<b>") and parts[1].split("\n")[0].endswith(titles[2])
        # Nothing lost, nothing repeated, in order.
        joined = "\n".join(parts)
        positions = [joined.index(f"{slug} entry {n} ") for slug in slugs for n in range(4)]
        assert positions == sorted(positions)
        assert all(joined.count(f"{slug} entry {n} ") == 1 for slug in slugs for n in range(4))
        assert parts[1].endswith(FOOTER)


def test_a_channel_section_longer_than_a_message_is_still_cut_and_labelled(db, seeded_upto) -> None:
    # A short first channel, then one whose 10 shown changes alone (about 9,000 characters)
    # exceed a message: it starts right after the first and goes on in "(continued)" messages.
    set_status(db, "aid", "negotiating", "short aid news")
    for number in range(10):
        set_status(db, "ceasefire", "negotiating", f"ceasefire entry {number} " + "ü" * 900)
    for alerted in (None, {seeded_upto + 1: NOW}):
        parts = builder_for(db).build_for(None, seeded_upto, "UTC", alerted=alerted).parts
        assert len(parts) >= 3
        assert all(_units(part) <= 4096 for part in parts)
        assert "short aid news" in parts[0] and "· /ceasefire" in parts[0]
        assert all(part.startswith("<b>") and "(continued)" in part.split("\n")[0]
                   for part in parts[1:])  # fmt: skip
        joined = "\n".join(parts)
        assert all(joined.count(f"ceasefire entry {n} ") == 1 for n in range(10))


def test_one_change_longer_than_a_message_is_still_sent_whole(db, seeded_upto) -> None:
    set_status(db, "aid", "negotiating", "essay " + "word " * 1500)
    parts = builder_for(db).build_for(None, seeded_upto, "UTC").parts
    assert len(parts) >= 2
    assert all(len(part.encode("utf-16-le")) // 2 <= 4096 for part in parts)
    assert sum(part.count("w") for part in parts) == 1500  # cut between characters, none lost


def test_watermark_older_than_the_builder_is_refused(db, seeded_upto) -> None:
    builder = builder_for(db, lowest=seeded_upto)
    with pytest.raises(ValueError, match="older"):
        builder.build_for(None, seeded_upto - 1, "UTC")


def test_extending_to_older_changes_gives_what_a_fresh_builder_gives(db, seeded_upto) -> None:
    set_status(db, "ceasefire", "negotiating", "First talks")
    middle = storage.latest_change_id(db)
    set_status(db, "ceasefire", "stalled", "Talks broke off")
    set_status(db, "aid", "negotiating", "Convoy talks")
    builder = builder_for(db, lowest=middle)
    newer = builder.build_for(None, middle, "Europe/Kyiv")
    assert "First talks" not in newer.parts[0] and "broke off" in newer.parts[0]
    # A subscriber further behind arrives: the run adds the older changes it needs.
    builder.extend(storage.changes_between(db, seeded_upto, middle), seeded_upto)
    for watermark in (seeded_upto, middle):
        fresh = builder_for(db, lowest=seeded_upto).build_for(None, watermark, "Europe/Kyiv")
        assert builder.build_for(None, watermark, "Europe/Kyiv") == fresh
    assert "First talks" in builder.build_for(None, seeded_upto, "Europe/Kyiv").parts[0]


# Lines as digests have them: emoji (two UTF-16 units each), Cyrillic, markup; some longer
# than a whole message (a pasted essay), which the packer must still send, cut by lines.
# Each is 1-60 pieces ("a", " ", a Cyrillic letter, "🤝", "<b>x</b>", "\n  ") drawn as one
# string over six characters, two of which stand for the longer pieces: the same lines as a
# list of pieces joined, at half of hypothesis's cost to draw (most of the test's time).
_PIECES = str.maketrans({"\x00": "<b>x</b>", "\x01": "\n  "})
_LINE = st.text(alphabet="a \u0431🤝\x00\x01", min_size=1, max_size=60).map(
    lambda drawn: drawn.translate(_PIECES)
)


@settings(max_examples=300, deadline=None)
@given(
    sections=st.lists(
        st.tuples(st.sampled_from(["<b>Aid</b> · /aid", "<b>Сводка</b> · /x"]),
                  st.lists(_LINE, min_size=1, max_size=12), st.integers(0, 11),
                  st.integers(1, 12), st.none() | _LINE, st.booleans()),
        min_size=1, max_size=4,
    ),
    limit=st.integers(40, 400),
)  # fmt: skip
def test_packing_slices_of_joined_lines_gives_the_same_messages_as_line_by_line(
    sections, limit
) -> None:
    intro = "📰 <b>Backchannel digest</b> · 1 Dec 2026\n<i>3 changes</i>"
    by_line, by_run = [], []
    for title, texts, start, length, earlier, joined in sections:
        lines = [(line, telegram_length(line)) for line in texts]
        start = min(start, len(lines) - 1)
        stop = min(start + length, len(lines))  # a digest resumed after a crash ends early
        run = _Run.of(lines)
        # The "… and N earlier changes" line after a capped channel's lines, or none.
        tail = None if earlier is None else (earlier, telegram_length(earlier))
        by_line.append((title, lines[start:stop] + ([tail] if tail else [])))
        # Lines to the end of the run, joined under their title, as a digest reading to the
        # newest change has them (or not: then packed line by line).
        whole = run.whole((title, telegram_length(title)), start, {})
        usable = joined and stop == len(lines)
        by_run.append(
            ((title, telegram_length(title)), run, start, stop, tail, whole if usable else None)
        )
    english = i18n.texts("en")
    assert _pack_runs(intro, by_run, FOOTER, limit, english) == _pack(
        intro, by_line, FOOTER, limit, english
    )


def test_alert_marks_change_only_the_marked_line(db, seeded_upto) -> None:
    # Digests with marks are packed line by line, the others from joined runs: same text.
    set_status(db, "aid", "negotiating", "Convoy talks")
    entry = set_status(db, "aid", "stalled", "Convoy talks stalled")
    builder = builder_for(db)
    alerted_at = datetime(2026, 11, 25, 5, 14, tzinfo=UTC)
    plain = builder.build_for(None, seeded_upto, "UTC").parts
    marked = builder.build_for(None, seeded_upto, "UTC", alerted={entry.id: alerted_at}).parts
    assert [part.replace(" · 🔔 alerted 05:14", "") for part in marked] == list(plain)
    assert "🔔 alerted 05:14" in marked[0]


def test_shared_digests_are_bounded_but_every_render_is_counted(db, seeded_upto) -> None:
    set_status(db, "aid", "negotiating", "Convoy talks")
    builder = builder_for(db)
    zones = ["UTC", "Europe/Kyiv", "Asia/Tokyo"]
    for watermark in range(seeded_upto - 5, seeded_upto + 1):
        for zone in zones:
            builder.build_for(None, watermark, zone)
    assert builder.distinct_digests == 6 * 3
    assert len(builder._digests) <= SHARED_DIGESTS


def test_a_digest_read_after_the_builder_reached_further_back_is_unchanged(db) -> None:
    # A digest's text is joined when it is first read; by then a later batch may have widened
    # the builder to older changes, which moves every position in its joined lines.
    set_status(db, "aid", "negotiating", "old aid news")
    middle = storage.latest_change_id(db)
    set_status(db, "aid", "stalled", "new aid news")
    set_status(db, "ceasefire", "negotiating", "new ceasefire news")
    upto = storage.latest_change_id(db)
    fresh = builder_for(db, middle).build_for(None, middle, "UTC").parts
    builder = builder_for(db, middle)
    planned = builder.build_for(None, middle, "UTC")
    _ = builder.build_for(None, middle, "Asia/Tokyo").parts  # joins runs before widening
    builder.extend(storage.changes_between(db, 0, middle), 0)
    assert planned.parts == fresh
    assert "new aid news" in planned.parts[0] and "old aid news" not in planned.parts[0]
    assert builder.build_for(None, 0, "UTC").change_count > planned.change_count
    assert upto == planned.upto


def test_a_run_shared_builder_gives_every_digest_what_a_builder_of_its_own_gives(db) -> None:
    # A run's builder shares a lot between digests: dated lines per zone, joined runs per
    # channel and zone, intros, "(continued)" labels, plans made before it reached further
    # back. Random audiences must read exactly what a builder made for each of them alone.
    end = datetime(2026, 11, 24, 12, tzinfo=UTC)
    change_ids = add_recent_history(db, end=end, days=6, per_day=15)
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    zones = ["UTC", "Europe/Kyiv", "America/Los_Angeles", "Pacific/Auckland"]
    rng = random.Random(11)

    for limit in (700, 4096):
        shared = builder_for(db, change_ids[-10], limit)
        planned = []
        for number in range(300):
            watermark = rng.choice(change_ids[-10:] if number < 100 else change_ids[:-1])
            if watermark < shared.lowest:
                shared.extend(storage.changes_between(db, watermark, shared.lowest), watermark)
            subset = frozenset(rng.sample(channel_ids, rng.randint(1, len(channel_ids))))
            key = (
                None if rng.random() < 0.3 else subset,
                watermark,
                rng.choice(zones),
                rng.random() < 0.1,
                None,
                rng.choice([None, None, rng.choice(change_ids)]),
                rng.choice(["en", "uk"]),
            )
            digest = shared.build_for(*key)
            if number % 3:
                _ = digest.parts  # some joined at once, the rest after the builder reached back
            planned.append((key, digest))
        for key, digest in planned:
            alone = builder_for(db, key[1], limit).build_for(*key)
            assert (digest.parts, digest.change_count, digest.upto) == (
                alone.parts,
                alone.change_count,
                alone.upto,
            )


def test_digests_to_the_newest_change_read_as_if_packed_line_by_line(db) -> None:
    # Nearly every digest of a run is planned from each channel's lines joined once per zone
    # (`_plan_newest`); a section that must be cut goes through positions (`_pack_runs`).
    # Either way the messages must be what packing every line one by one gives (`_pack`, as
    # digests with alert marks are packed), for any audience and any message size.
    end = datetime(2026, 11, 24, 12, tzinfo=UTC)
    change_ids = add_recent_history(db, end=end, days=4, per_day=20)
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    zones = ["UTC", "Europe/Kyiv", "Pacific/Auckland"]
    rng = random.Random(5)
    planned = cut = 0
    # Many sizes: the cases that tell packers apart (a section that fits a message alone but
    # not after the intro, a footer that just fits) each sit in a narrow band of sizes.
    for limit in [4096, *rng.sample(range(300, 4096), 40)]:
        builder = builder_for(db, change_ids[0], limit)
        for _ in range(30):
            watermark = rng.choice(change_ids[:-1])
            subset = frozenset(rng.sample(channel_ids, rng.randint(1, len(channel_ids))))
            channels = None if rng.random() < 0.3 else subset
            zone, first, language = rng.choice(zones), rng.random() < 0.2, rng.choice(["en", "uk"])
            digest = builder.build_for(channels, watermark, zone, first, language=language)
            planned, cut = planned + (digest._plan is not None), cut + (digest._join is not None)
            _ = i18n.texts(language)
            sections, count = builder._sections(watermark, len)
            if channels is not None:
                sections = [section for section in sections if section[0] in channels]
                count = sum(stop - after for _cid, _start, stop, after in sections)
            if not count:
                assert digest.empty
                continue
            by_line = builder._join_marked(sections, count, zone, first, (), _)
            assert list(digest.parts) == by_line
            assert all(telegram_length(part) <= limit for part in digest.parts)
    assert planned > 100 and cut > 100  # both ways were taken


def test_plans_at_the_exact_limit_match_packing_line_by_line(db) -> None:
    # A section or a footer that fills a message to exactly the limit, or one unit over it,
    # is where planning by running lengths and packing line by line could part: limits are
    # taken from the messages' own lengths, so every digest meets those edges.
    end = datetime(2026, 11, 24, 12, tzinfo=UTC)
    change_ids = add_recent_history(db, end=end, days=3, per_day=20)
    channel_ids = [channel.id for channel in storage.list_channels(db)]
    rng = random.Random(11)
    footer = telegram_length("\n\n" + FOOTER)
    checked = 0
    for _ in range(12):
        watermark = rng.choice(change_ids[:-1])
        channels = frozenset(rng.sample(channel_ids, rng.randint(2, len(channel_ids))))
        zone, first = rng.choice(["UTC", "Asia/Tokyo"]), rng.random() < 0.3
        wide = builder_for(db, change_ids[0], rng.randint(1500, 4096))
        sections, count = wide._sections(watermark, len)
        sections = [section for section in sections if section[0] in channels]
        count = sum(stop - after for _cid, _start, stop, after in sections)
        if not count:
            continue
        _ = i18n.texts("en")
        lengths = {telegram_length(part) for part in wide._join_marked(sections, count, zone,
                                                                        first, (), _)}  # fmt: skip
        for limit in {edge + step for edge in lengths for step in (-footer, 0)
                      for step in (step - 1, step, step + 1)}:  # fmt: skip
            builder = builder_for(db, change_ids[0], limit)
            digest = builder.build_for(channels, watermark, zone, first)
            assert list(digest.parts) == builder._join_marked(sections, count, zone, first, (), _)
            checked += 1
    assert checked > 100
