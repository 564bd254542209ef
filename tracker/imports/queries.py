"""Reads for the imports page."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.imports.models import ImportJob

RECENT_JOBS = 5


def recent_jobs(limit: int = RECENT_JOBS) -> list[ImportJob]:
    """The latest import jobs, newest first, with who uploaded them (two queries)."""
    return list(db.session.scalars(
        select(ImportJob).options(selectinload(ImportJob.created_by)).order_by(ImportJob.id.desc()).limit(limit)
    ))
