"""The import jobs this process is running: each one's progress in memory, written to its row by a thread of its own.

An import is one transaction, all rows or none, so its progress cannot be
written in it: nobody would see it before the commit. The import thread only
sets two numbers in memory (so it never waits on the database for its
progress), and a `Reporter` thread writes them, with the heartbeat, at most
every WRITE_SECONDS, each write a short transaction on a connection of its
own that touches only the job's row, and only while the job is running.

- PostgreSQL: the import locks trainees and the records it writes, never the
  job's row before its very end, so these writes do not wait for it.
- SQLite has one writer. From the import's lock step to its commit (the
  write phase) these writes wait for the lock, give up after the busy timeout
  and are tried again; readers never wait (WAL), so the job page still reads
  the row. A page this process serves reads the progress from memory, up to
  date all the same; a page another worker serves sees the checking phase's
  progress, then the end. A heartbeat held up by the lock is not a dead job:
  see services.job_status.
"""
import logging
import threading
import time

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.imports.models import ImportJob
from tracker.infra.clock import utcnow
from tracker.infra.leases import short_transaction

log = logging.getLogger(__name__)

JOBS = ImportJob.__table__
WRITE_SECONDS = 0.5  # progress written at most this often...
HEARTBEAT_SECONDS = 10  # ...and the heartbeat at least this often, progress or not


class Progress:
    """How far one import is, as it reports it: `done` of `total` (rows checked, then rows written)."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.done = self.total = 0

    def update(self, done: int, total: int) -> None:
        """The import's progress callback."""
        with self.guard:
            self.done, self.total = done, total

    def now(self) -> tuple[int, int]:
        with self.guard:
            return self.done, self.total


_live: dict[int, Progress] = {}
_live_guard = threading.Lock()


def register(job_id: int) -> Progress:
    """This process is running the job (from before its thread starts until it has recorded the outcome)."""
    with _live_guard:
        return _live.setdefault(job_id, Progress())


def forget(job_id: int) -> None:
    with _live_guard:
        _live.pop(job_id, None)


def live(job_id: int) -> Progress | None:
    """The job's progress if this process is running it."""
    with _live_guard:
        return _live.get(job_id)


def live_ids() -> list[int]:
    with _live_guard:
        return list(_live)


class Reporter:
    """Writes one running job's progress and heartbeat from a thread of its own, until stopped."""

    def __init__(self, app: Flask, job_id: int, progress: Progress) -> None:
        self.app, self.job_id, self.progress = app, job_id, progress
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"import-job-{job_id}-progress", daemon=True)

    def __enter__(self) -> "Reporter":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def run(self) -> None:
        """The thread: in an app context of its own (the app's clock and database)."""
        with self.app.app_context():
            written, beaten = None, time.monotonic()
            while not self.stopped.wait(WRITE_SECONDS):
                now = self.progress.now()
                if now == written and time.monotonic() - beaten < HEARTBEAT_SECONDS:
                    continue
                if self.write(*now):
                    written, beaten = now, time.monotonic()

    def write(self, done: int, total: int) -> bool:
        """Record the progress and a heartbeat; False when the database would not take it now."""
        try:
            with short_transaction(db.engine) as connection:
                connection.execute(
                    update(JOBS).where(JOBS.c.id == self.job_id, JOBS.c.state == "running")
                    .values(done=done, total=total, heartbeat_at=utcnow())
                )
        except SQLAlchemyError as exc:  # SQLite busy while the import writes: try again next time
            log.debug("import job %s: progress not recorded: %s", self.job_id, exc)
            return False
        return True
