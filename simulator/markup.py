"""Parse Telegram formatted text (HTML, MarkdownV2, Markdown) the way the Bot API does.

The simulator must reject what Telegram rejects, so these parsers are strict: an unescaped
``<``, ``>`` or ``&`` in HTML text is an error (real Telegram tolerates a bare ``&``/``>``, but
accepting them here would hide missing escaping of user input that breaks on ``<``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "ParsedText",
    "parse_formatted",
    "utf16_len",
]

HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
_SIMPLE_HTML_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")
MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"


class EntityParseError(ValueError):
    """Raised with Telegram's wording so the API can answer ``can't parse entities: ...``."""


@dataclass
class ParsedText:
    """Plain text plus the entities Telegram would attach to the message."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports parse errors at UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def _sorted(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram orders entities by offset, outer (longer) first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Turn text as sent by the bot into the plain text and entities Telegram stores."""
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return ParsedText(text, list(entities or []))
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _MarkdownParser(text, v2=True).parse()
    if mode == "markdown":
        return _MarkdownParser(text, v2=False).parse()
    raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")


# --------------------------------------------------------------------------- HTML


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    attrs: dict[str, str]
    start16: int
    byte_offset: int
    language: str | None = None


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``i``; None when it is not an entity Telegram supports."""
    match = _ENTITY_RE.match(text, i)
    if match is None:
        return None
    body = match.group(1)
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    elif body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], match.end()
    else:
        return None
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _parse_attrs(text: str, i: int, tag_offset: int) -> tuple[dict[str, str], int]:
    """Read ``name="value"`` pairs up to ``>``; returns attrs and the index after ``>``."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
        if text[i] == ">":
            return attrs, i + 1
        if text[i] == "/" and i + 1 < n and text[i + 1] == ">":
            return attrs, i + 2
        match = _ATTR_NAME_RE.match(text, i)
        if match is None:
            raise EntityParseError(f"Empty attribute name in the tag at byte offset {tag_offset}")
        name = match.group(0).lower()
        i = match.end()
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
        if text[i] != "=":
            attrs[name] = ""
            continue
        i += 1
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
        value_chars: list[str] = []
        if text[i] in "\"'":
            quote = text[i]
            i += 1
            while i < n and text[i] != quote:
                if text[i] == "&":
                    decoded = _decode_entity(text, i)
                    if decoded is not None:
                        value_chars.append(decoded[0])
                        i = decoded[1]
                        continue
                value_chars.append(text[i])
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
            i += 1
        else:
            while i < n and text[i] not in " \t\r\n>":
                value_chars.append(text[i])
                i += 1
        attrs[name] = "".join(value_chars)


def _parse_html(text: str) -> ParsedText:
    """Validate and strip Telegram HTML; errors use Telegram's wording."""
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is None:
                raise EntityParseError(
                    f"Unescaped '&' at byte offset {_byte_offset(text, i)}: use &amp; instead"
                )
            out.append(decoded[0])
            pos16 += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if ch == ">":
            raise EntityParseError(
                f"Unescaped '>' at byte offset {_byte_offset(text, i)}: use &gt; instead"
            )
        if ch != "<":
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
            continue
        tag_offset = _byte_offset(text, i)
        if i + 1 < n and text[i + 1] == "/":
            match = _TAG_NAME_RE.match(text, i + 2)
            assert match is not None
            name = match.group(0).lower()
            j = match.end()
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {tag_offset}")
            if not stack:
                raise EntityParseError(f'Unexpected end tag "{name}" at byte offset {tag_offset}')
            top = stack[-1]
            if top.name != name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {tag_offset}, expected "</{top.name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            _close_html_tag(top, pos16, stack, entities)
            i = j + 1
            continue
        match = _TAG_NAME_RE.match(text, i + 1)
        assert match is not None
        name = match.group(0).lower()
        if name not in HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {tag_offset}')
        attrs, i = _parse_attrs(text, match.end(), tag_offset)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError('Custom emoji entity must contain a valid "emoji-id"')
        stack.append(_OpenTag(name, attrs, pos16, tag_offset))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return ParsedText("".join(out), _sorted(entities))


def _close_html_tag(
    tag: _OpenTag, end16: int, stack: list[_OpenTag], entities: list[dict[str, Any]]
) -> None:
    """Emit the entity a closed tag stands for (pre+code collapse into one ``pre``)."""
    length = end16 - tag.start16
    if tag.name == "code":
        css = tag.attrs.get("class", "")
        if css.startswith("language-") and stack and stack[-1].name == "pre":
            stack[-1].language = css.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: dict[str, Any] = {"offset": tag.start16, "length": length}
    if tag.name in _SIMPLE_HTML_ENTITY:
        entity["type"] = _SIMPLE_HTML_ENTITY[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    elif tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        if href.startswith("tg://user?id="):
            entity["type"] = "text_mention"
            entity["user"] = {
                "id": int(href.split("=", 1)[1] or 0),
                "is_bot": False,
                "first_name": "",
            }
        else:
            entity["type"] = "text_link"
            entity["url"] = href
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif tag.name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    else:  # pragma: no cover - HTML_TAGS and the branches above agree
        return
    entities.append(entity)


# --------------------------------------------------------------------------- Markdown


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


class _MarkdownParser:
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
            offset = _byte_offset(text, i)
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
        return ParsedText("".join(self.out), _sorted(self.entities))

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
