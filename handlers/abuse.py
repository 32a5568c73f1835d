"""Abuse controls: a blocked citizen is told politely and nothing they send is handled or
kept; a flood of messages is slowed with a friendly note; admins block from the admin card.

Both checks are one statement in the database per private update (complaints/privacy.py),
so they hold across restarts and across several bot processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware, F, Router, html
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ForceReply, Message, TelegramObject, Update

from complaints import admin, privacy, workflow
from complaints.errors import InvalidInput, NotAllowed
from complaints.model import CaseFile, ChatPurpose, PendingInput, Role
from presentation.context import AppContext
from presentation.keyboards import inline_keyboard
from presentation.privacy import BlockAction, BlockCb, PrivacyAction, PrivacyCb
from presentation.texts import Translator

log = logging.getLogger(__name__)
ADMINS = {Role.ADMIN, Role.SUPERADMIN}
BLOCK_QUESTION = "block"  # the pending input's action: a reason to block the reporter


class AbuseGuard(BaseMiddleware):
    """Counts each private update in the database; blocked or flooding senders stop here."""

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject, data: dict[str, Any],
    ) -> Any:
        chat = data.get("event_chat")
        if data.get("citizen") is None or chat is None or chat.type != ChatType.PRIVATE:
            return await handler(event, data)
        app: AppContext = data["app"]
        settings = app.settings
        gate = await privacy.count_message(
            app.uow(), data["citizen"].telegram_id, now=app.clock(),
            window=timedelta(seconds=settings.flood_window_seconds))
        if gate is None:
            return await handler(event, data)
        log.debug("private update from %s: %d this window%s", chat.id, gate.count,
                  ", blocked" if gate.blocked else "")
        t: Translator = data["t"]
        if gate.blocked and _exercises_a_right(event):
            return await handler(event, data)  # access and erasure stay open to everyone
        if gate.blocked:
            state: FSMContext | None = data.get("state")
            if state is not None:
                await state.clear()  # a draft is not kept either
            if gate.count == 1:  # told once per window, not on every message
                await _tell(event, t("blocked-notice"))
            else:
                await _tell(event, None)
            return None
        if gate.count > settings.flood_messages:
            log.info("flood: citizen %s sent %d updates this window", chat.id, gate.count)
            await _tell(event, t("flood-notice") if gate.count == settings.flood_messages + 1
                        else None)
            return None
        return await handler(event, data)


RIGHTS_COMMANDS = {"/data_saya", "/my_data", "/hapus_data", "/erase_data"}
ERASE_ANSWERS = {PrivacyAction.ERASE_YES, PrivacyAction.ERASE_NO}


def _exercises_a_right(event: TelegramObject) -> bool:
    """/data_saya, /hapus_data and the erasure's confirmation."""
    if not isinstance(event, Update):
        return False
    if event.message is not None and event.message.text:
        command = event.message.text.split(maxsplit=1)[0].split("@", 1)[0].lower()
        return command in RIGHTS_COMMANDS
    query = event.callback_query
    if query is not None and query.data and query.data.startswith(f"{PrivacyCb.__prefix__}:"):
        with contextlib.suppress(ValueError, TypeError):
            return PrivacyCb.unpack(query.data).action in ERASE_ANSWERS
    return False


async def _tell(event: TelegramObject, text: str | None) -> None:
    """Answer a press (always, so the button stops spinning) or a message (when text)."""
    if not isinstance(event, Update):
        return
    if event.callback_query is not None:
        await event.callback_query.answer(text[:200] if text else None, show_alert=bool(text))
    elif event.message is not None and text:
        await event.message.answer(text)


async def _admin(app: AppContext, user_id: int) -> None:
    actor = await workflow.staff_actor(app.uow(), user_id)
    if actor.role not in ADMINS:
        log.warning("refused: user %s (%s) may not block citizens", user_id, actor.role)
        raise NotAllowed()


async def _reporter_case(app: AppContext, report_id: int) -> CaseFile:
    case = await workflow.case_file(app.uow(), report_id)
    if case.citizen_id == privacy.ANONYMOUS_CITIZEN:
        raise InvalidInput("block-anonymous")
    return case


async def block_button(query: CallbackQuery, callback_data: BlockCb, t: Translator,
                       app: AppContext) -> None:
    """Block asks the presser (only them) for a reason; Unblock acts at once."""
    binding = await admin.chat_binding(app.uow(), query.message.chat.id)
    if binding is None or binding.purpose != ChatPurpose.ADMIN:
        raise NotAllowed()
    await _admin(app, query.from_user.id)
    case = await _reporter_case(app, callback_data.report_id)
    if callback_data.action == BlockAction.UNBLOCK:
        await privacy.set_blocked(app.uow(), case.citizen_id, blocked=False, reason=None,
                                  now=app.clock())
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(t("unblock-done", code=case.code))
        return
    user = query.from_user
    mention = f'<a href="tg://user?id={user.id}">{html.quote(user.full_name)}</a>'
    prompt = await query.message.answer(
        t("block-ask", user=mention, code=case.code),
        reply_markup=ForceReply(selective=True, input_field_placeholder=t("ask-placeholder")))
    await app.pending.create(chat_id=prompt.chat.id, prompt_message_id=prompt.message_id,
                             user_id=user.id, report_id=case.id, version=case.version,
                             action=BLOCK_QUESTION)


class BlockReason(Filter):
    """A reply to the bot's question for a blocking reason."""

    async def __call__(self, message: Message, app: AppContext) -> bool | dict:
        replied = message.reply_to_message
        if replied is None or not (replied.from_user and replied.from_user.is_bot):
            return False
        pending = await app.pending.by_prompt(message.chat.id, replied.message_id)
        if pending is None and (message.date - replied.date).total_seconds() < 10:
            # a very quick reply can overtake the question's own bookkeeping: look once more
            await asyncio.sleep(0.3)
            pending = await app.pending.by_prompt(message.chat.id, replied.message_id)
        if pending is None or pending.action != BLOCK_QUESTION:
            return False
        return {"pending": pending}


async def block_reason(message: Message, t: Translator, app: AppContext,
                       pending: PendingInput) -> None:
    """The asked admin's reply with the reason blocks the reporter."""
    if message.from_user.id != pending.user_id:
        await message.reply(t("ask-not-you"))
        return
    if not message.text:
        await message.reply(t("ask-text-needed"))
        return
    await _admin(app, message.from_user.id)
    case = await _reporter_case(app, pending.report_id)
    await privacy.set_blocked(app.uow(), case.citizen_id, blocked=True, reason=message.text,
                              now=app.clock())
    await app.pending.drop_question(pending)
    await message.reply(
        t("block-done", code=case.code, reason=html.quote(message.text[:200])),
        reply_markup=inline_keyboard([(t("btn-unblock-citizen"), BlockCb(
            action=BlockAction.UNBLOCK, report_id=case.id))]))


def create_router() -> Router:
    """Staff groups, before the staff router (whose catch-all says nothing)."""
    router = Router(name=__name__)
    groups = {ChatType.GROUP, ChatType.SUPERGROUP}
    router.message.filter(F.chat.type.in_(groups))
    router.callback_query.filter(F.message.chat.type.in_(groups))
    router.callback_query.register(block_button, BlockCb.filter())
    router.message.register(block_reason, BlockReason())
    return router
