"""Periods as people type them, SOP step spans from a timeline, and figures from histograms."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from complaints.calendar import WorkingCalendar
from complaints.periods import BadPeriod, Period, parse_period
from complaints.stats import Span, Step, bucket, bucket_floor, quantile, summarize, track

WITA = ZoneInfo("Asia/Makassar")
TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.mark.parametrize(("text", "start", "end"), [
    ("", date(2026, 11, 1), date(2026, 12, 1)),
    ("bulan ini", date(2026, 11, 1), date(2026, 12, 1)),
    ("This  Month", date(2026, 11, 1), date(2026, 12, 1)),
    ("bulan lalu", date(2026, 10, 1), date(2026, 11, 1)),
    ("minggu ini", date(2026, 11, 16), date(2026, 11, 23)),
    ("this week", date(2026, 11, 16), date(2026, 11, 23)),
    ("2026-11", date(2026, 11, 1), date(2026, 12, 1)),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ("2025", date(2025, 1, 1), date(2026, 1, 1)),
    ("tahun ini", date(2026, 1, 1), date(2027, 1, 1)),
    ("2026-11-01..2026-11-30", date(2026, 11, 1), date(2026, 12, 1)),
    ("2026-02-27..2026-03-02", date(2026, 2, 27), date(2026, 3, 3)),
    ("2026-11-05", date(2026, 11, 5), date(2026, 11, 6)),
])
def test_periods_people_type(text: str, start: date, end: date) -> None:
    assert parse_period(text, TODAY) == Period(start, end)


@pytest.mark.parametrize("text", ["kemarin dulu", "2026-13", "2026-11-31..2026-12-01",
                                  "2026-11-30..2026-11-01", "2020-01-01..2026-01-01"])
def test_unreadable_periods_are_refused(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_period(text, TODAY)


def test_period_labels_and_bounds_in_local_time() -> None:
    november = parse_period("2026-11", TODAY)
    assert november.label == "2026-11"
    assert parse_period("2026", TODAY).label == "2026"
    assert parse_period("minggu ini", TODAY).label == "2026-11-16..2026-11-22"
    start, end = november.bounds(WITA)
    assert start == datetime(2026, 10, 31, 16, tzinfo=UTC)  # WITA is UTC+8
    assert end == datetime(2026, 11, 30, 16, tzinfo=UTC)


def test_split_months_reads_whole_months_and_leftover_days() -> None:
    months, rest = Period(date(2026, 10, 20), date(2027, 1, 3)).split_months()
    assert months == [date(2026, 11, 1), date(2026, 12, 1)]
    assert rest == [Period(date(2026, 10, 20), date(2026, 11, 1)),
                    Period(date(2027, 1, 1), date(2027, 1, 3))]
    assert Period(date(2026, 11, 3), date(2026, 11, 9)).split_months() == (
        [], [Period(date(2026, 11, 3), date(2026, 11, 9))])


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=WITA)


def _replay(events: list[tuple[str, datetime, str | None]]) -> list[Span]:
    calendar = WorkingCalendar(WITA)
    spans: list[Span] = []
    for action, at, agency in events:
        spans = track(spans, action, at, agency, calendar)
    return spans


def test_a_timeline_becomes_its_sop_steps_with_working_day_standards() -> None:
    spans = _replay([("submit", _at(6), None),  # Friday
                     ("forward", _at(12), "PUPR"),  # Thursday: 3 working days later, in time
                     ("start", _at(18), "PUPR"),  # 4 working days: late
                     ("resolve", _at(20), "PUPR"),
                     ("close", _at(20, 10), None)])  # an hour: the 5-minute standard missed
    by_step = {s.step: s for s in spans}
    verify = by_step[Step.VERIFY]
    assert verify.due_at == datetime(2026, 11, 11, 23, 59, 59, tzinfo=WITA)
    assert verify.ended_at == _at(12) and verify.within is False
    assert by_step[Step.AGENCY_START].agency == "PUPR"
    assert by_step[Step.AGENCY_START].within is False
    assert by_step[Step.AGENCY_FINISH].seconds == 8 * 86400 and by_step[Step.AGENCY_FINISH].within
    assert by_step[Step.DOCUMENT].seconds == 3600 and by_step[Step.DOCUMENT].within is False


def test_rejected_proof_keeps_the_agency_clock_running_and_reopen_is_counted_once() -> None:
    spans = _replay([("submit", _at(2), None), ("forward", _at(2, 10), "DLH"),
                     ("start", _at(3), "DLH"), ("resolve", _at(4), "DLH"),
                     ("reject_proof", _at(4, 11), None), ("resolve", _at(5), "DLH"),
                     ("close", _at(5, 9), None), ("reopen", _at(6), None),
                     ("return", _at(6, 12), None), ("reopen", _at(7), None)])
    finish = [s for s in spans if s.step == Step.AGENCY_FINISH]
    assert len(finish) == 1 and finish[0].ended_at == _at(5)
    assert [s.step for s in spans].count(Step.DOCUMENT) == 1
    assert [s.step for s in spans].count(Step.REOPENED) == 1
    verifies = [s for s in spans if s.step == Step.VERIFY]
    assert [v.ended_at for v in verifies] == [_at(2, 10), _at(6, 12), None]


def test_withdrawn_and_reassigned_waits_are_not_counted() -> None:
    spans = _replay([("submit", _at(2), None), ("withdraw", _at(2, 10), None)])
    assert spans == []
    spans = _replay([("submit", _at(2), None), ("forward", _at(2, 10), "DLH"),
                     ("reassign", _at(3), "PUPR")])
    assert {(s.step, s.agency) for s in spans if s.step != Step.VERIFY} == {
        (Step.AGENCY_START, "PUPR"), (Step.AGENCY_FINISH, "PUPR")}


@pytest.mark.parametrize("seconds", [0, 59, 60, 3599, 7199, 7200, 7800, 86400, 172799, 172800,
                                     200000, 5_184_000, 9_000_000])
def test_buckets_hold_their_floor_and_are_ordered(seconds: int) -> None:
    number = bucket(seconds)
    assert bucket_floor(number) <= seconds < bucket_floor(number + 1)
    assert seconds - bucket_floor(number) <= max(60, seconds * 0.06)


def test_quantiles_by_nearest_rank() -> None:
    hours = [1, 5, 30, 30, 49, 100, 100, 100, 200, 300]
    histogram: dict[int, int] = {}
    for h in hours:
        histogram[bucket(h * 3600)] = histogram.get(bucket(h * 3600), 0) + 1
    assert quantile(histogram, 0.5) == 49 * 3600
    assert quantile(histogram, 0.9) == 200 * 3600
    assert quantile({}, 0.5) is None


def test_summarize_counts_and_shares() -> None:
    period = Period(date(2026, 11, 1), date(2026, 12, 1))
    figures = summarize(period, None, [
        ("closed", "roads", "PUPR", 3, 12, 3), ("submitted", "roads", None, 2, 0, 0),
        ("closed", "waste", "DLH", 1, 2, 1)], [
        ("verify", bucket(3600), 5), ("agency_start", bucket(7200), 2),
        ("agency_start", bucket(400000), 1)], [
        ("verify", None, True, 5), ("agency_start", "PUPR", True, 2),
        ("agency_start", "PUPR", False, 1), ("reopened", None, False, 1)])
    assert figures.total == 6
    assert figures.by_status == {"closed": 4, "submitted": 2}
    assert figures.by_category == {"roads": 5, "waste": 1}
    assert figures.by_agency == {"PUPR": 3, None: 2, "DLH": 1}
    assert figures.rating_average == 3.5 and figures.rating_count == 4
    assert figures.reopened == 1
    assert figures.steps[Step.AGENCY_START].count == 3
    assert figures.steps[Step.AGENCY_START].within == 2
    assert figures.steps[Step.AGENCY_START].median == 7200
    assert figures.within_by_agency == {None: (5, 5), "PUPR": (2, 3)}
    assert figures.steps[Step.DOCUMENT].median is None
