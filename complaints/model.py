"""Plain domain values: what a citizen, a draft and a report are, with no storage or Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from typing import Any


class ReportStatus(StrEnum):
    """Where a report stands in the SOP lifecycle (see complaints/lifecycle.py)."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    FORWARDED = "forwarded"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    """Who acts on a report; staff roles are bound to Telegram user ids."""

    CITIZEN = "citizen"
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    OPD = "opd"
    SUPERADMIN = "superadmin"


class PhotoKind(StrEnum):
    """How the picture arrived: compressed photo or an image sent as a file (keeps EXIF)."""

    PHOTO = "photo"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 point as Telegram sends it."""

    latitude: float
    longitude: float

    @property
    def map_url(self) -> str:
        """A link anyone can open to see the pin."""
        return (
            "https://www.openstreetmap.org/?mlat="
            f"{self.latitude:.6f}&mlon={self.longitude:.6f}#map=18/"
            f"{self.latitude:.6f}/{self.longitude:.6f}"
        )


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """A latitude/longitude box the city serves; pins outside it are refused."""

    south: float
    west: float
    north: float
    east: float
    source: str = ""

    def contains(self, point: GeoPoint) -> bool:
        """True when the pin lies inside the box (edges included)."""
        return (
            self.south <= point.latitude <= self.north
            and self.west <= point.longitude <= self.east
        )


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """A picture kept by Telegram, addressed by its file id."""

    file_id: str
    file_unique_id: str
    kind: PhotoKind = PhotoKind.PHOTO


@dataclass(frozen=True, slots=True)
class Citizen:
    """A person who reports; registered once they gave consent, a name and a phone number."""

    telegram_id: int
    language: str
    name: str | None = None
    phone: str | None = None
    consent_at: datetime | None = None
    consent_version: str | None = None  # the version of the consent text agreed to

    @property
    def is_registered(self) -> bool:
        """Registration is complete only with consent, a name and a phone number."""
        return bool(self.consent_at and self.name and self.phone)

    def consented_to(self, version: str) -> bool:
        """Registered, and the consent given was to this version of the text."""
        return self.is_registered and self.consent_version == version


@dataclass(frozen=True, slots=True)
class MessageGate:
    """One private message counted: is the sender blocked, how many in this flood window."""

    blocked: bool
    count: int


@dataclass(frozen=True, slots=True)
class Category:
    """A complaint category offered to citizens, named in both languages."""

    key: str
    name_id: str
    name_en: str

    def name(self, language: str) -> str:
        """The name in the user's language (Indonesian unless English)."""
        return self.name_en if language == "en" else self.name_id


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """Everything the intake wizard gathered, ready to be submitted."""

    photos: tuple[PhotoRef, ...]
    location: GeoPoint
    description: str
    category_key: str
    landmark: str | None = None
    anonymous: bool = False  # the reporter's name and phone stay with the admin group
    confidential: bool = False  # only the admin group and the assigned agency see the report


class Audience(StrEnum):
    """Who a report is shown to; anonymous and confidential reports hide things per audience."""

    ADMIN = "admin"  # the admin group (and the CLI's operators)
    AGENCY = "agency"  # the assigned agency's group
    COORDINATOR = "coordinator"
    PUBLIC = "public"  # other citizens, statistics, anything published


@dataclass(frozen=True, slots=True)
class NearbyReport:
    """An open report near a new one's pin, as a possible duplicate (no reporter inside)."""

    id: int
    code: str
    status: ReportStatus
    location: GeoPoint
    created_at: datetime
    description: str
    citizen_id: int


@dataclass(frozen=True, slots=True)
class ReportEvent:
    """One line of a report's timeline."""

    at: datetime
    action: str
    from_status: ReportStatus | None
    to_status: ReportStatus
    actor_role: Role
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """A report as listed to its owner."""

    code: str
    status: ReportStatus
    category_key: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SubmittedReport:
    """What the citizen is told right after submitting."""

    report_id: int
    code: str
    verify_due: datetime
    receipt: int | None = None  # the outbox row with the code, for the handler to send now


class ChatPurpose(StrEnum):
    """What a staff group is for."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    OPD = "opd"


class ReturnReason(StrEnum):
    """Preset reasons an admin returns a report for (SOP step 2)."""

    INCOMPLETE = "incomplete"
    NOT_AUTHORITY = "not_authority"
    DUPLICATE = "duplicate"
    NOT_COMPLAINT = "not_complaint"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Agency:
    """A city agency (OPD) that handles forwarded reports."""

    code: str
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A Telegram user bound to a staff role (and an agency, for opd)."""

    telegram_id: int
    name: str
    role: Role
    agency_code: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class ChatBinding:
    """A group bound to a purpose (and an agency, for opd groups)."""

    chat_id: int
    purpose: ChatPurpose
    agency_code: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, as the service layer checks it."""

    telegram_id: int
    role: Role
    name: str
    agency_code: str | None = None


@dataclass(frozen=True, slots=True)
class StaffEvent:
    """A timeline line as staff see it (with who acted)."""

    at: datetime
    action: str
    from_status: ReportStatus | None
    to_status: ReportStatus
    actor_role: Role
    actor_id: int | None
    actor_name: str | None
    note: str | None


class Step(StrEnum):
    """An SOP step a report waits in (standards: complaints/sla.py); stored, so never change."""

    VERIFY = "verify"  # SOP 2: the regional admin verifies and forwards, or returns
    AGENCY_START = "agency_start"  # SOP 3: the agency starts ("Proses") or sends it back
    AGENCY_FINISH = "agency_finish"  # SOP 4: the agency finishes, with proof
    DOCUMENT = "document"  # SOP 5–6: the admin documents the result, the citizen hears


@dataclass(frozen=True, slots=True)
class SlaClock:
    """The clock of the step a report waits in: due, when to remind and escalate, or paused."""

    step: Step | None = None
    due_at: datetime | None = None
    remind_at: datetime | None = None
    escalate_at: datetime | None = None
    paused_remaining: timedelta | None = None  # set while RETURNED: SOP time left on resume
    round: int = 0  # a fresh clock counts up, so a step's notices go once per round

    @property
    def running(self) -> bool:
        """A step waits and its due time is set (not paused, not finished)."""
        return self.step is not None and self.due_at is not None


@dataclass(frozen=True, slots=True)
class CaseFile:
    """Everything staff need about one report (the admin group may see the reporter's phone)."""

    id: int
    code: str
    status: ReportStatus
    version: int
    revision: int
    category_key: str
    description: str
    location: GeoPoint
    landmark: str | None
    address: str | None
    created_at: datetime
    updated_at: datetime
    verify_due: datetime | None
    finish_due: datetime | None
    agency_code: str | None
    photos: tuple[PhotoRef, ...]
    proof_photos: tuple[PhotoRef, ...]
    resolution_note: str | None
    citizen_id: int
    citizen_name: str | None
    citizen_phone: str | None
    citizen_language: str
    rating: int | None
    rating_comment: str | None
    closed_at: datetime | None
    events: tuple[StaffEvent, ...] = field(default=())
    clock: SlaClock = SlaClock()  # the SOP clock of the step it waits in
    anonymous: bool = False
    confidential: bool = False
    duplicate_of: int | None = None  # returned as a duplicate of this report
    duplicate_of_code: str | None = None
    me_too: int = 0  # citizens following it ("me too")

    def visible_to(self, audience: Audience) -> bool:
        """A confidential report is seen by the admin group and the assigned agency only."""
        return not self.confidential or audience in (Audience.ADMIN, Audience.AGENCY)

    def reporter_visible_to(self, audience: Audience) -> bool:
        """Whether the reporter's name may be shown (the phone: admin only, see phone_visible_to).

        Anonymous: nobody sees who reported without asking (the admin group's "show identity"
        button, which is logged); the public never sees the reporter in any case.
        """
        if audience is Audience.PUBLIC or not self.visible_to(audience):
            return False
        return not self.anonymous

    def phone_visible_to(self, audience: Audience) -> bool:
        """The phone number goes to the admin group only, and not for an anonymous report."""
        return audience is Audience.ADMIN and not self.anonymous


class NoticeTarget(StrEnum):
    """Who a notification goes to; the chat is looked up when it is sent."""

    CITIZEN = "citizen"
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    AGENCY = "agency"


class NoticeKind(StrEnum):
    """Every message a transition causes; the values are stored in outbox rows, so never change."""

    ADMIN_CARD = "admin_card"
    ADMIN_PROOF = "admin_proof"
    ADMIN_SENT_BACK = "admin_sent_back"
    ADMIN_REOPENED = "admin_reopened"
    ADMIN_WITHDRAWN = "admin_withdrawn"
    AGENCY_CARD = "agency_card"
    AGENCY_PROOF_REJECTED = "agency_proof_rejected"
    AGENCY_REASSIGNED_AWAY = "agency_reassigned_away"
    COORDINATOR_FORWARDED = "coordinator_forwarded"
    COORDINATOR_SENT_BACK = "coordinator_sent_back"
    COORDINATOR_CLOSED = "coordinator_closed"
    COORDINATOR_REOPENED = "coordinator_reopened"
    CITIZEN_FORWARDED = "citizen_forwarded"
    CITIZEN_RETURNED = "citizen_returned"
    CITIZEN_IN_PROGRESS = "citizen_in_progress"
    CITIZEN_CLOSED = "citizen_closed"
    CITIZEN_REASSIGNED = "citizen_reassigned"
    SLA_REMINDER = "sla_reminder"  # the responsible chat: a step is due soon
    SLA_OVERDUE = "sla_overdue"  # the responsible chat: a step is past its due time
    SLA_ESCALATION = "sla_escalation"  # the coordinator: each agency's overdue reports
    SLA_DIGEST = "sla_digest"  # the coordinator: yesterday's figures by agency, once a day
    CITIZEN_SUBMITTED = "citizen_submitted"  # the tracking code: durable, sent once
    CITIZEN_RESUBMITTED = "citizen_resubmitted"
    REFRESH_CARDS = "refresh_cards"  # not a message: every posted card shows the new status


class CardKind(StrEnum):
    """The report cards staff chats hold; the values are stored with each posted card."""

    ADMIN_CARD = "admin_card"
    ADMIN_PROOF = "admin_proof"
    AGENCY_CARD = "agency_card"


@dataclass(frozen=True, slots=True)
class Notice:
    """A rendering-free message intent caused by a transition, delivered by the outbox."""

    kind: NoticeKind
    target: NoticeTarget
    report_id: int | None  # None: a summary about no one report (escalation list, digest)
    target_ref: str | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PendingInput:
    """Who was asked what, about which report (at which version), and what they gave so far."""

    id: int
    chat_id: int
    prompt_message_id: int | None
    user_id: int
    report_id: int
    version: int
    action: str
    data: dict[str, Any]


class Clear(Enum):
    """Empties a column in ReportChanges, where None means "leave it as it is"."""

    CLEAR = "clear"


CLEAR = Clear.CLEAR


@dataclass(frozen=True, slots=True)
class ReportChanges:
    """What one conditional update of a report changes: None leaves a field, CLEAR empties it."""

    status: ReportStatus | None = None
    updated_at: datetime | None = None
    agency_code: str | Clear | None = None
    verify_due: datetime | None = None
    finish_due: datetime | None = None
    resolution_note: str | None = None
    closed_at: datetime | Clear | None = None
    revision: int | None = None
    description: str | None = None
    category_key: str | None = None
    location: GeoPoint | None = None
    landmark: str | Clear | None = None
    address: str | Clear | None = None
    address_checked: bool | None = None
    rating: int | None = None
    rating_comment: str | Clear | None = None
    anonymous: bool | None = None
    confidential: bool | None = None
    duplicate_of: int | None = None
    clock: SlaClock | None = None

    def __or__(self, later: ReportChanges) -> ReportChanges:
        """Both sets of changes, the later one winning where both touch a field."""
        return replace(self, **{f.name: getattr(later, f.name) for f in fields(later)
                                if getattr(later, f.name) is not None})


@dataclass(frozen=True, slots=True)
class UnreachableChat:
    """A bound staff chat the bot cannot send to, and what waits for it there."""

    chat_id: int
    purpose: ChatPurpose
    agency_code: str | None
    since: datetime
    error: str | None
    waiting: int = 0
    codes: tuple[str, ...] = ()
