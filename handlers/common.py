"""Citizen commands that work anywhere, even in the middle of a wizard (the draft is kept)."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Message,
    ReplyKeyboardRemove,
)

from complaints import services
from complaints.model import CaseFile, Citizen, ReportStatus
from complaints.tracking import normalize_tracking_code
from conversations import intake, registration, trust
from presentation.callbacks import Lang, LanguageCb, RegAction, RegistrationCb
from presentation.cards import LIFECYCLE_ACTIONS
from presentation.context import AppContext
from presentation.keyboards import inline_keyboard, main_menu
from presentation.scopes import private_router
from presentation.staff_callbacks import CitizenAction, CitizenCb
from presentation.texts import Translator, texts_of


def _registered(citizen: Citizen | None) -> bool:
    return citizen is not None and citizen.is_registered


async def start_in_draft(message: Message, state: FSMContext, t: Translator,
                         app: AppContext) -> None:
    """/start while filing: keep the draft, say where we are."""
    await intake.remind(message, state, t, app)


async def start(message: Message, state: FSMContext, t: Translator,
                citizen: Citizen | None) -> None:
    """Greet; unregistered citizens go through consent and registration first."""
    if _registered(citizen):
        await state.clear()
        await message.answer(t("welcome-back", name=html.quote(citizen.name)),
                             reply_markup=main_menu(t))
        return
    await message.answer(t("welcome"), reply_markup=ReplyKeyboardRemove())
    await registration.begin(message, state, t, then_report=False)


async def new_report(message: Message, state: FSMContext, t: Translator, app: AppContext,
                     citizen: Citizen | None) -> None:
    """File a complaint: register first if needed, offer to resume an existing draft."""
    if await state.get_state() in intake.STATES:
        await intake.offer_resume(message, t)
    elif not _registered(citizen):
        await message.answer(t("error-not-registered"))
        await registration.begin(message, state, t, then_report=True)
    else:
        await intake.start_new(message, state, t, app)


async def status(message: Message, state: FSMContext, t: Translator, app: AppContext,
                 command: CommandObject | None = None) -> None:
    """List the citizen's own reports, or one with its timeline (/status CODE)."""
    if command is not None and command.args:
        code = normalize_tracking_code(command.args)
        if code is None:
            await message.answer(t("error-code-format"))
        else:
            case = await services.get_my_report(app.uow(), message.from_user.id, code)
            text = await _report_text(app, t, case)
            markup = None
            if case.status in (ReportStatus.SUBMITTED, ReportStatus.RETURNED):
                markup = inline_keyboard([(t("btn-withdraw"), CitizenCb(
                    action=CitizenAction.WITHDRAW_ASK, report_id=case.id))])
            await message.answer(text, reply_markup=markup, disable_web_page_preview=True)
    else:
        reports = await services.list_my_reports(app.uow(), message.from_user.id)
        if not reports:
            await message.answer(t("status-none"))
        else:
            lines = [t("status-line", code=r.code, status=t(f"status-{r.status.value}"),
                       date=t.date(r.created_at)) for r in reports[:20]]
            await message.answer(t("status-list", count=len(reports), lines="\n".join(lines)))
    await intake.remind(message, state, t, app)


async def _report_text(app: AppContext, t: Translator, report: CaseFile) -> str:
    names = await app.names()
    timeline = "\n".join(
        t("timeline-line", at=t.datetime(e.at), status=t(f"status-{e.to_status.value}"),
          note=html.quote(e.note) if e.note else "-")
        for e in report.events if e.action in LIFECYCLE_ACTIONS  # not staff's own log lines
    )
    flags = trust.flag_lines(t, report.anonymous, report.confidential)
    return "".join(f"{line}\n" for line in flags) + t(
        "status-detail", code=report.code, status=t(f"status-{report.status.value}"),
        category=html.quote(names.category(t, report.category_key)),
        description=html.quote(report.description), photos=len(report.photos),
        map_url=html.quote(report.location.map_url),
        address=html.quote(report.address or report.landmark or "-"),
        created=t.datetime(report.created_at),
        due=t.date(report.verify_due) if report.verify_due else "-", timeline=timeline,
    )


async def profile(message: Message, state: FSMContext, t: Translator, app: AppContext,
                  citizen: Citizen | None) -> None:
    """Show the stored profile with an Edit button."""
    if not _registered(citizen):
        await message.answer(t("profile-none"))
        return
    await message.answer(
        t("profile", name=html.quote(citizen.name), phone=citizen.phone,
          since=t.date(citizen.consent_at)),
        reply_markup=inline_keyboard(
            [(t("btn-edit-profile"), RegistrationCb(action=RegAction.EDIT))]))
    await intake.remind(message, state, t, app)


async def choose_language(message: Message, t: Translator) -> None:
    """Offer both languages."""
    await message.answer(t("language-choose"), reply_markup=inline_keyboard(
        [("🇮🇩 Bahasa Indonesia", LanguageCb(lang=Lang.ID)),
         ("🇬🇧 English", LanguageCb(lang=Lang.EN))]))


async def language_chosen(query: CallbackQuery, callback_data: LanguageCb, state: FSMContext,
                          app: AppContext, citizen: Citizen | None) -> None:
    """Switch and answer in the new language straight away."""
    updated = await services.set_language(app.uow(), query.from_user.id,
                                          callback_data.lang.value, app.clock())
    app.remember(updated)
    t = Translator(updated.language, app.settings.zone)
    await query.message.edit_text(t("language-set"))
    registered = _registered(citizen)
    await query.message.answer(t("menu-hint") if registered else t("language-next"),
                               reply_markup=main_menu(t) if registered else None)
    await intake.remind(query.message, state, t, app)


async def help_(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """What the service is and the commands."""
    await message.answer(t("help"))
    await intake.remind(message, state, t, app)


def create_router() -> Router:
    """A fresh router with every handler, in priority order (one per Dispatcher)."""
    router = private_router(__name__)
    router.message.register(start_in_draft, CommandStart(), StateFilter(*intake.ORDER))
    router.message.register(start, CommandStart())
    router.message.register(new_report, F.text.in_(texts_of("menu-report")))
    router.message.register(new_report, Command("lapor"))
    router.message.register(status, F.text.in_(texts_of("menu-my-reports")))
    router.message.register(status, Command("status"))
    router.message.register(profile, F.text.in_(texts_of("menu-profile")))
    router.message.register(profile, Command("profil"))
    router.message.register(choose_language, Command("bahasa", "language"))
    router.callback_query.register(language_chosen, LanguageCb.filter())
    router.message.register(help_, F.text.in_(texts_of("menu-help")))
    router.message.register(help_, Command("help", "bantuan"))
    return router
