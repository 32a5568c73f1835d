"""Complaint wizard: photos → location → landmark → description → category → review → send.

The graph is drawn from `WIZARD` (see conversations/README.md).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from html import unescape
from typing import Any

from aiogram import F, Router, html
from aiogram.filters import Command, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.callback_answer import CallbackAnswer

from complaints import services, workflow
from complaints.lifecycle import Action
from complaints.model import Actor, CaseFile, GeoPoint, PhotoKind, Role
from complaints.validation import (
    MAX_PHOTOS,
    check_in_area,
    clean_description,
    clean_landmark,
)
from conversations import trust
from conversations.drafts import IntakeDraft
from conversations.steps import END, TEXT, Input, Markup, Step, Wizard
from presentation.callbacks import CategoryCb, IntakeAction, IntakeCb
from presentation.context import AppContext
from presentation.keyboards import inline_keyboard, main_menu
from presentation.media import already_has, picture_of
from presentation.scopes import private_router
from presentation.texts import Translator, texts_of
from presentation.trust_callbacks import FlagCb, JoinCb


class Intake(StatesGroup):
    photos = State()
    location = State()
    landmark = State()
    description = State()
    category = State()
    duplicates = State()
    review = State()


PICTURE = F.photo | F.document


def _act(action: IntakeAction) -> IntakeCb:
    return IntakeCb(action=action)


def _on(action: IntakeAction) -> Any:
    return IntakeCb.filter(F.action == action)


# ---------------------------------------------------------------- keyboards of the rows


async def _photos_keyboard(t: Translator, draft: IntakeDraft, app: AppContext) -> Markup:
    """Done only while editing the photos from the review (and some came in)."""
    if draft.editing and draft.photos:
        return inline_keyboard([(t("btn-photos-done"), _act(IntakeAction.PHOTOS_DONE))])
    return ReplyKeyboardRemove()


def _photos_args(draft: IntakeDraft) -> dict[str, Any]:
    return {"max": MAX_PHOTOS, "count": len(draft.photos)}


def _location_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("btn-send-location"), request_location=True)]],
        resize_keyboard=True)


async def _ask_location(t: Translator, draft: IntakeDraft, app: AppContext) -> Markup:
    return _location_keyboard(t)


async def _skip_keyboard(t: Translator, draft: IntakeDraft, app: AppContext) -> Markup:
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=t("btn-skip"))]],
                               resize_keyboard=True, one_time_keyboard=True)


async def _categories(t: Translator, draft: IntakeDraft, app: AppContext) -> Markup:
    names = tuple((c.name(t.language), c.key) for c in await app.categories())
    return _category_keyboard(names)


@lru_cache(maxsize=16)
def _category_keyboard(names: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup:
    """Built once per language and list: a dozen buttons of pydantic models each time cost."""
    buttons = [(name, CategoryCb(key=key)) for name, key in names]
    return inline_keyboard(*[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


# ---------------------------------------------------------------- the review


async def _summary(t: Translator, draft: IntakeDraft, app: AppContext) -> str:
    categories = (await app.names()).categories
    category = categories.get(draft.category)
    point = GeoPoint(*draft.location)
    return t(
        "intake-review",
        photos=len(draft.photos),
        latitude=f"{point.latitude:.5f}", longitude=f"{point.longitude:.5f}",
        map_url=html.quote(point.map_url),
        landmark=html.quote(draft.landmark or "-"),
        category=html.quote(category.name(t.language) if category else draft.category),
        description=html.quote(draft.description),
    )


def _edit_buttons(t: Translator) -> InlineKeyboardMarkup:
    return inline_keyboard(
        [(t("btn-edit-photos"), _act(IntakeAction.EDIT_PHOTOS)),
         (t("btn-edit-location"), _act(IntakeAction.EDIT_LOCATION))],
        [(t("btn-edit-description"), _act(IntakeAction.EDIT_DESCRIPTION)),
         (t("btn-edit-category"), _act(IntakeAction.EDIT_CATEGORY))],
        [(t("btn-back-to-review"), _act(IntakeAction.BACK_TO_REVIEW))],
    )


async def _show_review(message: Message, t: Translator, draft: IntakeDraft,
                       app: AppContext) -> None:
    """One summary: the first photo with everything as caption (text + photo when too long)."""
    summary = await _summary(t, draft, app)
    first = draft.photos[0]
    send_photo = (message.answer_document if first["kind"] == PhotoKind.DOCUMENT
                  else message.answer_photo)
    if len(plain_text(summary)) <= 1024:
        await send_photo(first["file_id"], caption=summary,
                         reply_markup=trust.review_keyboard(t, draft))
    else:
        await send_photo(first["file_id"], caption=t("intake-review-photo"))
        await message.answer(summary, reply_markup=trust.review_keyboard(t, draft),
                             disable_web_page_preview=True)


def plain_text(text: str) -> str:
    """Telegram counts a caption's length without its HTML tags."""
    return unescape(re.sub(r"<[^>]+>", "", text))


# ---------------------------------------------------------------- what the rows take


async def got_photo(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Photos of an album arrive one by one (in order): one progress message, edited."""
    photo = picture_of(message)
    if photo is None:
        await message.answer(t("hint-photo-not-image"))
        return
    draft: IntakeDraft = await WIZARD.load(state)
    if already_has(draft.photos, photo):
        return  # this update again, after a crash that kept the step (Redis state)
    album = message.media_group_id
    if len(draft.photos) >= MAX_PHOTOS:
        if album is None or draft.overflow_album != album:
            await message.answer(t("intake-photos-full", max=MAX_PHOTOS))
        await WIZARD.save(state, replace(draft, overflow_album=album), app)
        return
    photos = (*draft.photos, photo)
    received = t("intake-photos-received", count=len(photos), max=MAX_PHOTOS)
    if draft.editing:
        text = f"{received}\n{t('intake-photos-more')}"
        markup: Any = inline_keyboard([(t("btn-photos-done"), _act(IntakeAction.PHOTOS_DONE))])
    else:
        text = f"{received}\n\n{t('intake-location')}"
        markup = _location_keyboard(t)
        await state.set_state(Intake.location)
    progress = draft.progress_msg
    if album is not None and album == draft.album and progress:
        await message.bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=progress,
            reply_markup=markup if draft.editing else None)
    else:
        progress = (await message.answer(text, reply_markup=markup)).message_id
    await WIZARD.save(state, replace(draft, photos=photos, album=album, progress_msg=progress),
                      app)


async def _photos_done(query: CallbackQuery, draft: IntakeDraft, *, t: Translator,
                       **_: Any) -> IntakeDraft | None:
    """Editing the photos is finished: back to the review (if any photo came in)."""
    if not draft.photos:
        await query.message.answer(t("hint-photos"))
        return None
    await query.message.edit_reply_markup(reply_markup=None)
    return draft


async def _located(message: Message, draft: IntakeDraft, *, app: AppContext,
                   **_: Any) -> IntakeDraft:
    """A pin (or venue, or a live location's first point) inside the city."""
    point = check_in_area(GeoPoint(message.location.latitude, message.location.longitude),
                          app.settings.area)
    return replace(draft, location=(point.latitude, point.longitude), landmark=None)


async def _landmark(message: Message, draft: IntakeDraft, **_: Any) -> IntakeDraft:
    """An optional landmark; the Skip button leaves it empty."""
    skipped = message.text.strip() in texts_of("btn-skip")
    return replace(draft, landmark=None if skipped else clean_landmark(message.text))


async def _described(message: Message, draft: IntakeDraft, **_: Any) -> IntakeDraft:
    """What happened, 20–2,000 characters."""
    return replace(draft, description=clean_description(message.text))


async def _categorised(query: CallbackQuery, draft: IntakeDraft, *, t: Translator,
                       app: AppContext, callback_data: CategoryCb,
                       callback_answer: CallbackAnswer, **_: Any) -> IntakeDraft | None:
    """A category from the offered list (a forged key is refused)."""
    category = (await app.names()).categories.get(callback_data.key)
    if category is None:
        callback_answer.text, callback_answer.show_alert = t("error-category-unknown"), True
        return None
    await query.message.edit_text(
        t("intake-category-chosen", category=html.quote(category.name(t.language))))
    return replace(draft, category=category.key)


async def categorised(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext,
                      callback_data: CategoryCb, callback_answer: CallbackAnswer) -> None:
    """The category; then "is it one of these?" when open reports like it lie near the pin."""
    draft = await _categorised(query, await WIZARD.load(state), t=t, app=app,
                               callback_data=callback_data, callback_answer=callback_answer)
    if draft is None:
        return
    found = await trust.similar(app, query.from_user.id, draft)
    draft = replace(draft, offered=tuple(s.report.id for s in found))
    if found:
        await WIZARD.go(query.message, state, t, app, Intake.duplicates, draft)
    else:
        await WIZARD.advance(query.message, state, t, app, WIZARD.step(Intake.category.state),
                             draft)


async def joined(query: CallbackQuery, callback_data: JoinCb, state: FSMContext, t: Translator,
                 app: AppContext, callback_answer: CallbackAnswer) -> None:
    """Follow one of the offered reports, or go on to the review with a new one."""
    draft = await WIZARD.load(state)
    if callback_data.report_id:
        await trust.join(query, state, t, app, draft, callback_data.report_id, callback_answer)
        return
    await query.message.edit_reply_markup(reply_markup=None)
    await WIZARD.go(query.message, state, t, app, Intake.review,
                    draft.entering(Intake.review.state, editing=False))


async def send(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Store the report once; the tracking code is an outbox row written with it, sent at once.

    The draft's id makes a replayed press (a crash before the cleared state was stored) find
    the report it already filed instead of filing it again; its receipt goes out only if it
    has not yet (deliver_now sends held rows only).
    """
    draft: IntakeDraft = await WIZARD.load(state)
    if draft.resubmit_id:
        await _resubmit(query, state, t, app, draft)
        return
    result = await services.submit_report(
        app.uow(), query.from_user.id, draft.report(), now=app.clock(),
        calendar=app.settings.calendar, sla=app.settings.sla,
        draft_id=draft.draft_id or f"review-{query.message.message_id}")  # drafts of old code
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    if result.receipt is not None and app.deliver_now is not None:
        await app.deliver_now(result.receipt)  # now; the outbox retries it if this fails


async def _resubmit(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext,
                    draft: IntakeDraft) -> None:
    """A returned report, fixed: same tracking code, revision counted, verification again."""
    user = query.from_user
    result = await workflow.act(  # a replayed press finds its own resubmission: no change
        app.uow(), report_id=draft.resubmit_id, action=Action.RESUBMIT,
        actor=Actor(user.id, Role.CITIZEN, user.full_name),
        expected_version=draft.resubmit_version, now=app.clock(),
        calendar=app.settings.calendar, sla=app.settings.sla, draft=draft.report())
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    if result.receipt is not None and app.deliver_now is not None:
        await app.deliver_now(result.receipt)


async def choose_field(query: CallbackQuery, t: Translator) -> None:
    """Which part to change."""
    await query.message.edit_reply_markup(reply_markup=_edit_buttons(t))


async def back_to_review(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    """Changed their mind about editing."""
    draft = await WIZARD.load(state)
    await query.message.edit_reply_markup(reply_markup=trust.review_keyboard(t, draft))


WIZARD = Wizard(
    draft=IntakeDraft,
    entries=((Intake.photos, '/lapor or "Buat laporan" (registered)'),
             (Intake.review, "Fix and resend (a returned report)")),
    no_back_hint="intake-first-step",
    review=Intake.review,
    edit_buttons=lambda actions: IntakeCb.filter(F.action.in_(actions)),
    steps=(
        Step(Intake.photos, "intake-photos", "hint-photos", _photos_keyboard, _photos_args,
             next=Intake.location, edit=IntakeAction.EDIT_PHOTOS, edit_label="Edit → Photos",
             inputs=(
                 Input("first photo or album (5 at most)", (PICTURE,), handle=got_photo),
                 Input("Done (after Edit → Photos)", (_on(IntakeAction.PHOTOS_DONE),),
                       take=_photos_done,
                       to=Intake.review, press=True))),
        Step(Intake.location, "intake-location", "hint-location", _ask_location,
             next=Intake.landmark, back=Intake.photos, edit=IntakeAction.EDIT_LOCATION,
             edit_label="Edit → Location (landmark, then review)", inputs=(
                 Input("more photos (5 at most)", (PICTURE,), handle=got_photo,
                       to=Intake.location),
                 Input("pin inside the service area (venue or live location's first point too)",
                       (F.location,), take=_located))),
        Step(Intake.landmark, "intake-landmark", "hint-landmark", _skip_keyboard,
             next=Intake.description, while_editing=Intake.review, back=Intake.location,
             inputs=(Input("landmark text or Skip", (TEXT,), take=_landmark),)),
        Step(Intake.description, "intake-description", "hint-description",
             next=Intake.category, while_editing=Intake.review, back=Intake.landmark,
             edit=IntakeAction.EDIT_DESCRIPTION, edit_label="Edit → Description (then review)",
             inputs=(Input("20–2,000 characters", (TEXT,), take=_described),)),
        Step(Intake.category, "intake-category", "hint-category", _categories,
             next=Intake.review, back=Intake.description, edit=IntakeAction.EDIT_CATEGORY,
             edit_label="Edit → Category (then review)", inputs=(
                 Input("category button (similar open reports near the pin; else → review)",
                       (CategoryCb.filter(),), handle=categorised, to=Intake.duplicates,
                       press=True),)),
        Step(Intake.duplicates, "duplicates-offer", "hint-duplicates", show=trust.show_similar,
             back=Intake.category, inputs=(
                 Input("Yes, that one → follows it (\"me too\"), nothing filed",
                       (JoinCb.filter(F.report_id > 0),), handle=joined, to=END, press=True),
                 Input("No, mine is new", (JoinCb.filter(F.report_id == 0),), handle=joined,
                       to=Intake.review, press=True))),
        Step(Intake.review, "intake-review", "hint-review", show=_show_review,
             back=Intake.category, inputs=(
                 Input("Send → SUBMITTED, tracking code, verification due date",
                       (_on(IntakeAction.SEND),), handle=send, to=END, press=True),
                 Input("Edit", (_on(IntakeAction.EDIT),), handle=choose_field, press=True),
                 Input("Anonymous / Confidential on or off", (FlagCb.filter(),),
                       handle=trust.toggle_flag, to=Intake.review, press=True),
                 Input("Back to the review", (_on(IntakeAction.BACK_TO_REVIEW),),
                       handle=back_to_review,
                       press=True))),
    ),
)
ORDER = WIZARD.states
STATES = {s.state for s in ORDER}


# ---------------------------------------------------------------- entering the wizard


async def start_new(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """A fresh draft at the photo step, with the id that makes its submission happen once.

    The id comes from the message that started the draft (the citizen's /lapor, or the bot
    message whose button did), not from chance: a crash can roll the conversation back to
    before /lapor, and the replayed /lapor must name the same draft, or the replayed Send
    files the complaint a second time."""
    await state.set_state(Intake.photos)
    draft = await WIZARD.save(state, IntakeDraft(draft_id=f"m{message.message_id}"), app)
    await message.answer(t("intake-start"), reply_markup=ReplyKeyboardRemove())
    await WIZARD.ask(message, Intake.photos.state, t, draft, app)


async def open_for_resubmit(message: Message, state: FSMContext, t: Translator,
                            app: AppContext, case: CaseFile) -> None:
    """Load a returned report into the wizard at the review, ready to edit and send again."""
    draft = IntakeDraft(
        photos=tuple({"file_id": p.file_id, "file_unique_id": p.file_unique_id,
                      "kind": p.kind.value} for p in case.photos),
        location=(case.location.latitude, case.location.longitude),
        landmark=case.landmark, description=case.description, category=case.category_key,
        resubmit_id=case.id, resubmit_version=case.version, anonymous=case.anonymous,
        confidential=case.confidential)
    await state.set_state(Intake.review)
    draft = await WIZARD.save(state, draft, app)
    await message.answer(t("intake-fix-intro", code=case.code))
    await WIZARD.ask(message, Intake.review.state, t, draft, app)


async def offer_resume(message: Message, t: Translator) -> None:
    """A draft exists: continue it or start over."""
    await message.answer(t("intake-resume"), reply_markup=inline_keyboard(
        [(t("btn-resume"), _act(IntakeAction.RESUME)),
         (t("btn-restart"), _act(IntakeAction.RESTART))]))


class StaleDraft(Filter):
    """True when the draft was last touched long ago (the citizen comes back after hours)."""

    async def __call__(self, message: Message, state: FSMContext, app: AppContext) -> bool:
        if (message.text or "").startswith("/"):
            return False  # commands (/batal, /status, ...) work on an old draft too
        touched = (await WIZARD.load(state)).touched_at
        if touched is None:
            return False
        age = app.clock() - touched
        return age > timedelta(minutes=app.settings.draft_resume_after_minutes)


async def stale_draft(message: Message, t: Translator) -> None:
    """Coming back after hours: ask before treating the message as the next step's input."""
    await offer_resume(message, t)


async def resume(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Continue the draft where it stopped."""
    await query.message.edit_reply_markup(reply_markup=None)
    step = await state.get_state()
    if step not in STATES:
        await query.message.answer(t("intake-no-draft"))
        return
    draft = await WIZARD.save(state, await WIZARD.load(state), app)
    await WIZARD.ask(query.message, step, t, draft, app)


async def restart(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Throw the old draft away and start again."""
    await query.message.edit_reply_markup(reply_markup=None)
    await start_new(query.message, state, t, app)


# ---------------------------------------------------------------- cancel and reminders


async def ask_cancel(message: Message, t: Translator) -> None:
    """Cancelling discards the draft, so ask first."""
    await message.answer(t("intake-cancel-confirm"), reply_markup=inline_keyboard(
        [(t("btn-cancel-yes"), _act(IntakeAction.CANCEL_YES)),
         (t("btn-cancel-no"), _act(IntakeAction.CANCEL_NO))]))


async def cancel_button(query: CallbackQuery, t: Translator) -> None:
    """The review's Cancel button asks like /batal does."""
    await ask_cancel(query.message, t)


async def cancel_confirmed(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    """Discard the draft."""
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t("intake-cancelled"), reply_markup=main_menu(t))


async def cancel_refused(query: CallbackQuery, state: FSMContext, t: Translator,
                         app: AppContext) -> None:
    """Keep going where we were."""
    await query.message.edit_reply_markup(reply_markup=None)
    await WIZARD.ask(query.message, await state.get_state(), t, await WIZARD.load(state), app)


async def remind(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """After another command, remind that the draft is kept and where it stands."""
    step = await state.get_state()
    if step in STATES:
        await message.answer(t("intake-draft-kept"))
        await WIZARD.ask(message, step, t, await WIZARD.load(state), app)


def create_router() -> Router:
    """Wizard-wide commands and buttons first, then the table's steps and catch-all."""
    router = private_router(__name__)
    draft = StateFilter(*ORDER)
    msg, press = router.message.register, router.callback_query.register
    msg(stale_draft, draft, StaleDraft())
    press(resume, _on(IntakeAction.RESUME))
    press(restart, _on(IntakeAction.RESTART))
    msg(ask_cancel, Command("batal"), draft)
    press(cancel_button, draft, _on(IntakeAction.CANCEL))
    press(cancel_confirmed, draft, _on(IntakeAction.CANCEL_YES))
    press(cancel_refused, draft, _on(IntakeAction.CANCEL_NO))
    WIZARD.register(router)
    return router
