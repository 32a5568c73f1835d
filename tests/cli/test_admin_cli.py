"""`lapor-admin` as an operator uses it: what it prints, its exit codes, and what it changes."""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from admin_cli.main import app
from complaints import admin, services, workflow
from complaints.calendar import WorkingCalendar
from complaints.errors import InvalidInput
from complaints.lifecycle import Action
from complaints.model import Actor, GeoPoint, PhotoKind, PhotoRef, ReportDraft, Role
from db.engine import create_engine, create_sessionmaker
from db.uow import SqlUnitOfWork
from tests.conftest import reset_postgres

T = TypeVar("T")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Thursday 10:00 WITA
CALENDAR = WorkingCalendar(ZoneInfo("Asia/Makassar"))
PHONE = "+6281234567890"
Uow = Callable[[], SqlUnitOfWork]


def cli(*args: str) -> Result:
    """Run `lapor-admin ARGS` in-process."""
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    """The output of a command that must succeed."""
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(*args: str) -> str:
    """The one red line of a refused command (exit code 1, message on stderr)."""
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def with_services(url: str, work: Callable[[Uow], Awaitable[T]]) -> T:
    """Call services directly on the database the CLI uses (as the bot would)."""

    async def _main() -> T:
        engine = create_engine(url)
        try:
            return await work(partial(SqlUnitOfWork, create_sessionmaker(engine)))
        finally:
            await engine.dispose()

    return asyncio.run(_main())


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+inline:///{tmp_path / 'lapor.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TIMEZONE", "Asia/Makassar")
    monkeypatch.setenv("COLUMNS", "200")  # Rich tables: no wrapped cells in assertions
    return url


@pytest.fixture
def postgres(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = asyncio.run(reset_postgres())
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield url


async def _file_report(uow: Uow) -> str:
    """A citizen registers and files a report; an admin forwards it to PUPR."""
    await services.register_citizen(uow(), 42, name="Budi Santoso", phone=PHONE, language="id",
                                    consent_at=NOW, now=NOW)
    draft = ReportDraft(
        photos=(PhotoRef("file-0", "u-0", PhotoKind.PHOTO), PhotoRef("file-1", "u-1")),
        location=GeoPoint(3.3, 117.63), description="Jalan berlubang di depan pasar Gusher.",
        category_key="roads", landmark="Depan pasar")
    submitted = await services.submit_report(uow(), 42, draft, now=NOW, calendar=CALENDAR)
    await workflow.act(uow(), report_id=submitted.report_id, action=Action.FORWARD,
                       actor=Actor(7, Role.ADMIN, "Rina Admin"), expected_version=1,
                       now=NOW.replace(hour=3), calendar=CALENDAR, agency="PUPR")
    return submitted.code


def test_fresh_database_is_migrated_and_seeded(database: str) -> None:
    assert "Database is up to date." in ok("migrate")
    agencies = ok("agency", "list")
    assert "PUPR" in agencies and "Dinas Pekerjaan Umum dan Penataan Ruang" in agencies
    categories = ok("category", "list")
    assert re.search(r"roads\s+│ Jalan dan jembatan\s+│ Roads and bridges\s+│ PUPR", categories)


def test_agency_add_edit_deactivate(database: str) -> None:
    assert "Added agency BAPENDA: Badan Pendapatan Daerah" in ok(
        "agency", "add", "bapenda", "Badan Pendapatan Daerah")
    assert "Agency BAPENDA already exists." in refused("agency", "add", "BAPENDA", "Lagi")
    assert "not valid" in refused("agency", "add", "x", "Too short a code")
    assert "Agency BAPENDA: Bapenda Kota Tarakan (active)" in ok(
        "agency", "edit", "BAPENDA", "--name", "Bapenda Kota Tarakan")
    assert "(inactive)" in ok("agency", "deactivate", "BAPENDA")
    assert "BAPENDA" not in ok("agency", "list")
    assert re.search(r"BAPENDA\s+│ Bapenda Kota Tarakan\s+│ no", ok("agency", "list", "--all"))
    assert "(active)" in ok("agency", "edit", "bapenda", "--active")
    assert "Nothing to change" in refused("agency", "edit", "BAPENDA")
    assert "Unknown or inactive agency." in refused("agency", "deactivate", "NOPE")


def test_staff_add_list_remove(database: str) -> None:
    assert "Staff 1001 (Sari) is now opd of PUPR." in ok(
        "staff", "add", "1001", "--name", "Sari", "--role", "opd", "--agency", "pupr")
    ok("staff", "add", "1002", "--name", "Rina", "--role", "admin")
    listing = ok("staff", "list")
    assert re.search(r"1001\s+│ Sari\s+│ opd\s+│ PUPR", listing)
    assert re.search(r"1002\s+│ Rina\s+│ admin\s+│ -", listing)
    assert "Removed staff member 1001." in ok("staff", "remove", "1001")
    assert "1001" not in ok("staff", "list")
    assert "No staff member with Telegram ID 1001." in refused("staff", "remove", "1001")


def test_staff_bad_input_is_one_clear_line(database: str) -> None:
    assert "Unknown or inactive agency." in refused(
        "staff", "add", "5", "--name", "Sari", "--role", "opd", "--agency", "NOPE")
    assert "opd staff need exactly one agency" in refused(
        "staff", "add", "5", "--name", "Sari", "--role", "opd")
    assert "opd staff need exactly one agency" in refused(
        "staff", "add", "5", "--name", "Sari", "--role", "admin", "--agency", "PUPR")
    bad_role = refused("staff", "add", "5", "--name", "Sari", "--role", "boss")
    assert "--role" in bad_role and "'boss' is not one of" in bad_role
    assert "No staff yet" in ok("staff", "list")


def test_chat_bind_list_unbind(database: str) -> None:
    assert "Chat -1001234 bound as the opd group of PUPR." in ok(
        "chat", "bind", "-1001234", "--purpose", "opd", "--agency", "PUPR", "--title", "PUPR")
    ok("chat", "bind", "-1005678", "--purpose", "admin", "--title", "Admin LAPOR")
    listing = ok("chat", "list")
    assert re.search(r"-1001234\s+│ opd\s+│ PUPR", listing)
    assert re.search(r"-1005678\s+│ admin\s+│ -\s+│ Admin LAPOR", listing)
    assert "An opd group needs an agency" in refused("chat", "bind", "-1", "--purpose", "opd")
    assert "Chat -1001234 is unbound." in ok("chat", "unbind", "-1001234")
    assert "Chat -1001234 is not bound." in refused("chat", "unbind", "-1001234")


def test_link_code_binds_a_group_once(database: str) -> None:
    ok("staff", "add", "1001", "--name", "Sari", "--role", "opd", "--agency", "PUPR")
    printed = ok("chat", "link-code", "--purpose", "opd", "--agency", "PUPR")
    code = re.search(r"/hubungkan ([A-Z0-9]{8})", printed)
    assert code is not None, printed
    assert f"Link code for the opd group of PUPR: {code[1]}" in printed
    assert re.search(r"until \d{4}-\d\d-\d\d \d\d:\d\d WITA", printed)

    def use(uow: Uow, chat_id: int = -100777) -> Awaitable[object]:
        return admin.bind_with_code(uow(), code[1], user_id=1001, chat_id=chat_id,
                                    title="Grup PUPR", now=datetime.now(UTC))

    with_services(database, use)
    assert re.search(r"-100777\s+│ opd\s+│ PUPR\s+│ Grup PUPR", ok("chat", "list"))
    with_services(database, use)  # the same use again (a replayed update) changes nothing
    with pytest.raises(InvalidInput):  # but the code binds no other chat
        with_services(database, lambda uow: use(uow, -100778))
    assert "An opd group needs an agency" in refused("chat", "link-code", "--purpose", "opd")


def test_category_suggest(database: str) -> None:
    assert "Category other: suggested agency is DKISP." in ok(
        "category", "suggest", "other", "dkisp")
    assert re.search(r"other\s+│ Lainnya\s+│ Other\s+│ DKISP", ok("category", "list"))
    assert "suggested agency is none" in ok("category", "suggest", "roads", "none")
    assert re.search(r"roads\s+│ Jalan dan jembatan\s+│ Roads and bridges\s+│ -",
                     ok("category", "list"))
    assert "Unknown category" in refused("category", "suggest", "nope", "PUPR")
    assert "Unknown or inactive agency." in refused("category", "suggest", "roads", "NOPE")


def test_seed_restores_deleted_defaults_and_is_idempotent(database: str) -> None:
    assert "Nothing to do" in ok("seed")
    ok("category", "suggest", "roads", "none")
    ok("category", "suggest", "lighting", "PUPR")  # an operator's choice: kept

    async def delete_bpbd(uow: Uow) -> None:
        async with uow() as unit:
            await unit.session.execute(text(
                "UPDATE categories SET suggested_agency = NULL WHERE key = 'disaster'"))
            await unit.session.execute(text("DELETE FROM agencies WHERE code = 'BPBD'"))
            await unit.commit()

    with_services(database, delete_bpbd)
    assert "BPBD" not in ok("agency", "list", "--all")
    seeded = ok("seed")
    assert "Added 1 agencies: BPBD" in seeded
    assert "roads → PUPR" in seeded and "disaster → BPBD" in seeded
    assert "lighting" not in seeded
    categories = ok("category", "list")
    assert re.search(r"disaster\s+│ Bencana\s+│ Disaster\s+│ BPBD", categories)
    assert re.search(r"lighting\s+│ Penerangan jalan\s+│ Street lighting\s+│ PUPR", categories)
    assert "Nothing to do" in ok("seed")


def test_report_show_prints_the_case_and_its_timeline(database: str) -> None:
    ok("migrate")
    ok("staff", "add", "7", "--name", "Rina Admin", "--role", "admin")
    code = with_services(database, _file_report)
    shown = ok("report", "show", code.lower())
    for expected in (f"Report {code}", "forwarded", "roads (Roads and bridges)",
                     "PUPR (Dinas Pekerjaan Umum dan Penataan Ruang)", "2026-12-03 10:00 WITA",
                     "Budi Santoso", PHONE, "Jalan berlubang di depan pasar Gusher.",
                     "3.300000, 117.630000", "Depan pasar"):
        assert expected in shown, expected
    assert re.search(r"Photos\s+│ 2 ", shown)
    assert re.search(r"Finish due\s+│ 2026-12-\d\d 23:59 WITA", shown)
    timeline = shown[shown.index("Timeline"):]
    assert re.search(r"2026-12-03 10:00 WITA\s+│ submit\s+│ - → submitted\s+│ "
                     r"Budi Santoso \(citizen\)", timeline)
    assert re.search(r"2026-12-03 11:00 WITA\s+│ forward\s+│ submitted → forwarded\s+│ "
                     r"Rina Admin \(admin\)\s+│ → PUPR", timeline)
    assert "No report with that code" in refused("report", "show", "LPR-2222-3333")
    assert "No report with that code" in refused("report", "show", "nonsense")


async def _file_anonymous_report(uow: Uow) -> str:
    """A citizen files an anonymous, confidential report."""
    await services.register_citizen(uow(), 42, name="Budi Santoso", phone=PHONE, language="id",
                                    consent_at=NOW, now=NOW)
    draft = ReportDraft(
        photos=(PhotoRef("file-0", "u-0", PhotoKind.PHOTO),), location=GeoPoint(3.3, 117.63),
        description="Pungutan liar di loket pelayanan.", category_key="other",
        anonymous=True, confidential=True)
    return (await services.submit_report(uow(), 42, draft, now=NOW, calendar=CALENDAR)).code


def test_report_show_hides_an_anonymous_reporter_unless_an_admin_asks(database: str) -> None:
    ok("migrate")
    ok("staff", "add", "7", "--name", "Rina Admin", "--role", "admin")
    ok("staff", "add", "8", "--name", "Putu", "--role", "opd", "--agency", "PUPR")
    code = with_services(database, _file_anonymous_report)
    shown = ok("report", "show", code)
    assert "Budi" not in shown and PHONE not in shown
    assert "anonymous, confidential" in shown and "--show-identity" in shown
    assert refused("report", "show", code, "--show-identity", "8")
    assert refused("report", "show", code, "--show-identity", "42")  # the citizen is no staff
    revealed = ok("report", "show", code, "--show-identity", "7")
    assert "Budi Santoso (Telegram ID 42)" in revealed and PHONE in revealed
    assert revealed.count("show_identity") == 1  # the refused attempts showed and logged nothing
    assert re.search(r"show_identity\s+│ submitted → submitted\s+│ Rina Admin \(admin\)",
                     revealed)


def test_report_list_filters_by_status(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ok("migrate")
    code = with_services(database, _file_report)
    assert re.search(rf"{code}\s+│ forwarded\s+│ roads\s+│ PUPR\s+│ 2026-12-03 10:00 WITA\s+│ "
                     r"2026-12-17 23:59 WITA", ok("report", "list"))
    monkeypatch.setenv("COLUMNS", "60")  # a narrow terminal folds cells but never cuts a code
    assert code in ok("report", "list")
    assert code in ok("report", "list", "--status", "forwarded", "--limit", "5")
    assert "No reports." in ok("report", "list", "--status", "closed")
    assert "--status" in refused("report", "list", "--status", "lost")
    assert "--limit" in refused("report", "list", "--limit", "0")


def test_export_writes_reports_without_reporter_data(database: str, tmp_path: Path) -> None:
    ok("migrate")
    code = with_services(database, _file_report)
    out = tmp_path / "reports.csv"
    assert f"Wrote 1 report(s) to {out}." in ok("export", "reports", "--out", str(out))
    content = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(content.splitlines()))
    assert list(rows[0]) == ["code", "status", "category", "agency", "created_at", "verify_due",
                             "finish_due", "closed_at", "rating", "latitude", "longitude",
                             "address"]
    assert rows[0]["code"] == code and rows[0]["status"] == "forwarded"
    assert rows[0]["agency"] == "PUPR" and rows[0]["category"] == "roads"
    assert rows[0]["created_at"] == "2026-12-03T10:00:00+08:00"
    assert rows[0]["closed_at"] == "" and rows[0]["latitude"] == "3.3"
    assert PHONE not in content and "81234567890" not in content and "Budi" not in content

    ok("export", "reports", "--out", str(out), "--since", "2026-12-04")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # header only
    ok("export", "reports", "--out", str(out), "--since", "2026-12-03", "--until", "2026-12-03")
    assert code in out.read_text(encoding="utf-8")
    assert "--since" in refused("export", "reports", "--out", str(out), "--since", "3/12/2026")


def test_config_error_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://somewhere/lapor")
    result = cli("agency", "list")
    assert result.exit_code == 2
    assert "Configuration error: DATABASE_URL" in result.stderr


def test_help_needs_no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://not-used")
    assert "agency" in ok() and "export" in ok()
    assert "link-code" in ok("chat")
    assert "--role" in ok("staff", "add", "--help")


def test_commands_on_postgres(postgres: str) -> None:
    assert "Database is up to date." in ok("migrate")
    ok("agency", "add", "BAPENDA", "Badan Pendapatan Daerah")
    ok("staff", "add", "1001", "--name", "Sari", "--role", "opd", "--agency", "BAPENDA")
    assert re.search(r"1001\s+│ Sari\s+│ opd\s+│ BAPENDA", ok("staff", "list"))
    ok("chat", "bind", "-1009999999999", "--purpose", "coordinator")
    assert "-1009999999999" in ok("chat", "list")
    assert "Unknown or inactive agency." in refused(
        "staff", "add", "5", "--name", "X", "--role", "opd", "--agency", "NOPE")
    assert "Nothing to do" in ok("seed")
