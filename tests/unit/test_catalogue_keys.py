"""Every text key is defined once per language: a second definition in another file wins
silently and breaks the first file's callers (they pass other variables)."""

from __future__ import annotations

from collections import Counter

import pytest

from presentation.texts import LANGUAGES, LOCALES


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_key_is_defined_in_two_places(language: str) -> None:
    keys: Counter[str] = Counter()
    for path in (LOCALES / language).glob("*.ftl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and line[0].isalpha() and "=" in line:
                keys[line.split("=", 1)[0].strip()] += 1
    assert [key for key, count in keys.items() if count > 1] == []
