"""Splitting long HTML replies under Telegram's 4096-unit limit without breaking markup.

Telegram refuses a whole message ("can't parse entities") when one tag is left open, and it
counts UTF-16 code units, not characters. Stored text may hold line breaks anywhere, even in
a bold title or a link's label, so a cut can land inside a tag: there every open tag is
closed at the end of the part and opened again at the start of the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TELEGRAM_LIMIT = 4096
# Tags, entities, line breaks, runs of other text, and a stray `<` or `&` as plain text.
_TOKEN = re.compile(
    r"(?P<tag><(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9\-]*)[^<>]*>)"
    r"|&#?[a-zA-Z0-9]{1,10};"
    r"|\n"
    r"|[^<&\n]+"
    r"|[<&]"
)


def telegram_length(value: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), so emoji count as two."""
    return len(value.encode("utf-16-le")) // 2


@dataclass
class _Piece:
    """One token of the reply, with the tags open after it."""

    html: str
    units: int
    open_after: tuple[str, ...]
    is_break: bool = False
    opens: bool = False


@dataclass
class _Part:
    """The message being filled: tags reopened at its start, then its pieces."""

    reopened: tuple[str, ...]
    pieces: list[_Piece] = field(default_factory=list)
    units: int = 0

    def __post_init__(self) -> None:
        self.units = sum(telegram_length(tag) for tag in self.reopened)

    @property
    def open_tags(self) -> tuple[str, ...]:
        return self.pieces[-1].open_after if self.pieces else self.reopened


def split_html(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut a reply into messages of at most `limit` units, each valid HTML on its own.

    Messages end at the last line break that fits (the break itself is dropped, as between
    two messages); a single line longer than a message is cut between characters, never
    inside a tag or an entity. Tags open at a cut are closed there and reopened in the next
    message, and the closing tags count towards the limit.
    """
    if telegram_length(html) <= limit:
        return [html]
    parts: list[str] = []
    current = _Part(())
    for piece in _pieces(html):
        while not _fits(current, piece, limit):
            if _last_break(current) is None and _is_text(piece):
                head, piece = _split_text(piece, current, limit)
                _add(current, head)
            carried = _cut(current, parts)
            if carried is None:  # not even an empty message holds it (huge tags): send as is
                break
            current = carried
        _add(current, piece)
    _emit(current, len(current.pieces), parts)
    return parts


def _pieces(html: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    stack: list[str] = []
    for match in _TOKEN.finditer(html):
        token = match.group()
        opens = False
        if match.group("tag"):
            if match.group("close"):
                name = match.group("name").lower()
                if stack and _name(stack[-1]) == name:
                    stack.pop()
            elif not token.endswith("/>"):
                stack.append(token)
                opens = True
        pieces.append(_Piece(token, telegram_length(token), tuple(stack), token == "\n", opens))
    return pieces


def _closing(tags: tuple[str, ...]) -> str:
    return "".join(f"</{_name(tag)}>" for tag in reversed(tags))


def _closing_units(tags: tuple[str, ...]) -> int:
    return sum(len(_name(tag)) + 3 for tag in tags)


def _fits(part: _Part, piece: _Piece, limit: int) -> bool:
    return part.units + piece.units + _closing_units(piece.open_after) <= limit


def _add(part: _Part, piece: _Piece) -> None:
    if piece.html:
        part.pieces.append(piece)
        part.units += piece.units


def _is_text(piece: _Piece) -> bool:
    return piece.html[:1] not in ("<", "&", "\n", "")


def _last_break(part: _Part) -> int | None:
    """The last line break with something visible before it: where a cut reads best."""
    for index in range(len(part.pieces) - 1, -1, -1):
        if part.pieces[index].is_break:
            return index if _visible(part.pieces[:index]) else None
    return None


def _cut(part: _Part, parts: list[str]) -> _Part | None:
    """Emit the part up to its last line break (else all of it); return what carries over.

    Opening tags at the very end move to the next part rather than leaving an empty tag.
    None when there is nothing visible to emit.
    """
    end = _last_break(part)
    if end is not None:
        resume = end + 1
    else:
        end = len(part.pieces)
        while end > 0 and part.pieces[end - 1].opens:
            end -= 1
        resume = end
    if not _visible(part.pieces[:end]):
        return None
    tags = part.pieces[end - 1].open_after
    _emit(part, end, parts)
    return _rest(part, resume, tags)


def _rest(part: _Part, start: int, reopened: tuple[str, ...]) -> _Part:
    rest = _Part(reopened)
    rest.pieces = part.pieces[start:]
    rest.units += sum(piece.units for piece in rest.pieces)
    return rest


def _emit(part: _Part, end: int, parts: list[str]) -> None:
    pieces = part.pieces[:end]
    while pieces and pieces[-1].is_break:
        pieces.pop()
    start = 0
    while start < len(pieces) and pieces[start].is_break:
        start += 1
    pieces = pieces[start:]
    if not _visible(pieces):
        return
    tags = pieces[-1].open_after
    parts.append("".join(part.reopened) + "".join(p.html for p in pieces) + _closing(tags))


def _visible(pieces: list[_Piece]) -> bool:
    return any(not piece.html.startswith("<") and piece.html.strip() for piece in pieces)


def _split_text(piece: _Piece, part: _Part, limit: int) -> tuple[_Piece, _Piece]:
    """Cut a run of text so that its head fills what is left of the part (maybe nothing)."""
    room = limit - part.units - _closing_units(piece.open_after)
    size, cut = 0, len(piece.html)
    for index, char in enumerate(piece.html):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > room:
            cut = index
            break
    if cut == 0 and not part.pieces:  # an empty part must take something, or nothing moves
        cut = 1
    head, tail = piece.html[:cut], piece.html[cut:]
    return (
        _Piece(head, telegram_length(head), piece.open_after),
        _Piece(tail, telegram_length(tail), piece.open_after),
    )


def _name(tag: str) -> str:
    match = _TOKEN.match(tag)
    return match.group("name").lower() if match and match.group("name") else ""
