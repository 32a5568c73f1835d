"""Report cards and notification texts, rendered from a CaseFile in the reader's language.

Two registries say how every kind looks: CARDS (per CardKind: title, buttons per status) and
NOTICES (per NoticeKind: catalogue key, text renderer, photos sent first, card under it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from aiogram import html
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from complaints.lifecycle import TRANSITIONS, Action
from complaints.model import CardKind, CaseFile, NoticeKind, PhotoRef, ReportStatus, ReturnReason
from presentation.context import Names
from presentation.keyboards import inline_keyboard, main_menu
from presentation.staff_callbacks import (
    CitizenAction,
    CitizenCb,
    RateCb,
    StaffAction,
    StaffCb,
)
from presentation.texts import Translator

AGENCY_WORKING = (ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS)  # the finish clock runs
CLOCK_STOPPED = (ReportStatus.CLOSED, ReportStatus.WITHDRAWN, ReportStatus.RETURNED)
PROOF_SHOWN = (ReportStatus.RESOLVED, ReportStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class CardView:
    """How one card kind looks; it offers buttons only in the statuses it acts in."""

    title: str
    buttons: Mapping[ReportStatus, tuple[tuple[str, StaffAction], ...]]
    shows_phone: bool = True  # the agency card never shows the reporter's phone
    shows_proof: bool = False


CARDS: dict[CardKind, CardView] = {
    CardKind.ADMIN_CARD: CardView("card-title", {
        ReportStatus.SUBMITTED: (("btn-verify-forward", StaffAction.FORWARD_MENU),
                      ("btn-return", StaffAction.RETURN_MENU))}),
    CardKind.ADMIN_PROOF: CardView("card-title-proof", {
        ReportStatus.RESOLVED: (("btn-close-notify", StaffAction.CLOSE),
                                ("btn-reject-proof", StaffAction.REJECT))}, shows_proof=True),
    CardKind.AGENCY_CARD: CardView("card-title", {
        ReportStatus.FORWARDED: (("btn-process", StaffAction.START),
                                 ("btn-not-ours", StaffAction.NOT_OURS)),
        ReportStatus.IN_PROGRESS: (("btn-done-proof", StaffAction.DONE),
                                   ("btn-not-ours", StaffAction.NOT_OURS))}, shows_phone=False),
}


def _staff(action: StaffAction, case: CaseFile) -> StaffCb:
    return StaffCb(action=action, report_id=case.id, version=case.version)


def card_buttons(t: Translator, kind: CardKind, case: CaseFile) -> InlineKeyboardMarkup | None:
    """The buttons a card offers in the report's current status (none once handled)."""
    buttons = CARDS[kind].buttons.get(case.status)
    if not buttons:
        return None
    return inline_keyboard(*([(t(key), _staff(action, case))] for key, action in buttons))


def staff_card(t: Translator, kind: CardKind, case: CaseFile, names: Names) -> str:
    """A report as staff see it, as its card kind shows it."""
    view = CARDS[kind]
    last = case.events[-1] if case.events else None
    lines = [
        t(view.title, code=case.code),
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
    due = case.finish_due if case.status in AGENCY_WORKING else case.verify_due
    if due is not None and case.status not in CLOCK_STOPPED:
        lines.append(t("card-due", due=t.datetime(due)))
    if view.shows_phone:
        lines.append(t("card-reporter", name=html.quote(case.citizen_name or "-"),
                       phone=case.citizen_phone or "-"))
    else:
        lines.append(t("card-reporter-name", name=html.quote(case.citizen_name or "-")))
    lines.append(t("card-description", description=html.quote(_short(case.description, 1500))))
    if view.shows_proof or (case.resolution_note and case.status in PROOF_SHOWN):
        lines.append(t("card-proof-note", note=html.quote(case.resolution_note or "-"),
                       photos=len(case.proof_photos)))
    if last is not None and last.action != "submit":
        lines.append(t("card-last-action", action=t(f"action-{last.action}"),
                       name=html.quote(last.actor_name or last.actor_role.value),
                       at=t.datetime(last.at)))
        if last.note and TRANSITIONS[Action(last.action)].needs_reason:
            lines.append(t("card-last-note", note=html.quote(last.note)))
    return "\n".join(lines)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def return_reason_text(t: Translator, reason_key: str | None, reason: str) -> str:
    """A preset reason in the reader's language, or the admin's own words."""
    if reason_key and reason_key != ReturnReason.OTHER:
        return t(f"return-reason-{reason_key}")
    return reason


class Photos(StrEnum):
    """Which of the report's pictures go out before a notice's text."""

    NONE = "none"
    EVIDENCE = "evidence"
    PROOF = "proof"


def photos_of(which: Photos, case: CaseFile) -> tuple[PhotoRef, ...]:
    """The pictures a notice sends first."""
    return {Photos.NONE: (), Photos.EVIDENCE: case.photos, Photos.PROOF: case.proof_photos}[which]


Rendered = tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup | None]
NoticeText = Callable[[Translator, str, CaseFile, Names, dict[str, str]], Rendered]


@dataclass(frozen=True, slots=True)
class NoticeView:
    """How one notice kind is shown: its catalogue text, photos first, a staff card under it."""

    key: str
    text: NoticeText
    photos: Photos = Photos.NONE
    card: CardKind | None = None


def _agency(names: Names, case: CaseFile, params: dict[str, str]) -> str:
    """The agency as it was when the message was caused: it may have changed since."""
    return html.quote(names.agency(params.get("agency") or case.agency_code))


def _header(t: Translator, key: str, case: CaseFile, names: Names,
            params: dict[str, str]) -> Rendered:
    """The line above a staff card saying why it was posted."""
    return t(key, code=case.code, reason=html.quote(params.get("reason") or "-"),
             resubmitted=params.get("resubmitted", "False")), None


def _one_liner(t: Translator, key: str, case: CaseFile, names: Names,
               params: dict[str, str]) -> Rendered:
    """Short notices for the coordinator and for agency groups."""
    return t(key, code=case.code,
             agency=html.quote(names.agency(case.agency_code or params.get("agency"))),
             category=html.quote(names.category(t, case.category_key)),
             reason=html.quote(params.get("reason") or "-")), None


def _forwarded(t: Translator, key: str, case: CaseFile, names: Names,
               params: dict[str, str]) -> Rendered:
    return t(key, code=case.code, agency=_agency(names, case, params),
             due=t.date(case.finish_due) if case.finish_due else "-"), None


def _in_progress(t: Translator, key: str, case: CaseFile, names: Names,
                 params: dict[str, str]) -> Rendered:
    return t(key, code=case.code, agency=_agency(names, case, params)), None


def _returned(t: Translator, key: str, case: CaseFile, names: Names,
              params: dict[str, str]) -> Rendered:
    """Why it came back; while it is still returned, fix (if incomplete) or withdraw it."""
    incomplete = params.get("reason_key") == ReturnReason.INCOMPLETE
    reason = html.quote(return_reason_text(t, params.get("reason_key"), params["reason"]))
    buttons = []
    if case.status == ReportStatus.RETURNED:
        if incomplete:
            buttons.append([(t("btn-fix-resend"),
                             CitizenCb(action=CitizenAction.FIX, report_id=case.id))])
        buttons.append([(t("btn-withdraw"),
                         CitizenCb(action=CitizenAction.WITHDRAW_ASK, report_id=case.id))])
    text = t("citizen-returned-incomplete" if incomplete else key, code=case.code, reason=reason)
    return text, inline_keyboard(*buttons) if buttons else None


def _closed(t: Translator, key: str, case: CaseFile, names: Names,
            params: dict[str, str]) -> Rendered:
    """The result with the proof note; rate it, or say it is not fixed."""
    stars = [("⭐" * n, RateCb(report_id=case.id, stars=n)) for n in range(1, 6)]
    markup = inline_keyboard(stars[:3], stars[3:], [
        (t("btn-not-fixed"), CitizenCb(action=CitizenAction.NOT_FIXED, report_id=case.id))])
    return t(key, code=case.code, agency=_agency(names, case, params),
             note=html.quote(case.resolution_note or "-")), markup


def _submitted(t: Translator, key: str, case: CaseFile, names: Names,
               params: dict[str, str]) -> Rendered:
    """The tracking code and the verification due date, with the home keyboard back."""
    return t(key, code=case.code, revision=case.revision,
             due=t.date(case.verify_due) if case.verify_due else "-"), main_menu(t)


NOTICES: dict[NoticeKind, NoticeView] = {
    NoticeKind.ADMIN_CARD: NoticeView("header-admin-card", _header, Photos.EVIDENCE,
                                      CardKind.ADMIN_CARD),
    NoticeKind.ADMIN_PROOF: NoticeView("header-admin-proof", _header, Photos.PROOF,
                                       CardKind.ADMIN_PROOF),
    NoticeKind.ADMIN_SENT_BACK: NoticeView("header-admin-sent-back", _header,
                                           card=CardKind.ADMIN_CARD),
    NoticeKind.ADMIN_REOPENED: NoticeView("header-admin-reopened", _header,
                                          card=CardKind.ADMIN_CARD),
    NoticeKind.ADMIN_WITHDRAWN: NoticeView("admin-withdrawn", _one_liner),
    NoticeKind.AGENCY_CARD: NoticeView("header-agency-card", _header, Photos.EVIDENCE,
                                       CardKind.AGENCY_CARD),
    NoticeKind.AGENCY_PROOF_REJECTED: NoticeView("header-agency-proof-rejected", _header,
                                                 card=CardKind.AGENCY_CARD),
    NoticeKind.AGENCY_REASSIGNED_AWAY: NoticeView("agency-reassigned-away", _one_liner),
    NoticeKind.COORDINATOR_FORWARDED: NoticeView("coordinator-forwarded", _one_liner),
    NoticeKind.COORDINATOR_SENT_BACK: NoticeView("coordinator-sent-back", _one_liner),
    NoticeKind.COORDINATOR_CLOSED: NoticeView("coordinator-closed", _one_liner),
    NoticeKind.COORDINATOR_REOPENED: NoticeView("coordinator-reopened", _one_liner),
    NoticeKind.CITIZEN_FORWARDED: NoticeView("citizen-forwarded", _forwarded),
    NoticeKind.CITIZEN_RETURNED: NoticeView("citizen-returned", _returned),
    NoticeKind.CITIZEN_IN_PROGRESS: NoticeView("citizen-in-progress", _in_progress),
    NoticeKind.CITIZEN_CLOSED: NoticeView("citizen-closed", _closed, Photos.PROOF),
    NoticeKind.CITIZEN_SUBMITTED: NoticeView("intake-submitted", _submitted),
    NoticeKind.CITIZEN_RESUBMITTED: NoticeView("intake-resubmitted", _submitted),
}


def render_notice(t: Translator, kind: NoticeKind, case: CaseFile, names: Names,
                  params: dict[str, str]) -> Rendered:
    """A notice's text and buttons; a card notice is its header over the card and its buttons."""
    view = NOTICES[kind]
    text, markup = view.text(t, view.key, case, names, params)
    if view.card is None:
        return text, markup
    return f"{text}\n\n{staff_card(t, view.card, case, names)}", card_buttons(t, view.card, case)
