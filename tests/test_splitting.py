"""Splitting long replies: every piece fits, markup stays valid, nothing is lost."""

import re

import pytest

from render.splitting import split_html, telegram_length
from tests.html_check import telegram_html_problems


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_short_text_is_one_message() -> None:
    assert split_html("<b>hi</b>") == ["<b>hi</b>"]


@pytest.mark.parametrize("limit", [100, 200, 4096])
def test_lines_are_packed_under_the_limit(limit) -> None:
    lines = [f"<b>line {n}</b> &amp; text 🚚 {'y' * (n % 37)}" for n in range(400)]
    parts = split_html("\n".join(lines), limit=limit)
    assert all(telegram_length(part) <= limit for part in parts)
    assert all(telegram_html_problems(part) == [] for part in parts)
    assert "\n".join(parts).split("\n") == lines


def test_one_huge_line_is_cut_outside_tags_and_entities() -> None:
    line = "<b>" + "a&amp;b " * 2000 + "</b> <i>" + "z" * 5000 + "</i>"
    parts = split_html(line, limit=4096)
    assert len(parts) > 2
    assert all(telegram_length(part) <= 4096 for part in parts)
    assert all(telegram_html_problems(part) == [] for part in parts)
    assert "".join(visible(part) for part in parts) == visible(line)


def test_emoji_count_as_two_units() -> None:
    assert telegram_length("🚚") == 2
    parts = split_html("\n".join(["🚚" * 30] * 10), limit=100)
    assert all(telegram_length(part) <= 100 for part in parts)


def test_a_line_break_inside_a_tag_is_closed_and_reopened() -> None:
    """A bold title or a link label with a line break used to be cut inside the tag."""
    html = "<b>" + "word " * 500 + "\n" + "more " * 500 + '</b>\n<a href="https://e.org/">'
    html += "label " * 600 + "\nrest</a> tail"
    parts = split_html(html, limit=4096)
    assert len(parts) > 1
    for part in parts:
        assert telegram_html_problems(part) == [], part[-80:]
        assert telegram_length(part) <= 4096
    assert "".join(visible(part) for part in parts).replace("\n", "") == visible(html).replace(
        "\n", ""
    )


def test_no_part_ends_with_an_empty_tag() -> None:
    html = "x" * 4090 + "<b>bold text</b>"
    parts = split_html(html, limit=4096)
    assert parts[0] == "x" * 4090 and parts[1] == "<b>bold text</b>"


@pytest.mark.parametrize("limit", [50, 4096])
def test_cuts_count_utf16_units_and_closing_tags(limit: int) -> None:
    html = "<b><i>" + "🚛" * 5000 + "</i></b>"
    parts = split_html(html, limit=limit)
    assert all(telegram_length(part) <= limit for part in parts)
    assert all(telegram_html_problems(part) == [] for part in parts)
    assert "".join(visible(part) for part in parts) == "🚛" * 5000
