"""Every text by key from Fluent catalogues (presentation/locales/<lang>/*.ftl)."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fluent.runtime import FluentBundle, FluentResource, resolver

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("id", "en")
FALLBACK = "id"
log = logging.getLogger(__name__)

_MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}
# Fluent refuses a placeable over 2,500 characters and prints "{???}" instead; a description
# (2,000 characters) escaped for HTML ("<" is "&lt;") or a long timeline passes that. Every text
# ends in a Telegram message of 4,096 characters at most, so a larger bound guards nothing.
resolver.MAX_PART_LENGTH = max(resolver.MAX_PART_LENGTH, 20_000)
_ZONE_LABEL = {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Jayapura": "WIT"}


@cache
def _bundle(language: str) -> FluentBundle:
    bundle = FluentBundle([language], use_isolating=False)
    for path in sorted((LOCALES / language).glob("*.ftl")):
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return bundle


def texts_of(key: str) -> set[str]:
    """A text in every language: menu buttons are matched whatever language was shown."""
    return {Translator(language)(key) for language in LANGUAGES}


def catalogue_keys(language: str) -> set[str]:
    """Every message id in a language's catalogue (tests compare the languages)."""
    keys: set[str] = set()
    for path in (LOCALES / language).glob("*.ftl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and line[0].isalpha() and "=" in line:
                keys.add(line.split("=", 1)[0].strip())
    return keys


def pick_language(telegram_code: str | None, default: str = FALLBACK) -> str:
    """English for English-speaking Telegram clients, the default (Indonesian) for everyone else."""
    return "en" if (telegram_code or "").lower().startswith("en") else default


def _format(language: str, key: str, params: dict[str, Any]) -> str:
    for candidate in (language, FALLBACK):
        bundle = _bundle(candidate)
        if bundle.has_message(key):
            text, errors = bundle.format_pattern(bundle.get_message(key).value, params)
            if errors:
                log.warning("catalogue %s/%s: %s", candidate, key, errors)
            return text
    log.error("missing catalogue key %s", key)
    return key


@lru_cache(maxsize=4096)
def _formatted(language: str, key: str, params: tuple[tuple[str, Any], ...]) -> str:
    """Most texts repeat with the same parameters (step numbers, buttons): Fluent's number
    formatting (Babel) is the slow part, so finished texts are remembered."""
    return _format(language, key, dict(params))


class Translator:
    """Texts of one language; `t("key", name=...)` formats a message."""

    def __init__(self, language: str, zone: ZoneInfo | None = None) -> None:
        self.language = language if language in LANGUAGES else FALLBACK
        self.zone = zone or ZoneInfo("Asia/Makassar")

    def __call__(self, key: str, **params: Any) -> str:
        try:
            return _formatted(self.language, key, tuple(params.items()))
        except TypeError:  # an unhashable parameter: format without the cache
            return _format(self.language, key, params)

    def date(self, moment: datetime) -> str:
        """A date as people write it here: 3 Desember 2026."""
        local = moment.astimezone(self.zone)
        return f"{local.day} {_MONTHS[self.language][local.month - 1]} {local.year}"

    def datetime(self, moment: datetime) -> str:
        """Date and time with the local zone label: 3 Desember 2026 14:05 WITA."""
        local = moment.astimezone(self.zone)
        label = _ZONE_LABEL.get(str(self.zone), local.strftime("%Z"))
        return f"{self.date(moment)} {local:%H:%M} {label}"
