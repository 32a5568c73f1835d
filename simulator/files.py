"""File storage of the simulator: what getFile and /file/ downloads serve."""

from __future__ import annotations

import base64
import mimetypes
import secrets
from dataclasses import dataclass
from typing import Any

__all__ = ["TINY_JPEG", "FileStore", "StoredFile"]

# A valid 2x2 baseline JPEG, so code that decodes downloaded photos gets a real image.
TINY_JPEG: bytes = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a"
    "HBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAACAAIBAREA/8QAHwAAAQUBAQEB"
    "AQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1Fh"
    "ByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZ"
    "WmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG"
    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/ACv/2Q=="
)

# Prefixes of real Telegram file_ids per kind, so ids look familiar in logs.
_ID_PREFIX = {
    "photo": "AgACAgUAAxkBAAI",
    "document": "BQACAgUAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "voice": "AwACAgUAAxkBAAI",
    "video": "BAACAgUAAxkBAAI",
    "audio": "CQACAgUAAxkBAAI",
    "animation": "CgACAgUAAxkBAAI",
}
_FOLDER = {
    "photo": "photos",
    "document": "documents",
    "sticker": "stickers",
    "voice": "voice",
    "video": "videos",
    "audio": "music",
    "animation": "animations",
}
# (width, height) of the sizes Telegram would generate for one photo.
PHOTO_SIZES: tuple[tuple[int, int], ...] = ((90, 68), (320, 240), (1280, 960))
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024


@dataclass
class StoredFile:
    """One stored file_id; several PhotoSize ids may share the same bytes."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    photo_set: str | None = None  # key of the PhotoSize list this id belongs to

    @property
    def file_size(self) -> int:
        """Telegram reports sizes in bytes."""
        return len(self.data)

    def as_file(self) -> dict[str, Any]:
        """The ``File`` object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


class FileStore:
    """Every file the simulated users or the bot sent, by file_id and by download path."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}
        self._counter = 0

    def _new_ids(self, kind: str) -> tuple[str, str]:
        """Fresh (file_id, file_unique_id) in Telegram's style."""
        file_id = _ID_PREFIX.get(kind, "BQACAgUAAxkBAAI") + secrets.token_urlsafe(48)[:56]
        unique = "AQAD" + secrets.token_urlsafe(12)[:14]
        return file_id, unique

    def _path(self, kind: str, ext: str) -> str:
        """A download path like ``photos/file_3.jpg``."""
        self._counter += 1
        return f"{_FOLDER.get(kind, 'documents')}/file_{self._counter}{ext}"

    def store(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        photo_set: str | None = None,
    ) -> StoredFile:
        """Register bytes under a new file_id."""
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1].lower()
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        elif kind == "photo":
            ext = ".jpg"
        file_id, unique = self._new_ids(kind)
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            kind=kind,
            data=data,
            file_path=self._path(kind, ext),
            file_name=file_name,
            mime_type=mime_type,
            photo_set=photo_set,
        )
        self.by_id[file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def store_photo(self, data: bytes = TINY_JPEG) -> list[dict[str, Any]]:
        """Store one photo as the PhotoSize list Telegram returns (small to large)."""
        set_key = secrets.token_hex(8)
        sizes: list[dict[str, Any]] = []
        for width, height in PHOTO_SIZES:
            stored = self.store("photo", data, mime_type="image/jpeg", photo_set=set_key)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.file_size,
                    "width": width,
                    "height": height,
                }
            )
        self.photo_sets[set_key] = sizes
        return sizes

    def photo_sizes(self, file_id: str) -> list[dict[str, Any]] | None:
        """The PhotoSize list a photo file_id belongs to."""
        stored = self.by_id.get(file_id)
        if stored is None or stored.photo_set is None:
            return None
        return [dict(size) for size in self.photo_sets[stored.photo_set]]

    def describe(self, stored: StoredFile) -> dict[str, Any]:
        """The Document/Voice/... JSON fields every file object carries."""
        body: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if stored.file_name:
            body["file_name"] = stored.file_name
        if stored.mime_type:
            body["mime_type"] = stored.mime_type
        return body
