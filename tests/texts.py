"""Catalogue lookups for assertions on what users see, where the wording is not the point.

A test that only checks "the consent prompt came" asks for `text("reg-consent")` instead of
copying its wording, so a reworded catalogue does not break it; tests of the wording itself
keep their literals.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

from fluent.syntax import FluentParser, ast

from presentation.texts import LOCALES, Translator

_TAG = re.compile(r"<[^>]*>")
_HOLE = "\x00"


def plain(rendered: str) -> str:
    """What a Telegram user reads of a text sent as HTML: no tags, entities resolved."""
    return html.unescape(_TAG.sub("", rendered))


def text(key: str, language: str = "id", **args: Any) -> str:
    """A catalogue text rendered with `args`, as the user reads it."""
    assert key in _patterns(language), f"no {key!r} in the {language} catalogue"
    return plain(Translator(language)(key, **args))


def fragment(key: str, language: str = "id") -> str:
    """The longest part of a text that no placeable changes (for texts whose values vary)."""
    elements = _patterns(language)[key].elements
    raw = "".join(e.value if isinstance(e, ast.TextElement) else _HOLE for e in elements)
    longest = max((piece.strip() for piece in plain(raw).split(_HOLE)), key=len)
    assert longest, f"{key!r} has no fixed wording; render it with text()"
    return longest


@cache
def _patterns(language: str) -> dict[str, ast.Pattern]:
    """Every message of a language's catalogue, by key, as Fluent parsed it."""
    patterns: dict[str, ast.Pattern] = {}
    for path in sorted((LOCALES / language).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        for entry in resource.body:
            if isinstance(entry, ast.Message) and entry.value is not None:
                patterns[entry.id.name] = entry.value
    return patterns
