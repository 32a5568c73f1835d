"""Staff and citizen actions on a submitted report: one transaction each, with notices.

Each action: check the actor may do it (role, agency, ownership), apply it as a conditional
update on (id, expected status, version), write an audit event and the outbox notices it
causes. A stale or doubled press finds the version moved on and learns who acted first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from complaints.calendar import WorkingCalendar
from complaints.errors import (
    InvalidInput,
    NotAllowed,
    ReportNotFound,
    StaleReport,
)
from complaints.lifecycle import (
    TRANSITIONS,
    Action,
    Deadline,
    FieldEffect,
    Move,
    Transition,
    TransitionNotAllowed,
    notices,
    plan,
)
from complaints.model import (
    CLEAR,
    Actor,
    CaseFile,
    Notice,
    NoticeKind,
    NoticeTarget,
    PhotoRef,
    ReportChanges,
    ReportDraft,
    ReportEvent,
    ReportStatus,
    Role,
)
from complaints.ports import UnitOfWork
from complaints.services import RECEIPT_HOLD, RECEIPTS
from complaints.sla import SlaPolicy, Step, clock_after
from complaints.validation import MAX_PHOTOS, clean_text

REASON_MAX = 500
NOTE_MAX = 1000
NOT_FIXED_WINDOW = timedelta(days=7)
MOVES = frozenset(action.value for action in Action)


@dataclass(frozen=True, slots=True)
class ActResult:
    """The report after the action, for the handler to re-render the pressed card."""

    report: CaseFile
    action: Action
    receipt: int | None = None  # a held outbox row the handler sends at once (resubmitted)


async def staff_actor(uow: UnitOfWork, telegram_id: int) -> Actor:
    """The presser as staff, or NotAllowed: authority comes from the user id, never the chat."""
    async with uow:
        member = await uow.staff.get(telegram_id)
    if member is None:
        raise NotAllowed()
    return Actor(member.telegram_id, member.role, member.name, member.agency_code)


def _check_actor(actor: Actor, transition_roles: frozenset[Role], report: CaseFile,
                 action: Action) -> Role:
    """The role the actor acts in; agency staff only on their agency's reports."""
    role = actor.role
    if role == Role.CITIZEN:
        if actor.telegram_id != report.citizen_id:
            raise NotAllowed()
    elif role == Role.OPD and actor.agency_code != report.agency_code:
        raise NotAllowed()
    if role not in transition_roles:
        raise NotAllowed()
    return role


async def act(
    uow: UnitOfWork, *, report_id: int, action: Action, actor: Actor, expected_version: int,
    now: datetime, calendar: WorkingCalendar, reason: str | None = None,
    agency: str | None = None, proof: tuple[PhotoRef, ...] = (), note: str | None = None,
    draft: ReportDraft | None = None, reason_key: str | None = None,
    duplicate_of: int | None = None,
    sla: SlaPolicy | None = None,
) -> ActResult:
    """Apply one lifecycle action as one transaction, or explain why not."""
    async with uow:
        report = await uow.reports.case_file(report_id)
        if report is None:
            raise ReportNotFound()
        transition = TRANSITIONS[action]
        role = _check_actor(actor, transition.roles, report, action)
        reason = _clean(reason, REASON_MAX) if transition.needs_reason else reason
        note = _clean(note, NOTE_MAX) if transition.needs_proof else note
        if report.version != expected_version:
            if _replayed(report, action, actor, expected_version,
                         _note(transition, reason, note, agency)):
                return ActResult(report, action)
            raise already_handled(report)
        try:
            transition = plan(action, report.status, role)
        except TransitionNotAllowed:
            raise already_handled(report) from None
        changes = ReportChanges(status=transition.target, updated_at=now)
        if transition.needs_reason and not reason:
            raise InvalidInput("error-reason-required")
        if transition.needs_agency:
            if not agency or (found := await uow.agencies.get(agency)) is None or not found.active:
                raise InvalidInput("error-agency-unknown")
            changes |= ReportChanges(agency_code=agency)
        if transition.needs_proof:
            if not 1 <= len(proof) <= MAX_PHOTOS:
                raise InvalidInput("error-proof-photo-required")
            if not note:
                raise InvalidInput("error-proof-note-required")
            changes |= ReportChanges(resolution_note=note)
            await uow.reports.replace_photos(report.id, proof, "proof")
        if transition.takes_draft and draft is not None:
            changes |= _draft_changes(draft) | ReportChanges(revision=report.revision + 1)
            await uow.reports.replace_photos(report.id, draft.photos, "evidence")
        if duplicate_of is not None:
            # the reporter follows the original from now on, as a "me too"
            changes |= ReportChanges(duplicate_of=duplicate_of)
            await uow.duplicates.subscribe(duplicate_of, report.citizen_id, now)
            await uow.outbox.add(Notice(NoticeKind.REFRESH_CARDS, NoticeTarget.ADMIN,
                                        duplicate_of), now)
        for effect in transition.sets:
            changes |= _field_effect(effect, now)
        changes |= _clock_change(report, transition.target, transition.starts, now, calendar,
                                 sla or SlaPolicy())
        applied = await uow.reports.update_if_current(
            report.id, expected_status=report.status, expected_version=expected_version,
            changes=changes)
        if not applied:
            raise already_handled(await uow.reports.case_file(report.id) or report)
        note_text = _note(transition, reason, note, agency)
        await uow.reports.add_event(
            report.id,
            ReportEvent(now, action.value, report.status, transition.target, role, note_text),
            actor_id=actor.telegram_id)
        move = Move(report.id, report.citizen_id,
                    agency if transition.needs_agency else report.agency_code,
                    report.agency_code, reason, reason_key)
        # every card already posted for this report shows the new status (and loses stale buttons)
        refresh = Notice(NoticeKind.REFRESH_CARDS, NoticeTarget.ADMIN, report.id)
        told = notices(transition, move)
        receipt = None
        for notice in [*told, *await _to_subscribers(uow, report, told), refresh]:
            if notice.kind in RECEIPTS:
                receipt = await uow.outbox.add(notice, now, hold=RECEIPT_HOLD)
            else:
                await uow.outbox.add(notice, now)
        await uow.commit()
        updated = await uow.reports.case_file(report.id)
        assert updated is not None
        return ActResult(updated, action, receipt)


def _note(transition: Transition, reason: str | None, note: str | None,
          agency: str | None) -> str | None:
    """What the audit event notes about the action's input (reason, proof note, agency)."""
    return reason or (note if transition.needs_proof else None) or (
        f"→ {agency}" if transition.needs_agency else None)


def _replayed(report: CaseFile, action: Action, actor: Actor, expected_version: int,
              note: str | None) -> bool:
    """The same press applied already (an update replayed after a crash, a double tap):
    the last move is this actor's, with this input, from the version the press expected."""
    last = report.events[-1] if report.events else None
    return (last is not None and report.version == expected_version + 1
            and last.action == action.value and last.actor_id == actor.telegram_id
            and last.note == note)


def as_pressed(report: CaseFile, version: int, actor_id: int) -> CaseFile | None:
    """The report as a press made at `version` saw it, when the one move since is the
    presser's own (the press replayed after a crash); act() then checks the input matches."""
    last = report.events[-1] if report.events else None
    if (last is None or report.version != version + 1 or last.actor_id != actor_id
            or last.from_status is None):
        return None
    return replace(report, version=version, status=last.from_status)


async def _to_subscribers(uow: UnitOfWork, report: CaseFile,
                          told: list[Notice]) -> list[Notice]:
    """What the reporter is told goes to every citizen following the report too ("me too").

    A confidential report tells nobody but its reporter; followers get no buttons (the report is
    not theirs to fix, withdraw or rate), in their own language.
    """
    for_citizen = [n for n in told  # the tracking-code receipt is the reporter's alone
                   if n.target is NoticeTarget.CITIZEN and n.kind not in RECEIPTS]
    if not for_citizen or report.confidential:
        return []
    return [replace(notice, target_ref=str(citizen_id),
                    params={**notice.params, "subscriber": "1", "language": language})
            for citizen_id, language in await uow.duplicates.subscribers(report.id)
            if citizen_id != report.citizen_id for notice in for_citizen]


def _draft_changes(draft: ReportDraft) -> ReportChanges:
    """The corrected draft replaces what was sent; its address is looked up again."""
    return ReportChanges(
        description=draft.description, category_key=draft.category_key, location=draft.location,
        landmark=CLEAR if draft.landmark is None else draft.landmark, address=CLEAR,
        address_checked=False, anonymous=draft.anonymous, confidential=draft.confidential)


def _field_effect(effect: FieldEffect, now: datetime) -> ReportChanges:
    """What one declared field effect writes."""
    match effect:
        case FieldEffect.CLEAR_AGENCY:
            return ReportChanges(agency_code=CLEAR)
        case FieldEffect.SET_CLOSED_AT:
            return ReportChanges(closed_at=now)
        case FieldEffect.CLEAR_CLOSED_AT:
            return ReportChanges(closed_at=CLEAR)


def _clock_change(report: CaseFile, target: ReportStatus, starts: Deadline, now: datetime,
                  calendar: WorkingCalendar, sla: SlaPolicy) -> ReportChanges:
    """The SOP clock of the step the report enters (complaints/sla.py), and the verify and
    finish due times kept beside it for the timeline and the exports."""
    finish_due = report.finish_due
    changes = ReportChanges()
    if starts is Deadline.FINISH:
        finish_due = sla.due(Step.AGENCY_FINISH, now, calendar)
        changes = ReportChanges(finish_due=finish_due)
    clock = clock_after(report.clock, source=report.status, target=target,
                        fresh=starts is not Deadline.NONE, now=now, finish_due=finish_due,
                        policy=sla, calendar=calendar)
    if clock.step is Step.VERIFY and clock.due_at is not None:
        changes |= ReportChanges(verify_due=clock.due_at)
    return changes | ReportChanges(clock=clock)


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    cleaned = clean_text(text)
    if len(cleaned) > limit:
        raise InvalidInput("error-reason-long", max=limit)
    return cleaned or None


def already_handled(report: CaseFile) -> StaleReport:
    """"Already handled by NAME at TIME", from the last event of the report."""
    moves = [e for e in report.events if e.action in MOVES]  # not a logged show_identity
    last = moves[-1] if moves else None
    anonymous = last is not None and last.actor_role is Role.CITIZEN and report.anonymous
    return StaleReport(
        name=(last.actor_role.value if anonymous else last.actor_name or last.actor_role.value)
        if last else "-",
        at=last.at if last else report.updated_at, status=report.status)


async def case_file(uow: UnitOfWork, report_id: int) -> CaseFile:
    """One report as staff see it."""
    async with uow:
        report = await uow.reports.case_file(report_id)
    if report is None:
        raise ReportNotFound()
    return report


async def case_file_by_code(uow: UnitOfWork, code: str) -> CaseFile:
    """One report by its tracking code (admin CLI, /status for staff)."""
    async with uow:
        report_id = await uow.reports.id_by_code(code)
        report = await uow.reports.case_file(report_id) if report_id else None
    if report is None:
        raise ReportNotFound(code=code)
    return report


async def citizen_case(uow: UnitOfWork, citizen_id: int, report_id: int) -> CaseFile:
    """A report the citizen owns (withdraw, fix and resend, rate); others are not found."""
    report = await case_file(uow, report_id)
    if report.citizen_id != citizen_id:
        raise ReportNotFound()
    return report


async def rate(uow: UnitOfWork, *, citizen_id: int, report_id: int, stars: int,
               comment: str | None, now: datetime, calendar: WorkingCalendar,
               sla: SlaPolicy | None = None) -> CaseFile:
    """Store the citizen's 1–5 rating; 2 or less reopens the report for the admin."""
    if not 1 <= stars <= 5:
        raise InvalidInput("error-rating-range")
    report = await citizen_case(uow, citizen_id, report_id)
    comment = _clean(comment, REASON_MAX)
    if report.status != ReportStatus.CLOSED:
        if report.rating == stars and _reopened_by(report, citizen_id, comment or f"★{stars}"):
            return report  # a replayed low rating: stored, and the report reopened, already
        raise already_handled(report)
    async with uow:
        applied = await uow.reports.update_if_current(
            report.id, expected_status=ReportStatus.CLOSED, expected_version=report.version,
            changes=ReportChanges(rating=stars, rating_comment=comment or CLEAR, updated_at=now))
        if not applied:
            raise already_handled(report)
        await uow.commit()
    if stars <= 2:
        citizen = Actor(citizen_id, Role.CITIZEN, report.citizen_name or "")
        words = comment or f"★{stars}"
        return (await act(uow, report_id=report.id, action=Action.REOPEN, actor=citizen,
                          expected_version=report.version + 1, now=now, calendar=calendar,
                          reason=words, sla=sla)).report
    return await case_file(uow, report.id)


async def not_fixed(uow: UnitOfWork, *, citizen_id: int, report_id: int, words: str,
                    now: datetime, calendar: WorkingCalendar,
                    sla: SlaPolicy | None = None) -> CaseFile:
    """"Not fixed" within 7 days of closing reopens the report with the citizen's words."""
    report = await citizen_case(uow, citizen_id, report_id)
    if report.status != ReportStatus.CLOSED:
        if _reopened_by(report, citizen_id, _clean(words, REASON_MAX)):
            return report  # the same words replayed: reopened already
        raise already_handled(report)
    if report.closed_at is None or now - report.closed_at > NOT_FIXED_WINDOW:
        raise InvalidInput("error-not-fixed-too-late")
    citizen = Actor(citizen_id, Role.CITIZEN, report.citizen_name or "")
    return (await act(uow, report_id=report.id, action=Action.REOPEN, actor=citizen,
                      expected_version=report.version, now=now, calendar=calendar,
                      reason=words, sla=sla)).report


def _reopened_by(report: CaseFile, citizen_id: int, words: str | None) -> bool:
    """The last move is this citizen reopening with these words (their update replayed)."""
    last = report.events[-1] if report.events else None
    return (last is not None and last.action == Action.REOPEN.value
            and last.actor_id == citizen_id and last.note == words)


QUEUES: dict[str, tuple[ReportStatus, ...]] = {
    "admin": (ReportStatus.SUBMITTED, ReportStatus.RESOLVED),
    "opd": (ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS),
    "coordinator": (ReportStatus.SUBMITTED, ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS,
                    ReportStatus.RESOLVED),
}


async def queue(uow: UnitOfWork, purpose: str, agency_code: str | None, *, page: int,
                page_size: int = 5) -> tuple[list[CaseFile], int]:
    """What waits for a staff chat, oldest first, one page at a time."""
    async with uow:  # the coordinator's chat never lists confidential reports
        return await uow.reports.queue(QUEUES[purpose], agency_code if purpose == "opd" else None,
                                       page_size, page * page_size,
                                       include_confidential=purpose != "coordinator")
