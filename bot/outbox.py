"""The outbox worker: sends what transitions caused, within Telegram's limits, losing nothing.

Rows are claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), rendered from the
report's current state in the reader's language, and sent. 429 waits `retry_after` and pauses
that chat; 5xx and network errors back off; a citizen's 403 (blocked) is recorded as
undeliverable, a staff chat that cannot be reached parks the row until it can (and staff are
told, handlers/delivery.py); a group that became a supergroup is followed to its new id. A row
sent in parts (photos, then the card) remembers which parts went out, so a retry never repeats
them; a card is recorded as a placeholder before it gets its buttons (see _placeholder).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Hashable
from contextvars import ContextVar
from datetime import timedelta
from functools import partial
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
)

from bot.pacing import REPLYING, Pacer
from bot.photo_privacy import CleanFiles
from bot.retry import IN_HANDLER
from complaints import admin, delivery, workflow
from complaints.model import (
    CardKind,
    CaseFile,
    ChatPurpose,
    NoticeKind,
    NoticeTarget,
    PhotoKind,
    PhotoRef,
)
from complaints.privacy import ANONYMOUS_CITIZEN
from db.outbox import LEASE, OutboxItem, OutboxStore, lanes_of
from db.replay import CURRENT_UPDATE, UpdateRun, outbox_run_id
from handlers.delivery import StaffAlerts
from presentation.cards import (
    NOTICES,
    audience_in,
    card_buttons,
    photos_of,
    render_notice,
    staff_card,
)
from presentation.context import AppContext, Names
from presentation.deadlines import render_summary
from presentation.texts import Translator

log = logging.getLogger(__name__)
_ROW_CHAT: ContextVar[int | None] = ContextVar("outbox_row_chat", default=None)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
MAX_ATTEMPTS = 10
MAX_HELD = 20  # rows claimed at once: being sent, or waiting for an earlier row of their chat
STAFF_CHATS = {NoticeTarget.ADMIN: ChatPurpose.ADMIN, NoticeTarget.COORDINATOR:
               ChatPurpose.COORDINATOR, NoticeTarget.AGENCY: ChatPurpose.OPD}


class NoChatBound(Exception):
    """The target group is not bound yet; try again later."""


class OutboxWorker:
    """Delivers outbox rows until cancelled; wakes when a transition commits new rows."""

    def __init__(self, bot: Bot, store: OutboxStore, app: AppContext, pacer: Pacer,
                 wakeup: asyncio.Event) -> None:
        self.bot = bot
        self.store = store
        self.wakeup = wakeup
        self.app = app
        self.pacer = pacer
        self.staff_t = Translator(app.settings.default_language, app.settings.zone)
        self.clean_files = CleanFiles(bot)
        self.alerts = StaffAlerts(bot, app)
        self._held: dict[int, asyncio.Task[None]] = {}  # claimed rows, waiting or being sent
        self._waiting: set[int] = set()  # of those, the ones not yet started
        self._last: dict[Hashable, asyncio.Task[None]] = {}  # the latest row of each lane
        self._sending: set[int] = set()  # rows being sent now, a handler's receipt included

    _stopping = False
    @property
    def _chat_id(self) -> int | None:
        """The chat of the row being delivered, once resolved: per task, since a handler's
        deliver_now runs beside the worker's own delivery."""
        return _ROW_CHAT.get()

    @_chat_id.setter
    def _chat_id(self, chat_id: int | None) -> None:
        _ROW_CHAT.set(chat_id)

    def stop(self) -> None:
        """Finish the rows being sent, hand the claimed rows still waiting back, then return."""
        self._stopping = True
        self.wakeup.set()

    async def run(self) -> None:
        renewing = asyncio.create_task(self._renew_leases())
        try:
            while not self._stopping:
                try:
                    claimed = await self.run_once()
                except Exception:
                    log.exception("outbox round failed")
                    claimed = 0
                if not claimed and not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wakeup.wait(), timeout=1.0)
                    self.wakeup.clear()
            await self._hand_back()
        finally:
            renewing.cancel()
            for task in list(self._held.values()):  # cancelled at a stop that took too long
                task.cancel()

    async def _renew_leases(self) -> None:
        """Keep the rows this worker holds its own while it lives (a killed process's rows
        are free again within one LEASE)."""
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            held = sorted({*self._held, *self._sending})
            if not held:
                continue
            try:
                await self.store.renew(held, self.app.clock() + LEASE)
            except Exception:
                log.exception("outbox: could not renew the leases of %d rows", len(held))

    async def run_once(self) -> int:
        """Claim due rows while there is room and start delivering them; returns how many.

        Rows of different chats go out side by side, so a 429 or an outage on one chat holds
        up that chat alone; a row waits for every earlier row of its lanes (db.outbox.lanes_of:
        its chat, and for staff rows its report), so each chat reads them in order.
        """
        room = MAX_HELD - len(self._held)
        if room <= 0:
            return 0
        items = await self.store.claim(self.app.clock(), limit=room)
        fresh = [item for item in items if item.id not in self._held]  # a lease renewed
        for item in fresh:
            lanes = lanes_of(item.target, item.target_ref, item.report_id)
            before = {self._last[lane] for lane in lanes if lane in self._last}
            task = asyncio.create_task(self._deliver_after(item, before))
            self._held[item.id] = task
            self._waiting.add(item.id)
            self._last.update(dict.fromkeys(lanes, task))
            task.add_done_callback(partial(self._forget, item.id, lanes))
        return len(fresh)

    async def _deliver_after(self, item: OutboxItem, before: set[asyncio.Task[None]]) -> None:
        """Send a row once the earlier rows of its lanes are through."""
        try:
            if before:
                await asyncio.wait(before)
        finally:
            self._waiting.discard(item.id)
        try:
            await self.deliver(item)
        except Exception:  # recording the outcome failed (the database is away): lease expires
            log.exception("outbox %s: outcome not recorded", item.id)

    def _forget(self, item_id: int, lanes: tuple[Hashable, ...], task: asyncio.Task[None]) -> None:
        self.wakeup.set()  # room again, and the next row of its chat may be claimed now
        self._held.pop(item_id, None)
        self._waiting.discard(item_id)  # cancelled before it ever ran
        for lane in lanes:
            if self._last.get(lane) is task:
                del self._last[lane]

    async def _hand_back(self) -> None:
        """At a stop: rows still waiting their turn are due again at once; rows being sent
        are finished."""
        waiting = list(self._waiting)
        for item_id in waiting:
            self._held[item_id].cancel()
        if waiting:
            await self.store.release(waiting)
        if self._held:
            await asyncio.wait(list(self._held.values()))

    async def deliver_now(self, item_id: int) -> None:
        """Send a row its writer holds (a citizen's tracking code) at once, beside the queue.

        Called from a handler, but a long 429 puts the row back for the worker instead of
        holding the handler (IN_HANDLER off)."""
        item = await self.store.held(item_id)
        if item is None:
            return
        handler = CURRENT_UPDATE.get()  # a replayed handler may be the row's second attempt
        again = handler is not None and handler.maybe_replay
        patient, replying = IN_HANDLER.set(False), REPLYING.set(True)
        try:
            await self.deliver(item, again=again)
        finally:
            IN_HANDLER.reset(patient)
            REPLYING.reset(replying)

    async def deliver(self, item: OutboxItem, *, again: bool = False) -> None:
        """Send one row and record the outcome (`again`: an earlier attempt may have begun)."""
        now = self.app.clock
        self._chat_id = None  # set once the row's chat is known
        staff = item.target != NoticeTarget.CITIZEN.value
        try:
            await self._deliver_once(item, again or item.attempts > 1)
        except TelegramRetryAfter as exc:
            await self.pacer.pause(int(getattr(exc.method, "chat_id", 0) or 0),
                                   exc.retry_after)
            await self.store.retry(item.id, now() + timedelta(seconds=exc.retry_after), str(exc))
        except TelegramMigrateToChat as exc:
            old = int(exc.method.chat_id)  # type: ignore[attr-defined]
            await admin.migrate_chat(self.app.uow(), old, exc.migrate_to_chat_id)
            await self.store.move_chat(old, exc.migrate_to_chat_id)
            await self.store.retry(item.id, now(), f"group {old} moved to {exc.migrate_to_chat_id}")
        except TelegramForbiddenError as exc:
            if staff and self._chat_id is not None:
                await self._park(item, self._chat_id, exc.message)
            else:
                log.info("outbox %s undeliverable: %s", item.id, exc.message)
                await self._trouble(item, "undeliverable", exc.message)
        except NoChatBound as exc:
            await self.store.retry(item.id, now() + timedelta(seconds=60), str(exc))
        except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as exc:
            if item.attempts >= MAX_ATTEMPTS:
                await self._trouble(item, "failed", str(exc))
            else:
                delay = min(300.0, 2.0 ** item.attempts)
                await self.store.retry(item.id, now() + timedelta(seconds=delay), str(exc),
                                       self._chat_id)
        except TelegramBadRequest as exc:
            if staff and self._chat_id is not None and delivery.unreachable_error(exc.message):
                await self._park(item, self._chat_id, exc.message)
            else:
                log.warning("outbox %s refused by Telegram: %s", item.id, exc.message)
                await self._trouble(item, "failed", exc.message)
        except Exception as exc:
            log.exception("outbox %s failed", item.id)
            await self._trouble(item, "failed", repr(exc))
        else:
            await self.store.done(item.id, now(), chat_id=self._chat_id)
            if staff and self._chat_id is not None:
                await self._reached(self._chat_id)

    async def _deliver_once(self, item: OutboxItem, again: bool) -> None:
        """Deliver with the row's sends journaled: an attempt after one that died midway (a
        kill, a 5xx after the album went out) gets what Telegram already accepted back from
        the journal instead of sending it again (bot/replay.py)."""
        self._sending.add(item.id)  # renewed while it is sent (a held receipt too)
        run = UpdateRun(outbox_run_id(item.id), maybe_replay=again)
        if run.maybe_replay:
            run.remember(await self.store.sent_before(item.id))
        current = CURRENT_UPDATE.set(run)
        try:
            await self._deliver(item)
        finally:
            CURRENT_UPDATE.reset(current)
            self._sending.discard(item.id)

    async def _park(self, item: OutboxItem, chat_id: int, error: str) -> None:
        """A staff chat cannot be reached: the row waits for it, and staff are told at once
        (when the chat is newly lost, and whenever another report's card starts waiting)."""
        log.warning("outbox %s: staff chat %s cannot be reached: %s", item.id, chat_id, error)
        await self.store.park(item.id, chat_id, error)
        lost = await delivery.chat_lost(self.app.uow(), chat_id, error, self.app.clock())
        if lost is None and NOTICES[NoticeKind(item.kind)].card is not None:
            lost = await delivery.unreachable_chat(self.app.uow(), chat_id)
        if lost is not None:
            await self.alerts.chat_lost(lost)

    async def _reached(self, chat_id: int) -> None:
        """A send to a chat marked unreachable went through: what waits for it goes now."""
        if not await self.store.unreachable(chat_id):
            return
        binding = await admin.chat_binding(self.app.uow(), chat_id)
        count = await delivery.chat_back(self.app.uow(), chat_id, self.app.clock())
        if count is not None and binding is not None:
            await self.alerts.chat_back(binding.purpose, binding.agency_code, chat_id, count)

    async def _trouble(self, item: OutboxItem, status: str, error: str) -> None:
        """Failed for good or undeliverable: recorded, and the superadmins hear of it at most
        once per chat per hour."""
        now = self.app.clock()
        await self.store.done(item.id, now, status, error, self._chat_id)
        chat_id = self._chat_id if self._chat_id is not None else 0
        if await self.store.may_alert(chat_id, now):
            count, codes = await self.store.waiting(chat_id, troubles=True)
            await self.alerts.trouble(chat_id, max(count, 1), codes, error)

    # ------------------------------------------------------------ rendering and sending

    async def _chat(self, purpose: ChatPurpose, agency: str | None) -> int | None:
        async with self.app.uow() as uow:
            binding = await uow.chats.find(purpose, agency)
        return binding.chat_id if binding else None

    async def _deliver(self, item: OutboxItem) -> None:
        if item.report_id is None:
            await self._deliver_summary(item)
            return
        case = await workflow.case_file(self.app.uow(), item.report_id)
        names = await self.app.names()
        kind, target, params = NoticeKind(item.kind), NoticeTarget(item.target), dict(item.params)
        if kind is NoticeKind.REFRESH_CARDS:
            await self.refresh_cards(case, names)
            return
        if target is NoticeTarget.CITIZEN:
            chat_id: int | None = int(item.target_ref or case.citizen_id)
            if chat_id == ANONYMOUS_CITIZEN:
                return  # the report was anonymised: nobody is left to tell
            # a follower of the report ("me too") reads it in their own language
            t = Translator(params.get("language") or case.citizen_language,
                           self.app.settings.zone)
        else:
            purpose = STAFF_CHATS[target]
            chat_id = await self._chat(purpose, item.target_ref if purpose == ChatPurpose.OPD
                                       else None)
            if chat_id is None:
                if purpose == ChatPurpose.COORDINATOR:
                    return  # informational only: nothing waits on it
                raise NoChatBound(f"no {purpose.value} chat bound")
            t = self.staff_t
            # a staff row is addressed about an agency: one-liners name it if the report has none
            params.setdefault("agency", item.target_ref or "")
        self._chat_id = chat_id
        view = NOTICES[kind]
        await self._send_photos(item, params, chat_id, photos_of(view.photos, case))
        text, markup = render_notice(t, kind, case, names, params, now=self.app.clock())
        if view.card is None:
            await self._send_text(item, params, chat_id, text, markup)
            return
        posted = params.get("_card")
        if not posted or posted[0] != chat_id:
            posted = await self._placeholder(item, params, chat_id, t, case, view.card)
        if not await self._fill(chat_id, posted[1], text, markup):  # a member deleted it
            posted = await self._placeholder(item, params, chat_id, t, case, view.card)
            await self._fill(chat_id, posted[1], text, markup)

    async def _placeholder(self, item: OutboxItem, params: dict[str, Any], chat_id: int,
                           t: Translator, case: CaseFile, card: CardKind) -> list[int]:
        """A card goes out as a bare placeholder first, recorded before it becomes the card:
        a crash can then leave at most a placeholder untracked (the report's code, so members
        are notified of something useful), never a card with buttons and a status line nobody
        updates. The row remembers it, so a retry fills it in instead of posting another."""
        message_id = await self._send_text(item, params, chat_id,
                                          t("card-sending", code=case.code))
        await admin.record_card(self.app.uow(), case.id, chat_id, message_id, card)
        params["_card"] = [chat_id, message_id]
        await self.store.progress(item.id, params)
        return params["_card"]

    async def _fill(self, chat_id: int, message_id: int, text: str,
                    markup: InlineKeyboardMarkup | None) -> bool:
        """Turn the recorded placeholder into the card; False if it is gone."""
        try:
            await self.bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id,
                                             reply_markup=markup, disable_web_page_preview=True)
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:  # filled before a crash, or by a refresh
                return True
            if "message to edit not found" in exc.message:
                return False
            raise
        return True

    async def _deliver_summary(self, item: OutboxItem) -> None:
        """A notice about no one report (the escalation list, the digest) to a staff chat."""
        purpose = STAFF_CHATS[NoticeTarget(item.target)]
        chat_id = await self._chat(purpose, item.target_ref)
        if chat_id is None:
            if purpose == ChatPurpose.COORDINATOR:
                return  # informational only, as the coordinator's other notices
            raise NoChatBound(f"no {purpose.value} chat bound")
        text, markup = render_summary(self.staff_t, NoticeKind(item.kind), await self.app.names(),
                                      dict(item.params))
        await self._send_text(item, dict(item.params), chat_id, text, markup)

    async def _send_photos(self, item: OutboxItem, params: dict[str, Any], chat_id: int,
                           photos: tuple[PhotoRef, ...]) -> None:
        """Photos first (an album carries no buttons), once even if the row is retried."""
        if params.get("_photos_sent") or not photos:
            return
        await self.pacer.wait(chat_id)
        pictures = [p for p in photos if p.kind == PhotoKind.PHOTO]
        files = [p for p in photos if p.kind == PhotoKind.DOCUMENT]
        if len(pictures) >= 2:
            await self.bot.send_media_group(chat_id, [
                InputMediaPhoto(media=p.file_id) for p in pictures])
        elif pictures:
            await self.bot.send_photo(chat_id, pictures[0].file_id)
        await self._send_files(chat_id, files)
        params["_photos_sent"] = True
        await self.store.progress(item.id, params)

    async def _send_files(self, chat_id: int, files: list[PhotoRef]) -> None:
        """Pictures sent as files go out as clean copies, without EXIF (GPS) metadata."""
        sources = [(p, await self.clean_files.source(p.file_id)) for p in files]
        sources = [(p, source) for p, source in sources if source is not None]
        if len(sources) >= 2:
            sent = await self.bot.send_media_group(chat_id, [
                InputMediaDocument(media=source) for _, source in sources])
        elif sources:
            sent = [await self.bot.send_document(chat_id, sources[0][1])]
        else:
            return
        for (photo, _), message in zip(sources, sent, strict=False):
            if message.document is not None:
                self.clean_files.remember(photo.file_id, message.document.file_id)

    async def _send_text(self, item: OutboxItem, params: dict[str, Any], chat_id: int,
                         text: str, markup: Markup = None) -> int:
        await self.pacer.wait(chat_id)
        message = await self.bot.send_message(chat_id, text, reply_markup=markup,
                                              disable_web_page_preview=True)
        return message.message_id

    async def refresh_cards(self, case: CaseFile, names: Names) -> None:
        """Every posted card of the report shows its current status and only live buttons."""
        t = self.staff_t
        for card in await self.store.cards(case.id):
            binding = await admin.chat_binding(self.app.uow(), card.chat_id)
            holder = binding.agency_code if binding else None  # a card left in an old agency
            await self.pacer.wait(card.chat_id)
            # not modified / deleted by a member / a chat that cannot be reached now (its cards
            # are refreshed when the bot is back there)
            with contextlib.suppress(TelegramBadRequest, TelegramForbiddenError):
                await self.bot.edit_message_text(
                    text=staff_card(t, card.kind, case, names, now=self.app.clock(),
                                    holder=holder, audience=audience_in(binding)),
                    chat_id=card.chat_id, message_id=card.message_id,
                    reply_markup=card_buttons(t, card.kind, case, holder),
                    disable_web_page_preview=True)
