"""The SOP's "hari": working days by default (weekends and Indonesian national holidays skipped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from complaints.lru import LruDict


@dataclass
class WorkingCalendar:
    """Counts SOP days in the city's time zone; `calendar_days` switches to plain days."""

    timezone: ZoneInfo
    calendar_days: bool = False
    _holidays: holidays.HolidayBase = field(default_factory=lambda: holidays.country_holidays("ID"))
    _known: LruDict[date, bool] = field(default_factory=lambda: LruDict(4096), repr=False)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a national holiday (remembered: lookups are not cheap)."""
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self.calendar_days or (
                day.weekday() < 5 and day not in self._holidays)
        return known

    def deadline(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 local) of the `days`-th SOP day after the day `start` falls on."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        day = start.astimezone(self.timezone).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.timezone)
