"""One place that turns exceptions into friendly replies in the user's language."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from complaints.errors import DomainError, NotAllowed, StaleReport
from presentation.texts import Translator

log = logging.getLogger(__name__)
HARMLESS = ("message is not modified", "query is too old")


async def _reply(event: ErrorEvent, text: str, *, alert: bool) -> None:
    update = event.update
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(text[:200], show_alert=alert)
        except TelegramBadRequest as exc:  # a press replayed after a restart: too old now
            if not _is_harmless(exc):
                raise
            log.debug("update %s: %s", update.update_id, exc.message)
    elif update.message is not None:
        await update.message.answer(text)


async def domain_error(event: ErrorEvent, t: Translator) -> None:
    """Bad input or a refused action: explain, keep everything else as it was."""
    exc = event.exception
    assert isinstance(exc, DomainError)
    params = dict(exc.params)
    if isinstance(exc, StaleReport):
        params.update(at=t.datetime(exc.at), status=t(f"status-{exc.status.value}"))
    if isinstance(exc, NotAllowed):
        log.warning("not allowed: update %s from user %s", event.update.update_id,
                    _user_id(event))
    await _reply(event, t(exc.key, **params), alert=True)


def _user_id(event: ErrorEvent) -> int | None:
    for source in (event.update.callback_query, event.update.message):
        if source is not None and source.from_user is not None:
            return source.from_user.id
    return None


def _is_harmless(exc: BaseException) -> bool:
    """Telegram refusing what is already so: the message shows that, the press was answered."""
    return isinstance(exc, TelegramBadRequest) and any(h in exc.message for h in HARMLESS)


def _harmless(event: ErrorEvent) -> bool:
    return _is_harmless(event.exception)


async def harmless_refusal(event: ErrorEvent) -> None:
    """Two admins pressing at once, a replayed update: nothing to apologise for."""
    log.debug("update %s: %s", event.update.update_id, event.exception)
    query = event.update.callback_query
    if query is not None:
        with contextlib.suppress(TelegramBadRequest):  # the spinner stops; nothing to say
            await query.answer()


async def unexpected_error(event: ErrorEvent, t: Translator | None = None) -> None:
    """A bug or an outage: log it, apologise, keep the draft."""
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    translator = t or Translator("id")
    try:
        await _reply(event, translator("error-unexpected"), alert=True)
    except Exception:  # the outage may be Telegram itself
        log.warning("could not tell the user about the failure", exc_info=True)


def create_router() -> Router:
    """A fresh router with every handler, in priority order (one per Dispatcher)."""
    router = Router(name=__name__)
    router.errors.register(domain_error, ExceptionTypeFilter(DomainError))
    router.errors.register(harmless_refusal, _harmless)
    router.errors.register(unexpected_error)
    return router
