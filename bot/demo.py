"""`lapor-bot demo`: the real bot against the bundled simulator, a citizen files a complaint."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.app import application, run_application
from bot.config import load_settings
from bot.simulator import BotApiSimulator, SimMessage, SimUser

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
    await user.send_text("/status")
    await _next(user)


async def run_demo(database_dir: Path | None = None) -> str:
    """Run the scripted conversation and return it as a readable transcript."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = database_dir or Path(scratch)
        async with BotApiSimulator() as sim:
            settings = load_settings(
                bot_token=sim.token, bot_api_url=sim.base_url, geocoder_url=None,
                database_url=f"sqlite+aiosqlite:///{folder / 'demo.db'}", redis_url=None)
            async with application(settings, sim.token, poll_timeout=1) as app:
                runner = asyncio.create_task(run_application(app, install_signals=False))
                citizen = sim.user("Budi", username="budi_tarakan", language_code="id")
                try:
                    await _play_citizen(citizen)
                finally:
                    app.polling.stop()
                    await runner
            return sim.transcript(citizen.chat_id)
