"""Exports in the import formats, so a file exported and imported again round-trips unchanged."""
import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.catalog.models import JobType, TrainingModule, code_order
from tracker.core.cells import spreadsheet_safe
from tracker.core.formatting import format_score
from tracker.extensions import db
from tracker.imports import credits, leave, results, rotations, trainees
from tracker.trainees.models import Credit, Leave, ModuleResult, Rotation, Trainee
from tracker.trainees.queries import target_roles_by_trainee


def to_csv(columns: tuple[str, ...], rows) -> str:
    """A header line and one line per row; a cell a spreadsheet would run as a formula is marked (the imports unmark it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return out.getvalue()


def export_trainees() -> str:
    """Every trainee: email,name,supervisor_email,start_date,cohort,target_roles, by email."""
    trainee_user, supervisor = aliased(User), aliased(User)
    rows = db.session.execute(
        select(trainee_user.email, trainee_user.name, supervisor.email, Trainee.start_date, Trainee.cohort, Trainee.id)
        .join(trainee_user, Trainee.user_id == trainee_user.id)
        .join(supervisor, Trainee.supervisor_id == supervisor.id)
        .order_by(trainee_user.email)
    ).all()
    roles = target_roles_by_trainee(select(Trainee.id))
    return to_csv((*trainees.COLUMNS, trainees.TARGET_ROLES), (
        (e, n, s, d.isoformat(), c, ";".join(role.code for role in roles.get(trainee_id, []))) for e, n, s, d, c, trainee_id in rows
    ))


def export_rotations() -> str:
    """Every rotation in rotations.csv's format, by trainee email and start date."""
    trainee_user, supervisor = aliased(User), aliased(User)
    rows = db.session.execute(
        select(trainee_user.email, JobType.code, supervisor.email, Rotation.start_date, Rotation.end_date, Rotation.rating, Rotation.notes)
        .join(Trainee, Rotation.trainee_id == Trainee.id)
        .join(trainee_user, Trainee.user_id == trainee_user.id)
        .join(JobType, Rotation.job_type_id == JobType.id)
        .join(supervisor, Rotation.supervisor_id == supervisor.id)
        .order_by(trainee_user.email, Rotation.start_date, *code_order(JobType))
    )
    return to_csv(rotations.COLUMNS, (
        (email, code, boss, start.isoformat(), end.isoformat() if end else "", "" if rating is None else rating, notes)
        for email, code, boss, start, end, rating, notes in rows
    ))


def export_results() -> str:
    """Every module result in results.csv's format, by trainee email, date and module."""
    rows = db.session.execute(
        select(User.email, TrainingModule.code, ModuleResult.completed_on, ModuleResult.score)
        .join(Trainee, ModuleResult.trainee_id == Trainee.id)
        .join(User, Trainee.user_id == User.id)
        .join(TrainingModule, ModuleResult.module_id == TrainingModule.id)
        .order_by(User.email, ModuleResult.completed_on, *code_order(TrainingModule))
    )
    return to_csv(results.COLUMNS, ((e, code, on.isoformat(), format_score(score)) for e, code, on, score in rows))


def export_credits() -> str:
    """Every credit that is not revoked, in credits.csv's format, by trainee email, date, kind and code."""
    rows = db.session.execute(
        select(User.email, Credit.kind, JobType.code, Credit.weeks, Credit.rating, TrainingModule.code,
               Credit.granted_on, Credit.reason)
        .join(Trainee, Credit.trainee_id == Trainee.id)
        .join(User, Trainee.user_id == User.id)
        .outerjoin(JobType, Credit.job_type_id == JobType.id)
        .outerjoin(TrainingModule, Credit.module_id == TrainingModule.id)
        .where(Credit.revoked_on.is_(None))
        .order_by(User.email, Credit.granted_on, Credit.kind, Credit.id)
    )
    return to_csv(credits.COLUMNS, (
        (email, kind, job_type or "", "" if weeks is None else weeks, "" if rating is None else rating, module or "",
         granted_on.isoformat(), reason)
        for email, kind, job_type, weeks, rating, module, granted_on, reason in rows
    ))


def export_leave() -> str:
    """All leave in leave.csv's format, by trainee email and start date."""
    rows = db.session.execute(
        select(User.email, Leave.start_date, Leave.end_date, Leave.reason)
        .join(Trainee, Leave.trainee_id == Trainee.id)
        .join(User, Trainee.user_id == User.id)
        .order_by(User.email, Leave.start_date)
    )
    return to_csv(leave.COLUMNS, ((e, start.isoformat(), end.isoformat(), reason) for e, start, end, reason in rows))
