"""A Bot API server on a bad day: a seeded share of every call fails in one of Telegram's ways.

`ChaosSimulator(rate=0.1, seed=7)` is the stock simulator where each Bot API call (getUpdates
included) fails with probability `rate`, the kind drawn from `kinds`:

* the stock faults (simulator/faults.py): `429` (retry_after drawn from `retry_afters`),
  `500`, `502` (JSON bodies), `slow` and `timeout` (the answer `delay` seconds late), `drop`
  (the connection aborted before the method runs);
* `html-502`: a 502 whose body is an HTML page, as Telegram's front end sometimes answers;
* `accepted-drop`: the method runs (Telegram accepted it) and then the connection is aborted,
  so the bot cannot know; a send it repeats is a duplicate nobody can avoid, and
  `accepted_sends` counts them per chat so a test can tell these from real duplicates.

Same seed, same sequence of draws; `enabled` switches the faults off (e.g. while a test
checks the final state). `injected` counts what was injected, by kind.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from aiohttp import web

from simulator.server import BotApiSimulator
from simulator.wire import ApiCall

__all__ = ["ALL_KINDS", "JSON_KINDS", "ChaosSimulator"]

JSON_KINDS = ("429", "500", "502", "slow", "timeout", "drop", "accepted-drop")
ALL_KINDS = (*JSON_KINDS, "html-502")
HTML_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n")
SENDS = ("send", "copy", "forward")


class ChaosSimulator(BotApiSimulator):
    """The simulator with random, reproducible faults on a share of all calls."""

    def __init__(self, *, rate: float = 0.1, seed: int = 0, kinds: tuple[str, ...] = JSON_KINDS,
                 retry_afters: tuple[int, ...] = (1, 2, 5), delay: float = 1.5,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        unknown = set(kinds) - set(ALL_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        self.rate, self.kinds, self.retry_afters, self.delay = rate, kinds, retry_afters, delay
        self.random = random.Random(seed)
        self.enabled = True
        self.injected: Counter[str] = Counter()
        self.accepted_sends: Counter[int] = Counter()  # chat id -> sends accepted, then dropped

    def _draw(self) -> str | None:
        """The fault for the next call, or None."""
        if not self.enabled or not self.kinds or self.random.random() >= self.rate:
            return None
        return self.random.choice(self.kinds)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Draw a fault, apply it around the stock handling."""
        kind = self._draw()
        if kind is None:
            return await super()._handle_api(request)
        self.injected[kind] += 1
        method = request.match_info["method"]
        if kind == "html-502":
            call = ApiCall(method=method, params={}, at=0.0)
            call.fault, call.status = kind, 502
            self.calls.append(call)
            return web.Response(status=502, text=HTML_502, content_type="text/html")
        if kind == "accepted-drop":
            index = len(self.calls)  # the stock handler records the call before its first await
            response = await super()._handle_api(request)
            call = self.calls[index]
            if call.status == 200:
                call.fault = kind
                if method.lower().startswith(SENDS):
                    chat = call.params.get("chat_id")
                    if isinstance(chat, int | str) and str(chat).lstrip("-").isdigit():
                        self.accepted_sends[int(chat)] += 1
            if request.transport is not None:
                request.transport.abort()
            return response
        self.faults.inject(kind, method=method,  # type: ignore[arg-type]
                           retry_after=self.random.choice(self.retry_afters), delay=self.delay)
        return await super()._handle_api(request)
