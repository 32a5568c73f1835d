"""Pictures sent as files keep their EXIF, GPS position included; the bot passes them on only
after removing it.

Telegram recompresses a picture sent as a *photo* and drops its metadata, so those are passed
on by file_id. A picture sent as a *document* (uncompressed, "as file") keeps every byte, so
before the outbox sends one to a group or a person, the bot downloads it (getFile, 20 MB at
most, which intake already enforces), removes the metadata with Pillow and uploads the clean
copy. The clean copy's file_id is remembered, so each file is cleaned and uploaded once per
process. A file Pillow cannot read is not passed on at all: it cannot be checked.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.types import BufferedInputFile

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)
ORIENTATION = 0x0112  # the one EXIF tag that changes how the picture looks


def strip_metadata(data: bytes) -> bytes | None:
    """The picture without EXIF (GPS, camera, time), XMP or comments; None if unreadable."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # about 3 MiB, only once needed

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt = image.format or "JPEG"
            upright = image.getexif().get(ORIENTATION, 1) == 1
            out = io.BytesIO()
            if fmt == "JPEG" and upright:
                _only_colour_profile(image)
                # same quantisation tables: no visible loss from saving again
                image.save(out, format="JPEG", quality="keep", exif=b"")
            else:
                turned = ImageOps.exif_transpose(image)
                _only_colour_profile(turned)
                if fmt == "JPEG":
                    turned.save(out, format="JPEG", quality=95, exif=b"")
                else:
                    turned.save(out, format="PNG" if fmt not in ("PNG", "WEBP") else fmt)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _only_colour_profile(image: Image.Image) -> None:
    """Pillow writes some of `info` back (comments, XMP, text chunks): keep colours only."""
    profile = image.info.get("icc_profile")
    image.info.clear()
    if profile:
        image.info["icc_profile"] = profile


class CleanFiles:
    """Clean copies of documents, by original file_id, uploaded at most once per process."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._clean: dict[str, str] = {}

    def remember(self, original: str, clean: str) -> None:
        """The clean copy's file_id, once Telegram has it."""
        self._clean[original] = clean

    async def source(self, file_id: str, name: str = "foto.jpg") -> str | BufferedInputFile | None:
        """What to send for this document: the clean copy (by id or as an upload), or None."""
        known = self._clean.get(file_id)
        if known is not None:
            return known
        file = await self.bot.get_file(file_id)
        buffer = await self.bot.download_file(file.file_path or "")
        clean = strip_metadata(buffer.getvalue() if buffer else b"")
        if clean is None:
            log.warning("document %s is not a readable picture: not passed on", file.file_unique_id)
            return None
        return BufferedInputFile(clean, filename=name)
