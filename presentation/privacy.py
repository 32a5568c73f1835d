"""The privacy kit: buttons of /hapus_data, re-consent and blocking; the /data_saya file."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram import html
from aiogram.filters.callback_data import CallbackData

from complaints.model import CaseFile, PhotoRef
from complaints.privacy import PersonalData
from presentation.texts import Translator


class PrivacyAction(StrEnum):
    ERASE_YES = "ey"
    ERASE_NO = "en"
    CONSENT_YES = "cy"
    CONSENT_NO = "cn"


class PrivacyCb(CallbackData, prefix="pv1"):
    """A citizen's answer about their own data (erase, agree to a new consent text)."""

    action: PrivacyAction


class BlockAction(StrEnum):
    BLOCK = "b"
    UNBLOCK = "u"


class BlockCb(CallbackData, prefix="bk1"):
    """Block (asks a reason) or unblock the reporter of a report, from the admin group."""

    action: BlockAction
    report_id: int


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _photo(photo: PhotoRef) -> dict[str, str]:
    return {"file_id": photo.file_id, "file_unique_id": photo.file_unique_id,
            "kind": photo.kind.value}


def _report(case: CaseFile) -> dict[str, Any]:
    """One report as the citizen may see it: staff appear by role only, not by name."""
    return {
        "code": case.code, "status": case.status.value, "category": case.category_key,
        "description": case.description,
        "location": {"latitude": case.location.latitude, "longitude": case.location.longitude},
        "landmark": case.landmark, "address": case.address,
        "created_at": _at(case.created_at), "updated_at": _at(case.updated_at),
        "closed_at": _at(case.closed_at), "agency": case.agency_code,
        "resolution_note": case.resolution_note, "rating": case.rating,
        "rating_comment": case.rating_comment,
        "photos": [_photo(p) for p in case.photos],
        "proof_photos": [_photo(p) for p in case.proof_photos],
        "events": [{"at": _at(e.at), "action": e.action,
                    "from_status": e.from_status.value if e.from_status else None,
                    "to_status": e.to_status.value, "by_role": e.actor_role.value,
                    "note": e.note} for e in case.events],
    }


def export_document(data: PersonalData, now: datetime) -> bytes:
    """Everything held about the citizen, as UTF-8 JSON (the /data_saya file)."""
    citizen = data.citizen
    document = {
        "exported_at": now.isoformat(),
        "controller": "Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Tarakan",
        "profile": {
            "telegram_id": citizen.telegram_id, "name": citizen.name, "phone": citizen.phone,
            "language": citizen.language, "consent_at": _at(citizen.consent_at),
            "consent_version": citizen.consent_version,
            "first_contact_at": _at(data.registered_at),
            "blocked_reason": data.blocked_reason,
        },
        "reports": [_report(case) for case in data.reports],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def export_summary(t: Translator, data: PersonalData) -> str:
    """The readable summary sent with the file."""
    citizen = data.citizen
    codes = ", ".join(f"{c.code} ({t(f'status-{c.status.value}')})" for c in data.reports[:30])
    return t("export-summary", name=html.quote(citizen.name or "-"), phone=citizen.phone or "-",
             consent=t.datetime(citizen.consent_at) if citizen.consent_at else "-",
             version=citizen.consent_version or "-", reports=codes or "-")
