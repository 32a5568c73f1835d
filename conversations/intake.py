"""Complaint wizard: photos → location → landmark → description → category → review → send.

The graph (also in conversations/README.md):

```mermaid
stateDiagram-v2
    [*] --> photos: /lapor or "Buat laporan" (registered)
    photos --> location: first photo or album (more photos still accepted, max 5)
    location --> landmark: pin inside the service area
    landmark --> description: landmark text or Skip
    description --> category: 20–2,000 characters
    category --> review: category button
    review --> [*]: Send (SUBMITTED, tracking code)
    review --> photos: Edit → Photos (then back to review)
    review --> location: Edit → Location (landmark, then review)
    review --> description: Edit → Description (then review)
    review --> category: Edit → Category (then review)
    note right of review
        /kembali = one step back, /batal asks then discards,
        an old draft asks "continue or start over?"
    end note
```
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from html import unescape
from typing import Any

from aiogram import F, Router, html
from aiogram.filters import Command, Filter, StateFilter
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
from aiogram.utils.callback_answer import CallbackAnswer

from complaints import services, workflow
from complaints.lifecycle import Action
from complaints.model import (
    Actor,
    CaseFile,
    GeoPoint,
    PhotoKind,
    PhotoRef,
    ReportDraft,
    Role,
)
from complaints.validation import (
    MAX_PHOTOS,
    check_in_area,
    clean_description,
    clean_landmark,
)
from presentation.callbacks import CategoryCb, IntakeAction, IntakeCb
from presentation.context import AppContext
from presentation.keyboards import main_menu
from presentation.media import picture_of
from presentation.scopes import private_router
from presentation.texts import Translator, texts_of


class Intake(StatesGroup):
    photos = State()
    location = State()
    landmark = State()
    description = State()
    category = State()
    review = State()


ORDER = [Intake.photos, Intake.location, Intake.landmark, Intake.description, Intake.category,
         Intake.review]
STATES = {s.state for s in ORDER}
A = IntakeAction


def _inline(*rows: list[tuple[str, Any]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=cb.pack()) for text, cb in row]
        for row in rows
    ])


def _act(action: IntakeAction) -> IntakeCb:
    return IntakeCb(action=action)


# ---------------------------------------------------------------- draft data helpers


async def _save(state: FSMContext, app: AppContext, **changes: Any) -> dict[str, Any]:
    """Every change stamps the draft, so an old draft can be recognised later."""
    return await state.update_data(touched_at=app.clock().isoformat(), **changes)


def _photos(data: dict[str, Any]) -> list[dict[str, str]]:
    return list(data.get("photos") or [])


def _draft(data: dict[str, Any]) -> ReportDraft:
    lat, lon = data["location"]
    return ReportDraft(
        photos=tuple(PhotoRef(p["file_id"], p["file_unique_id"], PhotoKind(p["kind"]))
                     for p in _photos(data)),
        location=GeoPoint(lat, lon), description=data["description"],
        category_key=data["category"], landmark=data.get("landmark"),
    )


# ---------------------------------------------------------------- prompts


async def prompt(message: Message, step: str | None, t: Translator, data: dict[str, Any],
                 app: AppContext) -> None:
    """Ask for the step's input with the right keyboard (entering, re-prompting, resuming)."""
    if step == Intake.photos.state:
        markup = (_inline([(t("btn-photos-done"), _act(A.PHOTOS_DONE))])
                  if data.get("editing") and _photos(data) else ReplyKeyboardRemove())
        await message.answer(t("intake-photos", max=MAX_PHOTOS, count=len(_photos(data))),
                             reply_markup=markup)
    elif step == Intake.location.state:
        await message.answer(t("intake-location"), reply_markup=_location_keyboard(t))
    elif step == Intake.landmark.state:
        await message.answer(t("intake-landmark"), reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=t("btn-skip"))]], resize_keyboard=True,
            one_time_keyboard=True))
    elif step == Intake.description.state:
        await message.answer(t("intake-description"), reply_markup=ReplyKeyboardRemove())
    elif step == Intake.category.state:
        await message.answer(t("intake-category"), reply_markup=await _categories(t, app))
    elif step == Intake.review.state:
        await _show_review(message, t, data, app)


def _location_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("btn-send-location"), request_location=True)]],
        resize_keyboard=True)


async def _categories(t: Translator, app: AppContext) -> InlineKeyboardMarkup:
    names = tuple((c.name(t.language), c.key) for c in await app.categories())
    return _category_keyboard(names)


@lru_cache(maxsize=16)
def _category_keyboard(names: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup:
    """Built once per language and list: a dozen buttons of pydantic models each time cost."""
    buttons = [(name, CategoryCb(key=key)) for name, key in names]
    return _inline(*[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


async def _summary(t: Translator, data: dict[str, Any], app: AppContext) -> str:
    categories = (await app.names()).categories
    category = categories.get(data["category"])
    point = GeoPoint(*data["location"])
    return t(
        "intake-review",
        photos=len(_photos(data)),
        latitude=f"{point.latitude:.5f}", longitude=f"{point.longitude:.5f}",
        map_url=html.quote(point.map_url),
        landmark=html.quote(data.get("landmark") or "-"),
        category=html.quote(category.name(t.language) if category else data["category"]),
        description=html.quote(data["description"]),
    )


def _review_buttons(t: Translator) -> InlineKeyboardMarkup:
    return _inline([(t("btn-send"), _act(A.SEND))],
                   [(t("btn-edit"), _act(A.EDIT)), (t("btn-cancel"), _act(A.CANCEL))])


def _edit_buttons(t: Translator) -> InlineKeyboardMarkup:
    return _inline(
        [(t("btn-edit-photos"), _act(A.EDIT_PHOTOS)),
         (t("btn-edit-location"), _act(A.EDIT_LOCATION))],
        [(t("btn-edit-description"), _act(A.EDIT_DESCRIPTION)),
         (t("btn-edit-category"), _act(A.EDIT_CATEGORY))],
        [(t("btn-back-to-review"), _act(A.BACK_TO_REVIEW))],
    )


async def _show_review(message: Message, t: Translator, data: dict[str, Any],
                       app: AppContext) -> None:
    """One summary: the first photo with everything as caption (text + photo when too long)."""
    summary = await _summary(t, data, app)
    first = _photos(data)[0]
    send_photo = (message.answer_document if first["kind"] == PhotoKind.DOCUMENT
                  else message.answer_photo)
    if len(plain_text(summary)) <= 1024:
        await send_photo(first["file_id"], caption=summary, reply_markup=_review_buttons(t))
    else:
        await send_photo(first["file_id"], caption=t("intake-review-photo"))
        await message.answer(summary, reply_markup=_review_buttons(t),
                             disable_web_page_preview=True)


def plain_text(text: str) -> str:
    """Telegram counts a caption's length without its HTML tags."""
    return unescape(re.sub(r"<[^>]+>", "", text))


# ---------------------------------------------------------------- entering the wizard


async def start_new(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """A fresh draft at the photo step."""
    await state.set_state(Intake.photos)
    await state.set_data({"touched_at": app.clock().isoformat()})
    await message.answer(t("intake-start"), reply_markup=ReplyKeyboardRemove())
    await prompt(message, Intake.photos.state, t, {}, app)


async def offer_resume(message: Message, t: Translator) -> None:
    """A draft exists: continue it or start over."""
    await message.answer(t("intake-resume"), reply_markup=_inline(
        [(t("btn-resume"), _act(A.RESUME)), (t("btn-restart"), _act(A.RESTART))]))


class StaleDraft(Filter):
    """True when the draft was last touched long ago (the citizen comes back after hours)."""

    async def __call__(self, message: Message, state: FSMContext, app: AppContext) -> bool:
        if (message.text or "").startswith("/"):
            return False  # commands (/batal, /status, ...) work on an old draft too
        touched = (await state.get_data()).get("touched_at")
        if not touched:
            return False
        age = app.clock() - datetime.fromisoformat(touched)
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
    data = await _save(state, app)
    await prompt(query.message, step, t, data, app)


async def restart(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Throw the old draft away and start again."""
    await query.message.edit_reply_markup(reply_markup=None)
    await start_new(query.message, state, t, app)


# ---------------------------------------------------------------- commands inside the wizard


async def ask_cancel(message: Message, t: Translator) -> None:
    """Cancelling discards the draft, so ask first."""
    await message.answer(t("intake-cancel-confirm"), reply_markup=_inline(
        [(t("btn-cancel-yes"), _act(A.CANCEL_YES)), (t("btn-cancel-no"), _act(A.CANCEL_NO))]))


async def go_back(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """One step back; going back to the photos starts the photos again."""
    current = await state.get_state()
    index = [s.state for s in ORDER].index(current)
    if index == 0:
        await message.answer(t("intake-first-step"))
        await prompt(message, current, t, await state.get_data(), app)
        return
    previous = ORDER[index - 1]
    changes: dict[str, Any] = {"editing": False}
    if previous == Intake.photos:
        changes.update(photos=[], album=None, progress_msg=None)
    data = await _save(state, app, **changes)
    await state.set_state(previous)
    await prompt(message, previous.state, t, data, app)


# ---------------------------------------------------------------- step handlers


async def got_photo(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Photos of an album arrive one by one (in order): one progress message, edited."""
    photo = picture_of(message)
    if photo is None:
        await message.answer(t("hint-photo-not-image"))
        return
    data = await state.get_data()
    photos, album = _photos(data), message.media_group_id
    if len(photos) >= MAX_PHOTOS:
        if album is None or data.get("overflow_album") != album:
            await message.answer(t("intake-photos-full", max=MAX_PHOTOS))
        await _save(state, app, overflow_album=album)
        return
    photos.append(photo)
    editing = bool(data.get("editing"))
    received = t("intake-photos-received", count=len(photos), max=MAX_PHOTOS)
    if editing:
        text = f"{received}\n{t('intake-photos-more')}"
        markup: Any = _inline([(t("btn-photos-done"), _act(A.PHOTOS_DONE))])
    else:
        text = f"{received}\n\n{t('intake-location')}"
        markup = _location_keyboard(t)
        await state.set_state(Intake.location)
    progress = data.get("progress_msg")
    if album is not None and album == data.get("album") and progress:
        await message.bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=progress,
            reply_markup=markup if editing else None)
    else:
        progress = (await message.answer(text, reply_markup=markup)).message_id
    await _save(state, app, photos=photos, album=album, progress_msg=progress)


async def photos_done(query: CallbackQuery, state: FSMContext, t: Translator,
                      app: AppContext) -> None:
    """Editing the photos is finished: back to the review."""
    data = await state.get_data()
    if not _photos(data):
        await query.message.answer(t("hint-photos"))
        return
    await query.message.edit_reply_markup(reply_markup=None)
    await _advance(query.message, state, t, app, Intake.photos)


async def got_location(message: Message, state: FSMContext, t: Translator,
                       app: AppContext) -> None:
    """A pin (or venue, or a live location's first point) inside the city."""
    point = check_in_area(GeoPoint(message.location.latitude, message.location.longitude),
                          app.settings.area)
    await _save(state, app, location=[point.latitude, point.longitude], landmark=None)
    await state.set_state(Intake.landmark)
    await prompt(message, Intake.landmark.state, t, await state.get_data(), app)


async def got_landmark(message: Message, state: FSMContext, t: Translator,
                       app: AppContext) -> None:
    """An optional landmark; the Skip button leaves it empty."""
    skipped = message.text.strip() in texts_of("btn-skip")
    await _save(state, app, landmark=None if skipped else clean_landmark(message.text))
    await _advance(message, state, t, app, Intake.landmark)


async def got_description(message: Message, state: FSMContext, t: Translator,
                          app: AppContext) -> None:
    """What happened, 20–2,000 characters."""
    await _save(state, app, description=clean_description(message.text))
    await _advance(message, state, t, app, Intake.description)


async def got_category(query: CallbackQuery, callback_data: CategoryCb, state: FSMContext,
                       t: Translator, app: AppContext, callback_answer: CallbackAnswer) -> None:
    """A category from the offered list (a forged key is refused)."""
    categories = (await app.names()).categories
    category = categories.get(callback_data.key)
    if category is None:
        callback_answer.text, callback_answer.show_alert = t("error-category-unknown"), True
        return
    await query.message.edit_text(
        t("intake-category-chosen", category=html.quote(category.name(t.language))))
    await _save(state, app, category=category.key)
    await _advance(query.message, state, t, app, Intake.category)


async def _advance(message: Message, state: FSMContext, t: Translator, app: AppContext,
                   done: State) -> None:
    """Next step in order; while editing from the review, straight back to it."""
    data = await state.get_data()
    going_on = data.get("editing") and done != Intake.location
    following = Intake.review if going_on else ORDER[ORDER.index(done) + 1]
    if following == Intake.review:
        data = await _save(state, app, editing=False)
    await state.set_state(following)
    await prompt(message, following.state, t, data, app)


# ---------------------------------------------------------------- review


async def send(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Store the report and give the tracking code with the verification deadline."""
    data = await state.get_data()
    if data.get("resubmit_id"):
        await _resubmit(query, state, t, app, data)
        return
    result = await services.submit_report(
        app.uow(), query.from_user.id, _draft(data), now=app.clock(),
        calendar=app.settings.calendar)
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(
        t("intake-submitted", code=result.code, due=t.date(result.verify_due)),
        reply_markup=main_menu(t))


async def _resubmit(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext,
                    data: dict[str, Any]) -> None:
    """A returned report, fixed: same tracking code, revision counted, verification again."""
    user = query.from_user
    result = await workflow.act(
        app.uow(), report_id=data["resubmit_id"], action=Action.RESUBMIT,
        actor=Actor(user.id, Role.CITIZEN, user.full_name),
        expected_version=data["resubmit_version"], now=app.clock(),
        calendar=app.settings.calendar, draft=_draft(data))
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    report = result.report
    await query.message.answer(
        t("intake-resubmitted", code=report.code, revision=report.revision,
          due=t.date(report.verify_due) if report.verify_due else "-"),
        reply_markup=main_menu(t))


async def open_for_resubmit(message: Message, state: FSMContext, t: Translator,
                            app: AppContext, case: CaseFile) -> None:
    """Load a returned report into the wizard at the review, ready to edit and send again."""
    data = {
        "photos": [{"file_id": p.file_id, "file_unique_id": p.file_unique_id,
                    "kind": p.kind.value} for p in case.photos],
        "location": [case.location.latitude, case.location.longitude],
        "landmark": case.landmark, "description": case.description,
        "category": case.category_key, "resubmit_id": case.id,
        "resubmit_version": case.version, "touched_at": app.clock().isoformat(),
    }
    await state.set_state(Intake.review)
    await state.set_data(data)
    await message.answer(t("intake-fix-intro", code=case.code))
    await prompt(message, Intake.review.state, t, data, app)


async def choose_field(query: CallbackQuery, t: Translator) -> None:
    """Which part to change."""
    await query.message.edit_reply_markup(reply_markup=_edit_buttons(t))


async def back_to_review(query: CallbackQuery, t: Translator) -> None:
    """Changed their mind about editing."""
    await query.message.edit_reply_markup(reply_markup=_review_buttons(t))


_EDIT_TARGETS = {
    A.EDIT_PHOTOS: Intake.photos, A.EDIT_LOCATION: Intake.location,
    A.EDIT_DESCRIPTION: Intake.description, A.EDIT_CATEGORY: Intake.category,
}


async def edit_field(query: CallbackQuery, callback_data: IntakeCb, state: FSMContext,
                     t: Translator, app: AppContext) -> None:
    """Go to that step; finishing it comes back to the review."""
    target = _EDIT_TARGETS[callback_data.action]
    changes: dict[str, Any] = {"editing": True}
    if target == Intake.photos:
        changes.update(photos=[], album=None, progress_msg=None)
    data = await _save(state, app, **changes)
    await query.message.edit_reply_markup(reply_markup=None)
    await state.set_state(target)
    await prompt(query.message, target.state, t, data, app)


# ---------------------------------------------------------------- cancel


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
    await prompt(query.message, await state.get_state(), t, await state.get_data(), app)


# ---------------------------------------------------------------- anything else at a step

_HINTS = {
    Intake.photos.state: "hint-photos",
    Intake.location.state: "hint-location",
    Intake.landmark.state: "hint-landmark",
    Intake.description.state: "hint-description",
    Intake.category.state: "hint-category",
    Intake.review.state: "hint-review",
}


async def reprompt(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """Wrong input for the step (sticker, voice, text for a photo, photo for text...)."""
    step = await state.get_state()
    await message.answer(t(_HINTS[step]))
    await prompt(message, step, t, await state.get_data(), app)


async def remind(message: Message, state: FSMContext, t: Translator, app: AppContext) -> None:
    """After another command, remind that the draft is kept and where it stands."""
    step = await state.get_state()
    if step in STATES:
        await message.answer(t("intake-draft-kept"))
        await prompt(message, step, t, await state.get_data(), app)


def _on(action: IntakeAction) -> Any:
    return IntakeCb.filter(F.action == action)


def create_router() -> Router:
    """The wizard's graph in one place: per state, its step handlers, then its catch-all."""
    router = private_router(__name__)
    draft, text = StateFilter(*ORDER), F.text & ~F.text.startswith("/")
    msg, press = router.message.register, router.callback_query.register
    # anywhere in the wizard
    msg(stale_draft, draft, StaleDraft())
    press(resume, _on(A.RESUME))
    press(restart, _on(A.RESTART))
    msg(ask_cancel, Command("batal"), draft)
    msg(go_back, Command("kembali"), draft)
    press(cancel_button, draft, _on(A.CANCEL))
    press(cancel_confirmed, draft, _on(A.CANCEL_YES))
    press(cancel_refused, draft, _on(A.CANCEL_NO))
    # photos (still accepted at the location step)
    msg(got_photo, StateFilter(Intake.photos, Intake.location), F.photo | F.document)
    press(photos_done, Intake.photos, _on(A.PHOTOS_DONE))
    # location → landmark → description → category
    msg(got_location, Intake.location, F.location)
    msg(got_landmark, Intake.landmark, text)
    msg(got_description, Intake.description, text)
    press(got_category, Intake.category, CategoryCb.filter())
    # review
    press(send, Intake.review, _on(A.SEND))
    press(choose_field, Intake.review, _on(A.EDIT))
    press(back_to_review, Intake.review, _on(A.BACK_TO_REVIEW))
    press(edit_field, Intake.review, IntakeCb.filter(F.action.in_(_EDIT_TARGETS)))
    # anything else at any step
    msg(reprompt, draft)
    return router
