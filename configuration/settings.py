"""Settings from the environment (and an optional .env); a bad value stops start-up in one line."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from complaints.calendar import WorkingCalendar, parse_days
from complaints.model import ServiceArea
from complaints.privacy import CONSENT_VERSION
from complaints.sla import SlaPolicy

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
    # local holidays and collective leave (cuti bersama) beside the national calendar:
    # dates "2026-12-24,2026-12-26", or the path of a file with one date per line
    extra_holidays: str = ""
    # the SOP's service standards per step (complaints/sla.py) and the scheduler's leads
    sla_verify_days: int = Field(default=3, ge=1)
    sla_agency_start_days: int = Field(default=3, ge=1)
    sla_agency_finish_days: int = Field(default=10, ge=1)
    sla_document_minutes: int = Field(default=5, ge=1)
    sla_remind_before_days: int = Field(default=1, ge=0)
    sla_escalate_after_days: int = Field(default=0, ge=0)
    sla_check_interval: float = Field(default=60.0, gt=0)  # seconds between scheduler rounds
    digest_hour: int = Field(default=8, ge=0, le=23)  # local hour of the coordinator's digest
    geocoder_url: str | None = None
    geocoder_user_agent: str = "lapor-tarakan-bot"
    geocoder_timeout: float = Field(default=5.0, gt=0)
    geocoder_retries: int = Field(default=4, ge=0, le=10)
    geocoder_retry_delay: float = Field(default=2.0, ge=0)  # doubled at each retry
    draft_resume_after_minutes: int = Field(default=120, ge=1)
    # "is it one of these?": open reports of the same category this near and this recent
    duplicate_radius_m: float = Field(default=100.0, ge=0)  # 0 turns the offer off
    duplicate_window_days: int = Field(default=14, ge=1)
    log_level: str = "INFO"
    # Webhook mode (`lapor-bot --webhook`): Telegram posts to WEBHOOK_URL + WEBHOOK_PATH, which
    # a proxy with TLS passes to WEBHOOK_HOST:WEBHOOK_PORT; WEBHOOK_SECRET must come with it.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram/webhook"
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    redis_prefix: str = Field(default="fsm", min_length=1)
    stop_timeout: float = Field(default=30.0, gt=0)
    # Telegram's limits for bots: about 1 message/s per chat and 20/min per group.
    private_message_interval: float = Field(default=1.0, ge=0)
    group_message_interval: float = Field(default=3.0, ge=0)
    global_message_rate: float = Field(default=30.0, ge=0)  # ~30/s for the whole bot; 0: unpaced
    # privacy and abuse controls (issue 10)
    consent_version: str = Field(default=CONSENT_VERSION, min_length=1, max_length=16)
    retention_days: int | None = Field(default=None, ge=1)  # None: the purge job is off
    retention_check_hours: float = Field(default=24.0, gt=0)
    daily_report_limit: int = Field(default=5, ge=1)
    flood_messages: int = Field(default=60, ge=1)  # per flood window, per citizen
    flood_window_seconds: int = Field(default=60, ge=1)
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

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        secret = value.get_secret_value()
        if not 16 <= len(secret) <= 256 or not all(c.isascii() and (c.isalnum() or c in "_-")
                                                   for c in secret):
            raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - "
                             "(e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// address Telegram posts to")
        return value.rstrip("/")

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or value in ("/healthz", "/readyz"):
            raise ValueError("must start with / (and not be /healthz or /readyz)")
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

    @field_validator("extra_holidays")
    @classmethod
    def _days_off(cls, value: str) -> str:
        read_days_off(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str) -> str:
        if not value.startswith(DATABASE_SCHEMES):
            raise ValueError(f"must start with {', '.join(DATABASE_SCHEMES[:-1])} or "
                             f"{DATABASE_SCHEMES[-1]}")
        return value

    @property
    def webhook_endpoint(self) -> str:
        """The full address Telegram posts updates to."""
        if not self.webhook_url:
            raise ConfigError("Configuration error: WEBHOOK_URL: must be set for --webhook "
                              "(the public https:// address of this bot)")
        return self.webhook_url + self.webhook_path

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def area(self) -> ServiceArea:
        return parse_service_area(self.service_area)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.zone, calendar_days=self.calendar_days,
                               extra_holidays=read_days_off(self.extra_holidays))

    @cached_property
    def sla(self) -> SlaPolicy:
        return SlaPolicy(
            verify_days=self.sla_verify_days, agency_start_days=self.sla_agency_start_days,
            agency_finish_days=self.sla_agency_finish_days,
            document_minutes=self.sla_document_minutes,
            remind_before_days=self.sla_remind_before_days,
            escalate_after_days=self.sla_escalate_after_days)


def read_days_off(value: str) -> frozenset[date]:
    """EXTRA_HOLIDAYS as dates: listed inline, or the path of a file listing them."""
    value = value.strip()
    if not value:
        return frozenset()
    path = Path(value)
    try:
        return parse_days(path.read_text(encoding="utf-8") if path.is_file() else value)
    except ValueError as exc:
        raise ValueError(f"expected dates like 2026-12-24, or a file of them ({exc})") from exc


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
