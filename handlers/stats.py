"""/rekap: the period's figures for staff, as a short text and one chart.

Admins and the coordinator see the whole city; an agency's officers see their agency only;
anyone else (a citizen) is refused politely. Authority comes from the sender's own staff role,
never from the chat. The figures and the chart are made in a process of its own
(bot/statistics.py), so conversations go on meanwhile.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from complaints import workflow
from complaints.errors import NotAllowed
from complaints.model import Role
from complaints.periods import parse_period
from handlers.staff import GROUPS, BoundChat
from presentation.context import AppContext
from presentation.stats_view import rekap_text
from presentation.texts import Translator

log = logging.getLogger(__name__)
CITY_WIDE = {Role.ADMIN, Role.SUPERADMIN, Role.COORDINATOR}


async def rekap(message: Message, command: CommandObject, t: Translator,
                app: AppContext) -> None:
    """/rekap [bulan ini | minggu ini | 2026-11 | 2026-11-01..2026-11-30]."""
    try:
        actor = await workflow.staff_actor(app.uow(), message.from_user.id)
    except NotAllowed:
        await message.answer(t("rekap-refused"))
        return
    if actor.role not in CITY_WIDE and not (actor.role == Role.OPD and actor.agency_code):
        await message.answer(t("rekap-refused"))
        return
    today = app.clock().astimezone(app.settings.zone).date()
    period = parse_period(command.args, today)
    agency = None if actor.role in CITY_WIDE else actor.agency_code
    if app.statistics is None:
        raise RuntimeError("no statistics source configured")
    figures, chart = await app.statistics.rekap(period, agency, t)
    await message.answer(rekap_text(t, figures, await app.names()))
    await message.answer_photo(BufferedInputFile(chart, f"rekap-{period.label}.png"),
                               caption=t("rekap-chart-caption", period=period.label))


def create_router() -> Router:
    """/rekap in private chats and in bound staff groups (silence in unbound groups)."""
    router = Router(name=__name__)
    command = Command("rekap", "stats")
    router.message.register(rekap, command, F.chat.type == ChatType.PRIVATE)
    router.message.register(rekap, command, F.chat.type.in_(GROUPS), BoundChat())
    return router
