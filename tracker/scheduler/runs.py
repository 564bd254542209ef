"""Claiming one occurrence of a job in the database, keeping the claim alive, recording how it ended.

The job run row is the claim: unique per (job, period key), so whoever inserts
it does the occurrence, on whatever host. The claim is a lease: its holder
renews it by heartbeat, and once it has expired another scheduler may take the
run over (attempts + 1). `attempts` is the fencing token: a holder whose run
was taken over can no longer renew, finish or fail it.

Claims, heartbeats and failures are short transactions of their own (on
SQLite they take the write lock first, so concurrent claimers wait instead of
failing with "database is locked"); success is recorded in the job's own
transaction, so the work and its record commit together or not at all.
"""
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.infra.clock import utcnow
from tracker.infra.locking import begin_immediate
from tracker.scheduler.models import JobRun

RUNS = JobRun.__table__
ABANDONED = "Abandoned: its holder stopped renewing the lease, and a later occurrence is due."


@dataclass(frozen=True)
class Claim:
    """This process's hold on one job run, at one attempt."""

    run_id: int
    job: str
    period_key: str
    attempt: int


def owner() -> tuple[str, int]:
    """This process: host name and pid."""
    return socket.gethostname()[:255], os.getpid()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A short transaction on a connection of its own, committed at the end."""
    with engine.connect() as connection:
        begin_immediate(connection)
        yield connection
        connection.commit()


def insert_unless_claimed(dialect: str):
    """INSERT INTO job_runs that does nothing when the (job, period key) row exists."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(RUNS).on_conflict_do_nothing(index_elements=["job", "period_key"])


def state(engine: Engine, job: str, period_key: str, now: datetime) -> str:
    """'free' (nobody claimed it), 'expired' (its holder's lease ran out), 'held' or 'done'."""
    with engine.connect() as connection:
        row = connection.execute(
            select(RUNS.c.outcome, RUNS.c.lease_expires_at).where(RUNS.c.job == job, RUNS.c.period_key == period_key)
        ).first()
    if row is None:
        return "free"
    if row.outcome != "running":
        return "done"
    return "expired" if row.lease_expires_at < now else "held"


def claim(engine: Engine, job: str, period_key: str, lease_seconds: int) -> Claim | None:
    """Claim the occurrence, or take it over when its holder's lease has expired; None if someone has it."""
    now = utcnow()
    host, pid = owner()
    lease = {"owner_host": host, "owner_pid": pid, "heartbeat_at": now, "lease_expires_at": now + timedelta(seconds=lease_seconds)}
    with write_transaction(engine) as connection:
        inserted = connection.execute(
            insert_unless_claimed(connection.dialect.name)
            .values(job=job, period_key=period_key, started_at=now, outcome="running", attempts=1, counts={}, **lease)
            .returning(RUNS.c.id)
        ).first()
        if inserted is not None:
            return Claim(inserted.id, job, period_key, 1)
        taken = connection.execute(
            update(RUNS)
            .where(RUNS.c.job == job, RUNS.c.period_key == period_key, RUNS.c.outcome == "running",
                   RUNS.c.lease_expires_at < now)
            .values(attempts=RUNS.c.attempts + 1, **lease)
            .returning(RUNS.c.id, RUNS.c.attempts)
        ).first()
    return Claim(taken.id, job, period_key, taken.attempts) if taken is not None else None


def held_by(claim: Claim):
    """The condition that the run is still this claim's: running, at the claim's attempt."""
    return and_(RUNS.c.id == claim.run_id, RUNS.c.attempts == claim.attempt, RUNS.c.outcome == "running")


def renew(engine: Engine, claim: Claim, lease_seconds: int) -> bool:
    """Extend the lease; False when the run is no longer this claim's."""
    now = utcnow()
    with write_transaction(engine) as connection:
        result = connection.execute(
            update(RUNS).where(held_by(claim))
            .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
    return result.rowcount == 1


def finish(session: Session, claim: Claim, counts: dict[str, Any]) -> bool:
    """Record success in the session's transaction, with the work; False when the run is no longer ours."""
    now = utcnow()
    result = session.execute(
        update(RUNS).where(held_by(claim))
        .values(outcome="succeeded", finished_at=now, heartbeat_at=now, counts=counts, error=None)
    )
    return result.rowcount == 1


def fail(engine: Engine, claim: Claim, error: str) -> bool:
    """Record failure, with the error; False when the run is no longer ours."""
    now = utcnow()
    with write_transaction(engine) as connection:
        result = connection.execute(
            update(RUNS).where(held_by(claim)).values(outcome="failed", finished_at=now, error=error[:8000])
        )
    return result.rowcount == 1


def abandon_superseded(engine: Engine, job: str, current_key: str | None) -> list[str]:
    """Fail the runs of earlier occurrences whose holder died; the period keys abandoned.

    Only the latest occurrence is worth doing (a later one supersedes it), so a
    dead holder's older run is recorded as failed instead of being redone.
    """
    now = utcnow()
    stale = and_(RUNS.c.job == job, RUNS.c.outcome == "running", RUNS.c.lease_expires_at < now)
    if current_key is not None:
        stale = and_(stale, RUNS.c.period_key != current_key)
    with engine.connect() as connection:
        if not connection.execute(select(exists().where(stale))).scalar():
            return []
    with write_transaction(engine) as connection:
        return list(connection.execute(
            update(RUNS).where(stale).values(outcome="failed", finished_at=now, error=ABANDONED)
            .returning(RUNS.c.period_key)
        ).scalars())
