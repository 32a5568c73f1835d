"""The SOP's "hari": working days by default (weekends, national holidays and local days off
skipped), counted in the city's time zone."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from complaints.lru import LruDict

if TYPE_CHECKING:
    from holidays import HolidayBase

DAY = timedelta(days=1)
_MAX_DAYS = 3660  # walking further than ten years means a calendar with no working day


@dataclass
class WorkingCalendar:
    """Counts SOP days in the city's time zone; `calendar_days` switches to plain days.

    `extra_holidays` are the days off the national calendar does not know: local holidays and
    collective leave (cuti bersama) the government announces each year.
    """

    timezone: ZoneInfo
    calendar_days: bool = False
    extra_holidays: frozenset[date] = frozenset()
    _holidays: HolidayBase | None = field(default=None, repr=False, compare=False)
    _known: LruDict[date, bool] = field(default_factory=lambda: LruDict(4096), repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Sent to the statistics process without the holiday table: it loads its own."""
        return {**self.__dict__, "_holidays": None}

    @property
    def national_holidays(self) -> HolidayBase:
        """Loaded at the first day looked up, not when the bot starts (about 4 MiB)."""
        if self._holidays is None:
            self._holidays = indonesian_holidays()
        return self._holidays

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a day off (remembered: lookups are not cheap)."""
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self.calendar_days or (
                day.weekday() < 5 and day not in self.national_holidays
                and day not in self.extra_holidays)
        return known

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("timezone-aware datetimes only")
        return moment.astimezone(self.timezone)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.timezone)

    def deadline(self, start: datetime, days: int) -> datetime:
        """The end (23:59:59 local) of the `days`-th SOP day after the day `start` falls on."""
        day = self._local(start).date()
        counted = 0
        while counted < days:
            day += DAY
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.timezone)

    def days_before(self, moment: datetime, days: int) -> datetime:
        """The same local time `days` SOP days earlier (a reminder's time before a due time)."""
        local = self._local(moment)
        day = local.date()
        counted = 0
        while counted < days:
            day -= DAY
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, local.timetz())

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """How much SOP time lies between two moments: only working days' hours count."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        day = self._local(start).date()
        last = self._local(end).date()
        while day <= last:
            if self.is_working_day(day):
                begin = max(start, self._midnight(day))
                finish = min(end, self._midnight(day + DAY))
                if finish > begin:
                    total += finish.astimezone(UTC) - begin.astimezone(UTC)
            day += DAY
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of SOP time after `start` (a paused clock resuming)."""
        moment = self._local(start)
        left = max(amount, timedelta(0))
        for _ in range(_MAX_DAYS):
            day = moment.date()
            if self.is_working_day(day):
                end_of_day = self._midnight(day + DAY)
                room = end_of_day.astimezone(UTC) - moment.astimezone(UTC)
                if left <= room:
                    return (moment.astimezone(UTC) + left).astimezone(self.timezone)
                left -= room
            moment = self._midnight(day + DAY)
        raise ValueError("no working day within ten years")


def indonesian_holidays(**options: Any) -> HolidayBase:
    """Indonesia's national holidays, as `holidays.country_holidays("ID")` gives them.

    That call imports the package's module for every country (about 8 MiB that would stay in
    each bot process for good); the Indonesian module alone, loaded from its file, has the same
    days. Should a release of `holidays` move it, the package's own way is used.
    """
    import holidays

    path = Path(holidays.__file__).parent / "countries" / "indonesia.py"
    spec = importlib.util.spec_from_file_location("holidays.countries.indonesia", path)
    if spec is not None and spec.loader is not None and path.is_file():
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            return module.Indonesia(**options)
        except (ImportError, AttributeError):
            pass
    return holidays.country_holidays("ID", **options)


def parse_days(value: str) -> frozenset[date]:
    """"2026-12-24,2026-12-26" (commas, spaces or new lines) into dates; '#' starts a comment."""
    days = set()
    for line in value.splitlines():
        for part in line.split("#", 1)[0].replace(",", " ").split():
            days.add(date.fromisoformat(part))
    return frozenset(days)
