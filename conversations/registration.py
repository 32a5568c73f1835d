"""Registration wizard: consent → name → phone (shared contact or typed) → confirm.

```mermaid
stateDiagram-v2
    [*] --> consent: /start (not registered), /lapor before registering
    consent --> name: Agree
    consent --> [*]: Decline
    name --> phone: valid name
    phone --> confirm: own contact or valid +62/08 number
    confirm --> [*]: Confirm (registered)
    confirm --> name: Edit
    [*] --> name: /profil → Edit
```
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from complaints import services
from complaints.model import Citizen
from complaints.validation import clean_name, clean_phone
from presentation.callbacks import RegAction, RegistrationCb
from presentation.context import AppContext
from presentation.keyboards import main_menu
from presentation.scopes import private_router
from presentation.texts import Translator


class Registration(StatesGroup):
    consent = State()
    name = State()
    phone = State()
    confirm = State()


ORDER = [Registration.consent, Registration.name, Registration.phone, Registration.confirm]


def _buttons(*rows: list[tuple[str, RegAction]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=RegistrationCb(action=a).pack())
         for text, a in row]
        for row in rows
    ])


async def begin(message: Message, state: FSMContext, t: Translator, *, then_report: bool) -> None:
    """Ask for consent: nothing personal is stored before the citizen agrees."""
    await state.set_state(Registration.consent)
    await state.set_data({"then_report": then_report})
    await prompt(message, Registration.consent.state, t, {})


async def begin_edit(message: Message, state: FSMContext, t: Translator, citizen: Citizen) -> None:
    """Edit the profile: consent already given, straight to the name."""
    consent = citizen.consent_at.isoformat() if citizen.consent_at else None
    await state.set_state(Registration.name)
    await state.set_data({"consent_at": consent, "then_report": False})
    await prompt(message, Registration.name.state, t, {})


async def prompt(message: Message, step: str | None, t: Translator, data: dict) -> None:
    """Show the step's question with its keyboard (also used to re-prompt)."""
    if step == Registration.consent.state:
        await message.answer(t("reg-consent"), reply_markup=_buttons(
            [(t("btn-agree"), RegAction.AGREE), (t("btn-decline"), RegAction.DECLINE)]))
    elif step == Registration.name.state:
        await message.answer(t("reg-ask-name"), reply_markup=ReplyKeyboardRemove())
    elif step == Registration.phone.state:
        await message.answer(t("reg-ask-phone"), reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=t("btn-share-phone"), request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True))
    elif step == Registration.confirm.state:
        await message.answer(
            t("reg-confirm", name=html.quote(data["name"]), phone=data["phone"]),
            reply_markup=_buttons([(t("btn-confirm"), RegAction.CONFIRM),
                                   (t("btn-edit"), RegAction.EDIT)]))


async def consent_given(query: CallbackQuery, state: FSMContext, t: Translator,
                        app: AppContext) -> None:
    """Consent is recorded with its time; then the name."""
    await query.message.edit_reply_markup(reply_markup=None)
    await state.update_data(consent_at=app.clock().isoformat())
    await state.set_state(Registration.name)
    await prompt(query.message, Registration.name.state, t, {})


async def consent_refused(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    """Without consent nothing is stored."""
    await query.message.edit_reply_markup(reply_markup=None)
    await state.clear()
    await query.message.answer(t("reg-declined"))


async def got_name(message: Message, state: FSMContext, t: Translator) -> None:
    """A valid name moves on to the phone number."""
    await state.update_data(name=clean_name(message.text))
    await state.set_state(Registration.phone)
    await prompt(message, Registration.phone.state, t, {})


async def got_contact(message: Message, state: FSMContext, t: Translator) -> None:
    """A shared contact counts only when it is the sender's own."""
    contact = message.contact
    if contact.user_id != message.from_user.id:
        await message.answer(t("error-contact-not-own"))
        return
    number = contact.phone_number
    await _store_phone(message, state, t, number if number.startswith("+") else f"+{number}")


async def got_typed_phone(message: Message, state: FSMContext, t: Translator) -> None:
    """A typed number must be an Indonesian one (+62… or 08…)."""
    await _store_phone(message, state, t, message.text)


async def _store_phone(message: Message, state: FSMContext, t: Translator, raw: str) -> None:
    data = await state.update_data(phone=clean_phone(raw))
    await state.set_state(Registration.confirm)
    await message.answer(t("reg-phone-ok"), reply_markup=ReplyKeyboardRemove())
    await prompt(message, Registration.confirm.state, t, data)


async def confirmed(query: CallbackQuery, state: FSMContext, t: Translator,
                    app: AppContext) -> None:
    """Store the registration; continue to the complaint if that is what brought them here."""
    data = await state.get_data()
    now = app.clock()
    consent = datetime.fromisoformat(data["consent_at"]) if data.get("consent_at") else now
    app.remember(await services.register_citizen(
        app.uow(), query.from_user.id, name=data["name"], phone=data["phone"],
        language=t.language, consent_at=consent, now=now))
    await query.message.edit_reply_markup(reply_markup=None)
    await state.clear()
    await query.message.answer(t("reg-done", name=html.quote(data["name"])),
                               reply_markup=main_menu(t))
    if data.get("then_report"):
        from conversations import intake

        await intake.start_new(query.message, state, t, app)


async def edit_profile(query: CallbackQuery, state: FSMContext, t: Translator,
                       citizen: Citizen | None) -> None:
    """Edit from the confirmation or from /profil."""
    await query.message.edit_reply_markup(reply_markup=None)
    if await state.get_state() == Registration.confirm.state:
        await state.set_state(Registration.name)
        await prompt(query.message, Registration.name.state, t, {})
    elif citizen is not None and citizen.is_registered:
        await begin_edit(query.message, state, t, citizen)


async def back(message: Message, state: FSMContext, t: Translator) -> None:
    """One step back: phone → name, confirm → phone."""
    current = await state.get_state()
    previous = ORDER[[s.state for s in ORDER].index(current) - 1]
    await state.set_state(previous)
    await prompt(message, previous.state, t, await state.get_data())


async def cancel(message: Message, state: FSMContext, t: Translator,
                 citizen: Citizen | None) -> None:
    """Leave registration; an existing profile stays as it was."""
    await state.clear()
    registered = citizen is not None and citizen.is_registered
    await message.answer(t("reg-cancelled"),
                         reply_markup=main_menu(t) if registered else ReplyKeyboardRemove())


async def reprompt(message: Message, state: FSMContext, t: Translator) -> None:
    """Anything else at a registration step: say what the step expects."""
    step = await state.get_state()
    hint = {
        Registration.consent.state: "hint-reg-consent",
        Registration.name.state: "hint-reg-name",
        Registration.phone.state: "hint-reg-phone",
        Registration.confirm.state: "hint-reg-confirm",
    }[step]
    await message.answer(t(hint))
    await prompt(message, step, t, await state.get_data())


def _on(action: RegAction) -> Any:
    return RegistrationCb.filter(F.action == action)


def create_router() -> Router:
    """The wizard's graph in one place: per state, its step handlers, then the catch-all."""
    router = private_router(__name__)
    steps, text = StateFilter(*ORDER), F.text & ~F.text.startswith("/")
    msg, press = router.message.register, router.callback_query.register
    msg(cancel, Command("batal"), steps)
    msg(back, Command("kembali"), StateFilter(Registration.phone, Registration.confirm))
    press(consent_given, Registration.consent, _on(RegAction.AGREE))
    press(consent_refused, Registration.consent, _on(RegAction.DECLINE))
    msg(got_name, Registration.name, text)
    msg(got_contact, Registration.phone, F.contact)
    msg(got_typed_phone, Registration.phone, text)
    press(confirmed, Registration.confirm, _on(RegAction.CONFIRM))
    press(edit_profile, _on(RegAction.EDIT))
    msg(reprompt, steps)
    return router
