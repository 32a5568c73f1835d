"""The report lifecycle as one table: who may do what, from which status, to which status.

Diagram (kept in step with TRANSITIONS; see conversations/README.md for the wizard graph):

```mermaid
stateDiagram-v2
    [*] --> SUBMITTED: submit (citizen)
    SUBMITTED --> FORWARDED: forward (admin)
    SUBMITTED --> RETURNED: return (admin)
    RETURNED --> SUBMITTED: resubmit (citizen)
    SUBMITTED --> WITHDRAWN: withdraw (citizen)
    RETURNED --> WITHDRAWN: withdraw (citizen)
    FORWARDED --> SUBMITTED: send_back (opd)
    FORWARDED --> IN_PROGRESS: start (opd)
    FORWARDED --> FORWARDED: reassign (admin)
    IN_PROGRESS --> FORWARDED: reassign (admin)
    IN_PROGRESS --> SUBMITTED: send_back (opd)
    IN_PROGRESS --> RESOLVED: resolve + proof (opd)
    RESOLVED --> IN_PROGRESS: reject_proof (admin)
    RESOLVED --> CLOSED: close (admin)
    CLOSED --> SUBMITTED: reopen (citizen rating ≤ 2)
```
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from complaints.errors import TransitionNotAllowed
from complaints.model import ReportStatus, Role

S = ReportStatus


class Action(StrEnum):
    """Everything that moves a report."""

    SUBMIT = "submit"
    FORWARD = "forward"
    RETURN = "return"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    SEND_BACK = "send_back"
    START = "start"
    REASSIGN = "reassign"
    RESOLVE = "resolve"
    REJECT_PROOF = "reject_proof"
    CLOSE = "close"
    REOPEN = "reopen"


class Deadline(StrEnum):
    """The SOP clock a transition starts (or none)."""

    VERIFY = "verify"  # SOP step 2: 3 days for the regional admin
    FINISH = "finish"  # SOP steps 3–4: 10 days for the agency
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move and what it needs."""

    action: Action
    sources: frozenset[ReportStatus]
    target: ReportStatus
    roles: frozenset[Role]
    needs_reason: bool = False
    needs_agency: bool = False
    needs_proof: bool = False
    starts: Deadline = Deadline.NONE


def _t(action: Action, sources: set[ReportStatus], target: ReportStatus, roles: set[Role],
       **needs: bool | Deadline) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), **needs)  # type: ignore[arg-type]


_STAFF_ADMIN = {Role.ADMIN, Role.SUPERADMIN}
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.SUBMIT, set(), S.SUBMITTED, {Role.CITIZEN}, starts=Deadline.VERIFY),
        _t(Action.FORWARD, {S.SUBMITTED}, S.FORWARDED, _STAFF_ADMIN,
           needs_agency=True, starts=Deadline.FINISH),
        _t(Action.RETURN, {S.SUBMITTED}, S.RETURNED, _STAFF_ADMIN, needs_reason=True),
        _t(Action.RESUBMIT, {S.RETURNED}, S.SUBMITTED, {Role.CITIZEN}, starts=Deadline.VERIFY),
        _t(Action.WITHDRAW, {S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, {Role.CITIZEN}),
        _t(Action.SEND_BACK, {S.FORWARDED, S.IN_PROGRESS}, S.SUBMITTED, {Role.OPD},
           needs_reason=True, starts=Deadline.VERIFY),
        _t(Action.START, {S.FORWARDED}, S.IN_PROGRESS, {Role.OPD}),
        _t(Action.REASSIGN, {S.FORWARDED, S.IN_PROGRESS}, S.FORWARDED, _STAFF_ADMIN,
           needs_agency=True, starts=Deadline.FINISH),
        _t(Action.RESOLVE, {S.IN_PROGRESS}, S.RESOLVED, {Role.OPD}, needs_proof=True),
        _t(Action.REJECT_PROOF, {S.RESOLVED}, S.IN_PROGRESS, _STAFF_ADMIN, needs_reason=True),
        _t(Action.CLOSE, {S.RESOLVED}, S.CLOSED, _STAFF_ADMIN),
        _t(Action.REOPEN, {S.CLOSED}, S.SUBMITTED, {Role.CITIZEN}, needs_reason=True,
           starts=Deadline.VERIFY),
    )
}


def plan(action: Action, current: ReportStatus | None, role: Role) -> Transition:
    """The transition `role` may make from `current`, or TransitionNotAllowed."""
    transition = TRANSITIONS[action]
    from_ok = (current is None) if not transition.sources else current in transition.sources
    if not from_ok or role not in transition.roles:
        raise TransitionNotAllowed(action=action.value, status=str(current), role=role.value)
    return transition
