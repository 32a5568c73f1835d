"""What the domain needs from storage, as protocols; db/ implements them with SQLAlchemy."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from complaints.model import (
    Category,
    Citizen,
    GeoPoint,
    ReportDraft,
    ReportEvent,
    ReportStatus,
    ReportSummary,
    ReportView,
)


class CitizenRepository(Protocol):
    """Citizens by Telegram user id."""

    async def get(self, telegram_id: int) -> Citizen | None: ...

    async def save(self, citizen: Citizen, now: datetime) -> None: ...


class CategoryRepository(Protocol):
    """Complaint categories offered in the wizard."""

    async def list_active(self) -> list[Category]: ...

    async def get(self, key: str) -> Category | None: ...


class ReportRepository(Protocol):
    """Reports, their photos and their timelines."""

    async def code_exists(self, code: str) -> bool: ...

    async def add(
        self, *, citizen_id: int, code: str, draft: ReportDraft, status: ReportStatus,
        created_at: datetime, verify_due: datetime,
    ) -> int: ...

    async def add_event(self, report_id: int, event: ReportEvent, actor_id: int | None) -> None: ...

    async def list_for_citizen(self, citizen_id: int) -> list[ReportSummary]: ...

    async def get_for_citizen(self, citizen_id: int, code: str) -> ReportView | None: ...

    async def missing_addresses(self, limit: int) -> list[tuple[int, GeoPoint]]: ...

    async def set_address(self, report_id: int, address: str | None) -> None: ...


class UnitOfWork(Protocol):
    """One transaction; leaving it without commit() rolls back."""

    citizens: CitizenRepository
    categories: CategoryRepository
    reports: ReportRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per service call."""

    def __call__(self) -> UnitOfWork: ...
