"""Staff side of anonymous reports and duplicates: "show identity", and returning a report as a
duplicate of another (the admin replies with the original's code to a ForceReply question).

Registered before handlers/staff.py, whose question rows know nothing of the duplicate question.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiogram import F, Router, html
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.callback_answer import CallbackAnswer

from complaints import admin, duplicates, identity, workflow
from complaints.errors import NotAllowed
from complaints.model import Actor, CaseFile, PendingInput, ReturnReason, Role
from presentation.context import AppContext
from presentation.staff_callbacks import ReturnCb
from presentation.texts import Translator
from presentation.trust_callbacks import RevealCb

log = logging.getLogger(__name__)
GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}
ADMINS = {Role.ADMIN, Role.SUPERADMIN}
DUPLICATE = "duplicate"  # the pending question's action


class InBoundChat(Filter):
    """Only chats bound to a purpose; the bot stays silent anywhere else."""

    async def __call__(self, event: Message | CallbackQuery, app: AppContext) -> bool:
        chat = event.chat if isinstance(event, Message) else event.message.chat
        return await admin.chat_binding(app.uow(), chat.id) is not None


async def _admin(app: AppContext, user_id: int) -> Actor:
    actor = await workflow.staff_actor(app.uow(), user_id)
    if actor.role not in ADMINS:
        log.warning("refused: user %s (%s) is not an admin", user_id, actor.role)
        raise NotAllowed()
    return actor


async def reveal(query: CallbackQuery, callback_data: RevealCb, t: Translator, app: AppContext,
                 callback_answer: CallbackAnswer) -> None:
    """The reporter of an anonymous report, to the pressing admin alone (an alert), logged."""
    actor = await workflow.staff_actor(app.uow(), query.from_user.id)
    shown = await identity.show_identity(app.uow(), report_id=callback_data.report_id,
                                         actor=actor, now=app.clock())
    callback_answer.text = t("identity-shown", code=shown.code, name=shown.name or "-",
                             phone=shown.phone or "-")
    callback_answer.show_alert = True


async def ask_original(query: CallbackQuery, callback_data: ReturnCb, t: Translator,
                       app: AppContext) -> None:
    """Return → Duplicate: ask the pressing admin for the original's code, naming near ones."""
    await _admin(app, query.from_user.id)
    case = await workflow.case_file(app.uow(), callback_data.report_id)
    if case.version != callback_data.version:
        raise workflow.already_handled(case)
    user = query.from_user
    mention = f'<a href="tg://user?id={user.id}">{html.quote(user.full_name)}</a>'
    question = t("ask-duplicate", user=mention, code=case.code)
    near = await _near(app, case)
    if near:
        question += "\n" + t("ask-duplicate-nearby", codes=", ".join(near))
    prompt = await query.message.answer(question, reply_markup=ForceReply(
        selective=True, input_field_placeholder="LPR-XXXX-XXXX"))
    await app.pending.create(chat_id=prompt.chat.id, prompt_message_id=prompt.message_id,
                             user_id=user.id, report_id=case.id, version=case.version,
                             action=DUPLICATE)


async def _near(app: AppContext, case: CaseFile) -> list[str]:
    """Codes of open reports like this one near its pin (other reporters'), as a hint."""
    found = await duplicates.similar_reports(
        app.uow(), citizen_id=case.citizen_id, category_key=case.category_key,
        point=case.location, now=app.clock(), radius_m=app.settings.duplicate_radius_m,
        window=timedelta(days=app.settings.duplicate_window_days))
    return [s.report.code for s in found]


class DuplicateReply(Filter):
    """A reply to the bot's "which report is the original?" question."""

    async def __call__(self, message: Message, app: AppContext) -> bool | dict:
        replied = message.reply_to_message
        if replied is None:
            return False
        pending = await app.pending.by_prompt(message.chat.id, replied.message_id)
        return {"pending": pending} if pending and pending.action == DUPLICATE else False


async def original_given(message: Message, t: Translator, app: AppContext,
                         pending: PendingInput) -> None:
    """The admin's reply: return the report as a duplicate; its reporter follows the original."""
    if message.from_user.id != pending.user_id:
        await message.reply(t("ask-not-you"))
        return
    actor = await _admin(app, message.from_user.id)
    result = await duplicates.mark_duplicate(
        app.uow(), report_id=pending.report_id, original_code=message.text or "", actor=actor,
        expected_version=pending.version, now=app.clock(), calendar=app.settings.calendar,
        reason=Translator("id")(f"return-reason-{ReturnReason.DUPLICATE.value}"))
    await app.pending.drop_question(pending)
    await message.reply(t("done-duplicate", code=result.report.code,
                          original=result.report.duplicate_of_code or "-"))


def create_router() -> Router:
    """Staff groups: the reveal button, Return → Duplicate and the reply with the code."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type.in_(GROUPS))
    router.callback_query.filter(F.message.chat.type.in_(GROUPS))
    bound = InBoundChat()
    router.callback_query.register(reveal, RevealCb.filter(), bound)
    router.callback_query.register(
        ask_original, ReturnCb.filter(F.reason == ReturnReason.DUPLICATE), bound)
    router.message.register(original_given, F.text, bound, DuplicateReply())
    return router
