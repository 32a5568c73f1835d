"""Filing a complaint end to end: the happy path, every bad input, cancel, back, resume."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiogram.fsm.storage.base import StorageKey

from simulator import BotApiSimulator
from tests.e2e.flows import (
    CODE_RE,
    DESCRIPTION,
    IN_TARAKAN,
    JAKARTA,
    begin_report,
    edit_field,
    expect,
    file_until_review,
    register,
    send_pin,
    start_with_photo,
    submit,
)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_full_complaint_with_album(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Budi")
    await register(citizen)
    await citizen.send_text("📝 Buat laporan")
    await expect(citizen, "laporan baru", "/batal")
    await expect(citizen, "Langkah 1 dari 5", "1 sampai 5 foto")
    album = await citizen.send_album(3)
    progress = await expect(citizen, "Foto diterima (1/5)", "Langkah 2 dari 5")
    assert progress.keyboard == ["📍 Kirim lokasi saya"]
    assert progress.reply_markup["keyboard"][0][0]["request_location"] is True
    edited = await citizen.wait_for(
        lambda m: m.message_id == progress.message_id and "(3/5)" in m.content)
    assert edited.edited
    await citizen.send_location(*IN_TARAKAN)
    landmark = await expect(citizen, "Lokasi diterima", "patokan")
    assert landmark.keyboard == ["Lewati ➡️"]
    await citizen.send_text("Depan Pasar Gusher, dekat halte")
    await expect(citizen, "Langkah 3 dari 5")
    await citizen.send_text(f"  {DESCRIPTION}  ")
    categories = await expect(citizen, "Langkah 4 dari 5")
    assert len(categories.buttons) == 12
    assert categories.buttons[0] == "Jalan dan jembatan"
    await citizen.press(categories, "Drainase dan banjir")
    review = await expect(citizen, "Langkah 5 dari 5", "Foto: 3", "Drainase dan banjir",
                          DESCRIPTION, "Depan Pasar Gusher", "3.30000, 117.63300")
    assert album[0].photo_file_ids[-1] in review.photo_file_ids
    assert review.buttons == ["📨 Kirim laporan", "🙈 Kirim anonim", "🔒 Rahasiakan laporan",
                              "✏️ Ubah", "❌ Batal"]
    await citizen.press(review, "Kirim laporan")
    done = await expect(citizen, "Laporan terkirim", "3 hari kerja")
    code = CODE_RE.search(done.content).group(0)
    assert "📋 Laporan saya" in done.keyboard

    await citizen.send_text("📋 Laporan saya")
    listing = await expect(citizen, "Laporan Anda (1)", code, "Menunggu verifikasi")
    assert listing
    await citizen.send_text(f"/status {code.lower()}")
    detail = await expect(citizen, f"Laporan {code}", "Menunggu verifikasi",
                          "Drainase dan banjir", "Riwayat", DESCRIPTION, "Foto: 3")
    assert "WITA" in detail.content


async def test_wrong_input_at_every_step_gets_a_hint(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Sari")
    await register(citizen, name="Sari")
    await begin_report(citizen)
    # photo step
    for wrong in (citizen.send_text("ini fotonya"), citizen.send_sticker(), citizen.send_voice()):
        await wrong
        await expect(citizen, "Langkah ini menunggu foto")
        await expect(citizen, "Langkah 1 dari 5")
    await citizen.send_document(file_name="laporan.pdf", mime_type="application/pdf")
    await expect(citizen, "bukan gambar")
    await citizen.send_document(file_name="jalan.png", mime_type="image/png")
    await expect(citizen, "Foto diterima (1/5)")
    # location step
    await citizen.send_text("Jl. Yos Sudarso no 5")
    await expect(citizen, "menunggu titik lokasi")
    await expect(citizen, "Langkah 2 dari 5")
    await citizen.send_location(*JAKARTA)
    await expect(citizen, "di luar wilayah Kota Tarakan")
    await citizen.send_venue(3.2990, 117.6350, "Masjid Agung", "Jl. Sudirman")
    await expect(citizen, "Lokasi diterima")
    # landmark step
    await citizen.send_sticker()
    await expect(citizen, "Ketik patokan")
    await expect(citizen, "patokan")
    await citizen.send_text("x" * 201)
    await expect(citizen, "maksimal 200 karakter")
    await citizen.send_text("Lewati ➡️")
    await expect(citizen, "Langkah 3 dari 5")
    # description step
    await citizen.send_photo()
    await expect(citizen, "menunggu keterangan berupa teks")
    await expect(citizen, "Langkah 3 dari 5")
    await citizen.send_text("   rusak   ")
    await expect(citizen, "terlalu pendek (5 karakter)", "minimal 20")
    await citizen.send_text("a" * 2001)
    await expect(citizen, "terlalu panjang (2.001 karakter)", "Maksimal 2.000")
    await citizen.send_text("<b>Lampu jalan</b> mati & gelap total sejak Senin malam")
    categories = await expect(citizen, "Langkah 4 dari 5")
    # category step
    await citizen.send_text("jalan")
    await expect(citizen, "Pilih kategori dengan menekan")
    await expect(citizen, "Langkah 4 dari 5")
    forged = await citizen.press_data(categories, "ct1:nuclear")
    answer = await citizen.callback_answer(forged)
    assert "Kategori tidak dikenal" in answer["text"]
    await citizen.press(categories, "Penerangan jalan")
    review = await expect(citizen, "Langkah 5 dari 5",
                          "<b>Lampu jalan</b> mati & gelap total", "Penerangan jalan")
    # review step
    await citizen.send_voice()
    await expect(citizen, "Periksa ringkasan laporan")
    await expect(citizen, "Langkah 5 dari 5")
    code = await submit(citizen, review)
    assert CODE_RE.fullmatch(code)


async def test_edited_message_is_not_applied_silently(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Edo")
    await register(citizen, name="Edo")
    await start_with_photo(citizen)
    await send_pin(citizen)
    await citizen.send_text("Lewati ➡️")
    await expect(citizen, "Langkah 3 dari 5")
    sent = await citizen.send_text(DESCRIPTION)
    await expect(citizen, "Langkah 4 dari 5")
    await citizen.edit_text(sent, "Sebenarnya bukan jalan berlubang tapi lampu mati di gang.")
    await expect(citizen, "Pesan yang diedit tidak mengubah laporan")


async def test_more_than_five_photos_keeps_five(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Tono")
    await register(citizen, name="Tono")
    await begin_report(citizen)
    await citizen.send_album(4)
    progress = await expect(citizen, "Foto diterima (1/5)")
    await citizen.wait_for(lambda m: m.message_id == progress.message_id and "(4/5)" in m.content)
    await citizen.send_album(3)
    await expect(citizen, "Foto diterima (5/5)")
    await expect(citizen, "Maksimal 5 foto")
    await citizen.send_photo()
    await expect(citizen, "Maksimal 5 foto")
    await send_pin(citizen)


async def test_cancel_asks_first_and_back_goes_one_step(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Lina")
    await register(citizen, name="Lina")
    await begin_report(citizen)
    await citizen.send_text("/kembali")
    await expect(citizen, "Ini langkah pertama")
    await expect(citizen, "Langkah 1 dari 5")
    await citizen.send_photo()
    await expect(citizen, "Foto diterima (1/5)")
    await send_pin(citizen)
    await citizen.send_text("/kembali")
    await expect(citizen, "Langkah 2 dari 5")
    await send_pin(citizen)
    await citizen.send_text("/batal")
    ask = await expect(citizen, "Batalkan laporan ini?")
    await citizen.press(ask, "Tidak, lanjutkan")
    await expect(citizen, "patokan")
    await citizen.send_text("/batal")
    ask = await expect(citizen, "Batalkan laporan ini?")
    yes = ask.button_data("Ya, batalkan")
    await citizen.press(ask, "Ya, batalkan")
    cancelled = await expect(citizen, "Laporan dibatalkan")
    assert "📝 Buat laporan" in cancelled.keyboard
    assert ask.buttons == []  # the used buttons are gone
    # pressing it again (a replayed or double tap) changes nothing
    again = await citizen.press_data(ask, yes)
    assert "tidak berlaku" in (await citizen.callback_answer(again))["text"]
    await citizen.send_text("/batal")
    await expect(citizen, "tidak ada yang dibatalkan")
    await citizen.send_text("/status")
    await expect(citizen, "belum punya laporan")


async def test_other_commands_keep_the_draft(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Maya")
    await register(citizen, name="Maya")
    await start_with_photo(citizen)
    await citizen.send_text("/status")
    await expect(citizen, "belum punya laporan")
    await expect(citizen, "Draf laporan Anda tetap tersimpan")
    await expect(citizen, "Langkah 2 dari 5")
    await citizen.send_text("/help")
    await expect(citizen, "/lapor")
    await expect(citizen, "tetap tersimpan")
    await expect(citizen, "Langkah 2 dari 5")
    await citizen.send_text("/lapor")
    resume = await expect(citizen, "draf laporan yang belum selesai")
    await citizen.press(resume, "Lanjutkan")
    await expect(citizen, "Langkah 2 dari 5")
    await send_pin(citizen)


async def test_review_edit_changes_one_field(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Yuni")
    await register(citizen, name="Yuni")
    review = await file_until_review(citizen)
    await edit_field(citizen, review, "📝 Keterangan")
    await expect(citizen, "Langkah 3 dari 5")
    await citizen.send_text("Saluran air tersumbat sampah sehingga jalan tergenang tiap hujan.")
    review = await expect(citizen, "Langkah 5 dari 5", "Saluran air tersumbat",
                          "Jalan dan jembatan")
    await edit_field(citizen, review, "🗂 Kategori")
    categories = await expect(citizen, "Langkah 4 dari 5")
    await citizen.press(categories, "Drainase dan banjir")
    review = await expect(citizen, "Langkah 5 dari 5", "Saluran air tersumbat",
                          "Drainase dan banjir")
    await edit_field(citizen, review, "📷 Foto")
    await expect(citizen, "Langkah 1 dari 5")
    await citizen.send_album(2)
    progress = await expect(citizen, "Foto diterima (1/5)", "Selesai")
    done = await citizen.wait_for(lambda m: m.message_id == progress.message_id
                                  and "(2/5)" in m.content)
    await citizen.press(done, "Selesai")
    review = await expect(citizen, "Langkah 5 dari 5", "Foto: 2", "Drainase dan banjir")
    code = await submit(citizen, review)
    await citizen.send_text(f"/status {code}")
    await expect(citizen, "Drainase dan banjir", "Saluran air tersumbat", "Foto: 2")


async def test_two_citizens_file_at_once(sim: BotApiSimulator, bot) -> None:
    first, second = sim.user("Ani"), sim.user("Beni")
    await asyncio.gather(register(first, name="Ani"), register(second, name="Beni"))
    reviews = await asyncio.gather(
        file_until_review(first, photos=2, description="Sampah menumpuk di pinggir jalan RT 05."),
        file_until_review(second, photos=3, description="Lampu jalan padam di seluruh gang RT 09."),
    )
    codes = await asyncio.gather(submit(first, reviews[0]), submit(second, reviews[1]))
    assert codes[0] != codes[1]
    await first.send_text(f"/status {codes[0]}")
    await expect(first, "Sampah menumpuk", "Foto: 2")
    # a citizen never sees another citizen's report
    await first.send_text(f"/status {codes[1]}")
    await expect(first, "tidak ditemukan")
    await second.send_text("/status")
    listing = await expect(second, "Laporan Anda (1)", codes[1])
    assert codes[0] not in listing.content


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_restart_mid_wizard_continues(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Rudi")
    await register(citizen, name="Rudi")
    await begin_report(citizen)
    await citizen.send_album(2)
    progress = await expect(citizen, "Foto diterima (1/5)")
    await citizen.wait_for(lambda m: m.message_id == progress.message_id and "(2/5)" in m.content)
    await bot.restart()
    await send_pin(citizen)
    await citizen.send_text("Lewati ➡️")
    await expect(citizen, "Langkah 3 dari 5")
    await bot.restart()
    await citizen.send_text(DESCRIPTION)
    categories = await expect(citizen, "Langkah 4 dari 5")
    await bot.restart()
    await citizen.press(categories, "Sampah")
    review = await expect(citizen, "Langkah 5 dari 5", "Foto: 2", "Sampah")
    code = await submit(citizen, review)
    assert CODE_RE.fullmatch(code)


async def test_coming_back_after_hours_asks_to_continue(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Wati")
    await register(citizen, name="Wati")
    await start_with_photo(citizen)
    app = bot.app
    key = StorageKey(bot_id=sim.bot_id, chat_id=citizen.id, user_id=citizen.id)
    data = await app.dispatcher.storage.get_data(key)
    while not data.get("photos"):  # the photo's handler stores it right after answering
        await asyncio.sleep(0.02)
        data = await app.dispatcher.storage.get_data(key)
    long_ago = app.context.clock() - timedelta(hours=5)
    await app.dispatcher.storage.set_data(key, {**data, "touched_at": long_ago.isoformat()})

    await citizen.send_location(*IN_TARAKAN)
    resume = await expect(citizen, "draf laporan yang belum selesai")
    assert resume.buttons == ["▶️ Lanjutkan", "🔄 Mulai baru"]
    await citizen.press(resume, "Mulai baru")
    await expect(citizen, "laporan baru")
    await expect(citizen, "Langkah 1 dari 5")
    await citizen.send_location(*IN_TARAKAN)
    await expect(citizen, "Langkah ini menunggu foto")
