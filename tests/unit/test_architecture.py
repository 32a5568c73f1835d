"""Layering rules (import-linter contracts) and the text catalogue every layer reads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from presentation.texts import LANGUAGES, Translator, catalogue_keys

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = ("import sys; from importlinter.cli import lint_imports_command as lint; "
                "sys.exit(lint())")


def test_import_contracts_hold() -> None:
    """The layers in pyproject.toml (domain at the bottom, bot on top) are what the code does."""
    result = subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert "Contracts" in result.stdout, result.stderr  # import-linter really ran
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_text_exists_in_both_languages() -> None:
    keys = {language: catalogue_keys(language) for language in LANGUAGES}
    assert len(keys["id"]) > 100
    assert keys["id"] == keys["en"]


def test_every_key_used_in_code_is_in_the_catalogue() -> None:
    known = catalogue_keys("id")
    used: set[str] = set()
    for package in ("bot", "handlers", "conversations", "presentation", "complaints"):
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


# Loaded only when used (a /rekap chart, a report, a photo sent as a file, the first deadline,
# duplicate or phone check, a geocoder, a migration, a command other than the plain start, the
# admin CLI): each stays out of the memory of a bot that has not needed it yet.
NOT_AT_START = ("matplotlib", "PIL", "reportlab", "xlsxwriter", "openpyxl", "holidays", "geopy",
                "phonenumbers", "alembic", "rich", "typer", "click", "multiprocessing",
                "sqlalchemy.dialects.postgresql", "redis")  # the last two: PostgreSQL + Redis only


def test_starting_the_bot_loads_no_chart_report_or_image_library() -> None:
    probe = ("import sys, bot.__main__, bot.serve, bot.app; from zoneinfo import ZoneInfo; "
             "from complaints.calendar import WorkingCalendar; "
             "WorkingCalendar(ZoneInfo('Asia/Makassar')); "
             f"print(sorted(name for name in {NOT_AT_START!r} if name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"
