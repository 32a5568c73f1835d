"""How deadlines read: the card's clock, the escalation list and the digest, in both languages."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from complaints.deadlines import OverdueReport, escalation
from complaints.model import (
    Agency,
    CardKind,
    CaseFile,
    GeoPoint,
    NoticeKind,
    ReportStatus,
    SlaClock,
    Step,
)
from presentation.cards import card_buttons, staff_card
from presentation.context import Names
from presentation.deadlines import ReassignCb, duration, render_summary
from presentation.texts import Translator

WITA = ZoneInfo("Asia/Makassar")
DUE = datetime(2026, 12, 10, 23, 59, 59, tzinfo=WITA)
NAMES = Names({}, {"PUPR": Agency("PUPR", "Dinas PU"), "DLH": Agency("DLH", "Dinas LH")})
CASE = CaseFile(
    id=7, code="LPR-AAAA-BBBB", status=ReportStatus.FORWARDED, version=3, revision=1,
    category_key="roads", description="Lubang", location=GeoPoint(3.3, 117.6), landmark=None,
    address=None, created_at=DUE - timedelta(days=3), updated_at=DUE - timedelta(days=3),
    verify_due=None, finish_due=None, agency_code="PUPR", photos=(), proof_photos=(),
    resolution_note=None, citizen_id=1, citizen_name="Budi", citizen_phone="+62",
    citizen_language="id", rating=None, rating_comment=None, closed_at=None,
    clock=SlaClock(Step.AGENCY_START, DUE, round=2))


def test_durations_read_naturally() -> None:
    en, id_ = Translator("en"), Translator("id")
    assert duration(en, timedelta(days=2, hours=3, minutes=4)) == "2 days 3 hours"
    assert duration(en, timedelta(hours=1, minutes=1)) == "1 hour 1 minute"
    assert duration(id_, timedelta(seconds=5)) == "1 menit"


def test_card_shows_the_step_due_time_and_how_late_it_is() -> None:
    t = Translator("en", WITA)
    on_time = staff_card(t, CardKind.AGENCY_CARD, CASE, NAMES, now=DUE - timedelta(hours=1))
    assert "Due (agency to start): <b>10 December 2026 23:59 WITA</b>" in on_time
    assert "Late" not in on_time
    late = staff_card(t, CardKind.AGENCY_CARD, CASE, NAMES, now=DUE + timedelta(days=1, hours=2))
    assert "Late by 1 day 2 hours (as of 12 December 2026 01:59 WITA)" in late
    paused = replace(CASE, status=ReportStatus.RETURNED, clock=SlaClock(
        Step.VERIFY, None, paused_remaining=timedelta(hours=5)))
    assert "verification clock is paused" in staff_card(t, CardKind.ADMIN_CARD, paused, NAMES)


def test_a_card_left_in_the_old_agency_says_where_the_report_went() -> None:
    t = Translator("en", WITA)
    moved = replace(CASE, agency_code="DLH")
    text = staff_card(t, CardKind.AGENCY_CARD, moved, NAMES, holder="PUPR")
    assert "Reassigned to Dinas LH" in text and "Due (" not in text
    assert card_buttons(t, CardKind.AGENCY_CARD, moved, "PUPR") is None
    assert card_buttons(t, CardKind.AGENCY_CARD, moved, "DLH") is not None
    admin = card_buttons(t, CardKind.ADMIN_CARD, moved)
    assert admin is not None
    assert ReassignCb(report_id=7).pack() in [
        button.callback_data for row in admin.inline_keyboard for button in row]


def test_escalation_lists_each_agency_and_offers_reassign_for_agency_steps() -> None:
    overdue = [OverdueReport(7, "LPR-AAAA-BBBB", ReportStatus.FORWARDED, Step.AGENCY_START,
                             "PUPR", DUE),
               OverdueReport(8, "LPR-CCCC-DDDD", ReportStatus.SUBMITTED, Step.VERIFY, None,
                             DUE - timedelta(days=1)),
               # documenting is the admin's step, though an agency did the work
               OverdueReport(9, "LPR-EEEE-FFFF", ReportStatus.RESOLVED, Step.DOCUMENT, "DLH",
                             DUE - timedelta(days=2))]
    notice = escalation(overdue, new={7})
    assert notice.kind is NoticeKind.SLA_ESCALATION and notice.report_id is None
    text, markup = render_summary(Translator("en", WITA), notice.kind, NAMES, notice.params)
    assert "3 reports past their due time" in text
    assert text.index("Complaint admin (verifying, documenting)</b> (2)") < text.index(
        "LPR-EEEE-FFFF") < text.index("LPR-CCCC-DDDD") < text.index("Dinas PU")
    assert "Dinas LH" not in text
    assert "LPR-AAAA-BBBB</code> — agency to start, due 10 December 2026 23:59 WITA 🆕" in text
    assert "LPR-CCCC-DDDD</code> — verification, due 9 December 2026 23:59 WITA\n" in text + "\n"
    assert markup is not None
    assert [b.text for row in markup.inline_keyboard for b in row] == ["↪️ Reassign LPR-AAAA-BBBB"]


def test_digest_totals_and_lines_by_agency() -> None:
    params = {"day": "2026-12-07", "rows": json.dumps([["", 2, 0, 0, 1], ["PUPR", 0, 1, 1, 0]])}
    text, _ = render_summary(Translator("id", WITA), NoticeKind.SLA_DIGEST, NAMES, params)
    assert "Ringkasan 7 Desember 2026</b>: 2 baru, 1 diteruskan, 1 selesai, 1 terlambat" in text
    assert "• Dinas PU: 0 baru · 1 diteruskan · 1 selesai · 0 terlambat" in text
    empty, _ = render_summary(Translator("en", WITA), NoticeKind.SLA_DIGEST, NAMES,
                              {"day": "2026-12-07", "rows": "[]"})
    assert "no new reports" in empty


def test_a_long_escalation_still_fits_in_one_message() -> None:
    overdue = [OverdueReport(i, f"LPR-AAAA-{i:04d}", ReportStatus.FORWARDED, Step.AGENCY_FINISH,
                             "PUPR", DUE) for i in range(400)]
    notice = escalation(overdue, new=set())
    text, markup = render_summary(Translator("id", WITA), notice.kind, NAMES, notice.params)
    assert len(text) <= 4096
    assert "400 laporan lewat batas waktu" in text and text.endswith("baris lagi.")
    assert markup is not None and len(markup.inline_keyboard) == 10
