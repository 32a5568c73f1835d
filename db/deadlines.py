"""The scheduler's reads and claims: which clocks call for a notice, notices already caused,
overdue reports, the daily digest's figures. Nothing here commits; the service does."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import DigestLine, DueNotice, OverdueReport
from complaints.model import ReportStatus, SlaClock, Step
from complaints.sla import SlaNoticeKind
from db.models import DigestRow, EventRow, ReportRow, SlaNoticeRow
from db.upsert import dialect_insert


def clock_values(clock: SlaClock) -> dict[str, object]:
    """The SOP clock's columns."""
    paused = clock.paused_remaining
    return {"sla_step": clock.step.value if clock.step else None, "sla_due_at": clock.due_at,
            "sla_remind_at": clock.remind_at, "sla_escalate_at": clock.escalate_at,
            "sla_paused_seconds": int(paused.total_seconds()) if paused is not None else None,
            "sla_round": clock.round}


def clock_of(row: ReportRow) -> SlaClock:
    """The SOP clock read back from its columns."""
    paused = row.sla_paused_seconds
    return SlaClock(Step(row.sla_step) if row.sla_step else None, row.sla_due_at,
                    row.sla_remind_at, row.sla_escalate_at,
                    timedelta(seconds=paused) if paused is not None else None, row.sla_round or 0)


KIND_DUE = {  # when each kind is due: its time has come (and a reminder not yet too late)
    SlaNoticeKind.REMINDER: lambda now: and_(ReportRow.sla_remind_at <= now,
                                             ReportRow.sla_due_at > now),
    SlaNoticeKind.OVERDUE: lambda now: ReportRow.sla_due_at <= now,
    SlaNoticeKind.ESCALATION: lambda now: ReportRow.sla_escalate_at <= now,
}


class SqlDeadlineRepository:
    """Deadline notices and digests, claimed so several processes cause each one once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: type[SlaNoticeRow] | type[DigestRow]):  # type: ignore[no-untyped-def]
        return dialect_insert(self.session.bind.dialect.name, table)

    async def due_notices(self, now: datetime, limit: int) -> list[DueNotice]:
        """Clocks whose reminder, overdue notice or escalation is due and not yet caused.

        On PostgreSQL the reports are locked (SKIP LOCKED): another process takes others."""
        found: list[DueNotice] = []
        for kind, condition in KIND_DUE.items():
            sent = exists().where(SlaNoticeRow.report_id == ReportRow.id,
                                  SlaNoticeRow.step == ReportRow.sla_step,
                                  SlaNoticeRow.kind == kind.value,
                                  SlaNoticeRow.round == ReportRow.sla_round)
            query = (select(ReportRow.id, ReportRow.sla_step, ReportRow.sla_round,
                            ReportRow.agency_code, ReportRow.sla_due_at)
                     .where(ReportRow.sla_step.is_not(None), ReportRow.sla_due_at.is_not(None),
                            condition(now), ~sent)
                     .order_by(ReportRow.sla_due_at, ReportRow.id).limit(limit))
            if self.session.bind.dialect.name == "postgresql":
                query = query.with_for_update(of=ReportRow, skip_locked=True)
            for report_id, step, rnd, agency, due in await self.session.execute(query):
                found.append(DueNotice(report_id, Step(step), rnd, kind, agency, due))
        return found

    async def record(self, notice: DueNotice, now: datetime) -> bool:
        """Claim one notice; False when another process already caused it."""
        result = await self.session.execute(
            self._insert(SlaNoticeRow).values(
                report_id=notice.report_id, step=notice.step.value, kind=notice.kind.value,
                round=notice.round, created_at=now)
            .on_conflict_do_nothing(index_elements=["report_id", "step", "kind", "round"]))
        return result.rowcount == 1

    async def overdue(self, now: datetime) -> list[OverdueReport]:
        """Every report waiting past its step's due time, the most overdue first."""
        rows = await self.session.execute(
            select(ReportRow.id, ReportRow.code, ReportRow.status,
                   ReportRow.sla_step, ReportRow.agency_code, ReportRow.sla_due_at)
            .where(ReportRow.sla_step.is_not(None), ReportRow.sla_due_at <= now)
            .order_by(ReportRow.sla_due_at, ReportRow.id))
        return [OverdueReport(rid, code, ReportStatus(status), Step(step), agency, due)
                for rid, code, status, step, agency, due in rows]

    async def claim_digest(self, day: str, now: datetime) -> bool:
        """Claim the digest of a local day; False when it was already caused."""
        result = await self.session.execute(
            self._insert(DigestRow).values(day=day, created_at=now)
            .on_conflict_do_nothing(index_elements=["day"]))
        return result.rowcount == 1

    async def digest(self, since: datetime, until: datetime, now: datetime) -> list[DigestLine]:
        """New, forwarded, done (closed) between since and until, and overdue now, by agency
        (the report's agency now; reports no agency holds are counted under None)."""
        counts: dict[str | None, dict[str, int]] = {}

        def add(column: str, rows: object) -> None:
            for agency, count in rows:  # type: ignore[attr-defined]
                counts.setdefault(agency, {})[column] = count

        add("new", await self.session.execute(
            select(ReportRow.agency_code, func.count())
            .where(ReportRow.created_at >= since, ReportRow.created_at < until)
            .group_by(ReportRow.agency_code)))
        for column, actions in (("forwarded", ("forward", "reassign")), ("done", ("close",))):
            add(column, await self.session.execute(
                select(ReportRow.agency_code, func.count(func.distinct(EventRow.report_id)))
                .join(ReportRow, ReportRow.id == EventRow.report_id)
                .where(EventRow.action.in_(actions), EventRow.at >= since, EventRow.at < until)
                .group_by(ReportRow.agency_code)))
        add("overdue", await self.session.execute(
            select(ReportRow.agency_code, func.count())
            .where(ReportRow.sla_step.is_not(None), ReportRow.sla_due_at <= now)
            .group_by(ReportRow.agency_code)))
        return sorted((DigestLine(agency, c.get("new", 0), c.get("forwarded", 0),
                                  c.get("done", 0), c.get("overdue", 0))
                       for agency, c in counts.items()), key=lambda line: line.agency or "")
