"""Replayed updates say things once: calls Telegram accepted are answered from the journal.

A handler's calls are numbered in the order it makes them. After each accepted one, the
method, chat and Telegram's answer are written to the send journal (db/replay.py) under the
update's id and that number. When the update runs again (its process died before marking it
handled), the same handler reaching the same place with the same method and chat gets the
recorded answer (the Message it sent, with its message id) instead of a second message. A call
that differs from what was recorded there (the replay went another way) is made for real.

Reads (get*), callback answers and chat actions are not journaled: repeating them is harmless.
A message Telegram accepted just before the kill, ahead of its journal row, is still sent
twice; that window is one database write wide.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound
from aiogram.fsm.context import FSMContext
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InputFile, TelegramObject
from pydantic import BaseModel

from db.replay import CURRENT_UPDATE, IN_FLIGHT, SendJournal, Sent

log = logging.getLogger(__name__)
EFFECTS = ("Send", "Copy", "Forward", "Edit", "Delete", "Pin", "Unpin", "SetMessageReaction",
           "StopPoll")
HARMLESS = ("SendChatAction",)


def journaled(method: TelegramMethod[Any]) -> bool:
    """Calls whose repetition a person would see (a message, an edit, a deletion)."""
    name = type(method).__name__
    return name.startswith(EFFECTS) and name not in HARMLESS


CONTENT = ("message_id", "from_chat_id", "text", "caption", "photo", "document", "media",
           "latitude", "longitude", "question")


def fingerprint(method: TelegramMethod[Any]) -> str:
    """A digest of what a call says and where (not its buttons): a replay's twin has it too."""
    parts = [f"{name}={_identity(getattr(method, name))}" for name in CONTENT
             if getattr(method, name, None) is not None]
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def _identity(value: Any) -> str:
    if isinstance(value, InputFile):  # an upload (a picture cleaned of its metadata)
        return f"file:{value.filename}"
    if isinstance(value, list):
        return "[" + ",".join(_identity(getattr(item, "media", item)) + "|"
                              + str(getattr(item, "caption", "")) for item in value) + "]"
    return str(value)


def as_json(result: Any) -> Any:
    """Telegram's answer as plain JSON, to be parsed back into the same type on a replay."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(result, list):
        return [as_json(item) for item in result]
    return result


class ReplayJournalMiddleware(BaseRequestMiddleware):
    """Outermost request middleware: journal accepted calls, answer replays from the journal."""

    def __init__(self, journal: SendJournal) -> None:
        self.journal = journal

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> TelegramType:
        run = CURRENT_UPDATE.get()
        if run is None or not journaled(method):
            return await make_request(bot, method)
        name, chat = method.__api_method__, str(getattr(method, "chat_id", "") or "")
        call = Sent(name, chat, fingerprint(method), IN_FLIGHT)
        recorded = run.take(name, chat, call.fingerprint)
        if recorded is None:
            seq = run.next_call()
        elif recorded[1].result is not IN_FLIGHT:
            log.info("update %s: %s to %s already accepted before a restart; not repeated",
                     run.update_id, name, chat)
            return self._parse(bot, method, recorded[1].result)
        else:
            seq = recorded[0]
            log.warning("update %s: %s to %s was on its way when the process stopped; sent "
                        "again, so it may arrive twice", run.update_id, name, chat)
        await self._journal(self.journal.in_flight(run.update_id, seq, call))
        try:
            result = await make_request(bot, method)
        except (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound):
            # refused for good: nothing reached the chat, so a replay is no repeat
            await self._journal(self.journal.forget(run.update_id, seq))
            raise
        await self._journal(self.journal.accepted(
            run.update_id, seq, Sent(name, chat, call.fingerprint, as_json(result))))
        return result

    @staticmethod
    async def _journal(write: Awaitable[None]) -> None:
        """A failed journal write costs at most a repeat on a replay, never the send."""
        try:
            await write
        except Exception:
            log.exception("could not write the send journal")

    @staticmethod
    def _parse(bot: Bot, method: TelegramMethod[TelegramType], result: Any) -> TelegramType:
        response = Response[method.__returning__].model_validate(  # type: ignore[name-defined]
            {"ok": True, "result": result}, context={"bot": bot})
        return response.result  # type: ignore[return-value]


class SkipAppliedUpdates(BaseMiddleware):
    """Outer update middleware after aiogram's FSM one: a replay whose state is stored is done.

    It also tells the storages which conversation the update is about, so a write to it is
    stored with the update's id (db/replay.py writer_and_applied).
    """

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        run = CURRENT_UPDATE.get()
        state: FSMContext | None = data.get("state")
        if run is None or state is None:
            return await handler(event, data)
        run.own_key = state.key
        applied = getattr(data.get("fsm_storage"), "applied_update", None)
        if run.maybe_replay and applied is not None:
            done = await applied(state.key)
            if done is not None and done >= run.update_id:
                log.info("update %s was handled before a restart (its state is stored); "
                         "not run again", run.update_id)
                return None
        return await handler(event, data)
