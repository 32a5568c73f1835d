"""answerCallbackQuery: the answer to a user pressing an inline button."""

from __future__ import annotations

from typing import Any

from simulator.core import SimulatorCore
from simulator.wire import Handler, UploadedFile, bad

__all__ = ["CallbackMethods"]

MAX_CALLBACK_TEXT = 200


class CallbackMethods(SimulatorCore):
    """Records the answer so a test can read what the user saw after pressing."""

    def _handlers(self) -> dict[str, Handler]:
        """answerCallbackQuery."""
        return {
            **super()._handlers(),
            "answerCallbackQuery": self._answer_callback_query,
        }

    async def _answer_callback_query(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """answerCallbackQuery: each query can be answered once."""
        record = self._callbacks.get(str(params.get("callback_query_id") or ""))
        if record is None or record.answer is not None:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_TEXT:
            raise bad("MESSAGE_TOO_LONG")
        record.answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        self._notify()
        return True
