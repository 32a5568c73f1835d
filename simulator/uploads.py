"""File parameters of send and edit methods: uploads, URLs and file_ids, as Telegram takes them."""

from __future__ import annotations

import mimetypes
from typing import Any

from simulator.files import TINY_JPEG, FileStore, StoredFile
from simulator.wire import UploadedFile, bad

__all__ = ["file_source", "resolve_media"]

# Telegram decodes uploaded photos; bytes that are no image fail with IMAGE_PROCESS_FAILED.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF", b"BM")


def file_source(
    params: dict[str, Any], files: dict[str, UploadedFile], name: str
) -> str | UploadedFile:
    """A file parameter: an upload (attach:// or the field itself) or a file_id/URL."""
    value = params.get(name)
    if value is None and name in files:
        return files[name]
    if isinstance(value, str) and value.startswith("attach://"):
        upload = files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad(f"there is no {name} in the request")
        return upload
    if not value:
        raise bad(f"there is no {name} in the request")
    return str(value)


def input_media_source(item: dict[str, Any],
                       files: dict[str, UploadedFile]) -> str | UploadedFile:
    """An InputMedia's `media`: an upload named by attach://NAME, or a file id / URL."""
    source = item.get("media")
    if isinstance(source, str) and source.startswith("attach://"):
        upload = files.get(source.removeprefix("attach://"))
        if upload is not None:
            return upload
    elif isinstance(source, str) and source:
        return source
    raise bad("can't parse InputMedia: media not found")


def resolve_media(store: FileStore, kind: str, source: str | UploadedFile) -> dict[str, Any]:
    """Resolve a photo/document/... source into message fields, storing uploads."""
    if isinstance(source, UploadedFile):
        if not source.data:
            raise bad("file must be non-empty")
        if kind == "photo":
            if not source.data.startswith(_IMAGE_MAGIC):
                raise bad("IMAGE_PROCESS_FAILED")
            return {"photo": store.store_photo(source.data)}
        mime = mimetypes.guess_type(source.filename)[0] or source.content_type
        stored = store.store(kind, source.data, file_name=source.filename, mime_type=mime)
        return {kind: _file_json(store, kind, stored)}
    if source.startswith(("http://", "https://")):
        if kind == "photo":
            return {"photo": store.store_photo(TINY_JPEG)}
        name = source.rsplit("/", 1)[-1] or "file"
        stored = store.store(
            kind, TINY_JPEG, file_name=name, mime_type=mimetypes.guess_type(name)[0]
        )
        return {kind: _file_json(store, kind, stored)}
    existing = store.by_id.get(source)
    if existing is None:
        raise bad("wrong file identifier/HTTP URL specified")
    if existing.kind != kind:
        raise bad("type of file mismatch")
    if kind == "photo":
        sizes = store.photo_sizes(source)
        assert sizes is not None
        return {"photo": sizes}
    return {kind: _file_json(store, kind, existing)}


def _file_json(store: FileStore, kind: str, stored: StoredFile) -> dict[str, Any]:
    """Document/Video/Audio JSON with the fields aiogram requires."""
    body = store.describe(stored)
    if kind == "video":
        body.update(width=640, height=360, duration=5)
    elif kind in ("audio", "voice"):
        body["duration"] = 5
    elif kind == "animation":
        body.update(width=320, height=240, duration=2)
    return body
