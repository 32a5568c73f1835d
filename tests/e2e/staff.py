"""A staffed city for workflow tests: agencies' groups, staff members, bound chats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from complaints import admin
from complaints.model import ChatPurpose, Role
from simulator import BotApiSimulator, SimGroup, SimMessage, SimUser
from tests.conftest import RunningBot
from tests.e2e.flows import expect, file_until_review, register, submit
from tests.texts import fragment as fixed_part
from tests.texts import text


@dataclass
class City:
    """Who is who in the tests."""

    admin: SimUser
    admin2: SimUser
    coordinator: SimUser
    pupr: SimUser
    dlh: SimUser
    superadmin: SimUser
    stranger: SimUser
    admin_group: SimGroup
    coordinator_group: SimGroup
    pupr_group: SimGroup
    dlh_group: SimGroup


async def staff_the_city(sim: BotApiSimulator, running: RunningBot) -> City:
    """Staff and chats set up as `lapor-admin` would, through the same services."""
    assert running.app is not None, "the bot must be running"
    uow = running.app.context.uow
    now = datetime.now(UTC)
    users = {name: sim.user(name) for name in
             ("Ani Admin", "Dodi Admin", "Kiki Koordinator", "Putu PUPR", "Lala DLH",
              "Super Sari", "Orang Iseng")}
    roles = [("Ani Admin", Role.ADMIN, None), ("Dodi Admin", Role.ADMIN, None),
             ("Kiki Koordinator", Role.COORDINATOR, None), ("Putu PUPR", Role.OPD, "PUPR"),
             ("Lala DLH", Role.OPD, "DLH"), ("Super Sari", Role.SUPERADMIN, None)]
    for name, role, agency in roles:
        await admin.add_staff(uow(), users[name].id, name, role, agency, now)
    everyone = list(users.values())
    groups = {
        "admin": sim.group("Admin Pengaduan", members=everyone),
        "coordinator": sim.group("Koordinator", members=everyone),
        "pupr": sim.group("OPD PUPR", members=everyone),
        "dlh": sim.group("OPD DLH", members=everyone),
    }
    await admin.bind_chat(uow(), groups["admin"].id, ChatPurpose.ADMIN, None, now)
    await admin.bind_chat(uow(), groups["coordinator"].id, ChatPurpose.COORDINATOR, None, now)
    await admin.bind_chat(uow(), groups["pupr"].id, ChatPurpose.OPD, "PUPR", now)
    await admin.bind_chat(uow(), groups["dlh"].id, ChatPurpose.OPD, "DLH", now)
    return City(users["Ani Admin"], users["Dodi Admin"], users["Kiki Koordinator"],
                users["Putu PUPR"], users["Lala DLH"], users["Super Sari"], users["Orang Iseng"],
                groups["admin"], groups["coordinator"], groups["pupr"], groups["dlh"])


async def in_group(user: SimUser, group: SimGroup, *fragments: str,
                   wait: float = 10.0) -> SimMessage:
    """The bot's next message in the group contains every fragment (a card is posted as a
    placeholder first and filled in at once: wait for that)."""
    message = await user.next_message(chat=group, timeout=wait)
    placeholder = fixed_part("card-sending")
    if placeholder in message.content:
        message = await user.wait_for(lambda m: m.message_id == message.message_id
                                      and placeholder not in m.content,
                                      chat=group, timeout=wait)
    for fragment in fragments:
        assert fragment in message.content, (
            f"expected {fragment!r} in the bot's group message:\n{message.content}")
    return message


async def citizen_files(sim: BotApiSimulator, name: str = "Budi", photos: int = 2,
                        description: str | None = None) -> tuple[SimUser, str]:
    """A registered citizen with one submitted report."""
    citizen = sim.user(name)
    await register(citizen, name=name)
    kwargs = {"description": description} if description else {}
    code = await submit(citizen, await file_until_review(citizen, photos=photos, **kwargs))
    return citizen, code


async def open_menu(user: SimUser, group: SimGroup, card: SimMessage, button: str,
                    option: str) -> SimMessage:
    """Press a card's button; the card turns into a menu offering `option`."""
    await user.press(card, button)
    return await user.wait_for(lambda m: m.message_id == card.message_id
                               and any(option in b for b in m.buttons), chat=group)


async def admin_card(city: City, code: str) -> SimMessage:
    """The report's card in the admin group (after its photos), with its buttons."""
    verify = text("btn-verify-forward")
    return await city.admin.wait_for(lambda m: code in m.content and verify in m.buttons,
                                     chat=city.admin_group, timeout=10)


async def forward(city: City, card: SimMessage, agency: str) -> None:
    """The admin verifies the report and forwards it to the agency from the card's menu."""
    menu = await open_menu(city.admin, city.admin_group, card, text("btn-verify-forward"),
                           agency)
    await city.admin.press(menu, agency)


async def agency_card(user: SimUser, group: SimGroup, code: str,
                      button: str | None = None) -> SimMessage:
    """The report's card in an agency's group offering `button` (Process by default)."""
    wanted = button or text("btn-process")
    return await user.wait_for(lambda m: code in m.content and wanted in m.buttons,
                               chat=group, timeout=10)


async def start_work(city: City, code: str) -> SimMessage:
    """PUPR's operator presses Process; returns the card now offering Done (send proof)."""
    await city.pupr.press(await agency_card(city.pupr, city.pupr_group, code),
                          text("btn-process"))
    return await agency_card(city.pupr, city.pupr_group, code, text("btn-done-proof"))


async def send_proof(user: SimUser, ask: SimMessage, note: str,
                     chat: SimGroup | None = None) -> None:
    """Answer the proof question with one photo captioned with the note, then send it."""
    await user.send_photo(chat=chat, reply_to=ask, caption=note)
    send = text("btn-proof-submit")
    summary = await user.wait_for(lambda m: note in m.content and send in m.buttons, chat=chat)
    await user.press(summary, send)


async def proof_card(city: City, *fragments: str) -> SimMessage:
    """The proof card in the admin group, with Close and Reject, containing every fragment."""
    close_button = text("btn-close-notify")
    return await city.admin.wait_for(lambda m: close_button in m.buttons
                                     and all(part in m.content for part in fragments),
                                     chat=city.admin_group, timeout=10)


async def close(city: City, *fragments: str) -> None:
    """The admin closes the resolved report from its proof card and the citizen is told."""
    await city.admin.press(await proof_card(city, *fragments), text("btn-close-notify"))


__all__ = ["City", "admin_card", "agency_card", "citizen_files", "close", "expect", "forward",
           "in_group", "open_menu", "proof_card", "send_proof", "staff_the_city", "start_work"]
