"""Logging that never shows the bot token, even inside tracebacks and Bot API URLs."""

from __future__ import annotations

import logging
import re

# Any Telegram bot token: digits, a colon, 30+ URL-safe characters.
TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
MASK = "<bot-token>"


def mask_secrets(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Hide the configured token and anything shaped like one."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return TOKEN_RE.sub(MASK, text)


class TokenMaskingFormatter(logging.Formatter):
    """Masks the token in the whole formatted record: message, arguments and traceback."""

    def __init__(self, fmt: str | None = None, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record), self.secrets)


def setup_logging(level: str = "INFO", *secrets: str) -> None:
    """Root logging to stderr through the masking formatter (the token, the webhook secret)."""
    handler = logging.StreamHandler()
    handler.setFormatter(TokenMaskingFormatter(secrets=tuple(s for s in secrets if s)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # Alembic narrates every migration step at INFO; only when debugging is that worth reading.
    logging.getLogger("alembic").setLevel(
        logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)
