"""Addresses for report pins, looked up after submission so the citizen never waits for it.

geopy's Nominatim client (async adapter) with a timeout, at most one request a second
(Nominatim's usage policy) and a cache by rounded coordinates. With no geocoder configured, or
when it fails, a report simply keeps its coordinates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from geopy.adapters import AioHTTPAdapter
from geopy.exc import (
    ConfigurationError,
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderQueryError,
    GeocoderRateLimited,
    GeopyError,
)
from geopy.extra.rate_limiter import AsyncRateLimiter
from geopy.geocoders import Nominatim

from complaints.clock import utc_now
from complaints.model import GeoPoint
from db.geocode_cache import GeocodeCache
from presentation.context import AppContext

log = logging.getLogger(__name__)


def cache_key(point: GeoPoint) -> str:
    """About 11 m of rounding: pins that close share an address."""
    return f"{point.latitude:.4f},{point.longitude:.4f}"


class AddressLookup:
    """Reverse geocoding through Nominatim, politely rate-limited and cached in the database."""

    def __init__(self, url: str, cache: GeocodeCache, *, user_agent: str, timeout: float,
                 language: str = "id", retries: int = 4, retry_delay: float = 2.0) -> None:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        self._geocoder = Nominatim(
            domain=parts.netloc + parts.path.rstrip("/"), scheme=parts.scheme,
            user_agent=user_agent, timeout=timeout, adapter_factory=AioHTTPAdapter)
        self._reverse = AsyncRateLimiter(self._geocoder.reverse, min_delay_seconds=1.0,
                                         max_retries=0, swallow_exceptions=False)
        self._cache = cache
        self._language = language
        self._retries = retries
        self._retry_delay = retry_delay

    async def __aenter__(self) -> AddressLookup:
        await self._geocoder.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._geocoder.__aexit__(*exc)

    async def address(self, point: GeoPoint) -> str | None:
        """The address for a pin, from the cache or Nominatim; raises GeopyError on failure."""
        key = cache_key(point)
        found_before, cached = await self._cache.get(key)
        if found_before:
            return cached
        found = await self._reverse_with_backoff(point)
        address = found.address if found else None
        await self._cache.put(key, address, utc_now())
        return address


    async def _reverse_with_backoff(self, point: GeoPoint) -> Any:
        """Nominatim's answer; a timeout, 5xx or 429 is retried after 1, 2, 4, … delays."""
        for attempt in range(self._retries + 1):
            try:
                return await self._reverse((point.latitude, point.longitude),
                                           language=self._language, exactly_one=True)
            except _FOR_GOOD:
                raise
            except (TimeoutError, GeopyError, OSError) as exc:
                if attempt == self._retries:
                    raise
                delay = self._retry_delay * 2 ** attempt
                if isinstance(exc, GeocoderRateLimited) and exc.retry_after:
                    delay = max(delay, float(exc.retry_after))
                log.info("address lookup failed (%s); retry %d of %d in %.1fs",
                         type(exc).__name__, attempt + 1, self._retries, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


# Answers that will not change on a retry: a bad query, a refused key or a wrong setup.
_FOR_GOOD = (ConfigurationError, GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges,
             GeocoderQueryError)


async def resolve_addresses(app: AppContext, lookup: AddressLookup | None) -> int:
    """Fill the address of every report that has none yet; returns how many were looked up."""
    done = 0
    while True:
        async with app.uow() as uow:
            pending = await uow.reports.missing_addresses(limit=20)
        if not pending:
            return done
        for report_id, point in pending:
            address = None
            if lookup is not None:
                try:
                    address = await lookup.address(point)
                except (TimeoutError, GeopyError, OSError) as exc:
                    log.warning("address lookup failed for report %s: %s", report_id, exc)
            async with app.uow() as uow:
                await uow.reports.set_address(report_id, address)
                await uow.commit()
            done += 1


async def address_worker(app: AppContext, lookup: AddressLookup | None,
                         wakeup: asyncio.Event, idle_seconds: float = 60.0) -> None:
    """Runs beside the bot: wakes on each submission (and every minute) to fill addresses."""
    while True:
        try:
            await resolve_addresses(app, lookup)
        except Exception:
            log.exception("address worker failed; retrying later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=idle_seconds)
        wakeup.clear()
