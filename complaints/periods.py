"""Report periods as people type them: "bulan ini", "minggu ini", "2026-11", "a..b" ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from complaints.errors import InvalidInput

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
YEAR = re.compile(r"^(\d{4})$")
RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|–|—|s/d|to|sd)\s*(\d{4}-\d{1,2}-\d{1,2})$")
DAY = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})$")
THIS_MONTH = {"", "bulan ini", "this month", "month"}
LAST_MONTH = {"bulan lalu", "last month"}
THIS_WEEK = {"minggu ini", "this week", "week", "pekan ini"}
LAST_WEEK = {"minggu lalu", "last week", "pekan lalu"}
THIS_YEAR = {"tahun ini", "this year", "year"}
TODAY = {"hari ini", "today"}
LONGEST = timedelta(days=3 * 366)  # a longer range is most likely a typing mistake


class BadPeriod(InvalidInput):
    """The period could not be read; the text lists the accepted forms."""

    def __init__(self) -> None:
        super().__init__("error-period")


@dataclass(frozen=True, slots=True)
class Period:
    """Local days [start, end) in the office's time zone; `label` names it for people."""

    start: date
    end: date  # exclusive

    @property
    def label(self) -> str:
        """"2026-11", "2026", or "2026-11-01..2026-11-30" (inclusive days)."""
        if self.start.day == 1 and self.end == _next_month(self.start):
            return f"{self.start:%Y-%m}"
        if (self.start.month, self.start.day) == (1, 1) and self.end == date(self.start.year + 1,
                                                                            1, 1):
            return f"{self.start:%Y}"
        return f"{self.start:%Y-%m-%d}..{self.end - timedelta(days=1):%Y-%m-%d}"

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC moments: local midnight of the first day to that after the last."""
        return (datetime.combine(self.start, time(), zone).astimezone(UTC),
                datetime.combine(self.end, time(), zone).astimezone(UTC))

    def split_months(self) -> tuple[list[date], list[Period]]:
        """Whole months inside the period (their first days) and the leftover day ranges."""
        months: list[date] = []
        rest: list[Period] = []
        day = self.start
        while day < self.end:
            month_end = _next_month(day.replace(day=1))
            if day.day == 1 and month_end <= self.end:
                months.append(day)
                day = month_end
                continue
            stop = min(month_end, self.end)
            if rest and rest[-1].end == day:
                rest[-1] = Period(rest[-1].start, stop)
            else:
                rest.append(Period(day, stop))
            day = stop
        return months, rest


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _day(text: str) -> date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day)
    except ValueError:
        raise BadPeriod() from None


def parse_period(text: str | None, today: date) -> Period:
    """The period the words name, relative to `today` (a local date); BadPeriod otherwise."""
    words = " ".join((text or "").lower().split())
    month_start = today.replace(day=1)
    week_start = today - timedelta(days=today.weekday())
    if words in THIS_MONTH:
        return Period(month_start, _next_month(month_start))
    if words in LAST_MONTH:
        previous = (month_start - timedelta(days=1)).replace(day=1)
        return Period(previous, month_start)
    if words in THIS_WEEK:
        return Period(week_start, week_start + timedelta(days=7))
    if words in LAST_WEEK:
        return Period(week_start - timedelta(days=7), week_start)
    if words in THIS_YEAR:
        return Period(date(today.year, 1, 1), date(today.year + 1, 1, 1))
    if words in TODAY:
        return Period(today, today + timedelta(days=1))
    if match := MONTH.match(words):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise BadPeriod()
        return Period(date(year, month, 1), _next_month(date(year, month, 1)))
    if match := YEAR.match(words):
        year = int(match[1])
        return Period(date(year, 1, 1), date(year + 1, 1, 1))
    if match := DAY.match(words):
        day = _day(match[1])
        return Period(day, day + timedelta(days=1))
    if match := RANGE.match(words):
        first, last = _day(match[1]), _day(match[2])
        if last < first or last - first > LONGEST:
            raise BadPeriod()
        return Period(first, last + timedelta(days=1))
    raise BadPeriod()
