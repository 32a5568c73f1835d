"""Administration use cases: agencies, staff, chat bindings, link codes (CLI and bot alike)."""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from complaints import delivery
from complaints.errors import InvalidInput, NotAllowed
from complaints.model import Agency, CardKind, ChatBinding, ChatPurpose, Role, StaffMember
from complaints.ports import UnitOfWork
from complaints.tracking import ALPHABET
from complaints.validation import clean_text

LINK_CODE_TTL = timedelta(hours=24)
_AGENCY_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")


def _agency_code(code: str) -> str:
    code = code.strip().upper()
    if not _AGENCY_CODE.match(code):
        raise InvalidInput("error-agency-code", code=code)
    return code


async def _active_agency(uow: UnitOfWork, code: str) -> str:
    """The code of an existing, active agency, or InvalidInput."""
    agency = await uow.agencies.get(_agency_code(code))
    if agency is None or not agency.active:
        raise InvalidInput("error-agency-unknown")
    return agency.code


async def add_agency(uow: UnitOfWork, code: str, name: str) -> Agency:
    """A new agency (OPD); its code is short and upper case, e.g. PUPR."""
    code, name = _agency_code(code), clean_text(name)
    if not name or len(name) > 120:
        raise InvalidInput("error-agency-name")
    async with uow:
        if await uow.agencies.get(code) is not None:
            raise InvalidInput("error-agency-exists", code=code)
        agency = Agency(code, name)
        await uow.agencies.save(agency)
        await uow.commit()
        return agency


async def edit_agency(uow: UnitOfWork, code: str, *, name: str | None = None,
                      active: bool | None = None) -> Agency:
    """Rename, deactivate or reactivate an agency (reports keep their history)."""
    name = clean_text(name) if name is not None else None
    async with uow:
        agency = await uow.agencies.get(_agency_code(code))
        if agency is None:
            raise InvalidInput("error-agency-unknown")
        if name is not None and (not name.strip() or len(name.strip()) > 120):
            raise InvalidInput("error-agency-name")
        agency = replace(agency, name=name.strip() if name else agency.name,
                         active=agency.active if active is None else active)
        await uow.agencies.save(agency)
        await uow.commit()
        return agency


async def list_agencies(uow: UnitOfWork, include_inactive: bool = False) -> list[Agency]:
    """Agencies by code."""
    async with uow:
        return await uow.agencies.list(include_inactive)


async def agencies_for(uow: UnitOfWork, category_key: str) -> tuple[list[Agency], str | None]:
    """Active agencies with the category's suggested one first."""
    async with uow:
        agencies = await uow.agencies.list()
        suggested = await uow.agencies.suggested_for(category_key)
    agencies.sort(key=lambda a: (a.code != suggested, a.code))
    return agencies, suggested


async def suggest_agency(uow: UnitOfWork, category_key: str, agency_code: str | None) -> None:
    """Edit the category → suggested agency table."""
    async with uow:
        if agency_code is not None and await uow.agencies.get(_agency_code(agency_code)) is None:
            raise InvalidInput("error-agency-unknown")
        if not await uow.agencies.set_suggestion(category_key,
                                                 agency_code.upper() if agency_code else None):
            raise InvalidInput("error-category-unknown")
        await uow.commit()


async def add_staff(uow: UnitOfWork, telegram_id: int, name: str, role: Role,
                    agency_code: str | None, now: datetime) -> StaffMember:
    """Bind a Telegram user id to a staff role; opd staff belong to exactly one agency."""
    if role == Role.CITIZEN:
        raise InvalidInput("error-staff-role")
    if (role == Role.OPD) != (agency_code is not None):
        raise InvalidInput("error-staff-agency")
    name = clean_text(name)  # shown in every card's "last action": nothing invisible in it
    if len(name) > 100:
        raise InvalidInput("error-name-length", min=1, max=100)
    async with uow:
        if agency_code is not None:
            agency_code = await _active_agency(uow, agency_code)
        member = StaffMember(telegram_id, name.strip() or str(telegram_id), role, agency_code)
        await uow.staff.save(member, now)
        await uow.commit()
        return member


async def remove_staff(uow: UnitOfWork, telegram_id: int) -> bool:
    """Take a staff role away; their past actions stay in the audit trail."""
    async with uow:
        removed = await uow.staff.remove(telegram_id)
        await uow.commit()
        return removed


async def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    """Everyone with a staff role."""
    async with uow:
        return await uow.staff.list()


def _check_binding(purpose: ChatPurpose, agency_code: str | None) -> str | None:
    if (purpose == ChatPurpose.OPD) != (agency_code is not None):
        raise InvalidInput("error-chat-agency")
    return _agency_code(agency_code) if agency_code else None


async def bind_chat(uow: UnitOfWork, chat_id: int, purpose: ChatPurpose, agency_code: str | None,
                    now: datetime, title: str | None = None) -> ChatBinding:
    """Bind a group to a purpose (admin group, coordinator chat, one agency's group)."""
    agency_code = _check_binding(purpose, agency_code)
    async with uow:
        if agency_code:
            await _active_agency(uow, agency_code)
        binding = ChatBinding(chat_id, purpose, agency_code, title)
        await uow.chats.bind(binding, now)
        await delivery.rebound(uow, binding)
        await uow.commit()
        return binding


async def unbind_chat(uow: UnitOfWork, chat_id: int) -> bool:
    """Forget a chat's purpose; the bot goes silent there."""
    async with uow:
        removed = await uow.chats.unbind(chat_id)
        await uow.commit()
        return removed


async def list_chats(uow: UnitOfWork) -> list[ChatBinding]:
    """Every bound chat."""
    async with uow:
        return await uow.chats.list()


async def chat_binding(uow: UnitOfWork, chat_id: int) -> ChatBinding | None:
    """What a chat is bound to, if anything."""
    async with uow:
        return await uow.chats.get(chat_id)


async def chat_for(uow: UnitOfWork, purpose: ChatPurpose,
                   agency_code: str | None = None) -> ChatBinding | None:
    """The chat bound to a purpose (the newest, if several were bound)."""
    async with uow:
        return await uow.chats.find(purpose, agency_code)


async def new_link_code(uow: UnitOfWork, purpose: ChatPurpose, agency_code: str | None,
                        now: datetime, ttl: timedelta = LINK_CODE_TTL) -> tuple[str, datetime]:
    """A one-time code that binds the group it is sent in (`/hubungkan CODE`)."""
    agency_code = _check_binding(purpose, agency_code)
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    async with uow:
        if agency_code:
            await _active_agency(uow, agency_code)
        await uow.chats.add_link_code(code, purpose, agency_code, now, now + ttl)
        await uow.commit()
    return code, now + ttl


async def bind_with_code(uow: UnitOfWork, code: str, *, user_id: int, chat_id: int,
                         title: str | None, now: datetime) -> ChatBinding:
    """Use a link code in a group: only staff may, each code once, before it expires."""
    async with uow:
        if await uow.staff.get(user_id) is None:
            raise NotAllowed()
        used = await uow.chats.use_link_code(code.strip().upper(), user_id, chat_id, now)
        if used is None:
            raise InvalidInput("error-link-code")
        purpose, agency_code = used
        binding = ChatBinding(chat_id, purpose, agency_code, title)
        await uow.chats.bind(binding, now)
        await delivery.rebound(uow, binding)
        await uow.commit()
        return binding


async def migrate_chat(uow: UnitOfWork, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: keep its binding under the new id."""
    async with uow:
        await uow.chats.move(old_chat_id, new_chat_id)
        await uow.commit()


async def superadmins(uow: UnitOfWork) -> list[StaffMember]:
    """Who hears about chats nobody bound."""
    async with uow:
        return [m for m in await uow.staff.list() if m.role == Role.SUPERADMIN and m.active]


async def record_card(uow: UnitOfWork, report_id: int, chat_id: int, message_id: int,
                      kind: CardKind) -> None:
    """Remember a card just posted, so later transitions update it in place."""
    async with uow:
        await uow.cards.add(report_id, chat_id, message_id, kind)
        await uow.commit()
