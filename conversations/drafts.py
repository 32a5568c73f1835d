"""Typed drafts of the wizards, stored under the same keys the FSM rows already hold.

The keys are the ones the untyped dicts used, so rows written before this module existed
load unchanged after a deploy, and unknown or missing keys fall back to defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar, Self

from complaints.model import GeoPoint, PhotoKind, PhotoRef, ReportDraft


def _when(value: Any) -> datetime | None:
    """An ISO time as stored, or None for a missing or unreadable one."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _photos(value: Any) -> tuple[dict[str, str], ...]:
    """Pictures as `presentation.media.picture_of` gives them (file id, unique id, kind)."""
    return tuple(dict(p) for p in value or () if isinstance(p, Mapping))


@dataclass(frozen=True, slots=True)
class RegistrationDraft:
    """What registration has gathered so far."""

    then_report: bool = False  # /lapor brought them here: the report follows
    consent_at: datetime | None = None
    name: str | None = None
    phone: str | None = None
    consent_version: str | None = None  # the version of the consent text agreed to
    editing: ClassVar[bool] = False  # registration has no review to return to

    @classmethod
    def from_state_data(cls, data: Mapping[str, Any]) -> Self:
        """Tolerant of rows stored by older code: missing keys take their defaults."""
        return cls(then_report=bool(data.get("then_report")),
                   consent_at=_when(data.get("consent_at")),
                   name=data.get("name"), phone=data.get("phone"),
                   consent_version=data.get("consent_version"))

    def to_state_data(self) -> dict[str, Any]:
        """JSON for the FSM storage, under the keys older code used."""
        data: dict[str, Any] = {"then_report": self.then_report,
                                "consent_at": _iso(self.consent_at)}
        if self.consent_version is not None:
            data["consent_version"] = self.consent_version
        if self.name is not None:
            data["name"] = self.name
        if self.phone is not None:
            data["phone"] = self.phone
        return data

    def entering(self, step: str, *, editing: bool) -> Self:
        """Going back keeps what was typed (it is asked again and replaced)."""
        return self

    def touched(self, now: datetime) -> Self:
        """Registration is short: an old one is not offered to be resumed."""
        return self


@dataclass(frozen=True, slots=True)
class IntakeDraft:
    """A complaint being filed (or a returned one being fixed)."""

    photos: tuple[dict[str, str], ...] = ()
    location: tuple[float, float] | None = None
    landmark: str | None = None
    description: str | None = None
    category: str | None = None
    editing: bool = False  # a step opened from the review returns to it
    album: str | None = None  # media group of the photos coming in
    progress_msg: int | None = None  # the "n of 5 received" message edited per album photo
    overflow_album: str | None = None  # album already told it brought too many photos
    touched_at: datetime | None = None  # an old draft asks "continue or start over?"
    resubmit_id: int | None = None  # fixing this returned report
    resubmit_version: int | None = None
    anonymous: bool = False  # set on the review: the agency never sees who reported
    confidential: bool = False  # set on the review: admin group and agency only
    offered: tuple[int, ...] = ()  # reports offered as "is it one of these?"
    draft_id: str | None = None  # made when the wizard starts: Send files this draft once

    @classmethod
    def from_state_data(cls, data: Mapping[str, Any]) -> Self:
        """Tolerant of rows stored by older code: missing keys take their defaults."""
        location = data.get("location")
        return cls(
            photos=_photos(data.get("photos")),
            location=(float(location[0]), float(location[1])) if location else None,
            landmark=data.get("landmark"), description=data.get("description"),
            category=data.get("category"), editing=bool(data.get("editing")),
            album=data.get("album"), progress_msg=data.get("progress_msg"),
            overflow_album=data.get("overflow_album"), touched_at=_when(data.get("touched_at")),
            resubmit_id=data.get("resubmit_id"), resubmit_version=data.get("resubmit_version"),
            anonymous=bool(data.get("anonymous")), confidential=bool(data.get("confidential")),
            offered=tuple(int(i) for i in data.get("offered") or ()),
            draft_id=data.get("draft_id"),
        )

    def to_state_data(self) -> dict[str, Any]:
        """JSON for the FSM storage, under the keys older code used (unset ones left out)."""
        data: dict[str, Any] = {
            "photos": [dict(p) for p in self.photos],
            "location": list(self.location) if self.location else None,
            "landmark": self.landmark, "description": self.description,
            "category": self.category, "editing": self.editing, "album": self.album,
            "progress_msg": self.progress_msg, "overflow_album": self.overflow_album,
            "touched_at": _iso(self.touched_at), "resubmit_id": self.resubmit_id,
            "resubmit_version": self.resubmit_version, "anonymous": self.anonymous,
            "confidential": self.confidential, "offered": list(self.offered),
            "draft_id": self.draft_id,
        }
        return {key: value for key, value in data.items()
                if value is not None and value is not False and value != []}

    def entering(self, step: str, *, editing: bool) -> Self:
        """Entering the photo step starts the photos again; the flag says where to go after."""
        if step.endswith(":photos"):
            return replace(self, editing=editing, photos=(), album=None, progress_msg=None)
        return replace(self, editing=editing)

    def touched(self, now: datetime) -> Self:
        """Every change stamps the draft, so an old draft can be recognised later."""
        return replace(self, touched_at=now)

    def report(self) -> ReportDraft:
        """The finished draft as the domain takes it."""
        assert self.location is not None and self.description and self.category
        return ReportDraft(
            photos=tuple(PhotoRef(p["file_id"], p["file_unique_id"], PhotoKind(p["kind"]))
                         for p in self.photos),
            location=GeoPoint(*self.location), description=self.description,
            category_key=self.category, landmark=self.landmark, anonymous=self.anonymous,
            confidential=self.confidential,
        )


@dataclass(frozen=True, slots=True)
class ProofDraft:
    """A staff member's proof being assembled from replies (photos, a note)."""

    photos: tuple[dict[str, str], ...] = ()
    note: str | None = None
    summary_id: int | None = None  # the summary message edited per album photo
    album: str | None = None

    @classmethod
    def from_state_data(cls, data: Mapping[str, Any]) -> Self:
        """Tolerant of pending questions stored by older code."""
        return cls(photos=_photos(data.get("photos")), note=data.get("note"),
                   summary_id=data.get("summary_id"), album=data.get("album"))

    def to_state_data(self) -> dict[str, Any]:
        """JSON for the pending question's row, under the keys older code used."""
        data: dict[str, Any] = {"photos": [dict(p) for p in self.photos],
                                "album": self.album}
        if self.note is not None:
            data["note"] = self.note
        if self.summary_id is not None:
            data["summary_id"] = self.summary_id
        return data

    def proof(self) -> tuple[PhotoRef, ...]:
        """The pictures as the domain takes them."""
        return tuple(PhotoRef(p["file_id"], p["file_unique_id"], PhotoKind(p["kind"]))
                     for p in self.photos)
