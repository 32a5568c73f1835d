"""The bot itself and the chats it is in: getMe, commands, getChat, members, leaveChat."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from simulator.core import SimulatorCore
from simulator.state import ChatState, member_json
from simulator.users import SimUser
from simulator.wire import Handler, UploadedFile, bad

__all__ = ["ChatMethods"]

_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


class ChatMethods(SimulatorCore):
    """What the bot asks about itself and its chats, and the settings it only stores."""

    def _handlers(self) -> dict[str, Handler]:
        """getMe, commands, settings and chat/member queries."""
        return {
            **super()._handlers(),
            "getMe": self._get_me,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setMyDescription": self._just_true,
            "setMyShortDescription": self._just_true,
            "setChatMenuButton": self._just_true,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "leaveChat": self._leave_chat,
        }

    async def _just_true(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        """Settings methods the simulator accepts without modelling."""
        return True

    async def _get_me(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """The bot's own User object."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        """Commands are stored per scope and language."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Validate and store the command list."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands")
        for command in commands:
            name = str((command or {}).get("command", ""))
            description = str((command or {}).get("description", ""))
            if not _COMMAND_NAME_RE.fullmatch(name):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _delete_my_commands(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """Drop the commands of one scope/language."""
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """The commands of one scope/language."""
        return self.commands.get(self._commands_key(params), [])

    async def _get_chat(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """getChat: ChatFullInfo with the fields aiogram requires."""
        state = self._chat(params.get("chat_id"), sending=False)
        return {
            **state.info(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _member_status(self, state: ChatState[SimUser], user_id: int) -> tuple[str, dict[str, Any]]:
        """Status and User JSON of someone in a chat."""
        if user_id == self.bot_id:
            if state.type != "private" and not state.bot_member:
                return "left", self.bot_user
            return ("administrator" if state.bot_is_admin else "member"), self.bot_user
        user = self._users.get(user_id)
        if user is None:
            raise bad("user not found")
        if user not in state.members:
            return "left", user.to_dict()
        return ("administrator" if user.id in state.admin_ids else "member"), user.to_dict()

    async def _get_chat_member(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """getChatMember: member/administrator/left."""
        state = self._chat(params.get("chat_id"), sending=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad("user not found")
        status, user = self._member_status(state, user_id)
        return member_json(status, user)

    async def _get_chat_administrators(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """getChatAdministrators."""
        state = self._chat(params.get("chat_id"), sending=False)
        if state.type == "private":
            raise bad("there are no administrators in the private chat")
        admins = [
            member_json("administrator", u.to_dict())
            for u in state.members
            if u.id in state.admin_ids
        ]
        if state.bot_is_admin:
            admins.append(member_json("administrator", self.bot_user))
        return admins

    async def _leave_chat(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """leaveChat: the bot leaves a group and can no longer send there."""
        state = self._chat(params.get("chat_id"))
        if state.type == "private":
            raise bad("chat member status can't be changed in private chats")
        state.bot_member = False
        actor = self.bot_user
        self._queue_update(
            "my_chat_member",
            {
                "chat": state.info(),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": member_json("member", self.bot_user),
                "new_chat_member": member_json("left", self.bot_user),
            },
        )
        return True
