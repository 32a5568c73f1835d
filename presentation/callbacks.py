"""Inline-button payloads: short versioned prefixes and string-enum fields (64-byte limit)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class RegAction(StrEnum):
    AGREE = "ag"
    DECLINE = "dc"
    CONFIRM = "ok"
    EDIT = "ed"


class RegistrationCb(CallbackData, prefix="rg1"):
    """Consent and confirmation during registration."""

    action: RegAction


class IntakeAction(StrEnum):
    PHOTOS_DONE = "pd"
    SEND = "sd"
    EDIT = "ed"
    EDIT_PHOTOS = "ep"
    EDIT_LOCATION = "el"
    EDIT_DESCRIPTION = "ex"
    EDIT_CATEGORY = "ec"
    BACK_TO_REVIEW = "br"
    CANCEL = "cn"
    CANCEL_YES = "cy"
    CANCEL_NO = "cx"
    RESUME = "rs"
    RESTART = "rt"


class IntakeCb(CallbackData, prefix="in1"):
    """Buttons of the complaint wizard."""

    action: IntakeAction


class CategoryCb(CallbackData, prefix="ct1"):
    """A category picked in the wizard."""

    key: str


class Lang(StrEnum):
    ID = "id"
    EN = "en"


class LanguageCb(CallbackData, prefix="lg1"):
    """A language picked with /bahasa."""

    lang: Lang
