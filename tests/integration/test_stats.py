"""/rekap's figures on a real database: step spans kept up with the events, monthly histograms."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

import pytest

from complaints import workflow
from complaints.lifecycle import Action
from complaints.periods import parse_period
from complaints.stats import Step
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.offloop import StatsEngines
from db.uow import SqlUnitOfWork
from tests.conftest import reset_postgres
from tests.stats_data import ADMIN, CALENDAR, DAY, HOUR, at, build_november


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "postgres":
        url = await reset_postgres()
    else:
        url = f"sqlite+inline:///{tmp_path / 's.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    yield url, partial(SqlUnitOfWork, create_sessionmaker(engine))
    await engine.dispose()


async def test_november_figures_match_the_data(database) -> None:
    url, uow = database
    await build_november(uow)
    engines = StatsEngines.open(url)
    try:
        figures = await engines.figures(parse_period("2026-11", at(15, 9).date()), CALENDAR, None)
    finally:
        await engines.dispose()
    assert figures.total == 4
    assert figures.by_status == {"submitted": 2, "closed": 1, "returned": 1}
    assert figures.by_category == {"roads": 2, "drainage": 1, "waste": 1}
    assert figures.by_agency == {None: 3, "PUPR": 1}
    verify = figures.steps[Step.VERIFY]
    assert (verify.count, verify.within, verify.median, verify.p90) == (3, 2, 24 * HOUR, 7 * DAY)
    start = figures.steps[Step.AGENCY_START]
    assert (start.count, start.within, start.median, start.p90) == (2, 1, 24 * HOUR, 7 * DAY)
    finish = figures.steps[Step.AGENCY_FINISH]
    assert (finish.count, finish.within, finish.median, finish.p90) == (2, 1, 7 * DAY, 21 * DAY)
    document = figures.steps[Step.DOCUMENT]
    assert (document.count, document.within, document.median, document.p90) == (
        2, 1, 180, 2 * HOUR)
    assert figures.within_by_agency == {None: (3, 5), "PUPR": (2, 2), "DLH": (0, 2)}
    assert figures.rating_average == 3.5 and figures.rating_count == 2
    assert figures.reopened == 1


async def test_day_ranges_months_and_one_agency_agree(database) -> None:
    url, uow = database
    await build_november(uow)
    engines = StatsEngines.open(url)
    today = at(15, 9).date()
    try:
        month = await engines.figures(parse_period("2026-11", today), CALENDAR, None)
        # the same days, read from the step rows instead of the monthly histograms
        days = await engines.figures(parse_period("2026-10-31..2026-11-30", today), CALENDAR,
                                     None)
        pupr = await engines.figures(parse_period("2026-11", today), CALENDAR, "PUPR")
        week = await engines.figures(parse_period("2026-11-02..2026-11-08", today), CALENDAR,
                                     None)
    finally:
        await engines.dispose()
    assert days.total == month.total + 1 and days.by_status["withdrawn"] == 1
    assert days.steps == month.steps and days.within_by_agency == month.within_by_agency
    assert pupr.total == 1 and pupr.by_status == {"closed": 1}
    assert pupr.steps[Step.VERIFY].count == 0 and pupr.steps[Step.AGENCY_FINISH].count == 1
    assert pupr.within_by_agency == {"PUPR": (2, 2)}
    assert week.total == 3 and week.steps[Step.VERIFY].count == 3


async def test_later_events_are_picked_up_and_nothing_is_counted_twice(database) -> None:
    url, uow = database
    november = await build_november(uow)
    engines = StatsEngines.open(url)
    period = parse_period("2026-11", at(15, 9).date())
    try:
        before = await engines.figures(period, CALENDAR, None)
        assert await engines.refresh(CALENDAR) == 0
        again = await engines.figures(period, CALENDAR, None)
        assert again == before
        r4 = await workflow.case_file_by_code(uow(), november.codes["r4"])
        await workflow.act(uow(), report_id=r4.id, action=Action.FORWARD, actor=ADMIN,
                           expected_version=r4.version, now=at(3, 0, 30), calendar=CALENDAR,
                           agency="PUPR")
        after = await engines.figures(period, CALENDAR, None)
    finally:
        await engines.dispose()
    assert after.steps[Step.VERIFY].count == 4  # Nov 1 00:30 to Nov 3 00:30: 48 h
    assert after.steps[Step.VERIFY].p90 == 7 * DAY
    assert after.by_agency == {None: 2, "PUPR": 2}


def test_the_benchmarks_bulk_fill_equals_replaying_its_events(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """benchmarks/reports.py writes spans and monthly tables directly; the bot's refresh,
    replaying the same events from scratch, must arrive at exactly the same tables."""
    import importlib.util
    import os
    import sqlite3
    import sys

    root = Path(__file__).resolve().parents[2]
    # the script puts its folder and this checkout on the paths: undone after the test
    monkeypatch.setattr(sys, "path", [str(root / "benchmarks"), *sys.path])
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    spec = importlib.util.spec_from_file_location("reports_bench",
                                                  root / "benchmarks" / "reports.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "bench.db"
    bench.fill(path, 3000, 2)
    tables = {"report_steps": "report_id, step, agency_code, started_at, due_at, ended_at, "
                              "seconds, bucket, within",
              "stats_month": "month, step, agency_code, bucket, n",
              "stats_month_within": "month, step, agency_code, within, n"}

    def snapshot() -> dict[str, list[tuple]]:
        with sqlite3.connect(path) as connection:
            return {name: sorted(connection.execute(f"SELECT {columns} FROM {name}").fetchall(),
                                 key=repr) for name, columns in tables.items()}

    filled = snapshot()
    with sqlite3.connect(path) as connection:
        for name in (*tables, "stats_progress"):
            connection.execute(f"DELETE FROM {name}")

    async def replay() -> int:
        engines = StatsEngines.open(f"sqlite+inline:///{path}")
        try:
            return await engines.refresh(CALENDAR)
        finally:
            await engines.dispose()

    assert asyncio.run(replay()) > 3000 * 4
    assert snapshot() == filled
