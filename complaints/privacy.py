"""Personal data rights and abuse controls (PDP law, UU 27/2022): consent, access, erasure,
retention, blocking and per-citizen limits. Plain values in, domain values out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from complaints import workflow
from complaints.calendar import WorkingCalendar
from complaints.errors import InvalidInput, NotRegistered
from complaints.lifecycle import Action
from complaints.model import (
    Actor,
    CaseFile,
    Citizen,
    MessageGate,
    Notice,
    NoticeKind,
    NoticeTarget,
    ReportStatus,
    Role,
)
from complaints.ports import UnitOfWork

log = logging.getLogger(__name__)

# The version of the consent text (reg-consent in the catalogues); raise it when the text
# changes and every registered citizen is asked again before filing (setting CONSENT_VERSION).
CONSENT_VERSION = "2"  # 2: names the rights (/data_saya, /hapus_data) and the hidden phone
# Reports of erased citizens, and reports past retention, belong to this placeholder citizen.
ANONYMOUS_CITIZEN = 0
WITHDRAWABLE = (ReportStatus.SUBMITTED, ReportStatus.RETURNED)
FINISHED = (ReportStatus.CLOSED, ReportStatus.WITHDRAWN)
BLOCK_REASON_MAX = 200


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything held about one citizen, for /data_saya."""

    citizen: Citizen
    registered_at: datetime | None
    blocked_reason: str | None
    reports: tuple[CaseFile, ...]


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    """What /hapus_data will do: withdraw these, anonymise those (agencies keep working)."""

    withdraw: tuple[str, ...]
    in_agency: tuple[str, ...]
    total: int


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure did, by tracking code."""

    withdrawn: tuple[str, ...]
    anonymised: tuple[str, ...]
    profile_deleted: bool


async def record_consent(uow: UnitOfWork, telegram_id: int, version: str,
                         now: datetime) -> Citizen:
    """A registered citizen agrees to a new version of the consent text."""
    async with uow:
        citizen = await uow.citizens.get(telegram_id)
        if citizen is None or not citizen.is_registered:
            raise NotRegistered()
        citizen = replace(citizen, consent_at=now, consent_version=version)
        await uow.citizens.save(citizen, now)
        await uow.commit()
        return citizen


async def personal_data(uow: UnitOfWork, telegram_id: int) -> PersonalData:
    """The citizen's profile and every report they filed, with timelines and photo ids."""
    async with uow:
        citizen = await uow.citizens.get(telegram_id) or Citizen(telegram_id, "id")
        registered_at, blocked_reason = await uow.privacy.profile_extras(telegram_id)
        reports = []
        for report_id in await uow.privacy.report_ids(telegram_id):
            case = await uow.reports.case_file(report_id)
            if case is not None:
                reports.append(case)
    return PersonalData(citizen, registered_at, blocked_reason, tuple(reports))


async def erasure_plan(uow: UnitOfWork, telegram_id: int) -> ErasurePlan:
    """Which reports an erasure withdraws and which stay with an agency, for the warning."""
    async with uow:
        summaries = await uow.reports.list_for_citizen(telegram_id)
    withdraw = tuple(r.code for r in summaries if r.status in WITHDRAWABLE)
    in_agency = tuple(r.code for r in summaries
                      if r.status not in WITHDRAWABLE and r.status not in FINISHED)
    return ErasurePlan(withdraw, in_agency, len(summaries))


async def erase_citizen(uow: Callable[[], UnitOfWork], telegram_id: int, *,
                        now: datetime, calendar: WorkingCalendar) -> Erasure:
    """Withdraw open reports, anonymise every report, delete the profile (/hapus_data).

    Withdrawing goes through the lifecycle, so the admins are told as for any withdrawal.
    """
    async with uow() as work:
        ids = await work.privacy.report_ids(telegram_id)
    actor = Actor(telegram_id, Role.CITIZEN, "")
    withdrawn = []
    for report_id in ids:
        case = await workflow.case_file(uow(), report_id)
        if case.status in WITHDRAWABLE:
            await workflow.act(uow(), report_id=report_id, action=Action.WITHDRAW, actor=actor,
                               expected_version=case.version, now=now, calendar=calendar)
            withdrawn.append(case.code)
    async with uow() as work:
        ids = await work.privacy.report_ids(telegram_id)
        codes = await work.privacy.anonymise_reports(ids, now)
        for report_id in ids:  # cards already posted in staff groups lose the name too
            await work.outbox.add(Notice(NoticeKind.REFRESH_CARDS, NoticeTarget.ADMIN,
                                         report_id), now)
        deleted = await work.privacy.delete_citizen(telegram_id)
        await work.commit()
    log.info("erased citizen data: %d reports anonymised (%s), %d withdrawn, profile %s",
             len(codes), ",".join(codes), len(withdrawn), "deleted" if deleted else "absent")
    return Erasure(tuple(withdrawn), tuple(codes), deleted)


async def purge_finished(uow: UnitOfWork, *, older_than: timedelta, now: datetime,
                         limit: int = 500) -> tuple[str, ...]:
    """Retention: anonymise closed or withdrawn reports untouched for longer than older_than."""
    async with uow:
        ids = await uow.privacy.finished_before(now - older_than, limit)
        codes = await uow.privacy.anonymise_reports(ids, now)
        await uow.commit()
    log.info("retention purge: %d reports older than %d days anonymised%s%s", len(codes),
             older_than.days, ": " if codes else "", ",".join(codes))
    return tuple(codes)


async def erase_staff(uow: UnitOfWork, telegram_id: int) -> bool:
    """Delete a staff member and the link from their past actions to their Telegram id."""
    async with uow:
        found = await uow.privacy.erase_staff(telegram_id)
        await uow.commit()
    log.info("staff member %s erased: %s", telegram_id, found)
    return found


async def set_blocked(uow: UnitOfWork, telegram_id: int, *, blocked: bool,
                      reason: str | None, now: datetime) -> bool:
    """Block (with a reason) or unblock a citizen; False when there is no such citizen."""
    reason = (reason or "").strip()[:BLOCK_REASON_MAX]
    if blocked and not reason:
        raise InvalidInput("error-reason-required")
    async with uow:
        found = await uow.privacy.set_blocked(telegram_id, now if blocked else None,
                                              reason or None)
        await uow.commit()
    log.info("citizen %s %s", telegram_id, "blocked" if blocked else "unblocked")
    return found


async def blocked_citizens(uow: UnitOfWork) -> list[tuple[int, datetime, str | None]]:
    """Who is blocked, since when and why (Telegram id, time, reason)."""
    async with uow:
        return await uow.privacy.blocked()


async def count_message(uow: UnitOfWork, telegram_id: int, *, now: datetime,
                        window: timedelta) -> MessageGate | None:
    """Count one private message in the database (holds across processes and restarts)."""
    async with uow:
        gate = await uow.privacy.count_message(telegram_id, now, now - window)
        await uow.commit()
    return gate


async def reports_today(uow: UnitOfWork, telegram_id: int, now: datetime) -> int:
    """Reports the citizen filed in the last 24 hours (the daily limit counts these)."""
    async with uow:
        return await uow.privacy.reports_since(telegram_id, now - timedelta(days=1))
