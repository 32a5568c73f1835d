"""Chat and message state shared by the server side and the simulated users and groups."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

__all__ = [
    "MEDIA_KINDS",
    "CallbackRecord",
    "ChatState",
    "Person",
    "SimMessage",
    "member_json",
    "snapshot",
]

MEDIA_KINDS = ("photo", "document", "video", "audio", "animation", "voice", "sticker")


class Person(Protocol):
    """What chat state reads of a simulated user, so this module needs no import of users."""

    id: int
    first_name: str
    last_name: str | None
    username: str | None
    blocked: bool

    def to_dict(self) -> dict[str, Any]:
        """The ``User`` JSON object."""


UserT = TypeVar("UserT", bound=Person)


class SimMessage:
    """One message in a chat, from the bot or a user, kept up to date with edits and deletes."""

    def __init__(
        self,
        raw: dict[str, Any],
        *,
        from_bot: bool,
        text: str | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
    ) -> None:
        self.raw: dict[str, Any] = raw
        self.from_bot = from_bot
        self.text: str | None = text if text is not None else raw.get("text")
        self.caption: str | None = caption if caption is not None else raw.get("caption")
        self.parse_mode: str | None = parse_mode or None
        self.reply_markup: dict[str, Any] | None = reply_markup
        self.edited = False
        self.deleted = False
        self.delivered = True  # False when privacy mode kept a group message from the bot
        self.message_id = 0
        self.chat_id = 0
        self.sender_id = 0
        self.plain_text: str | None = None
        self.plain_caption: str | None = None
        self.photo_file_ids: list[str] = []
        self.document: dict[str, Any] | None = None
        self.location: dict[str, Any] | None = None
        self.venue: dict[str, Any] | None = None
        self.media_group_id: str | None = None
        self.reply_to_message_id: int | None = None
        self.sync()

    def sync(self) -> None:
        """Re-derive the convenience fields from ``raw`` after a change."""
        raw = self.raw
        self.message_id = int(raw["message_id"])
        self.chat_id = int(raw["chat"]["id"])
        self.sender_id = int(raw["from"]["id"]) if "from" in raw else 0
        self.plain_text = raw.get("text")
        self.plain_caption = raw.get("caption")
        self.photo_file_ids = [size["file_id"] for size in raw.get("photo", [])]
        self.document = raw.get("document")
        self.location = raw.get("location")
        self.venue = raw.get("venue")
        self.media_group_id = raw.get("media_group_id")
        reply = raw.get("reply_to_message")
        self.reply_to_message_id = int(reply["message_id"]) if reply else None

    @property
    def content(self) -> str:
        """What a person reads: the plain text or plain caption."""
        return self.plain_text or self.plain_caption or ""

    @property
    def inline_rows(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows currently attached (empty when none)."""
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def buttons(self) -> list[str]:
        """Inline button texts, row-major."""
        return [button.get("text", "") for row in self.inline_rows for button in row]

    def find_button(self, text: str) -> dict[str, Any]:
        """The inline button with exactly this text, else the first containing it."""
        flat = [button for row in self.inline_rows for button in row]
        for button in flat:
            if button.get("text") == text:
                return button
        for button in flat:
            if text in button.get("text", ""):
                return button
        raise AssertionError(
            f"no inline button matching {text!r} on message {self.message_id}; "
            f"buttons: {self.buttons or 'none'}"
        )

    def button_data(self, text: str) -> str:
        """callback_data of the inline button whose text matches."""
        button = self.find_button(text)
        if "callback_data" not in button:
            raise AssertionError(f"inline button {button.get('text')!r} has no callback_data")
        return str(button["callback_data"])

    @property
    def keyboard(self) -> list[str]:
        """Reply keyboard button texts, row-major ([] if none)."""
        markup = self.reply_markup or {}
        texts: list[str] = []
        for row in markup.get("keyboard", []):
            for button in row:
                texts.append(button if isinstance(button, str) else str(button.get("text", "")))
        return texts

    @property
    def keyboard_buttons(self) -> list[dict[str, Any]]:
        """Reply keyboard buttons as dicts, to check request_contact/request_location."""
        markup = self.reply_markup or {}
        return [
            {"text": button} if isinstance(button, str) else dict(button)
            for row in markup.get("keyboard", [])
            for button in row
        ]

    @property
    def removes_keyboard(self) -> bool:
        """True when this message carried ReplyKeyboardRemove."""
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    @property
    def force_reply(self) -> bool:
        """True when this message asked the client to force a reply."""
        return bool((self.reply_markup or {}).get("force_reply"))

    def __repr__(self) -> str:
        """Short form for assertion messages."""
        who = "bot" if self.from_bot else f"user {self.sender_id}"
        flags = "".join(
            f" {name}" for name, on in (("edited", self.edited), ("deleted", self.deleted)) if on
        )
        return (
            f"<SimMessage #{self.message_id} in {self.chat_id} from {who}{flags}: {self.content!r}>"
        )


class ChatState(Generic[UserT]):
    """Server-side state of one chat: its messages and what the bot may do there."""

    def __init__(
        self,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        user: UserT | None = None,
    ) -> None:
        self.id = chat_id
        self.type = chat_type
        self.title = title
        self.user = user
        self.messages: list[SimMessage] = []
        self.by_id: dict[int, SimMessage] = {}
        self.bot_sent: list[SimMessage] = []
        self.next_message_id = 1
        self.migrated_to: int | None = None
        self.bot_member = True
        self.bot_kicked = False  # removed by a member (not left by itself)
        self.bot_muted = False  # restricted: may not send messages (supergroups)
        self.deleted = False
        self.bot_is_admin = False
        self.members: list[UserT] = []
        self.admin_ids: set[int] = set()
        self.chat_instance = str(-secrets.randbits(62))

    def info(self) -> dict[str, Any]:
        """The ``Chat`` JSON object."""
        if self.type == "private" and self.user is not None:
            chat: dict[str, Any] = {
                "id": self.id,
                "type": "private",
                "first_name": self.user.first_name,
            }
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
            return chat
        return {"id": self.id, "type": self.type, "title": self.title or ""}

    def allocate_id(self) -> int:
        """Message ids increase per chat, like Telegram's."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def add(self, message: SimMessage) -> None:
        """Store a new message."""
        self.messages.append(message)
        self.by_id[message.message_id] = message
        if message.from_bot:
            self.bot_sent.append(message)

    def visible(self, *, include_deleted: bool = False) -> list[SimMessage]:
        """Messages in order, deleted ones hidden unless asked for."""
        return [m for m in self.messages if include_deleted or not m.deleted]


@dataclass
class CallbackRecord:
    """A callback query a user produced and the bot's answer to it."""

    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


def snapshot(raw: dict[str, Any]) -> dict[str, Any]:
    """A replied-to message as Telegram embeds it: a copy without its own reply."""
    copied = copy.deepcopy(raw)
    copied.pop("reply_to_message", None)
    return copied


def member_json(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember JSON object with the fields aiogram requires for its status."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_send_welcome_messages=False,
            can_pin_messages=True,
        )
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "restricted":  # a member that may not send anything
        member.update({"is_member": True, "until_date": 0, **{f"can_{right}": False for right in (
            "send_messages", "send_audios", "send_documents", "send_photos", "send_videos",
            "send_video_notes", "send_voice_notes", "send_polls", "send_other_messages",
            "add_web_page_previews", "react_to_messages", "edit_tag", "change_info",
            "invite_users", "pin_messages", "manage_topics")}})
    return member
