"""What citizens may type, as the domain decides it."""

from __future__ import annotations

import pytest

from complaints.errors import InvalidInput, OutsideServiceArea
from complaints.model import GeoPoint
from complaints.validation import (
    check_in_area,
    clean_description,
    clean_landmark,
    clean_name,
    clean_phone,
)
from configuration.settings import DEFAULT_SERVICE_AREA, parse_service_area

AREA = parse_service_area(DEFAULT_SERVICE_AREA)


@pytest.mark.parametrize("raw, expected", [
    ("Budi Santoso", "Budi Santoso"),
    ("  Siti   Aminah ", "Siti Aminah"),
    ("H. Ahmad Yani", "H. Ahmad Yani"),
    ("Rina D'Souza-Putri", "Rina D'Souza-Putri"),
    ("Muh. Yusuf, S.Pd.", "Muh. Yusuf, S.Pd."),
    ("Ni Luh Ayu", "Ni Luh Ayu"),
    ("Jo", "Jo"),
])
def test_names_people_really_have_are_accepted(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


@pytest.mark.parametrize("raw, key", [
    ("B", "error-name-length"),
    ("x" * 101, "error-name-length"),
    ("R2D2", "error-name-characters"),
    ("<b>Budi</b>", "error-name-characters"),
    ("Budi 😀", "error-name-characters"),
    ("--", "error-name-characters"),
])
def test_bad_names_say_why(raw: str, key: str) -> None:
    with pytest.raises(InvalidInput) as err:
        clean_name(raw)
    assert err.value.key == key


@pytest.mark.parametrize("raw, expected", [
    ("081234567890", "+6281234567890"),
    ("0812-3456-7890", "+6281234567890"),
    ("+62 812 3456 7890", "+6281234567890"),
    ("+6281234567890", "+6281234567890"),
    ("(0551) 21234", "+6255121234"),
])
def test_indonesian_numbers_normalise_to_e164(raw: str, expected: str) -> None:
    assert clean_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "0812", "+1 202 555 0175", "abc", "08123456789012345"])
def test_other_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        clean_phone(raw)


def test_description_is_trimmed_and_bounded() -> None:
    words = "Jalan rusak parah di depan pasar"
    assert clean_description("   " + words + "  ") == words
    with pytest.raises(InvalidInput) as short:
        clean_description("  terlalu pendek   ")
    assert short.value.key == "error-description-short"
    assert short.value.params["length"] == len("terlalu pendek")
    assert clean_description("ab " * 666 + "ab") == "ab " * 666 + "ab"
    with pytest.raises(InvalidInput) as long:
        clean_description("ab " * 667 + "c")
    assert long.value.key == "error-description-long"


def test_landmark_optional_text_bounded() -> None:
    assert clean_landmark("  depan   SDN 001 ") == "depan SDN 001"
    with pytest.raises(InvalidInput):
        clean_landmark("   ")
    with pytest.raises(InvalidInput):
        clean_landmark("x" * 201)


@pytest.mark.parametrize("lat, lon", [(3.3000, 117.6330), (3.4200, 117.5700), (3.2500, 117.5500)])
def test_pins_in_tarakan_are_inside(lat: float, lon: float) -> None:
    assert check_in_area(GeoPoint(lat, lon), AREA) == GeoPoint(lat, lon)


@pytest.mark.parametrize("lat, lon", [
    (-6.2000, 106.8166),  # Jakarta
    (2.8400, 117.3700),  # Tanjung Selor, Bulungan (mainland, another regency)
    (3.5900, 117.6300),  # north of Tarakan, at sea off Bunyu
])
def test_pins_outside_tarakan_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(OutsideServiceArea):
        check_in_area(GeoPoint(lat, lon), AREA)


def test_service_area_setting_is_checked() -> None:
    with pytest.raises(ValueError):
        parse_service_area("1,2,3")
    with pytest.raises(ValueError):
        parse_service_area("3.5,117,3.2,118")
