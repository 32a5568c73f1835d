"""The deadline scheduler's rules: remind, mark overdue, escalate, digest, each exactly once.

Driven by the clocks stored on the reports (complaints/sla.py): a round looks for clocks whose
reminder, overdue notice or escalation is due, claims each (report, step, kind, round) in the
same transaction as the outbox rows it causes, and commits. A second process, a restart or a
repeated round finds the claim and causes nothing again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from complaints.model import Notice, NoticeKind, NoticeTarget, ReportStatus, Step
from complaints.ports import UnitOfWork
from complaints.sla import RESPONSIBLE, SlaNoticeKind

REASSIGNABLE = (ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS)
KIND_NOTICE = {SlaNoticeKind.REMINDER: NoticeKind.SLA_REMINDER,
               SlaNoticeKind.OVERDUE: NoticeKind.SLA_OVERDUE}


@dataclass(frozen=True, slots=True)
class DueNotice:
    """A notice a report's clock calls for now."""

    report_id: int
    step: Step
    round: int
    kind: SlaNoticeKind
    agency_code: str | None
    due_at: datetime


@dataclass(frozen=True, slots=True)
class OverdueReport:
    """A report waiting past its step's due time, as the escalation lists it."""

    report_id: int
    code: str
    status: ReportStatus
    step: Step
    agency_code: str | None
    due_at: datetime


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One agency's figures in the daily digest (None: reports no agency holds)."""

    agency: str | None
    new: int
    forwarded: int
    done: int
    overdue: int


class DeadlineRepository(Protocol):
    """What the scheduler needs from storage (db/deadlines.py)."""

    async def due_notices(self, now: datetime, limit: int) -> list[DueNotice]: ...

    async def record(self, notice: DueNotice, now: datetime) -> bool: ...

    async def overdue(self, now: datetime) -> list[OverdueReport]: ...

    async def claim_digest(self, day: str, now: datetime) -> bool: ...

    async def digest(self, since: datetime, until: datetime,
                     now: datetime) -> list[DigestLine]: ...


class DeadlineUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also reaches the deadline tables."""

    deadlines: DeadlineRepository


async def run_round(uow: DeadlineUnitOfWork, *, now: datetime, limit: int = 200) -> int:
    """Cause every reminder, overdue notice and escalation that is due; returns how many."""
    async with uow:
        caused, escalated = 0, []
        for due in await uow.deadlines.due_notices(now, limit):
            if not await uow.deadlines.record(due, now):
                continue
            caused += 1
            if due.kind is SlaNoticeKind.ESCALATION:
                escalated.append(due)
                continue
            target = RESPONSIBLE[due.step]
            ref = due.agency_code if target is NoticeTarget.AGENCY else None
            await uow.outbox.add(Notice(KIND_NOTICE[due.kind], target, due.report_id, ref,
                                        {"step": due.step.value}), now)
            if due.kind is SlaNoticeKind.OVERDUE:  # the cards show how late it is
                await uow.outbox.add(Notice(NoticeKind.REFRESH_CARDS, NoticeTarget.ADMIN,
                                            due.report_id), now)
        if escalated:
            overdue = await uow.deadlines.overdue(now)
            await uow.outbox.add(escalation(overdue, {e.report_id for e in escalated}), now)
        await uow.commit()
        return caused


def escalation(overdue: list[OverdueReport], new: set[int]) -> Notice:
    """The coordinator's list of overdue reports by who must act: each agency for its steps,
    the regional admin ("") for verifying and documenting; the newly escalated marked."""
    lines = [{"id": o.report_id, "code": o.code, "step": o.step.value,
              "agency": (o.agency_code or "") if RESPONSIBLE[o.step] is NoticeTarget.AGENCY
              else "", "due": o.due_at.isoformat(),
              "new": o.report_id in new, "movable": o.status in REASSIGNABLE}
             for o in overdue]
    return Notice(NoticeKind.SLA_ESCALATION, NoticeTarget.COORDINATOR, None, None,
                  {"lines": json.dumps(lines)})


def digest_day(now: datetime, zone: ZoneInfo, hour: int) -> date | None:
    """The local day whose digest is due at `now` (yesterday's, from `hour` on), or None."""
    local = now.astimezone(zone)
    return local.date() - timedelta(days=1) if local.hour >= hour else None


async def daily_digest(uow: DeadlineUnitOfWork, *, now: datetime, zone: ZoneInfo,
                       hour: int) -> bool:
    """Yesterday's figures to the coordinator, once per day whatever runs; True if caused.
    The cards of overdue reports are refreshed with it, so how late they are stays current."""
    day = digest_day(now, zone, hour)
    if day is None:
        return False
    async with uow:
        if not await uow.deadlines.claim_digest(day.isoformat(), now):
            return False
        since = datetime.combine(day, time(0), tzinfo=zone)
        lines = await uow.deadlines.digest(since, since + timedelta(days=1), now)
        rows = [[line.agency or "", line.new, line.forwarded, line.done, line.overdue]
                for line in lines]
        await uow.outbox.add(Notice(NoticeKind.SLA_DIGEST, NoticeTarget.COORDINATOR, None, None,
                                    {"day": day.isoformat(), "rows": json.dumps(rows)}), now)
        for late in await uow.deadlines.overdue(now):
            await uow.outbox.add(Notice(NoticeKind.REFRESH_CARDS, NoticeTarget.ADMIN,
                                        late.report_id), now)
        await uow.commit()
        return True
