"""The SOP from verification to rating, as every party sees it in Telegram."""

from __future__ import annotations

import pytest

from configuration.settings import Settings
from simulator import BotApiSimulator
from tests.e2e.flows import edit_field
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
    proof_card,
    send_proof,
    start_work,
)
from tests.e2e.storage import scalar
from tests.texts import fragment, text


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_happy_path_from_submission_to_rating(
        sim: BotApiSimulator, city: City, settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Budi Santoso", photos=2)

    # SOP 2: the admin group gets the photos, then the card with the reporter's phone
    first = await in_group(city.admin, city.admin_group)
    second = await in_group(city.admin, city.admin_group)
    assert first.photo_file_ids and second.photo_file_ids
    assert first.media_group_id and first.media_group_id == second.media_group_id
    card = await in_group(city.admin, city.admin_group, "Laporan baru", code,
                          "Jalan dan jembatan", "Budi Santoso", "+6281234567890",
                          text("status-submitted"))
    assert card.buttons == [text("btn-verify-forward"), text("btn-return"),
                            text("btn-block-citizen")]

    menu = await open_menu(city.admin, city.admin_group, card, text("btn-verify-forward"), "PUPR")
    assert menu.buttons[0].startswith("⭐ PUPR")
    query = await city.admin.press(menu, "⭐ PUPR")
    assert "Diteruskan" in (await city.admin.callback_answer(query))["text"]
    # while the agency holds it, the admin card offers only moving it to another agency
    await city.admin.wait_for(lambda m: m.message_id == card.message_id
                              and m.buttons == [text("btn-reassign")]
                              and text("status-forwarded") in m.content
                              and "diteruskan oleh Ani Admin" in m.content,
                              chat=city.admin_group)

    # the agency gets the card without the reporter's phone; the coordinator a line
    await in_group(city.pupr, city.pupr_group)
    await in_group(city.pupr, city.pupr_group)
    opd_card = await in_group(city.pupr, city.pupr_group, "Laporan baru untuk dinas Anda",
                                 code, "Budi Santoso")
    assert "+628" not in opd_card.content and "6281234567890" not in opd_card.content
    assert opd_card.buttons == [text("btn-process"), text("btn-not-ours")]
    await in_group(city.coordinator, city.coordinator_group, code,
                   "Dinas Pekerjaan Umum dan Penataan Ruang")
    await expect(citizen, "diteruskan ke", "Dinas Pekerjaan Umum", code, wait=10)

    # SOP 4: in process, then done with a proof photo and a note, by reply
    await city.pupr.press(opd_card, text("btn-process"))
    await expect(citizen, "sedang dikerjakan", code, wait=10)
    working = await city.pupr.wait_for(lambda m: m.message_id == opd_card.message_id
                                       and text("btn-done-proof") in m.buttons,
                                       chat=city.pupr_group)
    await city.pupr.press(working, text("btn-done-proof"))
    ask = await in_group(city.pupr, city.pupr_group, "Putu PUPR", "foto bukti")
    assert ask.force_reply
    await city.pupr.send_photo(chat=city.pupr_group, reply_to=ask,
                               caption="Lubang sudah ditambal aspal, 2 m².")
    summary = await in_group(city.pupr, city.pupr_group, "Bukti: 1 foto", "ditambal aspal")
    await city.pupr.press(summary, text("btn-proof-submit"))

    # SOP 5: the admin sees the proof and closes
    proof_photo = await in_group(city.admin, city.admin_group)
    assert proof_photo.photo_file_ids
    proof = await city.admin.wait_for(
        lambda m: fragment("card-title-proof") in m.content and bool(m.buttons),
        chat=city.admin_group)
    assert "ditambal aspal" in proof.content
    assert proof.buttons == [text("btn-close-notify"), text("btn-reject-proof")]
    await city.admin.press(proof, text("btn-close-notify"))

    # SOP 6: the citizen gets the proof photo and the note, and rates
    proof_photo = await citizen.next_message(timeout=10)
    assert proof_photo.photo_file_ids
    done = await expect(citizen, fragment("citizen-closed"), "ditambal aspal", wait=10)
    assert done.buttons[:5] == ["⭐", "⭐⭐", "⭐⭐⭐", "⭐⭐⭐⭐", "⭐⭐⭐⭐⭐"]
    await citizen.press(done, "⭐⭐⭐⭐⭐")
    await expect(citizen, fragment("rating-ask-comment"))
    await citizen.send_text("Cepat dan rapi, terima kasih!")
    await expect(citizen, text("rating-thanks", code=code))
    await in_group(city.coordinator, city.coordinator_group, code, "ditutup")

    await citizen.send_text(f"/status {code}")
    detail = await expect(citizen, text("status-closed"), "Riwayat")
    for step in ("status-submitted", "status-forwarded", "status-in_progress"):
        assert text(step) in detail.content
    assert await scalar(settings, "select rating from reports") == 5
    assert await scalar(settings, "select count(*) from report_events") == 5


async def test_return_incomplete_then_fix_and_resend(sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Sari")
    incomplete = text("btn-return-incomplete")
    menu = await open_menu(city.admin, city.admin_group, await admin_card(city, code),
                           text("btn-return"), incomplete)
    assert menu.buttons[-1] == text("btn-back-card")
    await city.admin.press(menu, incomplete)
    returned = await expect(citizen, fragment("citizen-returned-incomplete"),
                            text("return-reason-incomplete"), wait=10)
    assert returned.buttons == [text("btn-fix-resend"), text("btn-withdraw")]
    await citizen.press(returned, text("btn-fix-resend"))
    await expect(citizen, text("intake-fix-intro", code=code))
    review = await expect(citizen, fragment("intake-review"))
    await edit_field(citizen, review, text("btn-edit-description"))
    await expect(citizen, text("intake-description"))
    await citizen.send_text("Lubang di Jl. Mulawarman depan toko emas, lebar 1 meter, dalam.")
    review = await expect(citizen, fragment("intake-review"), "Jl. Mulawarman")
    await citizen.press(review, text("btn-send"))
    await expect(citizen, "dikirim ulang (revisi 2)", code)
    again = await city.admin.wait_for(lambda m: "dikirim ulang" in m.content and code in m.content
                                      and bool(m.buttons), chat=city.admin_group, timeout=10)
    assert "Jl. Mulawarman" in again.content and "revisi 2" in again.content


async def test_return_with_typed_reason_only_from_the_presser(
        sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Rina")
    other_reason = text("btn-return-other")
    menu = await open_menu(city.admin, city.admin_group, await admin_card(city, code),
                           text("btn-return"), other_reason)
    await city.admin.press(menu, other_reason)
    ask = await city.admin.wait_for(lambda m: m.force_reply and "alasan pengembalian" in m.content,
                                    chat=city.admin_group)
    assert "Ani Admin" in ask.content
    assert ask.reply_markup["selective"] is True
    await city.admin2.send_text("Saya saja yang jawab", chat=city.admin_group, reply_to=ask)
    await city.admin2.wait_for(lambda m: text("ask-not-you") in m.content,
                               chat=city.admin_group)
    await city.admin.send_text("Lokasi di luar jalan kota, itu jalan provinsi <KM 5>",
                               chat=city.admin_group, reply_to=ask)
    await expect(citizen, "dikembalikan oleh admin", "jalan provinsi <KM 5>", wait=10)


async def test_not_ours_then_forwarded_elsewhere(sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Tono")
    await forward(city, await admin_card(city, code), "PUPR")
    pupr_card = await agency_card(city.pupr, city.pupr_group, code)
    await city.pupr.press(pupr_card, text("btn-not-ours"))
    ask = await city.pupr.wait_for(lambda m: m.force_reply and "bukan wewenang" in m.content,
                                   chat=city.pupr_group)
    await city.pupr.send_text("Saluran <1 m> lingkungan, urusan DLH & RT.",
                              chat=city.pupr_group, reply_to=ask)
    back = await city.admin.wait_for(lambda m: "mengembalikan laporan" in m.content
                                     and "<1 m> lingkungan, urusan DLH & RT" in m.content
                                     and bool(m.buttons),
                                     chat=city.admin_group, timeout=10)
    await city.pupr.wait_for(lambda m: m.message_id == pupr_card.message_id and not m.buttons,
                             chat=city.pupr_group, timeout=10)
    await forward(city, back, "DLH")
    await agency_card(city.dlh, city.dlh_group, code)
    await expect(citizen, "Dinas Pekerjaan Umum", wait=10)  # first forward
    await expect(citizen, "Dinas Lingkungan Hidup", wait=10)


async def _send_proof_in_two_replies(city: City, code: str, note: str) -> None:
    """Done on the card, a note first (a photo is still missing), then an album of two."""
    working = await agency_card(city.pupr, city.pupr_group, code, text("btn-done-proof"))
    city.pupr.drain(chat=city.pupr_group)
    await city.pupr.press(working, text("btn-done-proof"))
    ask = await in_group(city.pupr, city.pupr_group, "foto bukti")
    assert ask.force_reply
    await city.pupr.send_text(note, chat=city.pupr_group, reply_to=ask)
    await city.pupr.wait_for(lambda m: text("proof-missing-photo") in m.content,
                             chat=city.pupr_group)
    album = "album-" + note[:5]
    await city.pupr.send_photo(chat=city.pupr_group, reply_to=ask, media_group_id=album)
    await city.pupr.send_photo(chat=city.pupr_group, reply_to=ask, media_group_id=album)
    summary = await city.pupr.wait_for(lambda m: "Bukti: 2 foto" in m.content
                                       and text("btn-proof-submit") in m.buttons,
                                       chat=city.pupr_group)
    await city.pupr.press(summary, text("btn-proof-submit"))


async def test_reject_proof_then_reopen_by_low_rating(sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Yuni", photos=1)
    await forward(city, await admin_card(city, code), "PUPR")
    await start_work(city, code)
    await _send_proof_in_two_replies(city, code, "Sudah diperbaiki")
    proof = await proof_card(city, fragment("card-title-proof"))
    assert text("btn-reject-proof") in proof.buttons
    await city.admin.press(proof, text("btn-reject-proof"))
    ask = await city.admin.wait_for(lambda m: m.force_reply and "bukti" in m.content,
                                    chat=city.admin_group)
    await city.admin.send_text("Foto buram, tidak terlihat hasil perbaikan.",
                               chat=city.admin_group, reply_to=ask)
    await city.pupr.wait_for(lambda m: "ditolak admin" in m.content and "Foto buram" in m.content,
                             chat=city.pupr_group, timeout=10)
    await _send_proof_in_two_replies(city, code, "Ditambal ulang dan dipadatkan")
    await close(city, "Ditambal ulang")
    done = await citizen.wait_for(lambda m: fragment("citizen-closed") in m.content
                                  and bool(m.buttons), timeout=10)
    citizen.drain()
    await citizen.press(done, "⭐⭐")
    await expect(citizen, "Apa yang belum beres")
    await citizen.send_text("Masih berlubang di sisi kiri jalan.")
    await expect(citizen, "dibuka kembali")
    reopened = await city.admin.wait_for(lambda m: "membuka kembali" in m.content
                                         and "sisi kiri" in m.content and bool(m.buttons),
                                         chat=city.admin_group, timeout=10)
    assert reopened.buttons[0] == text("btn-verify-forward")


async def test_withdraw_from_status(sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Lina")
    card = await admin_card(city, code)
    await citizen.send_text(f"/status {code}")
    detail = await expect(citizen, f"Laporan {code}")
    assert detail.buttons == [text("btn-withdraw")]
    await citizen.press(detail, text("btn-withdraw"))
    ask = await expect(citizen, text("withdraw-confirm"))
    await citizen.press(ask, text("btn-withdraw-yes"))
    await citizen.wait_for(lambda m: text("withdrawn", code=code) in m.content)
    await city.admin.wait_for(lambda m: text("admin-withdrawn", code=code) in m.content,
                              chat=city.admin_group, timeout=10)
    await city.admin.wait_for(lambda m: m.message_id == card.message_id and not m.buttons
                              and text("status-withdrawn") in m.content, chat=city.admin_group,
                              timeout=10)


async def test_operator_sends_the_proof_in_a_private_chat(
        sim: BotApiSimulator, city: City) -> None:
    citizen, code = await citizen_files(sim, "Nina", photos=1)
    await forward(city, await admin_card(city, code), "PUPR")
    await city.pupr.press(await start_work(city, code), text("btn-done-proof"))
    private_ask = await city.pupr.wait_for(lambda m: "balas pesan ini di sini" in m.content)
    assert private_ask.force_reply
    await send_proof(city.pupr, private_ask, "Saluran dibersihkan.")
    proof = await proof_card(city, "Saluran dibersihkan")
    # the same question in the group is closed: a late reply there changes nothing
    group_ask = next(m for m in city.pupr_group.bot_messages() if m.force_reply)
    await city.pupr.send_photo(chat=city.pupr_group, reply_to=group_ask, caption="lagi")
    await city.admin.press(proof, text("btn-close-notify"))
    await citizen.wait_for(lambda m: "Saluran dibersihkan" in m.content and bool(m.buttons),
                           timeout=10)
    assert not [m for m in city.pupr_group.bot_messages() if "Bukti: 1 foto. Catatan: lagi"
                in m.content]
