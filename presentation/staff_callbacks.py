"""Button payloads of staff cards and citizen follow-ups (short prefixes, 64-byte limit)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from complaints.model import ReturnReason


class StaffAction(StrEnum):
    FORWARD_MENU = "fm"
    RETURN_MENU = "rm"
    BACK = "bk"
    START = "st"
    DONE = "dn"
    NOT_OURS = "no"
    CLOSE = "cl"
    REJECT = "rj"
    SHOW = "sh"


class StaffCb(CallbackData, prefix="s1"):
    """A button on a report card in a staff group."""

    action: StaffAction
    report_id: int
    version: int


class ForwardCb(CallbackData, prefix="f1"):
    """An agency picked to forward a report to."""

    report_id: int
    version: int
    agency: str


class ReturnCb(CallbackData, prefix="t1"):
    """A preset reason to return a report to its reporter."""

    report_id: int
    version: int
    reason: ReturnReason


class ProofAction(StrEnum):
    SUBMIT = "ok"
    CANCEL = "cx"


class ProofCb(CallbackData, prefix="p1"):
    """Confirm or drop the proof an operator is assembling."""

    input_id: int
    action: ProofAction


class QueueCb(CallbackData, prefix="q1"):
    """A page of /antrian."""

    page: int


class CitizenAction(StrEnum):
    FIX = "fx"
    WITHDRAW_ASK = "wa"
    WITHDRAW_YES = "wy"
    WITHDRAW_NO = "wn"
    NOT_FIXED = "nf"
    SKIP_COMMENT = "sc"


class CitizenCb(CallbackData, prefix="c2"):
    """A citizen's follow-up on their own report."""

    action: CitizenAction
    report_id: int


class RateCb(CallbackData, prefix="rt1"):
    """1–5 stars for a closed report."""

    report_id: int
    stars: int
