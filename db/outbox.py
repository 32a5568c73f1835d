"""Outbox rows for the sending worker (claim, progress, done, retry, park), the operators' view
of them (list, retry), the hourly alert throttle, and the cards posted."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.model import CardKind, NoticeTarget
from db.delivery import PARKED, upsert, waiting_for
from db.models import DeliveryAlertRow, OutboxRow, ReportCardRow, ReportRow, UnreachableChatRow
from db.replay import SendJournal, Sent, forget_sends, outbox_run_id

TROUBLE = ("failed", "undeliverable")
# A claimed row is the claimer's for this long; a live worker renews it every third of it, so a
# killed process's rows are taken over by another within LEASE, not after a long fixed lease.
LEASE = timedelta(seconds=30)
CITIZEN, AGENCY = NoticeTarget.CITIZEN.value, NoticeTarget.AGENCY.value
OPEN = ("pending", "sending", PARKED, *TROUBLE)  # what `lapor-admin outbox` lists


@dataclass(frozen=True)
class OutboxItem:
    """One message intent to deliver; kind and target stay as stored, the worker parses them
    per row, so one unreadable row fails alone instead of every claim."""

    id: int
    kind: str
    target: str
    target_ref: str | None
    report_id: int | None  # None: a summary about no one report
    params: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class PostedCard:
    """A card message that can be edited later."""

    chat_id: int
    message_id: int
    kind: CardKind


@dataclass(frozen=True)
class OutboxLine:
    """One row as operators see it in `lapor-admin outbox`."""

    id: int
    status: str
    kind: str
    target: str
    target_ref: str | None
    code: str
    chat_id: int | None
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None


def lanes_of(target: str, target_ref: str | None,
             report_id: int | None) -> tuple[Hashable, ...]:
    """What a row keeps its order within. A citizen reads their notices in the order they
    were written. In a staff chat what must keep its order is one report's story: its card
    before the card's refreshes, "forwarded" before "closed". Cards of different reports are
    independent, so one report's card waiting out a 5xx does not hold up the whole admin group
    (Telegram's per-group limits are kept by the Pacer). Rows about no one report (deadline
    summaries) keep their chat's order."""
    if target == CITIZEN and target_ref:
        return (("citizen", target_ref),)
    if report_id is not None:
        return (("report", report_id),)
    return (("staff", target, target_ref if target == AGENCY else None),)


class OutboxStore:
    """Claims due rows with a lease, so several bot processes never send one row twice."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._journal = SendJournal(sessionmaker)

    async def claim(self, now: datetime, limit: int = 50,
                    lease: timedelta = LEASE) -> list[OutboxItem]:
        """Due rows (pending, or sending whose lease ran out), oldest first; a row whose lane
        (chat, report: lanes_of) has an earlier row still open elsewhere, being sent or
        waiting to be retried, is left for later, so any number of workers keep each chat's
        order. Rows of one lane claimed together are sent in id order by the claimer."""
        async with self._sessionmaker() as session, session.begin():
            query = (
                select(OutboxRow)
                .where(or_(OutboxRow.status == "pending", OutboxRow.status == "sending"),
                       OutboxRow.next_attempt_at <= now)
                .order_by(OutboxRow.id).limit(limit)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = await self._in_turn(session, list(await session.scalars(query)))
            for row in rows:
                row.status, row.next_attempt_at = "sending", now + lease
                row.attempts += 1
            return [OutboxItem(r.id, r.kind, r.target, r.target_ref, r.report_id,
                               dict(r.params or {}), r.attempts) for r in rows]

    @staticmethod
    async def _in_turn(session: AsyncSession, rows: list[OutboxRow]) -> list[OutboxRow]:
        """The rows no earlier open row of the same lane, outside this claim, holds up."""
        if not rows:
            return rows
        ids = [r.id for r in rows]
        summaries = {r.target for r in rows if r.report_id is None and r.target != CITIZEN}
        earlier = await session.execute(
            select(OutboxRow.id, OutboxRow.target, OutboxRow.target_ref, OutboxRow.report_id)
            .where(OutboxRow.status.in_(("pending", "sending")), OutboxRow.id < max(ids),
                   OutboxRow.id.not_in(ids),
                   or_(OutboxRow.report_id.in_(sorted({r.report_id for r in rows} - {None})),
                       OutboxRow.target_ref.in_(sorted({r.target_ref for r in rows} - {None})),
                       OutboxRow.target.in_(sorted(summaries))))  # staff rows of no report
            .order_by(OutboxRow.id))
        first_open: dict[Hashable, int] = {}
        for row_id, target, target_ref, report_id in earlier:
            for lane in lanes_of(target, target_ref, report_id):
                first_open.setdefault(lane, row_id)
        kept = []
        for row in rows:  # in id order: a row left out holds up the later ones of its lanes
            lanes = lanes_of(row.target, row.target_ref, row.report_id)
            if any(first_open.get(lane, row.id) < row.id for lane in lanes):
                for lane in lanes:
                    first_open.setdefault(lane, row.id)
            else:
                kept.append(row)
        return kept

    async def held(self, item_id: int) -> OutboxItem | None:
        """A row its writer holds to send at once (see OutboxRepository.add), if still unsent."""
        async with self._sessionmaker() as session:
            row = await session.get(OutboxRow, item_id)
            if row is None or row.status != "sending" or row.attempts != 1:
                return None  # sent, put back for later, or claimed by a worker since
            return OutboxItem(row.id, row.kind, row.target, row.target_ref, row.report_id,
                              dict(row.params or {}), row.attempts)

    async def renew(self, item_ids: list[int], until: datetime) -> None:
        """Rows this worker still holds (waiting their turn or being sent) stay its own."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxRow).where(OutboxRow.id.in_(item_ids), OutboxRow.status == "sending")
                .values(next_attempt_at=until))

    async def release(self, item_ids: list[int]) -> None:
        """Claimed rows not sent because the process is stopping: due again at once."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxRow).where(OutboxRow.id.in_(item_ids), OutboxRow.status == "sending")
                .values(status="pending", next_attempt_at=OutboxRow.created_at,
                        attempts=OutboxRow.attempts - 1))

    async def reclaim(self, now: datetime) -> int:
        """Rows claimed by an earlier life of the only bot process: due now, not after the lease.

        Only for the single-process mode: a process killed while sending (or holding a receipt
        to send at once) leaves its rows claimed for the whole lease, and nothing else can be
        sending them. Returns how many rows were taken back.
        """
        async with self._sessionmaker() as session, session.begin():
            taken = await session.execute(
                update(OutboxRow).where(OutboxRow.status == "sending")
                .values(status="pending", next_attempt_at=now))
            return int(taken.rowcount or 0)

    async def _set(self, item_id: int, **values: Any) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(update(OutboxRow).where(OutboxRow.id == item_id)
                                  .values(**values))

    async def progress(self, item_id: int, params: dict[str, Any]) -> None:
        """Remember which parts went out, so a retry does not send them twice."""
        await self._set(item_id, params=params)

    async def done(self, item_id: int, now: datetime, status: str = "sent",
                   error: str | None = None, chat_id: int | None = None) -> None:
        """The row reached its chat (or never will): its send journal is no longer needed."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(
                status=status, sent_at=now, last_error=error,
                **({"chat_id": chat_id} if chat_id is not None else {})))
            await forget_sends(session, [outbox_run_id(item_id)])

    async def sent_before(self, item_id: int) -> dict[int, Sent]:
        """What an earlier attempt at this row got Telegram to accept (db/replay.py)."""
        return await self._journal.load(outbox_run_id(item_id))

    async def retry(self, item_id: int, when: datetime, error: str,
                    chat_id: int | None = None) -> None:
        await self._set(item_id, status="pending", next_attempt_at=when, last_error=error[:500],
                        **({"chat_id": chat_id} if chat_id is not None else {}))

    async def park(self, item_id: int, chat_id: int, error: str) -> None:
        """The row's staff chat cannot be reached: keep it until the chat is back."""
        await self._set(item_id, status=PARKED, chat_id=chat_id, last_error=error[:500])

    async def unreachable(self, chat_id: int) -> bool:
        """Is the chat marked unreachable (a cheap check after each staff send)?"""
        async with self._sessionmaker() as session:
            return await session.get(UnreachableChatRow, chat_id) is not None

    async def waiting(self, chat_id: int, troubles: bool = False) -> tuple[int, tuple[str, ...]]:
        """Rows parked for a chat (or failed/undeliverable there): how many, which reports."""
        async with self._sessionmaker() as session:
            return await waiting_for(session, chat_id, TROUBLE if troubles else (PARKED,))

    async def may_alert(self, chat_id: int, now: datetime,
                        every: timedelta = timedelta(hours=1)) -> bool:
        """True at most once per `every` per chat, across restarts and processes."""
        async with self._sessionmaker() as session, session.begin():
            table = DeliveryAlertRow.__table__
            statement = upsert(session, table).values(chat_id=chat_id, alerted_at=now)
            statement = statement.on_conflict_do_update(
                index_elements=["chat_id"], set_={"alerted_at": now},
                where=table.c.alerted_at <= now - every)
            return (await session.execute(statement)).rowcount == 1

    async def lines(self, *, statuses: tuple[str, ...] = OPEN, chat_id: int | None = None,
                    code: str | None = None, limit: int = 200) -> list[OutboxLine]:
        """Rows not (yet) delivered, oldest first, for one chat and/or one report."""
        query = (select(OutboxRow, ReportRow.code).join(ReportRow,
                                                         ReportRow.id == OutboxRow.report_id)
                 .where(OutboxRow.status.in_(statuses)).order_by(OutboxRow.id).limit(limit))
        if chat_id is not None:
            query = query.where(OutboxRow.chat_id == chat_id)
        if code is not None:
            query = query.where(ReportRow.code == code)
        async with self._sessionmaker() as session:
            rows = await session.execute(query)
            return [OutboxLine(r.id, r.status, r.kind, r.target, r.target_ref, report_code,
                               r.chat_id, r.attempts, r.next_attempt_at, r.created_at,
                               r.last_error) for r, report_code in rows]

    async def requeue(self, item_ids: list[int] | None, now: datetime) -> int:
        """Failed, undeliverable or parked rows (these, or all) are due again, with fresh tries."""
        query = (update(OutboxRow).where(OutboxRow.status.in_((*TROUBLE, PARKED)))
                 .values(status="pending", next_attempt_at=now, attempts=0)
                 .execution_options(synchronize_session=False))
        if item_ids is not None:
            query = query.where(OutboxRow.id.in_(item_ids))
        async with self._sessionmaker() as session, session.begin():
            return (await session.execute(query)).rowcount or 0

    async def cards(self, report_id: int) -> list[PostedCard]:
        async with self._sessionmaker() as session:
            rows = await session.scalars(select(ReportCardRow)
                                         .where(ReportCardRow.report_id == report_id)
                                         .order_by(ReportCardRow.id))
            return [PostedCard(r.chat_id, r.message_id, CardKind(r.kind)) for r in rows]

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Cards keep working after their group became a supergroup."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(update(ReportCardRow)
                                  .where(ReportCardRow.chat_id == old_chat_id)
                                  .values(chat_id=new_chat_id))


class SqlCardRepository:
    """The report_cards table: which message shows which report's card where."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, report_id: int, chat_id: int, message_id: int, kind: CardKind) -> None:
        """Once per message: a retried send or a press on an untracked copy records it again."""
        known = await self.session.scalar(select(ReportCardRow.id).where(
            ReportCardRow.chat_id == chat_id, ReportCardRow.message_id == message_id))
        if known is not None:
            return
        await self.session.execute(insert(ReportCardRow).values(
            report_id=report_id, chat_id=chat_id, message_id=message_id, kind=kind.value))
