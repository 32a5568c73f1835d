"""The transition table's declared effects are the SOP's, and the services only apply them."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime

from complaints import lifecycle, workflow
from complaints.lifecycle import (
    TRANSITIONS,
    Action,
    Deadline,
    FieldEffect,
    Move,
    Recipient,
    mermaid,
    notices,
)
from complaints.model import CLEAR, NoticeKind, NoticeTarget, ReportChanges, ReportStatus

A, K, R = Action, NoticeKind, Recipient
FORWARDED = [(K.AGENCY_CARD, R.AGENCY), (K.COORDINATOR_FORWARDED, R.COORDINATOR),
             (K.CITIZEN_FORWARDED, R.CITIZEN)]
# who is told what at each SOP step (DESIGN.md, "The SOP, step by step")
TOLD = {
    A.SUBMIT: [(K.CITIZEN_SUBMITTED, R.CITIZEN), (K.ADMIN_CARD, R.ADMIN)],
    A.FORWARD: FORWARDED,
    A.RETURN: [(K.CITIZEN_RETURNED, R.CITIZEN)],
    A.RESUBMIT: [(K.CITIZEN_RESUBMITTED, R.CITIZEN), (K.ADMIN_CARD, R.ADMIN)],
    A.WITHDRAW: [(K.ADMIN_WITHDRAWN, R.ADMIN)],
    A.SEND_BACK: [(K.ADMIN_SENT_BACK, R.ADMIN), (K.COORDINATOR_SENT_BACK, R.COORDINATOR)],
    A.START: [(K.CITIZEN_IN_PROGRESS, R.CITIZEN)],
    A.REASSIGN: [(K.AGENCY_CARD, R.AGENCY), (K.COORDINATOR_FORWARDED, R.COORDINATOR),
                 (K.CITIZEN_REASSIGNED, R.CITIZEN), (K.AGENCY_REASSIGNED_AWAY, R.PREVIOUS_AGENCY)],
    A.RESOLVE: [(K.ADMIN_PROOF, R.ADMIN)],
    A.REJECT_PROOF: [(K.AGENCY_PROOF_REJECTED, R.AGENCY)],
    A.CLOSE: [(K.CITIZEN_CLOSED, R.CITIZEN), (K.COORDINATOR_CLOSED, R.COORDINATOR)],
    A.REOPEN: [(K.ADMIN_REOPENED, R.ADMIN), (K.COORDINATOR_REOPENED, R.COORDINATOR)],
}
V, F, N = Deadline.VERIFY, Deadline.FINISH, Deadline.NONE
# (starts, stops): 3 days for the admin to verify, 10 for the agency to finish
CLOCKS = {
    A.SUBMIT: (V, N), A.FORWARD: (F, V), A.RETURN: (N, V), A.RESUBMIT: (V, N),
    A.WITHDRAW: (N, V), A.SEND_BACK: (V, F), A.START: (N, N), A.REASSIGN: (F, N),
    A.RESOLVE: (N, F), A.REJECT_PROOF: (N, N), A.CLOSE: (N, N), A.REOPEN: (V, N),
}
SETS = {
    A.SEND_BACK: {FieldEffect.CLEAR_AGENCY},
    A.CLOSE: {FieldEffect.SET_CLOSED_AT},
    A.REOPEN: {FieldEffect.CLEAR_CLOSED_AT, FieldEffect.CLEAR_AGENCY},
}


def test_every_transition_tells_whom_the_sop_says() -> None:
    assert {a: [(t.kind, t.to) for t in tr.tells] for a, tr in TRANSITIONS.items()} == TOLD


def test_every_transition_moves_the_sop_clocks() -> None:
    assert {a: (t.starts, t.stops) for a, t in TRANSITIONS.items()} == CLOCKS


def test_field_effects_and_inputs() -> None:
    assert {a: set(t.sets) for a, t in TRANSITIONS.items() if t.sets} == SETS
    assert [a for a, t in TRANSITIONS.items() if t.takes_draft] == [A.RESUBMIT]
    reasons = {A.RETURN, A.SEND_BACK, A.REJECT_PROOF, A.REOPEN}
    assert {a for a, t in TRANSITIONS.items() if t.needs_reason} == reasons


def test_every_notice_kind_is_caused_by_some_transition_or_the_deadline_scheduler() -> None:
    told = {tell.kind for t in TRANSITIONS.values() for tell in t.tells}
    scheduled = {NoticeKind.SLA_REMINDER, NoticeKind.SLA_OVERDUE, NoticeKind.SLA_ESCALATION,
                 NoticeKind.SLA_DIGEST}  # complaints/deadlines.py
    assert told | scheduled == set(NoticeKind) - {NoticeKind.REFRESH_CARDS}
    assert not told & scheduled


def test_notices_are_addressed_from_the_move() -> None:
    move = Move(7, 100, agency="DLH", previous_agency="PUPR", reason="salah", reason_key="x")
    made = notices(TRANSITIONS[A.REASSIGN], move)
    assert [(n.kind, n.target, n.target_ref, n.params) for n in made] == [
        (K.AGENCY_CARD, NoticeTarget.AGENCY, "DLH", {}),
        (K.COORDINATOR_FORWARDED, NoticeTarget.COORDINATOR, "DLH", {}),
        (K.CITIZEN_REASSIGNED, NoticeTarget.CITIZEN, "100", {"agency": "DLH"}),
        (K.AGENCY_REASSIGNED_AWAY, NoticeTarget.AGENCY, "PUPR", {}),
    ]
    same_agency = Move(7, 100, agency="PUPR", previous_agency="PUPR")
    assert K.AGENCY_REASSIGNED_AWAY not in [
        n.kind for n in notices(TRANSITIONS[A.REASSIGN], same_agency)]
    sent_back = notices(TRANSITIONS[A.SEND_BACK], Move(7, 100, "PUPR", "PUPR", "bukan", None))
    assert sent_back[1].target_ref == "PUPR"
    assert sent_back[1].params == {"reason": "bukan", "reason_key": ""}
    resubmitted = notices(TRANSITIONS[A.RESUBMIT], Move(7, 100, None))
    assert resubmitted[1].params == {"resubmitted": "True"}


def test_act_has_no_branch_per_action() -> None:
    """Adding a transition means adding a row: act() never names an action."""
    tree = ast.parse(inspect.getsource(workflow.act))
    named = [node.attr for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
             and node.value.id == "Action"]
    assert named == []


def test_docstring_diagram_is_the_table() -> None:
    assert f"```mermaid\n{mermaid()}\n```" in (lifecycle.__doc__ or "")
    for transition in TRANSITIONS.values():
        assert transition.action.value in mermaid()


def test_report_changes_merge_and_clear() -> None:
    now = datetime(2026, 12, 3, tzinfo=UTC)
    first = ReportChanges(status=ReportStatus.SUBMITTED, agency_code="PUPR", updated_at=now)
    merged = first | ReportChanges(agency_code=CLEAR, closed_at=CLEAR)
    assert merged == ReportChanges(status=ReportStatus.SUBMITTED, agency_code=CLEAR,
                                   updated_at=now, closed_at=CLEAR)
    assert first | ReportChanges() == first
