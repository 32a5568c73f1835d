"""Staff chats the bot cannot reach, failed rows, and cards sent around a crash (issue 9)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from complaints import admin
from complaints.clock import utc_now
from complaints.model import ChatPurpose
from configuration.settings import Settings
from simulator import BotApiSimulator, SimGroup, SimMessage
from tests.conftest import RunningBot
from tests.e2e.staff import City, admin_card, agency_card, citizen_files, forward
from tests.e2e.storage import scalar, until
from tests.texts import fragment, text

WAITING = fragment("chat-unreachable")  # the fixed wording of the alert


PLACEHOLDER = fragment("card-sending")


def cards_with(group: SimGroup, code: str) -> list[SimMessage]:
    """The bot's messages in a group that show this report (placeholders aside)."""
    return [m for m in group.bot_messages() if code in m.content and PLACEHOLDER not in m.content]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_agency_group_that_removed_the_bot_gets_its_card_when_it_is_back(
        sim: BotApiSimulator, city: City, settings: Settings) -> None:
    _, code = await citizen_files(sim, "Joko")
    card = await admin_card(city, code)
    remover = sim.user("Tono <Humas> & Co")
    city.pupr_group.add_member(remover)
    sim.remove_bot_from(city.pupr_group, by=remover)
    # told at once, before anything waits for the group, with who removed the bot
    for user, chat in ((city.admin, city.admin_group), (city.superadmin, None)):
        await user.wait_for(lambda m: WAITING in m.content and "grup dinas PUPR" in m.content
                            and "Tono <Humas> & Co" in m.content, chat=chat, timeout=10)
    await forward(city, card, "PUPR")
    # the card waits for the group; admins and the superadmin learn which report waits
    await until(settings, "select status from outbox where kind = 'agency_card'", "parked")
    for user, chat in ((city.admin, city.admin_group), (city.superadmin, None)):
        alert = await user.wait_for(lambda m: WAITING in m.content and code in m.content,
                                    chat=chat, timeout=10)
        assert "1 pesan" in alert.content
    await city.admin.send_text("/antrian", chat=city.admin_group)
    queue = await city.admin.wait_for(lambda m: "Antrian" in m.content
                                      and fragment("queue-unreachable") in m.content,
                                      chat=city.admin_group, timeout=10)
    assert "grup dinas PUPR" in queue.content and code in queue.content

    sim.add_bot_to(city.pupr_group, by=city.pupr)
    await agency_card(city.pupr, city.pupr_group, code)
    await until(settings, "select status from outbox where kind = 'agency_card'", "sent")
    await city.admin.wait_for(lambda m: fragment("chat-back") in m.content, chat=city.admin_group,
                              timeout=10)
    await asyncio.sleep(0.5)  # nothing more arrives: the card came once, its photos once
    assert len(cards_with(city.pupr_group, code)) == 1
    assert len([m for m in city.pupr_group.bot_messages() if m.photo_file_ids]) == 2
    await city.admin.send_text("/antrian", chat=city.admin_group)
    queue = await city.admin.wait_for(lambda m: "Antrian" in m.content
                                      and m.message_id > queue.message_id,
                                      chat=city.admin_group, timeout=10)
    assert fragment("queue-unreachable") not in queue.content


async def test_deleted_agency_group_rebound_to_a_new_group_gets_what_waited(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    _, code = await citizen_files(sim, "Maya")
    card = await admin_card(city, code)
    sim.delete_chat(city.pupr_group)  # 400 "chat not found", and no update says so
    await forward(city, card, "PUPR")
    alert = await city.superadmin.wait_for(lambda m: WAITING in m.content and code in m.content,
                                           timeout=10)
    assert "chat not found" in alert.content
    await city.admin.wait_for(lambda m: WAITING in m.content and code in m.content,
                              chat=city.admin_group, timeout=10)
    link, _ = await admin.new_link_code(bot.app.context.uow(), ChatPurpose.OPD, "PUPR",
                                        datetime.now(UTC))
    new_group = sim.group("OPD PUPR (baru)", members=[city.pupr, city.admin])
    await city.admin.send_text(f"/hubungkan {link}", chat=new_group)
    await agency_card(city.pupr, new_group, code)
    await until(settings, "select status from outbox where kind = 'agency_card'", "sent")
    assert await scalar(settings, "select count(*) from unreachable_chats") == 0


async def test_admin_group_that_cannot_be_reached_is_told_to_the_superadmins(
        sim: BotApiSimulator, city: City, settings: Settings) -> None:
    sim.delete_chat(city.admin_group)
    _, code = await citizen_files(sim, "Rina")
    alert = await city.superadmin.wait_for(lambda m: WAITING in m.content and code in m.content,
                                           timeout=10)
    assert "grup admin pengaduan" in alert.content
    await until(settings, "select status from outbox where kind = 'admin_card'", "parked")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_undeliverable_rows_reach_the_superadmins_once_an_hour(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Sari")
    card = await admin_card(city, code)
    citizen.block_bot()
    await forward(city, card, "PUPR")
    await until(settings, "select status from outbox where kind = 'citizen_forwarded'",
                "undeliverable")
    trouble = fragment("delivery-trouble")
    alert = await city.superadmin.wait_for(lambda m: trouble in m.content, timeout=10)
    assert str(citizen.id) in alert.content and code in alert.content
    # the next failure for that chat within the hour is only recorded, after a restart too
    await bot.restart()
    await city.pupr.press(await agency_card(city.pupr, city.pupr_group, code),
                          text("btn-process"))
    await until(settings, "select status from outbox where kind = 'citizen_in_progress'",
                "undeliverable")
    await asyncio.sleep(0.5)
    assert len([m for m in city.superadmin.messages() if trouble in m.content]) == 1
    # an hour later (the throttle is in the database) a retry that fails again is told again
    assert bot.app is not None
    later = utc_now() + timedelta(hours=1, minutes=1)
    bot.app.context.clock = lambda: later
    assert await bot.app.outbox.requeue(None, later) == 2
    await city.superadmin.wait_for(
        lambda m: len([x for x in city.superadmin.messages() if trouble in x.content]) == 2,
        timeout=10)
    await until(settings, "select count(*) from outbox where status = 'undeliverable'", 2)


async def _worker_dies(bot: RunningBot, monkeypatch: pytest.MonkeyPatch, owner: object,
                       name: str) -> asyncio.Event:
    """The next call of owner.name kills the outbox worker there (as a SIGKILL would),
    leaving its row claimed ('sending') with a lease that has not run out yet."""
    died = asyncio.Event()
    real = getattr(owner, name)

    async def dying(*args: object, **kwargs: object) -> object:
        to_a_group = any(isinstance(arg, int) and arg < 0  # not the citizen's receipt
                         for arg in (*args, *kwargs.values()))
        if not died.is_set() and kwargs.get("status", "sent") == "sent" and to_a_group:
            died.set()
            raise asyncio.CancelledError
        return await real(*args, **kwargs)

    monkeypatch.setattr(owner, name, dying)
    return died


async def _restart_after_the_lease(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Start again with the claim lease (30 s, not renewed by the dead worker) run out."""
    monkeypatch.undo()
    await bot.restart()
    assert bot.app is not None
    bot.app.context.clock = lambda: utc_now() + timedelta(minutes=3)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_crash_between_sending_a_card_and_recording_it_leaves_no_untracked_card(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    died = await _worker_dies(bot, monkeypatch, admin, "record_card")
    _, code = await citizen_files(sim, "Budi")
    await asyncio.wait_for(died.wait(), 10)
    assert await scalar(settings, "select status from outbox where kind = 'admin_card'") \
        == "sending"
    await _restart_after_the_lease(bot, monkeypatch)
    card = await admin_card(city, code)
    await until(settings, "select status from outbox where kind = 'admin_card'", "sent")
    # the placeholder sent before the crash is in the send journal: the retry fills that one
    # in instead of posting another, so no untracked copy is left in the group
    posted = [c for c in sim.calls_to("sendMessage") if c.ok
              and c.params.get("chat_id") == city.admin_group.id
              and PLACEHOLDER in str(c.params.get("text"))]
    assert len(posted) == 1 and posted[0].response["message_id"] == card.message_id
    assert not [m for m in city.admin_group.bot_messages() if PLACEHOLDER in m.content]
    assert [m.message_id for m in cards_with(city.admin_group, code)] == [card.message_id]
    assert await scalar(settings, "select count(*) from report_cards where message_id = :m",
                        m=card.message_id) == 1
    assert len([m for m in city.admin_group.bot_messages() if m.photo_file_ids]) == 2
    await forward(city, card, "PUPR")
    await city.admin.wait_for(lambda m: m.message_id == card.message_id
                              and m.buttons == [text("btn-reassign")]
                              and text("status-forwarded") in m.content,
                              chat=city.admin_group, timeout=10)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_crash_after_a_card_was_recorded_does_not_post_it_twice(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert bot.app is not None
    died = await _worker_dies(bot, monkeypatch, bot.app.outbox, "done")
    _, code = await citizen_files(sim, "Wati")
    await asyncio.wait_for(died.wait(), 10)
    first = await admin_card(city, code)
    await _restart_after_the_lease(bot, monkeypatch)
    await until(settings, "select status from outbox where kind = 'admin_card'", "sent")
    assert await scalar(settings, "select attempts from outbox where kind = 'admin_card'") == 2
    # the retry brought the recorded card up to date instead of posting another one
    assert [m.message_id for m in cards_with(city.admin_group, code)] == [first.message_id]
    assert not [m for m in city.admin_group.bot_messages() if PLACEHOLDER in m.content]
    await forward(city, first, "PUPR")
    await city.admin.wait_for(lambda m: m.message_id == first.message_id
                              and m.buttons == [text("btn-reassign")]
                              and text("status-forwarded") in m.content,
                              chat=city.admin_group, timeout=10)


async def test_cards_that_went_stale_while_the_bot_was_away_are_brought_up_to_date(
        sim: BotApiSimulator, city: City, settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Lina")
    card = await admin_card(city, code)
    sim.remove_bot_from(city.admin_group, by=city.admin)
    await city.superadmin.wait_for(lambda m: WAITING in m.content
                                   and "grup admin pengaduan" in m.content, timeout=10)
    await citizen.send_text(f"/status {code}")
    detail = await citizen.wait_for(lambda m: text("btn-withdraw") in m.buttons)
    await citizen.press(detail, text("btn-withdraw"))
    ask = await citizen.wait_for(lambda m: text("btn-withdraw-yes") in m.buttons)
    await citizen.press(ask, text("btn-withdraw-yes"))
    await until(settings, "select status from outbox where kind = 'admin_withdrawn'", "parked")
    await until(settings, "select status from outbox where kind = 'refresh_cards'", "sent")
    assert text("btn-verify-forward") in card.buttons  # the edit could not reach the group
    sim.add_bot_to(city.admin_group, by=city.admin)
    await city.admin.wait_for(lambda m: text("admin-withdrawn", code=code) in m.content,
                              chat=city.admin_group, timeout=10)
    await city.admin.wait_for(lambda m: m.message_id == card.message_id and not m.buttons
                              and text("status-withdrawn") in m.content, chat=city.admin_group,
                              timeout=10)


async def test_agency_group_that_took_the_bots_rights_gets_its_card_when_they_are_back(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    assert bot.app is not None
    dlh = sim.group("OPD DLH (supergrup)", chat_type="supergroup", members=[city.dlh])
    await admin.bind_chat(bot.app.context.uow(), dlh.id, ChatPurpose.OPD, "DLH",
                          datetime.now(UTC))
    _, code = await citizen_files(sim, "Dewi")
    card = await admin_card(city, code)
    sim.restrict_bot(dlh, by=city.dlh)
    await city.superadmin.wait_for(lambda m: WAITING in m.content and "grup dinas DLH" in m.content
                                   and "dicabut oleh Lala DLH" in m.content, timeout=10)
    await forward(city, card, "DLH")
    await city.superadmin.wait_for(lambda m: WAITING in m.content and code in m.content,
                                   timeout=10)
    await until(settings, "select status from outbox where kind = 'agency_card'", "parked")
    sim.restrict_bot(dlh, by=city.dlh, muted=False)
    await agency_card(city.dlh, dlh, code)
    await until(settings, "select status from outbox where kind = 'agency_card'", "sent")
    assert len(cards_with(dlh, code)) == 1
