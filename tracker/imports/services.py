"""The imports and their exports, by the name the command line and the upload page use.

A new kind of file is an Importer (see pipeline.py) added to IMPORTERS, and its export to EXPORTERS.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from tracker.extensions import db
from tracker.imports import running
from tracker.imports.credits import CreditsImport
from tracker.imports.csvfile import ImportFailed, more_rows_than
from tracker.imports.exports import export_credits, export_leave, export_results, export_rotations, export_trainees
from tracker.imports.leave import LeaveImport
from tracker.imports.models import ImportJob
from tracker.imports.pipeline import Importer
from tracker.imports.report import ImportReport
from tracker.imports.results import ResultsImport
from tracker.imports.rotations import RotationsImport
from tracker.imports.trainees import TraineesImport
from tracker.infra.clock import utcnow
from tracker.infra.locking import write_lock_taken
from tracker.infra.statistics import refresh_statistics

IMPORTERS: dict[str, Importer] = {
    importer.kind: importer
    for importer in (TraineesImport(), RotationsImport(), ResultsImport(), CreditsImport(), LeaveImport())
}
EXPORTERS: dict[str, Callable[[], str]] = {
    "trainees": export_trainees,
    "rotations": export_rotations,
    "results": export_results,
    "credits": export_credits,
    "leave": export_leave,
}
KINDS = tuple(IMPORTERS)
RACED = "the records changed while the file was being imported (another import or edit at the same moment); nothing was imported, try again"
RACED_SENTENCE = RACED[:1].upper() + RACED[1:] + "."
COLUMNS = {kind: importer.columns for kind, importer in IMPORTERS.items()}


def import_file(kind: str, data: bytes, actor=None, progress=None) -> ImportReport:
    """Import a file of this kind (flushed, not committed); ImportFailed lists every bad line.

    `progress(done, total)`, if given, is told now and then how far the import is.
    """
    report = IMPORTERS[kind].run(data, actor=actor, progress=progress)
    refresh_statistics(db.session)  # tables may have grown tenfold: the planner should know
    return report


def export_file(kind: str) -> str:
    """All records of this kind as CSV in the import format."""
    return EXPORTERS[kind]()


# --- import jobs: a large file imported in the background, its progress on a page of its own -----------

# A queued or running job whose heartbeat is this old lost its process (a restart, a crash) and,
# with it, its transaction: nothing of it was imported.
LOST_AFTER_SECONDS = 60
INTERRUPTED = "The import was interrupted; nothing was imported, upload the file again."
ACTIVE = ("queued", "running")


def runs_in_background(data: bytes) -> bool:
    """The file has more rows than TRACKER_IMPORT_INLINE_ROWS: import it as a job rather than while the page waits."""
    return more_rows_than(data, current_app.config["TRACKER_IMPORT_INLINE_ROWS"])


def queue_import(kind: str, filename: str | None, data: bytes, actor) -> ImportJob:
    """Record a file to import in the background (flushed; the caller commits, then launches it).

    Jobs whose process died are closed first, which also clears their files.
    """
    close_lost_jobs()
    job = ImportJob(
        kind=kind, filename=shown_filename(filename) or f"{kind}.csv", data=data, created_by_id=actor.id, state="queued",
        heartbeat_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    return job


def shown_filename(filename: str | None) -> str:
    """The uploaded file's name as the pages show it: its last part, printable characters only, at most 255."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(character for character in name if character.isprintable()).strip()[:255]


def begin_job(job: ImportJob) -> None:
    """The job's import starts now."""
    job.state, job.started_at, job.heartbeat_at = "running", utcnow(), utcnow()
    db.session.flush()


def import_job(job: ImportJob, progress: running.Progress) -> ImportReport:
    """Import the job's file and record it done, in one transaction (flushed, not committed); ImportFailed as `import_file`."""
    report = import_file(job.kind, job.data, actor=job.created_by, progress=progress.update)
    done, total = progress.now()
    end_job(job, "done", summary=report.summary(), done=done, total=total)
    return report


def fail_job(job: ImportJob, failure: ImportFailed | None = None, error: str | None = None) -> None:
    """Record why the job imported nothing: its bad lines, or an error about the whole file (flushed)."""
    if failure is not None:
        end_job(job, "failed", problems=[[line, reason] for line, reason in failure.problems], bad_lines=failure.count)
    else:
        end_job(job, "failed", error=error)


def end_job(job: ImportJob, state: str, **outcome) -> None:
    """The job's outcome; its file is not kept."""
    job.state, job.finished_at, job.heartbeat_at, job.data = state, utcnow(), utcnow(), None
    for name, value in outcome.items():
        setattr(job, name, value)
    db.session.flush()


def close_lost_jobs() -> None:
    """Record the jobs whose process died as failed, and clear their files (flushed).

    One conditional UPDATE: on SQLite it waits for the write lock, so a job busy
    writing in another process has committed (and is no longer queued or running)
    by the time the heartbeats are compared.
    """
    now = utcnow()
    db.session.execute(
        update(ImportJob)
        .where(ImportJob.state.in_(ACTIVE), ImportJob.heartbeat_at < now - timedelta(seconds=LOST_AFTER_SECONDS),
               ImportJob.id.not_in(running.live_ids()))
        .values(state="failed", error=INTERRUPTED, data=None, finished_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class JobStatus:
    """What the pages show of a job: its state, progress, and its outcome once it has ended."""

    state: str  # queued, running, done, failed
    done: int
    total: int
    summary: str | None = None
    error: str | None = None
    failure: ImportFailed | None = None

    @property
    def rows(self) -> int:
        """The file's data rows (the import reports each row twice: checked, then written)."""
        return self.total // 2

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def interrupted(self) -> bool:
        return self.error == INTERRUPTED

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0

    @property
    def css_class(self) -> str:
        """The class the scheduler's runs use for the same state."""
        return {"done": "run-succeeded", "failed": "run-failed"}.get(self.state, "run-running")


def job_status(job: ImportJob) -> JobStatus:
    """The job as it stands: progress from memory when this process runs it, and a job whose process died as failed."""
    progress = running.live(job.id)
    if job.state in ACTIVE and progress is not None:
        return JobStatus(job.state, *progress.now())
    if job.state in ACTIVE and lost(job):
        return JobStatus("failed", job.done, job.total, error=INTERRUPTED)
    failure = ImportFailed([tuple(p) for p in job.problems], job.bad_lines) if job.problems is not None else None
    return JobStatus(job.state, job.done, job.total, job.summary, job.error, failure)


def statuses_closing_lost(jobs: list[ImportJob]) -> list[JobStatus]:
    """Each job's status; jobs found lost are recorded as failed and their files cleared (flushed; the page commits).

    A lost job's file is not kept until the next upload: whoever sees first that it was lost closes it.
    """
    statuses = [job_status(job) for job in jobs]
    if any(job.state in ACTIVE and status.interrupted for job, status in zip(jobs, statuses, strict=True)):
        close_lost_jobs()
    return statuses


def lost(job: ImportJob) -> bool:
    """No process is running the job: its heartbeat stopped, and it is not a SQLite writer holding the lock.

    On SQLite the job's heartbeat cannot be written while its import holds the
    write lock; a job whose heartbeat stopped while someone holds it may be
    that writer, busy, so it is not taken for lost. The job may also have
    ended since it was read: it is read again before it is called lost.
    """
    if (utcnow() - job.heartbeat_at).total_seconds() <= LOST_AFTER_SECONDS or write_lock_taken(db.engine):
        return False
    db.session.refresh(job)
    return job.state in ACTIVE
