"""Every (status, action, role) triple: allowed exactly where the lifecycle table says."""

from __future__ import annotations

import itertools

import pytest

from complaints.lifecycle import TRANSITIONS, Action, TransitionNotAllowed, plan
from complaints.model import ReportStatus as S
from complaints.model import Role as R

ALLOWED = {
    (None, Action.SUBMIT, R.CITIZEN): S.SUBMITTED,
    (S.SUBMITTED, Action.FORWARD, R.ADMIN): S.FORWARDED,
    (S.SUBMITTED, Action.FORWARD, R.SUPERADMIN): S.FORWARDED,
    (S.SUBMITTED, Action.RETURN, R.ADMIN): S.RETURNED,
    (S.SUBMITTED, Action.RETURN, R.SUPERADMIN): S.RETURNED,
    (S.RETURNED, Action.RESUBMIT, R.CITIZEN): S.SUBMITTED,
    (S.SUBMITTED, Action.WITHDRAW, R.CITIZEN): S.WITHDRAWN,
    (S.RETURNED, Action.WITHDRAW, R.CITIZEN): S.WITHDRAWN,
    (S.FORWARDED, Action.SEND_BACK, R.OPD): S.SUBMITTED,
    (S.IN_PROGRESS, Action.SEND_BACK, R.OPD): S.SUBMITTED,
    (S.FORWARDED, Action.START, R.OPD): S.IN_PROGRESS,
    (S.FORWARDED, Action.REASSIGN, R.ADMIN): S.FORWARDED,
    (S.FORWARDED, Action.REASSIGN, R.SUPERADMIN): S.FORWARDED,
    (S.IN_PROGRESS, Action.REASSIGN, R.ADMIN): S.FORWARDED,
    (S.IN_PROGRESS, Action.REASSIGN, R.SUPERADMIN): S.FORWARDED,
    (S.FORWARDED, Action.REASSIGN, R.COORDINATOR): S.FORWARDED,  # from the escalation list
    (S.IN_PROGRESS, Action.REASSIGN, R.COORDINATOR): S.FORWARDED,
    (S.IN_PROGRESS, Action.RESOLVE, R.OPD): S.RESOLVED,
    (S.RESOLVED, Action.REJECT_PROOF, R.ADMIN): S.IN_PROGRESS,
    (S.RESOLVED, Action.REJECT_PROOF, R.SUPERADMIN): S.IN_PROGRESS,
    (S.RESOLVED, Action.CLOSE, R.ADMIN): S.CLOSED,
    (S.RESOLVED, Action.CLOSE, R.SUPERADMIN): S.CLOSED,
    (S.CLOSED, Action.REOPEN, R.CITIZEN): S.SUBMITTED,
}

TRIPLES = list(itertools.product([None, *S], list(Action), list(R)))


@pytest.mark.parametrize("status, action, role", TRIPLES,
                         ids=[f"{s}-{a}-{r}" for s, a, r in TRIPLES])
def test_transition_table(status: S | None, action: Action, role: R) -> None:
    expected = ALLOWED.get((status, action, role))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            plan(action, status, role)
    else:
        assert plan(action, status, role).target == expected


def test_inputs_each_transition_requires() -> None:
    assert TRANSITIONS[Action.RETURN].needs_reason
    assert TRANSITIONS[Action.FORWARD].needs_agency
    assert TRANSITIONS[Action.RESOLVE].needs_proof
    assert TRANSITIONS[Action.SEND_BACK].needs_reason
    assert TRANSITIONS[Action.REJECT_PROOF].needs_reason
    assert not TRANSITIONS[Action.CLOSE].needs_reason
