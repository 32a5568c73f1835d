"""The SOP from verification to rating, as every party sees it in Telegram."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.simulator import BotApiSimulator
from db.engine import create_engine
from tests.e2e.staff import citizen_files, expect, in_group, staff_the_city


async def _scalar(settings, query: str):
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text(query))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_happy_path_from_submission_to_rating(sim: BotApiSimulator, bot, settings) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Budi Santoso", photos=2)

    # SOP 2: the admin group gets the photos, then the card with the reporter's phone
    first = await in_group(city.admin, city.admin_group)
    second = await in_group(city.admin, city.admin_group)
    assert first.photo_file_ids and second.photo_file_ids
    assert first.media_group_id and first.media_group_id == second.media_group_id
    card = await in_group(city.admin, city.admin_group, "Laporan baru", code,
                          "Jalan dan jembatan", "Budi Santoso", "+6281234567890",
                          "Menunggu verifikasi")
    assert card.buttons == ["✅ Verifikasi & teruskan", "↩️ Kembalikan ke pelapor"]

    await city.admin.press(card, "Verifikasi & teruskan")
    menu = await city.admin.wait_for(lambda m: m.message_id == card.message_id
                                     and any("PUPR" in b for b in m.buttons), chat=city.admin_group)
    assert menu.buttons[0].startswith("⭐ PUPR")
    query = await city.admin.press(menu, "⭐ PUPR")
    assert "Diteruskan" in (await city.admin.callback_answer(query))["text"]
    await city.admin.wait_for(lambda m: m.message_id == card.message_id and not m.buttons
                              and "Diteruskan ke dinas" in m.content
                              and "diteruskan oleh Ani Admin" in m.content,
                              chat=city.admin_group)

    # the agency gets the card without the reporter's phone; the coordinator a line
    await in_group(city.pupr, city.pupr_group)
    await in_group(city.pupr, city.pupr_group)
    agency_card = await in_group(city.pupr, city.pupr_group, "Laporan baru untuk dinas Anda",
                                 code, "Budi Santoso")
    assert "+628" not in agency_card.content and "6281234567890" not in agency_card.content
    assert agency_card.buttons == ["▶️ Proses", "🚫 Bukan wewenang kami"]
    await in_group(city.coordinator, city.coordinator_group, code,
                   "Dinas Pekerjaan Umum dan Penataan Ruang")
    await expect(citizen, "diteruskan ke", "Dinas Pekerjaan Umum", code, wait=10)

    # SOP 4: in process, then done with a proof photo and a note, by reply
    await city.pupr.press(agency_card, "Proses")
    await expect(citizen, "sedang dikerjakan", code, wait=10)
    working = await city.pupr.wait_for(lambda m: m.message_id == agency_card.message_id
                                       and "✅ Selesai (kirim bukti)" in m.buttons,
                                       chat=city.pupr_group)
    await city.pupr.press(working, "Selesai")
    ask = await in_group(city.pupr, city.pupr_group, "Putu PUPR", "foto bukti")
    assert ask.force_reply
    await city.pupr.send_photo(chat=city.pupr_group, reply_to=ask,
                               caption="Lubang sudah ditambal aspal, 2 m².")
    summary = await in_group(city.pupr, city.pupr_group, "Bukti: 1 foto", "ditambal aspal")
    await city.pupr.press(summary, "Kirim bukti")

    # SOP 5: the admin sees the proof and closes
    proof_photo = await in_group(city.admin, city.admin_group)
    assert proof_photo.photo_file_ids
    proof_card = await city.admin.wait_for(
        lambda m: "Bukti penyelesaian" in m.content and bool(m.buttons), chat=city.admin_group)
    assert "ditambal aspal" in proof_card.content
    assert proof_card.buttons == ["✔️ Tutup & kabari pelapor", "✖️ Tolak bukti"]
    await city.admin.press(proof_card, "Tutup")

    # SOP 6: the citizen gets the proof photo and the note, and rates
    proof_photo = await citizen.next_message(timeout=10)
    assert proof_photo.photo_file_ids
    done = await expect(citizen, "selesai ditindaklanjuti", "ditambal aspal", wait=10)
    assert done.buttons[:5] == ["⭐", "⭐⭐", "⭐⭐⭐", "⭐⭐⭐⭐", "⭐⭐⭐⭐⭐"]
    await citizen.press(done, "⭐⭐⭐⭐⭐")
    await expect(citizen, "Tambahkan komentar")
    await citizen.send_text("Cepat dan rapi, terima kasih!")
    await expect(citizen, "Penilaian untuk laporan")
    await in_group(city.coordinator, city.coordinator_group, code, "ditutup")

    await citizen.send_text(f"/status {code}")
    detail = await expect(citizen, "Selesai", "Riwayat")
    for step in ("Menunggu verifikasi", "Diteruskan ke dinas", "Sedang dikerjakan"):
        assert step in detail.content
    assert await _scalar(settings, "select rating from reports") == 5
    assert await _scalar(settings, "select count(*) from report_events") == 5
