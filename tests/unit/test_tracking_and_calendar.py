"""Tracking codes and the SOP's working-day clock."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from complaints.calendar import WorkingCalendar, indonesian_holidays
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


def test_the_bot_knows_the_same_holidays_as_the_holidays_package() -> None:
    """Loaded from the Indonesian module alone: every day off (Idul Fitri, Nyepi, Imlek...)."""
    years = range(2024, 2032)
    assert dict(indonesian_holidays(years=years)) == dict(
        holidays.country_holidays("ID", years=years))


def test_a_calendar_sent_to_the_statistics_process_counts_the_same_days() -> None:
    calendar = WorkingCalendar(WITA)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(366)]
    before = [calendar.is_working_day(day) for day in days]
    copy = pickle.loads(pickle.dumps(calendar))
    assert [copy.is_working_day(day) for day in days] == before
    assert before.count(False) > 104 + 10  # weekends and at least ten holidays


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
