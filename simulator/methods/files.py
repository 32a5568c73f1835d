"""getFile and the /file/ downloads it points to."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from simulator.core import SimulatorCore
from simulator.files import MAX_DOWNLOAD_SIZE
from simulator.wire import ApiError, Handler, UploadedFile, bad

__all__ = ["FileMethods"]


class FileMethods(SimulatorCore):
    """Lets the bot fetch the bytes of files users sent, within the 20 MB download limit."""

    def _handlers(self) -> dict[str, Handler]:
        """getFile."""
        return {
            **super()._handlers(),
            "getFile": self._get_file,
        }

    async def _get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """getFile: the path to download the bytes from."""
        stored = self.files.by_id.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad("invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise bad("file is too big")
        return stored.as_file()

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
