"""`report list`, `report export` and `staff-report` checked against a November built for it."""

from __future__ import annotations

import asyncio
import csv
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from admin_cli import reporting
from simulator import BotApiSimulator
from tests.cli.test_admin_cli import database, ok, refused, with_services
from tests.stats_data import at, build_november

__all__ = ["database"]  # the fixture, shared with the other command-line tests
OUTPUT = Path(__file__).resolve().parents[1] / "output"


@pytest.fixture
def november(database: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The built November in the CLI's database; "now" is 2 December 2026, 10:00 WITA."""
    ok("migrate")
    monkeypatch.setattr(reporting, "utc_now", lambda: at(2, 10, month=12))
    return with_services(database, build_november).codes


def _codes(output: str) -> set[str]:
    return set(re.findall(r"LPR-[A-Z0-9]{4}-[A-Z0-9]{4}", output))


def test_list_filters_and_search(november: dict[str, str]) -> None:
    c = november
    assert _codes(ok("report", "list")) == set(c.values())
    assert _codes(ok("report", "list", "--period", "2026-11")) == {c["r1"], c["r2"], c["r3"],
                                                                    c["r4"]}
    assert _codes(ok("report", "list", "--agency", "pupr")) == {c["r1"]}
    assert _codes(ok("report", "list", "--category", "waste")) == {c["r2"]}
    assert _codes(ok("report", "list", "--status", "returned")) == {c["r3"]}
    assert _codes(ok("report", "list", "--search", c["r3"].lower())) == {c["r3"]}
    assert _codes(ok("report", "list", "--search", "PASAR")) == {c["r2"]}
    assert _codes(ok("report", "list", "--overdue")) == {c["r4"]}
    assert _codes(ok("report", "list", "--period", "2026-10-31..2026-10-31")) == {c["r5"]}
    assert "Unknown period" in refused("report", "list", "--period", "kemarin")


def test_csv_export_has_each_reports_step_times(november: dict[str, str],
                                                tmp_path: Path) -> None:
    out = tmp_path / "laporan.csv"
    assert "Wrote 6 report(s)" in ok("report", "export", "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        rows = {row["code"]: row for row in csv.DictReader(handle)}
    r1, r2 = rows[november["r1"]], rows[november["r2"]]
    exported = out.read_text(encoding="utf-8")  # no reporter in any export, anonymous or not
    assert "Budi" not in exported and "81234567890" not in exported
    assert (r1["verify_hours"], r1["verify_on_time"], r1["agency_start_hours"],
            r1["agency_finish_hours"], r1["document_minutes"], r1["document_on_time"]) == (
        "24.0", "yes", "24.0", "168.0", "3.0", "yes")
    assert (r1["rating"], r1["reopened"], r1["overdue"], r1["agency"]) == ("5", "0", "no", "PUPR")
    assert r1["created_at"] == "2026-11-02T09:00:00+08:00"
    assert (r2["verify_hours"], r2["verify_on_time"], r2["reopened"], r2["status"]) == (
        "168.0", "no", "1", "submitted")
    assert rows[november["r4"]]["overdue"] == "yes"
    assert rows[november["r4"]]["verify_hours"] == ""
    assert "rating_comment" not in r1 and "phone" not in r1
    ok("report", "export", "--out", str(out), "--agency", "PUPR")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_xlsx_export_opens_in_a_spreadsheet(november: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "laporan.xlsx"
    assert "Wrote 4 report(s)" in ok("report", "export", "--format", "xlsx", "--out", str(out),
                                     "--period", "2026-11")
    sheet = load_workbook(out, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:3] == ("code", "created_at", "status") and len(body) == 4
    r1 = body[november["r1"]]
    assert (r1["verify_hours"], r1["agency_finish_hours"], r1["document_minutes"]) == (24, 168, 3)
    assert r1["created_at"].isoformat() == "2026-11-02T09:00:00"  # Tarakan time
    assert body[november["r2"]]["reopened"] == 1


async def test_staff_report_pdf_and_xlsx(database: str, tmp_path: Path, sim: BotApiSimulator,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    picture = tmp_path / "proof.jpg"
    Image.new("RGB", (800, 600), (40, 120, 60)).save(picture)
    stored = sim.files.store_photo(picture.read_bytes())[-1]
    monkeypatch.setenv("BOT_API_URL", sim.base_url)
    monkeypatch.setenv("BOT_TOKEN", sim.token)
    monkeypatch.setattr(reporting, "utc_now", lambda: at(2, 10, month=12))
    await asyncio.to_thread(ok, "migrate")

    async def build(uow):  # type: ignore[no-untyped-def]
        from complaints.model import PhotoRef

        return await build_november(uow, PhotoRef(stored["file_id"], stored["file_unique_id"]))

    codes = (await asyncio.to_thread(with_services, database, build)).codes
    media = tmp_path / "media"
    args = ("staff-report", "--month", "2026-11", "--out-dir", str(tmp_path / "out"),
            "--media-dir", str(media))
    said = await asyncio.to_thread(ok, *args)
    assert "4 report(s) received, 1 settled, 1 overdue step(s); 1 photo(s) fetched." in said
    assert (media / f"{stored['file_unique_id']}.jpg").read_bytes() == picture.read_bytes()
    assert "0 photo(s) fetched" in await asyncio.to_thread(ok, *args)  # kept: fetched once

    pdf = tmp_path / "out" / "laporan-staf-2026-11.pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "Budi" not in text and "81234567890" not in text  # the report names no reporter
    for expected in ("Laporan Staf Pengaduan Masyarakat", "periode 2026-11", "Laporan masuk: 4",
                     "Disusun 2 Desember 2026 10:00 WITA",
                     "Rata-rata penilaian pelapor: 3,5 dari 5 (2 penilaian)",
                     "Dibuka kembali oleh pelapor: 1", codes["r1"], "Lubang sudah ditambal aspal",
                     codes["r4"], "Verifikasi admin", "PUPR", "100%"):
        assert expected in text, expected
    assert codes["r2"] not in text.split("5. Penyelesaian pengaduan")[1]  # reopened: not settled
    import pymupdf

    OUTPUT.mkdir(exist_ok=True)
    with pymupdf.open(pdf) as document:
        assert any(page.get_images() for page in document)  # the chart and the proof thumbnail
        document[0].get_pixmap(dpi=110).save(OUTPUT / "staff-report-page1.png")
        document[-1].get_pixmap(dpi=110).save(OUTPUT / "staff-report-last-page.png")

    book = load_workbook(tmp_path / "out" / "laporan-staf-2026-11.xlsx")
    assert book.sheetnames == ["Ringkasan", "Langkah SOP", "Kepatuhan SLA", "Terlambat",
                               "Penyelesaian"]
    summary = [v for row in book["Ringkasan"].iter_rows(values_only=True) for v in row if v]
    cells = " ".join(str(v) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "Budi" not in cells and "81234567890" not in cells
    assert "Laporan masuk: 4" in summary
    settled = list(book["Penyelesaian"].iter_rows(values_only=True))
    assert any(row[0] and codes["r1"] in row[0] and row[3] == "Lubang sudah ditambal aspal"
               for row in settled)
    assert len(book["Penyelesaian"]._images) == 1 and len(book["Langkah SOP"]._images) == 1
    late = list(book["Terlambat"].iter_rows(values_only=True))
    assert any(row[0] == codes["r4"] and row[3] == "Verifikasi admin" for row in late)
    sla = {row[0]: row[1:] for row in book["Kepatuhan SLA"].iter_rows(values_only=True)}
    assert sla["PUPR"] == (2, 2, "100%") and sla["DLH"] == (2, 0, "0%")


async def test_a_photo_the_bot_api_refuses_is_left_out_and_the_token_never_logged(
        sim: BotApiSimulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from admin_cli.media import PhotoFolder

    kept = sim.files.store_photo()[-1]
    folder = PhotoFolder(tmp_path, sim.base_url, sim.token)
    fetched = await folder.fetch_all([("no-such-file", "gone1"),
                                      (kept["file_id"], kept["file_unique_id"])])
    assert fetched == 1
    assert folder.thumbnail("gone1") is None
    assert folder.thumbnail(kept["file_unique_id"]) is not None
    assert "gone1" in caplog.text and sim.token not in caplog.text
    offline = PhotoFolder(tmp_path / "other", sim.base_url, None)
    assert await offline.fetch_all([(kept["file_id"], "u-offline")]) == 0
