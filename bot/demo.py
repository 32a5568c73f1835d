"""`lapor-bot demo`: the real bot against the bundled simulator, a citizen files a complaint."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.app import Application, application, run_application
from complaints import admin
from complaints.clock import utc_now
from complaints.model import ChatPurpose, Role
from configuration.settings import load_settings
from simulator import BotApiSimulator, SimGroup, SimMessage, SimUser

TARAKAN_MARKET = (3.3000, 117.6330)


async def _next(user: SimUser) -> SimMessage:
    return await user.next_message(timeout=10)


async def _play_citizen(user: SimUser) -> None:
    """A citizen registers and files a complaint with two photos, as a person would."""
    await user.send_text("/start")
    await _next(user)
    consent = await _next(user)
    await user.press(consent, "Setuju")
    await _next(user)
    await user.send_text("Budi Santoso")
    await _next(user)
    await user.send_contact("6281234567890")
    await _next(user)
    confirm = await _next(user)
    await user.press(confirm, "Benar")
    await _next(user)
    await user.send_text("📝 Buat laporan")
    await _next(user)
    await _next(user)
    await user.send_album(2)
    progress = await _next(user)
    await user.wait_for(lambda m: m.message_id == progress.message_id and "(2/5)" in m.content,
                        timeout=10)
    await user.send_location(*TARAKAN_MARKET)
    await _next(user)
    await user.send_text("Depan Pasar Gusher")
    await _next(user)
    await user.send_text("Jalan berlubang besar di depan pasar, sudah dua minggu dan "
                         "membahayakan pengendara motor terutama malam hari.")
    categories = await _next(user)
    await user.press(categories, "Jalan dan jembatan")
    review = await _next(user)
    await user.press(review, "Kirim laporan")
    await _next(user)


async def _staff(sim: BotApiSimulator, app: Application) -> tuple[SimUser, SimUser, SimGroup,
                                                                  SimGroup]:
    """An admin and a PUPR operator, their groups bound as `lapor-admin` would bind them."""
    uow, now = app.context.uow, utc_now()
    officer, operator = sim.user("Ani (admin)"), sim.user("Putu (PUPR)")
    await admin.add_staff(uow(), officer.id, "Ani", Role.ADMIN, None, now)
    await admin.add_staff(uow(), operator.id, "Putu", Role.OPD, "PUPR", now)
    admin_group = sim.group("Admin Pengaduan", members=[officer])
    pupr_group = sim.group("OPD PUPR", members=[operator])
    await admin.bind_chat(uow(), admin_group.id, ChatPurpose.ADMIN, None, now)
    await admin.bind_chat(uow(), pupr_group.id, ChatPurpose.OPD, "PUPR", now)
    return officer, operator, admin_group, pupr_group


async def _play_staff(officer: SimUser, operator: SimUser, admin_group: SimGroup,
                      pupr_group: SimGroup, citizen: SimUser) -> None:
    """Verify and forward, process, prove, close; the citizen rates."""
    card = await officer.wait_for(lambda m: "✅ Verifikasi & teruskan" in m.buttons,
                                  chat=admin_group, timeout=10)
    await officer.press(card, "Verifikasi & teruskan")
    menu = await officer.wait_for(lambda m: any("PUPR" in b for b in m.buttons),
                                  chat=admin_group, timeout=10)
    await officer.press(menu, "PUPR")
    agency_card = await operator.wait_for(lambda m: "▶️ Proses" in m.buttons, chat=pupr_group,
                                          timeout=10)
    await operator.press(agency_card, "Proses")
    working = await operator.wait_for(lambda m: "✅ Selesai (kirim bukti)" in m.buttons,
                                      chat=pupr_group, timeout=10)
    await operator.press(working, "Selesai")
    ask = await operator.wait_for(lambda m: m.force_reply, chat=pupr_group, timeout=10)
    await operator.send_photo(chat=pupr_group, reply_to=ask,
                              caption="Lubang sudah ditambal aspal dan dipadatkan.")
    summary = await operator.wait_for(lambda m: "📨 Kirim bukti" in m.buttons, chat=pupr_group,
                                      timeout=10)
    await operator.press(summary, "Kirim bukti")
    proof = await officer.wait_for(lambda m: "✔️ Tutup & kabari pelapor" in m.buttons,
                                   chat=admin_group, timeout=10)
    await officer.press(proof, "Tutup")
    done = await citizen.wait_for(lambda m: "⭐⭐⭐⭐⭐" in m.buttons, timeout=10)
    await citizen.press(done, "⭐⭐⭐⭐⭐")
    skip = await citizen.wait_for(lambda m: "Lewati" in m.buttons, timeout=10)
    await citizen.press(skip, "Lewati")
    await citizen.wait_for(lambda m: "Terima kasih!" in m.content, timeout=10)


async def run_demo(database_dir: Path | None = None) -> str:
    """Run the scripted conversations and return them as readable transcripts."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = database_dir or Path(scratch)
        async with BotApiSimulator() as sim:
            settings = load_settings(
                bot_token=sim.token, bot_api_url=sim.base_url, geocoder_url=None,
                private_message_interval=0.2, group_message_interval=0.2,
                database_url=f"sqlite+inline:///{folder / 'demo.db'}", redis_url=None)
            async with application(settings, sim.token, poll_timeout=1) as app:
                runner = asyncio.create_task(run_application(app, install_signals=False))
                citizen = sim.user("Budi", username="budi_tarakan", language_code="id")
                try:
                    officer, operator, admin_group, pupr_group = await _staff(sim, app)
                    await _play_citizen(citizen)
                    await _play_staff(officer, operator, admin_group, pupr_group, citizen)
                finally:
                    app.polling.stop()
                    await runner
            return "\n\n".join(sim.transcript(chat) for chat in (
                citizen.chat_id, admin_group.id, pupr_group.id))
