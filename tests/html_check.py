"""Checks that a reply is HTML Telegram accepts: known tags only, balanced, entities escaped."""

import re
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}  # fmt: skip
_BARE_AMPERSAND = re.compile(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def telegram_html_problems(html: str) -> list[str]:
    """Everything that would make Telegram reject the message with 'can't parse entities'."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = checker.problems
    if checker.stack:
        problems.append(f"unclosed tags {checker.stack}")
    text_only = re.sub(r"<[^>]*>", "", html)
    if "<" in text_only or ">" in text_only.replace("&gt;", ""):
        problems.append("unescaped < or > in text")
    if _BARE_AMPERSAND.search(html):
        problems.append("unescaped &")
    return problems
