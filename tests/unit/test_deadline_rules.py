"""The SOP clock through the services, on the in-memory unit of work: each move sets the clock
of the step the report enters, RETURNED pauses it, configured standards are honoured, and the
coordinator (not an agency) may move a report to another agency."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints import admin, services, workflow
from complaints.errors import NotAllowed
from complaints.lifecycle import Action
from complaints.model import Actor, ReportStatus, Role, Step
from complaints.sla import SlaPolicy
from tests.fakes import FakeDatabase
from tests.workflow_steps import ADMIN, CALENDAR, CITIZEN_ID, DLH, DRAFT, NOW, PUPR

WITA = ZoneInfo("Asia/Makassar")
COORDINATOR = Actor(4, Role.COORDINATOR, "Kiki Koordinator")
OWNER = Actor(CITIZEN_ID, Role.CITIZEN, "Budi")  # NOW is Thursday 3 December 10:00 WITA


@pytest.fixture
async def db() -> FakeDatabase:
    database = FakeDatabase()
    for actor in (ADMIN, PUPR, DLH, COORDINATOR):
        await admin.add_staff(database.uow(), actor.telegram_id, actor.name, actor.role,
                              actor.agency_code, NOW)
    await services.register_citizen(database.uow(), CITIZEN_ID, name="Budi",
                                    phone="+6281234567890", language="id", consent_at=NOW,
                                    now=NOW)
    return database


async def _act(db: FakeDatabase, report_id: int, action: Action, actor: Actor, now: datetime,
               sla: SlaPolicy | None = None, **inputs: object) -> workflow.ActResult:
    case = await workflow.case_file(db.uow(), report_id)
    return await workflow.act(db.uow(), report_id=report_id, action=action, actor=actor,
                              expected_version=case.version, now=now, calendar=CALENDAR,
                              sla=sla, **inputs)  # type: ignore[arg-type]


async def test_each_move_sets_the_clock_of_the_step_it_enters(db: FakeDatabase) -> None:
    submitted = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                             calendar=CALENDAR)
    rid = submitted.report_id
    case = await workflow.case_file(db.uow(), rid)
    assert (case.clock.step, case.clock.due_at, case.clock.round) == (
        Step.VERIFY, datetime(2026, 12, 8, 23, 59, 59, tzinfo=WITA), 1)
    assert case.clock.remind_at == datetime(2026, 12, 7, 23, 59, 59, tzinfo=WITA)
    forwarded = (await _act(db, rid, Action.FORWARD, ADMIN, NOW, agency="PUPR")).report
    assert (forwarded.clock.step, forwarded.clock.round) == (Step.AGENCY_START, 2)
    assert forwarded.clock.due_at == datetime(2026, 12, 8, 23, 59, 59, tzinfo=WITA)
    started = (await _act(db, rid, Action.START, PUPR, NOW + timedelta(days=1))).report
    assert (started.clock.step, started.clock.due_at) == (Step.AGENCY_FINISH, started.finish_due)
    assert started.finish_due == datetime(2026, 12, 17, 23, 59, 59, tzinfo=WITA)
    resolved = (await _act(db, rid, Action.RESOLVE, PUPR, NOW + timedelta(days=2),
                           proof=DRAFT.photos, note="Sudah ditambal")).report
    assert resolved.clock.step is Step.DOCUMENT
    assert resolved.clock.due_at == NOW + timedelta(days=2, minutes=5)
    closed = (await _act(db, rid, Action.CLOSE, ADMIN, NOW + timedelta(days=2))).report
    assert closed.clock.step is None and not closed.clock.running


async def test_returned_pauses_the_verify_clock_and_resubmitting_resumes_it(
        db: FakeDatabase) -> None:
    rid = (await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                        calendar=CALENDAR)).report_id
    friday = datetime(2026, 12, 4, 10, tzinfo=WITA)
    returned = (await _act(db, rid, Action.RETURN, ADMIN, friday, reason="Foto buram")).report
    # Friday 10:00 to Tuesday 23:59:59: 14 h + Monday + Tuesday
    assert returned.clock.paused_remaining == timedelta(hours=61, minutes=59, seconds=59)
    assert returned.clock.due_at is None
    a_week_later = datetime(2026, 12, 11, 10, tzinfo=WITA)  # a Friday again
    resumed = (await _act(db, rid, Action.RESUBMIT, OWNER, a_week_later)).report
    assert resumed.status == ReportStatus.SUBMITTED
    assert resumed.clock.due_at == datetime(2026, 12, 15, 23, 59, 59, tzinfo=WITA)
    assert resumed.verify_due == resumed.clock.due_at  # the citizen's /status agrees


async def test_configured_standards_are_used(db: FakeDatabase) -> None:
    policy = SlaPolicy(verify_days=1, agency_start_days=5, remind_before_days=0)
    rid = (await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                        calendar=CALENDAR, sla=policy)).report_id
    case = await workflow.case_file(db.uow(), rid)
    assert case.verify_due == datetime(2026, 12, 4, 23, 59, 59, tzinfo=WITA)
    assert case.clock.remind_at is None
    forwarded = (await _act(db, rid, Action.FORWARD, ADMIN, NOW, policy, agency="PUPR")).report
    assert forwarded.clock.due_at == datetime(2026, 12, 10, 23, 59, 59, tzinfo=WITA)


async def test_the_coordinator_may_reassign_an_agency_may_not(db: FakeDatabase) -> None:
    rid = (await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                        calendar=CALENDAR)).report_id
    await _act(db, rid, Action.FORWARD, ADMIN, NOW, agency="PUPR")
    with pytest.raises(NotAllowed):
        await _act(db, rid, Action.REASSIGN, PUPR, NOW, agency="DLH")
    later = NOW + timedelta(days=6)
    moved = (await _act(db, rid, Action.REASSIGN, COORDINATOR, later, agency="DLH")).report
    assert (moved.agency_code, moved.status, moved.clock.step) == (
        "DLH", ReportStatus.FORWARDED, Step.AGENCY_START)
    assert moved.clock.round == 3  # a fresh clock: its notices go again, for DLH
    assert moved.clock.due_at == datetime(2026, 12, 14, 23, 59, 59, tzinfo=WITA)
    kinds = [(n.kind, n.target_ref) for n in db.state.outbox][-5:]
    assert ("citizen_reassigned", str(CITIZEN_ID)) in kinds
    assert ("agency_card", "DLH") in kinds and ("agency_reassigned_away", "PUPR") in kinds
