"""An in-memory unit of work for service rules: the ports of complaints/ports.py, no database.

`FakeDatabase` holds the committed state; each `async with uow:` works on a copy of it taken on
entry, which `commit()` makes the committed state and leaving without commit throws away, as a
rolled-back transaction would.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

from complaints.model import (
    CLEAR,
    Agency,
    CardKind,
    CaseFile,
    Category,
    ChatBinding,
    ChatPurpose,
    Citizen,
    GeoPoint,
    NearbyReport,
    Notice,
    PendingInput,
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
    UnreachableChat,
)

CATEGORIES = (Category("roads", "Jalan dan jembatan", "Roads and bridges"),
              Category("drainage", "Drainase dan banjir", "Drainage and flooding"),
              Category("waste", "Sampah", "Waste"))
AGENCIES = (Agency("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
            Agency("DLH", "Dinas Lingkungan Hidup"))
SUGGESTIONS = {"roads": "PUPR", "drainage": "PUPR", "waste": "DLH"}


@dataclass(slots=True)
class ReportRow:
    """One stored report, mutable like a table row."""

    id: int
    code: str
    citizen_id: int
    status: ReportStatus
    category_key: str
    description: str
    latitude: float
    longitude: float
    landmark: str | None
    created_at: datetime
    updated_at: datetime
    verify_due: datetime | None
    version: int = 1
    revision: int = 1
    address: str | None = None
    address_checked: bool = False
    finish_due: datetime | None = None
    agency_code: str | None = None
    resolution_note: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    closed_at: datetime | None = None
    anonymous: bool = False
    confidential: bool = False
    duplicate_of: int | None = None
    photos: dict[str, tuple[PhotoRef, ...]] = field(default_factory=dict)
    clock: SlaClock = field(default_factory=SlaClock)
    submission_key: str | None = None


@dataclass(slots=True)
class LinkCodeRow:
    """A one-time chat link code."""

    purpose: ChatPurpose
    agency_code: str | None
    expires_at: datetime
    used_at: datetime | None = None
    used_by: tuple[int, int] | None = None  # (user, chat)


@dataclass
class FakeState:
    """Everything stored; deep-copied per transaction."""

    citizens: dict[int, Citizen] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    suggestions: dict[str, str | None] = field(default_factory=dict)
    reports: dict[int, ReportRow] = field(default_factory=dict)
    events: list[tuple[int, ReportEvent, int | None]] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)
    staff: dict[int, StaffMember] = field(default_factory=dict)
    chats: dict[int, tuple[ChatBinding, datetime]] = field(default_factory=dict)
    link_codes: dict[str, LinkCodeRow] = field(default_factory=dict)
    outbox: list[Notice] = field(default_factory=list)
    pending: dict[int, PendingInput] = field(default_factory=dict)
    cards: list[tuple[int, int, int, str]] = field(default_factory=list)
    subscriptions: list[tuple[int, int]] = field(default_factory=list)  # (report, citizen)
    unreachable: dict[int, UnreachableChat] = field(default_factory=dict)
    last_id: int = 0

    def new_id(self) -> int:
        """The next row id (one sequence for every table is enough here)."""
        self.last_id += 1
        return self.last_id


def _apply_changes(row: ReportRow, changes: ReportChanges) -> None:
    """Write an update_if_current change set onto a report row: None keeps, CLEAR empties."""
    for spec in fields(changes):
        value = getattr(changes, spec.name)
        if value is None:
            continue
        if isinstance(value, GeoPoint):
            row.latitude, row.longitude = value.latitude, value.longitude
        else:
            setattr(row, spec.name, None if value is CLEAR else value)


class FakeCitizens:
    """Citizens by Telegram id."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, telegram_id: int) -> Citizen | None:
        """The citizen, if stored."""
        return self._state.citizens.get(telegram_id)

    async def save(self, citizen: Citizen, now: datetime) -> None:
        """Insert or replace."""
        self._state.citizens[citizen.telegram_id] = citizen


class FakeCategories:
    """The categories seeded at creation."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def list_active(self) -> list[Category]:
        """In seeding order."""
        return list(self._state.categories.values())

    async def get(self, key: str) -> Category | None:
        """One category by key."""
        return self._state.categories.get(key)


class FakeReports:
    """Reports with their photos and events."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def code_exists(self, code: str) -> bool:
        """Whether a tracking code is taken."""
        return any(row.code == code for row in self._state.reports.values())

    async def add(self, *, citizen_id: int, code: str, draft: ReportDraft, status: ReportStatus,
                  created_at: datetime, verify_due: datetime,
                  clock: SlaClock | None = None,
                  submission_key: str | None = None) -> int:
        """A new report at version 1, revision 1."""
        if submission_key is not None and await self.by_submission_key(submission_key):
            raise AssertionError(f"unique constraint: submission key {submission_key}")
        report_id = self._state.new_id()
        self._state.reports[report_id] = ReportRow(
            report_id, code, citizen_id, status, draft.category_key, draft.description,
            draft.location.latitude, draft.location.longitude, draft.landmark, created_at,
            created_at, verify_due, photos={"evidence": draft.photos},
            anonymous=draft.anonymous, confidential=draft.confidential,
            clock=clock or SlaClock(), submission_key=submission_key)
        return report_id

    async def by_submission_key(self, key: str) -> SubmittedReport | None:
        """The report a draft was filed as, if it was."""
        for row in self._state.reports.values():
            if row.submission_key == key:
                assert row.verify_due is not None
                receipt = next((n for n, notice in enumerate(self._state.outbox, 1)
                                if notice.report_id == row.id
                                and notice.kind == "citizen_submitted"), None)
                return SubmittedReport(row.id, row.code, row.verify_due, receipt)
        return None

    async def add_event(self, report_id: int, event: ReportEvent, actor_id: int | None) -> None:
        """One line of the timeline."""
        self._state.events.append((report_id, event, actor_id))

    async def list_for_citizen(self, citizen_id: int) -> list[ReportSummary]:
        """Newest first."""
        rows = sorted((r for r in self._state.reports.values() if r.citizen_id == citizen_id),
                      key=lambda r: (r.created_at, r.id), reverse=True)
        return [ReportSummary(r.code, r.status, r.category_key, r.created_at, r.updated_at)
                for r in rows]

    async def missing_addresses(self, limit: int) -> list[tuple[int, GeoPoint]]:
        """Pins not looked up yet, by id."""
        rows = sorted(r.id for r in self._state.reports.values() if not r.address_checked)
        return [(rid, self._location(rid)) for rid in rows[:limit]]

    async def set_address(self, report_id: int, address: str | None) -> None:
        """The looked-up address (or none found)."""
        row = self._state.reports[report_id]
        row.address, row.address_checked = address, True

    async def case_file(self, report_id: int) -> CaseFile | None:
        """The report as staff see it, with actors' names as stored now."""
        row = self._state.reports.get(report_id)
        if row is None:
            return None
        citizen = self._state.citizens.get(row.citizen_id)
        return CaseFile(
            id=row.id, code=row.code, status=row.status, version=row.version,
            revision=row.revision, category_key=row.category_key, description=row.description,
            location=self._location(row.id), landmark=row.landmark, address=row.address,
            created_at=row.created_at, updated_at=row.updated_at, verify_due=row.verify_due,
            finish_due=row.finish_due, agency_code=row.agency_code,
            photos=row.photos.get("evidence", ()), proof_photos=row.photos.get("proof", ()),
            resolution_note=row.resolution_note, citizen_id=row.citizen_id,
            citizen_name=citizen.name if citizen else None,
            citizen_phone=citizen.phone if citizen else None,
            citizen_language=citizen.language if citizen else "id", rating=row.rating,
            rating_comment=row.rating_comment, closed_at=row.closed_at, clock=row.clock,
            anonymous=row.anonymous, confidential=row.confidential,
            duplicate_of=row.duplicate_of,
            duplicate_of_code=self._state.reports[row.duplicate_of].code
            if row.duplicate_of else None,
            me_too=sum(1 for rid, _ in self._state.subscriptions if rid == row.id),
            events=tuple(self._staff_event(event, actor_id)
                         for rid, event, actor_id in self._state.events if rid == report_id))

    async def id_by_code(self, code: str) -> int | None:
        """The id behind a tracking code."""
        return next((r.id for r in self._state.reports.values() if r.code == code), None)

    async def update_if_current(self, report_id: int, *, expected_status: ReportStatus,
                                expected_version: int, changes: ReportChanges) -> bool:
        """Apply the changes and bump the version only if status and version still match."""
        row = self._state.reports.get(report_id)
        if row is None or row.status != expected_status or row.version != expected_version:
            return False
        _apply_changes(row, changes)
        row.version += 1
        return True

    async def replace_photos(self, report_id: int, photos: tuple[PhotoRef, ...],
                             purpose: str) -> None:
        """Evidence or proof photos, replaced as a set."""
        self._state.reports[report_id].photos[purpose] = photos

    async def queue(self, statuses: tuple[ReportStatus, ...], agency_code: str | None,
                    limit: int, offset: int, include_confidential: bool = True
                    ) -> tuple[list[CaseFile], int]:
        """Oldest first, one page, and the total."""
        rows = sorted((r for r in self._state.reports.values() if r.status in statuses
                       and (agency_code is None or r.agency_code == agency_code)
                       and (include_confidential or not r.confidential)),
                      key=lambda r: (r.created_at, r.id))
        files = [await self.case_file(r.id) for r in rows[offset:offset + limit]]
        return [f for f in files if f is not None], len(rows)

    def _location(self, report_id: int) -> GeoPoint:
        row = self._state.reports[report_id]
        return GeoPoint(row.latitude, row.longitude)

    def _staff_event(self, event: ReportEvent, actor_id: int | None) -> StaffEvent:
        if event.actor_role == Role.CITIZEN:
            citizen = self._state.citizens.get(actor_id) if actor_id is not None else None
            name = citizen.name if citizen else None
        else:
            member = self._state.staff.get(actor_id) if actor_id is not None else None
            name = member.name if member else None
        return StaffEvent(event.at, event.action, event.from_status, event.to_status,
                          event.actor_role, actor_id, name, event.note)


class FakeAgencies:
    """Agencies and the category → suggested agency table."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def list(self, include_inactive: bool = False) -> list[Agency]:
        """By code; active ones only unless asked."""
        return sorted((a for a in self._state.agencies.values() if include_inactive or a.active),
                      key=lambda a: a.code)

    async def get(self, code: str) -> Agency | None:
        """One agency, active or not."""
        return self._state.agencies.get(code)

    async def save(self, agency: Agency) -> None:
        """Insert or replace."""
        self._state.agencies[agency.code] = agency

    async def suggested_for(self, category_key: str) -> str | None:
        """The agency suggested for a category, if any."""
        return self._state.suggestions.get(category_key)

    async def set_suggestion(self, category_key: str, agency_code: str | None) -> bool:
        """False when the category does not exist."""
        if category_key not in self._state.categories:
            return False
        self._state.suggestions[category_key] = agency_code
        return True


class FakeStaff:
    """Staff members; inactive ones are not found by id."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, telegram_id: int) -> StaffMember | None:
        """An active member."""
        member = self._state.staff.get(telegram_id)
        return member if member and member.active else None

    async def list(self) -> list[StaffMember]:
        """Everyone, by role and name."""
        return sorted(self._state.staff.values(), key=lambda m: (m.role.value, m.name))

    async def save(self, member: StaffMember, now: datetime) -> None:
        """Insert or replace."""
        self._state.staff[member.telegram_id] = member

    async def remove(self, telegram_id: int) -> bool:
        """False when there was no such member."""
        return self._state.staff.pop(telegram_id, None) is not None


class FakeChats:
    """Chat bindings and link codes."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, chat_id: int) -> ChatBinding | None:
        """A chat's binding."""
        found = self._state.chats.get(chat_id)
        return found[0] if found else None

    async def list(self) -> list[ChatBinding]:
        """Every binding, by purpose."""
        return sorted((b for b, _ in self._state.chats.values()), key=lambda b: b.purpose.value)

    async def find(self, purpose: ChatPurpose, agency_code: str | None) -> ChatBinding | None:
        """The chat bound last for a purpose (and agency)."""
        matches = [(at, b) for b, at in self._state.chats.values()
                   if b.purpose == purpose and b.agency_code == agency_code]
        return max(matches, key=lambda m: m[0])[1] if matches else None

    async def bind(self, binding: ChatBinding, now: datetime) -> None:
        """Insert or replace."""
        self._state.chats[binding.chat_id] = (binding, now)

    async def unbind(self, chat_id: int) -> bool:
        """False when the chat was not bound."""
        return self._state.chats.pop(chat_id, None) is not None

    async def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group that became a supergroup keeps its binding."""
        found = self._state.chats.pop(old_chat_id, None)
        if found:
            binding, at = found
            self._state.chats[new_chat_id] = (replace(binding, chat_id=new_chat_id), at)

    async def add_link_code(self, code: str, purpose: ChatPurpose, agency_code: str | None,
                            now: datetime, expires_at: datetime) -> None:
        """A new unused code."""
        self._state.link_codes[code] = LinkCodeRow(purpose, agency_code, expires_at)

    async def use_link_code(self, code: str, user_id: int, chat_id: int,
                            now: datetime) -> tuple[ChatPurpose, str | None] | None:
        """The code's purpose, once, before it expires; None otherwise."""
        row = self._state.link_codes.get(code)
        if row is not None and row.used_at is not None and row.used_by == (user_id, chat_id):
            return row.purpose, row.agency_code  # the same use, replayed
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        row.used_at, row.used_by = now, (user_id, chat_id)
        return row.purpose, row.agency_code


class FakeOutbox:
    """Notices in the order they were written."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, notice: Notice, now: datetime, hold: timedelta | None = None) -> int:
        """One message to deliver; its id is its position."""
        self._state.outbox.append(notice)
        return len(self._state.outbox)


class FakePendingInputs:
    """Open ForceReply questions."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, *, chat_id: int, prompt_message_id: int, user_id: int, report_id: int,
                  version: int, action: str, now: datetime) -> int:
        """A new question with no answers yet."""
        input_id = self._state.new_id()
        self._state.pending[input_id] = PendingInput(
            input_id, chat_id, prompt_message_id, user_id, report_id, version, action, {})
        return input_id

    async def set_data(self, input_id: int, data: dict[str, Any]) -> None:
        """What was answered so far."""
        self._state.pending[input_id] = replace(self._state.pending[input_id], data=dict(data))

    async def by_prompt(self, chat_id: int, message_id: int) -> PendingInput | None:
        """The question asked by this message."""
        return next((p for p in self._state.pending.values()
                     if p.chat_id == chat_id and p.prompt_message_id == message_id), None)

    async def get(self, input_id: int) -> PendingInput | None:
        """One question by id."""
        return self._state.pending.get(input_id)

    async def drop(self, report_id: int, user_id: int, action: str) -> None:
        """Every copy of one question (group and private)."""
        self._state.pending = {
            key: p for key, p in self._state.pending.items()
            if (p.report_id, p.user_id, p.action) != (report_id, user_id, action)}


class FakeCards:
    """Card messages posted for reports."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def add(self, report_id: int, chat_id: int, message_id: int, kind: CardKind) -> None:
        """Remember one posted card."""
        self._state.cards.append((report_id, chat_id, message_id, kind))


class FakeDuplicates:
    """Reports in a lat/lon box, and who follows which report."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def nearby(self, *, category_key: str, south: float, west: float, north: float,
                     east: float, since: datetime, statuses: tuple[ReportStatus, ...]
                     ) -> list[NearbyReport]:
        """Open, non-confidential, not-duplicate reports of the category inside the box."""
        return [NearbyReport(r.id, r.code, r.status, GeoPoint(r.latitude, r.longitude),
                             r.created_at, r.description, r.citizen_id)
                for r in self._state.reports.values()
                if r.category_key == category_key and r.created_at >= since
                and south <= r.latitude <= north and west <= r.longitude <= east
                and r.status in statuses and not r.confidential and r.duplicate_of is None]

    async def subscribe(self, report_id: int, citizen_id: int, now: datetime) -> bool:
        """True when new."""
        if (report_id, citizen_id) in self._state.subscriptions:
            return False
        self._state.subscriptions.append((report_id, citizen_id))
        return True

    async def subscribers(self, report_id: int) -> list[tuple[int, str]]:
        """Followers with their language."""
        return [(cid, self._state.citizens[cid].language)
                for rid, cid in self._state.subscriptions if rid == report_id]



class FakeDelivery:
    """Unreachable staff chats (rows are not parked in the fake: the worker is not in it)."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def mark(self, binding: ChatBinding, error: str, now: datetime) -> bool:
        """Mark once."""
        if binding.chat_id in self._state.unreachable:
            return False
        self._state.unreachable[binding.chat_id] = UnreachableChat(
            binding.chat_id, binding.purpose, binding.agency_code, now, error)
        return True

    async def unreachable(self) -> list[UnreachableChat]:
        """Marked chats, oldest first."""
        return sorted(self._state.unreachable.values(), key=lambda c: c.since)

    async def resume(self, chat_id: int) -> tuple[int, list[int]] | None:
        """Unmark; nothing was parked here."""
        return (0, []) if self._state.unreachable.pop(chat_id, None) else None

    async def resume_binding(self, purpose: ChatPurpose, agency_code: str | None) -> int:
        """Unmark the purpose's old chats."""
        for chat in list(self._state.unreachable.values()):
            if (chat.purpose, chat.agency_code) == (purpose, agency_code):
                del self._state.unreachable[chat.chat_id]
        return 0

class FakeUnitOfWork:
    """One transaction on a FakeDatabase: a private copy until commit()."""

    citizens: FakeCitizens
    categories: FakeCategories
    reports: FakeReports
    agencies: FakeAgencies
    staff: FakeStaff
    chats: FakeChats
    outbox: FakeOutbox
    pending_inputs: FakePendingInputs
    cards: FakeCards
    duplicates: FakeDuplicates
    delivery: FakeDelivery

    def __init__(self, database: FakeDatabase) -> None:
        self._database = database
        self._working: FakeState | None = None

    async def __aenter__(self) -> Self:
        """Start from a copy of what is committed."""
        assert self._working is None, "a unit of work is not re-entrant"
        self._working = working = copy.deepcopy(self._database.state)
        self.citizens = FakeCitizens(working)
        self.categories = FakeCategories(working)
        self.reports = FakeReports(working)
        self.agencies = FakeAgencies(working)
        self.staff = FakeStaff(working)
        self.chats = FakeChats(working)
        self.outbox = FakeOutbox(working)
        self.pending_inputs = FakePendingInputs(working)
        self.cards = FakeCards(working)
        self.duplicates = FakeDuplicates(working)
        self.delivery = FakeDelivery(working)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        """Whatever was not committed is gone."""
        self._working = None

    async def commit(self) -> None:
        """What this transaction did becomes what everyone sees."""
        assert self._working is not None, "commit() outside `async with`"
        self._database.state = copy.deepcopy(self._working)


class FakeDatabase:
    """Committed state, seeded with categories, agencies and suggestions like the migrations."""

    def __init__(self) -> None:
        self.state = FakeState(categories={c.key: c for c in CATEGORIES},
                               suggestions=dict(SUGGESTIONS),
                               agencies={a.code: a for a in AGENCIES})

    def uow(self) -> FakeUnitOfWork:
        """A new unit of work (what services receive as `uow()`)."""
        return FakeUnitOfWork(self)
