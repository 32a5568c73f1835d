"""The SOP's service standards per step, and the clock each waiting report runs on.

Pure: durations come in as a SlaPolicy (settings fill it, defaults are the SOP's), days are
counted by a WorkingCalendar. Used by the transitions (a due time for the step a report enters),
the scheduler (reminder, overdue, escalation), the cards and the statistics.

| step | SOP | waits on | default |
|---|---|---|---|
| VERIFY | 2: verify and forward, or return | admin | 3 days from submission |
| AGENCY_START | 3: information; "Proses" or send back | agency | 3 days from forwarding |
| AGENCY_FINISH | 4: the follow-up, with proof | agency | 10 days from forwarding |
| DOCUMENT | 5–6: document, tell the citizen | admin | 5 minutes from the proof |

The verify clock pauses while the report is RETURNED to the citizen and resumes with the time
that was left when it comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from complaints.calendar import WorkingCalendar
from complaints.lifecycle import Action
from complaints.model import NoticeTarget, ReportStatus, SlaClock, Step

__all__ = ["RESPONSIBLE", "STEP_OF_STATUS", "STEP_SPANS", "SlaClock", "SlaNoticeKind", "SlaPolicy",
           "Standard", "Step", "StepSpan", "clock_after", "lateness"]


class SlaNoticeKind(StrEnum):
    """What the scheduler sends about one step of one report, each at most once per round."""

    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


@dataclass(frozen=True, slots=True)
class Standard:
    """A service standard: SOP days (working days unless CALENDAR_DAYS) or plain minutes."""

    days: int = 0
    minutes: int = 0


STEP_OF_STATUS: dict[ReportStatus, Step] = {
    ReportStatus.SUBMITTED: Step.VERIFY,
    ReportStatus.FORWARDED: Step.AGENCY_START,
    ReportStatus.IN_PROGRESS: Step.AGENCY_FINISH,
    ReportStatus.RESOLVED: Step.DOCUMENT,
}
RESPONSIBLE: dict[Step, NoticeTarget] = {
    Step.VERIFY: NoticeTarget.ADMIN,
    Step.AGENCY_START: NoticeTarget.AGENCY,
    Step.AGENCY_FINISH: NoticeTarget.AGENCY,
    Step.DOCUMENT: NoticeTarget.ADMIN,
}


@dataclass(frozen=True, slots=True)
class StepSpan:
    """Which timeline actions start a step and which end it (statistics read the events)."""

    starts: frozenset[Action]
    ends: frozenset[Action]


STEP_SPANS: dict[Step, StepSpan] = {
    Step.VERIFY: StepSpan(
        frozenset({Action.SUBMIT, Action.RESUBMIT, Action.SEND_BACK, Action.REOPEN}),
        frozenset({Action.FORWARD, Action.RETURN, Action.WITHDRAW})),
    Step.AGENCY_START: StepSpan(
        frozenset({Action.FORWARD, Action.REASSIGN}),
        frozenset({Action.START, Action.SEND_BACK, Action.REASSIGN})),
    Step.AGENCY_FINISH: StepSpan(
        frozenset({Action.FORWARD, Action.REASSIGN}),
        frozenset({Action.RESOLVE, Action.SEND_BACK, Action.REASSIGN})),
    Step.DOCUMENT: StepSpan(
        frozenset({Action.RESOLVE}), frozenset({Action.CLOSE, Action.REJECT_PROOF})),
}


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Per-step durations and the scheduler's leads; the defaults are the SOP's standards."""

    verify_days: int = 3
    agency_start_days: int = 3
    agency_finish_days: int = 10
    document_minutes: int = 5
    remind_before_days: int = 1  # SOP days before a day-counted due time; 0: no reminder
    escalate_after_days: int = 0  # SOP days after the due time; 0: as soon as it is overdue

    def standard(self, step: Step) -> Standard:
        """The standard of one step."""
        return {
            Step.VERIFY: Standard(days=self.verify_days),
            Step.AGENCY_START: Standard(days=self.agency_start_days),
            Step.AGENCY_FINISH: Standard(days=self.agency_finish_days),
            Step.DOCUMENT: Standard(minutes=self.document_minutes),
        }[step]

    def due(self, step: Step, start: datetime, calendar: WorkingCalendar) -> datetime:
        """When a step started at `start` is due: the end of its last SOP day, or minutes."""
        if start.tzinfo is None:
            raise ValueError("timezone-aware datetimes only")
        standard = self.standard(step)
        if standard.days:
            return calendar.deadline(start, standard.days)
        return start + timedelta(minutes=standard.minutes)

    def remind_at(self, step: Step, due: datetime, calendar: WorkingCalendar) -> datetime | None:
        """When the responsible chat is reminded; None for minute steps (nothing to remind)."""
        if not self.standard(step).days or self.remind_before_days <= 0:
            return None
        return calendar.days_before(due, self.remind_before_days)

    def escalate_at(self, due: datetime, calendar: WorkingCalendar) -> datetime:
        """When the coordinator hears of an overdue step."""
        if self.escalate_after_days <= 0:
            return due
        return calendar.deadline(due, self.escalate_after_days)

    def met(self, step: Step, start: datetime, end: datetime,
            calendar: WorkingCalendar) -> bool:
        """Whether a step that ran from start to end kept its standard (statistics)."""
        return end <= self.due(step, start, calendar)


def _running(step: Step, due: datetime, rnd: int, policy: SlaPolicy,
             calendar: WorkingCalendar) -> SlaClock:
    return SlaClock(step, due, policy.remind_at(step, due, calendar),
                    policy.escalate_at(due, calendar), None, rnd)


def clock_after(current: SlaClock, *, source: ReportStatus | None, target: ReportStatus,
                fresh: bool, now: datetime, finish_due: datetime | None, policy: SlaPolicy,
                calendar: WorkingCalendar) -> SlaClock:
    """The clock after a move from `source` to `target`.

    `fresh`: the move starts an SOP clock anew (submit, forward, reassign, send back, reopen):
    a new round. Resubmitting a RETURNED report resumes the paused verify clock instead.
    The agency's finish clock runs from forwarding (`finish_due`) through "Proses" and a
    rejected proof alike.
    """
    rnd = current.round + 1 if fresh else current.round
    if target == ReportStatus.RETURNED:
        left = calendar.working_time(now, current.due_at) if current.due_at else timedelta(0)
        return SlaClock(Step.VERIFY, None, None, None, left, rnd)
    step = STEP_OF_STATUS.get(target)
    if step is None:
        return SlaClock(round=rnd)
    if source == ReportStatus.RETURNED and current.paused_remaining is not None:
        due = calendar.add_working_time(now, current.paused_remaining)
        return _running(step, due, rnd, policy, calendar)
    if step == Step.AGENCY_FINISH and finish_due is not None:
        return _running(step, finish_due, rnd, policy, calendar)
    if step == current.step and current.due_at is not None and not fresh:
        return current
    return _running(step, policy.due(step, now, calendar), rnd, policy, calendar)


def lateness(due: datetime, now: datetime) -> timedelta | None:
    """How late a step is at `now`, or None while it is not yet due."""
    return now - due if now > due else None
