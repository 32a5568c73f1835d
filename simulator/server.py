"""A local Telegram Bot API server the real bot talks to over HTTP in end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import mimetypes
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self, get_args

from aiohttp import BodyPartReader, web

from simulator.client import ChatState, SimGroup, SimMessage, SimUser, snapshot
from simulator.files import MAX_DOWNLOAD_SIZE, TINY_JPEG, FileStore, StoredFile
from simulator.markup import EntityParseError, ParsedText, parse_formatted, utf16_len

__all__ = ["ApiCall", "ApiError", "BotApiSimulator", "FaultInjector", "FaultKind", "UploadedFile"]

logger = logging.getLogger(__name__)

FaultKind = Literal["429", "500", "502", "slow", "drop", "timeout"]
_FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))
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
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_TEXT = 200
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
        "message_ids",
        "permissions",
        "rights",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "from_chat_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "live_period",
        "message_thread_id",
        "cache_time",
        "duration",
        "width",
        "height",
        "heading",
        "proximity_alert_radius",
        "max_connections",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "has_spoiler",
        "show_caption_above_media",
        "disable_content_type_detection",
        "disable_web_page_preview",
        "allow_paid_broadcast",
    }
)
_INT_RE = re.compile(r"-?\d+")
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_USER_ENTITY_RE = re.compile(
    r"(?P<command>(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{4,32})"
    r"|(?P<url>https?://[^\s]+)"
)
# Telegram decodes uploaded photos; bytes that are no image fail with IMAGE_PROCESS_FAILED.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF", b"BM")
_MEDIA_KINDS = ("photo", "document", "video", "audio", "animation", "voice", "sticker")


class ApiError(Exception):
    """A Bot API error answered with Telegram's JSON shape."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """``{"ok": false, ...}`` as Telegram sends it."""
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


def _bad(description: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """A 400 with the ``Bad Request:`` prefix Telegram uses."""
    return ApiError(400, f"Bad Request: {description}", parameters)


@dataclass
class UploadedFile:
    """A multipart file part the bot uploaded."""

    filename: str
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One HTTP call the bot made, for assertions on what it did."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 0  # 0 means no HTTP response was sent (dropped or client gave up)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    fault: str | None = None
    response: Any = None

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered ``ok: true``."""
        return self.status == 200


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


@dataclass
class CallbackRecord:
    """A callback query a user produced and the bot's answer to it."""

    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


_Handler = Callable[[dict[str, Any], dict[str, UploadedFile]], Awaitable[Any]]


class BotApiSimulator:
    """Telegram Bot API look-alike on 127.0.0.1, plus the state tests drive and inspect."""

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
        self._users: dict[int, SimUser] = {}
        self._chats: dict[int, ChatState] = {}
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
        self._methods: dict[str, tuple[str, _Handler]] = {}
        self._register_methods()

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; valid once started."""
        if self._base_url is None:
            raise RuntimeError("BotApiSimulator is not started")
        return self._base_url

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as a ``User`` JSON object (the ``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def build_app(self) -> web.Application:
        """The aiohttp application serving the Bot API and file downloads."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        return app

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        if self._runner is not None:
            return
        self._closing = False
        # access_log=None: request lines contain the bot token, which must never be logged.
        runner = web.AppRunner(
            self.build_app(), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        self._base_url = f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Wake long polls and shut the server down."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start on entry."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on exit."""
        await self.stop()

    # ------------------------------------------------------------------ control API

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
        state = ChatState(chat_id, chat_type, title=title)
        state.bot_is_admin = bot_is_admin
        self._chats[chat_id] = state
        group = SimGroup(self, state)
        group.add_members(members)
        for admin in admins:
            group.add_member(admin, admin=True)
        return group

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one Bot API method (case-insensitive)."""
        lowered = method.lower()
        return [call for call in self.calls if call.method.lower() == lowered]

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SimMessage]:
        """All stored messages of a chat by id."""
        return self._state_by_id(chat_id).visible(include_deleted=include_deleted)

    def transcript(self, chat_id: int, *, last: int | None = None) -> str:
        """A readable conversation log of one chat, for demos and failure messages."""
        state = self._state_by_id(chat_id)
        lines: list[str] = []
        messages = state.messages
        index = 0
        while index < len(messages):
            message = messages[index]
            album = [message]
            if message.media_group_id:
                while (
                    index + len(album) < len(messages)
                    and messages[index + len(album)].media_group_id == message.media_group_id
                ):
                    album.append(messages[index + len(album)])
            index += len(album)
            lines.extend(self._describe(album))
        header = f"--- chat {state.id} ({state.type}{', ' + state.title if state.title else ''})"
        if last is not None and len(lines) > last:
            lines = ["  ...", *lines[-last:]]
        return "\n".join([header, *lines]) if lines else f"{header}\n  (no messages)"

    def _describe(self, album: list[SimMessage]) -> list[str]:
        """Transcript lines for one message or one album."""
        first = album[0]
        raw = first.raw
        if first.from_bot:
            name = "Bot"
        else:
            user = self._users.get(first.sender_id)
            name = user.first_name if user else raw.get("from", {}).get("first_name", "?")
        caption = next((m.plain_caption for m in album if m.plain_caption), None)
        tail = f" {caption}" if caption else ""
        if len(album) > 1:
            kinds = {next((k for k in _MEDIA_KINDS if k in m.raw), "media") for m in album}
            body = f"[{'/'.join(sorted(kinds))} x{len(album)}]{tail}"
        elif "text" in raw:
            body = first.plain_text or ""
        elif "photo" in raw:
            body = f"[photo]{tail}"
        elif "document" in raw:
            body = f"[document {raw['document'].get('file_name', '')}]{tail}"
        elif "venue" in raw:
            body = f"[venue {raw['venue']['title']}, {raw['venue']['address']}]"
        elif "location" in raw:
            loc = raw["location"]
            live = " live" if "live_period" in loc else ""
            body = f"[location{live} {loc['latitude']}, {loc['longitude']}]"
        elif "contact" in raw:
            body = f"[contact {raw['contact']['phone_number']}]"
        elif "migrate_to_chat_id" in raw:
            body = f"[group upgraded to supergroup {raw['migrate_to_chat_id']}]"
        elif "migrate_from_chat_id" in raw:
            body = f"[supergroup created from group {raw['migrate_from_chat_id']}]"
        else:
            kind = next((k for k in _MEDIA_KINDS if k in raw), "message")
            body = f"[{kind}]{tail}"
        if "forward_origin" in raw:
            body = f"[forwarded] {body}"
        flags = [
            label
            for label, on in (
                ("edited", any(m.edited for m in album)),
                ("deleted", all(m.deleted for m in album)),
                ("not delivered: privacy mode", not first.delivered),
            )
            if on
        ]
        if flags:
            body += f" ({', '.join(flags)})"
        lines = [f"{name}: {body}"]
        markup = first.reply_markup or {}
        if first.buttons:
            rows = [" | ".join(b.get("text", "") for b in row) for row in first.inline_rows]
            lines.append(f"    [buttons: {' / '.join(rows)}]")
        if "keyboard" in markup:
            lines.append(f"    [keyboard: {' | '.join(first.keyboard)}]")
        if markup.get("remove_keyboard"):
            lines.append("    [remove keyboard]")
        if markup.get("force_reply"):
            lines.append("    [force reply]")
        return lines

    # ------------------------------------------------------------------ shared state helpers

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

    def _state_by_id(self, chat_id: int) -> ChatState:
        """Chat state for tests (no Bot API rules applied)."""
        try:
            return self._chats[int(chat_id)]
        except (KeyError, ValueError):
            raise ValueError(f"no simulated chat {chat_id}") from None

    def _chat_state(self, user: SimUser, group: SimGroup | None) -> ChatState:
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

    def _delivered(self, state: ChatState, raw: dict[str, Any]) -> bool:
        """Privacy mode: in groups the bot gets only commands, replies to it, service messages."""
        if state.type == "private":
            return True
        if not state.bot_member:
            return False
        if not self.privacy_mode or state.bot_is_admin:
            return True
        if not any(key in raw for key in ("text", "caption")) and not any(
            key in raw for key in (*_MEDIA_KINDS, "location", "venue", "contact")
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

    def _user_entities(self, text: str) -> list[dict[str, Any]]:
        """Entities a Telegram client detects in typed text."""
        entities: list[dict[str, Any]] = []
        for match in _USER_ENTITY_RE.finditer(text):
            kind = match.lastgroup or "url"
            entity_type = "bot_command" if kind == "command" else kind
            entities.append(
                {
                    "type": entity_type,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group(0)),
                }
            )
        return entities

    def _text_fields(self, text: str) -> dict[str, Any]:
        """Fields of a typed text message."""
        fields: dict[str, Any] = {"text": text}
        entities = self._user_entities(text)
        if entities:
            fields["entities"] = entities
        return fields

    def _caption_fields(self, caption: str | None) -> dict[str, Any]:
        """Caption fields of a user's media message."""
        if not caption:
            return {}
        fields: dict[str, Any] = {"caption": caption}
        entities = self._user_entities(caption)
        if entities:
            fields["caption_entities"] = entities
        return fields

    def _photo_fields(self, caption: str | None, media_group_id: str | None) -> dict[str, Any]:
        """Fields of a user's photo (fresh file ids, tiny real JPEG)."""
        fields: dict[str, Any] = {"photo": self.files.store_photo(TINY_JPEG)}
        fields.update(self._caption_fields(caption))
        if media_group_id:
            fields["media_group_id"] = media_group_id
        return fields

    def _document_fields(
        self, file_name: str, mime_type: str, content: bytes | None, caption: str | None
    ) -> dict[str, Any]:
        """Fields of a user's document."""
        if content is None:
            content = TINY_JPEG if mime_type.startswith("image/") else b"%PDF-1.4\n% simulated\n"
        stored = self.files.store("document", content, file_name=file_name, mime_type=mime_type)
        fields: dict[str, Any] = {"document": self.files.describe(stored)}
        fields.update(self._caption_fields(caption))
        return fields

    def _media_fields(self, kind: str) -> dict[str, Any]:
        """Fields of a user's sticker, voice note or video."""
        if kind == "sticker":
            stored = self.files.store(
                "sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", mime_type="image/webp"
            )
            body = self.files.describe(stored)
            body.pop("mime_type", None)
            body.update(
                type="regular",
                width=512,
                height=512,
                is_animated=False,
                is_video=False,
                emoji="\U0001f44d",
            )
            return {"sticker": body}
        if kind == "voice":
            stored = self.files.store("voice", b"OggS\x00simulated", mime_type="audio/ogg")
            return {"voice": {**self.files.describe(stored), "duration": 3}}
        stored = self.files.store("video", b"\x00\x00\x00\x18ftypmp42", mime_type="video/mp4")
        return {
            "video": {**self.files.describe(stored), "width": 640, "height": 360, "duration": 5}
        }

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
        entities = self._user_entities(new_text)
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
                "old_chat_member": self._member_json(old, self.bot_user),
                "new_chat_member": self._member_json(new, self.bot_user),
            },
        )

    def add_bot_to(self, group: SimGroup, *, by: SimUser) -> None:
        """Someone adds the bot to a group: Telegram sends a my_chat_member update."""
        self._queue_update(
            "my_chat_member",
            {
                "chat": group._state.info(),
                "from": by.to_dict(),
                "date": int(time.time()),
                "old_chat_member": self._member_json("left", self.bot_user),
                "new_chat_member": self._member_json("member", self.bot_user),
            },
        )

    def _migrate(self, group: SimGroup) -> int:
        """Upgrade a basic group to a supergroup with Telegram's service messages."""
        old = group._state
        if old.type != "group":
            raise ValueError("only basic groups can be upgraded")
        new = ChatState(self._new_supergroup_id(), "supergroup", title=old.title)
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

    def _member_json(self, status: str, user: dict[str, Any]) -> dict[str, Any]:
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
        return member

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve ``/file/bot<token>/<file_path>`` downloads."""
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        stored = self.files.by_path.get(request.match_info["file_path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        self.downloads.append(stored.file_path)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """Collect parameters from the query string, a form (multipart/urlencoded) or JSON."""
        params: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.can_read_body:
            content_type = request.content_type
            if content_type == "multipart/form-data":
                reader = await request.multipart()
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    if part.filename is not None:
                        data = await part.read()
                        files[part.name] = UploadedFile(
                            part.filename, part.headers.get("Content-Type"), bytes(data)
                        )
                    else:
                        params[part.name] = await part.text()
            elif content_type == "application/x-www-form-urlencoded":
                params.update(await request.post())
            elif content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON encoded request body") from None
                if not isinstance(body, dict):
                    raise _bad("JSON request body must be an object")
                params.update(body)
        return {key: _coerce(key, value) for key, value in params.items()}, files

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Entry point of every Bot API call: auth, parse, faults, dispatch, record."""
        method_name = request.match_info["method"]
        entry = self._methods.get(method_name.lower())
        call = ApiCall(method=entry[0] if entry else method_name, params={}, at=time.time())
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params, files = await self._read_params(request)
            call.params, call.files = params, files
            if entry is None:
                raise ApiError(404, "Not Found")
            fault = self.faults.take(entry[0], params.get("chat_id"))
            if fault is not None:
                call.fault = fault.kind
                early = await self._apply_fault(fault, request, call)
                if early is not None:
                    return early
            result = await entry[1](params, files)
            call.status, call.response = 200, copy.deepcopy(result)
            if fault is not None and fault.kind == "timeout":
                await asyncio.sleep(fault.delay)
            return web.json_response({"ok": True, "result": result})
        except ApiError as error:
            call.status, call.response = error.code, error.body()
            return web.json_response(error.body(), status=error.code)
        except Exception:
            logger.exception("simulator failed while handling %s", call.method)
            error = ApiError(500, "Internal Server Error")
            call.status, call.response = 500, error.body()
            return web.json_response(error.body(), status=500)

    async def _apply_fault(
        self, fault: Fault, request: web.Request, call: ApiCall
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
        if fault.kind == "drop":
            call.status = 0
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        return None

    def _register_methods(self) -> None:
        """Map case-insensitive method names to their handlers."""
        table: dict[str, _Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setMyDescription": self._just_true,
            "setMyShortDescription": self._just_true,
            "setChatMenuButton": self._just_true,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "sendLocation": self._send_location,
            "sendVenue": self._send_venue,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageMedia": self._edit_message_media,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "leaveChat": self._leave_chat,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._pin_chat_message,
        }
        self._methods = {name.lower(): (name, handler) for name, handler in table.items()}

    # ------------------------------------------------------------------ validation helpers

    def _chat(self, chat_id: Any, *, sending: bool = True) -> ChatState:
        """Resolve chat_id like Telegram: not found, migrated, blocked, left."""
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if not isinstance(chat_id, int):
            raise _bad("chat not found")
        state = self._chats.get(chat_id)
        if state is None:
            raise _bad("chat not found")
        if state.migrated_to is not None:
            raise _bad(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        if sending:
            if state.type == "private" and state.user is not None and state.user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if state.type != "private" and not state.bot_member:
                raise ApiError(403, f"Forbidden: bot is not a member of the {state.type} chat")
        return state

    def _message(self, state: ChatState, message_id: Any, missing: str) -> SimMessage:
        """A live (not deleted) message of a chat, else ``Bad Request: <missing>``."""
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        message = state.by_id.get(message_id)
        if message is None or message.deleted:
            raise _bad(missing)
        return message

    def _check_parse_mode(self, parse_mode: Any) -> str | None:
        """Only the three Telegram parse modes exist."""
        if parse_mode in (None, ""):
            return None
        if str(parse_mode).lower() not in ("html", "markdown", "markdownv2"):
            raise _bad(f"unsupported parse_mode {parse_mode}")
        return str(parse_mode)

    def _parse(self, text: str, parse_mode: Any, entities: Any) -> ParsedText:
        """Parse formatted text; explicit entities win over parse_mode, as in Telegram."""
        if entities:
            if not isinstance(entities, list):
                raise _bad("can't parse entities JSON object")
            return ParsedText(text, list(entities))
        try:
            return parse_formatted(text, self._check_parse_mode(parse_mode))
        except EntityParseError as error:
            raise _bad(f"can't parse entities: {error}") from None

    def _text(self, params: dict[str, Any]) -> ParsedText:
        """Validated message text."""
        text = params.get("text")
        if text is None or str(text) == "":
            raise _bad("message text is empty")
        parsed = self._parse(str(text), params.get("parse_mode"), params.get("entities"))
        if not parsed.text.strip():
            raise _bad("message text is empty")
        if len(parsed.text) > MAX_TEXT:
            raise _bad("message is too long")
        return parsed

    def _caption(self, caption: Any, parse_mode: Any, entities: Any) -> ParsedText | None:
        """Validated caption (None when absent)."""
        if caption is None or str(caption) == "":
            return None
        parsed = self._parse(str(caption), parse_mode, entities)
        if len(parsed.text) > MAX_CAPTION:
            raise _bad("message caption is too long")
        return parsed

    def _markup(self, markup: Any) -> dict[str, Any] | None:
        """Validate reply_markup like Telegram (callback_data 1-64 bytes, button kinds)."""
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad(
                    "can't parse inline keyboard button: InlineKeyboardMarkup must be "
                    "an Array of Arrays of InlineKeyboardButton"
                )
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('can\'t parse keyboard: Field "keyboard" must be an Array of Arrays')
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else (button or {}).get("text")
                    if not text:
                        raise _bad(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad("can't parse reply keyboard markup JSON object")
        return markup

    def _check_inline_button(self, button: Any) -> None:
        """One inline button: text plus exactly one action; callback_data 1-64 bytes."""
        if not isinstance(button, dict) or not button.get("text"):
            raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
            return
        if "url" in button:
            url = str(button["url"])
            if not url.startswith(("http://", "https://", "tg://")):
                raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
            return
        actions = {
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        }
        if not actions & button.keys():
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )

    def _reply(self, state: ChatState, params: dict[str, Any]) -> dict[str, Any] | None:
        """The replied-to message snapshot for reply_parameters / reply_to_message_id."""
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        target_id: Any = params.get("reply_to_message_id")
        target_state = state
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, state.id):
                target_state = self._chat(_coerce("chat_id", reply["chat_id"]), sending=False)
        if target_id is None:
            return None
        message = target_state.by_id.get(int(target_id))
        if message is None or message.deleted:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return snapshot(message.raw)

    def _bot_send(
        self,
        state: ChatState,
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

    @staticmethod
    def _text_payload(parsed: ParsedText, key: str = "text") -> dict[str, Any]:
        """``text``/``entities`` (or caption variants) of a parsed text."""
        fields: dict[str, Any] = {key: parsed.text}
        if parsed.entities:
            fields["entities" if key == "text" else "caption_entities"] = parsed.entities
        return fields

    def _file_source(
        self, params: dict[str, Any], files: dict[str, UploadedFile], name: str
    ) -> str | UploadedFile:
        """A file parameter: an upload (attach:// or the field itself) or a file_id/URL."""
        value = params.get(name)
        if value is None and name in files:
            return files[name]
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None:
                raise _bad(f"there is no {name} in the request")
            return upload
        if not value:
            raise _bad(f"there is no {name} in the request")
        return str(value)

    def _media(self, kind: str, source: str | UploadedFile) -> dict[str, Any]:
        """Resolve a photo/document/... source into message fields, storing uploads."""
        if isinstance(source, UploadedFile):
            if not source.data:
                raise _bad("file must be non-empty")
            if kind == "photo":
                if not source.data.startswith(_IMAGE_MAGIC):
                    raise _bad("IMAGE_PROCESS_FAILED")
                return {"photo": self.files.store_photo(source.data)}
            mime = mimetypes.guess_type(source.filename)[0] or source.content_type
            stored = self.files.store(kind, source.data, file_name=source.filename, mime_type=mime)
            return {kind: self._file_json(kind, stored)}
        if source.startswith(("http://", "https://")):
            if kind == "photo":
                return {"photo": self.files.store_photo(TINY_JPEG)}
            name = source.rsplit("/", 1)[-1] or "file"
            stored = self.files.store(
                kind, TINY_JPEG, file_name=name, mime_type=mimetypes.guess_type(name)[0]
            )
            return {kind: self._file_json(kind, stored)}
        existing = self.files.by_id.get(source)
        if existing is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if existing.kind != kind:
            raise _bad("type of file mismatch")
        if kind == "photo":
            sizes = self.files.photo_sizes(source)
            assert sizes is not None
            return {"photo": sizes}
        return {kind: self._file_json(kind, existing)}

    def _file_json(self, kind: str, stored: StoredFile) -> dict[str, Any]:
        """Document/Video/Audio JSON with the fields aiogram requires."""
        body = self.files.describe(stored)
        if kind == "video":
            body.update(width=640, height=360, duration=5)
        elif kind in ("audio", "voice"):
            body["duration"] = 5
        elif kind == "animation":
            body.update(width=320, height=240, duration=2)
        return body

    # ------------------------------------------------------------------ methods: bot & updates

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

    def _confirm(self, offset: Any) -> None:
        """Forget updates confirmed by ``offset`` (negative: keep only the last -offset)."""
        if not isinstance(offset, int) or offset == 0:
            return
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    async def _get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Long polling with offset confirmation and allowed_updates filtering."""
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
        self._confirm(params.get("offset"))
        limit = params.get("limit") or 100
        limit = max(1, min(100, int(limit)))
        timeout = max(0, int(params.get("timeout") or 0))
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._updates = [
                u for u in self._updates if (u.keys() - {"update_id"}) <= self._allowed_updates
            ]
            if self._updates:
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure "
                    "that only one bot instance is running",
                )

    async def _set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Accept a webhook URL (updates still only flow through getUpdates when unset)."""
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Remove the webhook; optionally drop pending updates."""
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """WebhookInfo with the pending update count."""
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
        return info

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        """Commands are stored per scope and language."""
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Validate and store the command list."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            name = str((command or {}).get("command", ""))
            description = str((command or {}).get("description", ""))
            if not _COMMAND_NAME_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
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

    # ------------------------------------------------------------------ methods: sending

    async def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendMessage with Telegram's text, entity and markup validation."""
        state = self._chat(params.get("chat_id"))
        parsed = self._text(params)
        markup = self._markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        message = self._bot_send(
            state,
            self._text_payload(parsed),
            params,
            reply=reply,
            markup=markup,
            text=str(params["text"]),
        )
        return message.raw

    async def _send_file_message(
        self, kind: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """sendPhoto / sendDocument: a file plus an optional caption."""
        state = self._chat(params.get("chat_id"))
        caption = self._caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        markup = self._markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        fields = self._media(kind, self._file_source(params, files, kind))
        if caption is not None:
            fields.update(self._text_payload(caption, "caption"))
        if params.get("has_spoiler"):
            fields["has_media_spoiler"] = True
        if params.get("show_caption_above_media"):
            fields["show_caption_above_media"] = True
        message = self._bot_send(
            state,
            fields,
            params,
            reply=reply,
            markup=markup,
            caption=params.get("caption") if caption else None,
        )
        return message.raw

    async def _send_photo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendPhoto."""
        return await self._send_file_message("photo", params, files)

    async def _send_document(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendDocument."""
        return await self._send_file_message("document", params, files)

    async def _send_media_group(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """sendMediaGroup: validate every item first, then store them as one album."""
        state = self._chat(params.get("chat_id"))
        media = params.get("media")
        if media is None:
            raise _bad('parameter "media" is required')
        if not isinstance(media, list):
            raise _bad("can't parse media JSON object")
        if not media:
            raise _bad("there are no messages to send")
        if len(media) > 10:
            raise _bad("too many messages to send as an album")
        kinds = [str((item or {}).get("type", "")) for item in media]
        for kind in kinds:
            if kind not in ("photo", "video", "document", "audio"):
                raise _bad(
                    f"can't parse InputMedia: type \"{kind}\" can't be used in sendMediaGroup"
                )
        if "document" in kinds and set(kinds) != {"document"}:
            raise _bad("document can't be mixed with other media types")
        if "audio" in kinds and set(kinds) != {"audio"}:
            raise _bad("audio can't be mixed with other media types")
        reply = self._reply(state, params)
        prepared: list[tuple[dict[str, Any], str | None]] = []
        for position, (item, kind) in enumerate(zip(media, kinds, strict=True), start=1):
            source = item.get("media")
            if isinstance(source, str) and source.startswith("attach://"):
                upload = files.get(source.removeprefix("attach://"))
                if upload is None:
                    raise _bad("can't parse InputMedia: media not found")
                resolved: str | UploadedFile = upload
            elif isinstance(source, str) and source:
                resolved = source
            else:
                raise _bad("can't parse InputMedia: media not found")
            caption = self._caption(
                item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
            )
            try:
                fields = self._media(kind, resolved)
            except ApiError as error:
                reason = error.description.removeprefix("Bad Request: ")
                raise _bad(
                    f"failed to send message #{position} with the error message "
                    f'"{reason[:1].upper()}{reason[1:]}"'
                ) from None
            if caption is not None:
                fields.update(self._text_payload(caption, "caption"))
            prepared.append((fields, item.get("caption") if caption else None))
        group_id = str(13_000_000_000_000_000 + secrets.randbelow(10**17))
        results = []
        for fields, raw_caption in prepared:
            if len(prepared) > 1:
                fields["media_group_id"] = group_id
            message = self._bot_send(
                state, fields, params, reply=reply, markup=None, caption=raw_caption
            )
            results.append(message.raw)
        return results

    @staticmethod
    def _location(params: dict[str, Any]) -> dict[str, Any]:
        """A validated Location object."""
        latitude, longitude = params.get("latitude"), params.get("longitude")
        if isinstance(latitude, bool) or not isinstance(latitude, int | float):
            raise _bad("wrong coordinates specified")
        if isinstance(longitude, bool) or not isinstance(longitude, int | float):
            raise _bad("wrong coordinates specified")
        latitude, longitude = float(latitude), float(longitude)
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _bad("wrong location specified")
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        for key in ("live_period", "horizontal_accuracy", "heading", "proximity_alert_radius"):
            if params.get(key) is not None:
                location[key] = params[key]
        return location

    async def _send_location(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendLocation."""
        state = self._chat(params.get("chat_id"))
        location = self._location(params)
        markup = self._markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        return self._bot_send(state, {"location": location}, params, reply=reply, markup=markup).raw

    async def _send_venue(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendVenue (the message carries both venue and location)."""
        state = self._chat(params.get("chat_id"))
        location = self._location(params)
        title, address = params.get("title"), params.get("address")
        if not title:
            raise _bad("venue title is empty")
        if not address:
            raise _bad("venue address is empty")
        markup = self._markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        venue: dict[str, Any] = {
            "location": dict(location),
            "title": str(title),
            "address": str(address),
        }
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(key):
                venue[key] = params[key]
        return self._bot_send(
            state, {"venue": venue, "location": location}, params, reply=reply, markup=markup
        ).raw

    async def _send_chat_action(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """sendChatAction: validates the action and the chat."""
        self._chat(params.get("chat_id"))
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ methods: editing

    def _editable(self, params: dict[str, Any]) -> tuple[ChatState, SimMessage]:
        """The bot message an edit targets."""
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        state = self._chat(params.get("chat_id"))
        message = self._message(state, params.get("message_id"), "message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return state, message

    def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """Edits accept only inline keyboards."""
        markup = self._markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        return markup

    @staticmethod
    def _inline_of(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        """The inline keyboard as stored in the Message JSON (empty counts as none)."""
        if markup and markup.get("inline_keyboard"):
            return {"inline_keyboard": markup["inline_keyboard"]}
        return None

    def _finish_edit(self, message: SimMessage, markup: dict[str, Any] | None) -> Any:
        """Apply the markup change, mark edited, wake waiters, return the Message JSON."""
        inline = self._inline_of(markup)
        if inline is None:
            message.raw.pop("reply_markup", None)
        else:
            message.raw["reply_markup"] = inline
        if markup is not None or self._inline_of(message.reply_markup) is not None:
            message.reply_markup = markup
        message.raw["edit_date"] = int(time.time())
        message.edited = True
        message.sync()
        self._notify()
        return message.raw

    def _not_modified(self) -> ApiError:
        """Telegram's answer to an edit that changes nothing."""
        return _bad(
            "message is not modified: specified new message content and reply markup of "
            "the new message are exactly the same as a current content and reply markup "
            "of the message"
        )

    async def _edit_message_text(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageText (no reply_markup means the inline keyboard is removed)."""
        _, message = self._editable(params)
        if "text" not in message.raw:
            raise _bad("there is no text in the message to edit")
        parsed = self._text(params)
        markup = self._edit_markup(params)
        raw = message.raw
        if (
            parsed.text == raw.get("text")
            and parsed.entities == raw.get("entities", [])
            and self._inline_of(markup) == raw.get("reply_markup")
        ):
            raise self._not_modified()
        raw.pop("entities", None)
        raw.update(self._text_payload(parsed))
        message.text = str(params["text"])
        message.parse_mode = params.get("parse_mode") or None
        return self._finish_edit(message, markup)

    async def _edit_message_caption(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageCaption."""
        _, message = self._editable(params)
        raw = message.raw
        if not any(kind in raw for kind in _MEDIA_KINDS):
            raise _bad("there is no caption in the message to edit")
        caption = self._caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        markup = self._edit_markup(params)
        new_text = caption.text if caption else None
        new_entities = caption.entities if caption else []
        if (
            new_text == raw.get("caption")
            and new_entities == raw.get("caption_entities", [])
            and self._inline_of(markup) == raw.get("reply_markup")
        ):
            raise self._not_modified()
        raw.pop("caption", None)
        raw.pop("caption_entities", None)
        if caption is not None:
            raw.update(self._text_payload(caption, "caption"))
        message.caption = params.get("caption") if caption else None
        message.parse_mode = params.get("parse_mode") or None
        return self._finish_edit(message, markup)

    async def _edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageReplyMarkup (no markup removes the keyboard)."""
        _, message = self._editable(params)
        markup = self._edit_markup(params)
        if self._inline_of(markup) == message.raw.get("reply_markup"):
            raise self._not_modified()
        return self._finish_edit(message, markup)

    async def _edit_message_media(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageMedia: swap the photo/document and its caption."""
        _, message = self._editable(params)
        raw = message.raw
        if not any(kind in raw for kind in _MEDIA_KINDS):
            raise _bad("there is no media in the message to edit")
        media = params.get("media")
        if not isinstance(media, dict):
            raise _bad("can't parse InputMedia JSON object")
        kind = str(media.get("type", ""))
        if kind not in ("photo", "document", "video", "audio", "animation"):
            raise _bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        source = media.get("media")
        if isinstance(source, str) and source.startswith("attach://"):
            upload = files.get(source.removeprefix("attach://"))
            if upload is None:
                raise _bad("can't parse InputMedia: media not found")
            resolved: str | UploadedFile = upload
        elif isinstance(source, str) and source:
            resolved = source
        else:
            raise _bad("can't parse InputMedia: media not found")
        caption = self._caption(
            media.get("caption"), media.get("parse_mode"), media.get("caption_entities")
        )
        markup = self._edit_markup(params)
        fields = self._media(kind, resolved)
        for key in (*_MEDIA_KINDS, "caption", "caption_entities"):
            raw.pop(key, None)
        raw.update(fields)
        if caption is not None:
            raw.update(self._text_payload(caption, "caption"))
        message.caption = media.get("caption") if caption else None
        message.parse_mode = media.get("parse_mode") or None
        return self._finish_edit(message, markup)

    async def _delete_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """deleteMessage: marks the stored message deleted."""
        state = self._chat(params.get("chat_id"), sending=False)
        self._delete_one(state, params.get("message_id"))
        self._notify()
        return True

    def _delete_one(self, state: ChatState, message_id: Any) -> None:
        """Delete one message if the bot may."""
        message = self._message(state, message_id, "message to delete not found")
        if not message.from_bot and state.type != "private" and not state.bot_is_admin:
            raise _bad("message can't be deleted")
        message.deleted = True

    async def _delete_messages(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """deleteMessages: skips the ones that cannot be deleted, like Telegram."""
        state = self._chat(params.get("chat_id"), sending=False)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message identifiers are not specified")
        for message_id in ids:
            with contextlib.suppress(ApiError):
                self._delete_one(state, message_id)
        self._notify()
        return True

    async def _answer_callback_query(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """answerCallbackQuery: each query can be answered once."""
        record = self._callbacks.get(str(params.get("callback_query_id") or ""))
        if record is None or record.answer is not None:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_TEXT:
            raise _bad("MESSAGE_TOO_LONG")
        record.answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        self._notify()
        return True

    # ------------------------------------------------------------------ methods: files & chats

    async def _get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """getFile: the path to download the bytes from."""
        stored = self.files.by_id.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _bad("file is too big")
        return stored.as_file()

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

    def _member_status(self, state: ChatState, user_id: int) -> tuple[str, dict[str, Any]]:
        """Status and User JSON of someone in a chat."""
        if user_id == self.bot_id:
            if state.type != "private" and not state.bot_member:
                return "left", self.bot_user
            return ("administrator" if state.bot_is_admin else "member"), self.bot_user
        user = self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        if user not in state.members:
            return "left", user.to_dict()
        return ("administrator" if user.id in state.admin_ids else "member"), user.to_dict()

    async def _get_chat_member(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """getChatMember: member/administrator/left."""
        state = self._chat(params.get("chat_id"), sending=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad("user not found")
        status, user = self._member_status(state, user_id)
        return self._member_json(status, user)

    async def _get_chat_administrators(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """getChatAdministrators."""
        state = self._chat(params.get("chat_id"), sending=False)
        if state.type == "private":
            raise _bad("there are no administrators in the private chat")
        admins = [
            self._member_json("administrator", u.to_dict())
            for u in state.members
            if u.id in state.admin_ids
        ]
        if state.bot_is_admin:
            admins.append(self._member_json("administrator", self.bot_user))
        return admins

    async def _leave_chat(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """leaveChat: the bot leaves a group and can no longer send there."""
        state = self._chat(params.get("chat_id"))
        if state.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        state.bot_member = False
        actor = self.bot_user
        self._queue_update(
            "my_chat_member",
            {
                "chat": state.info(),
                "from": actor,
                "date": int(time.time()),
                "old_chat_member": self._member_json("member", self.bot_user),
                "new_chat_member": self._member_json("left", self.bot_user),
            },
        )
        return True

    def _content_of(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The copyable content fields of a message."""
        keys = (
            "text",
            "entities",
            "caption",
            "caption_entities",
            "photo",
            "document",
            "video",
            "audio",
            "voice",
            "sticker",
            "animation",
            "location",
            "venue",
            "contact",
            "has_media_spoiler",
            "show_caption_above_media",
        )
        return {key: copy.deepcopy(raw[key]) for key in keys if key in raw}

    async def _copy_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """copyMessage: same content, no link to the original; returns MessageId."""
        state = self._chat(params.get("chat_id"))
        source_chat = self._chat(params.get("from_chat_id"), sending=False)
        source = self._message(source_chat, params.get("message_id"), "message to copy not found")
        fields = self._content_of(source.raw)
        if not fields:
            raise _bad("message can't be copied")
        markup = self._markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        text = source.text if "text" in fields else None
        caption = source.caption
        if "caption" in params:
            parsed = self._caption(
                params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
            )
            fields.pop("caption", None)
            fields.pop("caption_entities", None)
            caption = None
            if parsed is not None:
                fields.update(self._text_payload(parsed, "caption"))
                caption = str(params["caption"])
        message = self._bot_send(
            state,
            fields,
            {**params, "parse_mode": source.parse_mode},
            reply=reply,
            markup=markup,
            text=text,
            caption=caption,
        )
        return {"message_id": message.message_id}

    async def _forward_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """forwardMessage: content plus forward_origin."""
        state = self._chat(params.get("chat_id"))
        source_chat = self._chat(params.get("from_chat_id"), sending=False)
        source = self._message(
            source_chat, params.get("message_id"), "message to forward not found"
        )
        fields = self._content_of(source.raw)
        if not fields:
            raise _bad("message can't be forwarded")
        origin = source.raw.get("forward_origin") or {
            "type": "user",
            "sender_user": copy.deepcopy(source.raw.get("from", self.bot_user)),
            "date": source.raw["date"],
        }
        fields["forward_origin"] = origin
        message = self._bot_send(
            state,
            fields,
            {**params, "parse_mode": source.parse_mode},
            reply=None,
            markup=None,
            text=source.text,
            caption=source.caption,
        )
        return message.raw

    async def _pin_chat_message(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """pin/unpinChatMessage: only checks that the chat is reachable."""
        self._chat(params.get("chat_id"))
        return True


def _coerce(key: str, value: Any) -> Any:
    """Turn form strings into the types Telegram would read them as."""
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            label = {
                "reply_markup": "reply keyboard markup",
                "entities": "entities",
                "caption_entities": "entities",
                "media": "media",
            }.get(key, key)
            raise _bad(f"can't parse {label} JSON object") from None
    if key in ("chat_id", "from_chat_id"):
        return int(value) if _INT_RE.fullmatch(value.strip()) else value
    if key in _INT_FIELDS:
        if not _INT_RE.fullmatch(value.strip()):
            raise _bad(f'field "{key}" must be of type Integer')
        return int(value)
    if key in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            raise _bad(f'field "{key}" must be of type Number') from None
    if key in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value
