"""The SOP from verification to rating, as every party sees it in Telegram."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db.engine import create_engine
from simulator import BotApiSimulator
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


async def _admin_card(city, code: str):
    """Skip the photos; the card with buttons."""
    return await city.admin.wait_for(lambda m: code in m.content and bool(m.buttons)
                                     and "Verifikasi" in " ".join(m.buttons),
                                     chat=city.admin_group, timeout=10)


async def _forward(city, card, agency_button: str):
    await city.admin.press(card, "Verifikasi & teruskan")
    menu = await city.admin.wait_for(lambda m: m.message_id == card.message_id
                                     and any(agency_button in b for b in m.buttons),
                                     chat=city.admin_group)
    await city.admin.press(menu, agency_button)


async def _agency_card(user, group, code: str, button: str = "▶️ Proses"):
    return await user.wait_for(lambda m: code in m.content and button in m.buttons,
                               chat=group, timeout=10)


async def test_return_incomplete_then_fix_and_resend(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Sari")
    card = await _admin_card(city, code)
    await city.admin.press(card, "Kembalikan")
    menu = await city.admin.wait_for(lambda m: m.message_id == card.message_id
                                     and "Data tidak lengkap" in m.buttons,
                                     chat=city.admin_group)
    assert menu.buttons[-1] == "↩️ Kembali"
    await city.admin.press(menu, "Data tidak lengkap")
    returned = await expect(citizen, "dikembalikan karena belum lengkap",
                            "Data laporan belum lengkap", wait=10)
    assert returned.buttons == ["✏️ Perbaiki & kirim ulang", "🗑 Tarik laporan"]
    await citizen.press(returned, "Perbaiki")
    await expect(citizen, f"Perbaiki laporan {code}")
    review = await expect(citizen, "Langkah 5 dari 5")
    await citizen.press(review, "Ubah")
    fields = await citizen.wait_for(lambda m: m.message_id == review.message_id
                                    and "📝 Keterangan" in m.buttons)
    await citizen.press(fields, "Keterangan")
    await expect(citizen, "Langkah 3 dari 5")
    await citizen.send_text("Lubang di Jl. Mulawarman depan toko emas, lebar 1 meter, dalam.")
    review = await expect(citizen, "Langkah 5 dari 5", "Jl. Mulawarman")
    await citizen.press(review, "Kirim laporan")
    await expect(citizen, "dikirim ulang (revisi 2)", code)
    again = await city.admin.wait_for(lambda m: "dikirim ulang" in m.content and code in m.content
                                      and bool(m.buttons), chat=city.admin_group, timeout=10)
    assert "Jl. Mulawarman" in again.content and "revisi 2" in again.content


async def test_return_with_typed_reason_only_from_the_presser(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Rina")
    card = await _admin_card(city, code)
    await city.admin.press(card, "Kembalikan")
    menu = await city.admin.wait_for(lambda m: m.message_id == card.message_id
                                     and "Alasan lain (ketik)" in m.buttons,
                                     chat=city.admin_group)
    await city.admin.press(menu, "Alasan lain")
    ask = await city.admin.wait_for(lambda m: m.force_reply and "alasan pengembalian" in m.content,
                                    chat=city.admin_group)
    assert "Ani Admin" in ask.content
    assert ask.reply_markup["selective"] is True
    await city.admin2.send_text("Saya saja yang jawab", chat=city.admin_group, reply_to=ask)
    await city.admin2.wait_for(lambda m: "ditujukan kepada petugas yang menekan" in m.content,
                               chat=city.admin_group)
    await city.admin.send_text("Lokasi di luar jalan kota, itu jalan provinsi <KM 5>",
                               chat=city.admin_group, reply_to=ask)
    await expect(citizen, "dikembalikan oleh admin", "jalan provinsi <KM 5>", wait=10)


async def test_not_ours_then_forwarded_elsewhere(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Tono")
    await _forward(city, await _admin_card(city, code), "PUPR")
    agency_card = await _agency_card(city.pupr, city.pupr_group, code)
    await city.pupr.press(agency_card, "Bukan wewenang")
    ask = await city.pupr.wait_for(lambda m: m.force_reply and "bukan wewenang" in m.content,
                                   chat=city.pupr_group)
    await city.pupr.send_text("Ini saluran drainase lingkungan, urusan DLH.",
                              chat=city.pupr_group, reply_to=ask)
    back = await city.admin.wait_for(lambda m: "mengembalikan laporan" in m.content
                                     and "urusan DLH" in m.content and bool(m.buttons),
                                     chat=city.admin_group, timeout=10)
    await city.pupr.wait_for(lambda m: m.message_id == agency_card.message_id and not m.buttons,
                             chat=city.pupr_group, timeout=10)
    await _forward(city, back, "DLH")
    await _agency_card(city.dlh, city.dlh_group, code)
    await expect(citizen, "Dinas Pekerjaan Umum", wait=10)  # first forward
    await expect(citizen, "Dinas Lingkungan Hidup", wait=10)


async def test_reject_proof_then_reopen_by_low_rating(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Yuni", photos=1)
    await _forward(city, await _admin_card(city, code), "PUPR")
    agency_card = await _agency_card(city.pupr, city.pupr_group, code)
    await city.pupr.press(agency_card, "Proses")

    async def send_proof(note: str) -> None:
        card = await _agency_card(city.pupr, city.pupr_group, code, "✅ Selesai (kirim bukti)")
        city.pupr.drain(chat=city.pupr_group)
        await city.pupr.press(card, "Selesai")
        ask = await in_group(city.pupr, city.pupr_group, "foto bukti")
        assert ask.force_reply
        await city.pupr.send_text(note, chat=city.pupr_group, reply_to=ask)
        await city.pupr.wait_for(lambda m: "Masih perlu minimal 1 foto" in m.content,
                                 chat=city.pupr_group)
        album = "album-" + note[:5]
        await city.pupr.send_photo(chat=city.pupr_group, reply_to=ask, media_group_id=album)
        await city.pupr.send_photo(chat=city.pupr_group, reply_to=ask, media_group_id=album)
        summary = await city.pupr.wait_for(lambda m: "Bukti: 2 foto" in m.content
                                           and "📨 Kirim bukti" in m.buttons,
                                           chat=city.pupr_group)
        await city.pupr.press(summary, "Kirim bukti")

    await send_proof("Sudah diperbaiki")
    proof = await city.admin.wait_for(lambda m: "Bukti penyelesaian" in m.content
                                      and "✖️ Tolak bukti" in m.buttons, chat=city.admin_group,
                                      timeout=10)
    await city.admin.press(proof, "Tolak bukti")
    ask = await city.admin.wait_for(lambda m: m.force_reply and "bukti" in m.content,
                                    chat=city.admin_group)
    await city.admin.send_text("Foto buram, tidak terlihat hasil perbaikan.",
                               chat=city.admin_group, reply_to=ask)
    await city.pupr.wait_for(lambda m: "ditolak admin" in m.content and "Foto buram" in m.content,
                             chat=city.pupr_group, timeout=10)
    await send_proof("Ditambal ulang dan dipadatkan")
    proof = await city.admin.wait_for(lambda m: "Ditambal ulang" in m.content
                                      and "✔️ Tutup & kabari pelapor" in m.buttons,
                                      chat=city.admin_group, timeout=10)
    await city.admin.press(proof, "Tutup")
    done = await citizen.wait_for(lambda m: "selesai ditindaklanjuti" in m.content
                                  and bool(m.buttons), timeout=10)
    citizen.drain()
    await citizen.press(done, "⭐⭐")
    await expect(citizen, "Apa yang belum beres")
    await citizen.send_text("Masih berlubang di sisi kiri jalan.")
    await expect(citizen, "dibuka kembali")
    reopened = await city.admin.wait_for(lambda m: "membuka kembali" in m.content
                                         and "sisi kiri" in m.content and bool(m.buttons),
                                         chat=city.admin_group, timeout=10)
    assert reopened.buttons[0] == "✅ Verifikasi & teruskan"


async def test_withdraw_from_status(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Lina")
    card = await _admin_card(city, code)
    await citizen.send_text(f"/status {code}")
    detail = await expect(citizen, f"Laporan {code}")
    assert detail.buttons == ["🗑 Tarik laporan"]
    await citizen.press(detail, "Tarik laporan")
    ask = await expect(citizen, "Tarik laporan ini?")
    await citizen.press(ask, "Ya, tarik laporan")
    await citizen.wait_for(lambda m: f"Laporan {code} sudah ditarik" in m.content)
    await city.admin.wait_for(lambda m: "ditarik oleh pelapor" in m.content,
                              chat=city.admin_group, timeout=10)
    await city.admin.wait_for(lambda m: m.message_id == card.message_id and not m.buttons
                              and "Ditarik oleh pelapor" in m.content, chat=city.admin_group,
                              timeout=10)


async def test_operator_sends_the_proof_in_a_private_chat(sim: BotApiSimulator, bot) -> None:
    city = await staff_the_city(sim, bot)
    citizen, code = await citizen_files(sim, "Nina", photos=1)
    await _forward(city, await _admin_card(city, code), "PUPR")
    await city.pupr.press(await _agency_card(city.pupr, city.pupr_group, code), "Proses")
    working = await _agency_card(city.pupr, city.pupr_group, code, "✅ Selesai (kirim bukti)")
    await city.pupr.press(working, "Selesai")
    private_ask = await city.pupr.wait_for(lambda m: "balas pesan ini di sini" in m.content)
    assert private_ask.force_reply
    await city.pupr.send_photo(reply_to=private_ask, caption="Saluran dibersihkan.")
    summary = await city.pupr.wait_for(lambda m: "📨 Kirim bukti" in m.buttons)
    assert "Saluran dibersihkan" in summary.content
    await city.pupr.press(summary, "Kirim bukti")
    proof = await city.admin.wait_for(lambda m: "Saluran dibersihkan" in m.content
                                      and "✔️ Tutup & kabari pelapor" in m.buttons,
                                      chat=city.admin_group, timeout=10)
    # the same question in the group is closed: a late reply there changes nothing
    group_ask = next(m for m in city.pupr_group.bot_messages() if m.force_reply)
    await city.pupr.send_photo(chat=city.pupr_group, reply_to=group_ask, caption="lagi")
    await city.admin.press(proof, "Tutup")
    await citizen.wait_for(lambda m: "Saluran dibersihkan" in m.content and bool(m.buttons),
                           timeout=10)
    assert not [m for m in city.pupr_group.bot_messages() if "Bukti: 1 foto. Catatan: lagi"
                in m.content]
