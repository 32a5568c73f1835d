"""Addresses already looked up, by rounded coordinates, so Nominatim is asked once per spot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import GeocodeCacheRow


class GeocodeCache:
    """The geocode_cache table; each call is its own short transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def get(self, key: str) -> tuple[bool, str | None]:
        """(found, address); a found entry may hold None: Nominatim knew no address there."""
        async with self._sessionmaker() as session:
            cached = await session.get(GeocodeCacheRow, key)
            return (False, None) if cached is None else (True, cached.address)

    async def put(self, key: str, address: str | None, now: datetime) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.merge(GeocodeCacheRow(key=key, address=address, created_at=now))
