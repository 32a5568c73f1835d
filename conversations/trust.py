"""The intake's trust steps: anonymous and confidential flags on the review, and "is it one of
these?" before it, when open reports of the same category lie near the pin.

The wizard's table (conversations/intake.py) holds the rows; these are their keyboards, texts
and the handlers that need no step dispatch.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from aiogram import html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from complaints import duplicates
from complaints.duplicates import Similar
from complaints.model import GeoPoint
from conversations.drafts import IntakeDraft
from presentation.callbacks import IntakeAction, IntakeCb
from presentation.context import AppContext
from presentation.keyboards import Button, inline_keyboard, main_menu
from presentation.texts import Translator
from presentation.trust_callbacks import Flag, FlagCb, JoinCb

EXCERPT = 60  # characters of another citizen's description shown in the offer


def review_keyboard(t: Translator, draft: IntakeDraft) -> InlineKeyboardMarkup:
    """Send, the two privacy flags (saying their state), then Edit and Cancel."""
    anonymous = "btn-anonymous-on" if draft.anonymous else "btn-anonymous-off"
    confidential = "btn-confidential-on" if draft.confidential else "btn-confidential-off"
    return inline_keyboard(
        [(t("btn-send"), IntakeCb(action=IntakeAction.SEND))],
        [(t(anonymous), FlagCb(flag=Flag.ANONYMOUS))],
        [(t(confidential), FlagCb(flag=Flag.CONFIDENTIAL))],
        [(t("btn-edit"), IntakeCb(action=IntakeAction.EDIT)),
         (t("btn-cancel"), IntakeCb(action=IntakeAction.CANCEL))])


async def toggle_flag(query: CallbackQuery, callback_data: FlagCb, state: FSMContext,
                      t: Translator, app: AppContext, callback_answer: CallbackAnswer) -> None:
    """Anonymous or confidential on/off; the button says the new state, the answer what it means."""
    draft = IntakeDraft.from_state_data(await state.get_data())
    if callback_data.flag is Flag.ANONYMOUS:
        draft = replace(draft, anonymous=not draft.anonymous)
        said = "anonymous-on" if draft.anonymous else "anonymous-off"
    else:
        draft = replace(draft, confidential=not draft.confidential)
        said = "confidential-on" if draft.confidential else "confidential-off"
    await state.set_data(draft.touched(app.clock()).to_state_data())
    await query.message.edit_reply_markup(reply_markup=review_keyboard(t, draft))
    callback_answer.text, callback_answer.show_alert = t(said), True


def flag_lines(t: Translator, anonymous: bool, confidential: bool, *,
               just_sent: bool = False) -> list[str]:
    """What the citizen is reminded of about their report's privacy (after sending, /status)."""
    lines = []
    if anonymous:
        lines.append(t("intake-submitted-anonymous") if just_sent else t("status-anonymous"))
    if confidential:
        lines.append(t("intake-submitted-confidential") if just_sent
                     else t("status-confidential"))
    return lines


# ---------------------------------------------------------------- "is it one of these?"


async def similar(app: AppContext, citizen_id: int, draft: IntakeDraft) -> list[Similar]:
    """Open reports like this draft (same category, near the pin, recent), nearest first."""
    settings = app.settings
    if draft.resubmit_id or draft.location is None or draft.category is None \
            or settings.duplicate_radius_m <= 0:
        return []
    return await duplicates.similar_reports(
        app.uow(), citizen_id=citizen_id, category_key=draft.category,
        point=GeoPoint(*draft.location), now=app.clock(), radius_m=settings.duplicate_radius_m,
        window=timedelta(days=settings.duplicate_window_days))


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "…"


async def show_similar(message: Message, t: Translator, draft: IntakeDraft,
                       app: AppContext) -> None:
    """The offer: each report near the pin with a button, and "no, mine is new"."""
    found = [s for s in await similar(app, message.chat.id, draft)
             if s.report.id in draft.offered]
    lines = "\n".join(
        t("duplicates-line", number=n, code=s.report.code, distance=round(s.distance_m),
          date=t.date(s.report.created_at), status=t(f"status-{s.report.status.value}"),
          excerpt=html.quote(_excerpt(s.report.description)))
        for n, s in enumerate(found, 1))
    rows: list[list[Button]] = [
        [(t("btn-duplicate-join", code=s.report.code), JoinCb(report_id=s.report.id))]
        for s in found]
    rows.append([(t("btn-duplicate-none"), JoinCb(report_id=0))])
    await message.answer(t("duplicates-offer", lines=lines or "-"),
                         reply_markup=inline_keyboard(*rows))


async def join(query: CallbackQuery, state: FSMContext, t: Translator, app: AppContext,
               draft: IntakeDraft, report_id: int, callback_answer: CallbackAnswer) -> None:
    """"Me too": follow the picked report; the draft is not filed."""
    if report_id not in draft.offered:  # only what was offered (a forged id is refused)
        callback_answer.text, callback_answer.show_alert = t("error-report-not-found"), True
        return
    code = await duplicates.join(app.uow(), citizen_id=query.from_user.id, report_id=report_id,
                                 now=app.clock())
    await state.clear()
    await query.message.edit_reply_markup(reply_markup=None)
    await query.message.answer(t("duplicate-joined", code=code), reply_markup=main_menu(t))
