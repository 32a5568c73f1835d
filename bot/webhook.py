"""Webhook mode: Telegram posts updates; each is recorded in the inbox, answered, then handled.

Telegram resends an update it got no 2xx answer for, and a webhook that answers slowly gets
fewer updates at once. So the answer is given as soon as the update is committed to the inbox,
never after the handlers: a slow handler cannot make Telegram resend, and a crash after the
answer loses nothing (the row is pending and is handled on the next start, or by another
process's sweep).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logging_setup import mask_secrets
from bot.polling import chat_key
from bot.startup import StartupError, first_line, ping_database, ping_redis
from bot.update_queues import ChatQueues
from configuration.settings import Settings
from db.inbox import UpdateInbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
READY_TIMEOUT = 5.0


class Readiness:
    """Whether this process can do its work now: database, Redis (when used), Bot API."""

    def __init__(self, engine: AsyncEngine, redis_url: str | None, probe_bot: Bot,
                 secrets: tuple[str, ...]) -> None:
        self._probes: dict[str, Callable[[], Awaitable[Any]]] = {
            "database": lambda: ping_database(engine)}
        if redis_url:
            self._probes["redis"] = lambda: ping_redis(redis_url)
        self._probes["bot_api"] = probe_bot.get_me
        self._probe_bot = probe_bot
        self._secrets = secrets

    async def close(self) -> None:
        """Close the probe's HTTP session."""
        await self._probe_bot.session.close()

    async def check(self) -> dict[str, str]:
        """Each part: "ok" or "failed: <why>" (all probed at once, each with a timeout)."""

        async def probe(check: Callable[[], Awaitable[Any]]) -> str:
            try:
                await asyncio.wait_for(check(), READY_TIMEOUT)
            except (Exception, TimeoutError) as exc:
                return "failed: " + mask_secrets(first_line(exc), self._secrets)
            return "ok"

        results = await asyncio.gather(*(probe(check) for check in self._probes.values()))
        return dict(zip(self._probes, results, strict=True))


class WebhookServer:
    """The aiohttp server Telegram posts to, plus /healthz and /readyz for the proxy."""

    def __init__(self, settings: Settings, bot: Bot, dispatcher: Dispatcher,
                 inbox: UpdateInbox, updates: ChatQueues, readiness: Readiness) -> None:
        if settings.webhook_secret is None:
            raise StartupError("Configuration error: WEBHOOK_SECRET: must be set for --webhook "
                               "(e.g. `openssl rand -hex 32`)")
        self.settings = settings
        self.endpoint = settings.webhook_endpoint
        self.bot = bot
        self.dispatcher = dispatcher
        self.inbox = inbox
        self.updates = updates
        self.readiness = readiness
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def build_app(self) -> web.Application:
        """Routes: the update endpoint (POST, secret checked), /healthz, /readyz."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self.settings.webhook_path, self._receive)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        return app

    def stop(self) -> None:
        """Ask run() to finish (signal handlers call this)."""
        self._stopping.set()
        self.updates.stop()

    async def run(self) -> None:
        """Handle left-over updates, listen, set the webhook, serve until stop()."""
        await self.inbox.purge()
        await self.updates.resume()
        await self._listen()
        try:
            await self._set_webhook()
            log.info("receiving updates at %s (listening on %s:%s)", self.endpoint,
                     self.settings.webhook_host, self.port)
            await self._stopping.wait()
        finally:
            if self._runner is not None:
                await self._runner.cleanup()  # no new updates; answered ones are in the inbox
            await self.updates.drain()

    async def _listen(self) -> None:
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        host, port = self.settings.webhook_host, self.settings.webhook_port
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise StartupError(f"Cannot listen on {host}:{port} ({first_line(exc)}): pick a "
                               "free WEBHOOK_PORT or stop what uses it.") from None
        self._runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1]) if sockets else port

    async def _set_webhook(self) -> None:
        """Tell Telegram where to post, with our secret and the update types we handle."""
        try:
            await self.bot.set_webhook(
                url=self.endpoint, secret_token=self._secret.decode(),
                allowed_updates=self.dispatcher.resolve_used_update_types(),
                max_connections=self.settings.webhook_max_connections)
        except TelegramAPIError as exc:
            raise StartupError(
                f"Telegram refused the webhook {self.endpoint} ({first_line(exc)}): WEBHOOK_URL "
                "must be a public https:// address (ports 443, 80, 88 or 8443).") from None

    async def _receive(self, request: web.Request) -> web.Response:
        """Check the secret, commit the update to the inbox, answer, handle it afterwards."""
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="secret token missing")
        if not hmac.compare_digest(given.encode(), self._secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            payload = await request.json()
            update_id = int(payload["update_id"])
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            return web.Response(status=400, text="not an update")
        chat = chat_key(payload)
        try:
            fresh = await self.inbox.record([(update_id, chat, payload)])
        except Exception:
            log.exception("could not record update %s; Telegram will send it again", update_id)
            return web.Response(status=503, text="try again")
        if fresh:
            self.updates.submit(update_id, chat, payload)
        return web.Response(status=200)

    async def _healthz(self, _request: web.Request) -> web.Response:
        """The process is up and serving."""
        return web.json_response({"status": "ok"})

    async def _readyz(self, _request: web.Request) -> web.Response:
        """200 when every part answers, else 503 naming the part that failed."""
        parts = await self.readiness.check()
        ready = all(value == "ok" for value in parts.values())
        return web.json_response({"status": "ok" if ready else "unavailable", **parts},
                                 status=200 if ready else 503)
