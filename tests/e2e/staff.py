"""A staffed city for workflow tests: agencies' groups, staff members, bound chats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from complaints import admin
from complaints.model import ChatPurpose, Role
from simulator import BotApiSimulator, SimGroup, SimMessage, SimUser
from tests.e2e.flows import expect, file_until_review, register, submit


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


async def staff_the_city(sim: BotApiSimulator, running) -> City:
    """Staff and chats set up as `lapor-admin` would, through the same services."""
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
    """The bot's next message in the group contains every fragment."""
    message = await user.next_message(chat=group, timeout=wait)
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


__all__ = ["City", "citizen_files", "expect", "in_group", "staff_the_city"]
