"""Simulated users and groups: what a test drives, and what they read back from the bot."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterable
from typing import Any, Literal, Protocol

from simulator.content import document_fields, media_fields, photo_fields, text_fields
from simulator.files import FileStore
from simulator.state import CallbackRecord, ChatState, SimMessage

__all__ = ["SimGroup", "SimUser", "SimulatorBackend"]

_SELF: Literal["self"] = "self"


class SimulatorBackend(Protocol):
    """The server side as users and groups see it, so they need no import of the server."""

    files: FileStore
    _callbacks: dict[str, CallbackRecord]

    def _user_send(
        self,
        user: SimUser,
        group: SimGroup | None,
        fields: dict[str, Any],
        *,
        reply_to: SimMessage | None = None,
    ) -> SimMessage:
        """Store a user's message and queue its update."""

    def _user_edit(self, user: SimUser, message: SimMessage, new_text: str) -> SimMessage:
        """Apply a user's edit and queue an edited_message update."""

    def _user_press(self, user: SimUser, message: SimMessage, data: str) -> str:
        """Queue a callback_query; returns its id."""

    def _set_blocked(self, user: SimUser, blocked: bool) -> None:
        """Block or unblock the bot for a user."""

    def _chat_state(self, user: SimUser, group: SimGroup | None) -> ChatState[SimUser]:
        """The chat a user acts in."""

    def _migrate(self, group: SimGroup) -> int:
        """Upgrade a basic group to a supergroup; returns the new id."""

    async def _wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Re-check ``predicate`` on every state change until it holds or time runs out."""

    def transcript(self, chat_id: int, *, last: int | None = None) -> str:
        """A readable log of one chat, for assertion messages."""


class SimUser:
    """A simulated Telegram user: sends updates to the bot and reads what the bot answered."""

    def __init__(
        self,
        sim: SimulatorBackend,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
    ) -> None:
        self._sim = sim
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        self._cursors: dict[int, int] = {}

    @property
    def chat_id(self) -> int:
        """A private chat's id equals the user's id."""
        return self.id

    @property
    def full_name(self) -> str:
        """First and last name as Telegram clients show them."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_dict(self) -> dict[str, Any]:
        """The ``User`` JSON object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def __repr__(self) -> str:
        """Short form for assertion messages."""
        return f"<SimUser {self.id} {self.full_name!r}>"

    # ------------------------------------------------------------------ sending

    async def _sent(self, message: SimMessage) -> SimMessage:
        """Yield once so a waiting getUpdates can pick the update up."""
        await asyncio.sleep(0)
        return message

    async def send_text(
        self, text: str, *, chat: SimGroup | None = None, reply_to: SimMessage | None = None
    ) -> SimMessage:
        """Type a text message (commands get bot_command entities)."""
        return await self._sent(
            self._sim._user_send(self, chat, text_fields(text), reply_to=reply_to)
        )

    async def send_photo(
        self,
        *,
        caption: str | None = None,
        chat: SimGroup | None = None,
        reply_to: SimMessage | None = None,
        media_group_id: str | None = None,
    ) -> SimMessage:
        """Send a camera photo (a real tiny JPEG in 3 sizes)."""
        fields = photo_fields(self._sim.files, caption, media_group_id)
        return await self._sent(self._sim._user_send(self, chat, fields, reply_to=reply_to))

    async def send_album(
        self, n: int, *, caption: str | None = None, chat: SimGroup | None = None
    ) -> list[SimMessage]:
        """Send ``n`` photos as one album; updates are queued back to back."""
        if not 2 <= n <= 10:
            raise ValueError("a Telegram album holds 2-10 items")
        group_id = str(13_000_000_000_000_000 + secrets.randbelow(10**17))
        sent = [
            self._sim._user_send(
                self,
                chat,
                photo_fields(self._sim.files, caption if index == 0 else None, group_id),
            )
            for index in range(n)
        ]
        await asyncio.sleep(0)
        return sent

    async def send_document(
        self,
        *,
        file_name: str = "foto.jpg",
        mime_type: str = "image/jpeg",
        content: bytes | None = None,
        caption: str | None = None,
        chat: SimGroup | None = None,
        reply_to: SimMessage | None = None,
    ) -> SimMessage:
        """Send a file (default: a JPEG sent 'as file', uncompressed)."""
        fields = document_fields(self._sim.files, file_name, mime_type, content, caption)
        return await self._sent(self._sim._user_send(self, chat, fields, reply_to=reply_to))

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        *,
        live_period: int | None = None,
        chat: SimGroup | None = None,
    ) -> SimMessage:
        """Share a (possibly live) location."""
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return await self._sent(self._sim._user_send(self, chat, {"location": location}))

    async def send_venue(
        self,
        latitude: float,
        longitude: float,
        title: str,
        address: str,
        *,
        chat: SimGroup | None = None,
    ) -> SimMessage:
        """Share a venue picked from the map (carries a location too)."""
        location = {"latitude": latitude, "longitude": longitude}
        fields = {
            "venue": {"location": dict(location), "title": title, "address": address},
            "location": location,
        }
        return await self._sent(self._sim._user_send(self, chat, fields))

    async def send_contact(
        self,
        phone_number: str,
        *,
        first_name: str | None = None,
        user_id: int | Literal["self"] | None = _SELF,
    ) -> SimMessage:
        """Share a contact: own (the request_contact button) or someone else's."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if user_id == _SELF:
            contact["user_id"] = self.id
            if first_name is None and self.last_name:
                contact["last_name"] = self.last_name
        elif user_id is not None:
            contact["user_id"] = int(user_id)
        return await self._sent(self._sim._user_send(self, None, {"contact": contact}))

    async def send_sticker(self, *, chat: SimGroup | None = None) -> SimMessage:
        """Send a sticker, something the bot cannot use as a complaint."""
        return await self._sent(
            self._sim._user_send(self, chat, media_fields(self._sim.files, "sticker"))
        )

    async def send_voice(self, *, chat: SimGroup | None = None) -> SimMessage:
        """Send a voice note."""
        return await self._sent(
            self._sim._user_send(self, chat, media_fields(self._sim.files, "voice"))
        )

    async def send_video(self, *, chat: SimGroup | None = None) -> SimMessage:
        """Send a video."""
        return await self._sent(
            self._sim._user_send(self, chat, media_fields(self._sim.files, "video"))
        )

    async def edit_text(self, message: SimMessage, new_text: str) -> SimMessage:
        """Edit one of this user's text messages (queues an edited_message update)."""
        return await self._sent(self._sim._user_edit(self, message, new_text))

    async def press(self, message: SimMessage, button_text: str) -> str:
        """Tap the inline button whose text matches; returns the callback query id."""
        if message.deleted:
            raise AssertionError(f"cannot press a button on deleted message {message!r}")
        return await self.press_data(message, message.button_data(button_text))

    async def press_data(self, message: SimMessage, data: str) -> str:
        """Send a callback_query with arbitrary (possibly forged) data for a message."""
        query_id = self._sim._user_press(self, message, data)
        await asyncio.sleep(0)
        return query_id

    def block_bot(self) -> None:
        """Block the bot: its sends to this user fail with 403 from now on."""
        self._sim._set_blocked(self, True)

    def unblock_bot(self) -> None:
        """Unblock the bot again (sending anything to the bot also unblocks)."""
        self._sim._set_blocked(self, False)

    # ------------------------------------------------------------------ reading

    def _chat(self, chat: SimGroup | None) -> ChatState[SimUser]:
        """The private chat, or the group's current chat."""
        return self._sim._chat_state(self, chat)

    def messages(
        self, chat: SimGroup | None = None, *, include_deleted: bool = False
    ) -> list[SimMessage]:
        """All messages in the chat, both directions, with edits applied."""
        return self._chat(chat).visible(include_deleted=include_deleted)

    def bot_messages(
        self, chat: SimGroup | None = None, *, include_deleted: bool = False
    ) -> list[SimMessage]:
        """Only the bot's messages in the chat."""
        return [m for m in self.messages(chat, include_deleted=include_deleted) if m.from_bot]

    def active_keyboard(self, chat: SimGroup | None = None) -> list[str]:
        """Texts of the reply keyboard the client currently shows ([] if removed/none)."""
        for message in reversed(self._chat(chat).bot_sent):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return message.keyboard
            if markup.get("remove_keyboard"):
                return []
        return []

    async def next_message(
        self,
        *,
        chat: SimGroup | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SimMessage:
        """The next bot message in this chat not yet returned to this user (cursor per chat)."""
        state = self._chat(chat)
        key = state.id

        def ready() -> bool:
            return len(state.bot_sent) > self._cursors.get(key, 0)

        if not await self._sim._wait_until(ready, timeout):
            raise AssertionError(
                f"{self.first_name} got no new bot message in chat {key} within {timeout}s.\n"
                f"{self._sim.transcript(key, last=15)}"
            )
        cursor = self._cursors.get(key, 0)
        self._cursors[key] = cursor + 1
        return state.bot_sent[cursor]

    async def wait_for(
        self,
        predicate: Callable[[SimMessage], bool],
        *,
        chat: SimGroup | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SimMessage:
        """Wait until some bot message in the chat (new, edited or already there) matches."""
        state = self._chat(chat)
        found: list[SimMessage] = []

        def check() -> bool:
            for message in reversed(state.bot_sent):
                if message.deleted:
                    continue
                try:
                    matched = predicate(message)
                except (AssertionError, LookupError):
                    matched = False
                if matched:
                    found.append(message)
                    return True
            return False

        if not await self._sim._wait_until(check, timeout):
            raise AssertionError(
                f"no bot message in chat {state.id} matched the predicate within {timeout}s.\n"
                f"{self._sim.transcript(state.id, last=15)}"
            )
        return found[-1]

    async def callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """What the bot answered to a button press (text, show_alert, url)."""
        record = self._sim._callbacks.get(query_id)
        if record is None:
            raise AssertionError(f"unknown callback query id {query_id!r}")
        if not await self._sim._wait_until(lambda: record.answer is not None, timeout):
            raise AssertionError(
                f"the bot did not answer callback query {query_id} (data={record.data!r}) "
                f"within {timeout}s.\n{self._sim.transcript(record.chat_id, last=10)}"
            )
        assert record.answer is not None
        return dict(record.answer)

    def drain(self, chat: SimGroup | None = None) -> list[SimMessage]:
        """Skip all unread bot messages (moving the next_message cursor to the end)."""
        state = self._chat(chat)
        cursor = self._cursors.get(state.id, 0)
        self._cursors[state.id] = len(state.bot_sent)
        return list(state.bot_sent[cursor:])


class SimGroup:
    """A simulated group (or supergroup) the bot is a member of."""

    def __init__(self, sim: SimulatorBackend, state: ChatState[SimUser]) -> None:
        self._sim = sim
        self._state = state

    @property
    def id(self) -> int:
        """Current chat id (changes when the group is upgraded to a supergroup)."""
        return self._state.id

    @property
    def title(self) -> str:
        """The group's title."""
        return self._state.title or ""

    @property
    def type(self) -> str:
        """ "group" or "supergroup"."""
        return self._state.type

    @property
    def members(self) -> list[SimUser]:
        """Simulated users in the group."""
        return self._state.members

    @property
    def admins(self) -> list[SimUser]:
        """Members getChatMember reports as administrators."""
        return [u for u in self._state.members if u.id in self._state.admin_ids]

    @property
    def bot_is_admin(self) -> bool:
        """Whether the bot is an administrator (it then sees every message)."""
        return self._state.bot_is_admin

    @bot_is_admin.setter
    def bot_is_admin(self, value: bool) -> None:
        """Promote or demote the bot."""
        self._state.bot_is_admin = value

    def add_member(self, user: SimUser, *, admin: bool = False) -> None:
        """Add a user (optionally as administrator)."""
        if user not in self._state.members:
            self._state.members.append(user)
        if admin:
            self._state.admin_ids.add(user.id)

    def add_members(self, users: Iterable[SimUser]) -> None:
        """Add several users at once."""
        for user in users:
            self.add_member(user)

    def migrate_to_supergroup(self) -> int:
        """Upgrade to a supergroup: new -100... id, old id answers migrate errors."""
        return self._sim._migrate(self)

    def messages(self, *, include_deleted: bool = False) -> list[SimMessage]:
        """All messages in the (current) group chat."""
        return self._state.visible(include_deleted=include_deleted)

    def bot_messages(self, *, include_deleted: bool = False) -> list[SimMessage]:
        """Only the bot's messages in the group."""
        return [m for m in self.messages(include_deleted=include_deleted) if m.from_bot]

    def __repr__(self) -> str:
        """Short form for assertion messages."""
        return f"<SimGroup {self.id} {self.title!r} ({self.type})>"
