"""Registration as a citizen sees it, through the simulator and the real bot."""

from __future__ import annotations

import pytest

from complaints.validation import MAX_PHOTOS
from simulator import BotApiSimulator
from tests.e2e.flows import answer_registration, expect, open_registration
from tests.texts import text


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_register_with_shared_contact(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Budi", language_code="id")
    await citizen.send_text("/start")
    welcome = await expect(citizen, "Selamat datang", "3 hari kerja")
    assert "Setuju" not in " ".join(welcome.buttons)
    consent = await expect(citizen, "Persetujuan data pribadi", "nomor telepon")
    assert consent.buttons == ["✅ Setuju", "❌ Tidak setuju"]
    await citizen.press(consent, "Setuju")
    await expect(citizen, "nama lengkap")
    await citizen.send_text("  Siti   Aminah  ")
    ask_phone = await expect(citizen, "Bagikan nomor telepon")
    assert ask_phone.keyboard == ["📱 Bagikan nomor telepon"]
    assert ask_phone.reply_markup["keyboard"][0][0]["request_contact"] is True
    await citizen.send_contact("6281234567890")
    await expect(citizen, "Nomor telepon diterima")
    confirm = await expect(citizen, "Siti Aminah", "+6281234567890")
    await citizen.press(confirm, "Benar")
    done = await expect(citizen, "Terima kasih, Siti Aminah", "Pendaftaran selesai")
    assert "📝 Buat laporan" in done.keyboard

    await citizen.send_text("/profil")
    profile = await expect(citizen, "Profil Anda", "Siti Aminah", "+6281234567890")
    assert profile.buttons == ["✏️ Ubah profil"]

    await citizen.send_text("/start")
    await expect(citizen, "Selamat datang kembali, Siti Aminah")


async def test_registration_refuses_bad_input_and_keeps_going(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Rina")
    consent = await open_registration(citizen)
    await citizen.send_text("halo")
    await expect(citizen, "tekan salah satu tombol")
    await expect(citizen, "Persetujuan")
    await citizen.press(consent, "Setuju")
    await expect(citizen, "nama lengkap")

    await citizen.send_sticker()
    await expect(citizen, "ketik nama lengkap Anda sebagai teks")
    await expect(citizen, "nama lengkap")
    await citizen.send_text("R")
    await expect(citizen, "Nama harus 2–100 karakter")
    await citizen.send_text("R2D2 <script>")
    await expect(citizen, "Nama hanya boleh berisi huruf")
    await citizen.send_text("Rina D'Souza-Putri")
    await expect(citizen, "Bagikan nomor telepon")

    other = sim.user("Orang Lain")
    await citizen.send_contact("6281111111111", user_id=other.id, first_name="Orang Lain")
    await expect(citizen, "nomor telepon Anda sendiri")
    await citizen.send_text("12345")
    await expect(citizen, "Nomor telepon tidak valid")
    await citizen.send_text("+1 202 555 0175")
    await expect(citizen, "Nomor telepon tidak valid")
    await citizen.send_text("0812-3456-7890")
    await expect(citizen, "Nomor telepon diterima")
    confirm = await expect(citizen, "+6281234567890")
    assert "Rina D'Souza-Putri" in confirm.content
    await citizen.send_text("/kembali")
    await expect(citizen, "Bagikan nomor telepon")
    await citizen.send_text("081298765432")
    await expect(citizen, "Nomor telepon diterima")
    confirm = await expect(citizen, "+6281298765432")
    await citizen.press(confirm, "Ubah")
    await expect(citizen, "nama lengkap")
    await citizen.send_text("Rina Putri")
    await expect(citizen, "Bagikan nomor telepon")
    await citizen.send_text("081298765432")
    await expect(citizen, "Nomor telepon diterima")
    confirm = await expect(citizen, "Rina Putri")
    await citizen.press(confirm, "Benar")
    await expect(citizen, "Pendaftaran selesai")


async def test_declining_consent_stores_nothing(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Andi")
    consent = await open_registration(citizen)
    await citizen.press(consent, "Tidak setuju")
    await expect(citizen, "Tanpa persetujuan")
    await citizen.send_text("/lapor")
    await expect(citizen, "silakan daftar")
    await expect(citizen, "Persetujuan")
    await citizen.send_text("/profil")
    await expect(citizen, "belum terdaftar")


async def test_english_speaker_gets_english_and_can_switch(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("John", language_code="en")
    await citizen.send_text("/start")
    await expect(citizen, "Welcome to")
    consent = await expect(citizen, "Consent to personal data")
    assert consent.buttons == ["✅ I agree", "❌ I do not agree"]
    await citizen.send_text("/bahasa")
    choose = await expect(citizen, "Choose a language")
    await citizen.press(choose, "Bahasa Indonesia")
    await citizen.wait_for(lambda m: "Bahasa diubah" in m.content)
    await expect(citizen, "Ketik /start")
    await citizen.send_text("/start")
    await expect(citizen, "Selamat datang")


async def test_register_before_first_report_then_straight_to_photos(
        sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Dewi")
    await citizen.send_text("/lapor")
    await expect(citizen, text("error-not-registered"))
    consent = await expect(citizen, text("reg-consent"))
    await answer_registration(citizen, consent, "Dewi Lestari", "+6281355512345")
    await expect(citizen, text("intake-start"))
    await expect(citizen, text("intake-photos", max=MAX_PHOTOS))
