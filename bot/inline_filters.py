"""Run cheap synchronous filters on the event loop instead of in a worker thread.

aiogram 3 awaits every non-async filter through `asyncio.to_thread`, magic filters (`F.text`,
`F.chat.type == ...`) included. Ours are pure attribute checks taking microseconds, while each
thread hop costs far more CPU than the check and contends for the GIL; under load that was a
tenth of the bot's CPU. `run_filters_inline` rewrites the dispatcher's filter objects once,
after all routers are included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject


def _inline(callback: Callable[..., Any]) -> Callable[..., Any]:
    """An async wrapper calling `callback` directly (same name, same parameters)."""

    @wraps(callback)
    async def inline(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return inline


def _handler_objects(router: Router) -> Iterator[HandlerObject]:
    """Every handler of the router and its sub-routers, with each observer's own filters."""
    for sub_router in router.chain_tail:
        for observer in sub_router.observers.values():
            yield observer._handler  # router-level filters: observer.filter(...)
            yield from observer.handlers


def run_filters_inline(router: Router) -> int:
    """Make every synchronous filter under `router` run inline; returns how many changed."""
    changed = 0
    for handler in _handler_objects(router):
        for event_filter in handler.filters or ():
            if isinstance(event_filter, FilterObject) and not event_filter.awaitable:
                event_filter.callback = _inline(event_filter.callback)
                event_filter.awaitable = True
                changed += 1
    return changed
