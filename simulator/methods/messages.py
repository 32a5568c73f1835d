"""Sending messages: text, photos, documents, albums, locations, venues, copies, forwards."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from simulator.core import SimulatorCore
from simulator.state import ChatState, snapshot
from simulator.uploads import file_source, input_media_source, resolve_media
from simulator.users import SimUser
from simulator.validation import check_markup, parse_caption, parse_text, text_payload
from simulator.wire import ApiError, Handler, UploadedFile, bad, coerce

__all__ = ["MessageMethods"]

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


def _location(params: dict[str, Any]) -> dict[str, Any]:
    """A validated Location object."""
    latitude, longitude = params.get("latitude"), params.get("longitude")
    if isinstance(latitude, bool) or not isinstance(latitude, int | float):
        raise bad("wrong coordinates specified")
    if isinstance(longitude, bool) or not isinstance(longitude, int | float):
        raise bad("wrong coordinates specified")
    latitude, longitude = float(latitude), float(longitude)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad("wrong location specified")
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for key in ("live_period", "horizontal_accuracy", "heading", "proximity_alert_radius"):
        if params.get(key) is not None:
            location[key] = params[key]
    return location


class MessageMethods(SimulatorCore):
    """Everything that creates a new bot message, validated as Telegram validates it."""

    def _handlers(self) -> dict[str, Handler]:
        """The send, copy and forward methods."""
        return {
            **super()._handlers(),
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "sendLocation": self._send_location,
            "sendVenue": self._send_venue,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
        }

    def _reply(self, state: ChatState[SimUser], params: dict[str, Any]) -> dict[str, Any] | None:
        """The replied-to message snapshot for reply_parameters / reply_to_message_id."""
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        target_id: Any = params.get("reply_to_message_id")
        target_state = state
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, state.id):
                target_state = self._chat(coerce("chat_id", reply["chat_id"]), sending=False)
        if target_id is None:
            return None
        message = target_state.by_id.get(int(target_id))
        if message is None or message.deleted:
            if allow_missing:
                return None
            raise bad("message to be replied not found")
        return snapshot(message.raw)

    async def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendMessage with Telegram's text, entity and markup validation."""
        state = self._chat(params.get("chat_id"))
        parsed = parse_text(params)
        markup = check_markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        message = self._bot_send(
            state,
            text_payload(parsed),
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
        caption = parse_caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        markup = check_markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        fields = resolve_media(self.files, kind, file_source(params, files, kind))
        if caption is not None:
            fields.update(text_payload(caption, "caption"))
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
            raise bad('parameter "media" is required')
        if not isinstance(media, list):
            raise bad("can't parse media JSON object")
        if not media:
            raise bad("there are no messages to send")
        if len(media) > 10:
            raise bad("too many messages to send as an album")
        kinds = [str((item or {}).get("type", "")) for item in media]
        for kind in kinds:
            if kind not in ("photo", "video", "document", "audio"):
                raise bad(
                    f"can't parse InputMedia: type \"{kind}\" can't be used in sendMediaGroup"
                )
        if "document" in kinds and set(kinds) != {"document"}:
            raise bad("document can't be mixed with other media types")
        if "audio" in kinds and set(kinds) != {"audio"}:
            raise bad("audio can't be mixed with other media types")
        reply = self._reply(state, params)
        prepared: list[tuple[dict[str, Any], str | None]] = []
        for position, (item, kind) in enumerate(zip(media, kinds, strict=True), start=1):
            resolved = input_media_source(item, files)
            caption = parse_caption(
                item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
            )
            try:
                fields = resolve_media(self.files, kind, resolved)
            except ApiError as error:
                reason = error.description.removeprefix("Bad Request: ")
                raise bad(
                    f"failed to send message #{position} with the error message "
                    f'"{reason[:1].upper()}{reason[1:]}"'
                ) from None
            if caption is not None:
                fields.update(text_payload(caption, "caption"))
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

    async def _send_location(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendLocation."""
        state = self._chat(params.get("chat_id"))
        location = _location(params)
        markup = check_markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        return self._bot_send(state, {"location": location}, params, reply=reply, markup=markup).raw

    async def _send_venue(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """sendVenue (the message carries both venue and location)."""
        state = self._chat(params.get("chat_id"))
        location = _location(params)
        title, address = params.get("title"), params.get("address")
        if not title:
            raise bad("venue title is empty")
        if not address:
            raise bad("venue address is empty")
        markup = check_markup(params.get("reply_markup"))
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
            raise bad("wrong parameter action in request")
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
            raise bad("message can't be copied")
        markup = check_markup(params.get("reply_markup"))
        reply = self._reply(state, params)
        text = source.text if "text" in fields else None
        caption = source.caption
        if "caption" in params:
            parsed = parse_caption(
                params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
            )
            fields.pop("caption", None)
            fields.pop("caption_entities", None)
            caption = None
            if parsed is not None:
                fields.update(text_payload(parsed, "caption"))
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
            raise bad("message can't be forwarded")
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
