"""getUpdates long polling and the webhook methods that exclude it."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from typing import Any

from simulator.core import DEFAULT_ALLOWED_UPDATES, SimulatorCore
from simulator.wire import ApiError, Handler, UploadedFile, bad

__all__ = ["UpdateMethods"]


class UpdateMethods(SimulatorCore):
    """How the bot receives updates: long polling, or a webhook that forbids it."""

    def _handlers(self) -> dict[str, Handler]:
        """getUpdates and the webhook methods."""
        return {
            **super()._handlers(),
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }

    def _confirm(self, offset: Any) -> None:
        """Forget updates confirmed by ``offset`` (negative: keep only the last -offset)."""
        if not isinstance(offset, int) or offset == 0:
            return
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    async def _get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Long polling with offset confirmation and allowed_updates filtering."""
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
        self._confirm(params.get("offset"))
        limit = params.get("limit") or 100
        limit = max(1, min(100, int(limit)))
        timeout = max(0, int(params.get("timeout") or 0))
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._updates = [
                u for u in self._updates if (u.keys() - {"update_id"}) <= self._allowed_updates
            ]
            if self._updates:
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure "
                    "that only one bot instance is running",
                )

    async def _set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Accept a webhook URL (updates still only flow through getUpdates when unset)."""
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Remove the webhook; optionally drop pending updates."""
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(
        self, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        """WebhookInfo with the pending update count."""
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
        return info
