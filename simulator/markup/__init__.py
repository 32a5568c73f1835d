"""Parse Telegram formatted text (HTML, MarkdownV2, Markdown) the way the Bot API does.

The simulator must reject what Telegram rejects, so these parsers are strict: an unescaped
``<``, ``>`` or ``&`` in HTML text is an error (real Telegram tolerates a bare ``&``/``>``, but
accepting them here would hide missing escaping of user input that breaks on ``<``).
"""

from __future__ import annotations

from typing import Any

from simulator.markup.common import EntityParseError, ParsedText, utf16_len
from simulator.markup.html import parse_html
from simulator.markup.markdown import MarkdownParser

__all__ = ["EntityParseError", "ParsedText", "parse_formatted", "utf16_len"]


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Turn text as sent by the bot into the plain text and entities Telegram stores."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return ParsedText(text, list(entities or []))
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return MarkdownParser(text, v2=True).parse()
    if mode == "markdown":
        return MarkdownParser(text, v2=False).parse()
    raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")
