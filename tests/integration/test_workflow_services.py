"""The workflow services against a real database: rules a front end cannot bypass."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaints import admin, services, workflow
from complaints.errors import InvalidInput, NotAllowed, ReportNotFound, StaleReport
from complaints.lifecycle import Action
from complaints.model import (
    Actor,
    ChatPurpose,
    GeoPoint,
    ReportDraft,
    ReportStatus,
    Role,
)
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.uow import SqlUnitOfWork
from tests.workflow_steps import (
    ADMIN,
    CALENDAR,
    CITIZEN_ID,
    DLH,
    NOW,
    PHOTO,
    PUPR,
    act,
    closed,
    submit,
)


@pytest.fixture
async def uow(tmp_path: Path):
    url = f"sqlite+inline:///{tmp_path / 'w.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    factory = partial(SqlUnitOfWork, create_sessionmaker(engine))
    for actor in (ADMIN, PUPR, DLH):
        await admin.add_staff(factory(), actor.telegram_id, actor.name, actor.role,
                              actor.agency_code, NOW)
    await services.register_citizen(factory(), CITIZEN_ID, name="Budi", phone="+6281234567890",
                                    language="id", consent_at=NOW, now=NOW)
    yield factory
    await engine.dispose()


async def test_forward_sets_the_ten_working_day_clock(uow) -> None:
    report_id = await submit(uow)
    result = await act(uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    assert result.report.status is ReportStatus.FORWARDED
    assert result.report.finish_due == datetime(2026, 12, 17, 23, 59, 59,
                                                tzinfo=ZoneInfo("Asia/Makassar"))


async def test_agency_staff_act_only_on_their_agency(uow) -> None:
    report_id = await submit(uow)
    await act(uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    with pytest.raises(NotAllowed):
        await act(uow, report_id, Action.START, DLH)
    with pytest.raises(NotAllowed):
        await act(uow, report_id, Action.START, ADMIN)
    assert (await act(uow, report_id, Action.START, PUPR)).report.status == "in_progress"


async def test_stale_version_names_who_acted_first(uow) -> None:
    report_id = await submit(uow)
    case = await workflow.case_file(uow(), report_id)
    await act(uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    with pytest.raises(StaleReport) as err:
        await workflow.act(uow(), report_id=report_id, action=Action.RETURN, actor=ADMIN,
                           expected_version=case.version, now=NOW, calendar=CALENDAR,
                           reason="duplikat")
    assert err.value.params["name"] == "Ani"
    assert err.value.params["status"] == "forwarded"


async def test_inputs_are_required(uow) -> None:
    report_id = await submit(uow)
    with pytest.raises(InvalidInput):
        await act(uow, report_id, Action.RETURN, ADMIN, reason="   ")
    with pytest.raises(InvalidInput):
        await act(uow, report_id, Action.FORWARD, ADMIN, agency="NOPE")
    await act(uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    await act(uow, report_id, Action.START, PUPR)
    with pytest.raises(InvalidInput):
        await act(uow, report_id, Action.RESOLVE, PUPR, proof=(), note="done")
    with pytest.raises(InvalidInput):
        await act(uow, report_id, Action.RESOLVE, PUPR, proof=PHOTO, note=" ")


async def test_rating_once_and_low_rating_reopens(uow) -> None:
    report_id = await closed(uow)
    reopened = await workflow.rate(uow(), citizen_id=CITIZEN_ID, report_id=report_id, stars=1,
                                   comment="Masih berlubang", now=NOW, calendar=CALENDAR)
    assert reopened.status is ReportStatus.SUBMITTED and reopened.rating == 1
    assert reopened.events[-1].note == "Masih berlubang"
    with pytest.raises(StaleReport):
        await workflow.rate(uow(), citizen_id=CITIZEN_ID, report_id=report_id, stars=5,
                            comment=None, now=NOW, calendar=CALENDAR)


async def test_not_fixed_only_within_seven_days_and_by_the_owner(uow) -> None:
    report_id = await closed(uow)
    with pytest.raises(ReportNotFound):  # another citizen's report does not exist for them
        await workflow.not_fixed(uow(), citizen_id=999, report_id=report_id, words="x",
                                 now=NOW, calendar=CALENDAR)
    with pytest.raises(InvalidInput):
        await workflow.not_fixed(uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                 words="Belum", now=NOW + timedelta(days=8), calendar=CALENDAR)
    case = await workflow.not_fixed(uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                    words="Belum beres", now=NOW + timedelta(days=2),
                                    calendar=CALENDAR)
    assert case.status is ReportStatus.SUBMITTED and case.agency_code is None


async def test_resubmit_keeps_the_code_and_counts_revisions(uow) -> None:
    report_id = await submit(uow)
    before = await workflow.case_file(uow(), report_id)
    await act(uow, report_id, Action.RETURN, ADMIN, reason="kurang", reason_key="incomplete")
    citizen = Actor(CITIZEN_ID, Role.CITIZEN, "Budi")
    fixed = ReportDraft(PHOTO * 2, GeoPoint(3.31, 117.6), "Lubang besar di Jl. Mulawarman.",
                        "drainage")
    after = (await act(uow, report_id, Action.RESUBMIT, citizen, draft=fixed)).report
    assert after.code == before.code and after.revision == 2
    assert after.category_key == "drainage" and len(after.photos) == 2
    assert after.status is ReportStatus.SUBMITTED


async def test_declared_field_effects_reach_the_database(uow) -> None:
    report_id = await closed(uow)
    report = await workflow.case_file(uow(), report_id)
    assert report.closed_at == NOW and report.agency_code == "PUPR"
    later = NOW + timedelta(days=1)
    reopened = await workflow.not_fixed(uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                        words="Belum", now=later, calendar=CALENDAR)
    assert reopened.closed_at is None and reopened.agency_code is None
    assert reopened.verify_due == CALENDAR.deadline(later, services.VERIFY_DAYS)


async def test_resubmit_without_a_landmark_clears_the_old_one(uow) -> None:
    draft = ReportDraft(PHOTO, GeoPoint(3.3, 117.63), "Jalan berlubang di depan pasar.", "roads",
                        landmark="Depan pasar")
    report_id = (await services.submit_report(uow(), CITIZEN_ID, draft, now=NOW,
                                              calendar=CALENDAR)).report_id
    async with uow() as unit:
        await unit.reports.set_address(report_id, "Jl. Yos Sudarso")
        await unit.commit()
    assert (await workflow.case_file(uow(), report_id)).address == "Jl. Yos Sudarso"
    await act(uow, report_id, Action.RETURN, ADMIN, reason="kurang")
    citizen = Actor(CITIZEN_ID, Role.CITIZEN, "Budi")
    fixed = ReportDraft(PHOTO, GeoPoint(3.31, 117.6), "Lubang besar di Jl. Mulawarman.", "roads")
    after = (await act(uow, report_id, Action.RESUBMIT, citizen, draft=fixed)).report
    assert after.landmark is None and after.address is None
    assert (after.location.latitude, after.location.longitude) == (3.31, 117.6)


async def test_link_codes_expire_and_work_once(uow) -> None:
    code, _ = await admin.new_link_code(uow(), ChatPurpose.ADMIN, None, NOW,
                                        ttl=timedelta(minutes=5))
    with pytest.raises(NotAllowed):
        await admin.bind_with_code(uow(), code, user_id=CITIZEN_ID, chat_id=-1, title=None,
                                   now=NOW)
    with pytest.raises(InvalidInput):
        await admin.bind_with_code(uow(), code, user_id=ADMIN.telegram_id, chat_id=-1,
                                   title=None, now=NOW + timedelta(minutes=6))
    other, _ = await admin.new_link_code(uow(), ChatPurpose.OPD, "PUPR", NOW)
    binding = await admin.bind_with_code(uow(), other, user_id=ADMIN.telegram_id, chat_id=-5,
                                         title="PUPR", now=NOW)
    assert binding.agency_code == "PUPR"
    with pytest.raises(InvalidInput):
        await admin.bind_with_code(uow(), other, user_id=ADMIN.telegram_id, chat_id=-6,
                                   title=None, now=NOW)
