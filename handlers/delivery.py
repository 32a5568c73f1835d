"""Staff chats the bot cannot reach: the admin group and the superadmins are told at once with
what waits, /antrian shows it, and it is delivered when the bot is back in the chat.

The outbox worker finds most of these (a 403, or a 400 "chat not found", on a staff chat) and
calls `StaffAlerts`; a `my_chat_member` update says it even before anything waits. Alerts are
sent directly (the request layer retries 429 and 5xx): the unreachable mark and the parked rows
are in the database, so /antrian and `lapor-admin outbox` show them even if an alert is lost.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Filter
from aiogram.types import ChatMemberUpdated, InlineKeyboardMarkup, Message

from complaints import admin, delivery
from complaints.model import CardKind, CaseFile, ChatBinding, ChatPurpose, UnreachableChat
from presentation.context import AppContext
from presentation.texts import Translator

log = logging.getLogger(__name__)
GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}
REACHABLE = {"member", "administrator", "creator"}


def chat_label(t: Translator, purpose: ChatPurpose, agency_code: str | None) -> str:
    """'the agency group of PUPR'."""
    return t(f"chat-label-{purpose.value}", agency=agency_code or "")


def _codes(t: Translator, codes: tuple[str, ...]) -> str:
    return t("chat-codes", codes=", ".join(codes)) if codes else ""


def unreachable_text(t: Translator, chat: UnreachableChat) -> str:
    """The alert: which chat, why, and what waits for it."""
    return t("chat-unreachable", chat=chat_label(t, chat.purpose, chat.agency_code),
             chat_id=str(chat.chat_id), reason=html.quote(chat.error or "-"), count=chat.waiting,
             codes=_codes(t, chat.codes))


async def queue_section(app: AppContext, t: Translator) -> str:
    """The part of the admin group's /antrian about chats that cannot be reached."""
    chats = await delivery.unreachable_chats(app.uow())
    if not chats:
        return ""
    lines = [t("queue-unreachable-line", chat=chat_label(t, c.purpose, c.agency_code),
               chat_id=str(c.chat_id), since=t.datetime(c.since), count=c.waiting,
               codes=_codes(t, c.codes)) for c in chats]
    return "\n\n" + "\n".join([t("queue-unreachable"), *lines])


async def post_card(reply_to: Message, t: Translator, app: AppContext, case: CaseFile,
                    kind: CardKind, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Post a card in a handler's chat as the outbox does: a placeholder, recorded before it
    gets its buttons, so a crash in between leaves no untracked card."""
    placeholder = await reply_to.answer(t("card-sending", code=case.code))
    await admin.record_card(app.uow(), case.id, placeholder.chat.id, placeholder.message_id,
                            kind)
    await placeholder.edit_text(text, reply_markup=markup, disable_web_page_preview=True)


class StaffAlerts:
    """Tells the admin group and every superadmin (in their private chats) about delivery."""

    def __init__(self, bot: Bot, app: AppContext) -> None:
        self.bot = bot
        self.app = app
        self.t = Translator(app.settings.default_language, app.settings.zone)

    async def chat_lost(self, chat: UnreachableChat) -> None:
        """A staff chat cannot be reached: both audiences hear it (the admin group unless it
        is the lost chat; if the admin group cannot be reached either, the superadmins)."""
        await self.tell(unreachable_text(self.t, chat), skip_chat=chat.chat_id)

    async def chat_back(self, purpose: ChatPurpose, agency_code: str | None, chat_id: int,
                        count: int) -> None:
        """The bot is back in the chat and what waited is on its way."""
        await self.tell(self.t("chat-back", chat=chat_label(self.t, purpose, agency_code),
                               chat_id=str(chat_id), count=count))

    async def trouble(self, chat_id: int, count: int, codes: tuple[str, ...], error: str) -> None:
        """Rows failed or undeliverable for a chat: the superadmins only (throttled by caller)."""
        await self.tell(self.t("delivery-trouble", chat_id=str(chat_id), count=count,
                               codes=_codes(self.t, codes), error=html.quote(error[:300])),
                        admin_group=False)

    async def tell(self, text: str, *, skip_chat: int | None = None,
                   admin_group: bool = True) -> None:
        """Send to the admin group (if asked and reachable) and to each superadmin."""
        if admin_group:
            binding = await admin.chat_for(self.app.uow(), ChatPurpose.ADMIN)
            if binding is not None and binding.chat_id != skip_chat and \
                    await delivery.unreachable_chat(self.app.uow(), binding.chat_id) is None:
                await self._admin_group(binding.chat_id, text)
        for member in await admin.superadmins(self.app.uow()):
            await self._send(member.telegram_id, text)

    async def _admin_group(self, chat_id: int, text: str) -> None:
        """The admin group itself may be unreachable: mark it, the superadmins hear of it."""
        try:
            await self.bot.send_message(chat_id, text)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            if isinstance(exc, TelegramBadRequest) and not delivery.unreachable_error(
                    exc.message):
                log.warning("alert refused in the admin group: %s", exc.message)
                return
            lost = await delivery.chat_lost(self.app.uow(), chat_id, exc.message,
                                            self.app.clock())
            if lost is not None:
                for member in await admin.superadmins(self.app.uow()):
                    await self._send(member.telegram_id, unreachable_text(self.t, lost))
        except Exception:
            log.warning("could not alert the admin group %s", chat_id, exc_info=True)

    async def _send(self, chat_id: int, text: str) -> None:
        try:
            await self.bot.send_message(chat_id, text)
        except Exception:
            log.warning("could not alert superadmin %s", chat_id, exc_info=True)


async def membership(event: ChatMemberUpdated, app: AppContext, binding: ChatBinding) -> None:
    """The bot was removed from a bound chat, or came back: mark it, tell staff, resume."""
    alerts = StaffAlerts(event.bot, app)
    member = event.new_chat_member
    can_send = member.status in REACHABLE or (
        member.status == "restricted" and getattr(member, "can_send_messages", False))
    if can_send:
        count = await delivery.chat_back(app.uow(), event.chat.id, app.clock())
        if count is not None:
            await alerts.chat_back(binding.purpose, binding.agency_code, event.chat.id, count)
        return
    # stored as plain text, like Telegram's own error texts; quoted where it is shown
    reason = alerts.t("chat-restricted-by" if member.status == "restricted" else
                      "chat-removed-by", status=member.status, by=event.from_user.full_name)
    lost = await delivery.chat_lost(app.uow(), event.chat.id, reason, app.clock())
    if lost is not None:
        await alerts.chat_lost(lost)


class BoundGroup(Filter):
    """Only membership changes of chats bound to a purpose (others: handlers/staff.py)."""

    async def __call__(self, event: ChatMemberUpdated, app: AppContext) -> bool | dict:
        binding = await admin.chat_binding(app.uow(), event.chat.id)
        return {"binding": binding} if binding else False


def create_router() -> Router:
    """Membership of bound staff chats (included before the staff router)."""
    router = Router(name=__name__)
    router.my_chat_member.filter(F.chat.type.in_(GROUPS))
    router.my_chat_member.register(membership, BoundGroup())
    return router
