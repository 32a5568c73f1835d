"""Report cards and notification texts, rendered from a CaseFile in the reader's language."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from complaints.model import CaseFile, ReportStatus, ReturnReason
from presentation.context import Names
from presentation.staff_callbacks import (
    CitizenAction,
    CitizenCb,
    RateCb,
    StaffAction,
    StaffCb,
)
from presentation.texts import Translator

S = ReportStatus
ADMIN_CARD, ADMIN_PROOF, AGENCY_CARD = "admin_card", "admin_proof", "agency_card"
# Which card kind carries buttons in which status (other cards just show the status).
ACTIONABLE = {ADMIN_CARD: {S.SUBMITTED}, ADMIN_PROOF: {S.RESOLVED},
              AGENCY_CARD: {S.FORWARDED, S.IN_PROGRESS}}


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def _staff(action: StaffAction, case: CaseFile) -> str:
    return StaffCb(action=action, report_id=case.id, version=case.version).pack()


def card_buttons(t: Translator, kind: str, case: CaseFile) -> InlineKeyboardMarkup | None:
    """The buttons a card offers in the report's current status (none once handled)."""
    if case.status not in ACTIONABLE.get(kind, set()):
        return None
    rows: list[list[InlineKeyboardButton]]
    if kind == ADMIN_CARD:
        rows = [[_button(t("btn-verify-forward"), _staff(StaffAction.FORWARD_MENU, case))],
                [_button(t("btn-return"), _staff(StaffAction.RETURN_MENU, case))]]
    elif kind == ADMIN_PROOF:
        rows = [[_button(t("btn-close-notify"), _staff(StaffAction.CLOSE, case))],
                [_button(t("btn-reject-proof"), _staff(StaffAction.REJECT, case))]]
    elif case.status == S.FORWARDED:
        rows = [[_button(t("btn-process"), _staff(StaffAction.START, case))],
                [_button(t("btn-not-ours"), _staff(StaffAction.NOT_OURS, case))]]
    else:
        rows = [[_button(t("btn-done-proof"), _staff(StaffAction.DONE, case))],
                [_button(t("btn-not-ours"), _staff(StaffAction.NOT_OURS, case))]]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def staff_card(t: Translator, kind: str, case: CaseFile, names: Names) -> str:
    """A report as staff see it; the agency card never shows the reporter's phone."""
    last = case.events[-1] if case.events else None
    lines = [
        t("card-title-proof" if kind == ADMIN_PROOF else "card-title", code=case.code),
        t("card-status", status=t(f"status-{case.status.value}")),
        t("card-category", category=html.quote(names.category(t, case.category_key))),
    ]
    if case.agency_code:
        lines.append(t("card-agency", agency=html.quote(names.agency(case.agency_code))))
    lines.append(t("card-location", map_url=html.quote(case.location.map_url),
                   latitude=f"{case.location.latitude:.5f}",
                   longitude=f"{case.location.longitude:.5f}"))
    if case.landmark or case.address:
        lines.append(t("card-place", place=html.quote(
            " — ".join(p for p in (case.landmark, case.address) if p))))
    lines.append(t("card-filed", at=t.datetime(case.created_at), revision=case.revision))
    due = case.finish_due if case.status in (S.FORWARDED, S.IN_PROGRESS) else case.verify_due
    if due is not None and case.status not in (S.CLOSED, S.WITHDRAWN, S.RETURNED):
        lines.append(t("card-due", due=t.datetime(due)))
    if kind == AGENCY_CARD:
        lines.append(t("card-reporter-name", name=html.quote(case.citizen_name or "-")))
    else:
        lines.append(t("card-reporter", name=html.quote(case.citizen_name or "-"),
                       phone=case.citizen_phone or "-"))
    lines.append(t("card-description", description=html.quote(_short(case.description, 1500))))
    if kind == ADMIN_PROOF or (case.resolution_note and case.status in (S.RESOLVED, S.CLOSED)):
        lines.append(t("card-proof-note", note=html.quote(case.resolution_note or "-"),
                       photos=len(case.proof_photos)))
    if last is not None and last.action != "submit":
        lines.append(t("card-last-action", action=t(f"action-{last.action}"),
                       name=html.quote(last.actor_name or last.actor_role.value),
                       at=t.datetime(last.at)))
        if last.note and last.action in ("return", "send_back", "reject_proof", "reopen"):
            lines.append(t("card-last-note", note=html.quote(last.note)))
    return "\n".join(lines)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def return_reason_text(t: Translator, reason_key: str | None, reason: str) -> str:
    """A preset reason in the reader's language, or the admin's own words."""
    if reason_key and reason_key != ReturnReason.OTHER:
        return t(f"return-reason-{reason_key}")
    return reason


def citizen_notice(t: Translator, kind: str, case: CaseFile, names: Names,
                   params: dict[str, str]) -> tuple[str, InlineKeyboardMarkup | None]:
    """What the reporter is told at each step of the SOP."""
    # the agency as it was when the message was caused: it may have changed since
    agency = html.quote(names.agency(params.get("agency") or case.agency_code))
    if kind == "citizen_forwarded":
        return t("citizen-forwarded", code=case.code, agency=agency,
                 due=t.date(case.finish_due) if case.finish_due else "-"), None
    if kind == "citizen_in_progress":
        return t("citizen-in-progress", code=case.code, agency=agency), None
    if kind == "citizen_returned":
        reason = html.quote(return_reason_text(t, params.get("reason_key"), params["reason"]))
        buttons = []
        if case.status == S.RETURNED:
            if params.get("reason_key") == ReturnReason.INCOMPLETE:
                buttons.append([_button(t("btn-fix-resend"), CitizenCb(
                    action=CitizenAction.FIX, report_id=case.id).pack())])
            buttons.append([_button(t("btn-withdraw"), CitizenCb(
                action=CitizenAction.WITHDRAW_ASK, report_id=case.id).pack())])
        key = ("citizen-returned-incomplete" if params.get("reason_key") == ReturnReason.INCOMPLETE
               else "citizen-returned")
        return (t(key, code=case.code, reason=reason),
                InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None)
    if kind == "citizen_closed":
        stars = [_button("⭐" * n, RateCb(report_id=case.id, stars=n).pack()) for n in range(1, 6)]
        markup = InlineKeyboardMarkup(inline_keyboard=[
            stars[:3], stars[3:],
            [_button(t("btn-not-fixed"), CitizenCb(action=CitizenAction.NOT_FIXED,
                                                   report_id=case.id).pack())],
        ])
        return t("citizen-closed", code=case.code, agency=agency,
                 note=html.quote(case.resolution_note or "-")), markup
    raise ValueError(f"unknown citizen notice {kind}")


def one_liner(t: Translator, kind: str, case: CaseFile, names: Names,
              params: dict[str, str]) -> str:
    """Short notices for the coordinator and for agency groups."""
    return t(kind.replace("_", "-"), code=case.code,
             agency=html.quote(names.agency(case.agency_code or params.get("agency"))),
             category=html.quote(names.category(t, case.category_key)),
             reason=html.quote(params.get("reason") or "-"))
