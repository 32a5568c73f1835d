"""Rules for what citizens type: names, phone numbers, descriptions, landmarks, locations."""

from __future__ import annotations

import re
import unicodedata

from complaints.errors import InvalidInput, OutsideServiceArea
from complaints.model import GeoPoint, ServiceArea

NAME_MIN, NAME_MAX = 2, 100
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 2000
LANDMARK_MAX = 200
MAX_PHOTOS = 5
# Letters of any script plus the punctuation found in Indonesian names (H. Ahmad, Ni Luh,
# Muh. Yusuf, D'Cruz, Siti-Aminah, Abdul Rahman, S.Pd.).
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ .'’,\-]+[^\W\d_]+)*\.?$")


DESCRIPTION_MIN_LETTERS = 10
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n"}
_WORD = re.compile(r"[^\W\d_]{2,}")


def clean_text(raw: str, *, multiline: bool = False) -> str:
    """What a person typed, safe to put in any chat: no control, zero-width or bidi characters.

    Control characters (C0/C1), format characters (zero-width spaces and joiners, the
    left-to-right/right-to-left marks, embeddings, overrides and isolates, the BOM) and
    surrogates are dropped, so a text cannot hide words, reorder a card's lines or break its
    markup; spaces are collapsed, line breaks kept (at most one empty line) when multiline.
    """
    text = unicodedata.normalize("NFC", raw)
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    kept = "".join(
        ch if ch == "\n" else " " if ch == "\t" or unicodedata.category(ch) == "Zs" else ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    lines = [" ".join(line.split()) for line in kept.split("\n")]
    if not multiline:
        return " ".join(line for line in lines if line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def says_something(text: str) -> bool:
    """Words, not only emoji, digits or punctuation: two words and ten letters at least."""
    return (len(_WORD.findall(text)) >= 2
            and sum(ch.isalpha() for ch in text) >= DESCRIPTION_MIN_LETTERS)


def clean_name(raw: str) -> str:
    """A person's name: 2–100 characters, letters and common name punctuation only."""
    name = clean_text(raw)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise InvalidInput("error-name-length", min=NAME_MIN, max=NAME_MAX)
    if not _NAME_RE.match(name):
        raise InvalidInput("error-name-characters")
    return name


def clean_phone(raw: str) -> str:
    """An Indonesian phone number (+62… or 08…), returned in E.164 form (+628…)."""
    digits = re.sub(r"[\s\-().]", "", raw)
    if not re.fullmatch(r"\+?\d{8,15}", digits):
        raise InvalidInput("error-phone-invalid")
    import phonenumbers  # about 1 MiB of numbering plans, loaded at the first number checked

    try:
        parsed = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("error-phone-invalid") from exc
    if parsed.country_code != 62 or not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("error-phone-invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def clean_description(raw: str) -> str:
    """What happened, in words: 20–2,000 characters once cleaned (see clean_text)."""
    text = clean_text(raw, multiline=True)
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput("error-description-long", max=DESCRIPTION_MAX, length=len(text))
    if len(text) < DESCRIPTION_MIN:
        raise InvalidInput("error-description-short", min=DESCRIPTION_MIN, length=len(text))
    if not says_something(text):
        raise InvalidInput("error-description-no-words")
    return text


def clean_landmark(raw: str) -> str:
    """An optional landmark near the pin, at most 200 characters."""
    text = clean_text(raw)
    if not text:
        raise InvalidInput("error-landmark-empty")
    if len(text) > LANDMARK_MAX:
        raise InvalidInput("error-landmark-long", max=LANDMARK_MAX)
    return text


def check_in_area(point: GeoPoint, area: ServiceArea) -> GeoPoint:
    """Refuse a pin outside the city: the city cannot act there."""
    if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
        raise InvalidInput("error-location-invalid")
    if not area.contains(point):
        raise OutsideServiceArea()
    return point
