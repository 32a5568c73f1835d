"""Read-only queries for listings and the export (no service covers them; nothing is written)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from complaints.model import ReportStatus
from complaints.stats import TIMED_STEPS, Step
from complaints.tracking import normalize_tracking_code
from db.models import PhotoRow, ReportRow, ReportStepRow
from db.uow import SqlUnitOfWork

EXPORT_COLUMNS = ("code", "status", "category", "agency", "created_at", "verify_due",
                  "finish_due", "closed_at", "rating", "latitude", "longitude", "address")


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One report as listed and exported: no reporter, no phone, no description."""

    code: str
    status: str
    category: str
    agency: str | None
    created_at: datetime
    verify_due: datetime | None
    finish_due: datetime | None
    closed_at: datetime | None
    rating: int | None
    latitude: float
    longitude: float
    address: str | None


async def report_lines(uow: SqlUnitOfWork, *, status: ReportStatus | None = None,
                       since: datetime | None = None, until: datetime | None = None,
                       limit: int | None = None, newest_first: bool = False) -> list[ReportLine]:
    """Reports filtered by status and creation time [since, until), oldest first by default."""
    order = ReportRow.created_at.desc() if newest_first else ReportRow.created_at
    query = select(
        ReportRow.code, ReportRow.status, ReportRow.category_key, ReportRow.agency_code,
        ReportRow.created_at, ReportRow.verify_due, ReportRow.finish_due, ReportRow.closed_at,
        ReportRow.rating, ReportRow.latitude, ReportRow.longitude, ReportRow.address,
    ).order_by(order, ReportRow.id.desc() if newest_first else ReportRow.id)
    if status is not None:
        query = query.where(ReportRow.status == status.value)
    if since is not None:
        query = query.where(ReportRow.created_at >= since)
    if until is not None:
        query = query.where(ReportRow.created_at < until)
    if limit is not None:
        query = query.limit(limit)
    async with uow:
        rows = await uow.session.execute(query)
        return [ReportLine(*row) for row in rows]


# --- filtered listing, streamed export, the staff report's lists ------------------------------

STEPS = ReportStepRow.__table__
EXPORT_HEADER = ("code", "created_at", "status", "category", "agency",
                 "verify_hours", "verify_on_time", "agency_start_hours", "agency_start_on_time",
                 "agency_finish_hours", "agency_finish_on_time", "document_minutes",
                 "document_on_time", "overdue", "rating", "reopened", "closed_at")
STEP_UNITS = {Step.VERIFY: 3600, Step.AGENCY_START: 3600, Step.AGENCY_FINISH: 3600,
              Step.DOCUMENT: 60}  # hours, but minutes for the documentation step


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """What `report list` and `report export` narrow the reports to."""

    status: ReportStatus | None = None
    agency: str | None = None
    category: str | None = None
    start: datetime | None = None  # came in at or after
    end: datetime | None = None  # came in before
    overdue_at: datetime | None = None  # a step still open past its due time at this moment
    search: str | None = None  # a tracking code, or words of the description

    def apply(self, query: Select) -> Select:
        """The query narrowed to the matching reports."""
        if self.status is not None:
            query = query.where(ReportRow.status == self.status.value)
        if self.agency is not None:
            query = query.where(ReportRow.agency_code == self.agency.upper())
        if self.category is not None:
            query = query.where(ReportRow.category_key == self.category)
        if self.start is not None:
            query = query.where(ReportRow.created_at >= self.start)
        if self.end is not None:
            query = query.where(ReportRow.created_at < self.end)
        if self.overdue_at is not None:
            query = query.where(overdue(self.overdue_at))
        if self.search:
            code = normalize_tracking_code(self.search)
            words = func.lower(ReportRow.description).contains(self.search.strip().lower(),
                                                               autoescape=True)
            query = query.where(or_(ReportRow.code == code, words) if code else words)
        return query


def overdue(moment: datetime) -> ColumnElement[bool]:
    """The report has a step still open past its due time (as of the last step refresh)."""
    return select(STEPS.c.id).where(
        STEPS.c.report_id == ReportRow.id, STEPS.c.ended_at.is_(None),
        STEPS.c.due_at < moment).exists()


async def count_reports(conn: AsyncConnection, where: ReportFilter) -> int:
    """How many reports match (the export's progress bar)."""
    return int(await conn.scalar(where.apply(select(func.count()).select_from(ReportRow))) or 0)


async def list_reports(conn: AsyncConnection, where: ReportFilter, limit: int,
                       now: datetime) -> list[tuple[ReportLine, bool]]:
    """The newest matching reports, each with whether it is overdue now."""
    query = where.apply(select(
        ReportRow.code, ReportRow.status, ReportRow.category_key, ReportRow.agency_code,
        ReportRow.created_at, ReportRow.verify_due, ReportRow.finish_due, ReportRow.closed_at,
        ReportRow.rating, ReportRow.latitude, ReportRow.longitude, ReportRow.address,
        overdue(now).label("late"),
    )).order_by(ReportRow.created_at.desc(), ReportRow.id.desc()).limit(limit)
    return [(ReportLine(*row[:-1]), bool(row[-1])) for row in await conn.execute(query)]


async def export_rows(conn: AsyncConnection, where: ReportFilter, now: datetime,
                      batch: int = 2000) -> AsyncIterator[tuple[object, ...]]:
    """One row per report with its step times, streamed: memory stays flat at any size."""
    query = where.apply(select(
        ReportRow.id, ReportRow.code, ReportRow.created_at, ReportRow.status,
        ReportRow.category_key, ReportRow.agency_code, ReportRow.rating, ReportRow.closed_at,
        STEPS.c.step, STEPS.c.seconds, STEPS.c.within, STEPS.c.ended_at, STEPS.c.due_at,
    ).select_from(ReportRow).outerjoin(STEPS, STEPS.c.report_id == ReportRow.id)
    ).order_by(ReportRow.id, STEPS.c.id).execution_options(yield_per=batch)
    current: list[Any] | None = None
    result = await conn.stream(query)
    async for rows in result.partitions():
        for row in rows:
            if current is None or current[0] != row.id:
                if current is not None:
                    yield _export_line(current)
                current = [row.id, row, {}, False, 0]
            if row.step is None:
                continue
            if row.step == Step.REOPENED:
                current[4] = 1
            elif row.ended_at is not None:
                current[2][row.step] = (row.seconds, row.within)
            elif row.due_at < now:
                current[3] = True
    if current is not None:
        yield _export_line(current)


def _export_line(current: list[Any]) -> tuple[object, ...]:
    _, row, steps, late, reopened = current
    times: list[object] = []
    for step in TIMED_STEPS:
        seconds, within = steps.get(step.value, (None, None))
        times += [None if seconds is None else round(seconds / STEP_UNITS[step], 2),
                  None if within is None else ("yes" if within else "no")]
    return (row.code, row.created_at, row.status, row.category_key, row.agency_code, *times,
            "yes" if late else "no", row.rating, reopened, row.closed_at)


@dataclass(frozen=True, slots=True)
class OverdueStep:
    """A step still waiting past its due time, for the staff report."""

    code: str
    category: str
    agency: str | None
    step: Step
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Settled:
    """A complaint closed in the period and how the agency settled it."""

    code: str
    category: str
    agency: str | None
    description: str
    note: str | None
    rating: int | None
    closed_at: datetime
    proof_file_id: str | None
    proof_unique_id: str | None


async def overdue_steps(conn: AsyncConnection, moment: datetime) -> list[OverdueStep]:
    """Steps that were still waiting past their due time at `moment` (also if done since)."""
    query = (select(ReportRow.code, ReportRow.category_key, STEPS.c.agency_code, STEPS.c.step,
                    STEPS.c.due_at)
             .select_from(STEPS).join(ReportRow, ReportRow.id == STEPS.c.report_id)
             .where(STEPS.c.step != Step.REOPENED.value, STEPS.c.due_at < moment,
                    or_(STEPS.c.ended_at.is_(None), STEPS.c.ended_at > moment))
             .order_by(STEPS.c.due_at, ReportRow.code))
    return [OverdueStep(code, category, agency, Step(step), due)
            for code, category, agency, step, due in await conn.execute(query)]


async def settled_reports(conn: AsyncConnection, start: datetime,
                          end: datetime) -> list[Settled]:
    """Complaints closed in [start, end), with the first proof photo of each."""
    proof = (select(PhotoRow.file_id, PhotoRow.file_unique_id, PhotoRow.report_id)
             .where(PhotoRow.purpose == "proof", PhotoRow.position == 0).subquery())
    query = (select(ReportRow.code, ReportRow.category_key, ReportRow.agency_code,
                    ReportRow.description, ReportRow.resolution_note, ReportRow.rating,
                    ReportRow.closed_at, proof.c.file_id, proof.c.file_unique_id)
             .outerjoin(proof, proof.c.report_id == ReportRow.id)
             .where(ReportRow.status == ReportStatus.CLOSED.value,
                    ReportRow.closed_at >= start, ReportRow.closed_at < end)
             .order_by(ReportRow.closed_at, ReportRow.code))
    return [Settled(*row) for row in await conn.execute(query)]
