"""Webhook mode end to end: the simulator posts updates to the real bot's aiohttp server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.webhook import SECRET_HEADER, Readiness
from configuration.settings import Settings
from db.engine import create_engine, create_sessionmaker
from db.inbox import UpdateInbox
from db.models import CitizenRow, InboxRow
from simulator import BotApiSimulator, SimUser
from tests.conftest import RunningBot
from tests.e2e.flows import expect, register
from tests.texts import text

SECRET = "s3cret-webhook-token_0123456789"
PUBLIC = "https://lapor.example"
PATH = "/telegram/webhook"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(settings: Settings, port: int) -> Settings:
    return settings.model_copy(update={"webhook_url": PUBLIC, "webhook_port": port,
                                       "webhook_secret": SecretStr(SECRET)})


async def start_webhook_bot(settings: Settings, sim: BotApiSimulator) -> tuple[RunningBot, str]:
    """A bot process in webhook mode, with the simulator posting to it as a proxy would."""
    port = free_port()
    local = f"http://127.0.0.1:{port}"
    sim.webhook_upstreams.append(local)
    running = RunningBot(webhook_settings(settings, port), sim, webhook=True)
    await running.start()
    await _wait_for_webhook(sim)
    return running, local


async def _wait_for_webhook(sim: BotApiSimulator) -> None:
    """setWebhook is called once the server listens."""
    await sim._wait_until(lambda: bool(sim.calls_to("setWebhook")), 10)
    assert sim.webhook_url == PUBLIC + PATH


@pytest.fixture
async def hook(settings: Settings, sim: BotApiSimulator) -> AsyncIterator[tuple[RunningBot, str]]:
    running, local = await start_webhook_bot(settings, sim)
    try:
        yield running, local
    finally:
        await running.stop()


def start_update(user: SimUser, update_id: int) -> dict[str, Any]:
    """A /start message update as Telegram would post it."""
    sender = {"id": user.id, "is_bot": False, "first_name": user.first_name,
              "language_code": "id"}
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": int(time.time()), "from": sender,
        "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


async def inbox_rows(settings: Settings) -> list[tuple[int, bool]]:
    """(update_id, handled) of every inbox row."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(InboxRow.update_id, InboxRow.handled_at).order_by(InboxRow.update_id))
            return [(update_id, handled is not None) for update_id, handled in rows]
    finally:
        await engine.dispose()


async def handled_soon(settings: Settings, update_id: int, wait: float = 5.0) -> bool:
    """The inbox marks handled updates in batches a moment after the handler ran."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if (update_id, True) in await inbox_rows(settings):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_secret_refused_when_missing_or_wrong_accepted_when_right(
        sim: BotApiSimulator, hook: tuple[RunningBot, str]) -> None:
    running, local = hook
    citizen = sim.user("Budi")
    update = start_update(citizen, 900_000_001)
    async with aiohttp.ClientSession() as http:
        async with http.post(local + PATH, json=update) as missing:
            assert missing.status == 401
        async with http.post(local + PATH, json=update,
                             headers={SECRET_HEADER: "not-the-secret-at-all"}) as wrong:
            assert wrong.status == 403
        async with http.post(local + "/other", json=update,
                             headers={SECRET_HEADER: SECRET}) as elsewhere:
            assert elsewhere.status in (404, 405)
        assert await inbox_rows(running.settings) == []
        assert citizen.messages() == []
        async with http.post(local + PATH, json=update, headers={SECRET_HEADER: SECRET}) as ok:
            assert ok.status == 200
    await expect(citizen, text("welcome"))
    assert await handled_soon(running.settings, 900_000_001)


async def test_set_webhook_on_start_with_secret_and_update_types(
        sim: BotApiSimulator, hook: tuple[RunningBot, str]) -> None:
    [call] = sim.calls_to("setWebhook")
    assert call.params["url"] == "https://lapor.example/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert {"message", "callback_query", "my_chat_member"} <= set(call.params["allowed_updates"])
    assert sim.calls_to("getUpdates") == []


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_conversation_over_the_webhook(sim: BotApiSimulator,
                                             hook: tuple[RunningBot, str]) -> None:
    """The simulator posts every update; the real dispatcher runs the registration wizard."""
    running, local = hook
    citizen = sim.user("Siti")
    await register(citizen, name="Siti Aminah")
    await citizen.send_text("/profil")
    await expect(citizen, "Siti Aminah", "+6281234567890")
    attempts = sim.webhook_attempts
    assert attempts and all(a.status == 200 and a.url == local + PATH for a in attempts)
    assert len({a.update_id for a in attempts}) == len(attempts)  # none sent twice
    assert sim.pending_updates() == 0 and sim.calls_to("getUpdates") == []
    assert await handled_soon(running.settings, max(a.update_id for a in attempts))
    rows = await inbox_rows(running.settings)
    assert [u for u, _ in rows] == sorted(a.update_id for a in attempts)
    assert all(handled for _, handled in rows)
    engine = create_engine(running.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            citizens = await session.scalar(select(func.count()).select_from(CitizenRow).where(
                CitizenRow.telegram_id == citizen.id, CitizenRow.name == "Siti Aminah"))
        assert citizens == 1
    finally:
        await engine.dispose()


async def test_health_and_readiness(sim: BotApiSimulator, hook: tuple[RunningBot, str]) -> None:
    running, local = hook
    async with aiohttp.ClientSession() as http:
        async with http.get(local + "/healthz") as health:
            assert health.status == 200 and (await health.json())["status"] == "ok"
        async with http.get(local + "/readyz") as ready:
            assert ready.status == 200
            assert await ready.json() == {"status": "ok", "database": "ok", "bot_api": "ok"}

        sim.faults.inject("502", method="getMe")
        async with http.get(local + "/readyz") as api_down:
            assert api_down.status == 503
            body = await api_down.json()
            assert body["database"] == "ok" and body["bot_api"].startswith("failed:")
            assert "Bad Gateway" in body["bot_api"]

        assert running.app is not None and running.app.webhook is not None
        down = create_engine(f"postgresql+asyncpg://lapor@127.0.0.1:{free_port()}/lapor")
        working = running.app.webhook.readiness
        running.app.webhook.readiness = Readiness(down, None, running.app.bot, ())
        try:
            async with http.get(local + "/readyz") as db_down:
                assert db_down.status == 503
                body = await db_down.json()
                assert body["status"] == "unavailable" and body["bot_api"] == "ok"
                assert body["database"].startswith("failed:")
            async with http.get(local + "/healthz") as still_up:
                assert still_up.status == 200
        finally:
            running.app.webhook.readiness = working
            await down.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_restart_handles_updates_answered_but_not_handled(
        settings: Settings, sim: BotApiSimulator) -> None:
    """A process that answered Telegram and died before handling: the next start handles it."""
    running, _ = await start_webhook_bot(settings, sim)
    citizen = sim.user("Budi")
    await citizen.send_text("/start")
    await expect(citizen, text("welcome"))
    await expect(citizen, text("reg-consent"))
    await running.stop()

    # What the webhook had committed (and answered 200 for) when the process was killed.
    engine = create_engine(running.settings.database_url)
    try:
        inbox = UpdateInbox(create_sessionmaker(engine))
        recorded = await inbox.record([(990_000_001, str(citizen.id),
                                        start_update(citizen, 990_000_001))])
        assert recorded == [990_000_001]
    finally:
        await engine.dispose()
    sim.calls.clear()
    await running.start()
    try:
        await expect(citizen, text("welcome"))
        assert await handled_soon(running.settings, 990_000_001)
        assert len(sim.calls_to("setWebhook")) == 1
    finally:
        await running.stop()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_two_webhook_processes_keep_one_chats_order(
        settings: Settings, sim: BotApiSimulator) -> None:
    """Updates of one citizen alternate between two processes; the wizard still works."""
    first, local_a = await start_webhook_bot(settings, sim)
    second, local_b = await start_webhook_bot(settings, sim)
    try:
        citizen = sim.user("Rina")
        await register(citizen, name="Rina Wati")
        await citizen.send_text("/profil")
        await expect(citizen, "Rina Wati")
        targets = {a.url for a in sim.webhook_attempts}
        assert targets == {local_a + PATH, local_b + PATH}
    finally:
        await second.stop()
        await first.stop()


async def test_lapor_bot_webhook_process_serves_and_stops_on_sigterm(
        settings: Settings, sim: BotApiSimulator, tmp_path: Path) -> None:
    """The console entry `lapor-bot --webhook` as an operator runs it, then SIGTERM."""
    port = free_port()
    sim.webhook_upstreams.append(f"http://127.0.0.1:{port}")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "WEBHOOK_"))}
    environment.update(PYTHONPATH=str(ROOT), BOT_TOKEN=sim.token, BOT_API_URL=sim.base_url,
                       DATABASE_URL=settings.database_url, WEBHOOK_URL=PUBLIC,
                       WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port), LOG_LEVEL="INFO",
                       PRIVATE_MESSAGE_INTERVAL="0")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--webhook", cwd=tmp_path, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await _wait_for_webhook(sim)
        citizen = sim.user("Budi")
        await citizen.send_text("/start")
        await expect(citizen, text("welcome"), wait=15)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/readyz") as ready:
                assert ready.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert f"receiving updates at {PUBLIC}{PATH}" in log
    assert SECRET not in log and sim.token not in log
