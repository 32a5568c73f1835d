"""What simulated users do to the server: their messages, presses and blocks become updates."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from typing import Any

from simulator.content import user_entities
from simulator.core import SimulatorCore
from simulator.state import (
    MEDIA_KINDS,
    CallbackRecord,
    ChatState,
    SimMessage,
    member_json,
    snapshot,
)
from simulator.users import SimGroup, SimUser

__all__ = ["UserActions"]


class UserActions(SimulatorCore):
    """Creates users and groups and turns their actions into stored messages and updates."""

    def user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        user_id: int | None = None,
    ) -> SimUser:
        """Create a simulated user with a private chat to the bot."""
        if user_id is None:
            while self._next_user_id in self._users:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id in self._users:
            raise ValueError(f"user {user_id} already exists")
        user = SimUser(
            self,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = user
        state = ChatState(user_id, "private", user=user)
        state.members.append(user)
        self._chats[user_id] = state
        return user

    def group(
        self,
        title: str,
        *,
        members: Iterable[SimUser] = (),
        chat_type: str = "group",
        admins: Iterable[SimUser] = (),
        bot_is_admin: bool = False,
    ) -> SimGroup:
        """Create a group (or supergroup) with the bot already in it."""
        if chat_type == "group":
            chat_id = -self._next_group_id
            self._next_group_id += 1
        elif chat_type == "supergroup":
            chat_id = self._new_supergroup_id()
        else:
            raise ValueError("chat_type must be 'group' or 'supergroup'")
        state: ChatState[SimUser] = ChatState(chat_id, chat_type, title=title)
        state.bot_is_admin = bot_is_admin
        self._chats[chat_id] = state
        group = SimGroup(self, state)
        group.add_members(members)
        for admin in admins:
            group.add_member(admin, admin=True)
        return group

    def _delivered(self, state: ChatState[SimUser], raw: dict[str, Any]) -> bool:
        """Privacy mode: in groups the bot gets only commands, replies to it, service messages."""
        if state.type == "private":
            return True
        if not state.bot_member:
            return False
        if not self.privacy_mode or state.bot_is_admin:
            return True
        if not any(key in raw for key in ("text", "caption")) and not any(
            key in raw for key in (*MEDIA_KINDS, "location", "venue", "contact")
        ):
            return True  # service message
        text = raw.get("text") or raw.get("caption") or ""
        if text.startswith("/"):
            command = text.split()[0]
            if "@" not in command:
                return True
            return command.split("@", 1)[1].lower() == self.bot_username.lower()
        reply = raw.get("reply_to_message")
        return bool(reply and reply.get("from", {}).get("id") == self.bot_id)

    def _user_send(
        self,
        user: SimUser,
        group: SimGroup | None,
        fields: dict[str, Any],
        *,
        reply_to: SimMessage | None = None,
    ) -> SimMessage:
        """Store a user's message and queue its update (subject to privacy mode)."""
        state = self._chat_state(user, group)
        if state.migrated_to is not None:
            raise AssertionError(f"chat {state.id} was upgraded to {state.migrated_to}")
        if group is not None:
            group.add_member(user)
        elif user.blocked:
            self._set_blocked(user, False)  # a client must unblock the bot to write to it
        raw: dict[str, Any] = {
            "message_id": state.allocate_id(),
            "from": user.to_dict(),
            "chat": state.info(),
            "date": int(time.time()),
            **fields,
        }
        if reply_to is not None:
            if reply_to.chat_id != state.id:
                raise AssertionError(f"cannot reply across chats: {reply_to!r}")
            raw["reply_to_message"] = snapshot(reply_to.raw)
        message = SimMessage(raw, from_bot=False)
        state.add(message)
        message.delivered = self._delivered(state, raw)
        if message.delivered:
            self._queue_update("message", raw)
        self._notify()
        return message

    def _user_edit(self, user: SimUser, message: SimMessage, new_text: str) -> SimMessage:
        """Apply a user's edit and queue an edited_message update."""
        if message.from_bot or message.sender_id != user.id:
            raise AssertionError(f"{user!r} can only edit own messages, not {message!r}")
        if "text" not in message.raw:
            raise AssertionError("only text messages can be edited with edit_text")
        raw = message.raw
        raw["text"] = new_text
        raw.pop("entities", None)
        entities = user_entities(new_text)
        if entities:
            raw["entities"] = entities
        raw["edit_date"] = int(time.time())
        message.text = new_text
        message.edited = True
        message.sync()
        state = self._chats[message.chat_id]
        if self._delivered(state, raw):
            self._queue_update("edited_message", raw)
        self._notify()
        return message

    def _user_press(self, user: SimUser, message: SimMessage, data: str) -> str:
        """Queue a callback_query for a button on a bot message."""
        if not message.from_bot:
            raise AssertionError(f"only bot messages carry inline buttons: {message!r}")
        state = self._chats[message.chat_id]
        query_id = str(secrets.randbits(63))
        self._callbacks[query_id] = CallbackRecord(user.id, state.id, message.message_id, data)
        self._queue_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": message.raw,
                "chat_instance": state.chat_instance,
                "data": data,
            },
        )
        return query_id

    def _set_blocked(self, user: SimUser, blocked: bool) -> None:
        """Block/unblock and tell the bot with a my_chat_member update, as Telegram does."""
        if user.blocked == blocked:
            return
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        self._queue_update(
            "my_chat_member",
            {
                "chat": self._chats[user.id].info(),
                "from": user.to_dict(),
                "date": int(time.time()),
                "old_chat_member": member_json(old, self.bot_user),
                "new_chat_member": member_json(new, self.bot_user),
            },
        )

    def add_bot_to(self, group: SimGroup, *, by: SimUser) -> None:
        """Someone adds the bot to a group (again): Telegram sends a my_chat_member update."""
        state = group._state
        old = "member" if state.bot_member else ("kicked" if state.type == "supergroup"
                                                 else "left")
        state.bot_member, state.bot_kicked = True, False
        self._membership(state, by, old, "member")

    def remove_bot_from(self, group: SimGroup, *, by: SimUser) -> None:
        """A member removes the bot: sends there answer 403 "bot was kicked" from now on."""
        state = group._state
        state.bot_member = False
        state.bot_kicked = True
        self._membership(state, by, "member", "kicked" if state.type == "supergroup" else "left")

    def restrict_bot(self, group: SimGroup, *, by: SimUser, muted: bool = True) -> None:
        """An admin takes the bot's right to send (a supergroup): sends answer 400 "not enough
        rights"; `muted=False` gives it back. Each comes with a my_chat_member update."""
        state = group._state
        if state.type != "supergroup":
            raise ValueError("only supergroup members can be restricted")
        state.bot_muted = muted
        old, new = ("member", "restricted") if muted else ("restricted", "member")
        self._membership(state, by, old, new)

    def delete_chat(self, group: SimGroup) -> None:
        """The group is deleted: sends there answer 400 "chat not found", and no update comes."""
        group._state.deleted = True

    def _membership(self, state: ChatState[SimUser], by: SimUser, old: str, new: str) -> None:
        self._queue_update(
            "my_chat_member",
            {
                "chat": state.info(),
                "from": by.to_dict(),
                "date": int(time.time()),
                "old_chat_member": member_json(old, self.bot_user),
                "new_chat_member": member_json(new, self.bot_user),
            },
        )

    def _migrate(self, group: SimGroup) -> int:
        """Upgrade a basic group to a supergroup with Telegram's service messages."""
        old = group._state
        if old.type != "group":
            raise ValueError("only basic groups can be upgraded")
        new: ChatState[SimUser] = ChatState(
            self._new_supergroup_id(), "supergroup", title=old.title
        )
        new.members = list(old.members)
        new.admin_ids = set(old.admin_ids)
        new.bot_is_admin = old.bot_is_admin
        new.bot_member = old.bot_member
        old.migrated_to = new.id
        self._chats[new.id] = new
        group._state = new
        actor = next(iter(group.admins or group.members), None)
        for state, key, value in (
            (old, "migrate_to_chat_id", new.id),
            (new, "migrate_from_chat_id", old.id),
        ):
            raw: dict[str, Any] = {
                "message_id": state.allocate_id(),
                "chat": state.info(),
                "date": int(time.time()),
                key: value,
            }
            if actor is not None:
                raw["from"] = actor.to_dict()
            state.add(SimMessage(raw, from_bot=False))
            if state.bot_member:
                self._queue_update("message", raw)
        self._notify()
        return new.id
