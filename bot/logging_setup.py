"""Logging that never shows the bot token, even inside tracebacks and Bot API URLs, nor what
citizens sent (names, phone numbers, texts), also at LOG_LEVEL=DEBUG: our own log lines carry
ids and tracking codes only, and the libraries that would log updates, requests or SQL
parameters at DEBUG are held at INFO or above."""

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


# Loggers that would write message contents or SQL parameters (names, phones, descriptions)
# at DEBUG: aiogram's dispatcher and event logs, SQLAlchemy's statement echo with parameters,
# aiohttp's client and the drivers. They keep their warnings and errors.
QUIET = {"aiogram": logging.INFO, "aiogram.event": logging.WARNING,
         "aiogram.dispatcher": logging.INFO, "sqlalchemy": logging.WARNING,
         "aiosqlite": logging.WARNING, "asyncpg": logging.WARNING, "aiohttp": logging.INFO,
         "redis": logging.INFO, "asyncio": logging.INFO, "geopy": logging.INFO}
# Anything shaped like an Indonesian phone number, should a library line still carry one.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?62|0)8\d{8,11}(?!\d)")


def mask_personal(text: str) -> str:
    """Hide phone-number-shaped digits (a last net: names and texts are never logged)."""
    return PHONE_RE.sub("<phone>", text)


class PrivacyFormatter(TokenMaskingFormatter):
    """The token mask plus the phone-number mask."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal(super().format(record))


def install_logging(handler: logging.Handler, level: str = "INFO", *secrets: str) -> None:
    """Root logging through `handler` and the masking formatter (the token, the webhook
    secret, phone numbers); chatty libraries held back."""
    handler.setFormatter(PrivacyFormatter(secrets=tuple(s for s in secrets if s)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(floor, root.level))
    # Alembic narrates every migration step at INFO; only when debugging is that worth reading.
    logging.getLogger("alembic").setLevel(
        logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)


def setup_logging(level: str = "INFO", *secrets: str) -> None:
    """Root logging to stderr through the masking formatter."""
    install_logging(logging.StreamHandler(), level, *secrets)
