"""Submitting one draft twice (a replayed Send) files it once and causes nothing again."""

from __future__ import annotations

from complaints import services
from tests.fakes import FakeDatabase
from tests.workflow_steps import CALENDAR, CITIZEN_ID, DRAFT, NOW


async def _registered() -> FakeDatabase:
    db = FakeDatabase()
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
    assert again == first
    assert len(db.state.reports) == 1 and len(db.state.events) == 1
    assert db.state.outbox == told  # one receipt for the citizen, one admin card


async def test_another_draft_is_another_report() -> None:
    db = await _registered()
    first = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                         calendar=CALENDAR, draft_id="d1")
    second = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                          calendar=CALENDAR, draft_id="d2")
    assert first.code != second.code and len(db.state.reports) == 2
