"""What the domain needs from storage, as protocols; db/ implements them with SQLAlchemy."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self

from complaints.model import (
    Agency,
    CardKind,
    CaseFile,
    Category,
    ChatBinding,
    ChatPurpose,
    Citizen,
    GeoPoint,
    MessageGate,
    NearbyReport,
    Notice,
    PendingInput,
    PhotoRef,
    ReportChanges,
    ReportDraft,
    ReportEvent,
    ReportStatus,
    ReportSummary,
    SlaClock,
    StaffMember,
    SubmittedReport,
    UnreachableChat,
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
        created_at: datetime, verify_due: datetime, clock: SlaClock | None = None,
        submission_key: str | None = None,
    ) -> int: ...

    async def by_submission_key(self, key: str) -> SubmittedReport | None: ...

    async def add_event(self, report_id: int, event: ReportEvent, actor_id: int | None) -> None: ...

    async def list_for_citizen(self, citizen_id: int) -> list[ReportSummary]: ...

    async def missing_addresses(self, limit: int) -> list[tuple[int, GeoPoint]]: ...

    async def set_address(self, report_id: int, address: str | None) -> None: ...

    async def case_file(self, report_id: int) -> CaseFile | None: ...

    async def id_by_code(self, code: str) -> int | None: ...

    async def update_if_current(
        self, report_id: int, *, expected_status: ReportStatus, expected_version: int,
        changes: ReportChanges,
    ) -> bool: ...

    async def replace_photos(self, report_id: int, photos: tuple[PhotoRef, ...],
                             purpose: str) -> None: ...

    async def queue(self, statuses: tuple[ReportStatus, ...], agency_code: str | None,
                    limit: int, offset: int, include_confidential: bool = True
                    ) -> tuple[list[CaseFile], int]: ...


class AgencyRepository(Protocol):
    """City agencies (OPD)."""

    async def list(self, include_inactive: bool = False) -> list[Agency]: ...

    async def get(self, code: str) -> Agency | None: ...

    async def save(self, agency: Agency) -> None: ...

    async def suggested_for(self, category_key: str) -> str | None: ...

    async def set_suggestion(self, category_key: str, agency_code: str | None) -> bool: ...


class StaffRepository(Protocol):
    """Staff members by Telegram user id."""

    async def get(self, telegram_id: int) -> StaffMember | None: ...

    async def list(self) -> list[StaffMember]: ...

    async def save(self, member: StaffMember, now: datetime) -> None: ...

    async def remove(self, telegram_id: int) -> bool: ...


class ChatRepository(Protocol):
    """Group bindings and one-time link codes."""

    async def get(self, chat_id: int) -> ChatBinding | None: ...

    async def list(self) -> list[ChatBinding]: ...

    async def find(self, purpose: ChatPurpose, agency_code: str | None) -> ChatBinding | None: ...

    async def bind(self, binding: ChatBinding, now: datetime) -> None: ...

    async def unbind(self, chat_id: int) -> bool: ...

    async def move(self, old_chat_id: int, new_chat_id: int) -> None: ...

    async def add_link_code(self, code: str, purpose: ChatPurpose, agency_code: str | None,
                            now: datetime, expires_at: datetime) -> None: ...

    async def use_link_code(self, code: str, user_id: int, chat_id: int,
                            now: datetime) -> tuple[ChatPurpose, str | None] | None:
        """The code's purpose: once, before it expires (or again for the same user and chat)."""


class OutboxRepository(Protocol):
    """Messages caused by transitions, written in the same transaction."""

    async def add(self, notice: Notice, now: datetime, hold: timedelta | None = None) -> int:
        """The row's id; a held row is left to its writer to send at once, and is the
        worker's only if it is still unsent when the hold ends (the writer crashed, failed)."""
        ...


class PendingInputRepository(Protocol):
    """Open ForceReply questions to staff members."""

    async def add(self, *, chat_id: int, prompt_message_id: int, user_id: int, report_id: int,
                  version: int, action: str, now: datetime) -> int: ...

    async def set_data(self, input_id: int, data: dict[str, Any]) -> None: ...

    async def by_prompt(self, chat_id: int, message_id: int) -> PendingInput | None: ...

    async def get(self, input_id: int) -> PendingInput | None: ...

    async def drop(self, report_id: int, user_id: int, action: str) -> None: ...


class CardRepository(Protocol):
    """Card messages posted for a report, edited when its status changes."""

    async def add(self, report_id: int, chat_id: int, message_id: int,
                  kind: CardKind) -> None: ...


class DuplicateRepository(Protocol):
    """Reports near a pin, and citizens following a report they also met ("me too")."""

    async def nearby(self, *, category_key: str, south: float, west: float, north: float,
                     east: float, since: datetime, statuses: tuple[ReportStatus, ...]
                     ) -> list[NearbyReport]: ...

    async def subscribe(self, report_id: int, citizen_id: int, now: datetime) -> bool: ...

    async def subscribers(self, report_id: int) -> list[tuple[int, str]]: ...


class PrivacyRepository(Protocol):
    """Personal data rights and abuse controls (complaints/privacy.py)."""

    async def profile_extras(self, telegram_id: int) -> tuple[datetime | None, str | None]: ...

    async def report_ids(self, citizen_id: int) -> list[int]: ...

    async def anonymise_reports(self, report_ids: list[int], now: datetime) -> list[str]: ...

    async def delete_citizen(self, telegram_id: int) -> bool: ...

    async def finished_before(self, cutoff: datetime, limit: int) -> list[int]: ...

    async def erase_staff(self, telegram_id: int) -> bool: ...

    async def set_blocked(self, telegram_id: int, blocked_at: datetime | None,
                          reason: str | None) -> bool: ...

    async def blocked(self) -> list[tuple[int, datetime, str | None]]: ...

    async def count_message(self, telegram_id: int, now: datetime,
                            window_start: datetime) -> MessageGate | None: ...

    async def reports_since(self, citizen_id: int, since: datetime) -> int: ...
class DeliveryRepository(Protocol):
    """Staff chats that cannot be reached, and the outbox rows parked until they can."""

    async def mark(self, binding: ChatBinding, error: str, now: datetime) -> bool: ...

    async def unreachable(self) -> list[UnreachableChat]: ...

    async def resume(self, chat_id: int) -> tuple[int, list[int]] | None: ...

    async def resume_binding(self, purpose: ChatPurpose, agency_code: str | None) -> int: ...


class UnitOfWork(Protocol):
    """One transaction; leaving it without commit() rolls back."""

    citizens: CitizenRepository
    categories: CategoryRepository
    reports: ReportRepository
    agencies: AgencyRepository
    staff: StaffRepository
    chats: ChatRepository
    outbox: OutboxRepository
    pending_inputs: PendingInputRepository
    cards: CardRepository
    duplicates: DuplicateRepository
    privacy: PrivacyRepository
    delivery: DeliveryRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
