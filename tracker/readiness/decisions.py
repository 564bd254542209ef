"""A supervisor's decision on a readiness flag: placed, deferred, or reversed. Each is audited.

Functions flush but never commit. The flag is changed by a conditional UPDATE,
so two people deciding the same flag at once cannot both succeed.
"""
from datetime import date

from sqlalchemy import select, update

from tracker.audit.services import record_change, snapshot
from tracker.core.errors import TrackerError
from tracker.core.parsing import check_record_date
from tracker.extensions import db
from tracker.infra.clock import today, utcnow
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.queries import open_flag_condition


class DecisionError(TrackerError):
    """The decision cannot be made on this flag now; the message says why."""


def place_trainee(flag: ReadinessFlag, placed_on: date, note: str, actor) -> None:
    """Decide `placed`: the trainee moves into the flag's role from `placed_on` and is no longer evaluated."""
    trainee = flag.trainee
    if trainee.status != "active":
        raise DecisionError(f"{trainee.user.name} is {trainee.status}, not active: only an active trainee can be placed.")
    try:
        check_record_date(placed_on, today())
    except ValueError as exc:
        raise DecisionError(str(exc), "placed_on") from None
    before_flag, before_trainee = snapshot(flag), snapshot(trainee)
    set_decision(flag, "placed", note, actor, expected=None)
    trainee.status, trainee.placed_role_id, trainee.placed_on = "placed", flag.role_id, placed_on
    record_change(actor, "update", trainee, before_trainee, trainee_id=trainee.id)
    record_change(actor, "decide_placed", flag, before_flag, trainee_id=trainee.id)
    clear_other_open_flags(flag, actor)


def clear_other_open_flags(placed: ReadinessFlag, actor) -> None:
    """A placed trainee is no longer evaluated, so their open flags for other roles are cleared now."""
    others = db.session.scalars(
        select(ReadinessFlag).where(
            ReadinessFlag.trainee_id == placed.trainee_id, ReadinessFlag.id != placed.id, open_flag_condition()
        )
    )
    for other in others:
        before = snapshot(other)
        other.cleared_on = max(today(), other.raised_on)
        record_change(actor, "clear", other, before, trainee_id=other.trainee_id)


def defer_flag(flag: ReadinessFlag, reason: str, revisit_on: date, actor) -> None:
    """Decide `deferred` until `revisit_on`: the flag stays on record with the reason, the trainee stays active,
    and no new flag for this trainee and role is raised before the revisit date (after today, the decision date).
    """
    decided_on = today()
    if revisit_on <= decided_on:
        raise DecisionError(
            f"The revisit date must be after the decision date ({decided_on.isoformat()}), not {revisit_on.isoformat()}.",
            field="revisit_on",
        )
    try:
        check_record_date(revisit_on, decided_on)
    except ValueError as exc:
        raise DecisionError(str(exc), field="revisit_on") from None
    before = snapshot(flag)
    set_decision(flag, "deferred", reason, actor, expected=None, decided_on=decided_on, revisit_on=revisit_on)
    record_change(actor, "decide_deferred", flag, before, trainee_id=flag.trainee_id)


def reverse_decision(flag: ReadinessFlag, reason: str, actor) -> None:
    """Undo a flag's decision: the flag is open again; a placement also makes the trainee active again."""
    if flag.decision is None:
        raise DecisionError("This flag has no decision to reverse.")
    if flag.cleared_on is not None:
        raise DecisionError(
            f"This flag was cleared on {flag.cleared_on.isoformat()} (no longer ready): "
            "if the trainee is ready again, the next run raises a new flag."
        )
    refuse_if_newer_flag_open(flag)
    before = snapshot(flag)
    if flag.decision == "placed":
        unplace(flag, actor)
    set_decision(flag, None, None, None, expected=flag.decision)
    event = record_change(actor, "reverse_decision", flag, before, trainee_id=flag.trainee_id)
    event.after = {**event.after, "reason": reason}


def refuse_if_newer_flag_open(flag: ReadinessFlag) -> None:
    """Reopening a flag is refused while a newer one for the same trainee and role is open."""
    newer = db.session.scalar(
        select(ReadinessFlag).where(
            ReadinessFlag.trainee_id == flag.trainee_id, ReadinessFlag.role_id == flag.role_id,
            ReadinessFlag.id != flag.id, open_flag_condition(),
        )
    )
    if newer is not None:
        raise DecisionError(
            f"A newer flag for this role, raised on {newer.raised_on.isoformat()}, is waiting for a decision: "
            "decide on that one instead."
        )


def unplace(flag: ReadinessFlag, actor) -> None:
    """Make a trainee placed by this flag active again."""
    trainee = flag.trainee
    if trainee.status != "placed" or trainee.placed_role_id != flag.role_id:
        raise DecisionError(
            f"{trainee.user.name} is no longer placed in {flag.role.name} ({trainee.status} now): "
            "this placement cannot be reversed."
        )
    before = snapshot(trainee)
    trainee.status, trainee.placed_role_id, trainee.placed_on = "active", None, None
    record_change(actor, "update", trainee, before, trainee_id=trainee.id)


def set_decision(
    flag: ReadinessFlag, decision: str | None, reason: str | None, actor, expected: str | None,
    decided_on: date | None = None, revisit_on: date | None = None,
) -> None:
    """Change the flag's decision if it is still uncleared and decided as `expected`; DecisionError if not.

    Only a deferral has a revisit date: any other decision, and a reversal, leave none.
    """
    undecided = ReadinessFlag.decision.is_(None) if expected is None else ReadinessFlag.decision == expected
    decided = decision is not None
    result = db.session.execute(
        update(ReadinessFlag)
        .where(ReadinessFlag.id == flag.id, ReadinessFlag.cleared_on.is_(None), undecided)
        .values(
            decision=decision,
            decision_reason=reason or None,
            decision_on=(decided_on or today()) if decided else None,
            decided_by_id=actor.id if decided else None,
            decided_at=utcnow() if decided else None,
            revisit_on=revisit_on,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DecisionError("Someone changed this flag meanwhile (it was decided or cleared). Look at it again.")
    db.session.refresh(flag)

