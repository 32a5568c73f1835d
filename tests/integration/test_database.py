"""The database layer on SQLite and PostgreSQL: migrations, services, FSM storage, inbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from complaints import services
from complaints.calendar import WorkingCalendar
from complaints.errors import NotRegistered, ReportNotFound
from complaints.model import GeoPoint, PhotoKind, PhotoRef, ReportDraft, ReportStatus
from db.engine import create_engine, create_sessionmaker
from db.fsm import SqlStorage
from db.inbox import UpdateInbox
from db.migrate import downgrade, upgrade
from db.uow import SqlUnitOfWork
from tests.conftest import reset_postgres

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Thursday 10:00 WITA
CALENDAR = WorkingCalendar(ZoneInfo("Asia/Makassar"))
TABLES = {"citizens", "categories", "reports", "report_photos", "report_events", "fsm_states",
          "inbox_updates", "geocode_cache", "agencies", "staff", "chat_bindings", "link_codes",
          "outbox", "report_cards", "pending_inputs", "report_subscriptions", "sla_notices",
          "sla_digests", "report_steps", "stats_month", "stats_month_within", "stats_progress"}
TABLES |= {"unreachable_chats", "delivery_alerts"}  # 0005_delivery
TABLES |= {"update_sends"}  # 0009_replay


@pytest.fixture(params=["sqlite", "aiosqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return await reset_postgres()
    driver = "inline" if request.param == "sqlite" else request.param
    return f"sqlite+{driver}:///{tmp_path / 'test.db'}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(upgrade, database_url)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def _tables(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def test_migrations_stairway_up_down_up(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    assert await _tables(database_url) == TABLES
    await asyncio.to_thread(downgrade, database_url, "base")
    assert await _tables(database_url) == set()
    await asyncio.to_thread(upgrade, database_url)
    assert await _tables(database_url) == TABLES


def _draft(category: str = "roads", photos: int = 2) -> ReportDraft:
    return ReportDraft(
        photos=tuple(PhotoRef(f"file-{i}", f"u-{i}", PhotoKind.PHOTO) for i in range(photos)),
        location=GeoPoint(3.3, 117.63), description="Jalan berlubang di depan pasar Gusher.",
        category_key=category, landmark="Depan pasar")


async def test_register_submit_and_read_back(engine: AsyncEngine) -> None:
    uow = partial(SqlUnitOfWork, create_sessionmaker(engine))
    with pytest.raises(NotRegistered):
        await services.submit_report(uow(), 42, _draft(), now=NOW, calendar=CALENDAR)
    await services.register_citizen(uow(), 42, name="Budi", phone="+6281234567890",
                                    language="id", consent_at=NOW, now=NOW)
    result = await services.submit_report(uow(), 42, _draft(), now=NOW, calendar=CALENDAR)
    assert result.verify_due == datetime(2026, 12, 8, 23, 59, 59, tzinfo=ZoneInfo("Asia/Makassar"))
    view = await services.get_my_report(uow(), 42, result.code)
    assert view.status is ReportStatus.SUBMITTED
    assert [p.file_id for p in view.photos] == ["file-0", "file-1"]
    assert view.created_at == NOW and view.created_at.tzinfo is not None
    assert [(e.action, e.to_status) for e in view.events] == [("submit", ReportStatus.SUBMITTED)]
    assert [r.code for r in await services.list_my_reports(uow(), 42)] == [result.code]
    with pytest.raises(ReportNotFound):
        await services.get_my_report(uow(), 43, result.code)


async def test_failed_service_call_leaves_nothing(engine: AsyncEngine) -> None:
    uow = partial(SqlUnitOfWork, create_sessionmaker(engine))
    await services.register_citizen(uow(), 7, name="Sari", phone="+6281234567890",
                                    language="id", consent_at=NOW, now=NOW)
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll back
        await services.submit_report(uow(), 7, _draft(category="nope"), now=NOW,
                                     calendar=CALENDAR)
    async with engine.connect() as connection:
        assert (await connection.scalar(text("select count(*) from reports"))) == 0


async def test_concurrent_submissions_all_land(engine: AsyncEngine) -> None:
    uow = partial(SqlUnitOfWork, create_sessionmaker(engine))
    for citizen in range(1, 21):
        await services.register_citizen(uow(), citizen, name="Warga", phone="+6281234567890",
                                        language="id", consent_at=NOW, now=NOW)
    results = await asyncio.gather(*(
        services.submit_report(uow(), citizen, _draft(), now=NOW, calendar=CALENDAR)
        for citizen in range(1, 21)))
    assert len({r.code for r in results}) == 20


async def test_fsm_state_survives_a_new_storage(engine: AsyncEngine) -> None:
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    storage = SqlStorage(create_sessionmaker(engine))
    await storage.set_state(key, "Intake:location")
    await storage.update_data(key, {"photos": [{"file_id": "a"}]})
    await storage.update_data(key, {"touched_at": NOW.isoformat()})
    again = SqlStorage(create_sessionmaker(engine))
    assert await again.get_state(key) == "Intake:location"
    assert await again.get_data(key) == {"photos": [{"file_id": "a"}],
                                         "touched_at": NOW.isoformat()}
    await again.set_state(key, None)
    assert await again.get_state(key) is None
    assert await SqlStorage(create_sessionmaker(engine)).get_state(key) is None
    assert await storage.get_data(StorageKey(bot_id=1, chat_id=6, user_id=6)) == {}


async def test_fsm_storage_keeps_only_recent_chats_in_memory_and_loses_no_write(
        engine: AsyncEngine) -> None:
    keys = [StorageKey(bot_id=1, chat_id=c, user_id=c) for c in range(10, 15)]
    storage = SqlStorage(create_sessionmaker(engine), cache_size=2)
    storage.deferred = True  # as the bot runs it: written in one batch, later
    for number, key in enumerate(keys):
        await storage.set_state(key, "Intake:description")
        await storage.set_data(key, {"n": number})
    assert len(storage._cache) == 2  # the three oldest chats were evicted before the flush
    assert await storage.get_data(keys[0]) == {"n": 0}  # ...and still read back as written
    await storage.flush()
    fresh = SqlStorage(create_sessionmaker(engine))
    assert [await fresh.get_data(key) for key in keys] == [{"n": n} for n in range(5)]
    await engine.dispose()  # from here on a query would reconnect: count the connections
    connections: list[object] = []
    event.listen(engine.sync_engine, "connect", lambda *args: connections.append(args))
    assert await storage.get_state(keys[-1]) == "Intake:description"  # recent: from memory
    assert connections == []
    assert await storage.get_state(keys[1]) == "Intake:description"  # evicted: read back
    assert len(connections) == 1 and len(storage._cache) == 2


async def test_inbox_records_once_and_remembers_pending(engine: AsyncEngine) -> None:
    inbox = UpdateInbox(create_sessionmaker(engine))
    batch = [(10, "5", {"update_id": 10}), (11, "5", {"update_id": 11})]
    assert await inbox.record(batch) == [10, 11]
    assert await inbox.record(batch) == []  # a redelivered update is a no-op
    await inbox.mark_handled(10)
    assert [u[0] for u in await inbox.pending()] == [11]
    assert await inbox.last_update_id() == 11
    assert await inbox.purge(older_than=timedelta(seconds=-1)) == 1
    assert [u[0] for u in await inbox.pending()] == [11]


async def test_outbox_workers_keep_each_chats_notices_in_order(engine: AsyncEngine) -> None:
    """A worker never takes a chat's next notice while another is sending or will retry an
    earlier one: the citizen reads them in the order they were written."""
    from db.models import OutboxRow
    from db.outbox import OutboxStore

    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        session.add_all(OutboxRow(kind="citizen_forwarded", target="citizen", target_ref=chat,
                                  params={}, status="pending", attempts=0,
                                  next_attempt_at=NOW, created_at=NOW)
                        for chat in ("7", "8", "7", "9"))
    store = OutboxStore(sessionmaker)
    [first] = await store.claim(NOW, limit=1)  # worker A sends chat 7's first notice
    assert [item.target_ref for item in await store.claim(NOW)] == ["8", "9"]  # worker B
    await store.retry(first.id, NOW + timedelta(seconds=10), "502 Bad Gateway")
    assert await store.claim(NOW) == []  # chat 7's second waits for the first's retry
    both = await store.claim(NOW + timedelta(seconds=10))  # sent by one worker, in this order
    assert [item.target_ref for item in both] == ["7", "7"] and both[0].id == first.id


async def test_a_live_worker_keeps_its_rows_and_a_dead_ones_are_taken_over(
        engine: AsyncEngine) -> None:
    """Leases are short and renewed: a killed process's rows wait one lease, not minutes."""
    from db.models import OutboxRow
    from db.outbox import LEASE, OutboxStore

    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        session.add_all(OutboxRow(kind="citizen_forwarded", target="citizen", target_ref=chat,
                                  params={}, status="pending", attempts=0,
                                  next_attempt_at=NOW, created_at=NOW) for chat in ("7", "8"))
    store = OutboxStore(sessionmaker)
    alive, dead = await store.claim(NOW)  # one worker takes both; one of its rows it renews
    later = NOW + LEASE + timedelta(seconds=5)
    await store.renew([alive.id], later + LEASE)
    taken_over = await store.claim(later)  # another process, after the lease
    assert [item.id for item in taken_over] == [dead.id] and taken_over[0].attempts == 2
