"""SQLAlchemy implementations of the domain's repositories and unit of work; none commits alone."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.model import (
    Category,
    Citizen,
    GeoPoint,
    PhotoKind,
    PhotoRef,
    ReportDraft,
    ReportEvent,
    ReportStatus,
    ReportSummary,
    ReportView,
    Role,
)
from db.models import CategoryRow, CitizenRow, EventRow, PhotoRow, ReportRow


class SqlCitizenRepository:
    """Citizens table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, telegram_id: int) -> Citizen | None:
        row = await self.session.get(CitizenRow, telegram_id)
        if row is None:
            return None
        return Citizen(row.telegram_id, row.language, row.name, row.phone, row.consent_at)

    async def save(self, citizen: Citizen, now: datetime) -> None:
        row = await self.session.get(CitizenRow, citizen.telegram_id)
        if row is None:
            row = CitizenRow(telegram_id=citizen.telegram_id, created_at=now)
            self.session.add(row)
        row.language = citizen.language
        row.name = citizen.name
        row.phone = citizen.phone
        row.consent_at = citizen.consent_at
        row.updated_at = now


class SqlCategoryRepository:
    """Categories table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_active(self) -> list[Category]:
        rows = await self.session.scalars(
            select(CategoryRow).where(CategoryRow.active.is_(True)).order_by(CategoryRow.position)
        )
        return [Category(r.key, r.name_id, r.name_en) for r in rows]

    async def get(self, key: str) -> Category | None:
        row = await self.session.get(CategoryRow, key)
        return Category(row.key, row.name_id, row.name_en) if row and row.active else None


def _photos(row: ReportRow) -> tuple[PhotoRef, ...]:
    return tuple(PhotoRef(p.file_id, p.file_unique_id, PhotoKind(p.kind)) for p in row.photos)


class SqlReportRepository:
    """Reports, photos and events tables."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def code_exists(self, code: str) -> bool:
        found = await self.session.scalar(select(ReportRow.id).where(ReportRow.code == code))
        return found is not None

    async def add(
        self, *, citizen_id: int, code: str, draft: ReportDraft, status: ReportStatus,
        created_at: datetime, verify_due: datetime,
    ) -> int:
        row = ReportRow(
            code=code, citizen_id=citizen_id, status=status.value,
            category_key=draft.category_key, description=draft.description,
            latitude=draft.location.latitude, longitude=draft.location.longitude,
            landmark=draft.landmark, created_at=created_at, updated_at=created_at,
            verify_due=verify_due, version=1, revision=1, address_checked=False,
            photos=[
                PhotoRow(position=i, file_id=p.file_id, file_unique_id=p.file_unique_id,
                         kind=p.kind.value)
                for i, p in enumerate(draft.photos)
            ],
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def add_event(self, report_id: int, event: ReportEvent, actor_id: int | None) -> None:
        self.session.add(EventRow(
            report_id=report_id, at=event.at, action=event.action,
            from_status=event.from_status.value if event.from_status else None,
            to_status=event.to_status.value, actor_id=actor_id,
            actor_role=event.actor_role.value, note=event.note,
        ))

    async def list_for_citizen(self, citizen_id: int) -> list[ReportSummary]:
        rows = await self.session.execute(
            select(ReportRow.code, ReportRow.status, ReportRow.category_key,
                   ReportRow.created_at, ReportRow.updated_at)
            .where(ReportRow.citizen_id == citizen_id)
            .order_by(ReportRow.created_at.desc(), ReportRow.id.desc())
        )
        return [
            ReportSummary(code, ReportStatus(status), category, created, updated)
            for code, status, category, created, updated in rows
        ]

    async def get_for_citizen(self, citizen_id: int, code: str) -> ReportView | None:
        row = await self.session.scalar(
            select(ReportRow).where(ReportRow.code == code, ReportRow.citizen_id == citizen_id)
        )
        if row is None:
            return None
        events = await self.session.scalars(
            select(EventRow).where(EventRow.report_id == row.id).order_by(EventRow.at, EventRow.id)
        )
        return ReportView(
            code=row.code, status=ReportStatus(row.status), category_key=row.category_key,
            description=row.description, location=GeoPoint(row.latitude, row.longitude),
            landmark=row.landmark, address=row.address, created_at=row.created_at,
            verify_due=row.verify_due, photos=_photos(row),
            events=tuple(
                ReportEvent(
                    e.at, e.action, ReportStatus(e.from_status) if e.from_status else None,
                    ReportStatus(e.to_status), Role(e.actor_role), e.note,
                )
                for e in events
            ),
        )

    async def missing_addresses(self, limit: int) -> list[tuple[int, GeoPoint]]:
        rows = await self.session.execute(
            select(ReportRow.id, ReportRow.latitude, ReportRow.longitude)
            .where(ReportRow.address_checked.is_(False))
            .order_by(ReportRow.id)
            .limit(limit)
        )
        return [(rid, GeoPoint(lat, lon)) for rid, lat, lon in rows]

    async def set_address(self, report_id: int, address: str | None) -> None:
        row = await self.session.get(ReportRow, report_id)
        if row is not None:
            row.address = address
            row.address_checked = True


class SqlUnitOfWork:
    """One session, one transaction; leaving without commit() rolls everything back."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __aenter__(self) -> Self:
        self.session = self._sessionmaker()
        self.citizens = SqlCitizenRepository(self.session)
        self.categories = SqlCategoryRepository(self.session)
        self.reports = SqlReportRepository(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()


def uow_factory(sessionmaker: async_sessionmaker[AsyncSession]) -> SqlUnitOfWork:
    """A new unit of work over the given sessions (pass `functools.partial` of this around)."""
    return SqlUnitOfWork(sessionmaker)
