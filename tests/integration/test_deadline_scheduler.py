"""The deadline scheduler's rounds on real databases: two processes at once cause each notice
once, the digest once a day, and the escalation lists what is overdue."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from complaints import admin, deadlines, services
from complaints.lifecycle import Action
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models import OutboxRow, SlaNoticeRow
from db.uow import SqlUnitOfWork
from tests.conftest import reset_postgres
from tests.workflow_steps import ADMIN, CITIZEN_ID, DLH, NOW, PUPR, act, submit

WITA = ZoneInfo("Asia/Makassar")
REMIND = datetime(2026, 12, 8, 0, 30, tzinfo=WITA)  # submitted Thursday: due Tuesday 23:59:59
LATE = datetime(2026, 12, 9, 9, 0, tzinfo=WITA)


@pytest.fixture(params=["sqlite", "postgres"])
async def processes(request: pytest.FixtureRequest, tmp_path: Path,
                    ) -> AsyncIterator[tuple[partial[SqlUnitOfWork], partial[SqlUnitOfWork]]]:
    """Two bot processes' units of work (each its own engine) on one database."""
    url = (await reset_postgres() if request.param == "postgres"
           else f"sqlite+inline:///{tmp_path / 'd.db'}")
    await asyncio.to_thread(upgrade, url)
    engines = [create_engine(url), create_engine(url)]
    first, second = (partial(SqlUnitOfWork, create_sessionmaker(e)) for e in engines)
    for actor in (ADMIN, PUPR, DLH):
        await admin.add_staff(first(), actor.telegram_id, actor.name, actor.role,
                              actor.agency_code, NOW)
    await services.register_citizen(first(), CITIZEN_ID, name="Budi", phone="+6281234567890",
                                    language="id", consent_at=NOW, now=NOW)
    yield first, second
    for engine in engines:
        await engine.dispose()


async def _rows(uow: partial[SqlUnitOfWork]) -> tuple[Counter[str], list[OutboxRow]]:
    async with uow() as unit:
        notices = Counter(f"{n.report_id}:{n.kind}"
                          for n in await unit.session.scalars(sa.select(SlaNoticeRow)))
        outbox = list(await unit.session.scalars(sa.select(OutboxRow).order_by(OutboxRow.id)))
        unit.session.expunge_all()
    return notices, outbox


async def test_two_processes_cause_each_notice_once(processes) -> None:
    first, second = processes
    reports = [await submit(first) for _ in range(6)]
    for report_id in reports[:2]:
        await act(first, report_id, Action.FORWARD, ADMIN, agency="PUPR")

    async def both(now: datetime) -> None:
        for _ in range(3):  # a restart or a repeated round changes nothing either
            await asyncio.gather(deadlines.run_round(first(), now=now),
                                 deadlines.run_round(second(), now=now))

    await both(NOW + timedelta(hours=1))
    claimed, _ = await _rows(first)
    assert not claimed  # nothing is near its due time yet
    await both(REMIND)
    await both(LATE)
    claimed, outbox = await _rows(first)
    assert set(claimed.values()) == {1}
    kinds = Counter(row.kind for row in outbox)
    # verify (4 reports, Tuesday) reminded then overdue; the agency's start (2, from forwarding
    # on Thursday: due Tuesday as well) likewise, in PUPR's chat
    assert kinds["sla_reminder"] == 6 and kinds["sla_overdue"] == 6
    reminders = [row for row in outbox if row.kind == "sla_reminder"]
    assert Counter((row.target, row.target_ref) for row in reminders) == {
        ("admin", None): 4, ("agency", "PUPR"): 2}
    escalations = [json.loads(row.params["lines"]) for row in outbox
                   if row.kind == "sla_escalation"]
    assert all(row.report_id is None for row in outbox if row.kind == "sla_escalation")
    new = [line["id"] for lines in escalations for line in lines if line["new"]]
    assert sorted(new) == sorted(reports)  # each report escalated once
    last = {line["id"]: line for line in escalations[-1]}
    assert set(last) == set(reports)  # the list shows every overdue report
    assert [last[r]["movable"] for r in reports] == [True, True, False, False, False, False]
    assert {last[r]["agency"] for r in reports[:2]} == {"PUPR"}


async def test_the_digest_is_caused_once_a_day_by_two_processes(processes) -> None:
    first, second = processes
    report_id = await submit(first)
    zone = WITA
    morning = datetime(2026, 12, 4, 8, 0, tzinfo=WITA)
    results = await asyncio.gather(
        deadlines.daily_digest(first(), now=morning, zone=zone, hour=8),
        deadlines.daily_digest(second(), now=morning, zone=zone, hour=8))
    assert sorted(results) == [False, True]
    assert not await deadlines.daily_digest(first(), now=morning + timedelta(hours=5), zone=zone,
                                            hour=8)
    before_eight = datetime(2026, 12, 5, 7, 59, tzinfo=WITA)
    assert not await deadlines.daily_digest(first(), now=before_eight, zone=zone, hour=8)
    _, outbox = await _rows(first)
    digests = [row for row in outbox if row.kind == "sla_digest"]
    assert len(digests) == 1
    assert digests[0].params["day"] == "2026-12-03"
    assert json.loads(digests[0].params["rows"]) == [["", 1, 0, 0, 0]]  # filed Thursday
    assert not [row for row in outbox if row.kind == "refresh_cards"]
    # a week later it is overdue: that digest counts it and refreshes its cards (how late)
    assert await deadlines.daily_digest(second(), now=morning + timedelta(days=6), zone=zone,
                                        hour=8)
    _, outbox = await _rows(first)
    assert json.loads(outbox[-2].params["rows"]) == [["", 0, 0, 0, 1]]
    assert (outbox[-1].kind, outbox[-1].report_id) == ("refresh_cards", report_id)
