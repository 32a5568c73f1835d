"""Tracking codes and the SOP's working-day clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from complaints.calendar import WorkingCalendar
from complaints.tracking import ALPHABET, new_tracking_code, normalize_tracking_code

WITA = ZoneInfo("Asia/Makassar")


def test_codes_are_readable_and_random() -> None:
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        prefix, first, second = code.split("-")
        assert prefix == "LPR" and len(first) == len(second) == 4
        assert set(first + second) <= set(ALPHABET)
        assert not set(first + second) & set("01OILU")


def test_codes_typed_back_loosely_are_understood() -> None:
    assert normalize_tracking_code("lpr 7kqm x3ra") == "LPR-7KQM-X3RA"
    assert normalize_tracking_code("7KQMX3RA") == "LPR-7KQM-X3RA"
    assert normalize_tracking_code("LPR-7KQM-X3R") is None
    assert normalize_tracking_code("LPR-7KQM-X3R0") is None
    assert normalize_tracking_code("12") is None


def test_three_working_days_skip_the_weekend() -> None:
    calendar = WorkingCalendar(WITA)
    thursday = datetime(2026, 12, 3, 10, 0, tzinfo=WITA)
    assert calendar.deadline(thursday, 3) == datetime(2026, 12, 8, 23, 59, 59, tzinfo=WITA)


def test_national_holidays_do_not_count() -> None:
    calendar = WorkingCalendar(WITA)
    # 17 August 2026 (Independence Day) is a Monday
    friday = datetime(2026, 8, 14, 9, 0, tzinfo=WITA)
    assert calendar.deadline(friday, 1) == datetime(2026, 8, 18, 23, 59, 59, tzinfo=WITA)


def test_calendar_days_setting_counts_every_day() -> None:
    calendar = WorkingCalendar(WITA, calendar_days=True)
    saturday = datetime(2026, 12, 5, 8, 0, tzinfo=WITA)
    assert calendar.deadline(saturday, 3) == datetime(2026, 12, 8, 23, 59, 59, tzinfo=WITA)


def test_day_is_counted_in_tarakan_time() -> None:
    calendar = WorkingCalendar(WITA)
    # 2026-12-03 17:30 UTC is already Friday 01:30 in Tarakan
    late = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert calendar.deadline(late, 1) == datetime(2026, 12, 7, 23, 59, 59, tzinfo=WITA)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(WITA).deadline(datetime(2026, 12, 3), 3)  # noqa: DTZ001
