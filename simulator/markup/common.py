"""What every formatted-text parser produces: plain text, entities and Telegram's errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["EntityParseError", "ParsedText", "byte_offset", "sorted_entities", "utf16_len"]


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


def byte_offset(text: str, index: int) -> int:
    """Telegram reports parse errors at UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


def sorted_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram orders entities by offset, outer (longer) first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
