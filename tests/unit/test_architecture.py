"""Layering rules that keep the domain reusable by the bot, the CLI and any later front end."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.i18n import LANGUAGES, Translator, catalogue_keys

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_domain_imports_no_telegram_or_sql() -> None:
    imported = _imports("complaints")
    assert "complaints" in imported  # the walk really read the package
    forbidden = {"aiogram", "sqlalchemy", "aiohttp", "db", "bot", "handlers", "conversations"}
    assert not imported & forbidden


def test_every_text_exists_in_both_languages() -> None:
    keys = {language: catalogue_keys(language) for language in LANGUAGES}
    assert len(keys["id"]) > 100
    assert keys["id"] == keys["en"]


def test_every_key_used_in_code_is_in_the_catalogue() -> None:
    known = catalogue_keys("id")
    used: set[str] = set()
    for package in ("bot", "handlers", "conversations", "complaints"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)
                        and getattr(node.func, "id", getattr(node.func, "attr", "")) in
                        {"t", "texts_of", "translator", "InvalidInput", "DomainError"}):
                    used.add(node.args[0].value)
    assert used, "no catalogue lookups found"
    assert used <= known, used - known


def test_indonesian_is_the_fallback() -> None:
    assert Translator("fr")("btn-send") == Translator("id")("btn-send") == "📨 Kirim laporan"
    assert Translator("en")("btn-send") == "📨 Send report"
