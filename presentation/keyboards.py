"""Keyboards shared by several handlers."""

from __future__ import annotations

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from presentation.texts import Translator


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
