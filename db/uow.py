"""SQLAlchemy implementations of the domain's repositories and unit of work; none commits alone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Self

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.model import (
    CLEAR,
    Agency,
    CaseFile,
    Category,
    ChatBinding,
    ChatPurpose,
    Citizen,
    GeoPoint,
    Notice,
    NoticeKind,
    PhotoKind,
    PhotoRef,
    ReportChanges,
    ReportDraft,
    ReportEvent,
    ReportStatus,
    ReportSummary,
    Role,
    SlaClock,
    StaffEvent,
    StaffMember,
    SubmittedReport,
)
from db.deadlines import SqlDeadlineRepository, clock_of, clock_values
from db.delivery import SqlDeliveryRepository
from db.duplicates import SqlDuplicateRepository
from db.models import (
    AgencyRow,
    CategoryRow,
    ChatBindingRow,
    CitizenRow,
    EventRow,
    LinkCodeRow,
    OutboxRow,
    PhotoRow,
    ReportRow,
    StaffRow,
)
from db.outbox import SqlCardRepository
from db.pending import SqlPendingInputRepository
from db.privacy import SqlPrivacyRepository

CITIZENS = CitizenRow.__table__
# Statements built once: constructing a statement costs more than running it on SQLite.
GET_CITIZEN = select(CITIZENS.c.telegram_id, CITIZENS.c.language, CITIZENS.c.name,
                     CITIZENS.c.phone, CITIZENS.c.consent_at,
                     CITIZENS.c.consent_version).where(
    CITIZENS.c.telegram_id == bindparam("citizen_id"))
UPDATE_CITIZEN = update(CITIZENS).where(CITIZENS.c.telegram_id == bindparam("citizen_id"))
INSERT_CITIZEN = insert(CITIZENS)
INSERT_REPORT = insert(ReportRow.__table__)
INSERT_PHOTOS = insert(PhotoRow.__table__)
INSERT_EVENT = insert(EventRow.__table__)
INSERT_OUTBOX = insert(OutboxRow.__table__)
CATEGORIES = CategoryRow.__table__
GET_ACTIVE_CATEGORY = select(CATEGORIES.c.key, CATEGORIES.c.name_id, CATEGORIES.c.name_en).where(
    CATEGORIES.c.key == bindparam("category_key"), CATEGORIES.c.active.is_(True))


class SqlCitizenRepository:
    """Citizens table, in plain SQL statements: read on nearly every update, so kept lean."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, telegram_id: int) -> Citizen | None:
        row = (await self.session.execute(GET_CITIZEN, {"citizen_id": telegram_id})).first()
        return Citizen(*row) if row else None

    async def save(self, citizen: Citizen, now: datetime) -> None:
        values = {"language": citizen.language, "name": citizen.name, "phone": citizen.phone,
                  "consent_at": citizen.consent_at, "consent_version": citizen.consent_version,
                  "updated_at": now}
        updated = await self.session.execute(
            UPDATE_CITIZEN, {"citizen_id": citizen.telegram_id, **values})
        if updated.rowcount == 0:
            await self.session.execute(
                INSERT_CITIZEN, {"telegram_id": citizen.telegram_id, "created_at": now, **values})


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
        row = (await self.session.execute(GET_ACTIVE_CATEGORY, {"category_key": key})).first()
        return Category(*row) if row else None


def _photos(row: ReportRow, purpose: str = "evidence") -> tuple[PhotoRef, ...]:
    return tuple(PhotoRef(p.file_id, p.file_unique_id, PhotoKind(p.kind))
                 for p in row.photos if p.purpose == purpose)


class SqlReportRepository:
    """Reports, photos and events tables."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.unlocated = False  # a pin was stored whose address is still to be looked up

    async def code_exists(self, code: str) -> bool:
        found = await self.session.scalar(select(ReportRow.id).where(ReportRow.code == code))
        return found is not None

    async def add(
        self, *, citizen_id: int, code: str, draft: ReportDraft, status: ReportStatus,
        created_at: datetime, verify_due: datetime, clock: SlaClock | None = None,
        submission_key: str | None = None,
    ) -> int:
        inserted = await self.session.execute(INSERT_REPORT, {**clock_values(clock or SlaClock()),
            "submission_key": submission_key,
            "code": code, "citizen_id": citizen_id, "status": status.value,
            "category_key": draft.category_key, "description": draft.description,
            "latitude": draft.location.latitude, "longitude": draft.location.longitude,
            "landmark": draft.landmark, "created_at": created_at, "updated_at": created_at,
            "verify_due": verify_due, "version": 1, "revision": 1, "address_checked": False,
            "anonymous": draft.anonymous, "confidential": draft.confidential})
        report_id = inserted.inserted_primary_key[0]
        self.unlocated = True
        await self.session.execute(INSERT_PHOTOS, [
            {"report_id": report_id, "position": i, "file_id": p.file_id,
             "file_unique_id": p.file_unique_id, "kind": p.kind.value, "purpose": "evidence"}
            for i, p in enumerate(draft.photos)])
        return int(report_id)

    async def by_submission_key(self, key: str) -> SubmittedReport | None:
        receipt = (select(OutboxRow.id)
                   .where(OutboxRow.report_id == ReportRow.id,
                          OutboxRow.kind == NoticeKind.CITIZEN_SUBMITTED.value)
                   .limit(1).scalar_subquery())
        row = (await self.session.execute(
            select(ReportRow.id, ReportRow.code, ReportRow.verify_due, receipt)
            .where(ReportRow.submission_key == key))).first()
        return SubmittedReport(*row) if row else None

    async def add_event(self, report_id: int, event: ReportEvent, actor_id: int | None) -> None:
        await self.session.execute(INSERT_EVENT, {
            "report_id": report_id, "at": event.at, "action": event.action,
            "from_status": event.from_status.value if event.from_status else None,
            "to_status": event.to_status.value, "actor_id": actor_id,
            "actor_role": event.actor_role.value, "note": event.note})

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

    async def missing_addresses(self, limit: int) -> list[tuple[int, GeoPoint]]:
        rows = await self.session.execute(
            select(ReportRow.id, ReportRow.latitude, ReportRow.longitude)
            .where(ReportRow.address_checked.is_(False))
            .order_by(ReportRow.id)
            .limit(limit)
        )
        return [(rid, GeoPoint(lat, lon)) for rid, lat, lon in rows]

    async def set_address(self, report_id: int, address: str | None) -> None:
        await self.session.execute(
            update(ReportRow).where(ReportRow.id == report_id)
            .values(address=address, address_checked=True))

    async def id_by_code(self, code: str) -> int | None:
        return await self.session.scalar(select(ReportRow.id).where(ReportRow.code == code))

    async def case_file(self, report_id: int) -> CaseFile | None:
        row = await self.session.get(ReportRow, report_id, populate_existing=True)
        if row is None:
            return None
        await self.session.refresh(row, ["photos"])
        citizen = await self.session.get(CitizenRow, row.citizen_id)
        events = await self.session.execute(
            select(EventRow, StaffRow.name, CitizenRow.name)
            .outerjoin(StaffRow, StaffRow.telegram_id == EventRow.actor_id)
            .outerjoin(CitizenRow, CitizenRow.telegram_id == EventRow.actor_id)
            .where(EventRow.report_id == report_id).order_by(EventRow.at, EventRow.id))
        return CaseFile(
            id=row.id, code=row.code, status=ReportStatus(row.status), version=row.version,
            revision=row.revision, category_key=row.category_key, description=row.description,
            location=GeoPoint(row.latitude, row.longitude), landmark=row.landmark,
            address=row.address, created_at=row.created_at, updated_at=row.updated_at,
            verify_due=row.verify_due, finish_due=row.finish_due, agency_code=row.agency_code,
            photos=_photos(row), proof_photos=_photos(row, "proof"),
            resolution_note=row.resolution_note, citizen_id=row.citizen_id,
            citizen_name=citizen.name if citizen else None,
            citizen_phone=citizen.phone if citizen else None,
            citizen_language=citizen.language if citizen else "id",
            rating=row.rating, rating_comment=row.rating_comment, closed_at=row.closed_at,
            anonymous=row.anonymous, confidential=row.confidential, duplicate_of=row.duplicate_of,
            duplicate_of_code=await self.session.scalar(
                select(ReportRow.code).where(ReportRow.id == row.duplicate_of))
            if row.duplicate_of else None,
            me_too=await SqlDuplicateRepository(self.session).count(row.id),
            clock=clock_of(row),
            events=tuple(
                StaffEvent(e.at, e.action, ReportStatus(e.from_status) if e.from_status else None,
                           ReportStatus(e.to_status), Role(e.actor_role), e.actor_id,
                           staff_name if e.actor_role != Role.CITIZEN else citizen_name, e.note)
                for e, staff_name, citizen_name in events),
        )

    async def update_if_current(
        self, report_id: int, *, expected_status: ReportStatus, expected_version: int,
        changes: ReportChanges,
    ) -> bool:
        result = await self.session.execute(
            update(ReportRow)
            .where(ReportRow.id == report_id, ReportRow.status == expected_status.value,
                   ReportRow.version == expected_version)
            .values(version=ReportRow.version + 1, **_report_values(changes))
            .execution_options(synchronize_session=False))
        if changes.address_checked is False:
            self.unlocated = True
        return result.rowcount == 1

    async def replace_photos(self, report_id: int, photos: tuple[PhotoRef, ...],
                             purpose: str) -> None:
        existing = await self.session.scalars(
            select(PhotoRow).where(PhotoRow.report_id == report_id, PhotoRow.purpose == purpose))
        for row in existing:
            await self.session.delete(row)
        self.session.add_all(
            PhotoRow(report_id=report_id, position=i, file_id=p.file_id,
                     file_unique_id=p.file_unique_id, kind=p.kind.value, purpose=purpose)
            for i, p in enumerate(photos))

    async def queue(self, statuses: tuple[ReportStatus, ...], agency_code: str | None,
                    limit: int, offset: int, include_confidential: bool = True
                    ) -> tuple[list[CaseFile], int]:
        where = [ReportRow.status.in_([s.value for s in statuses])]
        if not include_confidential:
            where.append(ReportRow.confidential.is_(False))
        if agency_code is not None:
            where.append(ReportRow.agency_code == agency_code)
        total = await self.session.scalar(select(func.count()).select_from(ReportRow)
                                          .where(*where))
        ids = await self.session.scalars(
            select(ReportRow.id).where(*where)
            .order_by(ReportRow.created_at, ReportRow.id).limit(limit).offset(offset))
        files = [await self.case_file(report_id) for report_id in list(ids)]
        return [f for f in files if f is not None], total or 0


class SqlAgencyRepository:
    """Agencies and the category → suggested agency table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, include_inactive: bool = False) -> list[Agency]:
        query = select(AgencyRow).order_by(AgencyRow.code)
        if not include_inactive:
            query = query.where(AgencyRow.active.is_(True))
        return [Agency(r.code, r.name, r.active) for r in await self.session.scalars(query)]

    async def get(self, code: str) -> Agency | None:
        row = await self.session.get(AgencyRow, code)
        return Agency(row.code, row.name, row.active) if row else None

    async def save(self, agency: Agency) -> None:
        await self.session.merge(AgencyRow(code=agency.code, name=agency.name,
                                           active=agency.active))

    async def suggested_for(self, category_key: str) -> str | None:
        return await self.session.scalar(
            select(CategoryRow.suggested_agency).where(CategoryRow.key == category_key))

    async def set_suggestion(self, category_key: str, agency_code: str | None) -> bool:
        result = await self.session.execute(
            update(CategoryRow).where(CategoryRow.key == category_key)
            .values(suggested_agency=agency_code))
        return result.rowcount == 1


class SqlStaffRepository:
    """Staff table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _member(row: StaffRow) -> StaffMember:
        return StaffMember(row.telegram_id, row.name, Role(row.role), row.agency_code, row.active)

    async def get(self, telegram_id: int) -> StaffMember | None:
        row = await self.session.get(StaffRow, telegram_id)
        return self._member(row) if row and row.active else None

    async def list(self) -> list[StaffMember]:
        rows = await self.session.scalars(select(StaffRow).order_by(StaffRow.role, StaffRow.name))
        return [self._member(r) for r in rows]

    async def save(self, member: StaffMember, now: datetime) -> None:
        row = await self.session.get(StaffRow, member.telegram_id)
        if row is None:
            row = StaffRow(telegram_id=member.telegram_id, created_at=now)
            self.session.add(row)
        row.name, row.role, row.agency_code = member.name, member.role.value, member.agency_code
        row.active = member.active

    async def remove(self, telegram_id: int) -> bool:
        row = await self.session.get(StaffRow, telegram_id)
        if row is None:
            return False
        await self.session.delete(row)
        return True


class SqlChatRepository:
    """Chat bindings and link codes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _binding(row: ChatBindingRow) -> ChatBinding:
        return ChatBinding(row.chat_id, ChatPurpose(row.purpose), row.agency_code, row.title)

    async def get(self, chat_id: int) -> ChatBinding | None:
        row = await self.session.get(ChatBindingRow, chat_id)
        return self._binding(row) if row else None

    async def list(self) -> list[ChatBinding]:
        rows = await self.session.scalars(select(ChatBindingRow).order_by(ChatBindingRow.purpose))
        return [self._binding(r) for r in rows]

    async def find(self, purpose: ChatPurpose, agency_code: str | None) -> ChatBinding | None:
        row = await self.session.scalar(
            select(ChatBindingRow).where(ChatBindingRow.purpose == purpose.value,
                                         ChatBindingRow.agency_code == agency_code)
            .order_by(ChatBindingRow.bound_at.desc()).limit(1))
        return self._binding(row) if row else None

    async def bind(self, binding: ChatBinding, now: datetime) -> None:
        await self.session.merge(ChatBindingRow(
            chat_id=binding.chat_id, purpose=binding.purpose.value,
            agency_code=binding.agency_code, title=binding.title, bound_at=now))

    async def unbind(self, chat_id: int) -> bool:
        row = await self.session.get(ChatBindingRow, chat_id)
        if row is None:
            return False
        await self.session.delete(row)
        return True

    async def move(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.session.execute(update(ChatBindingRow)
                                   .where(ChatBindingRow.chat_id == old_chat_id)
                                   .values(chat_id=new_chat_id))

    async def add_link_code(self, code: str, purpose: ChatPurpose, agency_code: str | None,
                            now: datetime, expires_at: datetime) -> None:
        self.session.add(LinkCodeRow(code=code, purpose=purpose.value, agency_code=agency_code,
                                     created_at=now, expires_at=expires_at))

    async def use_link_code(self, code: str, user_id: int, chat_id: int,
                            now: datetime) -> tuple[ChatPurpose, str | None] | None:
        row = await self.session.get(LinkCodeRow, code)
        if row is None:
            return None
        result = await self.session.execute(
            update(LinkCodeRow)
            .where(LinkCodeRow.code == code, LinkCodeRow.used_at.is_(None),
                   LinkCodeRow.expires_at > now)
            .values(used_at=now, used_by=user_id, chat_id=chat_id))
        if result.rowcount != 1 and (row.used_by, row.chat_id) != (user_id, chat_id):
            return None  # used up, expired; the same use replayed after a crash still counts
        return ChatPurpose(row.purpose), row.agency_code


def _report_values(changes: ReportChanges) -> dict[str, object]:
    """The columns a ReportChanges writes: fields map to same-named columns, a pin to two."""
    values: dict[str, object] = {}
    for spec in fields(changes):
        value = getattr(changes, spec.name)
        if value is None:
            continue
        if isinstance(value, GeoPoint):
            values.update(latitude=value.latitude, longitude=value.longitude)
        elif isinstance(value, SlaClock):
            values.update(clock_values(value))
        elif isinstance(value, StrEnum):
            values[spec.name] = value.value
        else:
            values[spec.name] = None if value is CLEAR else value
    return values


class SqlOutboxRepository:
    """Outbox rows; the bot's worker sends them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.added = False

    async def add(self, notice: Notice, now: datetime, hold: timedelta | None = None) -> int:
        self.added = True
        inserted = await self.session.execute(INSERT_OUTBOX, {
            "kind": notice.kind.value, "target": notice.target.value,
            "target_ref": notice.target_ref, "report_id": notice.report_id,
            "params": dict(notice.params),
            # held: as if claimed by the writer, with the hold as its lease
            "status": "sending" if hold else "pending", "attempts": 1 if hold else 0,
            "next_attempt_at": now + hold if hold else now, "created_at": now})
        return int(inserted.inserted_primary_key[0])


@dataclass
class Wakeups:
    """Events the workers wait on; a unit of work sets them once its commit has landed."""

    outbox: asyncio.Event = field(default_factory=asyncio.Event)
    addresses: asyncio.Event = field(default_factory=asyncio.Event)


class SqlUnitOfWork:
    """One session, one transaction; leaving without commit() rolls everything back."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 wakeups: Wakeups | None = None) -> None:
        self._sessionmaker = sessionmaker
        self._wakeups = wakeups

    async def __aenter__(self) -> Self:
        self.session = self._sessionmaker()
        self.citizens = SqlCitizenRepository(self.session)
        self.categories = SqlCategoryRepository(self.session)
        self.reports = SqlReportRepository(self.session)
        self.agencies = SqlAgencyRepository(self.session)
        self.staff = SqlStaffRepository(self.session)
        self.chats = SqlChatRepository(self.session)
        self.outbox = SqlOutboxRepository(self.session)
        self.pending_inputs = SqlPendingInputRepository(self.session)
        self.cards = SqlCardRepository(self.session)
        self.duplicates = SqlDuplicateRepository(self.session)
        self.privacy = SqlPrivacyRepository(self.session)
        self.delivery = SqlDeliveryRepository(self.session)
        self.deadlines = SqlDeadlineRepository(self.session)
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
        """Commit, then wake the workers that have new work: messages to send, pins to look up."""
        await self.session.commit()
        if self._wakeups is None:
            return
        if self.outbox.added:
            self.outbox.added = False
            self._wakeups.outbox.set()
        if self.reports.unlocated:
            self.reports.unlocated = False
            self._wakeups.addresses.set()
