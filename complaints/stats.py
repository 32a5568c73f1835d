"""SOP step times from a report's timeline, and the period's figures built from them.

A step is one wait the SOP gives a standard to: the admin's verification, the agency's start
(or sending it back), the agency's follow-up to a proof, and the admin's documentation. Each
wait is a span from the event that started it to the event that ended it; spans are read
from the audit events (`track`), stored by db/stats.py, and counted into histograms of
duration buckets so a year's percentiles need no sort of a year's rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from complaints import model
from complaints.calendar import WorkingCalendar
from complaints.periods import Period
from complaints.sla import SlaPolicy

# The statistics measure steps against the SOP's standards (SLA_* overrides move the bot's
# reminders, not the yardstick of the office's report).
SOP_STANDARDS = SlaPolicy()


class Step(StrEnum):
    """An SOP wait with a service standard; REOPENED only counts reopened complaints."""

    VERIFY = "verify"  # SOP step 2, regional admin: 3 days
    AGENCY_START = "agency_start"  # SOP step 3, the agency starts or sends it back: 3 days
    AGENCY_FINISH = "agency_finish"  # SOP step 4, forwarding to the proof: 10 days
    DOCUMENT = "document"  # SOP step 5, the admin documents and tells the citizen: minutes
    REOPENED = "reopened"  # not a wait: one marker per reopened complaint


TIMED_STEPS = (Step.VERIFY, Step.AGENCY_START, Step.AGENCY_FINISH, Step.DOCUMENT)
AGENCY_STEPS = (Step.AGENCY_START, Step.AGENCY_FINISH)


def step_due(step: Step, start: datetime, calendar: WorkingCalendar) -> datetime:
    """The SOP service standard of a step started at `start`: the deadlines' own rule."""
    return SOP_STANDARDS.due(model.Step(step.value), start, calendar)


@dataclass(slots=True)
class Span:
    """One wait of one report: who held it, when it began, was due and ended (None: open)."""

    step: Step
    agency: str | None  # None: the regional admin's own step
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None = None
    id: int | None = None  # the stored row, None until stored

    @property
    def seconds(self) -> int | None:
        """How long the wait lasted, once ended."""
        if self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.started_at).total_seconds()))

    @property
    def within(self) -> bool | None:
        """Ended by its due time (None while open)."""
        return None if self.ended_at is None else self.ended_at <= self.due_at

    def key(self) -> tuple[Step, str | None, int, bool | None] | None:
        """Its place in a histogram: (step, agency, bucket, within); None while it counts not."""
        if self.step == Step.REOPENED:
            return self.step, None, 0, False
        seconds = self.seconds
        return None if seconds is None else (self.step, self.agency, bucket(seconds), self.within)


# What an action does to the spans: (ends, cancels, starts). Unknown actions change nothing.
_ENDS: dict[str, tuple[tuple[Step, ...], tuple[Step, ...], tuple[Step, ...]]] = {
    "submit": ((), (), (Step.VERIFY,)),
    "resubmit": ((), (), (Step.VERIFY,)),
    "forward": ((Step.VERIFY,), (), (Step.AGENCY_START, Step.AGENCY_FINISH)),
    "return": ((Step.VERIFY,), (), ()),
    "withdraw": ((), (Step.VERIFY,), ()),
    "start": ((Step.AGENCY_START,), (), ()),
    # reassigning takes the waits away from the old agency; the new one gets fresh ones
    "reassign": ((), AGENCY_STEPS, (Step.AGENCY_START, Step.AGENCY_FINISH)),
    "send_back": ((Step.AGENCY_START,), (Step.AGENCY_FINISH,), (Step.VERIFY,)),
    "resolve": ((Step.AGENCY_FINISH,), (), (Step.DOCUMENT,)),
    "close": ((Step.DOCUMENT,), (), ()),
    "reopen": ((), (), (Step.VERIFY,)),
}


def track(spans: list[Span], action: str, at: datetime, agency: str | None,
          calendar: WorkingCalendar) -> list[Span]:
    """The report's spans after one audit event (`agency`: the one it concerns after it)."""
    ends, cancels, starts = _ENDS.get(action, ((), (), ()))
    result = []
    for span in spans:
        if span.ended_at is None and span.step in cancels:
            continue
        if span.ended_at is None and span.step in ends:
            span = replace(span, ended_at=at)
        result.append(span)
    if action == "reject_proof":  # the agency's follow-up goes on: its proof did not count
        result = [s for s in result if not (s.step == Step.DOCUMENT and s.ended_at is None)]
        finished = [s for s in result if s.step == Step.AGENCY_FINISH and s.ended_at]
        if finished:
            last = max(finished, key=lambda s: s.ended_at or at)
            result[result.index(last)] = replace(last, ended_at=None)
    for step in starts:
        if any(s.step == step and s.ended_at is None for s in result):
            continue
        holder = agency if step in AGENCY_STEPS else None
        result.append(Span(step, holder, at, step_due(step, at, calendar)))
    if action == "reopen" and not any(s.step == Step.REOPENED for s in result):
        result.append(Span(Step.REOPENED, None, at, at, at))
    return result


# --- duration buckets: exact to the minute under 2 h, 10 minutes to 2 days, then hours, days --

_MINUTE_BUCKETS, _TEN_MINUTE_END, _HOUR_BASE, _DAY_BASE = 120, 400, 400, 2000


def bucket(seconds: int) -> int:
    """The histogram bucket of a duration (a few percent wide at most)."""
    minutes = seconds // 60
    if minutes < 120:
        return minutes
    if minutes < 48 * 60:
        return _MINUTE_BUCKETS + (minutes - 120) // 10
    hours = minutes // 60
    if hours < 60 * 24:
        return _HOUR_BASE + hours - 48
    return _DAY_BASE + hours // 24 - 60


def bucket_floor(number: int) -> int:
    """The shortest duration (seconds) a bucket holds."""
    if number < _MINUTE_BUCKETS:
        return number * 60
    if number < _TEN_MINUTE_END:
        return (120 + (number - _MINUTE_BUCKETS) * 10) * 60
    if number < _DAY_BASE:
        return (number - _HOUR_BASE + 48) * 3600
    return (number - _DAY_BASE + 60) * 86400


def quantile(histogram: dict[int, int], q: float) -> int | None:
    """The q-quantile (nearest rank) of the durations a bucket histogram holds, in seconds."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for number in sorted(histogram):
        seen += histogram[number]
        if seen >= rank:
            return bucket_floor(number)
    raise AssertionError("unreachable")


# --- the period's figures --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepFigures:
    """One SOP step over the period."""

    count: int
    within: int
    median: int | None  # seconds
    p90: int | None


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything /rekap and the staff report say about a period (one agency's, if scoped)."""

    period: Period
    agency: str | None
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_agency: dict[str | None, int]
    steps: dict[Step, StepFigures]
    within_by_agency: dict[str | None, tuple[int, int]]  # (within, measured), all steps
    rating_average: float | None
    rating_count: int
    reopened: int


def summarize(period: Period, agency: str | None,
              counts: Iterable[tuple[str, str, str | None, int, int, int]],
              durations: Iterable[tuple[str, int, int]],
              shares: Iterable[tuple[str, str | None, bool | None, int]]) -> Figures:
    """Figures from report counts (status, category, agency, n, rating sum, ratings), ended
    steps' duration histograms (step, bucket, n) and their on-time counts (step, agency,
    within, n); the database sums these up, so a year is a few hundred rows here."""
    by_status: dict[str, int] = {}
    by_category: dict[str, int] = {}
    by_agency: dict[str | None, int] = {}
    rating_sum = rating_count = total = 0
    for status, category, holder, n, ratings, rated in counts:
        total += n
        by_status[status] = by_status.get(status, 0) + n
        by_category[category] = by_category.get(category, 0) + n
        by_agency[holder] = by_agency.get(holder, 0) + n
        rating_sum += ratings or 0
        rating_count += rated
    buckets: dict[Step, dict[int, int]] = {step: {} for step in TIMED_STEPS}
    for step_name, number, n in durations:
        step = Step(step_name)
        if step != Step.REOPENED:
            buckets[step][number] = buckets[step].get(number, 0) + n
    within: dict[Step, int] = dict.fromkeys(TIMED_STEPS, 0)
    by_holder: dict[str | None, tuple[int, int]] = {}
    reopened = 0
    for step_name, holder, on_time, n in shares:
        step = Step(step_name)
        if step == Step.REOPENED:
            reopened += n
            continue
        within[step] += n if on_time else 0
        good, measured = by_holder.get(holder, (0, 0))
        by_holder[holder] = (good + (n if on_time else 0), measured + n)
    steps = {step: StepFigures(sum(buckets[step].values()), within[step],
                               quantile(buckets[step], 0.5), quantile(buckets[step], 0.9))
             for step in TIMED_STEPS}
    return Figures(period, agency, total, _sorted(by_status), _sorted(by_category),
                   _sorted(by_agency), steps, by_holder,
                   round(rating_sum / rating_count, 2) if rating_count else None, rating_count,
                   reopened)


def _sorted(counts: dict) -> dict:
    """Largest first, then by name (None last)."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0] is None,
                                                          item[0] or "")))

