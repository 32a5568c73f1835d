"""Running the bot as an operator would: settings, secrets in logs, faults, restarts, demo."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramNetworkError
from sqlalchemy import text

from bot.app import create_bot
from bot.demo import run_demo
from bot.logging_setup import TokenMaskingFormatter
from bot.retry import RetryRequestMiddleware
from configuration.settings import ConfigError, load_settings
from db.engine import create_engine
from simulator import BotApiSimulator
from tests.e2e.flows import IN_TARAKAN, expect, file_until_review, register

TOKEN = "123456789:AAHfakeTokenForTests_abcdefghijklmnopq"


def test_bad_settings_stop_with_one_line_naming_them() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(database_url="mysql://nope", bot_token=None)
    assert str(err.value).startswith("Configuration error: DATABASE_URL:")
    with pytest.raises(ConfigError) as err:
        load_settings(bot_token="not-a-token-at-all")
    assert "BOT_TOKEN" in str(err.value) and "not-a-token" not in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_settings(service_area="1,2,3")
    assert "SERVICE_AREA" in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_settings(timezone="Mars/Olympus")
    assert "TIMEZONE" in str(err.value)


def test_command_line_reports_bad_setting_in_one_line(tmp_path: Path) -> None:
    env = {"PATH": "", "DATABASE_URL": "oracle://x", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_URL: must start with sqlite+inline://, "
        "sqlite+aiosqlite:// or postgresql+asyncpg://"]


async def test_token_never_reaches_the_logs_on_network_errors(tmp_path: Path) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TokenMaskingFormatter(secrets=(TOKEN,)))
    log = logging.getLogger("lapor.test")
    log.addHandler(handler)
    settings = load_settings(bot_api_url="http://127.0.0.1:9", bot_token=TOKEN,
                             database_url=f"sqlite+inline:///{tmp_path / 'x.db'}")
    bot = create_bot(settings, TOKEN, RetryRequestMiddleware(attempts=2, base_delay=0.01))
    url = bot.session.api.api_url(TOKEN, "getMe")
    try:
        with pytest.raises(TelegramNetworkError):
            await bot.get_me()
        try:
            await bot.get_me()
        except TelegramNetworkError:
            log.exception("request to %s failed", url)
    finally:
        await bot.session.close()
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "request to http://127.0.0.1:9/bot<bot-token>/getMe failed" in output
    assert "Traceback" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


async def test_replies_survive_429_and_5xx(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Budi")
    await register(citizen)
    sim.faults.inject("429", method="sendMessage", retry_after=1)
    sim.faults.inject("502", method="sendMessage", count=2)
    await citizen.send_text("/lapor")
    await expect(citizen, "laporan baru", wait=15)
    await expect(citizen, "Langkah 1 dari 5", wait=15)
    statuses = [c.status for c in sim.calls_to("sendMessage")]
    assert 429 in statuses and 502 in statuses
    sim.faults.inject("500", method="editMessageText")
    sim.faults.inject("drop", method="sendMessage")
    await citizen.send_album(2)
    progress = await expect(citizen, "Foto diterima (1/5)", wait=15)
    await citizen.wait_for(lambda m: m.message_id == progress.message_id and "(2/5)" in m.content,
                           timeout=15)
    await citizen.send_location(*IN_TARAKAN)
    await expect(citizen, "Lokasi diterima", wait=15)


async def test_getupdates_outage_loses_nothing(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Sari")
    sim.faults.inject("500", method="getUpdates", count=2)
    await citizen.send_text("/start")
    await expect(citizen, "Selamat datang", wait=15)
    await expect(citizen, "Persetujuan", wait=15)


async def test_updates_recorded_but_unhandled_run_after_restart(sim: BotApiSimulator, bot,
                                                               settings) -> None:
    citizen = sim.user("Joko")
    await register(citizen, name="Joko")
    review = await file_until_review(citizen)
    await bot.stop()
    # the press arrives while the bot is down; it is handled once the bot is back
    await citizen.press(review, "Kirim laporan")
    await bot.start()
    await expect(citizen, "Laporan terkirim", wait=10)
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("select count(*) from reports")) == 1
    finally:
        await engine.dispose()


async def test_demo_prints_the_whole_conversation(tmp_path: Path) -> None:
    transcript = await run_demo(tmp_path)
    assert "Budi: /start" in transcript
    assert "Laporan terkirim" in transcript
    assert "LPR-" in transcript
    assert "(group, Admin Pengaduan)" in transcript and "(group, OPD PUPR)" in transcript
    assert "selesai ditindaklanjuti" in transcript
    assert "Penilaian untuk laporan" in transcript
