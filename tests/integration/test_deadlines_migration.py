"""Reports that exist when the deadlines migration runs get their SOP clocks."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from db.engine import create_engine
from db.migrate import downgrade, upgrade
from db.models import UtcDateTime
from tests.conftest import reset_postgres

WITA = ZoneInfo("Asia/Makassar")
MONDAY = datetime(2026, 12, 7, 10, tzinfo=WITA)
REPORTS = sa.table(
    "reports", *(sa.column(name, sa.String) for name in (
        "code", "status", "category_key", "description", "agency_code")),
    sa.column("id", sa.Integer), sa.column("citizen_id", sa.BigInteger),
    sa.column("latitude", sa.Float), sa.column("longitude", sa.Float),
    sa.column("version", sa.Integer), sa.column("revision", sa.Integer),
    sa.column("address_checked", sa.Boolean),
    *(sa.column(name, UtcDateTime) for name in (
        "created_at", "updated_at", "verify_due", "finish_due", "sla_due_at", "sla_remind_at",
        "sla_escalate_at")),
    sa.column("sla_step", sa.String), sa.column("sla_paused_seconds", sa.Integer),
    sa.column("sla_round", sa.Integer))
EVENTS = sa.table("report_events", sa.column("report_id", sa.Integer),
                  sa.column("at", UtcDateTime), sa.column("action", sa.String),
                  sa.column("to_status", sa.String), sa.column("actor_role", sa.String))
CITIZENS = sa.table("citizens", sa.column("telegram_id", sa.BigInteger),
                    sa.column("language", sa.String), sa.column("created_at", UtcDateTime),
                    sa.column("updated_at", UtcDateTime))


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return await reset_postgres()
    return f"sqlite+inline:///{tmp_path / 'test.db'}"


def _report(report_id: int, status: str, **values: object) -> dict[str, object]:
    return {"id": report_id, "code": f"LPR-AAAA-AAA{report_id}", "status": status,
            "category_key": "roads", "description": "x", "citizen_id": 1, "latitude": 3.3,
            "longitude": 117.6, "version": 2, "revision": 1, "address_checked": True,
            "created_at": MONDAY, "updated_at": MONDAY,
            "verify_due": datetime(2026, 12, 10, 23, 59, 59, tzinfo=WITA), "finish_due": None,
            "agency_code": None, **values}


async def test_open_reports_get_their_step_due_time(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url, "0002")
    tuesday = MONDAY + timedelta(days=1)
    finish = datetime(2026, 12, 21, 23, 59, 59, tzinfo=WITA)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.insert(CITIZENS).values(
                telegram_id=1, language="id", created_at=MONDAY, updated_at=MONDAY))
            await connection.execute(sa.insert(REPORTS), [
                _report(1, "submitted"),
                _report(2, "returned", updated_at=tuesday),
                _report(3, "forwarded", agency_code="PUPR", finish_due=finish),
                _report(4, "in_progress", agency_code="PUPR", finish_due=finish),
                _report(5, "resolved", agency_code="PUPR", updated_at=tuesday),
                _report(6, "closed", agency_code="PUPR")])
            await connection.execute(sa.insert(EVENTS).values(
                report_id=3, at=tuesday, action="forward", to_status="forwarded",
                actor_role="admin"))
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as connection:
            rows = {row.id: row for row in await connection.execute(
                sa.select(REPORTS.c.id, REPORTS.c.sla_step, REPORTS.c.sla_due_at,
                          REPORTS.c.sla_remind_at, REPORTS.c.sla_escalate_at,
                          REPORTS.c.sla_paused_seconds, REPORTS.c.sla_round))}
    finally:
        await engine.dispose()

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(WITA) if value else None

    verify = rows[1]
    assert (verify.sla_step, local(verify.sla_due_at)) == (
        "verify", datetime(2026, 12, 10, 23, 59, 59, tzinfo=WITA))
    assert local(verify.sla_remind_at) == datetime(2026, 12, 9, 23, 59, 59, tzinfo=WITA)
    assert verify.sla_escalate_at == verify.sla_due_at and verify.sla_round == 1
    paused = rows[2]  # returned Tuesday 10:00: 14 h + Wednesday + Thursday (to 23:59:59) left
    assert (paused.sla_step, paused.sla_due_at) == ("verify", None)
    assert paused.sla_paused_seconds == int(timedelta(hours=61, minutes=59, seconds=59)
                                            .total_seconds())
    start = rows[3]  # three working days from its forwarding on Tuesday
    assert (start.sla_step, local(start.sla_due_at)) == (
        "agency_start", datetime(2026, 12, 11, 23, 59, 59, tzinfo=WITA))
    assert (rows[4].sla_step, local(rows[4].sla_due_at)) == ("agency_finish", finish)
    assert (rows[5].sla_step, local(rows[5].sla_due_at)) == (
        "document", tuesday + timedelta(minutes=5))
    assert rows[5].sla_remind_at is None
    assert (rows[6].sla_step, rows[6].sla_due_at, rows[6].sla_round) == (None, None, 0)
    await asyncio.to_thread(downgrade, database_url, "0002")
    await asyncio.to_thread(upgrade, database_url)


PHOTOS = sa.table("report_photos", sa.column("report_id", sa.Integer),
                  sa.column("position", sa.Integer), sa.column("file_id", sa.String),
                  sa.column("file_unique_id", sa.String), sa.column("kind", sa.String),
                  sa.column("purpose", sa.String))


async def test_upgrading_keeps_every_report_s_photos_and_timeline(database_url: str) -> None:
    """SQLite rebuilds `reports` in batch migrations: nothing hanging off it may vanish."""
    await asyncio.to_thread(upgrade, database_url, "0002")
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.insert(CITIZENS).values(
                telegram_id=1, language="id", created_at=MONDAY, updated_at=MONDAY))
            await connection.execute(sa.insert(REPORTS), [_report(1, "submitted"),
                                                          _report(2, "closed")])
            await connection.execute(sa.insert(PHOTOS), [
                {"report_id": report_id, "position": 0, "file_id": f"F{report_id}",
                 "file_unique_id": f"U{report_id}", "kind": "photo", "purpose": "evidence"}
                for report_id in (1, 2)])
            await connection.execute(sa.insert(EVENTS), [
                {"report_id": report_id, "at": MONDAY, "action": "submit",
                 "to_status": "submitted", "actor_role": "citizen"} for report_id in (1, 2)])
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as connection:
            photos = (await connection.execute(sa.select(PHOTOS.c.file_id)
                                               .order_by(PHOTOS.c.file_id))).scalars().all()
            events = (await connection.execute(sa.select(sa.func.count())
                                               .select_from(EVENTS))).scalar_one()
    finally:
        await engine.dispose()
    assert photos == ["F1", "F2"]
    assert events == 2
