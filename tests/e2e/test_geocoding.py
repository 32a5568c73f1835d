"""Addresses are looked up after submission against a small fake Nominatim on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sqlalchemy import text

from configuration.settings import Settings
from db.engine import create_engine
from simulator import BotApiSimulator
from tests.conftest import RunningBot
from tests.e2e.flows import expect, file_until_review, register, submit


class FakeNominatim:
    """Answers /reverse like Nominatim does; can be told to fail."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.fail = False
        self.failures_left = 0  # this many answers are 503 before it works again
        self.url = ""

    async def reverse(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.query))
        if self.fail or self.failures_left > 0:
            self.failures_left -= 1
            return web.json_response({"error": "overloaded"}, status=503)
        lat, lon = request.query["lat"], request.query["lon"]
        return web.json_response({
            "place_id": 1, "lat": lat, "lon": lon,
            "display_name": "Jalan Yos Sudarso, Sebengkok, Tarakan Tengah, Kota Tarakan, "
                            "Kalimantan Utara, 77113, Indonesia",
            "address": {"road": "Jalan Yos Sudarso", "city": "Kota Tarakan"},
        })


@pytest.fixture
async def nominatim() -> AsyncIterator[FakeNominatim]:
    fake = FakeNominatim()
    app = web.Application()
    app.router.add_get("/reverse", fake.reverse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


async def _addresses(settings: Settings) -> list[tuple[str | None, bool]]:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("select address, address_checked from reports order by id"))
            return [(address, bool(checked)) for address, checked in rows]
    finally:
        await engine.dispose()


async def _wait_checked(settings: Settings, count: int) -> list[tuple[str | None, bool]]:
    for _ in range(100):
        rows = await _addresses(settings)
        if len(rows) == count and all(checked for _, checked in rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"addresses not checked: {await _addresses(settings)}")


async def test_address_found_after_submission_and_cached(
        sim: BotApiSimulator, settings: Settings, nominatim: FakeNominatim) -> None:
    running = RunningBot(settings.model_copy(update={"geocoder_url": nominatim.url}), sim)
    await running.start()
    try:
        citizen = sim.user("Budi")
        await register(citizen)
        code = await submit(citizen, await file_until_review(citizen))
        rows = await _wait_checked(running.settings, 1)
        assert rows[0][0].startswith("Jalan Yos Sudarso, Sebengkok")
        assert nominatim.requests[0]["lat"].startswith("3.3")
        await citizen.send_text(f"/status {code}")
        await expect(citizen, "Jalan Yos Sudarso, Sebengkok")
        await submit(citizen, await file_until_review(citizen))  # same spot: from the cache
        await _wait_checked(running.settings, 2)
        assert len(nominatim.requests) == 1
    finally:
        await running.stop()


def _with_geocoder(settings: Settings, url: str) -> Settings:
    """The fake Nominatim, with retries a test can wait for (0.05 s, doubling)."""
    return settings.model_copy(update={"geocoder_url": url, "geocoder_retry_delay": 0.05,
                                       "geocoder_retries": 3})


async def test_failed_lookup_is_retried_with_backoff_until_it_works(
        sim: BotApiSimulator, settings: Settings, nominatim: FakeNominatim) -> None:
    nominatim.failures_left = 2
    running = RunningBot(_with_geocoder(settings, nominatim.url), sim)
    await running.start()
    try:
        citizen = sim.user("Dewi")
        await register(citizen, name="Dewi")
        code = await submit(citizen, await file_until_review(citizen))
        rows = await _wait_checked(running.settings, 1)
        assert rows[0][0] is not None and rows[0][0].startswith("Jalan Yos Sudarso")
        assert len(nominatim.requests) == 3  # two 503s, then the answer
        await citizen.send_text(f"/status {code}")
        await expect(citizen, "Jalan Yos Sudarso, Sebengkok")
    finally:
        await running.stop()


async def test_geocoder_down_keeps_coordinates_and_nothing_breaks(
        sim: BotApiSimulator, settings: Settings, nominatim: FakeNominatim) -> None:
    nominatim.fail = True
    running = RunningBot(_with_geocoder(settings, nominatim.url), sim)
    await running.start()
    try:
        citizen = sim.user("Sari")
        await register(citizen, name="Sari")
        code = await submit(citizen, await file_until_review(citizen))
        rows = await _wait_checked(running.settings, 1)
        assert rows == [(None, True)]
        assert len(nominatim.requests) == 4  # the first try and three retries, then it gives up
        await citizen.send_text(f"/status {code}")
        detail = await expect(citizen, f"Laporan {code}", "Menunggu verifikasi")
        assert "openstreetmap.org/?mlat=3.300000&amp;mlon=117.633000" in detail.text
    finally:
        await running.stop()


async def test_without_geocoder_reports_keep_coordinates_until_one_is_configured(
        sim: BotApiSimulator, settings: Settings, nominatim: FakeNominatim) -> None:
    running = RunningBot(settings, sim)
    await running.start()
    citizen = sim.user("Tono")
    try:
        await register(citizen, name="Tono")
        code = await submit(citizen, await file_until_review(citizen))
        await citizen.send_text(f"/status {code}")
        detail = await expect(citizen, f"Laporan {code}", "Menunggu verifikasi")
        assert "openstreetmap.org/?mlat=3.300000&amp;mlon=117.633000" in detail.text
        assert await _addresses(settings) == [(None, False)]
    finally:
        await running.stop()
    running = RunningBot(settings.model_copy(update={"geocoder_url": nominatim.url}), sim)
    await running.start()
    try:
        rows = await _wait_checked(running.settings, 1)
        assert rows[0][0].startswith("Jalan Yos Sudarso, Sebengkok")
        await citizen.send_text(f"/status {code}")
        await expect(citizen, "Jalan Yos Sudarso, Sebengkok")
    finally:
        await running.stop()
