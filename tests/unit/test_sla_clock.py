"""The SOP clock: working days, days off, boundaries, the time zone, pause and resume."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints.calendar import WorkingCalendar, parse_days
from complaints.lifecycle import TRANSITIONS, Action
from complaints.model import NoticeTarget, ReportStatus
from complaints.sla import (
    RESPONSIBLE,
    STEP_OF_STATUS,
    STEP_SPANS,
    SlaClock,
    SlaNoticeKind,
    SlaPolicy,
    Step,
    clock_after,
    lateness,
)
from configuration.settings import ConfigError, load_settings

WITA = ZoneInfo("Asia/Makassar")
POLICY = SlaPolicy()
CUTI_BERSAMA = frozenset({date(2026, 12, 24)})  # collective leave beside Christmas


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=WITA)


def test_weekend_days_do_not_count() -> None:
    calendar = WorkingCalendar(WITA)
    assert POLICY.due(Step.VERIFY, at(2026, 12, 4, 15, 0), calendar) == at(2026, 12, 9, 23, 59, 59)


def test_a_national_holiday_does_not_count() -> None:
    # Independence Day, Monday 17 August 2026
    calendar = WorkingCalendar(WITA)
    assert POLICY.due(Step.VERIFY, at(2026, 8, 14, 9), calendar) == at(2026, 8, 20, 23, 59, 59)


def test_a_collective_leave_day_from_the_setting_does_not_count() -> None:
    plain = WorkingCalendar(WITA)
    local = WorkingCalendar(WITA, extra_holidays=CUTI_BERSAMA)
    wednesday = at(2026, 12, 23, 10)
    assert plain.deadline(wednesday, 1) == at(2026, 12, 24, 23, 59, 59)
    # 24th cuti bersama, 25th Christmas, then the weekend
    assert local.deadline(wednesday, 1) == at(2026, 12, 28, 23, 59, 59)
    assert not local.is_working_day(date(2026, 12, 24))


def test_days_off_are_read_from_a_list_or_a_file() -> None:
    text = "2026-12-24, 2026-12-26\n# cuti bersama Idul Fitri\n2027-03-12\n"
    assert parse_days(text) == {date(2026, 12, 24), date(2026, 12, 26), date(2027, 3, 12)}
    with pytest.raises(ValueError):
        parse_days("24-12-2026")


def test_counting_crosses_month_and_year_boundaries() -> None:
    calendar = WorkingCalendar(WITA)
    assert calendar.deadline(at(2026, 10, 30, 9), 3) == at(2026, 11, 4, 23, 59, 59)
    # 31 Dec, (1 Jan New Year, weekend), 4 Jan, (5 Jan Isra' Mi'raj), 6 Jan
    assert calendar.deadline(at(2026, 12, 30, 9), 3) == at(2027, 1, 6, 23, 59, 59)
    finish = POLICY.due(Step.AGENCY_FINISH, at(2026, 12, 21, 9), calendar)
    assert finish == at(2027, 1, 7, 23, 59, 59)  # 22,23,24,28,29,30,31, 4,6,7


def test_days_are_counted_in_tarakan_time() -> None:
    calendar = WorkingCalendar(WITA)
    friday_early = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # Friday 00:30 WITA
    assert POLICY.due(Step.VERIFY, friday_early, calendar) == at(2026, 12, 9, 23, 59, 59)
    jakarta = WorkingCalendar(ZoneInfo("Asia/Jakarta"))
    assert jakarta.deadline(friday_early, 1).utcoffset() == timedelta(hours=7)
    assert jakarta.deadline(friday_early, 1).date() == date(2026, 12, 4)  # still Thursday there


def test_minute_steps_are_plain_minutes_with_no_reminder() -> None:
    calendar = WorkingCalendar(WITA)
    saturday = at(2026, 12, 5, 22, 58)
    assert POLICY.due(Step.DOCUMENT, saturday, calendar) == at(2026, 12, 5, 23, 3)
    assert POLICY.remind_at(Step.DOCUMENT, at(2026, 12, 5, 23, 3), calendar) is None


def test_reminder_is_one_working_day_before_and_configurable() -> None:
    calendar = WorkingCalendar(WITA)
    monday_due = at(2026, 12, 14, 23, 59, 59)
    assert POLICY.remind_at(Step.VERIFY, monday_due, calendar) == at(2026, 12, 11, 23, 59, 59)
    two = SlaPolicy(remind_before_days=2, verify_days=5)
    assert two.remind_at(Step.VERIFY, monday_due, calendar) == at(2026, 12, 10, 23, 59, 59)
    assert two.due(Step.VERIFY, at(2026, 12, 7, 8), calendar) == monday_due


def test_working_time_only_counts_working_days() -> None:
    calendar = WorkingCalendar(WITA)
    friday_noon, monday_noon = at(2026, 12, 4, 12), at(2026, 12, 7, 12)
    assert calendar.working_time(friday_noon, monday_noon) == timedelta(hours=24)
    assert calendar.working_time(monday_noon, friday_noon) == timedelta(0)
    assert calendar.add_working_time(friday_noon, timedelta(hours=24)) == monday_noon
    # resuming on a Saturday starts counting on Monday morning
    assert calendar.add_working_time(at(2026, 12, 5, 9), timedelta(hours=1)) == at(2026, 12, 7, 1)


def test_returned_pauses_and_resubmitted_resumes_with_the_time_left() -> None:
    calendar = WorkingCalendar(WITA)
    submitted = clock_after(SlaClock(), source=None, target=ReportStatus.SUBMITTED, fresh=True,
                            now=at(2026, 12, 7, 10), finish_due=None, policy=POLICY,
                            calendar=calendar)
    assert submitted.step == Step.VERIFY and submitted.round == 1
    assert submitted.due_at == at(2026, 12, 10, 23, 59, 59)
    returned = clock_after(submitted, source=ReportStatus.SUBMITTED,
                           target=ReportStatus.RETURNED, fresh=False, now=at(2026, 12, 8, 10),
                           finish_due=None, policy=POLICY, calendar=calendar)
    assert returned.due_at is None and not returned.running
    assert returned.paused_remaining == timedelta(hours=61, minutes=59, seconds=59)
    # back on Saturday: the weekend does not count, the clock goes on from Monday 00:00
    resumed = clock_after(returned, source=ReportStatus.RETURNED,
                          target=ReportStatus.SUBMITTED, fresh=True, now=at(2026, 12, 12, 9),
                          finish_due=None, policy=POLICY, calendar=calendar)
    assert resumed.due_at == at(2026, 12, 16, 13, 59, 59)
    assert resumed.paused_remaining is None and resumed.remind_at == at(2026, 12, 15, 13, 59, 59)


def test_returned_after_the_due_time_resumes_overdue() -> None:
    calendar = WorkingCalendar(WITA)
    late = SlaClock(Step.VERIFY, at(2026, 12, 10, 23, 59, 59), round=1)
    returned = clock_after(late, source=ReportStatus.SUBMITTED, target=ReportStatus.RETURNED,
                           fresh=False, now=at(2026, 12, 14, 9), finish_due=None,
                           policy=POLICY, calendar=calendar)
    assert returned.paused_remaining == timedelta(0)
    resumed = clock_after(returned, source=ReportStatus.RETURNED,
                          target=ReportStatus.SUBMITTED, fresh=True, now=at(2026, 12, 15, 9),
                          finish_due=None, policy=POLICY, calendar=calendar)
    assert resumed.due_at == at(2026, 12, 15, 9)
    assert lateness(resumed.due_at, at(2026, 12, 15, 11)) == timedelta(hours=2)


def test_agency_steps_start_and_finish_count_from_forwarding() -> None:
    calendar = WorkingCalendar(WITA)
    forwarded_at = at(2026, 12, 7, 10)
    finish_due = POLICY.due(Step.AGENCY_FINISH, forwarded_at, calendar)
    verify = SlaClock(Step.VERIFY, at(2026, 12, 10, 23, 59, 59), round=1)
    forwarded = clock_after(verify, source=ReportStatus.SUBMITTED, target=ReportStatus.FORWARDED,
                            fresh=True, now=forwarded_at, finish_due=finish_due, policy=POLICY,
                            calendar=calendar)
    assert (forwarded.step, forwarded.round) == (Step.AGENCY_START, 2)
    assert forwarded.due_at == at(2026, 12, 10, 23, 59, 59)
    started = clock_after(forwarded, source=ReportStatus.FORWARDED,
                          target=ReportStatus.IN_PROGRESS, fresh=False, now=at(2026, 12, 9, 8),
                          finish_due=finish_due, policy=POLICY, calendar=calendar)
    assert (started.step, started.due_at, started.round) == (Step.AGENCY_FINISH, finish_due, 2)
    resolved = clock_after(started, source=ReportStatus.IN_PROGRESS,
                           target=ReportStatus.RESOLVED, fresh=False, now=at(2026, 12, 11, 8),
                           finish_due=finish_due, policy=POLICY, calendar=calendar)
    assert (resolved.step, resolved.due_at) == (Step.DOCUMENT, at(2026, 12, 11, 8, 5))
    closed = clock_after(resolved, source=ReportStatus.RESOLVED, target=ReportStatus.CLOSED,
                         fresh=False, now=at(2026, 12, 11, 8, 3), finish_due=finish_due,
                         policy=POLICY, calendar=calendar)
    assert not closed.running and closed.step is None


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        POLICY.due(Step.VERIFY, datetime(2026, 12, 3), WorkingCalendar(WITA))  # noqa: DTZ001


def test_settings_configure_the_standards_and_the_days_off(tmp_path) -> None:
    days_off = tmp_path / "cuti-bersama.txt"
    days_off.write_text("2026-12-24\n2026-12-31  # cuti bersama\n", encoding="utf-8")
    settings = load_settings(extra_holidays=str(days_off), sla_verify_days=2,
                             sla_remind_before_days=0)
    assert settings.calendar.extra_holidays == {date(2026, 12, 24), date(2026, 12, 31)}
    assert settings.sla.due(Step.VERIFY, at(2026, 12, 22, 9), settings.calendar) == at(
        2026, 12, 28, 23, 59, 59)
    assert settings.sla.remind_at(Step.VERIFY, at(2026, 12, 28, 23, 59, 59),
                                  settings.calendar) is None
    assert load_settings().sla == SlaPolicy()
    with pytest.raises(ConfigError, match="EXTRA_HOLIDAYS: expected dates"):
        load_settings(extra_holidays=str(tmp_path / "missing.txt"))


def test_a_step_kept_its_standard_or_not() -> None:
    calendar = WorkingCalendar(WITA)
    start = at(2026, 12, 7, 10)
    assert POLICY.met(Step.VERIFY, start, at(2026, 12, 10, 23, 0), calendar)
    assert not POLICY.met(Step.VERIFY, start, at(2026, 12, 11, 0, 0), calendar)
    assert not POLICY.met(Step.DOCUMENT, start, start + timedelta(minutes=6), calendar)
    assert RESPONSIBLE[Step.AGENCY_START] == NoticeTarget.AGENCY
    assert (SlaNoticeKind.REMINDER, SlaNoticeKind.OVERDUE, SlaNoticeKind.ESCALATION) == (
        "reminder", "overdue", "escalation")


def test_step_spans_agree_with_the_lifecycle_table() -> None:
    """Each step starts with a move into the status it waits in and ends with a move out."""
    for step, span in STEP_SPANS.items():
        waiting = {s for s, st in STEP_OF_STATUS.items() if st == step}
        if step is Step.AGENCY_FINISH:  # counted from forwarding
            waiting.add(ReportStatus.FORWARDED)
        for action in span.starts:
            assert TRANSITIONS[action].target in waiting, (step, action)
        for action in span.ends:
            assert TRANSITIONS[action].sources & waiting, (step, action)
    # the agency's finish runs from forwarding through "Proses": START does not end it
    assert Action.START not in STEP_SPANS[Step.AGENCY_FINISH].ends
