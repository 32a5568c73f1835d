"""The periodic staff report (laporan staf): one content, written as a PDF and as an XLSX.

The content is built once as sections of lines, tables and pictures, in the report's language
(Indonesian by default); `write_pdf` lays it out with ReportLab's Platypus (tables repeat their
header on every page, text wraps) and `write_xlsx` puts each section on a sheet of its own with
XlsxWriter, the chart and the proof thumbnails embedded in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from admin_cli.queries import OverdueStep, Settled
from complaints.stats import TIMED_STEPS, Figures
from presentation.stats_view import agency_label, duration, number
from presentation.texts import Translator


@dataclass(frozen=True, slots=True)
class Picture:
    """An image file in a table cell (a proof thumbnail)."""

    path: Path


Cell = str | int | float | Picture | None
CHUNK = 60  # rows per PDF table (about a page)


@dataclass
class Table:
    """A titled table; `widths` are shares of the page width."""

    header: list[str]
    rows: list[list[Cell]]
    widths: list[float]
    title: str | None = None


@dataclass
class Section:
    """One part of the report (and one sheet of the workbook)."""

    title: str
    sheet: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: bytes | None = None  # PNG


@dataclass
class StaffReport:
    """Everything the report says, ready for either writer."""

    title: str
    subtitle: list[str]
    sections: list[Section]


def build(t: Translator, figures: Figures, overdue: list[OverdueStep], settled: list[Settled],
          thumbnails: dict[str, Path | None], *, categories: dict[str, str], now: datetime,
          as_of: datetime, chart: bytes) -> StaffReport:
    """The report's content for the period of `figures`; overdue steps as of `as_of`."""
    counts = [
        Table([t("col-name"), t("col-count")], [[t(f"status-{s}"), n]
                                               for s, n in figures.by_status.items()],
              [0.7, 0.3], t("report-by-status")),
        Table([t("col-name"), t("col-count")], [[categories.get(c, c), n]
                                               for c, n in figures.by_category.items()],
              [0.7, 0.3], t("report-by-category")),
        Table([t("col-agency"), t("col-count")], [[code or t("rekap-no-agency"), n]
                                                 for code, n in figures.by_agency.items()],
              [0.7, 0.3], t("report-by-agency")),
    ]
    rating = (t("report-rating", rating=number(t, figures.rating_average),
                count=figures.rating_count)
              if figures.rating_average is not None else t("report-rating-none"))
    summary = Section(t("report-summary"), t("sheet-summary"),
                      [t("report-received", count=figures.total), rating,
                       t("report-reopened", count=figures.reopened)], counts)
    steps = Section(t("report-steps"), t("sheet-steps"), tables=[Table(
        [t("col-step"), t("col-standard"), t("col-measured"), t("col-median"), t("col-p90"),
         t("col-on-time")],
        [[t(f"step-{s}"), t(f"standard-{s}"), figures.steps[s].count,
          duration(t, figures.steps[s].median), duration(t, figures.steps[s].p90),
          _share(t, figures.steps[s].within, figures.steps[s].count)] for s in TIMED_STEPS],
        [0.26, 0.18, 0.12, 0.14, 0.14, 0.16])], chart=chart)
    sla = Section(t("report-sla"), t("sheet-sla"), tables=[Table(
        [t("col-agency"), t("col-measured"), t("col-on-time"), t("col-share")],
        [[agency_label(t, code), measured, good, _share(t, good, measured)]
         for code, (good, measured) in sorted(figures.within_by_agency.items(),
                                              key=lambda item: item[0] or "")],
        [0.4, 0.2, 0.2, 0.2])])
    late = Section(t("report-overdue"), t("sheet-overdue"),
                   [t("report-overdue-note", at=t.datetime(as_of))], [Table(
                       [t("col-code"), t("col-category"), t("col-agency"), t("col-step"),
                        t("col-due"), t("col-late")],
                       [[o.code, categories.get(o.category, o.category),
                         o.agency or t("report-no-agency"), t(f"step-{o.step}"),
                         t.datetime(o.due_at), duration(t, int((as_of - o.due_at).total_seconds()))]
                        for o in overdue],
                       [0.17, 0.17, 0.12, 0.18, 0.22, 0.14])])
    done = Section(t("report-settled"), t("sheet-settled"), [t("report-settled-note")], [Table(
        [t("col-code"), t("col-agency"), t("col-complaint"), t("col-note"), t("col-proof"),
         t("col-rating")],
        [[s.code + "\n" + t.date(s.closed_at), s.agency or "–",
          f"{categories.get(s.category, s.category)}: {s.description}", s.note or "–",
          _picture(thumbnails.get(s.code)) or t("report-no-photo"), s.rating]
         for s in settled],
        [0.18, 0.09, 0.24, 0.25, 0.17, 0.07])])
    return StaffReport(t("report-title"),
                       [t("report-subtitle", period=figures.period.label), t("report-office"),
                        t("report-generated", at=t.datetime(now))],
                       [summary, steps, sla, late, done])


def _share(t: Translator, good: int, measured: int) -> str:
    return f"{number(t, 100 * good / measured, 0)}%" if measured else "–"


def _picture(path: Path | None) -> Picture | None:
    return Picture(path) if path is not None else None


# --- PDF -------------------------------------------------------------------------------------


def _fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib): every Indonesian and most other letters."""
    from matplotlib import get_data_path
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        fonts = Path(get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont("DejaVu", fonts / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", fonts / "DejaVuSans-Bold.ttf"))
    return "DejaVu", "DejaVu-Bold"


def write_pdf(report: StaffReport, path: Path) -> None:
    """The report as an A4 PDF."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("head", parent=cell, fontName=bold, textColor=colors.white)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=17, leading=22)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=12.5, leading=16,
                        spaceBefore=10, spaceAfter=4)
    h3 = ParagraphStyle("h3", parent=body, fontName=bold, fontSize=10, spaceBefore=6)
    document = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=16 * mm,
                                 rightMargin=16 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
                                 title=report.title, author=report.subtitle[1])
    width = document.width
    style = TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef3f8")]),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9fb4c8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])

    def text(value: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(value).replace("\n", "<br/>"), style)

    def content(value: Cell, column: float) -> object:
        if isinstance(value, Picture):
            return Image(str(value.path), width=column - 4 * mm, height=column - 4 * mm,
                         kind="proportional")
        return text("" if value is None else str(value), cell)

    story: list[object] = [text(report.title, h1)]
    story += [text(line, body) for line in report.subtitle]
    for section in report.sections:
        story.append(text(section.title, h2))
        story += [text(line, body) for line in section.lines]
        for table in section.tables:
            if table.title:
                story.append(text(table.title, h3))
            columns = [share * width for share in table.widths]
            header = [text(h, head) for h in table.header]
            data = table.rows or [["–"] * len(table.header)]
            # tables of CHUNK rows one after another: ReportLab re-measures a table's remaining
            # rows at every page break, so one long table costs the square of its length
            for first in range(0, len(data), CHUNK):
                rows = [header] + [[content(v, columns[i]) for i, v in enumerate(row)]
                                   for row in data[first:first + CHUNK]]
                flowable = PdfTable(rows, colWidths=columns, repeatRows=1)
                flowable.setStyle(style)
                story.append(flowable)
            story.append(Spacer(1, 3 * mm))
        if section.chart is not None:
            from io import BytesIO

            chart_width = width * 0.72
            story.append(KeepTogether([Image(BytesIO(section.chart), width=chart_width,
                                             height=chart_width * 4 / 3)]))

    def footer(canvas: object, doc: object) -> None:
        canvas.setFont(regular, 8)  # type: ignore[attr-defined]
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm,  # type: ignore[attr-defined]
                               f"{report.subtitle[0]} · {doc.page}")  # type: ignore[attr-defined]

    document.build(story, onFirstPage=footer, onLaterPages=footer)


# --- XLSX ------------------------------------------------------------------------------------


def write_xlsx(report: StaffReport, path: Path) -> None:
    """The same content as a workbook: one sheet per section."""
    from io import BytesIO

    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    try:
        title = workbook.add_format({"bold": True, "font_size": 14})
        bold = workbook.add_format({"bold": True})
        head = workbook.add_format({"bold": True, "font_color": "white", "bg_color": "#1F4E79",
                                    "text_wrap": True, "valign": "top"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        for section in report.sections:
            sheet = workbook.add_worksheet(section.sheet[:31])
            sheet.write(0, 0, report.title, title)
            sheet.write(1, 0, report.subtitle[0])
            sheet.write(3, 0, section.title, bold)
            row = 4
            for line in section.lines:
                sheet.write(row, 0, line)
                row += 1
            widths = [12.0] * 8
            for table in section.tables:
                row += 1
                if table.title:
                    sheet.write(row, 0, table.title, bold)
                    row += 1
                sheet.write_row(row, 0, table.header, head)
                for i, share in enumerate(table.widths):
                    widths[i] = max(widths[i], share * 110)
                row += 1
                for values in table.rows:
                    tall = False
                    for col, value in enumerate(values):
                        if isinstance(value, Picture):
                            sheet.insert_image(row, col, str(value.path), {
                                "x_scale": 0.25, "y_scale": 0.25, "object_position": 1,
                                "x_offset": 2, "y_offset": 2})
                            tall = True
                        else:
                            sheet.write(row, col, value, wrap)
                    sheet.set_row(row, 92 if tall else None)
                    row += 1
            for col, column_width in enumerate(widths):
                sheet.set_column(col, col, column_width)
            if section.chart is not None:
                sheet.insert_image(row + 1, 0, "chart.png", {
                    "image_data": BytesIO(section.chart), "x_scale": 0.5, "y_scale": 0.5})
    finally:
        workbook.close()
