"""Pictures as citizens and operators send them: a photo, or an image sent as a file."""

from __future__ import annotations

from aiogram.types import Message

from complaints.model import PhotoKind

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot can download again later (getFile limit)


def already_has(photos: tuple[dict[str, str], ...], picture: dict[str, str]) -> bool:
    """The same picture came in before: a replayed update must not add it twice."""
    return any(p["file_unique_id"] == picture["file_unique_id"] for p in photos)


def picture_of(message: Message) -> dict[str, str] | None:
    """The largest size of a photo, or an image sent as a file (EXIF kept); None otherwise."""
    if message.photo:
        best = message.photo[-1]
        return {"file_id": best.file_id, "file_unique_id": best.file_unique_id,
                "kind": PhotoKind.PHOTO.value}
    document = message.document
    if (document and (document.mime_type or "").startswith("image/")
            and (document.file_size or 0) <= MAX_FILE_BYTES):
        return {"file_id": document.file_id, "file_unique_id": document.file_unique_id,
                "kind": PhotoKind.DOCUMENT.value}
    return None
