"""Telegram's MarkdownV2 (strict escaping) and legacy Markdown (lenient) parse modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.markup.common import (
    EntityParseError,
    ParsedText,
    byte_offset,
    sorted_entities,
    utf16_len,
)

__all__ = ["MarkdownParser"]

MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"

_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


@dataclass
class _OpenMd:
    """A Markdown entity waiting for its closing marker."""

    kind: str
    start16: int
    byte_offset: int


class MarkdownParser:
    """Telegram MarkdownV2 (strict escaping) and legacy Markdown (lenient)."""

    def __init__(self, text: str, *, v2: bool) -> None:
        self.text = text
        self.v2 = v2
        self.out: list[str] = []
        self.pos16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_OpenMd] = []

    def _emit(self, chars: str) -> None:
        """Append plain text and advance the UTF-16 cursor."""
        self.out.append(chars)
        self.pos16 += utf16_len(chars)

    def _close(self, opened: _OpenMd, **extra: Any) -> None:
        """Record an entity for a closed marker."""
        length = self.pos16 - opened.start16
        if length > 0:
            self.entities.append(
                {"type": opened.kind, "offset": opened.start16, "length": length, **extra}
            )

    def _unclosed(self, opened: _OpenMd) -> EntityParseError:
        """Build Telegram's error for an entity that never ends."""
        if self.v2:
            return EntityParseError(
                f"Can't find end of {_MD_NAMES[opened.kind]} entity at byte offset "
                f"{opened.byte_offset}"
            )
        return EntityParseError(
            f"Can't find end of the entity starting at byte offset {opened.byte_offset}"
        )

    def parse(self) -> ParsedText:
        """Walk the text once, tracking open entities on a stack."""
        text = self.text
        n = len(text)
        i = 0
        quote_start: int | None = None
        line_start = True
        while i < n:
            ch = text[i]
            offset = byte_offset(text, i)
            if self.v2 and line_start:
                if ch == ">":
                    if quote_start is None:
                        quote_start = self.pos16
                    i += 1
                    line_start = False
                    continue
                if quote_start is not None:
                    self._close_quote(quote_start)
                    quote_start = None
            line_start = False
            if ch == "\n":
                line_start = True
                self._emit(ch)
                i += 1
                continue
            if (
                ch == "\\"
                and i + 1 < n
                and ((self.v2 and 0 < ord(text[i + 1]) <= 126) or text[i + 1] in "_*`[")
            ):
                self._emit(text[i + 1])
                i += 2
                continue
            if ch == "`":
                i = self._code(i, offset)
                continue
            top = self.stack[-1].kind if self.stack else None
            if ch == "]" and top == "text_link":
                i = self._link_end(i)
                continue
            marker = self._marker_at(i)
            if marker is not None:
                kind, width = marker
                if self.stack and self.stack[-1].kind == kind:
                    self._close(self.stack.pop())
                elif any(o.kind == kind for o in self.stack):
                    raise self._unclosed(self.stack[-1])
                else:
                    self.stack.append(_OpenMd(kind, self.pos16, offset))
                i += width
                continue
            if ch == "[":
                self.stack.append(_OpenMd("text_link", self.pos16, offset))
                i += 1
                continue
            if self.v2 and ch in MARKDOWN_V2_RESERVED:
                raise EntityParseError(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            self._emit(ch)
            i += 1
        if quote_start is not None:
            self._close_quote(quote_start)
        if self.stack:
            raise self._unclosed(self.stack[-1])
        return ParsedText("".join(self.out), sorted_entities(self.entities))

    def _close_quote(self, start16: int) -> None:
        """A run of ``>`` lines becomes one blockquote (trailing newline excluded)."""
        end = self.pos16
        if self.out and self.out[-1] == "\n":
            end -= 1
        if end > start16:
            self.entities.append({"type": "blockquote", "offset": start16, "length": end - start16})

    def _marker_at(self, i: int) -> tuple[str, int] | None:
        """The formatting marker starting at ``i``, if any."""
        text = self.text
        ch = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch == "*":
            return "bold", 1
        if ch == "_":
            if self.v2 and nxt == "_":
                return "underline", 2
            return "italic", 1
        if self.v2 and ch == "~":
            return "strikethrough", 1
        if self.v2 and ch == "|" and nxt == "|":
            return "spoiler", 2
        return None

    def _code(self, i: int, offset: int) -> int:
        """Inline code or a pre block; only ``\\`` escapes inside."""
        text = self.text
        fence = "```" if text.startswith("```", i) else "`"
        j = i + len(fence)
        language: str | None = None
        if fence == "```":
            newline = text.find("\n", j)
            close = text.find("```", j)
            if newline != -1 and (close == -1 or newline < close):
                first_line = text[j:newline]
                if first_line and " " not in first_line:
                    language = first_line
                    j = newline + 1
        start16 = self.pos16
        while j < len(text):
            if self.v2 and text[j] == "\\" and j + 1 < len(text):
                self._emit(text[j + 1])
                j += 2
                continue
            if text.startswith(fence, j):
                kind = "pre" if fence == "```" else "code"
                length = self.pos16 - start16
                if length > 0:
                    entity: dict[str, Any] = {"type": kind, "offset": start16, "length": length}
                    if language:
                        entity["language"] = language
                    self.entities.append(entity)
                return j + len(fence)
            self._emit(text[j])
            j += 1
        raise self._unclosed(_OpenMd("pre" if fence == "```" else "code", start16, offset))

    def _link_end(self, i: int) -> int:
        """Close ``[text]`` and read its ``(url)``."""
        opened = self.stack.pop()
        text = self.text
        j = i + 1
        url_chars: list[str] = []
        if j < len(text) and text[j] == "(":
            j += 1
            while j < len(text) and text[j] != ")":
                if text[j] == "\\" and j + 1 < len(text):
                    url_chars.append(text[j + 1])
                    j += 2
                    continue
                url_chars.append(text[j])
                j += 1
            if j >= len(text):
                raise self._unclosed(opened)
            j += 1
        url = "".join(url_chars)
        if url:
            self._close(opened, url=url)
        return j
