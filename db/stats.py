"""Statistics storage: SOP step spans kept up with the audit events, and the period's counts.

`refresh_steps` reads the events written since its last run (in chunks, each one write
transaction, so two processes never count an event twice), replays them through the domain's
`track` and stores the spans, plus a histogram per local month of each ended step. A period's
figures then read whole months from `stats_month` (a year: twelve small groups) and only the
leftover days from `report_steps`, both through covering indexes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from complaints.calendar import WorkingCalendar
from complaints.periods import Period
from complaints.stats import Figures, Span, Step, summarize, track
from db.models import (
    EventRow,
    ReportRow,
    ReportStepRow,
    StatsMonthRow,
    StatsMonthWithinRow,
    StatsProgressRow,
)
from db.upsert import dialect_insert

STEPS = ReportStepRow.__table__
MONTHS = StatsMonthRow.__table__
PROGRESS = StatsProgressRow.__table__
PROGRESS_NAME = "report_steps"
CHUNK = 2000  # events per write transaction
WITHINS = StatsMonthWithinRow.__table__
ALL = "*"  # the agency code of a month's city-wide duration rows
DURATIONS, WITHIN = "durations", "within"
Cell = tuple[str, str, str, str, int | bool]  # (table, month, step, agency, bucket | within)


def _agency_of(action: str, note: str | None, current: str | None) -> str | None:
    """The agency an event concerns: forwarding notes say "→ CODE"; else the report's own."""
    if action in ("forward", "reassign") and note and note.startswith("→ "):
        return note[2:].strip() or current
    return current


def _span(row: Row) -> Span:
    return Span(Step(row.step), row.agency_code, row.started_at, row.due_at, row.ended_at,
                row.id)


def _count(deltas: Counter[Cell], span: Span, month: str, sign: int) -> None:
    """Add (sign +1) or take away (-1) an ended span's cells in the monthly tables."""
    key = span.key()
    if key is None:
        return
    step, agency, number, within = key
    if step != Step.REOPENED:
        deltas[(DURATIONS, month, step.value, agency or "", number)] += sign
        deltas[(DURATIONS, month, step.value, ALL, number)] += sign
    deltas[(WITHIN, month, step.value, agency or "", bool(within))] += sign


async def refresh_steps(conn: AsyncConnection, calendar: WorkingCalendar,
                        limit: int = CHUNK) -> int:
    """Replay up to `limit` new events into step spans inside the caller's transaction."""
    last = await _claim_progress(conn)
    events = (await conn.execute(
        select(EventRow.id, EventRow.report_id, EventRow.at, EventRow.action, EventRow.note)
        .where(EventRow.id > last).order_by(EventRow.id).limit(limit))).all()
    if not events:
        return 0
    report_ids = sorted({e.report_id for e in events})
    reports = {r.id: r for r in (await conn.execute(
        select(ReportRow.id, ReportRow.created_at, ReportRow.agency_code)
        .where(ReportRow.id.in_(report_ids)))).all()}
    stored: dict[int, list[Span]] = {rid: [] for rid in report_ids}
    for row in (await conn.execute(select(STEPS).where(STEPS.c.report_id.in_(report_ids)))).all():
        stored[row.report_id].append(_span(row))
    spans = {rid: list(found) for rid, found in stored.items()}
    for event in events:
        report = reports.get(event.report_id)
        if report is None:
            continue
        spans[event.report_id] = track(spans[event.report_id], event.action, event.at,
                                       _agency_of(event.action, event.note, report.agency_code),
                                       calendar)
    deltas: Counter[Cell] = Counter()
    inserts, updates, deleted = [], [], []
    for rid, after in spans.items():
        report = reports.get(rid)
        if report is None:
            continue
        month = f"{report.created_at.astimezone(calendar.timezone):%Y-%m}"
        before = {s.id: s for s in stored[rid]}
        kept = {s.id for s in after if s.id is not None}
        for span_id, old in before.items():
            if span_id not in kept:
                deleted.append(span_id)
                _count(deltas, old, month, -1)
        for span in after:
            old = before.get(span.id) if span.id is not None else None
            if old is not None and old == span:
                continue
            if old is not None:
                _count(deltas, old, month, -1)
            _count(deltas, span, month, +1)
            values = {"ended_at": span.ended_at, "seconds": span.seconds,
                      "bucket": None if span.key() is None else span.key()[2],  # type: ignore[index]
                      "within": span.within}
            if span.id is None:
                inserts.append({"report_id": rid, "report_created_at": report.created_at,
                                "step": span.step.value, "agency_code": span.agency,
                                "started_at": span.started_at, "due_at": span.due_at, **values})
            else:
                updates.append((span.id, values))
    if deleted:
        await conn.execute(delete(STEPS).where(STEPS.c.id.in_(deleted)))
    for span_id, values in updates:
        await conn.execute(update(STEPS).where(STEPS.c.id == span_id).values(**values))
    if inserts:
        await conn.execute(insert(STEPS), inserts)
    await _add_to_months(conn, deltas)
    await conn.execute(update(PROGRESS).where(PROGRESS.c.name == PROGRESS_NAME)
                       .values(last_event_id=events[-1].id))
    return len(events)


async def events_pending(conn: AsyncConnection) -> bool:
    """Events were written since the spans were last brought up to date."""
    done = (await conn.execute(select(PROGRESS.c.last_event_id)
                               .where(PROGRESS.c.name == PROGRESS_NAME))).scalar()
    newest = (await conn.execute(select(func.max(EventRow.id)))).scalar()
    return newest is not None and newest > (done or 0)


async def _claim_progress(conn: AsyncConnection) -> int:
    """The last event already read, its row locked for this transaction (PostgreSQL)."""
    await conn.execute(dialect_insert(conn.dialect.name, PROGRESS)
                       .values(name=PROGRESS_NAME, last_event_id=0)
                       .on_conflict_do_nothing(index_elements=["name"]))
    query = select(PROGRESS.c.last_event_id).where(PROGRESS.c.name == PROGRESS_NAME)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return int((await conn.execute(query)).scalar_one())


async def _add_to_months(conn: AsyncConnection, deltas: Counter[Cell]) -> None:
    """Add the changes to the monthly tables (one upsert per changed cell)."""
    for name, table, last in ((DURATIONS, MONTHS, "bucket"), (WITHIN, WITHINS, "within")):
        rows = [{"month": month, "step": step, "agency_code": agency, last: value, "n": n}
                for (kind, month, step, agency, value), n in deltas.items()
                if kind == name and n]
        if not rows:
            continue
        statement = dialect_insert(conn.dialect.name, table)
        await conn.execute(statement.on_conflict_do_update(
            index_elements=["month", "step", "agency_code", last],
            set_={"n": table.c.n + statement.excluded.n}), rows)


# --- reading ---------------------------------------------------------------------------------


async def period_figures(conn: AsyncConnection, period: Period, zone: ZoneInfo,
                         agency: str | None) -> Figures:
    """The figures of reports that came in during the period (one agency's, if given)."""
    start, end = period.bounds(zone)
    counts = select(ReportRow.status, ReportRow.category_key, ReportRow.agency_code,
                    func.count(), func.sum(ReportRow.rating), func.count(ReportRow.rating)
                    ).where(ReportRow.created_at >= start, ReportRow.created_at < end)
    if agency is not None:
        counts = counts.where(ReportRow.agency_code == agency)
    counted = (await conn.execute(counts.group_by(
        ReportRow.status, ReportRow.category_key, ReportRow.agency_code))).all()
    months, rest = period.split_months()
    durations: list[Sequence] = []
    shares: list[Sequence] = []
    if months:
        names = [f"{m:%Y-%m}" for m in months]
        durations += (await conn.execute(
            select(MONTHS.c.step, MONTHS.c.bucket, func.sum(MONTHS.c.n))
            .where(MONTHS.c.month.in_(names), MONTHS.c.agency_code == (agency or ALL))
            .group_by(MONTHS.c.step, MONTHS.c.bucket))).all()
        within = select(WITHINS.c.step, WITHINS.c.agency_code, WITHINS.c.within,
                        func.sum(WITHINS.c.n)).where(WITHINS.c.month.in_(names))
        if agency is not None:
            within = within.where(WITHINS.c.agency_code == agency)
        shares += [(step, holder or None, on_time, n) for step, holder, on_time, n in
                   await conn.execute(within.group_by(WITHINS.c.step, WITHINS.c.agency_code,
                                                      WITHINS.c.within))]
    for days in rest:
        low, high = days.bounds(zone)
        where = [STEPS.c.report_created_at >= low, STEPS.c.report_created_at < high,
                 STEPS.c.bucket.is_not(None)]
        if agency is not None:
            where.append(STEPS.c.agency_code == agency)
        n = func.count()
        durations += (await conn.execute(select(STEPS.c.step, STEPS.c.bucket, n).where(*where)
                                          .group_by(STEPS.c.step, STEPS.c.bucket))).all()
        shares += (await conn.execute(select(STEPS.c.step, STEPS.c.agency_code, STEPS.c.within,
                                             n).where(*where).group_by(
            STEPS.c.step, STEPS.c.agency_code, STEPS.c.within))).all()
    return summarize(period, agency, counted, durations, shares)


