"""A November 2026 built for the statistics tests, with the figures it must give.

Times are Tarakan's (WITA, UTC+8); November 2026 has no national holiday, so the SOP's
working days are Monday to Friday.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from complaints import services, workflow
from complaints.calendar import WorkingCalendar
from complaints.lifecycle import Action
from complaints.model import Actor, GeoPoint, PhotoKind, PhotoRef, ReportDraft, Role
from complaints.ports import UnitOfWork

WITA = ZoneInfo("Asia/Makassar")
CALENDAR = WorkingCalendar(WITA)
ADMIN = Actor(91, Role.ADMIN, "Ani")
PUPR = Actor(92, Role.OPD, "Putu", "PUPR")
DLH = Actor(93, Role.OPD, "Lala", "DLH")
CITIZEN = 190
PHOTO = (PhotoRef("evidence-photo", "evidence-unique", PhotoKind.PHOTO),)
HOUR, DAY = 3600, 86400


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in Tarakan, November 2026 unless told."""
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


@dataclass
class November:
    """The reports made, by name, and their tracking codes."""

    codes: dict[str, str]


async def build_november(uow: Callable[[], UnitOfWork], photo: PhotoRef = PHOTO[0],
                         citizen: int = CITIZEN) -> November:
    """Six reports; four came in during November (local time), with known step times."""
    proof = (photo,)
    await services.register_citizen(uow(), citizen, name="Budi", phone="+6281234567890",
                                    language="id", consent_at=at(1, 0, month=10),
                                    now=at(1, 0, month=10))

    async def new(category: str, when: datetime, text: str) -> int:
        draft = ReportDraft(proof, GeoPoint(3.3, 117.63), text, category)
        return (await services.submit_report(uow(), citizen, draft, now=when,
                                             calendar=CALENDAR)).report_id

    async def act(report_id: int, action: Action, actor: Actor, when: datetime,
                  **inputs: object) -> None:
        case = await workflow.case_file(uow(), report_id)
        await workflow.act(uow(), report_id=report_id, action=action, actor=actor,
                           expected_version=case.version, now=when, calendar=CALENDAR,
                           **inputs)

    ids = {}
    # R1: everything within the standards; PUPR; rated 5
    ids["r1"] = r1 = await new("roads", at(2, 9), "Jalan berlubang di Jl. Mulawarman")
    await act(r1, Action.FORWARD, ADMIN, at(3, 9), agency="PUPR")  # verify 24 h
    await act(r1, Action.START, PUPR, at(4, 9))  # start 24 h
    await act(r1, Action.RESOLVE, PUPR, at(10, 9), proof=proof,
              note="Lubang sudah ditambal aspal")  # follow-up 7 days
    await act(r1, Action.CLOSE, ADMIN, at(10, 9, 3))  # documented in 3 minutes
    await workflow.rate(uow(), citizen_id=citizen, report_id=r1, stars=5, comment=None,
                        now=at(10, 12), calendar=CALENDAR)
    # R2: everything late; DLH; rated 2, which reopens it
    ids["r2"] = r2 = await new("waste", at(2, 10), "Sampah menumpuk di pasar")
    await act(r2, Action.FORWARD, ADMIN, at(9, 10), agency="DLH")  # verify 7 days
    await act(r2, Action.START, DLH, at(16, 10))  # start 7 days
    await act(r2, Action.RESOLVE, DLH, at(30, 10), proof=proof,
              note="Sampah diangkut truk DLH")  # follow-up 21 days
    await act(r2, Action.CLOSE, ADMIN, at(30, 12))  # documented in 2 hours
    await workflow.rate(uow(), citizen_id=citizen, report_id=r2, stars=2, comment="Masih ada",
                        now=at(30, 13), calendar=CALENDAR)
    # R3: returned in 4 hours
    ids["r3"] = r3 = await new("roads", at(5, 8), "Laporan tanpa lokasi jelas")
    await act(r3, Action.RETURN, ADMIN, at(5, 12), reason="Lokasi kurang jelas")
    # R4: came in half an hour into November (still October in UTC), waiting
    ids["r4"] = await new("drainage", at(1, 0, 30), "Got tersumbat")
    # R5: the last half hour of October, withdrawn; R6: December
    ids["r5"] = r5 = await new("roads", at(31, 23, 30, month=10), "Salah kirim")
    await act(r5, Action.WITHDRAW, Actor(citizen, Role.CITIZEN, "Budi"), at(31, 23, 40, 10))
    ids["r6"] = await new("roads", at(1, 9, month=12), "Lampu jalan mati")
    codes = {}
    for name, report_id in ids.items():
        codes[name] = (await workflow.case_file(uow(), report_id)).code
    return November(codes)
