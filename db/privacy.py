"""SQL side of personal data rights and abuse controls; never commits (the unit of work does)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.model import MessageGate, Role
from complaints.privacy import ANONYMOUS_CITIZEN, FINISHED
from db.models import (
    CitizenRow,
    EventRow,
    InboxRow,
    OutboxRow,
    PendingInputRow,
    PhotoRow,
    ReportRow,
    StaffRow,
    UtcDateTime,
)

CITIZENS = CitizenRow.__table__
# One statement per private message: count it in the current window (or open a new one) and
# read back whether the sender is blocked, fresh even when another process blocked them.
_IN_WINDOW = CITIZENS.c.flood_window > bindparam("window_start", type_=UtcDateTime())
COUNT_MESSAGE = (
    update(CITIZENS)
    .where(CITIZENS.c.telegram_id == bindparam("citizen_id"))
    .values(flood_count=case((_IN_WINDOW, CITIZENS.c.flood_count + 1), else_=1),
            flood_window=case((_IN_WINDOW, CITIZENS.c.flood_window),
                              else_=bindparam("now", type_=UtcDateTime())))
    .returning(CITIZENS.c.blocked_at, CITIZENS.c.flood_count)
)
COORDINATE_PLACES = 2  # an anonymised pin keeps about a kilometre, enough for area statistics


class SqlPrivacyRepository:
    """Export, erasure, retention, blocking and counters on the shared session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def profile_extras(self, telegram_id: int) -> tuple[datetime | None, str | None]:
        row = (await self.session.execute(
            select(CitizenRow.created_at, CitizenRow.blocked_reason)
            .where(CitizenRow.telegram_id == telegram_id))).first()
        return (row[0], row[1]) if row else (None, None)

    async def report_ids(self, citizen_id: int) -> list[int]:
        if citizen_id == ANONYMOUS_CITIZEN:
            return []
        rows = await self.session.scalars(
            select(ReportRow.id).where(ReportRow.citizen_id == citizen_id).order_by(ReportRow.id))
        return list(rows)

    async def _anonymous_citizen(self, now: datetime) -> None:
        """The placeholder owner of anonymised reports (the foreign key needs a row)."""
        if await self.session.get(CitizenRow, ANONYMOUS_CITIZEN) is None:
            self.session.add(CitizenRow(telegram_id=ANONYMOUS_CITIZEN, language="id",
                                        created_at=now, updated_at=now))
            await self.session.flush()

    async def anonymise_reports(self, report_ids: list[int], now: datetime) -> list[str]:
        """Keep what statistics need (category, agency, dates, status, rating, area); drop the
        rest: the link to the person, their words, their photos, their exact pin."""
        if not report_ids:
            return []
        await self._anonymous_citizen(now)
        rows = (await self.session.execute(
            select(ReportRow.id, ReportRow.code, ReportRow.latitude, ReportRow.longitude)
            .where(ReportRow.id.in_(report_ids)))).all()
        for report_id, _, latitude, longitude in rows:
            await self.session.execute(
                update(ReportRow).where(ReportRow.id == report_id).values(
                    citizen_id=ANONYMOUS_CITIZEN, description="", landmark=None, address=None,
                    rating_comment=None, latitude=round(latitude, COORDINATE_PLACES),
                    longitude=round(longitude, COORDINATE_PLACES), anonymised_at=now,
                    version=ReportRow.version + 1)
                .execution_options(synchronize_session=False))
        await self.session.execute(
            delete(PhotoRow).where(PhotoRow.report_id.in_(report_ids),
                                   PhotoRow.purpose == "evidence"))
        await self.session.execute(
            update(EventRow).where(EventRow.report_id.in_(report_ids),
                                   EventRow.actor_role == Role.CITIZEN.value)
            .values(actor_id=None, note=None))
        await self.session.execute(  # nothing waits to reach the person; no record of them
            delete(OutboxRow).where(OutboxRow.report_id.in_(report_ids),
                                    OutboxRow.target == "citizen"))
        return sorted(code for _, code, _, _ in rows)

    async def delete_citizen(self, telegram_id: int) -> bool:
        """The profile goes, and what polling kept about their chat (already handled).

        A blocked citizen's row stays with the block and nothing else (no name, phone or
        consent): erasing must not be a way around a block.
        """
        await self.session.execute(delete(InboxRow).where(
            InboxRow.chat_key == str(telegram_id), InboxRow.handled_at.is_not(None)))
        kept = await self.session.execute(
            update(CitizenRow).where(CitizenRow.telegram_id == telegram_id,
                                     CitizenRow.blocked_at.is_not(None))
            .values(name=None, phone=None, consent_at=None, consent_version=None))
        if kept.rowcount:
            return True
        result = await self.session.execute(
            delete(CitizenRow).where(CitizenRow.telegram_id == telegram_id))
        return (result.rowcount or 0) > 0

    async def finished_before(self, cutoff: datetime, limit: int) -> list[int]:
        rows = await self.session.scalars(
            select(ReportRow.id)
            .where(ReportRow.status.in_([s.value for s in FINISHED]),
                   ReportRow.updated_at < cutoff, ReportRow.anonymised_at.is_(None))
            .order_by(ReportRow.id).limit(limit))
        return list(rows)

    async def erase_staff(self, telegram_id: int) -> bool:
        await self.session.execute(
            update(EventRow).where(EventRow.actor_id == telegram_id,
                                   EventRow.actor_role != Role.CITIZEN.value)
            .values(actor_id=None))
        await self.session.execute(
            delete(PendingInputRow).where(PendingInputRow.user_id == telegram_id))
        result = await self.session.execute(
            delete(StaffRow).where(StaffRow.telegram_id == telegram_id))
        return (result.rowcount or 0) > 0

    async def set_blocked(self, telegram_id: int, blocked_at: datetime | None,
                          reason: str | None) -> bool:
        result = await self.session.execute(
            update(CitizenRow).where(CitizenRow.telegram_id == telegram_id,
                                     CitizenRow.telegram_id != ANONYMOUS_CITIZEN)
            .values(blocked_at=blocked_at, blocked_reason=reason,
                    flood_count=0, flood_window=None))  # the next message is told why
        return (result.rowcount or 0) > 0

    async def blocked(self) -> list[tuple[int, datetime, str | None]]:
        rows = await self.session.execute(
            select(CitizenRow.telegram_id, CitizenRow.blocked_at, CitizenRow.blocked_reason)
            .where(CitizenRow.blocked_at.is_not(None)).order_by(CitizenRow.blocked_at))
        return [(telegram_id, at, reason) for telegram_id, at, reason in rows]

    async def count_message(self, telegram_id: int, now: datetime,
                            window_start: datetime) -> MessageGate | None:
        row = (await self.session.execute(COUNT_MESSAGE, {
            "citizen_id": telegram_id, "now": now, "window_start": window_start})).first()
        return MessageGate(row[0] is not None, int(row[1])) if row else None

    async def reports_since(self, citizen_id: int, since: datetime) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(ReportRow)
            .where(ReportRow.citizen_id == citizen_id, ReportRow.created_at >= since))
        return int(count or 0)

