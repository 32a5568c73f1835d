"""Reports near a pin (a bounding box in SQL, exact distances in the domain) and subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.model import GeoPoint, NearbyReport, ReportStatus
from db.models import CitizenRow, ReportRow, SubscriptionRow


class SqlDuplicateRepository:
    """Possible duplicates and the citizens following a report ("me too")."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def nearby(self, *, category_key: str, south: float, west: float, north: float,
                     east: float, since: datetime, statuses: tuple[ReportStatus, ...]
                     ) -> list[NearbyReport]:
        rows = await self.session.execute(
            select(ReportRow.id, ReportRow.code, ReportRow.status, ReportRow.latitude,
                   ReportRow.longitude, ReportRow.created_at, ReportRow.description,
                   ReportRow.citizen_id)
            .where(ReportRow.category_key == category_key, ReportRow.created_at >= since,
                   ReportRow.latitude.between(south, north),
                   ReportRow.longitude.between(west, east),
                   ReportRow.status.in_([s.value for s in statuses]),
                   ReportRow.confidential.is_(False), ReportRow.duplicate_of.is_(None))
            .order_by(ReportRow.created_at.desc()).limit(50))
        return [NearbyReport(rid, code, ReportStatus(status), GeoPoint(lat, lon), created,
                             description, citizen_id)
                for rid, code, status, lat, lon, created, description, citizen_id in rows]

    async def subscribe(self, report_id: int, citizen_id: int, now: datetime) -> bool:
        """True when the citizen was not following the report yet."""
        exists = await self.session.scalar(
            select(SubscriptionRow.id).where(SubscriptionRow.report_id == report_id,
                                             SubscriptionRow.citizen_id == citizen_id))
        if exists is not None:
            return False
        try:
            async with self.session.begin_nested():
                await self.session.execute(insert(SubscriptionRow).values(
                    report_id=report_id, citizen_id=citizen_id, created_at=now))
        except IntegrityError:  # the same "me too" pressed twice at once
            return False
        return True

    async def subscribers(self, report_id: int) -> list[tuple[int, str]]:
        """Followers with their language, in the order they joined."""
        rows = await self.session.execute(
            select(SubscriptionRow.citizen_id, CitizenRow.language)
            .join(CitizenRow, CitizenRow.telegram_id == SubscriptionRow.citizen_id)
            .where(SubscriptionRow.report_id == report_id).order_by(SubscriptionRow.id))
        return [(citizen_id, language) for citizen_id, language in rows]

    async def count(self, report_id: int) -> int:
        """How many citizens follow the report."""
        return await self.session.scalar(
            select(func.count()).select_from(SubscriptionRow)
            .where(SubscriptionRow.report_id == report_id)) or 0
