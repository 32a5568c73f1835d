"""What an update already did, so running it again after a crash does it once.

An update is marked handled only after its handlers finished. A process killed in between runs
it again on the next start (or another process does), and without a record every reply of the
first run would reach the person a second time. Two records close that window:

- the send journal: each message the handlers sent, edited or deleted for an update is written
  here right after Telegram accepted it (update id, its place in the update's sequence, method,
  chat, Telegram's answer); a replay gets the recorded answer instead of sending again. The
  rows go when the update is marked handled, in the same transaction.
- the applied update of a conversation: the storages write the id of the update that last
  changed a conversation's state together with that state, so a replay of an update whose state
  was already stored (a kill between that write and the mark) is skipped as done.

`CURRENT_UPDATE` says which update the running code serves; it is set by the update queues.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.clock import utc_now
from db.delivery import upsert
from db.models import SentInUpdateRow


@dataclass(frozen=True)
class Sent:
    """One call recorded for an update: which method to which chat with what content (a
    digest), and Telegram's answer (IN_FLIGHT while unknown)."""

    method: str
    chat: str
    fingerprint: str
    result: Any


@dataclass
class UpdateRun:
    """The update (or outbox row) being handled in this task, and what an earlier run of it
    got Telegram to do.

    A replay matches its calls to the recorded ones by method, chat and content, in order,
    not by position: a retried outbox row skips the photos it already sent, and its
    placeholder must still be recognised as the one sent before.
    """

    update_id: int
    maybe_replay: bool = False
    calls: int = 0
    own_key: Any = None  # the conversation (aiogram StorageKey) of the update's sender
    recorded: dict[tuple[str, str, str], list[tuple[int, Sent]]] = field(default_factory=dict)

    def remember(self, journal: dict[int, Sent]) -> None:
        """What an earlier run recorded; new calls are numbered after it."""
        for seq in sorted(journal):
            sent = journal[seq]
            self.recorded.setdefault((sent.method, sent.chat, sent.fingerprint),
                                     []).append((seq, sent))
        self.calls = max(journal, default=-1) + 1

    def take(self, method: str, chat: str, fingerprint: str) -> tuple[int, Sent] | None:
        """The earliest recorded call like this one not matched yet, and its place."""
        queue = self.recorded.get((method, chat, fingerprint))
        return queue.pop(0) if queue else None

    def next_call(self) -> int:
        """A new place in this update's sequence for a call with no recorded twin."""
        seq, self.calls = self.calls, self.calls + 1
        return seq


IN_FLIGHT = object()  # a journaled call with no answer recorded: Telegram may have it or not
CURRENT_UPDATE: ContextVar[UpdateRun | None] = ContextVar("current_update", default=None)


def outbox_run_id(item_id: int) -> int:
    """Outbox rows journal their sends too, under ids no update has (negative ones)."""
    return -item_id


def writer_and_applied(key: Any, applied: int | None) -> tuple[int | None, int | None]:
    """Which running update writes now, and the applied update id to store with the write.

    Only a write to the update's own conversation says "this update is applied": a staff
    member's press that resets a citizen's wizard leaves the citizen's id as it was.
    """
    run = CURRENT_UPDATE.get()
    if run is None:
        return None, applied
    return run.update_id, run.update_id if key == run.own_key else applied


class SendJournal:
    """The send journal's rows (table update_sends); written per send, dropped with the mark.

    A call is written down before it is made (`in_flight`) and again once Telegram accepted
    it (`accepted`, with the answer). A replay that finds a call still in flight cannot know
    whether Telegram got it (the process died while it was on its way, as when a connection
    drops): it sends again and says so in the log.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def load(self, update_id: int) -> dict[int, Sent]:
        """Everything recorded for one update, by its place in the sequence."""
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(SentInUpdateRow.seq, SentInUpdateRow.method, SentInUpdateRow.chat,
                       SentInUpdateRow.fingerprint, SentInUpdateRow.accepted,
                       SentInUpdateRow.result)
                .where(SentInUpdateRow.update_id == update_id))
            return {seq: Sent(method, chat, fingerprint, result if accepted else IN_FLIGHT)
                    for seq, method, chat, fingerprint, accepted, result in rows}

    async def in_flight(self, update_id: int, seq: int, sent: Sent) -> None:
        """About to make this call."""
        await self._put(update_id, seq, sent, accepted=False)

    async def accepted(self, update_id: int, seq: int, sent: Sent) -> None:
        """Telegram accepted the call: its answer is what a replay gets."""
        await self._put(update_id, seq, sent, accepted=True)

    async def forget(self, update_id: int, seq: int) -> None:
        """Telegram refused the call for good: nothing to remember."""
        async with self._sessionmaker() as session, session.begin():
            await session.execute(delete(SentInUpdateRow).where(
                SentInUpdateRow.update_id == update_id, SentInUpdateRow.seq == seq))

    async def _put(self, update_id: int, seq: int, sent: Sent, *, accepted: bool) -> None:
        async with self._sessionmaker() as session, session.begin():
            insert = upsert(session, SentInUpdateRow.__table__)
            await session.execute(insert.on_conflict_do_update(
                index_elements=["update_id", "seq"],
                set_={column: insert.excluded[column] for column in (
                    "method", "chat", "fingerprint", "accepted", "result", "sent_at")}),
                [{"update_id": update_id, "seq": seq, "method": sent.method, "chat": sent.chat,
                  "fingerprint": sent.fingerprint, "accepted": accepted,
                  "result": sent.result if accepted else None, "sent_at": utc_now()}])


async def forget_sends(session: AsyncSession, update_ids: Sequence[int]) -> None:
    """Drop the journal of updates being marked handled (they never run again)."""
    await session.execute(delete(SentInUpdateRow)
                          .where(SentInUpdateRow.update_id.in_(update_ids)))
