"""Who may press what, doubled presses, the queue, chat binding, and delivery under faults."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from complaints import admin
from complaints.model import ChatPurpose
from db.engine import create_engine
from simulator import BotApiSimulator
from tests.e2e.staff import citizen_files, expect, in_group, staff_the_city
from tests.e2e.test_workflow import _admin_card, _agency_card, _forward


async def _status(settings, code: str) -> str:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(
                text("select status from reports where code = :c"), {"c": code})
    finally:
        await engine.dispose()


async def test_unauthorised_presses_change_nothing(sim: BotApiSimulator, bot, settings) -> None:
    city = await staff_the_city(sim, bot)
    _, code = await citizen_files(sim, "Budi")
    card = await _admin_card(city, code)
    # a group member who is not staff
    query = await city.stranger.press(card, "Verifikasi & teruskan")
    assert "tidak berwenang" in (await city.stranger.callback_answer(query))["text"]
    # agency staff cannot verify, the coordinator neither
    for user in (city.pupr, city.coordinator):
        query = await user.press(card, "Kembalikan")
        assert "tidak berwenang" in (await user.callback_answer(query))["text"]
    # a forged press that skips the menu straight to an agency, by a non-admin
    _, _, report_id, version = card.button_data("Verifikasi").split(":")
    forged = await city.stranger.press_data(card, f"f1:{report_id}:{version}:PUPR")
    assert "tidak berwenang" in (await city.stranger.callback_answer(forged))["text"]
    assert await _status(settings, code) == "submitted"

    await _forward(city, card, "PUPR")
    agency_card = await _agency_card(city.pupr, city.pupr_group, code)
    # staff of another agency pressing PUPR's card
    query = await city.dlh.press(agency_card, "Proses")
    assert "tidak berwenang" in (await city.dlh.callback_answer(query))["text"]
    # an admin pressing the agency's button
    query = await city.admin.press(agency_card, "Proses")
    assert "tidak berwenang" in (await city.admin.callback_answer(query))["text"]
    assert await _status(settings, code) == "forwarded"
    # garbage callback data
    query = await city.pupr.press_data(agency_card, "s1:zz:1:1")
    assert (await city.pupr.callback_answer(query)) is not None
    assert await _status(settings, code) == "forwarded"


async def test_stale_card_and_double_press_apply_once(sim: BotApiSimulator, bot,
                                                      settings) -> None:
    city = await staff_the_city(sim, bot)
    _, code = await citizen_files(sim, "Sari")
    card = await _admin_card(city, code)
    await city.admin.press(card, "Verifikasi & teruskan")
    menu = await city.admin.wait_for(lambda m: m.message_id == card.message_id
                                     and any("PUPR" in b for b in m.buttons),
                                     chat=city.admin_group)
    pupr, dlh = menu.button_data("PUPR"), menu.button_data("DLH")
    first, second = await asyncio.gather(city.admin.press_data(menu, pupr),
                                         city.admin2.press_data(menu, dlh))
    answers = [await city.admin.callback_answer(first), await city.admin2.callback_answer(second)]
    assert "Diteruskan" in answers[0]["text"]
    assert "Sudah ditangani oleh Ani Admin" in answers[1]["text"]
    # the same press replayed later, from an old card
    again = await city.admin2.press_data(menu, dlh)
    assert "Sudah ditangani oleh Ani Admin" in (await city.admin2.callback_answer(again))["text"]
    await _agency_card(city.pupr, city.pupr_group, code)
    assert await _status(settings, code) == "forwarded"
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text(
                "select count(*) from report_events where action = 'forward'")) == 1
            assert await connection.scalar(text(
                "select count(*) from outbox where kind = 'agency_card'")) == 1
    finally:
        await engine.dispose()


async def test_queue_lists_what_waits_paged(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
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
    await city.admin.press(page2, f"Tampilkan {codes[5]}")
    shown = await city.admin.wait_for(lambda m: codes[5] in m.content and
                                      "✅ Verifikasi & teruskan" in m.buttons
                                      and m.message_id > page2.message_id,
                                      chat=city.admin_group)
    await _forward(city, shown, "PUPR")
    await _agency_card(city.pupr, city.pupr_group, codes[5])
    await city.pupr.send_text("/antrian", chat=city.pupr_group)
    agency_queue = await city.pupr.wait_for(lambda m: "Antrian (1)" in m.content,
                                            chat=city.pupr_group, timeout=10)
    assert codes[5] in agency_queue.content
    # a non-staff member asking for the queue is refused
    await city.stranger.send_text("/antrian", chat=city.admin_group)
    await city.stranger.wait_for(lambda m: "tidak berwenang" in m.content,
                                 chat=city.admin_group)


async def test_link_code_binds_a_group_once(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
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
    await city.stranger.wait_for(lambda m: "tidak berwenang" in m.content, chat=new_group)
    await city.admin.send_text(f"/hubungkan {code.lower()}", chat=new_group)
    await city.admin.wait_for(lambda m: "terhubung sebagai grup dinas DISHUB" in m.content,
                              chat=new_group)
    await city.admin.send_text(f"/hubungkan {code}", chat=city.coordinator_group)
    await city.admin.wait_for(lambda m: "sudah dipakai" in m.content,
                              chat=city.coordinator_group)
    binding = await admin.chat_binding(uow(), new_group.id)
    assert binding is not None and binding.agency_code == "DISHUB"
    assert not [m for m in new_group.bot_messages() if "Antrian" in m.content]


async def test_notifications_survive_429_and_5xx(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Joko")
    card = await _admin_card(city, code)
    sim.faults.inject("429", method="sendMessage", chat_id=city.pupr_group.id, retry_after=1)
    sim.faults.inject("502", method="sendMediaGroup", chat_id=city.pupr_group.id, count=2)
    sim.faults.inject("500", method="sendMessage", chat_id=citizen.id, count=2)
    sim.faults.inject("429", method="sendMessage", chat_id=city.coordinator_group.id,
                      retry_after=1)
    await _forward(city, card, "PUPR")
    agency_card = await _agency_card(city.pupr, city.pupr_group, code)
    photos = [m for m in city.pupr_group.bot_messages() if m.photo_file_ids]
    assert len(photos) == 2  # the album went out once despite the failures
    await expect(citizen, "diteruskan ke", wait=20)
    await in_group(city.coordinator, city.coordinator_group, code, wait=20)
    statuses = {c.status for c in sim.calls_to("sendMessage")}
    assert {429, 500} <= statuses
    assert agency_card.buttons


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_restart_between_steps_loses_nothing(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Rudi")
    card = await _admin_card(city, code)
    await bot.restart()
    await _forward(city, card, "PUPR")
    agency_card = await _agency_card(city.pupr, city.pupr_group, code)
    await bot.restart()
    await city.pupr.press(agency_card, "Proses")
    working = await _agency_card(city.pupr, city.pupr_group, code, "✅ Selesai (kirim bukti)")
    await city.pupr.press(working, "Selesai")
    ask = await city.pupr.wait_for(lambda m: m.force_reply, chat=city.pupr_group)
    await bot.restart()
    await city.pupr.send_photo(chat=city.pupr_group, reply_to=ask, caption="Sudah beres.")
    summary = await city.pupr.wait_for(lambda m: "📨 Kirim bukti" in m.buttons,
                                       chat=city.pupr_group)
    await city.pupr.press(summary, "Kirim bukti")
    proof = await city.admin.wait_for(lambda m: "✔️ Tutup & kabari pelapor" in m.buttons,
                                      chat=city.admin_group, timeout=10)
    await city.admin.press(proof, "Tutup")
    await citizen.wait_for(lambda m: "selesai ditindaklanjuti" in m.content, timeout=10)


async def test_blocked_citizen_and_migrated_group(sim: BotApiSimulator, bot, settings) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Maya")
    card = await _admin_card(city, code)
    citizen.block_bot()
    new_id = city.pupr_group.migrate_to_supergroup()
    await _forward(city, card, "PUPR")
    await _agency_card(city.pupr, city.pupr_group, code)
    binding = await admin.chat_binding(bot.app.context.uow(), new_id)
    assert binding is not None and binding.agency_code == "PUPR"
    engine = create_engine(settings.database_url)
    try:
        for _ in range(50):
            async with engine.connect() as connection:
                status = await connection.scalar(text(
                    "select status from outbox where kind = 'citizen_forwarded'"))
            if status == "undeliverable":
                break
            await asyncio.sleep(0.1)
        assert status == "undeliverable"
    finally:
        await engine.dispose()
