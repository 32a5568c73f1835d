"""`report list`, `report export` and `staff-report`: the office's figures from a shell.

Each command brings the SOP step spans up to the newest event first (db/stats.py), then
reads on a connection that never takes SQLite's write lock, so a bot running beside it keeps
answering. Exports stream: rows are written as they are read, whatever the table's size.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from admin_cli.media import PhotoFolder
from admin_cli.queries import (
    EXPORT_HEADER,
    ReportFilter,
    count_reports,
    export_rows,
    list_reports,
    overdue_steps,
    settled_reports,
)
from admin_cli.runtime import Uow, fail, local, run, say, settings, show_table
from admin_cli.staff_report import build, write_pdf, write_xlsx
from complaints import services
from complaints.clock import utc_now
from complaints.errors import DomainError
from complaints.model import ReportStatus
from complaints.periods import Period, parse_period
from db.offloop import StatsEngines
from presentation.stats_view import rekap_chart
from presentation.texts import Translator

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
PROGRESS_FROM = 5000  # rows: shorter exports finish before a bar would be worth drawing


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class Language(StrEnum):
    ID = "id"
    EN = "en"


StatusOpt = Annotated[ReportStatus | None, typer.Option(help="Only this status.")]
AgencyOpt = Annotated[str | None, typer.Option(help="Only this agency's reports (code).")]
CategoryOpt = Annotated[str | None, typer.Option(help="Only this category (key).")]
PeriodOpt = Annotated[str | None, typer.Option(
    help="Came in during: 'bulan ini', 'minggu ini', 2026-11, 2026, 2026-11-01..2026-11-30.")]
OverdueOpt = Annotated[bool, typer.Option("--overdue", help="Only reports past a due time now.")]
SearchOpt = Annotated[str | None, typer.Option(help="A tracking code, or words of the text.")]


def _period(text: str | None) -> Period | None:
    """The period typed, or a red line listing the accepted forms."""
    if text is None:
        return None
    try:
        return parse_period(text, utc_now().astimezone(settings().zone).date())
    except DomainError:
        fail(f"Unknown period {text!r}: use 'bulan ini', 'minggu ini', 2026-11, 2026 or "
             "2026-11-01..2026-11-30.")


def _filter(status: ReportStatus | None, agency: str | None, category: str | None,
            period: str | None, overdue: bool, search: str | None, now: datetime) -> ReportFilter:
    days = _period(period)
    start, end = days.bounds(settings().zone) if days else (None, None)
    return ReportFilter(status=status, agency=agency, category=category, start=start, end=end,
                        overdue_at=now if overdue else None, search=search)


async def _with_statistics(work: Callable[[StatsEngines], Any]) -> Any:
    """Step spans brought up to date, then `work` on the statistics engines."""
    engines = StatsEngines.open(settings().database_url)
    try:
        await engines.refresh(settings().calendar)
        return await work(engines)
    finally:
        await engines.dispose()


def report_list(status: StatusOpt = None, agency: AgencyOpt = None, category: CategoryOpt = None,
                period: PeriodOpt = None, overdue: OverdueOpt = False, search: SearchOpt = None,
                limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")]
                = 20) -> None:
    """The newest reports matching the filters, with the deadline they run against."""
    now = utc_now()
    where = _filter(status, agency, category, period, overdue, search, now)

    async def work(engines: StatsEngines) -> list:
        async with engines.reader.connect() as conn:
            return await list_reports(conn, where, limit, now)

    lines = run(lambda _uow: _with_statistics(work))
    show_table(("Code", "Status", "Category", "Agency", "Created", "Due", "Overdue"),
               ((r.code, r.status, r.category, r.agency, local(r.created_at),
                 local(_due(r.status, r.verify_due, r.finish_due)), "yes" if late else "")
                for r, late in lines), empty="No reports.")


def _due(status: str, verify_due: datetime | None, finish_due: datetime | None) -> datetime | None:
    """The SOP deadline the report is running against now, if any."""
    if status in (ReportStatus.SUBMITTED, ReportStatus.RETURNED):
        return verify_due
    if status in (ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS):
        return finish_due
    return None


class Sink(Protocol):
    def write(self, row: tuple[object, ...]) -> None: ...

    def close(self) -> None: ...


class CsvSink:
    """Rows as CSV (UTF-8, local ISO 8601 moments), written as they come."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(EXPORT_HEADER)

    def write(self, row: tuple[object, ...]) -> None:
        self._writer.writerow(
            value.astimezone(settings().zone).isoformat(timespec="seconds")
            if isinstance(value, datetime) else "" if value is None else value for value in row)

    def close(self) -> None:
        self._handle.close()


class XlsxSink:
    """Rows in a workbook written in constant memory (each row is flushed as it is written)."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self._book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self._sheet = self._book.add_worksheet("laporan")
        self._moment = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._sheet.write_row(0, 0, EXPORT_HEADER, self._book.add_format({"bold": True}))
        self._sheet.set_column(0, 0, 16)
        self._sheet.set_column(1, 1, 17)
        self._row = 1

    def write(self, row: tuple[object, ...]) -> None:
        for col, value in enumerate(row):
            if isinstance(value, datetime):
                local_time = value.astimezone(settings().zone).replace(tzinfo=None)
                self._sheet.write_datetime(self._row, col, local_time, self._moment)
            elif value is not None:
                self._sheet.write(self._row, col, value)
        self._row += 1

    def close(self) -> None:
        self._book.close()


def report_export(out: Annotated[Path, typer.Option(help="File to write.", dir_okay=False)],
                  format_: Annotated[Format, typer.Option("--format", help="csv or xlsx.")]
                  = Format.CSV,
                  status: StatusOpt = None, agency: AgencyOpt = None,
                  category: CategoryOpt = None, period: PeriodOpt = None,
                  overdue: OverdueOpt = False, search: SearchOpt = None) -> None:
    """One row per report with its SOP step times (no reporter data), streamed."""
    now = utc_now()
    where = _filter(status, agency, category, period, overdue, search, now)

    async def work(engines: StatsEngines) -> int:
        async with engines.reader.connect() as conn:
            total = await count_reports(conn, where)
            if format_ == Format.XLSX and total > XLSX_MAX_ROWS:
                fail(f"{total} reports do not fit in one sheet: use --format csv or a filter.")
            try:
                sink: Sink = CsvSink(out) if format_ == Format.CSV else XlsxSink(out)
            except OSError as exc:
                fail(f"Cannot write {out}: {exc.strerror or exc}")
            written = 0
            with Progress(TextColumn("Exporting"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=Console(stderr=True),
                          disable=total < PROGRESS_FROM) as progress:
                task = progress.add_task("export", total=total)
                try:
                    async for row in export_rows(conn, where, now):
                        sink.write(row)
                        written += 1
                        if written % 1000 == 0:
                            progress.update(task, completed=written)
                finally:
                    sink.close()
                progress.update(task, completed=written)
            return written

    written = run(lambda _uow: _with_statistics(work))
    say(f"Wrote {written} report(s) to {out}.")


def staff_report(
    month: Annotated[str, typer.Option(help="The period: 2026-11 (or any /rekap period).")],
    out_dir: Annotated[Path, typer.Option(help="Folder for the PDF and XLSX.", file_okay=False)]
    = Path("."),
    language: Annotated[Language, typer.Option(help="The report's language.")] = Language.ID,
    media_dir: Annotated[Path, typer.Option(help="Where proof photos are kept once fetched.",
                                            file_okay=False)] = Path("data/media"),
) -> None:
    """The periodic staff report (laporan staf) as PDF and XLSX, Indonesian by default."""
    period = _period(month)
    assert period is not None
    config = settings()
    t = Translator(language.value, config.zone)
    now = utc_now()
    token = config.bot_token.get_secret_value() if config.bot_token else None
    photos = PhotoFolder(media_dir, config.bot_api_url, token)

    async def work(uow: Uow) -> tuple[Any, ...]:
        categories = {c.key: c.name(language.value) for c in await services.list_categories(uow())}

        async def read(engines: StatsEngines) -> tuple[Any, ...]:
            figures = await engines.figures(period, config.calendar, None)
            start, end = period.bounds(config.zone)
            async with engines.reader.connect() as conn:
                late = await overdue_steps(conn, min(now, end))
                settled = await settled_reports(conn, start, end)
            return figures, late, settled

        figures, late, settled = await _with_statistics(read)
        fetched = await photos.fetch_all([(s.proof_file_id, s.proof_unique_id) for s in settled
                                          if s.proof_file_id and s.proof_unique_id])
        return categories, figures, late, settled, fetched

    categories, figures, late, settled, fetched = run(work)
    thumbnails = {s.code: photos.thumbnail(s.proof_unique_id) for s in settled}
    chart = rekap_chart(t, figures)
    report = build(t, figures, late, settled, thumbnails, categories=categories,
                   now=now, as_of=min(now, period.bounds(config.zone)[1]), chart=chart)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"laporan-staf-{period.label}"
    try:
        write_pdf(report, stem.with_suffix(".pdf"))
        write_xlsx(report, stem.with_suffix(".xlsx"))
    except OSError as exc:
        fail(f"Cannot write the report in {out_dir}: {exc.strerror or exc}")
    missing = sum(1 for s in settled if thumbnails.get(s.code) is None)
    say(f"Wrote {stem}.pdf and {stem}.xlsx: {figures.total} report(s) received, "
        f"{len(settled)} settled, {len(late)} overdue step(s); {fetched} photo(s) fetched"
        + (f", {missing} without a photo." if missing else "."))


def register(app: typer.Typer, report_app: typer.Typer) -> None:
    """Add the commands to `lapor-admin` and its `report` group."""
    report_app.command("list")(report_list)
    report_app.command("export")(report_export)
    app.command("staff-report")(staff_report)

