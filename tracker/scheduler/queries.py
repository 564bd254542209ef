"""Reads for the admin page of job runs."""
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.scheduler.models import JobRun


def recent_runs(limit: int = 50) -> list[JobRun]:
    """The latest runs of every job, newest first."""
    return list(db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))


def recent_failures(limit: int = 20) -> list[JobRun]:
    """The latest failed runs, newest first."""
    return list(db.session.scalars(
        select(JobRun).where(JobRun.outcome == "failed")
        .order_by(JobRun.finished_at.desc(), JobRun.id.desc()).limit(limit)
    ))


def stalled_runs(now: datetime) -> list[JobRun]:
    """Runs still marked running whose lease has expired: their holder stopped, nobody took over yet."""
    return list(db.session.scalars(
        select(JobRun).where(JobRun.outcome == "running", JobRun.lease_expires_at < now).order_by(JobRun.started_at)
    ))
