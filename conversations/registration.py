"""Registration wizard: consent → name → phone (shared contact or typed) → confirm.

The graph is drawn from `WIZARD` (see conversations/README.md).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from complaints import services
from complaints.model import Citizen
from complaints.validation import clean_name, clean_phone
from conversations.drafts import RegistrationDraft
from conversations.steps import END, TEXT, Input, Markup, Step, Wizard
from presentation.callbacks import RegAction, RegistrationCb
from presentation.context import AppContext
from presentation.keyboards import inline_keyboard, main_menu
from presentation.scopes import private_router
from presentation.texts import Translator


class Registration(StatesGroup):
    consent = State()
    name = State()
    phone = State()
    confirm = State()


def _on(action: RegAction) -> Any:
    return RegistrationCb.filter(F.action == action)


# ---------------------------------------------------------------- keyboards of the rows


async def _consent_keyboard(t: Translator, draft: RegistrationDraft, app: Any) -> Markup:
    return inline_keyboard([(t("btn-agree"), RegistrationCb(action=RegAction.AGREE)),
                            (t("btn-decline"), RegistrationCb(action=RegAction.DECLINE))])


async def _phone_keyboard(t: Translator, draft: RegistrationDraft, app: Any) -> Markup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("btn-share-phone"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True)


async def _confirm_keyboard(t: Translator, draft: RegistrationDraft, app: Any) -> Markup:
    return inline_keyboard([(t("btn-confirm"), RegistrationCb(action=RegAction.CONFIRM)),
                            (t("btn-edit"), RegistrationCb(action=RegAction.EDIT))])


def _confirm_args(draft: RegistrationDraft) -> dict[str, Any]:
    return {"name": html.quote(draft.name or ""), "phone": draft.phone}


# ---------------------------------------------------------------- what the rows take


async def _agreed(query: CallbackQuery, draft: RegistrationDraft, *, app: AppContext,
                  **_: Any) -> RegistrationDraft:
    """Consent is recorded with its time; then the name."""
    await query.message.edit_reply_markup(reply_markup=None)
    return replace(draft, consent_at=app.clock(), consent_version=app.settings.consent_version)


async def _named(message: Message, draft: RegistrationDraft, **_: Any) -> RegistrationDraft:
    """A valid name (2–100 letters and name punctuation) moves on to the phone number."""
    return replace(draft, name=clean_name(message.text))


async def _shared_contact(message: Message, draft: RegistrationDraft, *, t: Translator,
                          **_: Any) -> RegistrationDraft | None:
    """A shared contact counts only when it is the sender's own."""
    contact = message.contact
    if contact.user_id != message.from_user.id:
        await message.answer(t("error-contact-not-own"))
        return None
    number = contact.phone_number
    return await _phone(message, draft, t, number if number.startswith("+") else f"+{number}")


async def _typed_phone(message: Message, draft: RegistrationDraft, *, t: Translator,
                       **_: Any) -> RegistrationDraft:
    """A typed number must be an Indonesian one (+62… or 08…)."""
    return await _phone(message, draft, t, message.text)


async def _phone(message: Message, draft: RegistrationDraft, t: Translator,
                 raw: str) -> RegistrationDraft:
    """The number is taken: the share button goes away before the confirmation."""
    draft = replace(draft, phone=clean_phone(raw))
    await message.answer(t("reg-phone-ok"), reply_markup=ReplyKeyboardRemove())
    return draft


async def consent_refused(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    """Without consent nothing is stored."""
    await query.message.edit_reply_markup(reply_markup=None)
    await state.clear()
    await query.message.answer(t("reg-declined"))


async def confirmed(query: CallbackQuery, state: FSMContext, t: Translator,
                    app: AppContext) -> None:
    """Store the registration; continue to the complaint if that is what brought them here."""
    draft: RegistrationDraft = await WIZARD.load(state)
    now = app.clock()
    app.remember(await services.register_citizen(
        app.uow(), query.from_user.id, name=draft.name, phone=draft.phone,
        language=t.language, consent_at=draft.consent_at or now, now=now,
        consent_version=draft.consent_version or app.settings.consent_version))
    await query.message.edit_reply_markup(reply_markup=None)
    await state.clear()
    await query.message.answer(t("reg-done", name=html.quote(draft.name or "")),
                               reply_markup=main_menu(t))
    if draft.then_report:
        from conversations import intake

        await intake.start_new(query.message, state, t, app)


async def _edit_again(query: CallbackQuery, draft: RegistrationDraft,
                      **_: Any) -> RegistrationDraft:
    """Edit from the confirmation: the name again, then the phone."""
    await query.message.edit_reply_markup(reply_markup=None)
    return draft


WIZARD = Wizard(
    draft=RegistrationDraft,
    entries=((Registration.consent, "/start (not registered), /lapor before registering"),
             (Registration.name, "/profil → Edit profile")),
    steps=(
        Step(Registration.consent, "reg-consent", "hint-reg-consent", _consent_keyboard,
             next=Registration.name, inputs=(
                 Input("Agree", (_on(RegAction.AGREE),), take=_agreed, press=True),
                 Input("Decline (nothing stored)", (_on(RegAction.DECLINE),),
                       handle=consent_refused, to=END, press=True))),
        Step(Registration.name, "reg-ask-name", "hint-reg-name", next=Registration.phone,
             inputs=(Input("valid name (2–100 letters and name punctuation)", (TEXT,),
                           take=_named),)),
        Step(Registration.phone, "reg-ask-phone", "hint-reg-phone", _phone_keyboard,
             next=Registration.confirm, back=Registration.name, inputs=(
                 Input("own shared contact", (F.contact,), take=_shared_contact),
                 Input("typed +62…/08…", (TEXT,), take=_typed_phone))),
        Step(Registration.confirm, "reg-confirm", "hint-reg-confirm", _confirm_keyboard,
             args=_confirm_args, back=Registration.phone, inputs=(
                 Input("Confirm (registered; continues to the report if it began with /lapor)",
                       (_on(RegAction.CONFIRM),), handle=confirmed, to=END, press=True),
                 Input("Edit", (_on(RegAction.EDIT),), take=_edit_again, to=Registration.name,
                       press=True))),
    ),
)


async def begin(message: Message, state: FSMContext, t: Translator, *, then_report: bool) -> None:
    """Ask for consent: nothing personal is stored before the citizen agrees."""
    draft = RegistrationDraft(then_report=then_report)
    await WIZARD.go(message, state, t, None, Registration.consent, draft)


async def begin_edit(message: Message, state: FSMContext, t: Translator, citizen: Citizen) -> None:
    """Edit the profile: consent already given (to its version), straight to the name."""
    draft = RegistrationDraft(consent_at=citizen.consent_at,
                              consent_version=citizen.consent_version)
    await WIZARD.go(message, state, t, None, Registration.name, draft)


async def edit_profile(query: CallbackQuery, state: FSMContext, t: Translator,
                       citizen: Citizen | None) -> None:
    """/profil's Edit button: the profile's name, then the phone (outside the wizard)."""
    await query.message.edit_reply_markup(reply_markup=None)
    if citizen is not None and citizen.is_registered:
        await begin_edit(query.message, state, t, citizen)


async def cancel(message: Message, state: FSMContext, t: Translator,
                 citizen: Citizen | None) -> None:
    """Leave registration; an existing profile stays as it was."""
    await state.clear()
    registered = citizen is not None and citizen.is_registered
    await message.answer(t("reg-cancelled"),
                         reply_markup=main_menu(t) if registered else ReplyKeyboardRemove())


def create_router() -> Router:
    """/batal anywhere in the wizard, then the table's handlers and catch-all."""
    router = private_router(__name__)
    router.message.register(cancel, Command("batal"), StateFilter(*WIZARD.states))
    WIZARD.register(router)
    router.callback_query.register(edit_profile, _on(RegAction.EDIT))
    return router
