"""Telegram's HTML parse mode, strict about unescaped ``<``, ``>`` and ``&``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from simulator.markup.common import (
    EntityParseError,
    ParsedText,
    byte_offset,
    sorted_entities,
    utf16_len,
)

__all__ = ["parse_html"]

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


def parse_html(text: str) -> ParsedText:
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
                    f"Unescaped '&' at byte offset {byte_offset(text, i)}: use &amp; instead"
                )
            out.append(decoded[0])
            pos16 += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if ch == ">":
            raise EntityParseError(
                f"Unescaped '>' at byte offset {byte_offset(text, i)}: use &gt; instead"
            )
        if ch != "<":
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
            continue
        tag_offset = byte_offset(text, i)
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
    return ParsedText("".join(out), sorted_entities(entities))


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
