"""Keyboards: the citizen's home keyboard, and one way to build every inline keyboard."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from presentation.texts import Translator

Button = tuple[str, CallbackData | str]  # label, and callback data (packed or not)


def inline_keyboard(*rows: Sequence[Button]) -> InlineKeyboardMarkup:
    """Rows of (label, callback data) as an inline keyboard."""
    builder = InlineKeyboardBuilder()
    for row in rows:
        builder.row(*(InlineKeyboardButton(
            text=label, callback_data=data if isinstance(data, str) else data.pack())
            for label, data in row))
    return builder.as_markup()


def main_menu(t: Translator) -> ReplyKeyboardMarkup:
    """The citizen's home keyboard."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("menu-report"))],
            [KeyboardButton(text=t("menu-my-reports")), KeyboardButton(text=t("menu-profile"))],
            [KeyboardButton(text=t("menu-help"))],
        ],
        resize_keyboard=True,
        is_persistent=True,
    )
