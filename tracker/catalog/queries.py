"""Reading the catalogue for forms: what may be chosen, and finding what was chosen."""
from sqlalchemy import select
from wtforms import SelectChoice

from tracker.catalog.models import JobType, TrainingModule, code_is
from tracker.core.parsing import parse_id
from tracker.extensions import db


def find_by_code_or_id(model, value: str):
    """The job type or module a form names by code in any case (or, from other clients, by id); None when there is none."""
    value = (value or "").strip()
    if not value:
        return None
    found = db.session.scalar(select(model).where(code_is(model, value)))
    if found is None and parse_id(value):
        found = db.session.get(model, parse_id(value))
    return found


def find_job_type(value: str) -> JobType | None:
    return find_by_code_or_id(JobType, value)


def find_module(value: str) -> TrainingModule | None:
    return find_by_code_or_id(TrainingModule, value)


def choices(model, keep=None, prompt: str = "Choose...") -> list[SelectChoice]:
    """(code, name) of every active record by name, plus `keep` (a record's current one) even when inactive."""
    records = list(db.session.scalars(select(model).where(model.active).order_by(model.name)))
    if keep is not None and keep not in records:
        records.append(keep)
    return [SelectChoice("", prompt)] + [
        SelectChoice(r.code, r.name if r.active else f"{r.name} (no longer in use)") for r in records
    ]


def job_type_choices(keep: JobType | None = None) -> list[SelectChoice]:
    return choices(JobType, keep, "Choose a job type")


def module_choices(keep: TrainingModule | None = None) -> list[SelectChoice]:
    return choices(TrainingModule, keep, "Choose a module")
