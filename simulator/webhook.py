"""Webhook delivery as Telegram does it: POST each update, secret header, retry until a 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any
from urllib.parse import urlsplit

import aiohttp

__all__ = ["SECRET_HEADER", "WebhookAttempt", "WebhookDelivery", "update_chat"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0, 2.0)  # Telegram's are longer; tests need not wait them


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of one update: where it went and what came back (status None: no answer)."""

    update_id: int
    url: str
    status: int | None
    error: str = ""
    at: float = 0.0


def update_chat(update: dict[str, Any]) -> str:
    """The chat an update belongs to; one chat's updates are delivered one at a time."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        if chat:
            return str(chat["id"])
        sender = body.get("from")
        if sender:
            return f"user:{sender['id']}"
    return "global"


class WebhookDelivery:
    """Delivers queued updates to the bot's webhook until deleteWebhook or stop.

    Up to `max_connections` POSTs run at once, never two of one chat, and a later update of a
    chat waits until the earlier one was answered with a 2xx (a failed one is retried after a
    growing delay). An answered update is confirmed (removed from the queue) at once.
    `upstreams`, when given, replaces the scheme and host of the webhook URL, round robin: the
    way a proxy in front of several bot processes spreads Telegram's requests.
    """

    def __init__(self, *, url: str, secret: str, max_connections: int,
                 queued: Callable[[], list[dict[str, Any]]], confirm: Callable[[int], None],
                 changed: Callable[[], asyncio.Event], notify: Callable[[], None],
                 upstreams: list[str], attempts: list[WebhookAttempt],
                 timeout: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self.max_connections = max_connections
        self._queued = queued
        self._confirm = confirm
        self._changed = changed
        self._notify = notify
        self._upstreams = upstreams
        self._attempts = attempts
        self._timeout = timeout
        self._turn = count()
        self._failures: dict[int, int] = {}
        self._not_before: dict[int, float] = {}
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._busy: set[str] = set()
        self.last_error: tuple[int, str] | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        """Begin delivering (in the simulator's event loop)."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop delivering; unanswered updates stay queued."""
        self._closing = True  # 3.11's wait_for may swallow a cancel that races a wake-up
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _target(self) -> str:
        if not self._upstreams:
            return self.url
        parts = urlsplit(self.url)
        upstream = self._upstreams[next(self._turn) % len(self._upstreams)].rstrip("/")
        return upstream + parts.path + (f"?{parts.query}" if parts.query else "")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)) as session:
            try:
                while not self._closing:
                    event = self._changed()
                    wait = self._start_due(session, loop.time())
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(event.wait(), wait)
            finally:
                for task in self._in_flight.values():
                    task.cancel()
                if self._in_flight:
                    await asyncio.wait(list(self._in_flight.values()))

    def _start_due(self, session: aiohttp.ClientSession, now: float) -> float:
        """Start every POST that may go now; returns how long to wait at most."""
        blocked = set(self._busy)
        wait = 1.0
        for update in self._queued():
            update_id, chat = update["update_id"], update_chat(update)
            if chat in blocked:
                continue
            blocked.add(chat)  # later updates of this chat wait for this one
            due = self._not_before.get(update_id, 0.0)
            if due > now:
                wait = min(wait, due - now)
                continue
            if len(self._in_flight) >= self.max_connections:
                break
            self._busy.add(chat)
            self._in_flight[update_id] = asyncio.create_task(self._post(session, update, chat))
        return max(wait, 0.001)

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any],
                    chat: str) -> None:
        update_id, url = update["update_id"], self._target()
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        status, error = None, ""
        try:
            async with session.post(url, json=update, headers=headers) as response:
                status = response.status
                if status >= 300:
                    error = f"Wrong response from the webhook: {status} {response.reason}"
                await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"Connection failed: {type(exc).__name__} {exc}".strip()
        finally:
            self._busy.discard(chat)
            self._in_flight.pop(update_id, None)
        self._attempts.append(WebhookAttempt(update_id, url, status, error, time.time()))
        if status is not None and 200 <= status < 300:
            self._failures.pop(update_id, None)
            self._not_before.pop(update_id, None)
            self._confirm(update_id)
        else:
            failures = self._failures[update_id] = self._failures.get(update_id, 0) + 1
            delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
            self._not_before[update_id] = asyncio.get_running_loop().time() + delay
            self.last_error = (int(time.time()), error)
        self._notify()
