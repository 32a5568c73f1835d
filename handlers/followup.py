"""A citizen's follow-ups on their own reports: fix and resend, withdraw, rate, "not fixed"."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from complaints import workflow
from complaints.lifecycle import Action
from complaints.model import Actor, ReportStatus, Role
from conversations import intake
from presentation.context import AppContext
from presentation.keyboards import inline_keyboard, main_menu
from presentation.scopes import private_router
from presentation.staff_callbacks import CitizenAction, CitizenCb, RateCb
from presentation.texts import Translator


class Followup(StatesGroup):
    rating_comment = State()
    not_fixed = State()


def _citizen(query: CallbackQuery | Message) -> Actor:
    user = query.from_user
    return Actor(user.id, Role.CITIZEN, user.full_name)


async def fix_and_resend(query: CallbackQuery, callback_data: CitizenCb, state: FSMContext,
                         t: Translator, app: AppContext) -> None:
    """Open the returned report in the wizard's review, to edit and send again."""
    case = await workflow.citizen_case(app.uow(), query.from_user.id, callback_data.report_id)
    if case.status != ReportStatus.RETURNED:
        raise workflow.already_handled(case)
    await query.message.edit_reply_markup(reply_markup=None)
    await intake.open_for_resubmit(query.message, state, t, app, case)


async def withdraw_ask(query: CallbackQuery, callback_data: CitizenCb, t: Translator) -> None:
    """Withdrawing cannot be undone: ask first."""
    rid = callback_data.report_id
    await query.message.answer(t("withdraw-confirm"), reply_markup=inline_keyboard(
        [(t("btn-withdraw-yes"), CitizenCb(action=CitizenAction.WITHDRAW_YES, report_id=rid)),
         (t("btn-withdraw-no"), CitizenCb(action=CitizenAction.WITHDRAW_NO, report_id=rid))]))


async def withdraw_yes(query: CallbackQuery, callback_data: CitizenCb, t: Translator,
                       app: AppContext) -> None:
    """Withdraw a report still SUBMITTED or RETURNED."""
    case = await workflow.citizen_case(app.uow(), query.from_user.id, callback_data.report_id)
    if case.status != ReportStatus.WITHDRAWN:  # else: this press replayed, withdrawn already
        await workflow.act(app.uow(), report_id=case.id, action=Action.WITHDRAW,
                           actor=_citizen(query), expected_version=case.version,
                           now=app.clock(), calendar=app.settings.calendar,
                           sla=app.settings.sla)
    await query.message.edit_text(t("withdrawn", code=case.code))


async def withdraw_no(query: CallbackQuery, t: Translator) -> None:
    """Keep the report."""
    await query.message.edit_text(t("withdraw-kept"))


async def rate(query: CallbackQuery, callback_data: RateCb, state: FSMContext, t: Translator,
               app: AppContext) -> None:
    """Stars first, then an optional comment (required words when it is 2 or less)."""
    case = await workflow.citizen_case(app.uow(), query.from_user.id, callback_data.report_id)
    if case.status != ReportStatus.CLOSED or case.rating is not None:
        raise workflow.already_handled(case)
    stars = max(1, min(5, callback_data.stars))
    await query.message.edit_reply_markup(reply_markup=None)
    await state.set_state(Followup.rating_comment)
    await state.set_data({"report_id": case.id, "stars": stars})
    low = stars <= 2
    await query.message.answer(
        t("rating-ask-low" if low else "rating-ask-comment", stars="⭐" * stars),
        reply_markup=None if low else inline_keyboard([(t("btn-skip-comment"), CitizenCb(
            action=CitizenAction.SKIP_COMMENT, report_id=case.id))]))


async def rating_comment(message: Message, state: FSMContext, t: Translator,
                         app: AppContext) -> None:
    """The comment (or the words about what is still wrong)."""
    await _finish_rating(message, state, t, app, message.text)


async def skip_comment(query: CallbackQuery, state: FSMContext, t: Translator,
                       app: AppContext) -> None:
    """No comment."""
    await query.message.edit_reply_markup(reply_markup=None)
    await _finish_rating(query.message, state, t, app, None)


async def _finish_rating(message: Message, state: FSMContext, t: Translator, app: AppContext,
                         comment: str | None) -> None:
    data = await state.get_data()
    case = await workflow.rate(app.uow(), citizen_id=message.chat.id,
                               report_id=data["report_id"], stars=data["stars"],
                               comment=comment, now=app.clock(), calendar=app.settings.calendar,
                               sla=app.settings.sla)
    await state.clear()
    reopened = case.status == ReportStatus.SUBMITTED
    await message.answer(t("rating-reopened" if reopened else "rating-thanks", code=case.code),
                         reply_markup=main_menu(t))


async def not_fixed_ask(query: CallbackQuery, callback_data: CitizenCb, state: FSMContext,
                        t: Translator, app: AppContext) -> None:
    """"Not fixed": ask what is still wrong, then reopen."""
    case = await workflow.citizen_case(app.uow(), query.from_user.id, callback_data.report_id)
    if case.status != ReportStatus.CLOSED:
        raise workflow.already_handled(case)
    await state.set_state(Followup.not_fixed)
    await state.set_data({"report_id": case.id})
    await query.message.answer(t("not-fixed-ask", code=case.code))


async def not_fixed_words(message: Message, state: FSMContext, t: Translator,
                          app: AppContext) -> None:
    """Reopen with the citizen's words."""
    data = await state.get_data()
    case = await workflow.not_fixed(app.uow(), citizen_id=message.from_user.id,
                                    report_id=data["report_id"], words=message.text,
                                    now=app.clock(), calendar=app.settings.calendar,
                                    sla=app.settings.sla)
    await state.clear()
    await message.answer(t("rating-reopened", code=case.code), reply_markup=main_menu(t))


async def text_needed(message: Message, t: Translator) -> None:
    """A sticker or photo where words are asked for."""
    await message.answer(t("followup-text-needed"))


def create_router() -> Router:
    """Citizen follow-up buttons and the two short follow-up questions."""
    router = private_router(__name__)
    press, msg = router.callback_query.register, router.message.register
    text = F.text & ~F.text.startswith("/")
    press(fix_and_resend, CitizenCb.filter(F.action == CitizenAction.FIX))
    press(withdraw_ask, CitizenCb.filter(F.action == CitizenAction.WITHDRAW_ASK))
    press(withdraw_yes, CitizenCb.filter(F.action == CitizenAction.WITHDRAW_YES))
    press(withdraw_no, CitizenCb.filter(F.action == CitizenAction.WITHDRAW_NO))
    press(rate, RateCb.filter())
    press(skip_comment, Followup.rating_comment,
          CitizenCb.filter(F.action == CitizenAction.SKIP_COMMENT))
    press(not_fixed_ask, CitizenCb.filter(F.action == CitizenAction.NOT_FIXED))
    msg(rating_comment, Followup.rating_comment, text)
    msg(not_fixed_words, Followup.not_fixed, text)
    msg(text_needed, StateFilter(Followup.rating_comment, Followup.not_fixed), ~F.text)
    return router
