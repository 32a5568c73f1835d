"""Small privacy pieces: metadata stripping, the phone mask in logs, retention periods."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import typer
from PIL import Image, PngImagePlugin

from admin_cli.privacy import parse_duration
from bot.logging_setup import mask_personal
from bot.photo_privacy import strip_metadata

GPS = {1: "N", 2: (3.0, 18.0, 0.0), 3: "E", 4: (117.0, 38.0, 0.0)}


def _jpeg(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x8825] = GPS
    exif[0x0112] = orientation
    exif[0x010F] = "KameraMerek"
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "green").save(out, "JPEG", exif=exif.tobytes(),
                                             comment=b"rumah Budi")
    return out.getvalue()


def test_jpeg_loses_gps_camera_and_comment_but_keeps_its_size() -> None:
    clean = strip_metadata(_jpeg())
    assert clean is not None
    assert b"KameraMerek" not in clean and b"rumah Budi" not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "JPEG" and image.size == (40, 20)
        assert not image.getexif().get_ifd(0x8825)


def test_a_turned_jpeg_is_turned_upright_before_its_metadata_goes() -> None:
    clean = strip_metadata(_jpeg(orientation=6))  # taken sideways: shown rotated 90°
    assert clean is not None
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (20, 40) and not image.getexif()


def test_png_text_chunks_go_too() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("GPSLatitude", "3.3")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    clean = strip_metadata(out.getvalue())
    assert clean is not None and b"GPSLatitude" not in clean


def test_what_is_no_picture_is_not_passed_on() -> None:
    assert strip_metadata(b"%PDF-1.4 not a picture") is None
    assert strip_metadata(b"") is None


@pytest.mark.parametrize("line", ["+6281234567890", "6281234567890", "081234567890",
                                  "telepon 0812345678901 ok"])
def test_phone_numbers_are_masked_in_log_lines(line: str) -> None:
    assert "<phone>" in mask_personal(line)
    assert "1234567" not in mask_personal(line)


def test_ids_and_codes_are_not_mistaken_for_phones() -> None:
    line = "update 100000123 from user 6281234567 report LPR-7KQM-X3RA"
    assert mask_personal(line) == line


def test_retention_periods() -> None:
    assert parse_duration("365d") == timedelta(days=365)
    assert parse_duration("52w") == timedelta(weeks=52)
    assert parse_duration("30") == timedelta(days=30)
    for bad in ("0d", "soon", "-5d", "3m"):
        with pytest.raises(typer.BadParameter):
            parse_duration(bad)
