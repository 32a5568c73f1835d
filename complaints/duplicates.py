"""Duplicates: the same problem reported twice is worked once, and both reporters hear of it.

Before the review, a new report's citizen is offered the open reports of the same category
near the pin (100 m, 14 days by default); joining one subscribes them to its notices ("me
too") instead of filing another. Staff can also return a report as a duplicate of another: its
reporter then follows the original. Confidential reports are never offered to anyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.calendar import WorkingCalendar
from complaints.errors import InvalidInput, NotAllowed, NotRegistered, ReportNotFound
from complaints.lifecycle import TRANSITIONS, Action
from complaints.model import (
    Actor,
    Audience,
    GeoPoint,
    NearbyReport,
    Notice,
    NoticeKind,
    NoticeTarget,
    ReportStatus,
)
from complaints.ports import UnitOfWork
from complaints.tracking import normalize_tracking_code
from complaints.workflow import ActResult, act

OPEN = (ReportStatus.SUBMITTED, ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS,
        ReportStatus.RESOLVED)
METRES_PER_DEGREE = 111_320.0
MAX_OFFERED = 5
MAX_CHAIN = 10  # a duplicate of a duplicate … is followed to its original this far


@dataclass(frozen=True, slots=True)
class Similar:
    """A possible duplicate and how far its pin lies from the new one."""

    report: NearbyReport
    distance_m: float


def bounding_box(point: GeoPoint, radius_m: float) -> tuple[float, float, float, float]:
    """South, west, north, east of a box holding every point within radius_m (SQL prefilter)."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(point.latitude)), 0.01))
    return (point.latitude - dlat, point.longitude - dlon,
            point.latitude + dlat, point.longitude + dlon)


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Metres between two pins on the WGS84 ellipsoid."""
    from geopy.distance import geodesic  # geopy loads all its geocoders: about 1.5 MiB

    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters)


async def similar_reports(uow: UnitOfWork, *, citizen_id: int, category_key: str,
                          point: GeoPoint, now: datetime, radius_m: float,
                          window: timedelta) -> list[Similar]:
    """Others' open, non-confidential reports of the category near the pin, nearest first."""
    south, west, north, east = bounding_box(point, radius_m)
    async with uow:
        found = await uow.duplicates.nearby(category_key=category_key, south=south, west=west,
                                            north=north, east=east, since=now - window,
                                            statuses=OPEN)
    near = [Similar(r, distance_m(point, r.location)) for r in found
            if r.citizen_id != citizen_id]
    near = [s for s in near if s.distance_m <= radius_m]
    near.sort(key=lambda s: (s.distance_m, s.report.created_at))
    return near[:MAX_OFFERED]


async def join(uow: UnitOfWork, *, citizen_id: int, report_id: int, now: datetime) -> str:
    """"Me too": follow another citizen's open report instead of filing one; returns its code."""
    async with uow:
        citizen = await uow.citizens.get(citizen_id)
        if citizen is None or not citizen.is_registered:
            raise NotRegistered()
        case = await uow.reports.case_file(report_id)
        if case is None or not case.visible_to(Audience.PUBLIC) or case.duplicate_of:
            raise ReportNotFound()
        if case.citizen_id == citizen_id:
            raise InvalidInput("error-duplicate-own")
        if case.status not in OPEN:
            raise InvalidInput("error-duplicate-not-open", code=case.code)
        if await uow.duplicates.subscribe(case.id, citizen_id, now):
            # the staff cards count the "me too"s
            await uow.outbox.add(Notice(NoticeKind.REFRESH_CARDS, NoticeTarget.ADMIN, case.id),
                                 now)
        await uow.commit()
        return case.code


async def mark_duplicate(uow: UnitOfWork, *, report_id: int, original_code: str, actor: Actor,
                         expected_version: int, now: datetime, calendar: WorkingCalendar,
                         reason: str) -> ActResult:
    """Return a report as a duplicate of another; its reporter follows the original from now on."""
    if actor.role not in TRANSITIONS[Action.RETURN].roles:  # who asks, before what they ask
        raise NotAllowed()
    code = normalize_tracking_code(original_code)
    if code is None:
        raise InvalidInput("error-code-format")
    async with uow:
        original_id = await uow.reports.id_by_code(code)
        original = await uow.reports.case_file(original_id) if original_id else None
        for _ in range(MAX_CHAIN):  # follow an original that is itself a duplicate
            if original is None or original.duplicate_of is None:
                break
            original = await uow.reports.case_file(original.duplicate_of)
    if original is None:
        raise InvalidInput("error-duplicate-unknown", code=code)
    if original.id == report_id:
        raise InvalidInput("error-duplicate-self")
    if original.confidential or original.status is ReportStatus.WITHDRAWN:
        raise InvalidInput("error-duplicate-unusable", code=original.code)
    return await act(uow, report_id=report_id, action=Action.RETURN, actor=actor,
                     expected_version=expected_version, now=now, calendar=calendar,
                     reason=f"{reason} {original.code}", reason_key="duplicate",
                     duplicate_of=original.id)
