"""The simulator's shared state and the helpers every Bot API area builds on."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import secrets
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from simulator.faults import FaultInjector
from simulator.files import FileStore
from simulator.state import CallbackRecord, ChatState, SimMessage
from simulator.transcript import render_transcript
from simulator.users import SimGroup, SimUser
from simulator.webhook import WebhookAttempt, WebhookDelivery
from simulator.wire import ApiCall, ApiError, Handler, bad

__all__ = ["DEFAULT_ALLOWED_UPDATES", "SimulatorCore"]

DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


class SimulatorCore:
    """Chats, users, queued updates and waiting: the state all Bot API areas share."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "lapor_tarakan_bot",
        bot_name: str = "LAPOR! Tarakan",
        host: str = "127.0.0.1",
        port: int = 0,
        privacy_mode: bool = True,
    ) -> None:
        """Port 0 picks a free port and no token a random one, so parallel tests never clash."""
        if token is None:
            bot_id = 7_000_000_000 + secrets.randbelow(900_000_000)
            token = f"{bot_id}:{secrets.token_urlsafe(32)[:35]}"
        left, _, right = token.partition(":")
        if not left.isdigit() or not right:
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.bot_id = int(left)
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.host = host
        self.port = port
        self.privacy_mode = privacy_mode
        self.faults = FaultInjector()
        self.calls: list[ApiCall] = []
        self.downloads: list[str] = []
        self.files = FileStore()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook_url = ""
        # Where webhook POSTs really go (round robin), e.g. the bot processes behind a proxy;
        # empty: to the webhook URL itself. Every POST is recorded in webhook_attempts.
        self.webhook_upstreams: list[str] = []
        self.webhook_attempts: list[WebhookAttempt] = []
        self._webhook: WebhookDelivery | None = None
        self._users: dict[int, SimUser] = {}
        self._chats: dict[int, ChatState[SimUser]] = {}
        self._callbacks: dict[str, CallbackRecord] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000_001
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._next_user_id = 100_001
        self._next_group_id = 4_100_000_001
        self._next_supergroup_id = 2_100_000_001
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in self._handlers().items()
        }

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as a ``User`` JSON object (the ``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _handlers(self) -> dict[str, Handler]:
        """Bot API method name -> handler; each area mixin adds its own methods."""
        return {}

    def transcript(self, chat_id: int, *, last: int | None = None) -> str:
        """A readable conversation log of one chat, for demos and failure messages."""
        return render_transcript(self._state_by_id(chat_id), self._users, last=last)

    def _notify(self) -> None:
        """Wake everyone waiting for a state change (long polls, next_message, ...)."""
        event = self._changed
        self._changed = asyncio.Event()
        event.set()

    async def _wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Re-check ``predicate`` on every state change until it holds or time runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _state_by_id(self, chat_id: int) -> ChatState[SimUser]:
        """Chat state for tests (no Bot API rules applied)."""
        try:
            return self._chats[int(chat_id)]
        except (KeyError, ValueError):
            raise ValueError(f"no simulated chat {chat_id}") from None

    def _chat_state(self, user: SimUser, group: SimGroup | None) -> ChatState[SimUser]:
        """The chat a user acts in: the group's current chat or the private chat."""
        if group is not None:
            return group._state
        return self._chats[user.id]

    def _new_supergroup_id(self) -> int:
        """Supergroup ids look like -100xxxxxxxxxx."""
        chat_id = -int(f"100{self._next_supergroup_id}")
        self._next_supergroup_id += 1
        return chat_id

    def _queue_update(self, kind: str, payload: dict[str, Any]) -> None:
        """Queue an update for getUpdates (types the bot did not allow are never created)."""
        if kind not in self._allowed_updates:
            return
        self._updates.append({"update_id": self._next_update_id, kind: copy.deepcopy(payload)})
        self._next_update_id += 1
        self._notify()

    def _chat(self, chat_id: Any, *, sending: bool = True) -> ChatState[SimUser]:
        """Resolve chat_id like Telegram: not found, migrated, blocked, left."""
        if chat_id is None or chat_id == "":
            raise bad("chat_id is empty")
        if not isinstance(chat_id, int):
            raise bad("chat not found")
        state = self._chats.get(chat_id)
        if state is None or state.deleted:
            raise bad("chat not found")
        if state.migrated_to is not None:
            raise bad(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        if sending:
            if state.type == "private" and state.user is not None and state.user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if state.type != "private" and state.bot_kicked and not state.bot_member:
                raise ApiError(403, f"Forbidden: bot was kicked from the {state.type} chat")
            if state.type != "private" and not state.bot_member:
                raise ApiError(403, f"Forbidden: bot is not a member of the {state.type} chat")
            if state.bot_muted:
                raise bad("not enough rights to send text messages to the chat")
        return state

    def _message(self, state: ChatState[SimUser], message_id: Any, missing: str) -> SimMessage:
        """A live (not deleted) message of a chat, else ``Bad Request: <missing>``."""
        if not isinstance(message_id, int):
            raise bad("message identifier is not specified")
        message = state.by_id.get(message_id)
        if message is None or message.deleted:
            raise bad(missing)
        return message

    def _bot_send(
        self,
        state: ChatState[SimUser],
        fields: dict[str, Any],
        params: dict[str, Any],
        *,
        reply: dict[str, Any] | None,
        markup: dict[str, Any] | None,
        text: str | None = None,
        caption: str | None = None,
    ) -> SimMessage:
        """Store a message the bot sent and wake waiters; returns the stored message."""
        raw: dict[str, Any] = {
            "message_id": state.allocate_id(),
            "from": self.bot_user,
            "chat": state.info(),
            "date": int(time.time()),
        }
        if reply is not None:
            raw["reply_to_message"] = reply
        raw.update(fields)
        if params.get("protect_content"):
            raw["has_protected_content"] = True
        if markup and "inline_keyboard" in markup:
            raw["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        message = SimMessage(
            raw,
            from_bot=True,
            text=text,
            caption=caption,
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
        )
        state.add(message)
        self._notify()
        return message
