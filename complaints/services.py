"""Use cases shared by the bot and the admin CLI: plain values in, domain values out."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from complaints.calendar import WorkingCalendar
from complaints.errors import InvalidInput, NotRegistered, ReportNotFound
from complaints.lifecycle import Action, Move, notices, plan
from complaints.model import (
    CaseFile,
    Category,
    Citizen,
    NoticeKind,
    ReportDraft,
    ReportEvent,
    ReportStatus,
    ReportSummary,
    Role,
    SlaClock,
    SubmittedReport,
)
from complaints.ports import UnitOfWork
from complaints.sla import SlaPolicy, clock_after
from complaints.tracking import new_tracking_code
from complaints.validation import MAX_PHOTOS

# The tracking code is sent by the handler at once, not queued behind staff groups' paced
# cards; the outbox sends it only if it is still unsent this long after (a crash, an outage).
RECEIPT_HOLD = timedelta(seconds=30)  # renewed while the handler sends it (db/outbox.py LEASE)
RECEIPTS = frozenset({NoticeKind.CITIZEN_SUBMITTED, NoticeKind.CITIZEN_RESUBMITTED})
VERIFY_DAYS = SlaPolicy().verify_days  # SOP step 2 (SLA_VERIFY_DAYS configures it)
SUPPORTED_LANGUAGES = ("id", "en")


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("timezone-aware datetimes only")


async def get_citizen(uow: UnitOfWork, telegram_id: int) -> Citizen | None:
    """The citizen record, registered or not."""
    async with uow:
        return await uow.citizens.get(telegram_id)


async def ensure_citizen(
    uow: UnitOfWork, telegram_id: int, language: str, now: datetime
) -> Citizen:
    """The citizen record, created (unregistered) on first contact with the language guessed."""
    _require_aware(now)
    async with uow:
        citizen = await uow.citizens.get(telegram_id)
        if citizen is None:
            citizen = Citizen(telegram_id=telegram_id, language=language)
            await uow.citizens.save(citizen, now)
            await uow.commit()
        return citizen


async def set_language(uow: UnitOfWork, telegram_id: int, language: str, now: datetime) -> Citizen:
    """Switch the language every later message uses."""
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidInput("error-language-unknown")
    async with uow:
        citizen = await uow.citizens.get(telegram_id) or Citizen(telegram_id, language)
        citizen = replace(citizen, language=language)
        await uow.citizens.save(citizen, now)
        await uow.commit()
        return citizen


async def register_citizen(
    uow: UnitOfWork, telegram_id: int, *, name: str, phone: str, language: str,
    consent_at: datetime, now: datetime, consent_version: str | None = None,
) -> Citizen:
    """Store (or update) a citizen's registration; values must already be validated."""
    _require_aware(now)
    _require_aware(consent_at)
    async with uow:
        citizen = Citizen(telegram_id, language, name=name, phone=phone, consent_at=consent_at,
                          consent_version=consent_version)
        await uow.citizens.save(citizen, now)
        await uow.commit()
        return citizen


async def list_categories(uow: UnitOfWork) -> list[Category]:
    """The categories citizens may pick, in display order."""
    async with uow:
        return await uow.categories.list_active()


async def submit_report(
    uow: UnitOfWork, telegram_id: int, draft: ReportDraft, *, now: datetime,
    calendar: WorkingCalendar, sla: SlaPolicy | None = None,
    draft_id: str | None = None,
) -> SubmittedReport:
    """Store a finished draft as a SUBMITTED report with a fresh tracking code.

    With a draft id the submission happens once: a replayed Send (a crash before the wizard's
    state was stored) finds the report that draft already became, and causes nothing again;
    its receipt row comes back so a code the crash kept from going out is sent now, once.
    """
    _require_aware(now)
    transition = plan(Action.SUBMIT, None, Role.CITIZEN)
    if not 1 <= len(draft.photos) <= MAX_PHOTOS:
        raise InvalidInput("error-photo-count", max=MAX_PHOTOS)
    key = f"{telegram_id}:{draft_id}" if draft_id else None
    async with uow:
        if key is not None and (filed := await uow.reports.by_submission_key(key)):
            return filed
        citizen = await uow.citizens.get(telegram_id)
        if citizen is None or not citizen.is_registered:
            raise NotRegistered()
        if await uow.categories.get(draft.category_key) is None:
            raise InvalidInput("error-category-unknown")
        code = new_tracking_code()
        while await uow.reports.code_exists(code):
            code = new_tracking_code()
        clock = clock_after(SlaClock(), source=None, target=ReportStatus.SUBMITTED, fresh=True,
                            now=now, finish_due=None, policy=sla or SlaPolicy(),
                            calendar=calendar)
        assert clock.due_at is not None
        verify_due = clock.due_at
        report_id = await uow.reports.add(
            citizen_id=telegram_id, code=code, draft=draft, status=transition.target,
            created_at=now, verify_due=verify_due, clock=clock,
            submission_key=key,
        )
        await uow.reports.add_event(
            report_id,
            ReportEvent(now, Action.SUBMIT.value, None, transition.target, Role.CITIZEN),
            actor_id=telegram_id,
        )
        receipt = None
        for notice in notices(transition, Move(report_id, telegram_id, agency=None)):
            if notice.kind in RECEIPTS:  # the citizen waits for it now
                receipt = await uow.outbox.add(notice, now, hold=RECEIPT_HOLD)
            else:
                await uow.outbox.add(notice, now)
        await uow.commit()
        return SubmittedReport(report_id=report_id, code=code, verify_due=verify_due,
                               receipt=receipt)


async def list_my_reports(uow: UnitOfWork, telegram_id: int) -> list[ReportSummary]:
    """The citizen's own reports, newest first."""
    async with uow:
        return await uow.reports.list_for_citizen(telegram_id)


async def get_my_report(uow: UnitOfWork, telegram_id: int, code: str) -> CaseFile:
    """One of the citizen's own reports; another citizen's code is simply not found."""
    async with uow:
        report_id = await uow.reports.id_by_code(code)
        report = await uow.reports.case_file(report_id) if report_id else None
    if report is None or report.citizen_id != telegram_id:
        raise ReportNotFound(code=code)
    return report
