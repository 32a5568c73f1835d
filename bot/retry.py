"""Retries for Bot API calls: aiogram retries nothing, Telegram asks us to (429, 5xx).

A 502 whose body is an HTML page (Telegram's front end answers so at times) reaches aiogram
as ClientDecodeError, not TelegramServerError: it is the same outage and is retried the same
way. "message is not modified" means the message already shows what the edit asked for (a
replayed update, two people pressing at once): it is answered as a successful edit.
"""

from __future__ import annotations

import asyncio
import logging
import random
from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    EditMessageCaption,
    EditMessageMedia,
    EditMessageReplyMarkup,
    EditMessageText,
    GetUpdates,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType

log = logging.getLogger(__name__)
# Set while a handler runs: its replies wait out any 429 (they only hold up their own chat,
# and an update not finished at a stop runs again on the next start); the outbox's sends give
# up past max_retry_after and put the row back, so one long wait never stalls every chat.
IN_HANDLER: ContextVar[bool] = ContextVar("in_handler", default=False)
HANDLER_MAX_WAIT = 3600.0
EDITS = (EditMessageText, EditMessageCaption, EditMessageReplyMarkup, EditMessageMedia)


def is_outage(exc: BaseException) -> bool:
    """A 5xx, or an answer that was no Bot API JSON at all (an HTML error page): retry later."""
    return isinstance(exc, TelegramServerError) or (
        isinstance(exc, ClientDecodeError) and isinstance(exc.data, str))


def is_not_modified(exc: BaseException) -> bool:
    """Telegram refused an edit because the message already looks like that."""
    return isinstance(exc, TelegramBadRequest) and "message is not modified" in exc.message


class RetryRequestMiddleware(BaseRequestMiddleware):
    """Honour 429 retry_after, back off on 5xx; a send that may have gone out is retried once."""

    def __init__(self, attempts: int = 6, base_delay: float = 0.5, max_delay: float = 10.0,
                 max_retry_after: float = 60.0) -> None:
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)  # the polling loop has its own backoff
        network_retries = 0
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                limit = HANDLER_MAX_WAIT if IN_HANDLER.get() else self.max_retry_after
                if attempt == self.attempts or exc.retry_after > limit:
                    raise
                log.info("%s: 429, waiting %ss", method.__api_method__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except (TelegramServerError, ClientDecodeError) as exc:
                if attempt == self.attempts or not is_outage(exc):
                    raise
                await asyncio.sleep(self._backoff(attempt))
            except TelegramBadRequest as exc:
                if isinstance(method, EDITS) and is_not_modified(exc):
                    log.debug("%s: message is not modified", method.__api_method__)
                    return True  # type: ignore[return-value]  # edits may answer True
                raise
            except TelegramNetworkError:
                # The request may have reached Telegram: a send is repeated once at most.
                network_retries += 1
                if attempt == self.attempts or (_is_send(method) and network_retries > 1):
                    raise
                await asyncio.sleep(self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * random.uniform(0.8, 1.2)


def _is_send(method: Any) -> bool:
    return type(method).__name__.startswith(("Send", "Copy", "Forward"))
