"""Read-only queries for listings and the export (no service covers them; nothing is written)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from complaints.model import ReportStatus
from db.models import ReportRow
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
