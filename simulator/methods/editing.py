"""Changing messages already sent: edit text, caption, keyboard or media; delete; pin."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from simulator.core import SimulatorCore
from simulator.state import MEDIA_KINDS, ChatState, SimMessage
from simulator.uploads import input_media_source, resolve_media
from simulator.users import SimUser
from simulator.validation import check_markup, parse_caption, parse_text, text_payload
from simulator.wire import ApiError, Handler, UploadedFile, bad

__all__ = ["EditingMethods"]


def _edit_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """Edits accept only inline keyboards."""
    markup = check_markup(params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad("inline keyboard expected")
    return markup


def _inline_of(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The inline keyboard as stored in the Message JSON (empty counts as none)."""
    if markup and markup.get("inline_keyboard"):
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def _not_modified() -> ApiError:
    """Telegram's answer to an edit that changes nothing."""
    return bad(
        "message is not modified: specified new message content and reply markup of "
        "the new message are exactly the same as a current content and reply markup "
        "of the message"
    )


class EditingMethods(SimulatorCore):
    """Edits and deletes with Telegram's rules (own messages, not modified, admin rights)."""

    def _handlers(self) -> dict[str, Handler]:
        """The edit, delete and pin methods."""
        return {
            **super()._handlers(),
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageMedia": self._edit_message_media,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._pin_chat_message,
        }

    def _editable(self, params: dict[str, Any]) -> tuple[ChatState[SimUser], SimMessage]:
        """The bot message an edit targets."""
        if params.get("inline_message_id"):
            raise bad("MESSAGE_ID_INVALID")
        state = self._chat(params.get("chat_id"))
        message = self._message(state, params.get("message_id"), "message to edit not found")
        if not message.from_bot:
            raise bad("message can't be edited")
        return state, message

    def _finish_edit(self, message: SimMessage, markup: dict[str, Any] | None) -> Any:
        """Apply the markup change, mark edited, wake waiters, return the Message JSON."""
        inline = _inline_of(markup)
        if inline is None:
            message.raw.pop("reply_markup", None)
        else:
            message.raw["reply_markup"] = inline
        if markup is not None or _inline_of(message.reply_markup) is not None:
            message.reply_markup = markup
        message.raw["edit_date"] = int(time.time())
        message.edited = True
        message.sync()
        self._notify()
        return message.raw

    async def _edit_message_text(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageText (no reply_markup means the inline keyboard is removed)."""
        _, message = self._editable(params)
        if "text" not in message.raw:
            raise bad("there is no text in the message to edit")
        parsed = parse_text(params)
        markup = _edit_markup(params)
        raw = message.raw
        if (
            parsed.text == raw.get("text")
            and parsed.entities == raw.get("entities", [])
            and _inline_of(markup) == raw.get("reply_markup")
        ):
            raise _not_modified()
        raw.pop("entities", None)
        raw.update(text_payload(parsed))
        message.text = str(params["text"])
        message.parse_mode = params.get("parse_mode") or None
        return self._finish_edit(message, markup)

    async def _edit_message_caption(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageCaption."""
        _, message = self._editable(params)
        raw = message.raw
        if not any(kind in raw for kind in MEDIA_KINDS):
            raise bad("there is no caption in the message to edit")
        caption = parse_caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        markup = _edit_markup(params)
        new_text = caption.text if caption else None
        new_entities = caption.entities if caption else []
        if (
            new_text == raw.get("caption")
            and new_entities == raw.get("caption_entities", [])
            and _inline_of(markup) == raw.get("reply_markup")
        ):
            raise _not_modified()
        raw.pop("caption", None)
        raw.pop("caption_entities", None)
        if caption is not None:
            raw.update(text_payload(caption, "caption"))
        message.caption = params.get("caption") if caption else None
        message.parse_mode = params.get("parse_mode") or None
        return self._finish_edit(message, markup)

    async def _edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageReplyMarkup (no markup removes the keyboard)."""
        _, message = self._editable(params)
        markup = _edit_markup(params)
        if _inline_of(markup) == message.raw.get("reply_markup"):
            raise _not_modified()
        return self._finish_edit(message, markup)

    async def _edit_message_media(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """editMessageMedia: swap the photo/document and its caption."""
        _, message = self._editable(params)
        raw = message.raw
        if not any(kind in raw for kind in MEDIA_KINDS):
            raise bad("there is no media in the message to edit")
        media = params.get("media")
        if not isinstance(media, dict):
            raise bad("can't parse InputMedia JSON object")
        kind = str(media.get("type", ""))
        if kind not in ("photo", "document", "video", "audio", "animation"):
            raise bad(f'can\'t parse InputMedia: type "{kind}" is unsupported')
        resolved = input_media_source(media, files)
        caption = parse_caption(
            media.get("caption"), media.get("parse_mode"), media.get("caption_entities")
        )
        markup = _edit_markup(params)
        fields = resolve_media(self.files, kind, resolved)
        for key in (*MEDIA_KINDS, "caption", "caption_entities"):
            raw.pop(key, None)
        raw.update(fields)
        if caption is not None:
            raw.update(text_payload(caption, "caption"))
        message.caption = media.get("caption") if caption else None
        message.parse_mode = media.get("parse_mode") or None
        return self._finish_edit(message, markup)

    async def _delete_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """deleteMessage: marks the stored message deleted."""
        state = self._chat(params.get("chat_id"), sending=False)
        self._delete_one(state, params.get("message_id"))
        self._notify()
        return True

    def _delete_one(self, state: ChatState[SimUser], message_id: Any) -> None:
        """Delete one message if the bot may."""
        message = self._message(state, message_id, "message to delete not found")
        if not message.from_bot and state.type != "private" and not state.bot_is_admin:
            raise bad("message can't be deleted")
        message.deleted = True

    async def _delete_messages(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """deleteMessages: skips the ones that cannot be deleted, like Telegram."""
        state = self._chat(params.get("chat_id"), sending=False)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad("message identifiers are not specified")
        for message_id in ids:
            with contextlib.suppress(ApiError):
                self._delete_one(state, message_id)
        self._notify()
        return True

    async def _pin_chat_message(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """pin/unpinChatMessage: only checks that the chat is reachable."""
        self._chat(params.get("chat_id"))
        return True
