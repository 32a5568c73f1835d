"""Readable chat logs, for demos and for assertion messages when a test times out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.state import MEDIA_KINDS, ChatState, Person, SimMessage

__all__ = ["render_transcript"]


def render_transcript(
    state: ChatState[Any], users: Mapping[int, Person], *, last: int | None = None
) -> str:
    """A readable conversation log of one chat, for demos and failure messages."""
    lines: list[str] = []
    messages = state.messages
    index = 0
    while index < len(messages):
        message = messages[index]
        album = [message]
        if message.media_group_id:
            while (
                index + len(album) < len(messages)
                and messages[index + len(album)].media_group_id == message.media_group_id
            ):
                album.append(messages[index + len(album)])
        index += len(album)
        lines.extend(_describe(album, users))
    header = f"--- chat {state.id} ({state.type}{', ' + state.title if state.title else ''})"
    if last is not None and len(lines) > last:
        lines = ["  ...", *lines[-last:]]
    return "\n".join([header, *lines]) if lines else f"{header}\n  (no messages)"


def _describe(album: list[SimMessage], users: Mapping[int, Person]) -> list[str]:
    """Transcript lines for one message or one album."""
    first = album[0]
    raw = first.raw
    if first.from_bot:
        name = "Bot"
    else:
        user = users.get(first.sender_id)
        name = user.first_name if user else raw.get("from", {}).get("first_name", "?")
    caption = next((m.plain_caption for m in album if m.plain_caption), None)
    tail = f" {caption}" if caption else ""
    if len(album) > 1:
        kinds = {next((k for k in MEDIA_KINDS if k in m.raw), "media") for m in album}
        body = f"[{'/'.join(sorted(kinds))} x{len(album)}]{tail}"
    elif "text" in raw:
        body = first.plain_text or ""
    elif "photo" in raw:
        body = f"[photo]{tail}"
    elif "document" in raw:
        body = f"[document {raw['document'].get('file_name', '')}]{tail}"
    elif "venue" in raw:
        body = f"[venue {raw['venue']['title']}, {raw['venue']['address']}]"
    elif "location" in raw:
        loc = raw["location"]
        live = " live" if "live_period" in loc else ""
        body = f"[location{live} {loc['latitude']}, {loc['longitude']}]"
    elif "contact" in raw:
        body = f"[contact {raw['contact']['phone_number']}]"
    elif "migrate_to_chat_id" in raw:
        body = f"[group upgraded to supergroup {raw['migrate_to_chat_id']}]"
    elif "migrate_from_chat_id" in raw:
        body = f"[supergroup created from group {raw['migrate_from_chat_id']}]"
    else:
        kind = next((k for k in MEDIA_KINDS if k in raw), "message")
        body = f"[{kind}]{tail}"
    if "forward_origin" in raw:
        body = f"[forwarded] {body}"
    flags = [
        label
        for label, on in (
            ("edited", any(m.edited for m in album)),
            ("deleted", all(m.deleted for m in album)),
            ("not delivered: privacy mode", not first.delivered),
        )
        if on
    ]
    if flags:
        body += f" ({', '.join(flags)})"
    lines = [f"{name}: {body}"]
    markup = first.reply_markup or {}
    if first.buttons:
        rows = [" | ".join(b.get("text", "") for b in row) for row in first.inline_rows]
        lines.append(f"    [buttons: {' / '.join(rows)}]")
    if "keyboard" in markup:
        lines.append(f"    [keyboard: {' | '.join(first.keyboard)}]")
    if markup.get("remove_keyboard"):
        lines.append("    [remove keyboard]")
    if markup.get("force_reply"):
        lines.append("    [force reply]")
    return lines
