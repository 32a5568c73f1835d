"""Reassign: admins and the coordinator move an overdue or misrouted report to another agency,
from the admin card or from the coordinator's escalation list.

The press asks, in the same chat, which agency; the pick runs the lifecycle's REASSIGN row
(complaints/lifecycle.py), which posts the new agency's card, refreshes the old one and tells
the citizen. Every press is authorised by the presser's own role, never by the chat.
"""

from __future__ import annotations

import logging

from aiogram import Router, html
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from complaints import admin, workflow
from complaints.errors import NotAllowed
from complaints.lifecycle import TRANSITIONS, Action
from complaints.model import Actor, CaseFile
from presentation.context import AppContext
from presentation.deadlines import CANCEL, ReassignCb, ReassignToCb
from presentation.keyboards import inline_keyboard
from presentation.texts import Translator

log = logging.getLogger(__name__)
REASSIGN = TRANSITIONS[Action.REASSIGN]


async def _actor(app: AppContext, user_id: int) -> Actor:
    """Admins, superadmins and the coordinator: the roles the REASSIGN row allows."""
    actor = await workflow.staff_actor(app.uow(), user_id)
    if actor.role not in REASSIGN.roles:
        log.warning("refused reassign: user %s (%s)", user_id, actor.role)
        raise NotAllowed()
    return actor


async def _movable(app: AppContext, report_id: int, version: int | None = None) -> CaseFile:
    """The report, if an agency still holds it (and, with a version, nothing moved since the
    question was asked), else 'already handled by …'."""
    case = await workflow.case_file(app.uow(), report_id)
    if case.status not in REASSIGN.sources or version not in (None, case.version):
        raise workflow.already_handled(case)
    return case


async def _agency_menu(app: AppContext, t: Translator, case: CaseFile) -> InlineKeyboardMarkup:
    agencies, suggested = await admin.agencies_for(app.uow(), case.category_key)
    rows = [[(("⭐ " if a.code == suggested else "") + f"{a.code} — {a.name}"[:60],
              ReassignToCb(report_id=case.id, version=case.version, agency=a.code))]
            for a in agencies if a.code != case.agency_code]
    cancel = ReassignToCb(report_id=case.id, version=case.version, agency=CANCEL)
    return inline_keyboard(*rows, [(t("btn-reassign-cancel"), cancel)])


async def ask_agency(query: CallbackQuery, callback_data: ReassignCb, t: Translator,
                     app: AppContext) -> None:
    """Reassign pressed: which agency? (asked below, so the card or the list stays as it is).

    The escalation list is a snapshot: the report may have moved on (the agency pressed
    "Proses") and still be movable, so the question is built on its current version."""
    await _actor(app, query.from_user.id)
    case = await _movable(app, callback_data.report_id)
    names = await app.names()
    await query.message.answer(
        t("reassign-ask", code=case.code, agency=html.quote(names.agency(case.agency_code))),
        reply_markup=await _agency_menu(app, t, case))


async def reassign_to(query: CallbackQuery, callback_data: ReassignToCb, t: Translator,
                      app: AppContext) -> None:
    """An agency picked (or cancel): the report moves, the question says where it went."""
    actor = await _actor(app, query.from_user.id)
    case = await _movable(app, callback_data.report_id, callback_data.version)
    if callback_data.agency == CANCEL:
        await query.message.edit_text(t("reassign-cancelled", code=case.code))
        return
    result = await workflow.act(
        app.uow(), report_id=case.id, action=Action.REASSIGN, actor=actor,
        expected_version=case.version, now=app.clock(), calendar=app.settings.calendar,
        sla=app.settings.sla, agency=callback_data.agency)
    names = await app.names()
    done = t("reassign-done", code=case.code,
             agency=html.quote(names.agency(result.report.agency_code)))
    await query.message.edit_text(done)


def create_router() -> Router:
    """Reassign buttons, wherever staff press them (authority is the presser's role)."""
    router = Router(name=__name__)
    router.callback_query.register(ask_agency, ReassignCb.filter())
    router.callback_query.register(reassign_to, ReassignToCb.filter())
    return router

