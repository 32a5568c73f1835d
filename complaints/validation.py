"""Rules for what citizens type: names, phone numbers, descriptions, landmarks, locations."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from complaints.errors import InvalidInput, OutsideServiceArea
from complaints.model import GeoPoint, ServiceArea

NAME_MIN, NAME_MAX = 2, 100
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 2000
LANDMARK_MAX = 200
MAX_PHOTOS = 5
# Letters of any script plus the punctuation found in Indonesian names (H. Ahmad, Ni Luh,
# Muh. Yusuf, D'Cruz, Siti-Aminah, Abdul Rahman, S.Pd.).
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ .'’,\-]+[^\W\d_]+)*\.?$")


def clean_name(raw: str) -> str:
    """A person's name: 2–100 characters, letters and common name punctuation only."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
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
    try:
        parsed = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("error-phone-invalid") from exc
    if parsed.country_code != 62 or not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("error-phone-invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def clean_description(raw: str) -> str:
    """What happened: 20–2,000 characters once surrounding blanks are trimmed."""
    text = raw.strip()
    if len(text) < DESCRIPTION_MIN:
        raise InvalidInput("error-description-short", min=DESCRIPTION_MIN, length=len(text))
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput("error-description-long", max=DESCRIPTION_MAX, length=len(text))
    return text


def clean_landmark(raw: str) -> str:
    """An optional landmark near the pin, at most 200 characters."""
    text = " ".join(raw.split())
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
