"""Settings from the environment (and an optional .env); a bad value stops start-up in one line."""

from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from complaints.calendar import WorkingCalendar
from complaints.model import ServiceArea

# Kota Tarakan (Tarakan and Sadau islands) fits in this box, read off OpenStreetMap's
# administrative boundary of Kota Tarakan (relation "Kota Tarakan", admin_level 5) and rounded
# outward by about 1 km; override with SERVICE_AREA="south,west,north,east".
DEFAULT_SERVICE_AREA = "3.19,117.47,3.48,117.73"
SERVICE_AREA_SOURCE = "approximate box around OpenStreetMap's Kota Tarakan boundary"
DATABASE_SCHEMES = ("sqlite+inline://", "sqlite+aiosqlite://", "postgresql+asyncpg://")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    bot_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite+inline:///./data/lapor.db"
    redis_url: str | None = None
    default_language: str = "id"
    timezone: str = "Asia/Makassar"
    service_area: str = DEFAULT_SERVICE_AREA
    calendar_days: bool = False
    geocoder_url: str | None = None
    geocoder_user_agent: str = "lapor-tarakan-bot"
    geocoder_timeout: float = Field(default=5.0, gt=0)
    draft_resume_after_minutes: int = Field(default=120, ge=1)
    log_level: str = "INFO"
    stop_timeout: float = Field(default=30.0, gt=0)
    # Telegram's limits for bots: about 1 message/s per chat and 20/min per group.
    private_message_interval: float = Field(default=1.0, ge=0)
    group_message_interval: float = Field(default=3.0, ge=0)
    # A 429 asking to wait longer than this is not waited out in-line: an outbox row is
    # retried later instead (a handler's reply that must arrive goes through the outbox).
    max_retry_after: float = Field(default=60.0, gt=0)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        bot_id, _, secret = value.get_secret_value().partition(":")
        if not bot_id.isdigit() or len(secret) < 20:
            raise ValueError("does not look like a token from @BotFather (digits:secret)")
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError("must be 'id' or 'en'")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("service_area")
    @classmethod
    def _area(cls, value: str) -> str:
        parse_service_area(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str) -> str:
        if not value.startswith(DATABASE_SCHEMES):
            raise ValueError(f"must start with {', '.join(DATABASE_SCHEMES[:-1])} or "
                             f"{DATABASE_SCHEMES[-1]}")
        return value

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def area(self) -> ServiceArea:
        return parse_service_area(self.service_area)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.zone, calendar_days=self.calendar_days)


def parse_service_area(value: str) -> ServiceArea:
    """"south,west,north,east" in degrees into a ServiceArea."""
    try:
        south, west, north, east = (float(p) for p in value.split(","))
    except ValueError as exc:
        raise ValueError("expected four numbers: south,west,north,east") from exc
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise ValueError("expected south < north and west < east, in degrees")
    return ServiceArea(south, west, north, east, SERVICE_AREA_SOURCE)


def load_settings(**overrides: object) -> Settings:
    """Settings or ConfigError naming the first bad variable in one line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Configuration error: {name}: {message}") from None
