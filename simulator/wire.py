"""How Bot API calls look on the wire: parameters in, ``{"ok": ...}`` answers out."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

__all__ = ["ApiCall", "ApiError", "Handler", "UploadedFile", "bad", "coerce", "read_params"]

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
        "message_ids",
        "permissions",
        "rights",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "from_chat_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "live_period",
        "message_thread_id",
        "cache_time",
        "duration",
        "width",
        "height",
        "heading",
        "proximity_alert_radius",
        "max_connections",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "has_spoiler",
        "show_caption_above_media",
        "disable_content_type_detection",
        "disable_web_page_preview",
        "allow_paid_broadcast",
    }
)
_INT_RE = re.compile(r"-?\d+")


class ApiError(Exception):
    """A Bot API error answered with Telegram's JSON shape."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """``{"ok": false, ...}`` as Telegram sends it."""
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


def bad(description: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """A 400 with the ``Bad Request:`` prefix Telegram uses."""
    return ApiError(400, f"Bad Request: {description}", parameters)


@dataclass
class UploadedFile:
    """A multipart file part the bot uploaded."""

    filename: str
    content_type: str | None
    data: bytes


@dataclass
class ApiCall:
    """One HTTP call the bot made, for assertions on what it did."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 0  # 0 means no HTTP response was sent (dropped or client gave up)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    fault: str | None = None
    response: Any = None

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered ``ok: true``."""
        return self.status == 200


# A Bot API method: (parameters, uploaded files) -> the ``result`` of the answer.
Handler = Callable[[dict[str, Any], dict[str, UploadedFile]], Awaitable[Any]]


async def read_params(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Collect parameters from the query string, a form (multipart/urlencoded) or JSON."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        content_type = request.content_type
        if content_type == "multipart/form-data":
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data = await part.read()
                    files[part.name] = UploadedFile(
                        part.filename, part.headers.get("Content-Type"), bytes(data)
                    )
                else:
                    params[part.name] = await part.text()
        elif content_type == "application/x-www-form-urlencoded":
            params.update(await request.post())
        elif content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad("JSON request body must be an object")
            params.update(body)
    return {key: coerce(key, value) for key, value in params.items()}, files


def coerce(key: str, value: Any) -> Any:
    """Turn form strings into the types Telegram would read them as."""
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            label = {
                "reply_markup": "reply keyboard markup",
                "entities": "entities",
                "caption_entities": "entities",
                "media": "media",
            }.get(key, key)
            raise bad(f"can't parse {label} JSON object") from None
    if key in ("chat_id", "from_chat_id"):
        return int(value) if _INT_RE.fullmatch(value.strip()) else value
    if key in _INT_FIELDS:
        if not _INT_RE.fullmatch(value.strip()):
            raise bad(f'field "{key}" must be of type Integer')
        return int(value)
    if key in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            raise bad(f'field "{key}" must be of type Number') from None
    if key in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value
