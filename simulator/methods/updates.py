"""getUpdates long polling and the webhook methods that exclude it."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from typing import Any

from simulator.core import DEFAULT_ALLOWED_UPDATES, SimulatorCore
from simulator.webhook import WebhookDelivery
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
        """Set the webhook and start posting queued updates to it (an empty URL removes it)."""
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(params.get("secret_token") or "")
        if secret and (len(secret) > 256 or not all(
                c.isascii() and (c.isalnum() or c in "_-") for c in secret)):
            raise bad("bad webhook: secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
        if params.get("drop_pending_updates"):
            self._updates.clear()
        await self._stop_webhook()
        self.webhook_url = url
        if url:
            self._webhook = WebhookDelivery(
                url=url, secret=secret, max_connections=max_connections,
                queued=lambda: self._updates, confirm=self._confirm_one,
                changed=lambda: self._changed, notify=self._notify,
                upstreams=self.webhook_upstreams, attempts=self.webhook_attempts)
            self._webhook.start()
        return True

    def _confirm_one(self, update_id: int) -> None:
        """The webhook answered this update with a 2xx: Telegram forgets it."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]

    async def _stop_webhook(self) -> None:
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Remove the webhook; optionally drop pending updates."""
        await self._stop_webhook()
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
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            info["allowed_updates"] = sorted(self._allowed_updates)
            if self._webhook.last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook.last_error
        return info
