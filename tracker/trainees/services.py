"""Changing trainees and their records. Each function checks the rules, flushes and audits; the caller commits."""
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, update
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.services import record_change, record_event, snapshot
from tracker.auth.models import User
from tracker.auth.services import create_user
from tracker.catalog.models import JobType, TargetRole, TrainingModule
from tracker.core.errors import TrackerError
from tracker.core.parsing import check_plain_text, check_record_date, parse_rating, parse_score, stored_score
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.infra.locking import lock_rows
from tracker.trainees import queries, rules
from tracker.trainees.models import (
    CREDIT_KINDS,
    REASON_MAX_LENGTH,
    Credit,
    Leave,
    ModuleResult,
    Rotation,
    Trainee,
    TraineeTargetRole,
)

STALE_MESSAGE = (
    "This record was changed by someone else while you had it open, so your change was not saved. "
    "Reload the page to see theirs, then make yours again."
)
COHORT_MAX_LENGTH = 40
STAMP_CHUNK = 5000  # trainee ids per UPDATE of readiness stamps: under every database's parameter limit


class RecordError(TrackerError):
    """A change to a trainee's records breaks a rule; `field` names the form field it belongs beside."""


class StaleRecordError(RecordError):
    """The record changed (or went) since the form was filled: the first save wins."""

    def __init__(self, message: str = STALE_MESSAGE):
        super().__init__(message)


# --- serialising changes to one trainee --------------------------------------


def lock_trainees(trainee_ids: list[int]) -> None:
    """Make concurrent changes to these trainees' records wait for each other until commit (see lock_rows).

    Every change to a trainee's records takes this lock first, so it also bumps their readiness
    stamp, in the same transaction: a readiness snapshot made before the change no longer matches
    and is made again when next needed (readiness/snapshots.py). A change that fails rolls the bump back.
    """
    lock_rows(db.session, Trainee, trainee_ids)
    ordered = sorted(set(trainee_ids))
    for start in range(0, len(ordered), STAMP_CHUNK):
        db.session.execute(
            update(Trainee).where(Trainee.id.in_(ordered[start:start + STAMP_CHUNK]))
            .values(readiness_stamp=Trainee.readiness_stamp + 1)
            .execution_options(synchronize_session=False)
        )


def lock_trainee(trainee: Trainee) -> None:
    """Serialise changes to one trainee's records (see lock_trainees)."""
    lock_trainees([trainee.id])


# --- the rules, checked against the database ---------------------------------


def check_recordable(trainee: Trainee) -> None:
    """Records change only while the trainee is active."""
    if trainee.status != "active":
        raise RecordError(rules.inactive_trainee_message(trainee.user.name, trainee.status))


def check_in_use(item: JobType | TrainingModule | None, field: str, kept: bool = False) -> None:
    """A job type or module must exist and be active, unless the record already had it."""
    what = "job type" if field == "job_type" else "module"
    if item is None:
        raise RecordError(f"Choose a {what}.", field)
    if not item.active and not kept:
        raise RecordError(f"The {what} {item.name} is no longer in use; choose another.", field)


def check_date_in_range(day: date | None, field: str) -> None:
    """A record's date lies between 1950-01-01 and ten years after today (core.parsing.check_record_date)."""
    if day is None:
        return
    try:
        check_record_date(day, today())
    except ValueError as exc:
        raise RecordError(str(exc), field) from None


def check_plain(text: str, field: str, multiline: bool = False) -> None:
    """Text holds no control character (multi-line text: tabs and line breaks only)."""
    try:
        check_plain_text(text, multiline)
    except ValueError as exc:
        raise RecordError(str(exc), field) from None


def check_rotation_dates(trainee: Trainee, start: date, end: date | None, exclude_id: int | None = None) -> None:
    """Dates in range, the end not before the start, and no day shared with another of the trainee's rotations."""
    if start is None:
        raise RecordError("Enter the start date.", "start_date")
    check_date_in_range(start, "start_date")
    check_date_in_range(end, "end_date")
    problem = rules.end_before_start(start, end)
    if problem:
        raise RecordError(problem, "end_date")
    clash = rules.first_overlap(start, end, queries.other_periods(trainee.id, exclude_id))
    if clash:
        raise RecordError(rules.overlap_message(clash, start), rules.overlap_field(start, clash))


def check_rating(rating) -> None:
    """Empty, or a whole number 1-5."""
    try:
        parse_rating(rating)
    except ValueError as exc:
        raise RecordError(str(exc), "rating") from None


def check_planned(start: date, end: date | None, rating: int | None) -> None:
    """A planned rotation (starting after today) has an end date; no rotation is rated before it has ended."""
    problem = rules.planned_needs_end(start, end, today())
    if problem:
        raise RecordError(problem, "end_date")
    problem = rules.rated_too_early(end, rating, today())
    if problem:
        raise RecordError(problem, "rating")


def lock_job_types(job_type_ids) -> None:
    """Serialise every change that adds trainees to these job types (capacity), until commit.

    Taken after the trainees' lock, everywhere, so two writers cannot wait for each other.
    """
    lock_rows(db.session, JobType, job_type_ids)


def check_capacity(job_type: JobType, start: date, end: date | None, before: Rotation | None = None) -> None:
    """Refuse a rotation that would put more trainees than the job type's capacity on a day from today on.

    `before` is the rotation as recorded, when it is being changed: only the days it adds to the
    job type are checked, so a full job type does not block a change that adds nobody.
    """
    if job_type.capacity is None:
        return
    lock_job_types([job_type.id])
    kept = (before.start_date, before.end_date) if before is not None and before.job_type_id == job_type.id else None
    added = rules.days_added(start, end, today(), kept)
    if not added:
        return
    others = queries.job_type_periods(job_type.id, today(), exclude_id=before.id if before is not None else None)
    full = rules.first_full_day(rules.Occupancy(others), job_type.capacity, added)
    if full:
        raise RecordError(rules.full_message(job_type.name, full[0], full[1], job_type.capacity) + ".", "job_type")


def check_notes(notes: str) -> None:
    if len(notes or "") > rules.NOTES_MAX_LENGTH:
        raise RecordError(f"Notes may have at most {rules.NOTES_MAX_LENGTH} characters.", "notes")
    check_plain(notes, "notes", multiline=True)


def check_result(trainee: Trainee, module: TrainingModule, completed_on: date, score: Decimal, exclude_id: int | None = None) -> None:
    """A date, a score 0-100 with two decimals at most, and no other result of the module that day."""
    if completed_on is None:
        raise RecordError("Enter the date the module was completed.", "completed_on")
    check_date_in_range(completed_on, "completed_on")
    try:
        parse_score(format(score, "f") if isinstance(score, Decimal) else str(score))
    except ValueError as exc:
        raise RecordError(str(exc), "score") from None
    if queries.result_exists(trainee.id, module.id, completed_on, exclude_id):
        raise RecordError(rules.duplicate_result_message(module.name, completed_on), "completed_on")


def check_version(record, version: int | None) -> None:
    """The form was filled from the record as it is now."""
    if version is None or record.version != version:
        raise StaleRecordError()


def flush_versioned() -> None:
    """Write pending changes; a record someone else changed meanwhile makes this a stale save."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleRecordError() from None


# --- trainees ----------------------------------------------------------------


def check_supervisor(supervisor: User | None) -> None:
    if supervisor is None or supervisor.role != "supervisor" or not supervisor.active:
        raise RecordError("Choose an active supervisor.", "supervisor")


def check_cohort(cohort: str) -> None:
    if not (cohort or "").strip() or len(cohort.strip()) > COHORT_MAX_LENGTH:
        raise RecordError(f"Enter a cohort of at most {COHORT_MAX_LENGTH} characters.", "cohort")
    check_plain(cohort, "cohort")


def create_trainee(email: str, name: str, supervisor: User, start_date: date, cohort: str, actor=None) -> Trainee:
    """A trainee user (no password: they are invited to set one) and their trainee record."""
    check_supervisor(supervisor)
    check_cohort(cohort)
    check_date_in_range(start_date, "start_date")
    user = create_user(email, name, "trainee")
    trainee = Trainee(user=user, supervisor=supervisor, start_date=start_date, cohort=cohort.strip(), status="active")
    db.session.add(trainee)
    db.session.flush()
    record_change(actor, "create", user, before=None, trainee_id=trainee.id)
    record_change(actor, "create", trainee, before=None, trainee_id=trainee.id)
    return trainee


def update_trainee(trainee: Trainee, version: int | None, actor, supervisor: User, start_date: date, cohort: str) -> Trainee:
    """Change a trainee's supervisor, start date or cohort (optimistically locked)."""
    lock_trainee(trainee)
    check_version(trainee, version)
    if supervisor.id != trainee.supervisor_id:
        check_supervisor(supervisor)
    check_cohort(cohort)
    check_date_in_range(start_date, "start_date")
    before = snapshot(trainee)
    trainee.supervisor, trainee.start_date, trainee.cohort = supervisor, start_date, cohort.strip()
    return save_change(actor, trainee, before, trainee.id)


def save_change(actor, record, before: dict, trainee_id: int):
    """Flush a changed record (checking its version) and audit it, unless nothing changed."""
    flush_versioned()
    if snapshot(record) != before:
        record_change(actor, "update", record, before=before, trainee_id=trainee_id)
    return record


# --- target roles -------------------------------------------------------------


def check_target_roles(roles: list[TargetRole], kept: list[TargetRole] = ()) -> None:
    """Each role once, and in use (a role the trainee already aims for may stay after it is retired)."""
    seen = set()
    for role in roles:
        if role.id in seen:
            raise RecordError(f"{role.name} is chosen more than once.", "target_roles")
        if not role.active and role not in kept:
            raise RecordError(f"The role {role.name} is no longer in use; choose another.", "target_roles")
        seen.add(role.id)


def set_target_roles(trainee: Trainee, roles: list[TargetRole], actor=None) -> list[TargetRole]:
    """Replace the trainee's target roles with `roles`, first preference first; audited when they change."""
    lock_trainee(trainee)
    kept = queries.target_roles_of(trainee)
    check_target_roles(roles, kept)
    if [r.id for r in roles] == [r.id for r in kept]:
        return roles
    db.session.execute(delete(TraineeTargetRole).where(TraineeTargetRole.trainee_id == trainee.id))
    db.session.add_all(TraineeTargetRole(trainee_id=trainee.id, role_id=r.id, position=n) for n, r in enumerate(roles, 1))
    db.session.flush()
    record_event(actor, "update", trainee, before={"target_roles": [r.code for r in kept]},
                 after={"target_roles": [r.code for r in roles]}, trainee_id=trainee.id)
    return roles


# --- rotations ---------------------------------------------------------------


def create_rotation(
    trainee: Trainee,
    job_type: JobType,
    supervisor: User,
    start_date: date,
    end_date: date | None = None,
    rating: int | None = None,
    notes: str = "",
    actor=None,
    action: str = "create",
) -> Rotation:
    """Record a rotation for an active trainee, if it breaks no rule; audited as `action` ("accept_plan" from a plan)."""
    lock_trainee(trainee)
    check_recordable(trainee)
    check_in_use(job_type, "job_type")
    check_rotation_dates(trainee, start_date, end_date)
    check_rating(rating)
    check_planned(start_date, end_date, rating)
    check_notes(notes)
    check_capacity(job_type, start_date, end_date)
    rotation = Rotation(
        trainee=trainee, job_type=job_type, supervisor=supervisor, start_date=start_date,
        end_date=end_date, rating=rating, notes=(notes or "").strip(),
    )
    db.session.add(rotation)
    record_change(actor, action, rotation, before=None, trainee_id=trainee.id)
    return rotation


def update_rotation(
    rotation: Rotation, version: int | None, actor, job_type: JobType, start_date: date,
    end_date: date | None, rating: int | None, notes: str,
) -> Rotation:
    """Change a rotation; refused if someone else changed it since `version`, or if it breaks a rule."""
    trainee = guard_change(rotation, version)
    check_in_use(job_type, "job_type", kept=job_type.id == rotation.job_type_id)
    check_rotation_dates(trainee, start_date, end_date, exclude_id=rotation.id)
    check_rating(rating)
    check_planned(start_date, end_date, rating)
    check_notes(notes)
    check_capacity(job_type, start_date, end_date, before=rotation)
    before = snapshot(rotation)
    rotation.job_type, rotation.start_date, rotation.end_date = job_type, start_date, end_date
    rotation.rating, rotation.notes = rating, (notes or "").strip()
    return save_change(actor, rotation, before, trainee.id)


def plan_rotations(planned: list[tuple[Trainee, JobType, date, date]], actor=None, action: str = "create") -> list[Rotation]:
    """Record rotations accepted from a plan: (trainee, job type, start, end) each, checked like any other.

    Every trainee is locked first, then every job type, in id order (the order of every other writer).
    """
    lock_trainees([trainee.id for trainee, *_ in planned])
    lock_job_types([job_type.id for _, job_type, *_ in planned])
    rotations = []
    for trainee, job_type, start, end in planned:
        rotations.append(create_rotation(trainee, job_type, trainee.supervisor, start, end, actor=actor, action=action))  # flushed: counted next
    return rotations


def end_rotation(rotation: Rotation, version: int | None, actor, end_date: date, rating: int | None) -> Rotation:
    """End an ongoing rotation on a date, and rate it if a rating is given."""
    check_version(rotation, version)
    if rotation.end_date is not None:
        raise RecordError("This rotation has already ended; edit it to change its dates.")
    if end_date is None:
        raise RecordError("Enter the end date.", "end_date")
    return update_rotation(
        rotation, version, actor, rotation.job_type, rotation.start_date, end_date, rating, rotation.notes
    )


def delete_rotation(rotation: Rotation, version: int | None, actor) -> None:
    """Delete a rotation (its audit event keeps what it was)."""
    delete_record(rotation, version, actor)


def guard_change(record: Rotation | ModuleResult | Credit | Leave, version: int | None) -> Trainee:
    """Before changing a record: lock its trainee, refuse a stale version or a trainee not active; the trainee."""
    trainee = record.trainee
    lock_trainee(trainee)
    check_version(record, version)
    check_recordable(trainee)
    return trainee


def delete_record(record: Rotation | ModuleResult | Leave, version: int | None, actor) -> None:
    """Delete a rotation or result of an active trainee, if nobody changed it since `version`."""
    trainee = guard_change(record, version)
    before = snapshot(record)
    db.session.delete(record)
    flush_versioned()
    record_event(actor, "delete", record, before=before, after=None, trainee_id=trainee.id)


# --- module results ----------------------------------------------------------


def create_result(trainee: Trainee, module: TrainingModule, completed_on: date, score: Decimal, actor=None) -> ModuleResult:
    """Record a module result for an active trainee, if it breaks no rule."""
    lock_trainee(trainee)
    check_recordable(trainee)
    check_in_use(module, "module")
    check_result(trainee, module, completed_on, score)
    result = ModuleResult(trainee=trainee, module=module, completed_on=completed_on, score=stored_score(score))
    db.session.add(result)
    record_change(actor, "create", result, before=None, trainee_id=trainee.id)
    return result


def update_result(
    result: ModuleResult, version: int | None, actor, module: TrainingModule, completed_on: date, score: Decimal
) -> ModuleResult:
    """Change a module result; refused if someone else changed it since `version`, or if it breaks a rule."""
    trainee = guard_change(result, version)
    check_in_use(module, "module", kept=module.id == result.module_id)
    check_result(trainee, module, completed_on, score, exclude_id=result.id)
    before = snapshot(result)
    result.module, result.completed_on, result.score = module, completed_on, stored_score(score)
    return save_change(actor, result, before, trainee.id)


def delete_result(result: ModuleResult, version: int | None, actor) -> None:
    """Delete a module result (its audit event keeps what it was)."""
    delete_record(result, version, actor)


# --- credits: prior learning ---------------------------------------------------


def check_reason(reason: str | None, field: str = "reason", missing: str | None = None) -> str:
    """A reason is required, one line of at most REASON_MAX_LENGTH characters; the reason, stripped."""
    reason = (reason or "").strip()
    if not reason:
        raise RecordError(missing or "Enter the reason.", field)
    if len(reason) > REASON_MAX_LENGTH:
        raise RecordError(f"The reason may have at most {REASON_MAX_LENGTH} characters.", field)
    check_plain(reason, field)
    return reason


def check_granted_on(granted_on: date | None) -> None:
    """A granted-on date is required, and is today or earlier."""
    if granted_on is None:
        raise RecordError("Enter the date the credit is granted on.", "granted_on")
    check_date_in_range(granted_on, "granted_on")
    if granted_on > today():
        raise RecordError(rules.future_grant_message(granted_on, today()), "granted_on")


def check_weeks(weeks) -> int:
    """Whole weeks, at least 1 (rules.parse_credit_weeks)."""
    try:
        return rules.parse_credit_weeks(weeks)
    except ValueError as exc:
        raise RecordError(str(exc), "weeks") from None


def check_credit(
    trainee: Trainee, kind: str, granted_on: date | None, reason: str | None,
    job_type: JobType | None = None, weeks=None, rating=None, module: TrainingModule | None = None,
) -> None:
    """Every rule of a new credit: its kind's fields (and only those), the date, the reason, no twin on that day."""
    if kind not in CREDIT_KINDS:
        raise RecordError("Choose experience or exemption.", "kind")
    if kind == "experience":
        check_in_use(job_type, "job_type")
        check_weeks(weeks)
        check_rating(rating)
        if module is not None:
            raise RecordError("An experience credit names a job type, not a module.", "module")
    else:
        check_in_use(module, "module")
        if job_type is not None or weeks not in (None, "") or rating not in (None, ""):
            raise RecordError("An exemption names a module only: leave the job type, weeks and rating empty.", "job_type")
    check_granted_on(granted_on)
    check_reason(reason, missing=rules.missing_reason_message())
    item = job_type if kind == "experience" else module
    if queries.credit_exists(trainee.id, granted_on, getattr(job_type, "id", None), getattr(module, "id", None)):
        raise RecordError(rules.duplicate_credit_message(item.name, granted_on), "granted_on")


def grant_credit(
    trainee: Trainee, kind: str, granted_on: date, reason: str, job_type: JobType | None = None,
    weeks: int | None = None, rating: int | None = None, module: TrainingModule | None = None, actor=None,
) -> Credit:
    """Grant an experience credit or an exemption to an active trainee, if it breaks no rule."""
    lock_trainee(trainee)
    check_recordable(trainee)
    check_credit(trainee, kind, granted_on, reason, job_type, weeks, rating, module)
    experience = kind == "experience"
    credit = Credit(
        trainee=trainee, kind=kind, granted_on=granted_on, reason=reason.strip(), granted_by=actor,
        job_type=job_type if experience else None, weeks=check_weeks(weeks) if experience else None,
        rating=rating if experience else None, module=None if experience else module,
    )
    db.session.add(credit)
    record_change(actor, "create", credit, before=None, trainee_id=trainee.id)
    return credit


def revoke_credit(credit: Credit, version: int | None, actor) -> Credit:
    """Revoke a credit from today: it counts for nothing from now on (its record stays, with who revoked it)."""
    trainee = guard_change(credit, version)
    if credit.revoked_on is not None:
        raise RecordError(f"This credit was already revoked on {credit.revoked_on.isoformat()}.")
    before = snapshot(credit)
    credit.revoked_on, credit.revoked_by = today(), actor
    flush_versioned()
    record_change(actor, "revoke", credit, before=before, trainee_id=trainee.id)
    return credit


# --- leave ---------------------------------------------------------------------


def check_leave(trainee: Trainee, start_date: date | None, end_date: date | None, reason: str | None, exclude_id: int | None = None) -> None:
    """Both dates, in range and in order, a reason, and no day shared with the trainee's rotations or other leave."""
    if start_date is None:
        raise RecordError("Enter the first day of leave.", "start_date")
    if end_date is None:
        raise RecordError("Enter the last day of leave.", "end_date")
    check_date_in_range(start_date, "start_date")
    check_date_in_range(end_date, "end_date")
    problem = rules.end_before_start(start_date, end_date)
    if problem:
        raise RecordError(problem, "end_date")
    check_reason(reason, missing="Enter the reason for the leave (for example: annual leave).")
    clash = rules.first_overlap(start_date, end_date, queries.other_periods(trainee.id, exclude_leave_id=exclude_id))
    if clash:
        raise RecordError(rules.overlap_message(clash, leave=True), rules.overlap_field(start_date, clash))


def create_leave(trainee: Trainee, start_date: date, end_date: date, reason: str, actor=None) -> Leave:
    """Record leave for an active trainee, if it breaks no rule."""
    lock_trainee(trainee)
    check_recordable(trainee)
    check_leave(trainee, start_date, end_date, reason)
    leave = Leave(trainee=trainee, start_date=start_date, end_date=end_date, reason=reason.strip())
    db.session.add(leave)
    record_change(actor, "create", leave, before=None, trainee_id=trainee.id)
    return leave


def update_leave(leave: Leave, version: int | None, actor, start_date: date, end_date: date, reason: str) -> Leave:
    """Change leave; refused if someone else changed it since `version`, or if it breaks a rule."""
    trainee = guard_change(leave, version)
    check_leave(trainee, start_date, end_date, reason, exclude_id=leave.id)
    before = snapshot(leave)
    leave.start_date, leave.end_date, leave.reason = start_date, end_date, reason.strip()
    return save_change(actor, leave, before, trainee.id)


def delete_leave(leave: Leave, version: int | None, actor) -> None:
    """Delete leave (its audit event keeps what it was)."""
    delete_record(leave, version, actor)
