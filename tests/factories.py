"""Test data: small functions that add one record each, flushed, with sensible defaults."""
import itertools
from datetime import date
from decimal import Decimal
from functools import cache

from werkzeug.security import generate_password_hash

from tracker.auth.models import User
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule
from tracker.extensions import db
from tracker.trainees.models import Credit, Leave, ModuleResult, Rotation, Trainee

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


@cache
def default_password_hash() -> str:
    """One hash of PASSWORD shared by the factory users: hashing is slow on purpose, and tests make many users."""
    return generate_password_hash(PASSWORD)


def unique(prefix: str) -> str:
    """A value no other factory call returns."""
    return f"{prefix}{next(_sequence)}"


def make_user(role: str = "supervisor", email: str | None = None, name: str | None = None, password: str | None = PASSWORD, active: bool = True) -> User:
    user = User(email=(email or f"{unique(role)}@example.com").lower(), name=name or unique(f"{role.title()} "), role=role, active=active)
    if password == PASSWORD:
        user.password_hash = default_password_hash()
    elif password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_trainee(supervisor: User | None = None, start_date: date = date(2025, 1, 6), cohort: str = "2025-A", status: str = "active", placed_role: TargetRole | None = None, **user_fields) -> Trainee:
    """A trainee; a placed one needs the role they were placed in (placed on 2026-01-05)."""
    trainee = Trainee(
        user=make_user("trainee", **user_fields),
        supervisor=supervisor or make_user("supervisor"),
        start_date=start_date,
        cohort=cohort,
        status=status,
        placed_role=placed_role,
        placed_on=date(2026, 1, 5) if placed_role else None,
    )
    db.session.add(trainee)
    db.session.flush()
    return trainee


def make_job_type(code: str | None = None, name: str | None = None, active: bool = True, capacity: int | None = None) -> JobType:
    code = code or unique("job")
    job_type = JobType(code=code, name=name or code.title(), description="", active=active, capacity=capacity)
    db.session.add(job_type)
    db.session.flush()
    return job_type


def make_module(code: str | None = None, name: str | None = None, pass_score: int = 60, valid_months: int | None = None, active: bool = True) -> TrainingModule:
    code = code or unique("module")
    module = TrainingModule(code=code, name=name or code.title(), pass_score=Decimal(pass_score), valid_months=valid_months, active=active)
    db.session.add(module)
    db.session.flush()
    return module


def make_role(code: str | None = None, min_total_weeks: int = 0, min_distinct_job_types: int = 0, rotations=(), modules=()) -> TargetRole:
    """A target role; `rotations` are (job_type, min_weeks, min_rating), `modules` are (module, min_score)."""
    code = code or unique("role")
    role = TargetRole(code=code, name=code.title(), description="", min_total_weeks=min_total_weeks, min_distinct_job_types=min_distinct_job_types)
    role.rotation_requirements = [RotationRequirement(job_type=j, min_weeks=w, min_rating=g) for j, w, g in rotations]
    role.module_requirements = [ModuleRequirement(module=m, min_score=Decimal(s)) for m, s in modules]
    db.session.add(role)
    db.session.flush()
    return role


def make_rotation(trainee: Trainee, job_type: JobType, start_date: date, end_date: date | None = None, rating: int | None = None, notes: str = "") -> Rotation:
    rotation = Rotation(trainee=trainee, job_type=job_type, supervisor=trainee.supervisor, start_date=start_date, end_date=end_date, rating=rating, notes=notes)
    db.session.add(rotation)
    db.session.flush()
    return rotation


def make_result(trainee: Trainee, module: TrainingModule, completed_on: date, score) -> ModuleResult:
    result = ModuleResult(trainee=trainee, module=module, completed_on=completed_on, score=Decimal(str(score)))
    db.session.add(result)
    db.session.flush()
    return result


def make_experience(trainee: Trainee, job_type: JobType, weeks: int, granted_on: date, rating: int | None = None, reason: str = "prior experience") -> Credit:
    """An experience credit: `weeks` weeks of `job_type`, counted as a rotation ending on `granted_on`."""
    credit = Credit(trainee=trainee, kind="experience", job_type=job_type, weeks=weeks, rating=rating, granted_on=granted_on, reason=reason)
    db.session.add(credit)
    db.session.flush()
    return credit


def make_exemption(trainee: Trainee, module: TrainingModule, granted_on: date, reason: str = "graduate degree") -> Credit:
    """An exemption from `module` from `granted_on` on."""
    credit = Credit(trainee=trainee, kind="exemption", module=module, granted_on=granted_on, reason=reason)
    db.session.add(credit)
    db.session.flush()
    return credit


def make_leave(trainee: Trainee, start_date: date, end_date: date, reason: str = "annual leave") -> Leave:
    leave = Leave(trainee=trainee, start_date=start_date, end_date=end_date, reason=reason)
    db.session.add(leave)
    db.session.flush()
    return leave
