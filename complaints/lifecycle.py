"""The report lifecycle as one table: who may do what, from which status, to which status.

Each row also declares what the move causes: who is told what, which SOP clock starts or
stops, which fields it sets or clears; the services apply rows without knowing the actions.

Diagram, drawn by mermaid() from TRANSITIONS (a test keeps this copy equal; see
conversations/README.md for the wizard graphs):

```mermaid
stateDiagram-v2
    [*] --> SUBMITTED: submit (citizen) · starts verify
    SUBMITTED --> FORWARDED: forward + agency (admin, superadmin) · starts finish · stops verify
    SUBMITTED --> RETURNED: return + reason (admin, superadmin) · stops verify
    RETURNED --> SUBMITTED: resubmit + draft (citizen) · starts verify
    SUBMITTED --> WITHDRAWN: withdraw (citizen) · stops verify
    RETURNED --> WITHDRAWN: withdraw (citizen) · stops verify
    FORWARDED --> SUBMITTED: send_back + reason (opd) · starts verify · stops finish
    IN_PROGRESS --> SUBMITTED: send_back + reason (opd) · starts verify · stops finish
    FORWARDED --> IN_PROGRESS: start (opd)
    FORWARDED --> FORWARDED: reassign + agency (admin, coordinator, superadmin) · starts finish
    IN_PROGRESS --> FORWARDED: reassign + agency (admin, coordinator, superadmin) · starts finish
    IN_PROGRESS --> RESOLVED: resolve + proof (opd) · stops finish
    RESOLVED --> IN_PROGRESS: reject_proof + reason (admin, superadmin)
    RESOLVED --> CLOSED: close (admin, superadmin)
    CLOSED --> SUBMITTED: reopen + reason (citizen) · starts verify
```
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from complaints.errors import DomainError
from complaints.model import Notice, NoticeKind, NoticeTarget, ReportStatus, Role


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
    """An SOP clock a transition starts or stops (or none)."""

    VERIFY = "verify"  # SOP step 2: 3 days for the regional admin
    FINISH = "finish"  # SOP steps 3–4: 10 days for the agency
    NONE = "none"


class Recipient(StrEnum):
    """Who a transition tells; the agencies are resolved from the move as it happens."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CITIZEN = "citizen"
    AGENCY = "agency"  # the agency the move concerns: the one picked, else the report's own
    PREVIOUS_AGENCY = "previous_agency"  # the agency the report leaves; told only if it changed


class Fact(StrEnum):
    """A fact of the move a notice carries, for its text (named as the catalogue uses it)."""

    REASON = "reason"  # the reason typed or picked, with its preset key ("reason_key")
    AGENCY = "agency"  # the agency the move concerns, as it was when the message was caused
    RESUBMITTED = "resubmitted"  # the admin card says the citizen fixed and resent it


class FieldEffect(StrEnum):
    """A field a transition sets or clears besides its status, inputs and due time."""

    CLEAR_AGENCY = "clear_agency"  # back to the regional admin: no agency holds it
    SET_CLOSED_AT = "set_closed_at"  # starts the 7-day "not fixed" window
    CLEAR_CLOSED_AT = "clear_closed_at"


@dataclass(frozen=True, slots=True)
class Tell:
    """One message a transition causes: what, to whom, carrying which facts."""

    kind: NoticeKind
    to: Recipient
    carries: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move, what it needs and everything it causes, as data the services apply."""

    action: Action
    sources: frozenset[ReportStatus]
    target: ReportStatus
    roles: frozenset[Role]
    needs_reason: bool = False
    needs_agency: bool = False  # the picked agency becomes the report's
    needs_proof: bool = False  # photos and a note; the note becomes the resolution note
    takes_draft: bool = False  # a corrected draft, when given, replaces what the citizen sent
    starts: Deadline = Deadline.NONE  # its due time is set afresh
    stops: Deadline = Deadline.NONE  # met; its due time stays as history (CLI, export)
    sets: frozenset[FieldEffect] = frozenset()
    tells: tuple[Tell, ...] = ()


def _t(action: Action, sources: set[ReportStatus], target: ReportStatus, roles: set[Role],
       *tells: Tell, sets: set[FieldEffect] | None = None, **needs: bool | Deadline) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles),  # type: ignore[arg-type]
                      sets=frozenset(sets or ()), tells=tells, **needs)


ADMINS = {Role.ADMIN, Role.SUPERADMIN}
SUBMITTED, RETURNED = ReportStatus.SUBMITTED, ReportStatus.RETURNED
FORWARDED, IN_PROGRESS = ReportStatus.FORWARDED, ReportStatus.IN_PROGRESS
RESOLVED, CLOSED = ReportStatus.RESOLVED, ReportStatus.CLOSED
TELL_FORWARDED = (
    Tell(NoticeKind.AGENCY_CARD, Recipient.AGENCY),
    Tell(NoticeKind.COORDINATOR_FORWARDED, Recipient.COORDINATOR),
    Tell(NoticeKind.CITIZEN_FORWARDED, Recipient.CITIZEN, (Fact.AGENCY,)),
)
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.SUBMIT, set(), SUBMITTED, {Role.CITIZEN},
           Tell(NoticeKind.CITIZEN_SUBMITTED, Recipient.CITIZEN),
           Tell(NoticeKind.ADMIN_CARD, Recipient.ADMIN),
           starts=Deadline.VERIFY),
        _t(Action.FORWARD, {SUBMITTED}, FORWARDED, ADMINS,
           *TELL_FORWARDED,
           needs_agency=True, starts=Deadline.FINISH, stops=Deadline.VERIFY),
        _t(Action.RETURN, {SUBMITTED}, RETURNED, ADMINS,
           Tell(NoticeKind.CITIZEN_RETURNED, Recipient.CITIZEN, (Fact.REASON,)),
           needs_reason=True, stops=Deadline.VERIFY),
        _t(Action.RESUBMIT, {RETURNED}, SUBMITTED, {Role.CITIZEN},
           Tell(NoticeKind.CITIZEN_RESUBMITTED, Recipient.CITIZEN),
           Tell(NoticeKind.ADMIN_CARD, Recipient.ADMIN, (Fact.RESUBMITTED,)),
           takes_draft=True, starts=Deadline.VERIFY),
        _t(Action.WITHDRAW, {SUBMITTED, RETURNED}, ReportStatus.WITHDRAWN, {Role.CITIZEN},
           Tell(NoticeKind.ADMIN_WITHDRAWN, Recipient.ADMIN),
           stops=Deadline.VERIFY),
        _t(Action.SEND_BACK, {FORWARDED, IN_PROGRESS}, SUBMITTED, {Role.OPD},
           Tell(NoticeKind.ADMIN_SENT_BACK, Recipient.ADMIN, (Fact.REASON,)),
           Tell(NoticeKind.COORDINATOR_SENT_BACK, Recipient.COORDINATOR, (Fact.REASON,)),
           sets={FieldEffect.CLEAR_AGENCY}, needs_reason=True, starts=Deadline.VERIFY,
           stops=Deadline.FINISH),
        _t(Action.START, {FORWARDED}, IN_PROGRESS, {Role.OPD},
           Tell(NoticeKind.CITIZEN_IN_PROGRESS, Recipient.CITIZEN, (Fact.AGENCY,))),
        # an overdue or misrouted report moves on (a button on the admin card or escalation)
        _t(Action.REASSIGN, {FORWARDED, IN_PROGRESS}, FORWARDED, ADMINS | {Role.COORDINATOR},
           Tell(NoticeKind.AGENCY_CARD, Recipient.AGENCY),
           Tell(NoticeKind.COORDINATOR_FORWARDED, Recipient.COORDINATOR),
           Tell(NoticeKind.CITIZEN_REASSIGNED, Recipient.CITIZEN, (Fact.AGENCY,)),
           Tell(NoticeKind.AGENCY_REASSIGNED_AWAY, Recipient.PREVIOUS_AGENCY),
           needs_agency=True, starts=Deadline.FINISH),
        _t(Action.RESOLVE, {IN_PROGRESS}, RESOLVED, {Role.OPD},
           Tell(NoticeKind.ADMIN_PROOF, Recipient.ADMIN),
           needs_proof=True, stops=Deadline.FINISH),
        _t(Action.REJECT_PROOF, {RESOLVED}, IN_PROGRESS, ADMINS,
           Tell(NoticeKind.AGENCY_PROOF_REJECTED, Recipient.AGENCY, (Fact.REASON,)),
           needs_reason=True),
        _t(Action.CLOSE, {RESOLVED}, CLOSED, ADMINS,
           Tell(NoticeKind.CITIZEN_CLOSED, Recipient.CITIZEN, (Fact.AGENCY,)),
           Tell(NoticeKind.COORDINATOR_CLOSED, Recipient.COORDINATOR),
           sets={FieldEffect.SET_CLOSED_AT}),
        _t(Action.REOPEN, {CLOSED}, SUBMITTED, {Role.CITIZEN},
           Tell(NoticeKind.ADMIN_REOPENED, Recipient.ADMIN, (Fact.REASON,)),
           Tell(NoticeKind.COORDINATOR_REOPENED, Recipient.COORDINATOR, (Fact.REASON,)),
           sets={FieldEffect.CLEAR_CLOSED_AT, FieldEffect.CLEAR_AGENCY}, needs_reason=True,
           starts=Deadline.VERIFY),
    )
}


@dataclass(frozen=True, slots=True)
class Move:
    """The facts of one move its notices are made from."""

    report_id: int
    citizen_id: int
    agency: str | None  # the agency the move concerns: the one picked, else the report's own
    previous_agency: str | None = None  # the report's agency before the move
    reason: str | None = None
    reason_key: str | None = None


def _facts(fact: Fact, move: Move) -> dict[str, str]:
    """The text parameters one fact fills in."""
    match fact:
        case Fact.REASON:
            return {"reason": move.reason or "", "reason_key": move.reason_key or ""}
        case Fact.AGENCY:
            return {"agency": move.agency or ""}
        case Fact.RESUBMITTED:
            return {"resubmitted": "True"}


def _addressee(to: Recipient, move: Move) -> tuple[NoticeTarget, str | None] | None:
    """The chat a recipient stands for in this move, or None when it need not hear of it."""
    match to:
        case Recipient.ADMIN:
            return NoticeTarget.ADMIN, None
        case Recipient.COORDINATOR:  # one chat for all; the ref names the agency concerned
            return NoticeTarget.COORDINATOR, move.agency
        case Recipient.CITIZEN:
            return NoticeTarget.CITIZEN, str(move.citizen_id)
        case Recipient.AGENCY:
            return NoticeTarget.AGENCY, move.agency
        case Recipient.PREVIOUS_AGENCY:
            if move.previous_agency is None or move.previous_agency == move.agency:
                return None
            return NoticeTarget.AGENCY, move.previous_agency


def notices(transition: Transition, move: Move) -> list[Notice]:
    """The messages the transition declares, filled in from the move."""
    made = []
    for tell in transition.tells:
        addressee = _addressee(tell.to, move)
        if addressee is None:
            continue
        params: dict[str, str] = {}
        for fact in tell.carries:
            params.update(_facts(fact, move))
        made.append(Notice(tell.kind, addressee[0], move.report_id, addressee[1], params))
    return made


def _label(transition: Transition) -> str:
    """An arrow's label: the action, its inputs, who may do it and the clocks it moves."""
    inputs = [name for name, needed in (("reason", transition.needs_reason),
                                        ("agency", transition.needs_agency),
                                        ("proof", transition.needs_proof),
                                        ("draft", transition.takes_draft)) if needed]
    roles = ", ".join(role.value for role in Role if role in transition.roles)
    label = " + ".join([transition.action.value, *inputs]) + f" ({roles})"
    for verb, deadline in (("starts", transition.starts), ("stops", transition.stops)):
        if deadline is not Deadline.NONE:
            label += f" · {verb} {deadline.value}"
    return label


def mermaid() -> str:
    """The state diagram drawn from TRANSITIONS; a test keeps the docstring's copy equal."""
    lines = ["stateDiagram-v2"]
    for transition in TRANSITIONS.values():
        sources = [s.name for s in ReportStatus if s in transition.sources] or ["[*]"]
        lines += [f"    {source} --> {transition.target.name}: {_label(transition)}"
                  for source in sources]
    return "\n".join(lines)


class TransitionNotAllowed(DomainError):
    """The action is not allowed for this role in the report's current status."""

    key = "error-transition-not-allowed"

    def __init__(self, *, action: Action, status: ReportStatus | None, role: Role) -> None:
        super().__init__(action=action, status=status, role=role)
        self.action, self.status, self.role = action, status, role


def plan(action: Action, current: ReportStatus | None, role: Role) -> Transition:
    """The transition `role` may make from `current`, or TransitionNotAllowed."""
    transition = TRANSITIONS[action]
    from_ok = (current is None) if not transition.sources else current in transition.sources
    if not from_ok or role not in transition.roles:
        raise TransitionNotAllowed(action=action, status=current, role=role)
    return transition
