"""Whatever no step or command took: stale buttons, edits, idle messages."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from complaints.model import Citizen
from presentation.keyboards import main_menu
from presentation.scopes import private_router
from presentation.texts import Translator


async def live_location_moved(message: Message) -> None:
    """A live location keeps sending its new points: the first one was taken, ignore the rest."""


async def edited(message: Message, t: Translator) -> None:
    """An edited message is not applied: say so, so nothing changes silently."""
    await message.reply(t("hint-edited"))


async def nothing_to_cancel(message: Message, t: Translator, citizen: Citizen | None) -> None:
    """Outside a wizard there is nothing to cancel or go back to."""
    registered = citizen is not None and citizen.is_registered
    await message.answer(t("nothing-to-cancel"), reply_markup=main_menu(t) if registered else None)


async def idle(message: Message, t: Translator, citizen: Citizen | None) -> None:
    """Not in a wizard: point to the menu (or to /start for newcomers)."""
    if citizen is not None and citizen.is_registered:
        await message.answer(t("idle-registered"), reply_markup=main_menu(t))
    else:
        await message.answer(t("idle-unregistered"))


async def stale_button(query: CallbackQuery, t: Translator,
                       callback_answer: CallbackAnswer) -> None:
    """A button from an old message, a finished step or forged data changes nothing."""
    callback_answer.text, callback_answer.show_alert = t("error-stale-button"), True


def create_router() -> Router:
    """A fresh router with every handler, in priority order (one per Dispatcher)."""
    router = private_router(__name__)
    router.edited_message.register(live_location_moved, F.location)
    router.edited_message.register(edited)
    router.message.register(nothing_to_cancel, Command("batal", "kembali"))
    router.message.register(idle)
    router.callback_query.register(stale_button)
    return router
