"""Workflow steps shared by the service tests on the fake and on real databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from complaints import services, workflow
from complaints.calendar import WorkingCalendar
from complaints.lifecycle import Action
from complaints.model import Actor, GeoPoint, PhotoKind, PhotoRef, ReportDraft, Role
from complaints.ports import UnitOfWork

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # a Thursday
CALENDAR = WorkingCalendar(ZoneInfo("Asia/Makassar"))
ADMIN = Actor(1, Role.ADMIN, "Ani")
PUPR = Actor(2, Role.OPD, "Putu", "PUPR")
DLH = Actor(3, Role.OPD, "Lala", "DLH")
CITIZEN_ID = 100
PHOTO = (PhotoRef("p", "u", PhotoKind.PHOTO),)
DRAFT = ReportDraft(PHOTO, GeoPoint(3.3, 117.63), "Jalan berlubang di depan pasar.", "roads")
Uow = Callable[[], UnitOfWork]


async def submit(uow: Uow, draft: ReportDraft = DRAFT, now: datetime = NOW) -> int:
    """The registered citizen submits a report; its id."""
    submitted = await services.submit_report(uow(), CITIZEN_ID, draft, now=now,
                                             calendar=CALENDAR)
    return submitted.report_id


async def act(uow: Uow, report_id: int, action: Action, actor: Actor,
              **inputs: Any) -> workflow.ActResult:
    """The action at the report's current version, as a fresh card would send it."""
    case = await workflow.case_file(uow(), report_id)
    return await workflow.act(uow(), report_id=report_id, action=action, actor=actor,
                              expected_version=case.version, now=NOW, calendar=CALENDAR,
                              **inputs)


async def closed(uow: Uow) -> int:
    """A report forwarded to PUPR, done with proof, and closed by the admin."""
    report_id = await submit(uow)
    await act(uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    await act(uow, report_id, Action.START, PUPR)
    await act(uow, report_id, Action.RESOLVE, PUPR, proof=PHOTO, note="Sudah ditambal")
    await act(uow, report_id, Action.CLOSE, ADMIN)
    return report_id
