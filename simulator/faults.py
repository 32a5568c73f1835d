"""Injected failures: what Telegram does to a bot on a bad day (429, 5xx, slow, dropped)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal, get_args

from aiohttp import web

from simulator.wire import ApiCall, ApiError

__all__ = ["Fault", "FaultInjector", "FaultKind", "apply_fault"]

FaultKind = Literal["429", "500", "502", "html502", "slow", "drop", "timeout"]
# What a front end in trouble answers: a 502 page in HTML, not the Bot API's JSON.
BAD_GATEWAY_PAGE = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    "</body>\r\n</html>\r\n")
_FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))


@dataclass
class Fault:
    """One injected failure waiting to hit matching calls."""

    kind: str
    method: str | None
    remaining: int
    retry_after: int
    delay: float
    chat_id: int | None


class FaultInjector:
    """Queue of failures consumed in order by the next matching Bot API calls."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def inject(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        delay: float = 2.0,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` matching calls fail in the given way."""
        if kind not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(_FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self._faults.append(
            Fault(kind, method.lower() if method else None, count, retry_after, delay, chat_id)
        )

    def clear(self) -> None:
        """Forget all faults not consumed yet."""
        self._faults.clear()

    @property
    def pending(self) -> int:
        """How many faulted calls are still to come."""
        return sum(f.remaining for f in self._faults)

    def take(self, method: str, chat_id: Any) -> Fault | None:
        """Consume the first fault matching this call, if any."""
        lowered = method.lower()
        for fault in self._faults:
            if fault.method is None and lowered == "getupdates":
                continue
            if fault.method is not None and fault.method != lowered:
                continue
            if fault.chat_id is not None and chat_id != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None


async def apply_fault(
    fault: Fault, request: web.Request, call: ApiCall
) -> web.StreamResponse | None:
    """Answer a faulted call; None means go on and run the method."""
    if fault.kind == "429":
        raise ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
        )
    if fault.kind == "500":
        raise ApiError(500, "Internal Server Error")
    if fault.kind == "502":
        raise ApiError(502, "Bad Gateway")
    if fault.kind == "html502":
        call.status, call.response = 502, {"html": BAD_GATEWAY_PAGE}
        return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
    if fault.kind == "drop":
        call.status = 0
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay)
    return None
