"""`lapor-admin purge`, `citizen block|unblock|erase`, `staff erase`: output and database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from complaints import privacy, workflow
from complaints.lifecycle import Action
from complaints.model import Actor, Role
from tests.cli.test_admin_cli import (
    CALENDAR,
    NOW,
    _file_report,
    ok,
    refused,
    with_services,
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite file the CLI (DATABASE_URL) and the checks share."""
    url = f"sqlite+inline:///{tmp_path / 'lapor.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TIMEZONE", "Asia/Makassar")
    return url


def _rows(url: str, query: str) -> list[tuple]:
    async def work(uow):
        async with uow() as unit:
            return list((await unit.session.execute(text(query))).all())

    return with_services(url, work)


async def _closed_report(uow) -> str:
    code = await _file_report(uow)
    report_id = (await workflow.case_file_by_code(uow(), code)).id
    pupr = Actor(8, Role.OPD, "Putu", "PUPR")
    admin = Actor(7, Role.ADMIN, "Rina Admin")
    for action, actor, extra in ((Action.START, pupr, {}),
                                 (Action.RESOLVE, pupr, {"proof": (
                                     (await workflow.case_file(uow(), report_id)).photos[0],),
                                     "note": "Sudah ditambal"}),
                                 (Action.CLOSE, admin, {})):
        case = await workflow.case_file(uow(), report_id)
        await workflow.act(uow(), report_id=report_id, action=action, actor=actor,
                           expected_version=case.version, now=NOW - timedelta(days=400),
                           calendar=CALENDAR, **extra)
    return code


def test_purge_anonymises_finished_reports_older_than_the_period(database: str) -> None:
    ok("migrate")
    ok("staff", "add", "7", "--name", "Rina Admin", "--role", "admin")
    ok("staff", "add", "8", "--name", "Putu", "--role", "opd", "--agency", "PUPR")
    code = with_services(database, _closed_report)
    # closed about 400 days before NOW (the real clock is near NOW)
    assert "Anonymised 0 reports" in ok("purge", "--older-than", "520w")
    assert _rows(database, "select citizen_id from reports") == [(42,)]
    assert f"Anonymised 1 reports finished more than 300 days ago: {code}" in ok(
        "purge", "--older-than", "300d")
    [(citizen, description, anonymised)] = _rows(
        database, "select citizen_id, description, anonymised_at from reports")
    assert citizen == privacy.ANONYMOUS_CITIZEN and description == "" and anonymised
    assert _rows(database, "select name from citizens where telegram_id = 42") == [
        ("Budi Santoso",)]
    assert code in ok("report", "show", code)
    assert "expected a number of days" in refused("purge", "--older-than", "soon")


def test_citizen_block_unblock_and_erase(database: str) -> None:
    ok("migrate")
    ok("staff", "add", "7", "--name", "Rina Admin", "--role", "admin")
    code = with_services(database, _file_report)
    assert "Blocked citizen 42." in ok("citizen", "block", "42", "--reason", "spam berulang")
    assert _rows(database, "select blocked_reason from citizens where telegram_id = 42") == [
        ("spam berulang",)]
    listing = ok("citizen", "blocked")
    assert "1 blocked" in listing and "42" in listing and "spam berulang" in listing
    assert "Unblocked citizen 42." in ok("citizen", "unblock", "42")
    assert _rows(database, "select blocked_at from citizens where telegram_id = 42") == [
        (None,)]
    assert "Nobody is blocked." in ok("citizen", "blocked")
    assert "No citizen with Telegram ID 9." in refused("citizen", "block", "9", "--reason", "x")
    assert "Erased citizen 42: 1 reports anonymised, 0 withdrawn." in ok(
        "citizen", "erase", "42")
    assert _rows(database, "select * from citizens where telegram_id = 42") == []
    assert _rows(database, "select code, citizen_id from reports") == [(code, 0)]


def test_staff_erase(database: str) -> None:
    ok("migrate")
    ok("staff", "add", "7", "--name", "Rina Admin", "--role", "admin")
    with_services(database, _file_report)
    assert "Erased staff member 7" in ok("staff", "erase", "7")
    assert _rows(database, "select * from staff where telegram_id = 7") == []
    assert _rows(database, "select actor_id from report_events where action = 'forward'") == [
        (None,)]
    assert "No staff member with Telegram ID 7." in refused("staff", "erase", "7")
