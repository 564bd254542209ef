"""Evaluating readiness for many trainees at once, and raising and clearing flags from it."""
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, insert, select, update

from tracker.audit.models import AuditEvent
from tracker.audit.services import json_value, snapshot
from tracker.extensions import db
from tracker.infra.locking import lock_for_writing
from tracker.readiness import queries, rules
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.models import Trainee

FLAG_LOCK = "readiness-flags"
# Ids per UPDATE ... WHERE id IN (...): well under every database's parameter limit.
CHUNK = 500
PROGRESS_STEP = 500  # trainees between two calls of a progress callback
# A progress callback: told (done, total) now and then.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class TraineeReadiness:
    """One trainee's evaluations, one per active role, in role-code order."""

    trainee_id: int
    evaluations: tuple[tuple[rules.RoleSpec, rules.Evaluation], ...]


@dataclass(frozen=True)
class Facts:
    """Everything readiness needs about a set of trainees, loaded set-based."""

    roles: list[rules.RoleSpec]
    rotations: dict[int, list[rules.RotationFact]]
    results: dict[int, list[rules.ResultFact]]
    credits: dict[int, list[rules.CreditFact]]

    def evaluate(self, trainee_id: int, as_of: date) -> Iterator[tuple[rules.RoleSpec, rules.Evaluation]]:
        """One trainee's evaluation for each role, in role-code order."""
        rotations, results = self.rotations.get(trainee_id, ()), self.results.get(trainee_id, ())
        credits = self.credits.get(trainee_id, ())
        for role in self.roles:
            yield role, rules.evaluate(role, rotations, results, as_of, credits)

    def forecast(self, trainee_id: int, as_of: date) -> list[rules.Forecast]:
        """One trainee's forecast for each role, in role-code order."""
        return rules.forecast_roles(
            self.roles, self.rotations.get(trainee_id, ()), self.results.get(trainee_id, ()), as_of,
            self.credits.get(trainee_id, ()),
        )


def load_facts(trainee_ids: Select) -> Facts:
    """The roles and these trainees' rotations, results and credits: six queries however many trainees."""
    return Facts(
        queries.load_roles(), queries.load_rotation_facts(trainee_ids), queries.load_result_facts(trainee_ids),
        queries.load_credit_facts(trainee_ids),
    )


def evaluate_trainees(as_of: date, scope: Select | None = None) -> dict[int, TraineeReadiness]:
    """Evaluate every active trainee (in `scope`, if given) against every active role at `as_of`.

    A fixed number of queries however many trainees there are; the database aggregates the facts.
    """
    trainee_ids = queries.active_trainee_ids(scope)
    roles = queries.load_roles()
    summaries = queries.load_summaries(trainee_ids, roles, as_of)
    return {
        trainee_id: TraineeReadiness(trainee_id, tuple(
            (role, rules.evaluate_summary(role, summary)) for role in roles
        ))
        for trainee_id in db.session.scalars(trainee_ids)
        for summary in (summaries.get(trainee_id, queries.EMPTY_SUMMARY),)
    }


def forecast_trainees(as_of: date, scope: Select | None = None) -> dict[int, tuple[tuple[rules.RoleSpec, rules.Forecast], ...]]:
    """Every active trainee's (in `scope`, if given) forecast for every active role at `as_of`, in role-code order."""
    trainee_ids = queries.active_trainee_ids(scope)
    facts = load_facts(trainee_ids)
    return {
        trainee_id: tuple(zip(facts.roles, facts.forecast(trainee_id, as_of), strict=True))
        for trainee_id in db.session.scalars(trainee_ids)
    }


def ready_soon(as_of: date, days: int, scope: Select | None = None) -> list[tuple[int, rules.RoleSpec, date]]:
    """(trainee id, role, ready on) for each active trainee not ready at `as_of` but forecast ready within `days` after it."""
    return [
        (trainee_id, role, f.ready_on)
        for trainee_id, forecasts in forecast_trainees(as_of, scope).items()
        for role, f in forecasts
        if f.ready_on is not None and as_of < f.ready_on <= as_of + timedelta(days=days)
    ]


def trainee_forecast(trainee: Trainee, as_of: date) -> dict[str, rules.Forecast]:
    """One trainee's forecast per active role code; empty unless the trainee is active."""
    forecasts = forecast_trainees(as_of, select(Trainee).where(Trainee.id == trainee.id)).get(trainee.id, ())
    return {role.code: f for role, f in forecasts}


def trainee_progress(trainee: Trainee, as_of: date) -> tuple[tuple[rules.RoleSpec, rules.Evaluation], ...]:
    """One trainee's evaluation for each active role; none unless the trainee is active."""
    readiness = evaluate_trainees(as_of, select(Trainee).where(Trainee.id == trainee.id))
    return readiness[trainee.id].evaluations if trainee.id in readiness else ()


def export_rows(as_of: date, progress: ProgressCallback | None = None) -> Iterator[tuple[str, str, str, str, str]]:
    """(email, role code, ready/not_ready, progress, unmet) per active trainee and role, by email then role.

    Trainees are evaluated one at a time as the rows are written, so no
    evaluation outlives its row: holding tens of thousands at once makes the
    garbage collector's full passes, and the export, grow faster than linearly.
    """
    trainee_ids = queries.active_trainee_ids()
    # Plain character order of emails and role codes, the same on every database.
    roles = sorted(queries.load_roles(), key=lambda role: role.code)
    summaries = queries.load_summaries(trainee_ids, roles, as_of)
    emails = sorted((email, trainee_id) for trainee_id, email in queries.load_trainee_emails(trainee_ids).items())
    for done, (email, trainee_id) in enumerate(emails):
        if progress is not None and done % PROGRESS_STEP == 0:
            progress(done, len(emails))
        summary = summaries.get(trainee_id, queries.EMPTY_SUMMARY)
        for role in roles:
            ready, hundredths, unmet = rules.status(role, summary)
            yield (email, role.code, "ready" if ready else "not_ready", rules.format_hundredths(hundredths), "; ".join(unmet))
    if progress is not None:
        progress(len(emails), len(emails))


def forecast_rows(as_of: date) -> Iterator[tuple[str, str, str, str]]:
    """(email, role code, ready_on, missing) per active trainee and role, sorted like the export.

    ready_on is the forecast of rules.forecast on the stored plan (empty when the plan does not
    get there); missing is then the unmet sentences at the last date looked at, joined by "; ".
    """
    trainee_ids = queries.active_trainee_ids()
    facts = load_facts(trainee_ids)
    facts = replace(facts, roles=sorted(facts.roles, key=lambda role: role.code))
    for email, trainee_id in sorted((email, trainee_id) for trainee_id, email in queries.load_trainee_emails(trainee_ids).items()):
        for forecast in facts.forecast(trainee_id, as_of):
            ready_on = forecast.ready_on.isoformat() if forecast.ready_on else ""
            yield email, forecast.role_code, ready_on, "; ".join(forecast.missing)


# --- flags ------------------------------------------------------------------


def run_readiness(as_of: date, progress: ProgressCallback | None = None) -> dict[str, int]:
    """Raise and clear flags at `as_of` (flushed, not committed); counts of what it did.

    Raises a flag where an active trainee is ready, has no open flag for the
    role and no deferral for it with a revisit date after `as_of`; clears open
    flags where the trainee is no longer ready (see `plan_flag_changes`).
    The evaluation is read first; the flags are then read again and changed
    under a write lock, so two runs at once never raise the same flag twice.
    """
    trainee_ids = queries.active_trainee_ids()
    roles = queries.load_roles()
    summaries = queries.load_summaries(trainee_ids, roles, as_of)
    evaluated, ready = 0, {}
    active = db.session.scalars(trainee_ids).all()
    for trainee_id in active:
        if progress is not None and evaluated % PROGRESS_STEP == 0:
            progress(evaluated, len(active))
        evaluated += 1
        summary = summaries.get(trainee_id, queries.EMPTY_SUMMARY)
        for role in roles:
            # Only the ready ones are evaluated in full (for the flags' snapshots).
            found = rules.status(role, summary)[0]
            ready[(trainee_id, role.id)] = (role, rules.evaluate_summary(role, summary)) if found else None
    if progress is not None:
        progress(evaluated, evaluated)
    lock_for_writing(db.session, FLAG_LOCK)
    still_active = set(db.session.scalars(trainee_ids))
    open_flags = queries.load_open_flags(trainee_ids)
    deferrals = queries.load_deferrals_holding_back(trainee_ids, as_of)
    to_raise, to_clear = plan_flag_changes(ready, open_flags, deferrals, still_active, as_of)
    raise_flags(to_raise, as_of)
    cleared = clear_flags(to_clear, as_of)
    return {"trainees": evaluated, "raised": len(to_raise), "cleared": cleared, "open": queries.count_open_flags()}


def plan_flag_changes(
    ready: dict[tuple[int, int], tuple[rules.RoleSpec, rules.Evaluation] | None],
    open_flags: dict[tuple[int, int], list[ReadinessFlag]],
    deferrals: dict[tuple[int, int], list[ReadinessFlag]],
    active: set[int],
    as_of: date,
) -> tuple[list[tuple[int, rules.RoleSpec, rules.Evaluation]], list[ReadinessFlag]]:
    """Which flags to raise and which to clear, from each (trainee, role)'s ready evaluation (None: not ready).

    Exactly SPEC's rule: raise where the trainee is ready, has no open flag
    for the role, and has no deferral for the role whose revisit date is
    after `as_of`; clear an open flag where the trainee is no longer ready;
    nothing else. A decided flag (placed or deferred) is not open, so it is
    never cleared; a trainee still ready once the revisit date has come is
    flagged again. Flags raised after `as_of` (a run for an earlier date)
    are left alone.
    """
    to_raise, to_clear = [], []
    for (trainee_id, role_id), found in ready.items():
        if trainee_id not in active:
            continue
        held = open_flags.get((trainee_id, role_id), [])
        deferred = any(flag.holds_back_on(as_of) for flag in deferrals.get((trainee_id, role_id), []))
        if found is not None and not held and not deferred:
            to_raise.append((trainee_id, *found))
        elif found is None:
            to_clear.extend(flag for flag in held if flag.raised_on <= as_of)
    return to_raise, to_clear


def evaluation_snapshot(evaluation: rules.Evaluation, as_of: date) -> dict[str, Any]:
    """What the evaluation that raised a flag found, criterion by criterion."""
    return {
        "as_of": as_of.isoformat(),
        "role": evaluation.role_code,
        "progress": rules.format_progress(evaluation.progress),
        "criteria": [{"label": c.label, "met": c.met, "missing": c.missing} for c in evaluation.criteria],
    }


def raise_flags(to_raise: list[tuple[int, rules.RoleSpec, rules.Evaluation]], as_of: date) -> None:
    """Insert the new flags and their audit events, in bulk."""
    if not to_raise:
        return
    rows = [
        {"trainee_id": trainee_id, "role_id": role.id, "raised_on": as_of, "snapshot": evaluation_snapshot(evaluation, as_of)}
        for trainee_id, role, evaluation in to_raise
    ]
    # Unordered RETURNING keeps the insert batched; the new ids are matched back by trainee and role.
    returned = db.session.execute(
        insert(ReadinessFlag).returning(ReadinessFlag.id, ReadinessFlag.trainee_id, ReadinessFlag.role_id), rows
    )
    ids = {(trainee_id, role_id): flag_id for flag_id, trainee_id, role_id in returned}
    events = []
    for row in rows:
        flag_id = ids[(row["trainee_id"], row["role_id"])]
        after = snapshot(ReadinessFlag(id=flag_id, **row))
        events.append(system_event("raise", flag_id, row["trainee_id"], None, after))
    db.session.execute(insert(AuditEvent), events)


def clear_flags(flags: list[ReadinessFlag], as_of: date) -> int:
    """Set cleared_on on these flags (those still open when the update runs) and audit each; how many."""
    if not flags:
        return 0
    before = {flag.id: snapshot(flag) for flag in flags}
    trainee_of = {flag.id: flag.trainee_id for flag in flags}
    cleared = []
    ids = list(before)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        statement = (
            update(ReadinessFlag)
            .where(ReadinessFlag.id.in_(chunk), queries.open_flag_condition())
            .values(cleared_on=as_of)
            .returning(ReadinessFlag.id)
            .execution_options(synchronize_session="fetch")
        )
        cleared.extend(db.session.scalars(statement).all())
    events = [
        system_event("clear", flag_id, trainee_of[flag_id], before[flag_id],
                     {**before[flag_id], "cleared_on": json_value(as_of)})
        for flag_id in cleared
    ]
    if events:
        db.session.execute(insert(AuditEvent), events)
    return len(cleared)


def system_event(action: str, flag_id: int, trainee_id: int, before, after) -> dict[str, Any]:
    """An audit event row for a change the readiness run made (no person acted)."""
    return {
        "actor_id": None, "action": action, "entity_type": ReadinessFlag.__tablename__,
        "entity_id": flag_id, "trainee_id": trainee_id, "before": before, "after": after,
    }
