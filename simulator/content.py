"""What a Telegram app puts into the messages a simulated user sends: entities and files."""

from __future__ import annotations

import re
from typing import Any

from simulator.files import TINY_JPEG, FileStore
from simulator.markup import utf16_len

__all__ = [
    "caption_fields",
    "document_fields",
    "media_fields",
    "photo_fields",
    "text_fields",
    "user_entities",
]

_USER_ENTITY_RE = re.compile(
    r"(?P<command>(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{4,32})"
    r"|(?P<url>https?://[^\s]+)"
)


def user_entities(text: str) -> list[dict[str, Any]]:
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


def text_fields(text: str) -> dict[str, Any]:
    """Fields of a typed text message."""
    fields: dict[str, Any] = {"text": text}
    entities = user_entities(text)
    if entities:
        fields["entities"] = entities
    return fields


def caption_fields(caption: str | None) -> dict[str, Any]:
    """Caption fields of a user's media message."""
    if not caption:
        return {}
    fields: dict[str, Any] = {"caption": caption}
    entities = user_entities(caption)
    if entities:
        fields["caption_entities"] = entities
    return fields


def photo_fields(
    store: FileStore, caption: str | None, media_group_id: str | None
) -> dict[str, Any]:
    """Fields of a user's photo (fresh file ids, tiny real JPEG)."""
    fields: dict[str, Any] = {"photo": store.store_photo(TINY_JPEG)}
    fields.update(caption_fields(caption))
    if media_group_id:
        fields["media_group_id"] = media_group_id
    return fields


def document_fields(
    store: FileStore, file_name: str, mime_type: str, content: bytes | None, caption: str | None
) -> dict[str, Any]:
    """Fields of a user's document."""
    if content is None:
        content = TINY_JPEG if mime_type.startswith("image/") else b"%PDF-1.4\n% simulated\n"
    stored = store.store("document", content, file_name=file_name, mime_type=mime_type)
    fields: dict[str, Any] = {"document": store.describe(stored)}
    fields.update(caption_fields(caption))
    return fields


def media_fields(store: FileStore, kind: str) -> dict[str, Any]:
    """Fields of a user's sticker, voice note or video."""
    if kind == "sticker":
        stored = store.store("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", mime_type="image/webp")
        body = store.describe(stored)
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
        stored = store.store("voice", b"OggS\x00simulated", mime_type="audio/ogg")
        return {"voice": {**store.describe(stored), "duration": 3}}
    stored = store.store("video", b"\x00\x00\x00\x18ftypmp42", mime_type="video/mp4")
    return {"video": {**store.describe(stored), "width": 640, "height": 360, "duration": 5}}
