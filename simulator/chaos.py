"""A Bot API server on a bad day: a seeded share of every call fails in one of Telegram's ways.

`ChaosSimulator(rate=0.1, seed=7)` is the stock simulator where each Bot API call (getUpdates
included) fails with probability `rate`, the kind drawn from `kinds`:

* the stock faults (simulator/faults.py): `429` (retry_after drawn from `retry_afters`),
  `500`, `502` (JSON bodies), `html502` (a 502 whose body is nginx's HTML page, as Telegram's
  front end sometimes answers), `slow` and `timeout` (the answer `delay` seconds late), `drop`
  (the connection aborted before the method runs);
* `accepted-drop`: the method runs (Telegram accepted it) and then the connection is aborted,
  so the bot cannot know; a send it repeats is a duplicate nobody can avoid, and
  `accepted_sends` counts them per chat so a test can tell these from real duplicates.

The draw for a call depends only on the seed, the method, the chat and how many calls of that
method to that chat came before, not on how the bot's concurrent calls interleave: the n-th
sendMessage to a chat fails the same way in every run with the same seed. Faults injected
explicitly with `faults.inject` come first. `enabled` switches the drawn faults off (e.g.
while a test checks the final state); `injected` counts them by kind.
"""

from __future__ import annotations

import random
from collections import Counter
from contextvars import ContextVar
from typing import Any

from aiohttp import web

from simulator.faults import Fault, FaultInjector
from simulator.server import BotApiSimulator

__all__ = ["ALL_KINDS", "JSON_KINDS", "ChaosSimulator"]

JSON_KINDS = ("429", "500", "502", "slow", "timeout", "drop", "accepted-drop")
ALL_KINDS = (*JSON_KINDS, "html502")
SENDS = ("send", "copy", "forward")
_drawn: ContextVar[str | None] = ContextVar("chaos_drawn", default=None)  # per request task


class ChaosFaults(FaultInjector):
    """Explicit faults first; otherwise a fault drawn for this (method, chat, n-th call)."""

    def __init__(self, chaos: ChaosSimulator) -> None:
        super().__init__()
        self._chaos = chaos
        self._calls: Counter[tuple[str, str]] = Counter()

    def take(self, method: str, chat_id: Any) -> Fault | None:
        """The stock queue, else the draw; an accepted-drop is finished after the method ran."""
        queued = super().take(method, chat_id)
        if queued is not None:
            return queued
        chaos = self._chaos
        if not chaos.enabled or not chaos.kinds or chaos.rate <= 0:
            return None
        key = (method.lower(), str(chat_id))
        self._calls[key] += 1
        draw = random.Random(f"{chaos.seed}:{key[0]}:{key[1]}:{self._calls[key]}")
        if draw.random() >= chaos.rate:
            return None
        kind = draw.choice(chaos.kinds)
        chaos.injected[kind] += 1
        _drawn.set(kind)
        if kind == "accepted-drop":
            return None  # the method runs; the connection is cut afterwards
        return Fault(kind, key[0], 1, draw.choice(chaos.retry_afters), chaos.delay, chat_id)


class ChaosSimulator(BotApiSimulator):
    """The simulator with random, reproducible faults on a share of all calls."""

    def __init__(self, *, rate: float = 0.1, seed: int = 0, kinds: tuple[str, ...] = JSON_KINDS,
                 retry_afters: tuple[int, ...] = (1, 2, 5), delay: float = 1.5,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        unknown = set(kinds) - set(ALL_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        self.rate, self.seed, self.kinds = rate, seed, kinds
        self.retry_afters, self.delay = retry_afters, delay
        self.enabled = True
        self.injected: Counter[str] = Counter()
        self.accepted_sends: Counter[int] = Counter()  # chat id -> sends accepted, then dropped
        self.faults = ChaosFaults(self)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """The stock handling (which draws through ChaosFaults), then cut accepted-drops."""
        _drawn.set(None)
        index = len(self.calls)  # the stock handler records the call before its first await
        response = await super()._handle_api(request)
        kind = _drawn.get()
        if kind is None:
            return response
        call = self.calls[index]
        call.fault = kind
        if kind == "accepted-drop":
            if call.ok and call.method.lower().startswith(SENDS):
                chat = str(call.params.get("chat_id", ""))
                if chat.lstrip("-").isdigit():
                    sent = call.response  # an album is several messages
                    self.accepted_sends[int(chat)] += len(sent) if isinstance(sent, list) else 1
            if request.transport is not None:
                request.transport.abort()
        return response
