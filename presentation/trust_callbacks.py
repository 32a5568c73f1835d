"""Button payloads of anonymous/confidential flags, "show identity" and duplicates (64 bytes)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Flag(StrEnum):
    ANONYMOUS = "a"
    CONFIDENTIAL = "c"


class FlagCb(CallbackData, prefix="fl1"):
    """Toggle a privacy flag on the intake review."""

    flag: Flag


class RevealCb(CallbackData, prefix="id1"):
    """An admin asks to see an anonymous report's reporter (logged)."""

    report_id: int


class JoinCb(CallbackData, prefix="dj1"):
    """The citizen's answer to "is it one of these?": a report to follow, or 0 for none."""

    report_id: int
