"""A replayed update (a crash before its handling was recorded) changes nothing twice."""

from __future__ import annotations

import pytest

from complaints import admin, services, workflow
from complaints.errors import InvalidInput, StaleReport
from complaints.lifecycle import Action
from complaints.model import Actor, ChatPurpose, Role
from tests.fakes import FakeDatabase
from tests.workflow_steps import ADMIN, CALENDAR, CITIZEN_ID, DRAFT, NOW, PUPR, closed, submit


async def _registered() -> FakeDatabase:
    db = FakeDatabase()
    for actor in (ADMIN, PUPR):
        await admin.add_staff(db.uow(), actor.telegram_id, actor.name, actor.role,
                              actor.agency_code, NOW)
    await services.register_citizen(db.uow(), CITIZEN_ID, name="Budi", phone="+6281234567890",
                                    language="id", consent_at=NOW, now=NOW)
    return db


async def test_the_same_draft_submitted_twice_is_one_report() -> None:
    db = await _registered()
    first = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                         calendar=CALENDAR, draft_id="d1")
    told = list(db.state.outbox)
    again = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                         calendar=CALENDAR, draft_id="d1")
    assert again == first  # the same receipt row: sent now only if it is still unsent
    assert len(db.state.reports) == 1 and len(db.state.events) == 1
    assert db.state.outbox == told  # one receipt for the citizen, one admin card


async def test_another_draft_is_another_report() -> None:
    db = await _registered()
    first = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                         calendar=CALENDAR, draft_id="d1")
    second = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                          calendar=CALENDAR, draft_id="d2")
    assert first.code != second.code and len(db.state.reports) == 2


async def _press(db: FakeDatabase, report_id: int, version: int, action: Action,
                 **inputs: object) -> workflow.ActResult:
    return await workflow.act(db.uow(), report_id=report_id, action=action, actor=ADMIN,
                              expected_version=version, now=NOW, calendar=CALENDAR,
                              **inputs)  # type: ignore[arg-type]


async def test_the_same_press_replayed_is_applied_once_without_complaint() -> None:
    db = await _registered()
    report_id = await submit(db.uow)
    first = await _press(db, report_id, 1, Action.FORWARD, agency="PUPR")
    told = list(db.state.outbox)
    again = await _press(db, report_id, 1, Action.FORWARD, agency="PUPR")
    assert again.report.version == first.report.version == 2
    assert [e.action for e in again.report.events] == ["submit", "forward"]
    assert db.state.outbox == told


async def test_another_input_on_the_old_version_is_still_refused() -> None:
    db = await _registered()
    report_id = await submit(db.uow)
    await _press(db, report_id, 1, Action.FORWARD, agency="PUPR")
    with pytest.raises(StaleReport):  # not what was applied: the admin must learn it
        await _press(db, report_id, 1, Action.FORWARD, agency="DLH")
    with pytest.raises(StaleReport):
        await _press(db, report_id, 1, Action.RETURN, reason="kurang")


async def test_a_replayed_low_rating_reopens_once() -> None:
    db = await _registered()
    report_id = await closed(db.uow)
    first = await workflow.rate(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id, stars=1,
                                comment="belum", now=NOW, calendar=CALENDAR)
    told = list(db.state.outbox)
    again = await workflow.rate(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id, stars=1,
                                comment="belum", now=NOW, calendar=CALENDAR)
    assert again.version == first.version and db.state.outbox == told
    assert [e.action for e in again.events].count("reopen") == 1


async def test_a_replayed_link_code_binds_again_but_no_other_chat() -> None:
    db = await _registered()
    code, _ = await admin.new_link_code(db.uow(), ChatPurpose.OPD, "PUPR", NOW)
    first = await admin.bind_with_code(db.uow(), code, user_id=ADMIN.telegram_id, chat_id=-5,
                                       title="OPD PUPR", now=NOW)
    again = await admin.bind_with_code(db.uow(), code, user_id=ADMIN.telegram_id, chat_id=-5,
                                       title="OPD PUPR", now=NOW)
    assert again == first
    with pytest.raises(InvalidInput):
        await admin.bind_with_code(db.uow(), code, user_id=ADMIN.telegram_id, chat_id=-6,
                                   title="Other", now=NOW)


async def test_a_press_is_seen_as_pressed_only_by_whoever_made_the_move() -> None:
    db = await _registered()
    report_id = await submit(db.uow)
    await _press(db, report_id, 1, Action.FORWARD, agency="PUPR")
    case = await workflow.case_file(db.uow(), report_id)
    pressed = workflow.as_pressed(case, 1, ADMIN.telegram_id)
    assert pressed is not None and (pressed.status, pressed.version) == ("submitted", 1)
    assert workflow.as_pressed(case, 1, PUPR.telegram_id) is None  # someone else's move
    assert workflow.as_pressed(case, 0, ADMIN.telegram_id) is None  # older than one move


async def test_replayed_not_fixed_words_reopen_once() -> None:
    db = await _registered()
    report_id = await closed(db.uow)
    first = await workflow.not_fixed(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                     words="Masih  berlubang", now=NOW, calendar=CALENDAR)
    told = list(db.state.outbox)
    again = await workflow.not_fixed(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                     words="Masih  berlubang", now=NOW, calendar=CALENDAR)
    assert again.version == first.version and db.state.outbox == told
    with pytest.raises(StaleReport):  # other words are not this update
        await workflow.not_fixed(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                 words="Lain lagi", now=NOW, calendar=CALENDAR)


async def test_a_resubmission_holds_its_receipt_for_the_handler_once() -> None:
    db = await _registered()
    report_id = await submit(db.uow)
    await _press(db, report_id, 1, Action.RETURN, reason="kurang", reason_key="incomplete")
    owner = Actor(CITIZEN_ID, Role.CITIZEN, "Budi")

    async def resend() -> workflow.ActResult:
        return await workflow.act(db.uow(), report_id=report_id, action=Action.RESUBMIT,
                                  actor=owner, expected_version=2, now=NOW, calendar=CALENDAR,
                                  draft=DRAFT)

    first = await resend()
    assert first.receipt is not None
    assert db.state.outbox[first.receipt - 1].kind == "citizen_resubmitted"
    assert (await resend()).receipt is None  # replayed: nothing new to send
