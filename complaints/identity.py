"""An anonymous report's reporter, shown to one admin on request and logged in its timeline."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from complaints.errors import NotAllowed, ReportNotFound
from complaints.model import Actor, ReportEvent, Role
from complaints.ports import UnitOfWork

log = logging.getLogger(__name__)
SHOW_IDENTITY = "show_identity"  # the event's action; not a lifecycle move
MAY_SEE_IDENTITY = frozenset({Role.ADMIN, Role.SUPERADMIN})


@dataclass(frozen=True, slots=True)
class Identity:
    """Who filed a report."""

    code: str
    name: str | None
    phone: str | None


async def show_identity(uow: UnitOfWork, *, report_id: int, actor: Actor,
                        now: datetime) -> Identity:
    """The reporter for an admin (by their own role), recorded as an event with their id."""
    if actor.role not in MAY_SEE_IDENTITY:
        raise NotAllowed()
    async with uow:
        case = await uow.reports.case_file(report_id)
        if case is None:
            raise ReportNotFound()
        await uow.reports.add_event(
            case.id, ReportEvent(now, SHOW_IDENTITY, case.status, case.status, actor.role),
            actor_id=actor.telegram_id)
        await uow.commit()
    log.info("identity of report %s shown to staff %s", case.id, actor.telegram_id)
    return Identity(case.code, case.citizen_name, case.citizen_phone)
