"""Proof photos for the staff report: fetched once through the Bot API, kept in a folder.

Telegram keeps the pictures; a report names them by file id. `getFile` gives a download
path, the bytes are stored under the photo's `file_unique_id` (stable across bots), so a
report can be rebuilt later without the Bot API. No aiogram here (the admin command line does
not import the bot's side): two plain HTTP requests. The token is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import aiohttp
from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
THUMBNAIL = (480, 480)
PARALLEL = 4
TIMEOUT = aiohttp.ClientTimeout(total=30)


class PhotoFolder:
    """A local folder of proof photos and their thumbnails, filled from the Bot API."""

    def __init__(self, folder: Path, api_url: str, token: str | None) -> None:
        self.folder, self._api, self._token = folder, api_url.rstrip("/"), token

    def _original(self, unique_id: str) -> Path:
        return self.folder / f"{unique_id}.jpg"

    def thumbnail(self, unique_id: str | None) -> Path | None:
        """A small JPEG of a kept photo (made once), or None when it was never fetched."""
        if not unique_id or not SAFE_NAME.match(unique_id):
            return None
        small = self.folder / f"{unique_id}.thumb.jpg"
        if small.exists():
            return small
        original = self._original(unique_id)
        if not original.exists():
            return None
        try:
            with Image.open(original) as image:
                image.thumbnail(THUMBNAIL)
                image.convert("RGB").save(small, "JPEG", quality=80)
        except (OSError, UnidentifiedImageError):
            log.warning("kept photo %s is not a readable image", unique_id)
            return None
        return small

    async def fetch_all(self, photos: list[tuple[str, str]]) -> int:
        """Download the (file_id, file_unique_id) photos not kept yet; how many were fetched."""
        missing = [(file_id, unique) for file_id, unique in dict(photos).items()
                   if SAFE_NAME.match(unique) and not self._original(unique).exists()]
        if not missing or not self._token:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        gate = asyncio.Semaphore(PARALLEL)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:

            async def one(file_id: str, unique: str) -> bool:
                async with gate:
                    return await self._fetch(session, file_id, unique)

            done = await asyncio.gather(*(one(f, u) for f, u in missing))
        return sum(done)

    async def _fetch(self, session: aiohttp.ClientSession, file_id: str, unique: str) -> bool:
        base = f"{self._api}/bot{self._token}"
        try:
            async with session.get(f"{base}/getFile", params={"file_id": file_id}) as response:
                answer = await response.json(content_type=None)
            if not answer.get("ok"):
                log.warning("getFile refused photo %s: %s", unique, answer.get("description"))
                return False
            path = answer["result"]["file_path"]
            async with session.get(f"{self._api}/file/bot{self._token}/{path}") as response:
                if response.status != 200:
                    log.warning("photo %s: download answered %s", unique, response.status)
                    return False
                data = await response.read()
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as exc:
            log.warning("photo %s could not be fetched: %s", unique, type(exc).__name__)
            return False
        target = self._original(unique)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
        return True
