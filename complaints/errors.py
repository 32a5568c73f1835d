"""Domain errors carry a catalogue key so every front end can say them in the user's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaints.model import ReportStatus


class DomainError(Exception):
    """Base of every error a user can cause; `key` names the catalogue text that explains it."""

    key: str = "error-generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.key)


class InvalidInput(DomainError):
    """A value typed or sent by a user does not meet the step's rules."""

    key = "error-invalid-input"


class OutsideServiceArea(InvalidInput):
    """A location pin lies outside the city's service area."""

    key = "error-outside-area"


class NotRegistered(DomainError):
    """The citizen must register before filing a complaint."""

    key = "error-not-registered"


class ReportNotFound(DomainError):
    """No report with that code belongs to this citizen (or exists at all: we do not say which)."""

    key = "error-report-not-found"


class StaleReport(DomainError):
    """Someone else changed the report first; the action was not applied."""

    key = "error-already-handled"

    def __init__(self, *, name: str, at: datetime, status: ReportStatus) -> None:
        super().__init__(name=name, at=at, status=status)
        self.name, self.at, self.status = name, at, status


class NotAllowed(DomainError):
    """The presser's own role (or agency) does not allow this action."""

    key = "error-not-allowed"


class StaleButton(DomainError):
    """A button whose question was already answered or withdrawn."""

    key = "error-stale-button"
