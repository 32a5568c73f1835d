"""The outbox worker: sends what transitions caused, within Telegram's limits, losing nothing.

Rows are claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), rendered from the
report's current state in the reader's language, and sent. 429 waits `retry_after` and pauses
that chat; 5xx and network errors back off; 403 (blocked, kicked) is recorded as
undeliverable; a group that became a supergroup is followed to its new id. A row sent in parts
(photos, then the card) remembers which parts went out, so a retry never repeats them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from contextvars import ContextVar
from datetime import timedelta
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

from bot.retry import IN_HANDLER
from complaints import admin, workflow
from complaints.model import (
    CaseFile,
    ChatPurpose,
    NoticeKind,
    NoticeTarget,
    PhotoKind,
    PhotoRef,
)
from db.outbox import OutboxItem, OutboxStore
from presentation.cards import NOTICES, card_buttons, photos_of, render_notice, staff_card
from presentation.context import AppContext, Names
from presentation.texts import Translator

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
MAX_ATTEMPTS = 10
STAFF_CHATS = {NoticeTarget.ADMIN: ChatPurpose.ADMIN, NoticeTarget.COORDINATOR:
               ChatPurpose.COORDINATOR, NoticeTarget.AGENCY: ChatPurpose.OPD}
REPLYING: ContextVar[bool] = ContextVar("replying", default=False)  # see deliver_now


class NoChatBound(Exception):
    """The target group is not bound yet; try again later."""


class Pacer:
    """Keeps to Telegram's limits: about 1 msg/s per chat, 20/min per group, 30/s overall."""

    def __init__(self, private_interval: float = 1.0, group_interval: float = 3.0,
                 global_rate: float = 30.0) -> None:
        self.private_interval = private_interval
        self.group_interval = group_interval
        self.global_interval = 1.0 / global_rate
        self._next_chat: dict[int, float] = {}
        self._next_global = 0.0

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429 for this chat: nothing goes there before retry_after."""
        self._next_chat[chat_id] = max(self._next_chat.get(chat_id, 0.0),
                                       time.monotonic() + seconds)

    async def wait(self, chat_id: int) -> None:
        """Sleep until this chat and the bot as a whole may send again."""
        if REPLYING.get():
            return  # a handler's answer to the user's own action, unpaced like every reply
        now = time.monotonic()
        interval = self.group_interval if chat_id < 0 else self.private_interval
        at = max(now, self._next_chat.get(chat_id, 0.0), self._next_global)
        self._next_chat[chat_id] = at + interval
        self._next_global = at + self.global_interval
        if at > now:
            await asyncio.sleep(at - now)


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

    _stopping = False

    def stop(self) -> None:
        """Finish the row being sent, hand the other claimed rows back, then return."""
        self._stopping = True
        self.wakeup.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                delivered = await self.run_once()
            except Exception:
                log.exception("outbox round failed")
                delivered = 0
            if not delivered and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), timeout=1.0)
                self.wakeup.clear()

    async def run_once(self) -> int:
        """Claim and deliver one batch; returns how many rows were handled."""
        items = await self.store.claim(self.app.clock(), limit=10)
        for index, item in enumerate(items):
            if self._stopping:
                await self.store.release([i.id for i in items[index:]])
                break
            await self.deliver(item)
        return len(items)

    async def deliver_now(self, item_id: int) -> None:
        """Send a row its writer holds (a citizen's tracking code) at once, beside the queue.

        Called from a handler, but a long 429 puts the row back for the worker instead of
        holding the handler (IN_HANDLER off)."""
        item = await self.store.held(item_id)
        if item is None:
            return
        patient, replying = IN_HANDLER.set(False), REPLYING.set(True)
        try:
            await self.deliver(item)
        finally:
            IN_HANDLER.reset(patient)
            REPLYING.reset(replying)

    async def deliver(self, item: OutboxItem) -> None:
        """Send one row and record the outcome."""
        now = self.app.clock
        try:
            await self._deliver(item)
        except TelegramRetryAfter as exc:
            self.pacer.pause(int(getattr(exc.method, "chat_id", 0) or 0), exc.retry_after)
            await self.store.retry(item.id, now() + timedelta(seconds=exc.retry_after), str(exc))
        except TelegramMigrateToChat as exc:
            old = int(exc.method.chat_id)  # type: ignore[attr-defined]
            await admin.migrate_chat(self.app.uow(), old, exc.migrate_to_chat_id)
            await self.store.move_chat(old, exc.migrate_to_chat_id)
            await self.store.retry(item.id, now(), f"group {old} moved to {exc.migrate_to_chat_id}")
        except TelegramForbiddenError as exc:
            log.info("outbox %s undeliverable: %s", item.id, exc.message)
            await self.store.done(item.id, now(), "undeliverable", exc.message)
        except NoChatBound as exc:
            await self.store.retry(item.id, now() + timedelta(seconds=60), str(exc))
        except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as exc:
            if item.attempts >= MAX_ATTEMPTS:
                await self.store.done(item.id, now(), "failed", str(exc))
            else:
                delay = min(300.0, 2.0 ** item.attempts)
                await self.store.retry(item.id, now() + timedelta(seconds=delay), str(exc))
        except TelegramBadRequest as exc:
            log.warning("outbox %s refused by Telegram: %s", item.id, exc.message)
            await self.store.done(item.id, now(), "failed", exc.message)
        except Exception as exc:
            log.exception("outbox %s failed", item.id)
            await self.store.done(item.id, now(), "failed", repr(exc))
        else:
            await self.store.done(item.id, now())

    # ------------------------------------------------------------ rendering and sending

    async def _chat(self, purpose: ChatPurpose, agency: str | None) -> int | None:
        async with self.app.uow() as uow:
            binding = await uow.chats.find(purpose, agency)
        return binding.chat_id if binding else None

    async def _deliver(self, item: OutboxItem) -> None:
        case = await workflow.case_file(self.app.uow(), item.report_id)
        names = await self.app.names()
        kind, target, params = NoticeKind(item.kind), NoticeTarget(item.target), dict(item.params)
        if kind is NoticeKind.REFRESH_CARDS:
            await self.refresh_cards(case, names)
            return
        if target is NoticeTarget.CITIZEN:
            chat_id: int | None = int(item.target_ref or case.citizen_id)
            t = Translator(case.citizen_language, self.app.settings.zone)
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
        view = NOTICES[kind]
        await self._send_photos(item, params, chat_id, photos_of(view.photos, case))
        text, markup = render_notice(t, kind, case, names, params)
        message_id = await self._send_text(item, params, chat_id, text, markup)
        if view.card is not None and message_id is not None:
            await admin.record_card(self.app.uow(), case.id, chat_id, message_id, view.card)

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
        if len(files) >= 2:
            await self.bot.send_media_group(chat_id, [
                InputMediaDocument(media=p.file_id) for p in files])
        elif files:
            await self.bot.send_document(chat_id, files[0].file_id)
        params["_photos_sent"] = True
        await self.store.progress(item.id, params)

    async def _send_text(self, item: OutboxItem, params: dict[str, Any], chat_id: int,
                         text: str, markup: Markup = None) -> int | None:
        await self.pacer.wait(chat_id)
        message = await self.bot.send_message(chat_id, text, reply_markup=markup,
                                              disable_web_page_preview=True)
        return message.message_id

    async def refresh_cards(self, case: CaseFile, names: Names) -> None:
        """Every posted card of the report shows its current status and only live buttons."""
        t = self.staff_t
        for card in await self.store.cards(case.id):
            await self.pacer.wait(card.chat_id)
            with contextlib.suppress(TelegramBadRequest):  # not modified / deleted by a member
                await self.bot.edit_message_text(
                    text=staff_card(t, card.kind, case, names),
                    chat_id=card.chat_id, message_id=card.message_id,
                    reply_markup=card_buttons(t, card.kind, case),
                    disable_web_page_preview=True)
