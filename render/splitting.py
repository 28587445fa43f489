"""Splitting long HTML replies under Telegram's 4096-character limit without breaking markup."""

import re

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"<(/?)([a-zA-Z\-]+)[^>]*>")


def telegram_length(value: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), so emoji count as two."""
    return len(value.encode("utf-16-le")) // 2


def split_html(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut a reply into messages of at most `limit`, preferring paragraph, then line breaks.

    Views build replies from self-contained lines (every tag closes on the line it opens),
    so cutting between lines never splits a tag. A single line longer than the limit is cut
    between characters, outside tags and entities, closing and reopening open tags.
    """
    if telegram_length(html) <= limit:
        return [html]
    chunks: list[str] = []
    current = ""
    for line in _lines_within(html, limit):
        candidate = f"{current}\n{line}" if current else line
        if telegram_length(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            chunks.append(current.strip("\n"))
        current = line
    if current.strip():
        chunks.append(current.strip("\n"))
    return chunks


def _lines_within(html: str, limit: int) -> list[str]:
    lines: list[str] = []
    for line in html.split("\n"):
        lines.extend([line] if telegram_length(line) <= limit else _hard_split(line, limit))
    return lines


def _hard_split(line: str, limit: int) -> list[str]:
    # Leave room to close and reopen tags that span the cut.
    budget = max(limit - 200, limit // 2)
    pieces: list[str] = []
    open_tags: list[str] = []
    current = ""
    position = 0
    while position < len(line):
        match = _TAG.match(line, position)
        if match:
            token = match.group(0)
            if match.group(1):
                if open_tags:
                    open_tags.pop()
            else:
                open_tags.append(token)
        elif line[position] == "&" and 0 < (end := line.find(";", position)) - position <= 10:
            token = line[position : end + 1]
        else:
            token = line[position]
        if telegram_length(current) + telegram_length(token) > budget and not match:
            closing = "".join(f"</{_name(tag)}>" for tag in reversed(open_tags))
            pieces.append(current + closing)
            current = "".join(open_tags)
        current += token
        position += len(token)
    if current:
        pieces.append(current)
    return pieces


def _name(tag: str) -> str:
    match = _TAG.match(tag)
    return match.group(2) if match else ""
