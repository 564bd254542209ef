"""Running one occurrence of a job: claim it, keep the claim alive, do the work, record the outcome."""
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.scheduler import runs as claims

log = logging.getLogger(__name__)


class Heartbeat:
    """Renews a claim's lease from a thread of its own while the work runs (on the app's clock)."""

    def __init__(self, engine: Engine, claim: claims.Claim, lease_seconds: int, interval: float):
        self.engine, self.claim, self.lease_seconds, self.interval = engine, claim, lease_seconds, interval
        self.app = current_app._get_current_object()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.beat, name=f"heartbeat-{claim.job}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        self.thread.join()

    def stop(self) -> None:
        """No more renewals: the run is being recorded as finished (a refusal now means nothing)."""
        self.stopped.set()

    def beat(self) -> None:
        """The thread: in an app context of its own, so leases are reckoned on the app's clock."""
        with self.app.app_context():
            self.renew_until_stopped()

    def renew_until_stopped(self) -> None:
        """Renew every `interval` seconds until stopped or until the run is no longer ours."""
        while not self.stopped.wait(self.interval):
            try:
                if claims.renew(self.engine, self.claim, self.lease_seconds):
                    continue
            except SQLAlchemyError as exc:  # e.g. SQLite busy while the job itself writes: try again next beat
                log.debug("job %s %s: heartbeat not recorded: %s", self.claim.job, self.claim.period_key, exc)
                continue
            if not self.stopped.is_set():
                log.warning("job %s %s: lease lost to another scheduler", self.claim.job, self.claim.period_key)
            return


def run_occurrence(job: str, period_key: str, work: Callable[[], dict[str, Any]]) -> str:
    """Claim the occurrence and, if this process got it, do it; 'skipped', 'succeeded', 'failed' or 'lost'.

    `work` flushes its changes in db.session; they are committed together with
    the run's success, only if the claim is still this process's.
    """
    config = current_app.config
    claim = claims.claim(db.engine, job, period_key, config["JOB_LEASE_SECONDS"])
    if claim is None:
        log.info("job %s %s: skipped, claimed by another scheduler", job, period_key)
        return "skipped"
    host, pid = claims.owner()
    log.info("job %s %s: started (attempt %d) on %s:%d", job, period_key, claim.attempt, host, pid)
    with Heartbeat(db.engine, claim, config["JOB_LEASE_SECONDS"], config["JOB_HEARTBEAT_SECONDS"]) as heartbeat:
        return do_claimed(claim, work, heartbeat)


def do_claimed(claim: claims.Claim, work: Callable[[], dict[str, Any]], heartbeat: Heartbeat) -> str:
    """Do the work and commit it with the run's success; on error roll it back and record the failure."""
    try:
        counts = work()
        heartbeat.stop()
        if not claims.finish(db.session, claim, counts):
            db.session.rollback()
            log.warning("job %s %s: lease lost before the end, work rolled back", claim.job, claim.period_key)
            return "lost"
        db.session.commit()
    except Exception as exc:  # any failure of the job is recorded on its run, then the scheduler goes on
        db.session.rollback()
        log.exception("job %s %s: failed", claim.job, claim.period_key)
        record_failure(claim, exc)
        return "failed"
    log.info("job %s %s: succeeded %s", claim.job, claim.period_key, counts)
    return "succeeded"


def record_failure(claim: claims.Claim, exc: Exception) -> None:
    """Store the error on the run; if even that fails, the lease expires and another scheduler retries."""
    error = "".join(traceback.format_exception(exc)).strip()
    try:
        claims.fail(db.engine, claim, error)
    except SQLAlchemyError:
        log.exception("job %s %s: could not record the failure", claim.job, claim.period_key)
