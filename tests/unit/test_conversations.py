"""The wizards' step tables: one source for their graphs, drafts that read what is stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conversations import intake, registration
from conversations.drafts import IntakeDraft, ProofDraft, RegistrationDraft
from conversations.steps import Wizard
from handlers import staff
from presentation.texts import catalogue_keys

ROOT = Path(__file__).resolve().parents[2]
WIZARDS = {"registration": registration.WIZARD, "intake": intake.WIZARD,
           "staff": staff.QUESTIONS}


@pytest.mark.parametrize("name", WIZARDS)
def test_readme_holds_exactly_the_generated_graph(name: str) -> None:
    readme = (ROOT / "conversations" / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{WIZARDS[name].mermaid()}\n```" in readme


def test_graphs_are_written_nowhere_else() -> None:
    readme = (ROOT / "conversations" / "README.md").read_text(encoding="utf-8")
    assert len(re.findall(r"```mermaid\n", readme)) == len(WIZARDS)
    for package in ("conversations", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            assert path.name == "steps.py" or "stateDiagram" not in source, path


@pytest.mark.parametrize("wizard", WIZARDS.values(), ids=list(WIZARDS))
def test_every_row_names_texts_that_exist(wizard: Wizard) -> None:
    known = catalogue_keys("id")
    used = {s.prompt for s in wizard.steps} | {s.hint for s in wizard.steps}
    if wizard.no_back_hint:
        used.add(wizard.no_back_hint)
    assert used <= known, used - known


def test_every_back_and_next_stays_in_the_wizard() -> None:
    for wizard in WIZARDS.values():
        states = set(wizard.states)
        for row in wizard.steps:
            for target in (row.next, row.back, row.while_editing):
                assert target is None or target in states, (row.state, target)


def test_registration_draft_reads_rows_stored_before_it_existed() -> None:
    old = {"then_report": True, "consent_at": "2024-05-01T08:00:00+00:00", "name": "Siti",
           "phone": "+6281234567890"}
    draft = RegistrationDraft.from_state_data(old)
    assert draft == RegistrationDraft(True, datetime(2024, 5, 1, 8, tzinfo=UTC), "Siti",
                                      "+6281234567890")
    assert draft.to_state_data() == old
    assert RegistrationDraft.from_state_data({}) == RegistrationDraft()


def test_intake_draft_reads_rows_stored_before_it_existed() -> None:
    photo = {"file_id": "f1", "file_unique_id": "u1", "kind": "photo"}
    old = {"photos": [photo], "location": [3.3, 117.6], "landmark": None,
           "description": "Jalan berlubang di depan sekolah", "category": "roads",
           "editing": True, "album": "g1", "progress_msg": 42, "overflow_album": None,
           "touched_at": "2024-05-01T08:00:00+00:00", "resubmit_id": 7, "resubmit_version": 0,
           "some_future_key": 1}
    draft = IntakeDraft.from_state_data(old)
    assert draft.photos == (photo,) and draft.location == (3.3, 117.6)
    assert draft.editing and draft.progress_msg == 42 and draft.resubmit_version == 0
    assert draft.touched_at == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert IntakeDraft.from_state_data(draft.to_state_data()) == draft
    assert draft.report().category_key == "roads"
    assert IntakeDraft.from_state_data({}) == IntakeDraft()


def test_entering_the_photos_starts_them_again() -> None:
    photo = {"file_id": "f1", "file_unique_id": "u1", "kind": "photo"}
    draft = IntakeDraft(photos=(photo,), album="g1", progress_msg=3, description="x")
    again = draft.entering(intake.Intake.photos.state, editing=True)
    assert again == IntakeDraft(description="x", editing=True)
    assert draft.entering(intake.Intake.location.state, editing=True).photos == (photo,)


def test_proof_draft_reads_pending_questions_stored_before_it_existed() -> None:
    old = {"photos": [{"file_id": "f", "file_unique_id": "u", "kind": "document"}],
           "note": "Sudah diperbaiki", "summary_id": 9, "album": None}
    draft = ProofDraft.from_state_data(old)
    assert draft.to_state_data() == old
    assert [p.file_id for p in draft.proof()] == ["f"]
    assert ProofDraft.from_state_data({}) == ProofDraft()
