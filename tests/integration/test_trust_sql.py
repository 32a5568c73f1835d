"""Duplicates and privacy flags on SQLite and PostgreSQL: the box prefilter, subscriptions, the
flags and the duplicate link as the repositories store and read them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from complaints import admin, duplicates, services, workflow
from complaints.lifecycle import Action
from complaints.model import GeoPoint, ReportStatus
from complaints.ports import UnitOfWork
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.uow import SqlUnitOfWork
from tests.conftest import reset_postgres
from tests.workflow_steps import ADMIN, CALENDAR, CITIZEN_ID, DRAFT, NOW, act, submit

NEIGHBOUR = 200


@pytest.fixture(params=["sqlite", "postgres"])
async def uow(request: pytest.FixtureRequest,
              tmp_path: Path) -> AsyncIterator[Callable[[], UnitOfWork]]:
    url = (await reset_postgres() if request.param == "postgres"
           else f"sqlite+inline:///{tmp_path / 't.db'}")
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    factory = partial(SqlUnitOfWork, create_sessionmaker(engine))
    await admin.add_staff(factory(), ADMIN.telegram_id, ADMIN.name, ADMIN.role, None, NOW)
    for telegram_id, language in ((CITIZEN_ID, "id"), (NEIGHBOUR, "en")):
        await services.register_citizen(factory(), telegram_id, name="Warga",
                                        phone="+6281234567890", language=language,
                                        consent_at=NOW, now=NOW)
    yield factory
    await engine.dispose()


async def test_nearby_subscribe_and_followers_on_sql(uow: Callable[[], UnitOfWork]) -> None:
    report_id = await submit(uow, replace(DRAFT, anonymous=True))
    await submit(uow, replace(DRAFT, confidential=True))
    case = await workflow.case_file(uow(), report_id)
    assert (case.anonymous, case.confidential, case.me_too) == (True, False, 0)
    near = GeoPoint(DRAFT.location.latitude, DRAFT.location.longitude + 80 / 111_320)
    found = await duplicates.similar_reports(
        uow(), citizen_id=NEIGHBOUR, category_key="roads", point=near, now=NOW,
        radius_m=100, window=timedelta(days=14))
    assert [s.report.id for s in found] == [report_id]
    assert 75 < found[0].distance_m < 85
    await duplicates.join(uow(), citizen_id=NEIGHBOUR, report_id=report_id, now=NOW)
    await duplicates.join(uow(), citizen_id=NEIGHBOUR, report_id=report_id, now=NOW)
    assert (await workflow.case_file(uow(), report_id)).me_too == 1
    async with uow() as unit:
        assert await unit.duplicates.subscribers(report_id) == [(NEIGHBOUR, "en")]


async def test_duplicate_link_on_sql(uow: Callable[[], UnitOfWork]) -> None:
    original = await workflow.case_file(uow(), await submit(uow))
    copy_id = (await services.submit_report(uow(), NEIGHBOUR, DRAFT, now=NOW,
                                            calendar=CALENDAR)).report_id
    result = await duplicates.mark_duplicate(
        uow(), report_id=copy_id, original_code=original.code, actor=ADMIN,
        expected_version=1, now=NOW, calendar=CALENDAR, reason="Laporan ganda")
    assert result.report.status is ReportStatus.RETURNED
    assert (result.report.duplicate_of, result.report.duplicate_of_code) == (
        original.id, original.code)
    assert (await workflow.case_file(uow(), original.id)).me_too == 1
    forwarded = await act(uow, original.id, Action.FORWARD, ADMIN, agency="PUPR")
    assert forwarded.report.status is ReportStatus.FORWARDED
    async with uow() as unit:
        assert await unit.duplicates.subscribers(original.id) == [(NEIGHBOUR, "en")]
