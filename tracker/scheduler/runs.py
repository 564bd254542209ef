"""Claiming one occurrence of a job in the database, keeping the claim alive, recording how it ended.

The job run row is the claim: unique per (job, period key), so whoever inserts
it (`tracker.infra.upsert`) does the occurrence, on whatever host. The claim is
a lease (`tracker.infra.leases`): its holder renews it by heartbeat, and once
it has expired another scheduler may take the run over (attempts + 1).
`attempts` is the fencing token: a holder whose run was taken over can no
longer renew, finish or fail it.

Claims, heartbeats and failures are short transactions of their own (on
SQLite they take the write lock first, so concurrent claimers wait instead of
failing with "database is locked"); success is recorded in the job's own
transaction, so the work and its record commit together or not at all.
"""
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, select, update
from sqlalchemy.orm import Session

from tracker.infra import leases
from tracker.infra.clock import utcnow
from tracker.infra.leases import short_transaction
from tracker.infra.upsert import insert_if_absent
from tracker.scheduler.models import JobRun

RUNS = JobRun.__table__
RUN_LEASE = leases.LeasedTable(RUNS, RUNS.c.outcome == "running", RUNS.c.lease_expires_at, RUNS.c.attempts)
ABANDONED = "Abandoned: its holder stopped renewing the lease, and a later occurrence is due."


@dataclass(frozen=True)
class Claim:
    """This process's hold on one job run, at one attempt."""

    run_id: int
    job: str
    period_key: str
    attempt: int

    @property
    def hold(self) -> leases.Hold:
        return leases.Hold(self.run_id, self.attempt)


def owner() -> tuple[str, int]:
    """This process: host name and pid."""
    return socket.gethostname()[:255], os.getpid()


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
    return "expired" if row.lease_expires_at <= now else "held"


def claim(engine: Engine, job: str, period_key: str, lease_seconds: int) -> Claim | None:
    """Claim the occurrence, or take it over when its holder's lease has expired; None if someone has it."""
    now = utcnow()
    host, pid = owner()
    lease = timedelta(seconds=lease_seconds)
    holder = {"owner_host": host, "owner_pid": pid, "heartbeat_at": now}
    new_run = {
        "job": job, "period_key": period_key, "started_at": now, "outcome": "running", "attempts": 1, "counts": {},
        "lease_expires_at": now + lease, **holder,
    }
    with short_transaction(engine) as connection:
        inserted = insert_if_absent(connection, RUNS, [new_run], ("job", "period_key"), (RUNS.c.id,))
        if inserted:
            return Claim(inserted[0].id, job, period_key, 1)
        this_run = and_(RUNS.c.job == job, RUNS.c.period_key == period_key)
        taken = leases.take(connection, RUN_LEASE, this_run, now, lease, **holder)
    return Claim(taken.row_id, job, period_key, taken.attempt) if taken is not None else None


def renew(engine: Engine, claim: Claim, lease_seconds: int) -> bool:
    """Extend the lease; False when the run is no longer this claim's."""
    now = utcnow()
    with short_transaction(engine) as connection:
        return leases.renew(connection, RUN_LEASE, claim.hold, now, timedelta(seconds=lease_seconds), heartbeat_at=now)


def finish(session: Session, claim: Claim, counts: dict[str, Any]) -> bool:
    """Record success in the session's transaction, with the work; False when the run is no longer ours."""
    now = utcnow()
    return leases.release(
        session, RUN_LEASE, claim.hold, outcome="succeeded", finished_at=now, heartbeat_at=now, counts=counts, error=None,
    )


def fail(engine: Engine, claim: Claim, error: str) -> bool:
    """Record failure, with the error; False when the run is no longer ours."""
    with short_transaction(engine) as connection:
        return leases.release(connection, RUN_LEASE, claim.hold, outcome="failed", finished_at=utcnow(), error=error[:8000])


def abandon_superseded(engine: Engine, job: str, current_key: str | None) -> list[str]:
    """Fail the runs of earlier occurrences whose holder died; the period keys abandoned.

    Only the latest occurrence is worth doing (a later one supersedes it), so a
    dead holder's older run is recorded as failed instead of being redone.
    """
    now = utcnow()
    stale = and_(RUNS.c.job == job, leases.lapsed(RUN_LEASE, now))
    if current_key is not None:
        stale = and_(stale, RUNS.c.period_key != current_key)
    with engine.connect() as connection:
        if not connection.execute(select(exists().where(stale))).scalar():
            return []
    with short_transaction(engine) as connection:
        return list(connection.execute(
            update(RUNS).where(stale).values(outcome="failed", finished_at=now, error=ABANDONED)
            .returning(RUNS.c.period_key)
        ).scalars())
