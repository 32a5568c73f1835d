"""Step helpers for end-to-end tests: what a citizen does, and what they must see."""

from __future__ import annotations

import re

from simulator import SimMessage, SimUser

CODE_RE = re.compile(r"LPR-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}")
IN_TARAKAN = (3.3000, 117.6330)  # Jl. Yos Sudarso area, Tarakan
JAKARTA = (-6.2000, 106.8166)
DESCRIPTION = "Jalan berlubang besar di depan pasar, sudah dua minggu dan membahayakan motor."


async def expect(user: SimUser, *fragments: str, wait: float = 5.0) -> SimMessage:
    """The bot's next message to this user contains every fragment."""
    message = await user.next_message(timeout=wait)
    for fragment in fragments:
        assert fragment in message.content, (
            f"expected {fragment!r} in the bot's message:\n{message.content}")
    return message


async def register(user: SimUser, name: str = "Budi Santoso",
                   phone: str = "6281234567890") -> None:
    """Consent, name, shared contact, confirm."""
    await user.send_text("/start")
    await expect(user, "LAPOR! Kota Tarakan")
    consent = await expect(user, "Persetujuan data pribadi")
    await user.press(consent, "Setuju")
    await expect(user, "nama lengkap")
    await user.send_text(name)
    await expect(user, "Bagikan nomor telepon")
    await user.send_contact(phone)
    await expect(user, "Nomor telepon diterima")
    confirm = await expect(user, name)
    await user.press(confirm, "Benar")
    await expect(user, "Pendaftaran selesai")


async def begin_report(user: SimUser) -> SimMessage:
    """/lapor: the wizard introduces itself and asks for photos."""
    await user.send_text("/lapor")
    await expect(user, "laporan baru")
    return await expect(user, "Langkah 1 dari 5")


async def file_until_review(user: SimUser, *, photos: int = 1,
                            description: str = DESCRIPTION) -> SimMessage:
    """From /lapor to the review summary, answering every step correctly."""
    await begin_report(user)
    if photos == 1:
        await user.send_photo()
    else:
        await user.send_album(photos)
    progress = await expect(user, "Foto diterima (1/5)", "Langkah 2 dari 5")
    if photos > 1:
        await user.wait_for(lambda m: m.message_id == progress.message_id
                            and f"({photos}/5)" in m.content)
    await user.send_location(*IN_TARAKAN)
    await expect(user, "Lokasi diterima")
    await user.send_text("Lewati ➡️")
    await expect(user, "Langkah 3 dari 5")
    await user.send_text(description)
    categories = await expect(user, "Langkah 4 dari 5")
    await user.press(categories, "Jalan dan jembatan")
    review = await expect(user, "Langkah 5 dari 5")
    assert review.buttons == ["📨 Kirim laporan", "✏️ Ubah", "❌ Batal"]
    return review


async def submit(user: SimUser, review: SimMessage) -> str:
    """Press Send on the review; returns the tracking code the citizen got."""
    await user.press(review, "Kirim laporan")
    done = await expect(user, "Laporan terkirim")
    match = CODE_RE.search(done.content)
    assert match, done.content
    return match.group(0)
