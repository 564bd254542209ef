"""What an import needs from the database, fetched set-based: a few queries per file, never one per row."""
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select

from tracker.auth.models import User
from tracker.catalog.models import JobType, TrainingModule, code_key
from tracker.extensions import db
from tracker.trainees.models import Rotation, Trainee, TraineeTargetRole

CHUNK = 1000  # ids or emails per IN (...) list, well under every database's parameter limit


def chunks(values: Iterable, size: int = CHUNK) -> Iterable[list]:
    """The values in lists of at most `size`."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


@dataclass(frozen=True)
class Person:
    """A user found by email, with their trainee record when they have one."""

    user_id: int
    email: str
    name: str
    role: str
    active: bool
    trainee_id: int | None = None
    trainee_status: str | None = None
    supervisor_id: int | None = None
    start_date: object = None
    cohort: str | None = None
    trainee_version: int | None = None


@dataclass(frozen=True)
class CatalogItem:
    """A job type or module found by code."""

    id: int
    code: str
    name: str
    active: bool


def people_by_email(emails: Iterable[str]) -> dict[str, Person]:
    """The users with these (lower-cased) emails, with their trainee records."""
    found = {}
    query = select(
        User.id, User.email, User.name, User.role, User.active, Trainee.id, Trainee.status,
        Trainee.supervisor_id, Trainee.start_date, Trainee.cohort, Trainee.version,
    ).outerjoin(Trainee, Trainee.user_id == User.id)
    for chunk in chunks({e for e in emails if e}):
        for row in db.session.execute(query.where(User.email.in_(chunk))):
            found[row[1]] = Person(*row)
    return found


def catalog_by_code(model: type[JobType] | type[TrainingModule]) -> dict[str, CatalogItem]:
    """Every job type or module by its code lower-cased, as `code_key` reads a file's (the catalogue is small)."""
    rows = db.session.execute(select(model.id, model.code, model.name, model.active))
    return {code_key(row.code): CatalogItem(*row) for row in rows}


def records_of(model, trainee_ids: Iterable[int]) -> list:
    """Every record of `model` (rotations, results, ...) of these trainees, as plain rows."""
    rows = []
    for chunk in chunks(trainee_ids):
        rows.extend(db.session.execute(select(*model.__table__.c).where(model.trainee_id.in_(chunk))).all())
    return rows


def job_type_names() -> dict[int, str]:
    return dict(db.session.execute(select(JobType.id, JobType.name)).all())


def trainee_rows(trainee_ids: Iterable[int]) -> dict[int, dict]:
    """These trainee records as plain rows, by id."""
    found = {}
    for chunk in chunks(trainee_ids):
        for row in db.session.execute(select(*Trainee.__table__.c).where(Trainee.id.in_(chunk))):
            found[row.id] = row._asdict()
    return found


def job_type_capacities(job_type_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """The name and capacity of those of these job types that have a capacity, by id."""
    query = select(JobType.id, JobType.name, JobType.capacity).where(JobType.id.in_(list(job_type_ids)), JobType.capacity.is_not(None))
    return {row.id: (row.name, row.capacity) for row in db.session.execute(query)}


def rotations_reaching(job_type_ids: Iterable[int], from_day) -> list:
    """Every rotation (any trainee's) of these job types that reaches `from_day` or later: id, job type, start, end."""
    query = select(Rotation.id, Rotation.job_type_id, Rotation.start_date, Rotation.end_date).where(
        Rotation.job_type_id.in_(list(job_type_ids)), or_(Rotation.end_date.is_(None), Rotation.end_date >= from_day)
    )
    return db.session.execute(query).all()


def target_role_ids(trainee_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """These trainees' target roles as role ids, most wanted first, by trainee id."""
    found: dict[int, tuple[int, ...]] = {}
    for chunk in chunks(trainee_ids):
        query = (select(TraineeTargetRole.trainee_id, TraineeTargetRole.role_id)
                 .where(TraineeTargetRole.trainee_id.in_(chunk)).order_by(TraineeTargetRole.trainee_id, TraineeTargetRole.position))
        for trainee_id, role_id in db.session.execute(query):
            found[trainee_id] = (*found.get(trainee_id, ()), role_id)
    return found


def trainee_ids_by_email(emails: Iterable[str]) -> dict[str, int]:
    """The trainee ids of the trainee users with these (lower-cased) emails."""
    found = {}
    for chunk in chunks(emails):
        found.update(db.session.execute(select(User.email, Trainee.id).join(Trainee, Trainee.user_id == User.id).where(User.email.in_(chunk))).all())
    return found
