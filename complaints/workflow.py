"""Staff and citizen actions on a submitted report: one transaction each, with notices.

Each action: check the actor may do it (role, agency, ownership), apply it as a conditional
update on (id, expected status, version), write an audit event and the outbox notices it
causes. A stale or doubled press finds the version moved on and learns who acted first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.calendar import WorkingCalendar
from complaints.errors import (
    InvalidInput,
    NotAllowed,
    ReportNotFound,
    StaleReport,
    TransitionNotAllowed,
)
from complaints.lifecycle import TRANSITIONS, Action, Deadline, plan
from complaints.model import (
    Actor,
    CaseFile,
    Notice,
    NoticeTarget,
    PhotoRef,
    ReportDraft,
    ReportEvent,
    ReportStatus,
    Role,
)
from complaints.ports import UnitOfWork
from complaints.services import FINISH_DAYS, VERIFY_DAYS
from complaints.validation import MAX_PHOTOS

REASON_MAX = 500
NOTE_MAX = 1000
NOT_FIXED_WINDOW = timedelta(days=7)
T = NoticeTarget


def _notices(action: Action, report: CaseFile, *, agency: str | None, reason: str | None,
             reason_key: str | None, previous_agency: str | None) -> list[Notice]:
    """The messages each transition causes (rendered later, in the reader's language)."""
    notices = _messages(action, report, agency=agency, reason=reason, reason_key=reason_key,
                        previous_agency=previous_agency)
    # every card already posted for this report shows the new status (and loses stale buttons)
    return [*notices, Notice("refresh_cards", T.ADMIN, report.id)]


def _messages(action: Action, report: CaseFile, *, agency: str | None, reason: str | None,
              reason_key: str | None, previous_agency: str | None) -> list[Notice]:
    rid = report.id
    params = {"reason": reason or "", "reason_key": reason_key or ""}
    if action in (Action.SUBMIT, Action.RESUBMIT):
        return [Notice("admin_card", T.ADMIN, rid, params={"resubmitted": str(
            action == Action.RESUBMIT)})]
    if action in (Action.FORWARD, Action.REASSIGN):
        notices = [Notice("agency_card", T.AGENCY, rid, agency),
                   Notice("coordinator_forwarded", T.COORDINATOR, rid, agency),
                   Notice("citizen_forwarded", T.CITIZEN, rid, str(report.citizen_id),
                          {"agency": agency or ""})]
        if action == Action.REASSIGN and previous_agency and previous_agency != agency:
            notices.append(Notice("agency_reassigned_away", T.AGENCY, rid, previous_agency))
        return notices
    if action == Action.RETURN:
        return [Notice("citizen_returned", T.CITIZEN, rid, str(report.citizen_id), params)]
    if action == Action.SEND_BACK:
        return [Notice("admin_sent_back", T.ADMIN, rid, params=params),
                Notice("coordinator_sent_back", T.COORDINATOR, rid, previous_agency, params)]
    if action == Action.START:
        return [Notice("citizen_in_progress", T.CITIZEN, rid, str(report.citizen_id),
                       {"agency": report.agency_code or ""})]
    if action == Action.RESOLVE:
        return [Notice("admin_proof", T.ADMIN, rid)]
    if action == Action.REJECT_PROOF:
        return [Notice("agency_proof_rejected", T.AGENCY, rid, report.agency_code, params)]
    if action == Action.CLOSE:
        return [Notice("citizen_closed", T.CITIZEN, rid, str(report.citizen_id),
                       {"agency": report.agency_code or ""}),
                Notice("coordinator_closed", T.COORDINATOR, rid)]
    if action == Action.REOPEN:
        return [Notice("admin_reopened", T.ADMIN, rid, params=params),
                Notice("coordinator_reopened", T.COORDINATOR, rid, params=params)]
    if action == Action.WITHDRAW:
        return [Notice("admin_withdrawn", T.ADMIN, rid)]
    return []


@dataclass(frozen=True, slots=True)
class ActResult:
    """The report after the action, for the handler to re-render the pressed card."""

    report: CaseFile
    action: Action


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
) -> ActResult:
    """Apply one lifecycle action as one transaction, or explain why not."""
    async with uow:
        report = await uow.reports.case_file(report_id)
        if report is None:
            raise ReportNotFound()
        transition = TRANSITIONS[action]
        role = _check_actor(actor, transition.roles, report, action)
        if report.version != expected_version:
            raise already_handled(report)
        try:
            transition = plan(action, report.status, role)
        except TransitionNotAllowed:
            raise already_handled(report) from None
        changes: dict[str, object] = {"status": transition.target.value, "updated_at": now}
        reason = _clean(reason, REASON_MAX) if transition.needs_reason else reason
        if transition.needs_reason and not reason:
            raise InvalidInput("error-reason-required")
        if transition.needs_agency:
            if not agency or (found := await uow.agencies.get(agency)) is None or not found.active:
                raise InvalidInput("error-agency-unknown")
            changes["agency_code"] = agency
        if action == Action.SEND_BACK:
            changes["agency_code"] = None
        if transition.needs_proof:
            if not 1 <= len(proof) <= MAX_PHOTOS:
                raise InvalidInput("error-proof-photo-required")
            note = _clean(note, NOTE_MAX)
            if not note:
                raise InvalidInput("error-proof-note-required")
            changes["resolution_note"] = note
            await uow.reports.replace_photos(report.id, proof, "proof")
        if action == Action.RESUBMIT and draft is not None:
            changes.update(_draft_changes(draft), revision=report.revision + 1)
            await uow.reports.replace_photos(report.id, draft.photos, "evidence")
        if action == Action.CLOSE:
            changes["closed_at"] = now
        if action == Action.REOPEN:
            changes.update(closed_at=None, agency_code=None)
        if transition.starts == Deadline.VERIFY:
            changes["verify_due"] = calendar.deadline(now, VERIFY_DAYS)
        elif transition.starts == Deadline.FINISH:
            changes["finish_due"] = calendar.deadline(now, FINISH_DAYS)
        applied = await uow.reports.update_if_current(
            report.id, expected_status=report.status, expected_version=expected_version,
            changes=changes)
        if not applied:
            raise already_handled(await uow.reports.case_file(report.id) or report)
        note_text = reason or (note if transition.needs_proof else None) or (
            f"→ {agency}" if transition.needs_agency else None)
        await uow.reports.add_event(
            report.id,
            ReportEvent(now, action.value, report.status, transition.target, role, note_text),
            actor_id=actor.telegram_id)
        for notice in _notices(action, report, agency=agency, reason=reason,
                               reason_key=reason_key, previous_agency=report.agency_code):
            await uow.outbox.add(notice, now)
        await uow.commit()
        updated = await uow.reports.case_file(report.id)
        assert updated is not None
        return ActResult(updated, action)


def _draft_changes(draft: ReportDraft) -> dict[str, object]:
    return {"description": draft.description, "category_key": draft.category_key,
            "latitude": draft.location.latitude, "longitude": draft.location.longitude,
            "landmark": draft.landmark, "address": None, "address_checked": False}


def _clean(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        raise InvalidInput("error-reason-long", max=limit)
    return cleaned or None


def already_handled(report: CaseFile) -> StaleReport:
    """"Already handled by NAME at TIME", from the last event of the report."""
    last = report.events[-1] if report.events else None
    return StaleReport(
        name=(last.actor_name or last.actor_role.value) if last else "-",
        at=last.at.isoformat() if last else report.updated_at.isoformat(),
        status=report.status.value)


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
               comment: str | None, now: datetime, calendar: WorkingCalendar) -> CaseFile:
    """Store the citizen's 1–5 rating; 2 or less reopens the report for the admin."""
    if not 1 <= stars <= 5:
        raise InvalidInput("error-rating-range")
    report = await citizen_case(uow, citizen_id, report_id)
    if report.status != ReportStatus.CLOSED:
        raise already_handled(report)
    comment = _clean(comment, REASON_MAX)
    async with uow:
        applied = await uow.reports.update_if_current(
            report.id, expected_status=ReportStatus.CLOSED, expected_version=report.version,
            changes={"rating": stars, "rating_comment": comment, "updated_at": now})
        if not applied:
            raise already_handled(report)
        await uow.commit()
    if stars <= 2:
        citizen = Actor(citizen_id, Role.CITIZEN, report.citizen_name or "")
        words = comment or f"★{stars}"
        return (await act(uow, report_id=report.id, action=Action.REOPEN, actor=citizen,
                          expected_version=report.version + 1, now=now, calendar=calendar,
                          reason=words)).report
    return await case_file(uow, report.id)


async def not_fixed(uow: UnitOfWork, *, citizen_id: int, report_id: int, words: str,
                    now: datetime, calendar: WorkingCalendar) -> CaseFile:
    """"Not fixed" within 7 days of closing reopens the report with the citizen's words."""
    report = await citizen_case(uow, citizen_id, report_id)
    if report.status != ReportStatus.CLOSED:
        raise already_handled(report)
    if report.closed_at is None or now - report.closed_at > NOT_FIXED_WINDOW:
        raise InvalidInput("error-not-fixed-too-late")
    citizen = Actor(citizen_id, Role.CITIZEN, report.citizen_name or "")
    return (await act(uow, report_id=report.id, action=Action.REOPEN, actor=citizen,
                      expected_version=report.version, now=now, calendar=calendar,
                      reason=words)).report


QUEUES: dict[str, tuple[ReportStatus, ...]] = {
    "admin": (ReportStatus.SUBMITTED, ReportStatus.RESOLVED),
    "opd": (ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS),
    "coordinator": (ReportStatus.SUBMITTED, ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS,
                    ReportStatus.RESOLVED),
}


async def queue(uow: UnitOfWork, purpose: str, agency_code: str | None, *, page: int,
                page_size: int = 5) -> tuple[list[CaseFile], int]:
    """What waits for a staff chat, oldest first, one page at a time."""
    async with uow:
        return await uow.reports.queue(QUEUES[purpose], agency_code if purpose == "opd" else None,
                                       page_size, page * page_size)
