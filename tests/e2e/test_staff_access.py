"""Who may press what, doubled presses, the queue, chat binding, and delivery under faults."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from complaints import admin
from complaints.model import ChatPurpose
from configuration.settings import Settings
from simulator import BotApiSimulator
from tests.conftest import RunningBot
from tests.e2e.staff import (
    City,
    admin_card,
    agency_card,
    citizen_files,
    close,
    expect,
    forward,
    in_group,
    open_menu,
    send_proof,
    start_work,
)
from tests.e2e.storage import report_status, scalar
from tests.texts import fragment, text


async def test_unauthorised_presses_change_nothing(
        sim: BotApiSimulator, city: City, settings: Settings) -> None:
    _, code = await citizen_files(sim, "Budi")
    card = await admin_card(city, code)
    refused = text("error-not-allowed")
    # a group member who is not staff
    query = await city.stranger.press(card, text("btn-verify-forward"))
    assert refused in (await city.stranger.callback_answer(query))["text"]
    # agency staff cannot verify, the coordinator neither
    for user in (city.pupr, city.coordinator):
        query = await user.press(card, text("btn-return"))
        assert refused in (await user.callback_answer(query))["text"]
    # a forged press that skips the menu straight to an agency, by a non-admin
    _, _, report_id, version = card.button_data(text("btn-verify-forward")).split(":")
    forged = await city.stranger.press_data(card, f"f1:{report_id}:{version}:PUPR")
    assert refused in (await city.stranger.callback_answer(forged))["text"]
    assert await report_status(settings, code) == "submitted"

    await forward(city, card, "PUPR")
    pupr_card = await agency_card(city.pupr, city.pupr_group, code)
    # staff of another agency pressing PUPR's card
    query = await city.dlh.press(pupr_card, text("btn-process"))
    assert refused in (await city.dlh.callback_answer(query))["text"]
    # an admin pressing the agency's button
    query = await city.admin.press(pupr_card, text("btn-process"))
    assert refused in (await city.admin.callback_answer(query))["text"]
    assert await report_status(settings, code) == "forwarded"
    # garbage callback data
    query = await city.pupr.press_data(pupr_card, "s1:zz:1:1")
    assert (await city.pupr.callback_answer(query)) is not None
    assert await report_status(settings, code) == "forwarded"


async def test_stale_card_and_double_press_apply_once(
        sim: BotApiSimulator, city: City, settings: Settings) -> None:
    _, code = await citizen_files(sim, "Sari")
    card = await admin_card(city, code)
    menu = await open_menu(city.admin, city.admin_group, card, text("btn-verify-forward"), "PUPR")
    pupr, dlh = menu.button_data("PUPR"), menu.button_data("DLH")
    first, second = await asyncio.gather(city.admin.press_data(menu, pupr),
                                         city.admin2.press_data(menu, dlh))
    answers = [await city.admin.callback_answer(first), await city.admin2.callback_answer(second)]
    assert "Diteruskan" in answers[0]["text"]
    assert "Sudah ditangani oleh Ani Admin" in answers[1]["text"]
    # the same press replayed later, from an old card
    again = await city.admin2.press_data(menu, dlh)
    assert "Sudah ditangani oleh Ani Admin" in (await city.admin2.callback_answer(again))["text"]
    await agency_card(city.pupr, city.pupr_group, code)
    assert await report_status(settings, code) == "forwarded"
    assert await scalar(
        settings, "select count(*) from report_events where action = 'forward'") == 1
    assert await scalar(settings, "select count(*) from outbox where kind = 'agency_card'") == 1


async def test_queue_lists_what_waits_paged(sim: BotApiSimulator, city: City) -> None:
    codes = []
    for n in range(6):
        _, code = await citizen_files(sim, f"Warga {chr(65 + n)}", photos=1)
        codes.append(code)
    await city.admin.send_text("/antrian", chat=city.admin_group)
    page = await city.admin.wait_for(lambda m: "Antrian (6)" in m.content, chat=city.admin_group,
                                     timeout=10)
    assert "halaman 1/2" in page.content
    assert all(code in page.content for code in codes[:5]) and codes[5] not in page.content
    await city.admin.press(page, "▶️")
    page2 = await city.admin.wait_for(lambda m: "halaman 2/2" in m.content,
                                      chat=city.admin_group)
    assert codes[5] in page2.content
    await city.admin.press(page2, text("btn-show", code=codes[5]))
    shown = await city.admin.wait_for(lambda m: codes[5] in m.content and
                                      text("btn-verify-forward") in m.buttons
                                      and m.message_id > page2.message_id,
                                      chat=city.admin_group)
    await forward(city, shown, "PUPR")
    await agency_card(city.pupr, city.pupr_group, codes[5])
    await city.pupr.send_text("/antrian", chat=city.pupr_group)
    agency_queue = await city.pupr.wait_for(lambda m: "Antrian (1)" in m.content,
                                            chat=city.pupr_group, timeout=10)
    assert codes[5] in agency_queue.content
    # a non-staff member asking for the queue is refused
    await city.stranger.send_text("/antrian", chat=city.admin_group)
    await city.stranger.wait_for(lambda m: text("error-not-allowed") in m.content,
                                 chat=city.admin_group)


async def test_link_code_binds_a_group_once(
        sim: BotApiSimulator, bot: RunningBot, city: City) -> None:
    uow = bot.app.context.uow
    code, _ = await admin.new_link_code(uow(), ChatPurpose.OPD, "DISHUB", datetime.now(UTC))
    dishub_operator = sim.user("Dedi Dishub")
    new_group = sim.group("OPD Dishub", members=[dishub_operator, city.admin, city.stranger])
    sim.add_bot_to(new_group, by=city.admin)
    await city.superadmin.wait_for(lambda m: "OPD Dishub" in m.content
                                   and "belum terhubung" in m.content, timeout=10)
    # silent in an unbound group
    await city.stranger.send_text("/antrian", chat=new_group)
    await city.stranger.send_text(f"/hubungkan {code}", chat=new_group)
    await city.stranger.wait_for(lambda m: text("error-not-allowed") in m.content,
                                 chat=new_group)
    await city.admin.send_text(f"/hubungkan {code.lower()}", chat=new_group)
    await city.admin.wait_for(lambda m: "terhubung sebagai grup dinas DISHUB" in m.content,
                              chat=new_group)
    await city.admin.send_text(f"/hubungkan {code}", chat=city.coordinator_group)
    await city.admin.wait_for(lambda m: "sudah dipakai" in m.content,
                              chat=city.coordinator_group)
    binding = await admin.chat_binding(uow(), new_group.id)
    assert binding is not None and binding.agency_code == "DISHUB"
    assert not [m for m in new_group.bot_messages() if "Antrian" in m.content]


async def test_notifications_survive_429_and_5xx(sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Joko")
    card = await admin_card(city, code)
    sim.faults.inject("429", method="sendMessage", chat_id=city.pupr_group.id, retry_after=1)
    sim.faults.inject("502", method="sendMediaGroup", chat_id=city.pupr_group.id, count=2)
    sim.faults.inject("500", method="sendMessage", chat_id=citizen.id, count=2)
    sim.faults.inject("429", method="sendMessage", chat_id=city.coordinator_group.id,
                      retry_after=1)
    await forward(city, card, "PUPR")
    pupr_card = await agency_card(city.pupr, city.pupr_group, code)
    photos = [m for m in city.pupr_group.bot_messages() if m.photo_file_ids]
    assert len(photos) == 2  # the album went out once despite the failures
    await expect(citizen, fragment("citizen-forwarded"), wait=20)
    await in_group(city.coordinator, city.coordinator_group, code, wait=20)
    statuses = {c.status for c in sim.calls_to("sendMessage")}
    assert {429, 500} <= statuses
    assert pupr_card.buttons


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_restart_between_steps_loses_nothing(
        sim: BotApiSimulator, bot: RunningBot, city: City) -> None:
    citizen, code = await citizen_files(sim, "Rudi")
    card = await admin_card(city, code)
    await bot.restart()
    await forward(city, card, "PUPR")
    await agency_card(city.pupr, city.pupr_group, code)
    await bot.restart()
    await city.pupr.press(await start_work(city, code), text("btn-done-proof"))
    ask = await city.pupr.wait_for(lambda m: m.force_reply, chat=city.pupr_group)
    await bot.restart()
    await send_proof(city.pupr, ask, "Sudah beres.", chat=city.pupr_group)
    await close(city)
    await citizen.wait_for(lambda m: fragment("citizen-closed") in m.content, timeout=10)


async def test_blocked_citizen_and_migrated_group(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Maya")
    card = await admin_card(city, code)
    citizen.block_bot()
    new_id = city.pupr_group.migrate_to_supergroup()
    await forward(city, card, "PUPR")
    await agency_card(city.pupr, city.pupr_group, code)
    binding = await admin.chat_binding(bot.app.context.uow(), new_id)
    assert binding is not None and binding.agency_code == "PUPR"
    for _ in range(50):
        status = await scalar(settings,
                              "select status from outbox where kind = 'citizen_forwarded'")
        if status == "undeliverable":
            break
        await asyncio.sleep(0.1)
    assert status == "undeliverable"


async def test_coordinator_opens_a_card_from_its_queue_without_the_reporters_phone(
        sim: BotApiSimulator, city: City) -> None:
    _, code = await citizen_files(sim, "Warga Koordinasi", photos=1)
    await city.coordinator.send_text("/antrian", chat=city.coordinator_group)
    queue = await city.coordinator.wait_for(lambda m: code in m.content and "Antrian" in m.content,
                                            chat=city.coordinator_group, timeout=10)
    await city.coordinator.press(queue, text("btn-show", code=code))
    shown = await city.coordinator.wait_for(
        lambda m: code in m.content and "Warga Koordinasi" in m.content
        and m.message_id > queue.message_id, chat=city.coordinator_group)
    assert "81234567890" not in shown.content  # the admin group's card shows it, not this one
    card = await admin_card(city, code)
    assert "81234567890" in card.content
    await forward(city, card, "PUPR")  # the coordinator's copy is refreshed: still no phone
    refreshed = await city.coordinator.wait_for(
        lambda m: m.message_id == shown.message_id and text("status-forwarded") in m.content,
        chat=city.coordinator_group, timeout=10)
    assert "81234567890" not in refreshed.content and "Warga Koordinasi" in refreshed.content
