"""Privacy rights and abuse counters on real databases (SQLite and PostgreSQL): what stays."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from complaints import admin, privacy, services, workflow
from complaints.lifecycle import Action
from complaints.model import ReportStatus
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models import CitizenRow, EventRow, OutboxRow, PhotoRow, ReportRow, StaffRow
from db.uow import SqlUnitOfWork
from tests.conftest import reset_postgres
from tests.workflow_steps import ADMIN, CALENDAR, CITIZEN_ID, NOW, PUPR, act, closed, submit


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        url = f"sqlite+inline:///{tmp_path / 'p.db'}"
    else:
        url = await reset_postgres()
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    factory = partial(SqlUnitOfWork, sessionmaker)
    for actor in (ADMIN, PUPR):
        await admin.add_staff(factory(), actor.telegram_id, actor.name, actor.role,
                              actor.agency_code, NOW)
    await services.register_citizen(factory(), CITIZEN_ID, name="Budi", phone="+6281234567890",
                                     language="id", consent_at=NOW, now=NOW,
                                     consent_version="1")
    yield factory, sessionmaker
    await engine.dispose()


async def _rows(sessionmaker, query):
    async with sessionmaker() as session:
        return list((await session.execute(query)).all())


async def test_erasure_withdraws_open_reports_and_anonymises_all(db) -> None:
    uow, sessionmaker = db
    done = await closed(uow)
    waiting = await submit(uow)
    with_agency = await submit(uow)
    await act(uow, with_agency, Action.FORWARD, ADMIN, agency="PUPR")
    plan = await privacy.erasure_plan(uow(), CITIZEN_ID)
    assert len(plan.withdraw) == 1 and len(plan.in_agency) == 1 and plan.total == 3

    erased = await privacy.erase_citizen(uow, CITIZEN_ID, now=NOW, calendar=CALENDAR)

    assert erased.profile_deleted and len(erased.anonymised) == 3 and len(erased.withdrawn) == 1
    assert await _rows(sessionmaker, select(CitizenRow).where(
        CitizenRow.telegram_id == CITIZEN_ID)) == []
    reports = {r.id: r for (r,) in await _rows(sessionmaker, select(ReportRow))}
    assert reports[waiting].status == ReportStatus.WITHDRAWN.value
    assert reports[with_agency].status == ReportStatus.FORWARDED.value  # the agency goes on
    for report in reports.values():
        assert report.citizen_id == privacy.ANONYMOUS_CITIZEN
        assert report.description == "" and report.landmark is None
        assert report.anonymised_at is not None
        assert report.latitude == 3.3 and report.category_key == "roads"  # statistics stay
    assert reports[done].rating is None and reports[done].agency_code == "PUPR"
    photos = await _rows(sessionmaker, select(PhotoRow.purpose))
    assert [p for (p,) in photos] == ["proof"]  # the citizen's own photos are gone
    citizen_events = await _rows(sessionmaker, select(EventRow.actor_id, EventRow.note)
                                 .where(EventRow.actor_role == "citizen"))
    assert citizen_events and all(e == (None, None) for e in citizen_events)
    to_citizen = await _rows(sessionmaker, select(OutboxRow.kind).where(
        OutboxRow.target == "citizen"))
    assert to_citizen == []
    # the agency finishes its work; nobody is left to notify, nothing fails
    result = await act(uow, with_agency, Action.START, PUPR)
    assert result.report.citizen_name is None and result.report.citizen_phone is None
    assert await services.list_my_reports(uow(), CITIZEN_ID) == []


async def test_export_holds_profile_reports_events_and_photo_ids(db) -> None:
    uow, _ = db
    report_id = await closed(uow)
    data = await privacy.personal_data(uow(), CITIZEN_ID)
    assert data.citizen.name == "Budi" and data.citizen.phone == "+6281234567890"
    assert data.citizen.consent_version == "1" and data.registered_at is not None
    [report] = data.reports
    assert report.id == report_id and report.photos[0].file_id == "p"
    assert [e.action for e in report.events] == ["submit", "forward", "start", "resolve",
                                                 "close"]


async def test_retention_anonymises_only_finished_reports_past_the_period(db) -> None:
    uow, _ = db
    old = await closed(uow)
    still_open = await submit(uow)
    later = NOW + timedelta(days=400)
    assert await privacy.purge_finished(uow(), older_than=timedelta(days=365),
                                        now=NOW + timedelta(days=10)) == ()
    codes = await privacy.purge_finished(uow(), older_than=timedelta(days=365), now=later)
    old_case = await workflow.case_file(uow(), old)
    assert codes == (old_case.code,)
    assert old_case.citizen_id == privacy.ANONYMOUS_CITIZEN and old_case.description == ""
    open_case = await workflow.case_file(uow(), still_open)
    assert open_case.citizen_id == CITIZEN_ID and open_case.description
    # the profile stays: retention is about old reports, not about the person
    assert (await services.get_citizen(uow(), CITIZEN_ID)).name == "Budi"
    assert await privacy.purge_finished(uow(), older_than=timedelta(days=365), now=later) == ()


async def test_message_counter_and_block_hold_in_the_database(db) -> None:
    uow, _ = db
    window = timedelta(seconds=60)
    counts = [(await privacy.count_message(uow(), CITIZEN_ID, now=NOW + timedelta(seconds=i),
                                           window=window)).count for i in range(3)]
    assert counts == [1, 2, 3]
    fresh = await privacy.count_message(uow(), CITIZEN_ID, now=NOW + timedelta(seconds=90),
                                        window=window)
    assert fresh.count == 1 and not fresh.blocked
    assert await privacy.set_blocked(uow(), CITIZEN_ID, blocked=True, reason="spam", now=NOW)
    gate = await privacy.count_message(uow(), CITIZEN_ID, now=NOW, window=window)
    assert gate.blocked
    assert await privacy.set_blocked(uow(), CITIZEN_ID, blocked=False, reason=None, now=NOW)
    assert not (await privacy.count_message(uow(), CITIZEN_ID, now=NOW, window=window)).blocked
    assert await privacy.count_message(uow(), 999, now=NOW, window=window) is None


async def test_staff_erasure_unlinks_their_actions(db) -> None:
    uow, sessionmaker = db
    report_id = await closed(uow)
    assert await privacy.erase_staff(uow(), PUPR.telegram_id)
    assert await _rows(sessionmaker, select(StaffRow).where(
        StaffRow.telegram_id == PUPR.telegram_id)) == []
    case = await workflow.case_file(uow(), report_id)
    started = next(e for e in case.events if e.action == "start")
    assert started.actor_id is None and started.actor_name is None
    assert not await privacy.erase_staff(uow(), PUPR.telegram_id)
