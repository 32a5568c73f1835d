"""Report cards and notification texts, rendered from a CaseFile in the reader's language.

Two registries say how every kind looks: CARDS (per CardKind: title, buttons per status) and
NOTICES (per NoticeKind: catalogue key, text renderer, photos sent first, card under it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from aiogram import html
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from complaints.lifecycle import TRANSITIONS, Action
from complaints.model import (
    Audience,
    CardKind,
    CaseFile,
    ChatBinding,
    ChatPurpose,
    NoticeKind,
    PhotoRef,
    ReportStatus,
    ReturnReason,
    Role,
)
from complaints.privacy import ANONYMOUS_CITIZEN
from presentation.context import Names
from presentation.deadlines import ReassignCb, clock_lines, reassigned, step_notice
from presentation.keyboards import Button, inline_keyboard, main_menu
from presentation.privacy import BlockAction, BlockCb
from presentation.staff_callbacks import (
    CitizenAction,
    CitizenCb,
    RateCb,
    StaffAction,
    StaffCb,
)
from presentation.texts import Translator
from presentation.trust_callbacks import RevealCb

LIFECYCLE_ACTIONS = frozenset(a.value for a in Action)  # other events (e.g. show_identity) log
AGENCY_WORKING = (ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS)  # the finish clock runs
PROOF_SHOWN = (ReportStatus.RESOLVED, ReportStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class CardView:
    """How one card kind looks; it offers buttons only in the statuses it acts in."""

    title: str
    buttons: Mapping[ReportStatus, tuple[tuple[str, StaffAction], ...]]
    audience: Audience = Audience.ADMIN  # the agency card never shows the reporter's phone
    shows_proof: bool = False
    reassign_in: frozenset[ReportStatus] = frozenset()  # admins may move it to another agency


CARDS: dict[CardKind, CardView] = {
    CardKind.ADMIN_CARD: CardView("card-title", {
        ReportStatus.SUBMITTED: (("btn-verify-forward", StaffAction.FORWARD_MENU),
                      ("btn-return", StaffAction.RETURN_MENU))},
        reassign_in=frozenset(AGENCY_WORKING)),
    CardKind.ADMIN_PROOF: CardView("card-title-proof", {
        ReportStatus.RESOLVED: (("btn-close-notify", StaffAction.CLOSE),
                                ("btn-reject-proof", StaffAction.REJECT))}, shows_proof=True),
    CardKind.AGENCY_CARD: CardView("card-title", {
        ReportStatus.FORWARDED: (("btn-process", StaffAction.START),
                                 ("btn-not-ours", StaffAction.NOT_OURS)),
        ReportStatus.IN_PROGRESS: (("btn-done-proof", StaffAction.DONE),
                                   ("btn-not-ours", StaffAction.NOT_OURS))},
        audience=Audience.AGENCY),
}


def _staff(action: StaffAction, case: CaseFile) -> StaffCb:
    return StaffCb(action=action, report_id=case.id, version=case.version)


def moved_away(kind: CardKind, case: CaseFile, holder: str | None) -> bool:
    """An agency's card of a report since moved to another agency."""
    return kind is CardKind.AGENCY_CARD and holder is not None and holder != case.agency_code


def card_buttons(t: Translator, kind: CardKind, case: CaseFile,
                 holder: str | None = None) -> InlineKeyboardMarkup | None:
    """The buttons a card offers in the report's current status (none once handled);
    `holder` is the agency whose group holds the card, when known.

    The admin group's cards of an anonymous report keep a "show identity" button in every
    status: the reporter is shown to the presser alone, and the showing is logged.
    """
    if moved_away(kind, case, holder):
        return None
    view = CARDS[kind]
    rows: list[list[Button]] = [[(t(key), _staff(action, case))]
                                for key, action in view.buttons.get(case.status, ())]
    deciding = bool(rows)  # the admins decide on it now: blocking its sender is offered too
    if case.status in view.reassign_in:
        rows.append([(t("btn-reassign"), ReassignCb(report_id=case.id))])
    if deciding and kind is CardKind.ADMIN_CARD and case.citizen_id != ANONYMOUS_CITIZEN:
        rows.append([(t("btn-block-citizen"),
                      BlockCb(action=BlockAction.BLOCK, report_id=case.id))])
    if case.anonymous and view.audience is Audience.ADMIN:
        rows.append([(t("btn-show-identity"), RevealCb(report_id=case.id))])
    return inline_keyboard(*rows) if rows else None


def chat_may_see(binding: ChatBinding, case: CaseFile) -> bool:
    """Whether a staff chat may be shown the report: an agency its own; confidential ones not
    in the coordinator's chat."""
    if binding.purpose is ChatPurpose.OPD:
        return case.agency_code == binding.agency_code
    return case.visible_to(Audience.ADMIN if binding.purpose is ChatPurpose.ADMIN
                           else Audience.COORDINATOR)


def reporter_line(t: Translator, case: CaseFile, audience: Audience) -> str:
    """Who reported, as much as the audience may see: name and phone, name, or "anonymous"."""
    if not case.reporter_visible_to(audience):
        return t("card-reporter-anonymous")
    name = html.quote(case.citizen_name or "-")
    if case.phone_visible_to(audience):
        return t("card-reporter", name=name, phone=case.citizen_phone or "-")
    return t("card-reporter-name", name=name)


def _actor_name(t: Translator, case: CaseFile, name: str | None, role: Role) -> str:
    """Who acted; an anonymous report's citizen is never named by their own actions either."""
    if role is Role.CITIZEN and case.anonymous:
        return t("anonymous-actor")
    return html.quote(name or role.value)


def audience_in(binding: ChatBinding | None) -> Audience | None:
    """Who reads a card posted in this chat, when not the card kind's own audience: the
    coordinator's chat may open an admin card from its queue, without the reporter's phone."""
    if binding is not None and binding.purpose is ChatPurpose.COORDINATOR:
        return Audience.COORDINATOR
    return None


def staff_card(t: Translator, kind: CardKind, case: CaseFile, names: Names, *,
               now: datetime | None = None, holder: str | None = None,
               audience: Audience | None = None) -> str:
    """A report as staff see it, as its card kind shows it; with `now`, how late it is."""
    view = CARDS[kind]
    moves = [e for e in case.events if e.action in LIFECYCLE_ACTIONS]
    last = moves[-1] if moves else None
    lines = [
        t(view.title, code=case.code),
        *([t("card-confidential")] if case.confidential else []),
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
    if moved_away(kind, case, holder):
        lines.append(t("card-moved-away", agency=html.quote(names.agency(case.agency_code))))
    else:
        lines += clock_lines(t, case, now)
    lines.append(reporter_line(t, case, audience or view.audience))
    if case.me_too:
        lines.append(t("card-me-too", count=case.me_too))
    if case.duplicate_of_code:
        lines.append(t("card-duplicate-of", code=case.duplicate_of_code))
    lines.append(t("card-description", description=html.quote(_short(case.description, 1500))))
    if view.shows_proof or (case.resolution_note and case.status in PROOF_SHOWN):
        lines.append(t("card-proof-note", note=html.quote(case.resolution_note or "-"),
                       photos=len(case.proof_photos)))
    if last is not None and last.action != "submit":
        lines.append(t("card-last-action", action=t(f"action-{last.action}"),
                       name=_actor_name(t, case, last.actor_name, last.actor_role),
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
    if case.duplicate_of_code:
        text += "\n" + t("citizen-duplicate-follow", code=case.duplicate_of_code)
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
    """The tracking code and the verification due date, with the home keyboard back; an
    anonymous or confidential report says what that flag means for it."""
    lines = [t(key, code=case.code, revision=case.revision,
               due=t.date(case.verify_due) if case.verify_due else "-")]
    if case.anonymous:
        lines.append(t("intake-submitted-anonymous"))
    if case.confidential:
        lines.append(t("intake-submitted-confidential"))
    return "\n\n".join(lines), main_menu(t)


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
    NoticeKind.CITIZEN_REASSIGNED: NoticeView("citizen-reassigned", reassigned),
    NoticeKind.SLA_REMINDER: NoticeView("sla-reminder", step_notice),
    NoticeKind.SLA_OVERDUE: NoticeView("sla-overdue", step_notice),
    NoticeKind.CITIZEN_SUBMITTED: NoticeView("intake-submitted", _submitted),
    NoticeKind.CITIZEN_RESUBMITTED: NoticeView("intake-resubmitted", _submitted),
}


COORDINATOR_NOTICES = frozenset({
    NoticeKind.COORDINATOR_FORWARDED, NoticeKind.COORDINATOR_SENT_BACK,
    NoticeKind.COORDINATOR_CLOSED, NoticeKind.COORDINATOR_REOPENED})


def render_notice(t: Translator, kind: NoticeKind, case: CaseFile, names: Names,
                  params: dict[str, str], now: datetime | None = None) -> Rendered:
    """A notice's text and buttons; a card notice is its header over the card and its buttons."""
    view = NOTICES[kind]
    if kind in COORDINATOR_NOTICES and not case.visible_to(Audience.COORDINATOR):
        return t("coordinator-confidential", code=case.code,
                 status=t(f"status-{case.status.value}")), None
    text, markup = view.text(t, view.key, case, names, params)
    if params.get("subscriber"):  # a citizen following someone else's report: news only
        return f"{t('subscriber-prefix', code=case.code)}\n\n{text}", None
    if view.card is None:
        return text, markup
    return (f"{text}\n\n{staff_card(t, view.card, case, names, now=now)}",
            card_buttons(t, view.card, case))
