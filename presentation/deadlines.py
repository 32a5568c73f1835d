"""Deadline texts: the clock on a card, reminders, overdue notices, the coordinator's
escalation list and daily digest, and the reassign buttons they carry."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import groupby

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from complaints.model import CaseFile, NoticeKind, Step
from presentation.context import Names
from presentation.keyboards import inline_keyboard
from presentation.texts import Translator

Rendered = tuple[str, InlineKeyboardMarkup | None]
ESCALATION_BUTTONS = 10  # a keyboard that still fits a phone screen
MESSAGE_LIMIT = 4096  # Telegram's limit for one message's text
CANCEL = "-"


class ReassignCb(CallbackData, prefix="ra1"):
    """Move a report to another agency: asks which one (about the report as it is then)."""

    report_id: int


class ReassignToCb(CallbackData, prefix="rb1"):
    """The agency picked to move the report to ("-" cancels)."""

    report_id: int
    version: int
    agency: str


def duration(t: Translator, delta: timedelta) -> str:
    """"2 days 3 hours", "45 minutes": the two largest units, for how late a step is."""
    minutes = max(1, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [t(f"duration-{unit}", count=value)
             for unit, value in (("days", days), ("hours", hours), ("minutes", minutes)) if value]
    return " ".join(parts[:2])


def clock_lines(t: Translator, case: CaseFile, now: datetime | None) -> list[str]:
    """The due time of the step the report waits in and, once passed, how late it is."""
    clock = case.clock
    if clock.step is None:
        return []
    step = t(f"sla-step-{clock.step.value}")
    if clock.due_at is None:
        return [t("card-clock-paused", step=step)] if clock.paused_remaining is not None else []
    lines = [t("card-clock", step=step, due=t.datetime(clock.due_at))]
    if now is not None and now > clock.due_at:
        lines.append(t("card-clock-late", late=duration(t, now - clock.due_at),
                       at=t.datetime(now)))
    return lines


def step_notice(t: Translator, key: str, case: CaseFile, names: Names,
                params: dict[str, str]) -> Rendered:
    """A reminder or overdue notice about one step of one report."""
    step = Step(params.get("step") or Step.VERIFY)
    current = case.clock.step == step and case.clock.due_at is not None
    due = t.datetime(case.clock.due_at) if current and case.clock.due_at else "-"
    return t(key, code=case.code, step=t(f"sla-step-{step.value}"), due=due,
             agency=html.quote(names.agency(case.agency_code)),
             status=t(f"status-{case.status.value}")), None


def reassigned(t: Translator, key: str, case: CaseFile, names: Names,
               params: dict[str, str]) -> Rendered:
    """The citizen hears their report moved to another agency."""
    return t(key, code=case.code, agency=html.quote(names.agency(params.get("agency")))), None


def _agency_title(t: Translator, names: Names, code: str, nobody: str) -> str:
    return html.quote(names.agency(code)) if code else t(nobody)


def escalation(t: Translator, names: Names, params: dict[str, str]) -> Rendered:
    """Each agency's overdue reports; reports an agency holds get a reassign button."""
    lines = json.loads(params.get("lines") or "[]")
    if not lines:
        return t("sla-escalation-none"), None
    text = [t("sla-escalation", count=len(lines))]
    ordered = sorted(lines, key=lambda line: (line["agency"], line["due"]))
    for agency, group in groupby(ordered, key=lambda line: line["agency"]):
        items = list(group)
        title = _agency_title(t, names, agency, "sla-admin-steps")
        text.append(f"\n<b>{title}</b> ({len(items)})")
        text += [t("sla-escalation-line", code=line["code"],
                   step=t(f"sla-step-{line['step']}"),
                   due=t.datetime(datetime.fromisoformat(line["due"])),
                   new="yes" if line["new"] else "no") for line in items]
    text = _fit(t, text)
    movable = [line for line in ordered if line["movable"]][:ESCALATION_BUTTONS]
    markup = inline_keyboard(*([(t("btn-reassign-code", code=line["code"]),
                                 ReassignCb(report_id=line["id"]))]
                               for line in movable)) if movable else None
    return "\n".join(text), markup


def _fit(t: Translator, lines: list[str]) -> list[str]:
    """As many lines as one message holds, and how many more there are."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        more = t("sla-more", count=len(lines) - index)
        if size + len(line) + 1 + len(more) + 1 > MESSAGE_LIMIT:
            return [*kept, more]
        kept.append(line)
        size += len(line) + 1
    return kept


def digest(t: Translator, names: Names, params: dict[str, str]) -> Rendered:
    """Yesterday's new, forwarded, done and overdue counts by agency."""
    rows = json.loads(params.get("rows") or "[]")
    day = t.date(datetime.fromisoformat(params["day"] + "T12:00:00+00:00"))
    if not rows:
        return t("sla-digest-empty", day=day), None
    totals = [sum(row[i] for row in rows) for i in range(1, 5)]
    lines = [t("sla-digest", day=day, new=totals[0], forwarded=totals[1], done=totals[2],
               overdue=totals[3])]
    lines += [t("sla-digest-line", agency=_agency_title(t, names, row[0], "sla-no-agency"),
                new=row[1],
                forwarded=row[2], done=row[3], overdue=row[4]) for row in rows]
    return "\n".join(lines), None


SummaryText = Callable[[Translator, Names, dict[str, str]], Rendered]
SUMMARIES: dict[NoticeKind, SummaryText] = {
    NoticeKind.SLA_ESCALATION: escalation,
    NoticeKind.SLA_DIGEST: digest,
}


def render_summary(t: Translator, kind: NoticeKind, names: Names,
                   params: dict[str, str]) -> Rendered:
    """A notice about no one report, from the figures it carries."""
    return SUMMARIES[kind](t, names, params)
