"""Telegram's checks of message text, captions and keyboards, with its error wording."""

from __future__ import annotations

from typing import Any

from simulator.markup import EntityParseError, ParsedText, parse_formatted
from simulator.wire import bad

__all__ = ["check_markup", "parse_caption", "parse_text", "text_payload"]

MAX_TEXT = 4096
MAX_CAPTION = 1024


def _check_parse_mode(parse_mode: Any) -> str | None:
    """Only the three Telegram parse modes exist."""
    if parse_mode in (None, ""):
        return None
    if str(parse_mode).lower() not in ("html", "markdown", "markdownv2"):
        raise bad(f"unsupported parse_mode {parse_mode}")
    return str(parse_mode)


def _parse(text: str, parse_mode: Any, entities: Any) -> ParsedText:
    """Parse formatted text; explicit entities win over parse_mode, as in Telegram."""
    if entities:
        if not isinstance(entities, list):
            raise bad("can't parse entities JSON object")
        return ParsedText(text, list(entities))
    try:
        return parse_formatted(text, _check_parse_mode(parse_mode))
    except EntityParseError as error:
        raise bad(f"can't parse entities: {error}") from None


def parse_text(params: dict[str, Any]) -> ParsedText:
    """Validated message text."""
    text = params.get("text")
    if text is None or str(text) == "":
        raise bad("message text is empty")
    parsed = _parse(str(text), params.get("parse_mode"), params.get("entities"))
    if not parsed.text.strip():
        raise bad("message text is empty")
    if len(parsed.text) > MAX_TEXT:
        raise bad("message is too long")
    return parsed


def parse_caption(caption: Any, parse_mode: Any, entities: Any) -> ParsedText | None:
    """Validated caption (None when absent)."""
    if caption is None or str(caption) == "":
        return None
    parsed = _parse(str(caption), parse_mode, entities)
    if len(parsed.text) > MAX_CAPTION:
        raise bad("message caption is too long")
    return parsed


def check_markup(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup like Telegram (callback_data 1-64 bytes, button kinds)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad(
                "can't parse inline keyboard button: InlineKeyboardMarkup must be "
                "an Array of Arrays of InlineKeyboardButton"
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('can\'t parse keyboard: Field "keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not text:
                    raise bad('can\'t parse keyboard button: Field "text" must be of type String')
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise bad("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_button(button: Any) -> None:
    """One inline button: text plus exactly one action; callback_data 1-64 bytes."""
    if not isinstance(button, dict) or not button.get("text"):
        raise bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad("BUTTON_DATA_INVALID")
        return
    if "url" in button:
        url = str(button["url"])
        if not url.startswith(("http://", "https://", "tg://")):
            raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return
    actions = {
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
    if not actions & button.keys():
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )


def text_payload(parsed: ParsedText, key: str = "text") -> dict[str, Any]:
    """``text``/``entities`` (or caption variants) of a parsed text."""
    fields: dict[str, Any] = {key: parsed.text}
    if parsed.entities:
        fields["entities" if key == "text" else "caption_entities"] = parsed.entities
    return fields
