"""Tracking codes: short, readable aloud, typed back easily, and not guessable."""

from __future__ import annotations

import re
import secrets

# Crockford-style alphabet without the letters people confuse when reading aloud (I, L, O, U)
# and without 0/1; 30 symbols, 8 of them give about 6.6e11 codes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "LPR"
_GROUP = 4
_LENGTH = 8
_CODE_RE = re.compile(rf"^{PREFIX}-[{ALPHABET}]{{{_GROUP}}}-[{ALPHABET}]{{{_GROUP}}}$")


def new_tracking_code() -> str:
    """A fresh random code such as LPR-7KQM-X3RA (never a sequence number)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_LENGTH))
    return f"{PREFIX}-{body[:_GROUP]}-{body[_GROUP:]}"


def normalize_tracking_code(raw: str) -> str | None:
    """Accept what a citizen types (lower case, spaces, no dashes); None if it cannot be a code."""
    cleaned = re.sub(r"[\s\-_.]", "", raw.upper())
    if cleaned.startswith(PREFIX):
        cleaned = cleaned[len(PREFIX):]
    if len(cleaned) != _LENGTH:
        return None
    code = f"{PREFIX}-{cleaned[:_GROUP]}-{cleaned[_GROUP:]}"
    return code if _CODE_RE.match(code) else None
