"""A citizen's rights in the chat: see everything held (/data_saya), erase it (/hapus_data),
agree to a new consent text before filing, and the daily limit on new reports."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyKeyboardRemove

from complaints import privacy
from complaints.model import Citizen
from conversations import intake
from presentation.context import AppContext
from presentation.keyboards import inline_keyboard
from presentation.privacy import (
    PrivacyAction,
    PrivacyCb,
    export_document,
    export_summary,
)
from presentation.scopes import private_router
from presentation.texts import Translator, texts_of


async def my_data(message: Message, t: Translator, app: AppContext) -> None:
    """/data_saya: a JSON file with everything held about the sender, and a readable summary."""
    data = await privacy.personal_data(app.uow(), message.from_user.id)
    document = BufferedInputFile(export_document(data, app.clock()),
                                 filename=f"data_saya_{message.from_user.id}.json")
    await message.answer(export_summary(t, data))
    await message.answer_document(document, caption=t("export-caption"))


async def erase_ask(message: Message, t: Translator, app: AppContext) -> None:
    """/hapus_data: say what will happen (which reports are withdrawn) and ask to confirm."""
    plan = await privacy.erasure_plan(app.uow(), message.from_user.id)
    await message.answer(
        t("erase-confirm", reports=plan.total, withdraw=len(plan.withdraw),
          withdraw_codes=", ".join(plan.withdraw), in_agency=len(plan.in_agency),
          agency_codes=", ".join(plan.in_agency)),
        reply_markup=inline_keyboard(
            [(t("btn-erase-yes"), PrivacyCb(action=PrivacyAction.ERASE_YES))],
            [(t("btn-erase-no"), PrivacyCb(action=PrivacyAction.ERASE_NO))]))


async def erase_yes(query: CallbackQuery, state: FSMContext, t: Translator,
                    app: AppContext) -> None:
    """Erase: open reports withdrawn, every report anonymised, profile and draft deleted."""
    await query.message.edit_reply_markup(reply_markup=None)
    await state.clear()
    erased = await privacy.erase_citizen(app.uow, query.from_user.id, now=app.clock(),
                                         calendar=app.settings.calendar)
    app.forget(query.from_user.id)
    await query.message.answer(t("erase-done", withdrawn=len(erased.withdrawn)),
                               reply_markup=ReplyKeyboardRemove())


async def erase_no(query: CallbackQuery, t: Translator) -> None:
    """Keep everything."""
    await query.message.edit_text(t("erase-kept"))


async def before_new_report(message: Message, state: FSMContext, t: Translator,
                            app: AppContext, citizen: Citizen | None) -> None:
    """/lapor: a new consent text is agreed to first, and the daily limit holds; else go on."""
    if await state.get_state() in intake.STATES or citizen is None or not citizen.is_registered:
        raise SkipHandler()  # resuming a draft, or registration first: as before
    if not citizen.consented_to(app.settings.consent_version):
        await message.answer(
            t("reconsent", consent=t("reg-consent")),
            reply_markup=inline_keyboard(
                [(t("btn-agree"), PrivacyCb(action=PrivacyAction.CONSENT_YES)),
                 (t("btn-decline"), PrivacyCb(action=PrivacyAction.CONSENT_NO))]))
        return
    limit = app.settings.daily_report_limit
    if await privacy.reports_today(app.uow(), citizen.telegram_id, app.clock()) >= limit:
        await message.answer(t("daily-limit", max=limit))
        return
    raise SkipHandler()


async def consent_yes(query: CallbackQuery, state: FSMContext, t: Translator,
                      app: AppContext) -> None:
    """The new text is agreed to (time and version recorded); the report begins."""
    await query.message.edit_reply_markup(reply_markup=None)
    citizen = await privacy.record_consent(app.uow(), query.from_user.id,
                                           app.settings.consent_version, app.clock())
    app.remember(citizen)
    await query.message.answer(t("reconsent-done"))
    await intake.start_new(query.message, state, t, app)


async def consent_no(query: CallbackQuery, t: Translator) -> None:
    """No new reports without consent; nothing else changes."""
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t("reconsent-declined"))


def create_router() -> Router:
    """Before the common commands: /lapor passes through the consent and limit checks."""
    router = private_router(__name__)
    router.message.register(my_data, Command("data_saya", "my_data"))
    router.message.register(erase_ask, Command("hapus_data", "erase_data"))
    router.message.register(before_new_report, Command("lapor"))
    router.message.register(before_new_report, F.text.in_(texts_of("menu-report")))
    press = router.callback_query.register
    press(erase_yes, PrivacyCb.filter(F.action == PrivacyAction.ERASE_YES))
    press(erase_no, PrivacyCb.filter(F.action == PrivacyAction.ERASE_NO))
    press(consent_yes, PrivacyCb.filter(F.action == PrivacyAction.CONSENT_YES))
    press(consent_no, PrivacyCb.filter(F.action == PrivacyAction.CONSENT_NO))
    return router
