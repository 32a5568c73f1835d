"""`lapor-admin outbox`: the rows the bot has not delivered, filtered, and retried."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from admin_cli.main import app
from complaints import services, workflow
from complaints.calendar import WorkingCalendar
from complaints.lifecycle import Action
from complaints.model import Actor, GeoPoint, PhotoKind, PhotoRef, ReportDraft, Role
from db.engine import create_engine, create_sessionmaker
from db.outbox import OutboxLine, OutboxStore
from db.uow import SqlUnitOfWork

T = TypeVar("T")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
CALENDAR = WorkingCalendar(ZoneInfo("Asia/Makassar"))
PUPR_GROUP, ADMIN_GROUP = -1001234500001, -1001234500002


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(*args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+inline:///{tmp_path / 'lapor.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TIMEZONE", "Asia/Makassar")
    monkeypatch.setenv("COLUMNS", "250")  # Rich tables: no wrapped cells in assertions
    return url


def on_store(url: str, work: Callable[[OutboxStore, Callable[[], SqlUnitOfWork]], Awaitable[T]]
             ) -> T:
    """Work on the database the CLI uses, as the bot and its outbox worker would."""

    async def _main() -> T:
        engine = create_engine(url)
        try:
            sessions = create_sessionmaker(engine)
            return await work(OutboxStore(sessions), lambda: SqlUnitOfWork(sessions))
        finally:
            await engine.dispose()

    return asyncio.run(_main())


async def _file(uow: Callable[[], SqlUnitOfWork], citizen: int, forward: bool) -> str:
    await services.register_citizen(uow(), citizen, name=f"Warga {citizen}",
                                    phone="+6281234567890", language="id", consent_at=NOW,
                                    now=NOW)
    draft = ReportDraft(photos=(PhotoRef("file-0", "u-0", PhotoKind.PHOTO),),
                        location=GeoPoint(3.3, 117.63), description="Jalan berlubang lagi.",
                        category_key="roads")
    submitted = await services.submit_report(uow(), citizen, draft, now=NOW, calendar=CALENDAR)
    if forward:
        await workflow.act(uow(), report_id=submitted.report_id, action=Action.FORWARD,
                           actor=Actor(7, Role.ADMIN, "Rina Admin"), expected_version=1,
                           now=NOW + timedelta(hours=1), calendar=CALENDAR, agency="PUPR")
    return submitted.code


def _one(lines: list[OutboxLine], kind: str, code: str) -> int:
    return next(line.id for line in lines if line.kind == kind and line.code == code)


def _row_ids(output: str) -> set[int]:
    """The ids in the first column of the listing."""
    return {int(m) for m in re.findall(r"^│ (\d+) ", output, re.MULTILINE)}


def test_outbox_lists_what_was_not_delivered_and_retries_it(database: str) -> None:
    async def deliver_some(store: OutboxStore,
                           uow: Callable[[], SqlUnitOfWork]) -> tuple[str, str, dict[str, int]]:
        forwarded = await _file(uow, 42, forward=True)
        waiting = await _file(uow, 43, forward=False)
        lines = await store.lines()
        rows = {"parked": _one(lines, "agency_card", forwarded),
                "undeliverable": _one(lines, "citizen_forwarded", forwarded),
                "failed": _one(lines, "admin_card", waiting),
                "sent": _one(lines, "admin_card", forwarded),
                "pending": _one(lines, "coordinator_forwarded", forwarded)}
        # what the outbox worker records after trying them
        await store.park(rows["parked"], PUPR_GROUP, "Forbidden: bot was kicked")
        await store.done(rows["undeliverable"], NOW, "undeliverable",
                         "Forbidden: bot was blocked by the user", 42)
        await store.done(rows["failed"], NOW, "failed", "Bad Request: can't parse entities",
                         ADMIN_GROUP)
        await store.done(rows["sent"], NOW, chat_id=ADMIN_GROUP)
        return forwarded, waiting, rows

    ok("migrate")
    forwarded, waiting, rows = on_store(database, deliver_some)
    listing = ok("outbox")
    shown = _row_ids(listing)
    assert {rows["parked"], rows["undeliverable"], rows["failed"], rows["pending"]} <= shown
    assert rows["sent"] not in shown
    assert re.search(rf"│ {rows['parked']}\s+│ parked\s+│ agency_card\s+│ agency PUPR\s+│ "
                     rf"{forwarded}\s+│ {PUPR_GROUP}\s+│", listing)
    assert "Forbidden: bot was kicked" in listing

    assert _row_ids(ok("outbox", "--chat", str(PUPR_GROUP))) == {rows["parked"]}
    assert _row_ids(ok("outbox", "--status", "failed")) == {rows["failed"]}
    by_report = _row_ids(ok("outbox", "--report", waiting.lower().replace("-", " ")))
    assert rows["failed"] in by_report and rows["parked"] not in by_report
    assert "Not a tracking code" in refused("outbox", "--report", "nonsense")
    assert "Nothing waits" in ok("outbox", "--chat", "-1009999")

    assert "Re-queued 1 row(s)" in ok("outbox", "retry", str(rows["failed"]))
    after = ok("outbox", "--report", waiting)
    assert re.search(rf"│ {rows['failed']}\s+│ pending\s+│ admin_card\s+│ admin\s+│ {waiting}"
                     rf"\s+│ {ADMIN_GROUP}\s+│ 0\s+│", after)
    assert "No failed, undeliverable or parked row" in refused("outbox", "retry",
                                                               str(rows["pending"]))
    assert "Give row ids or --all" in refused("outbox", "retry")
    assert "Re-queued 2 row(s)" in ok("outbox", "retry", "--all")
    assert not {"parked", "failed", "undeliverable"} & set(
        re.findall(r"│ \d+\s+│ (\w+)", ok("outbox")))


def test_outbox_on_an_empty_database(database: str) -> None:
    assert "Nothing waits in the outbox." in ok("outbox")
    assert "Re-queued 0 row(s)" in ok("outbox", "retry", "--all")
