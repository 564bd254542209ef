"""Import jobs run in a thread of the web process: the job's boundary, where its transactions commit.

The request that uploaded the file commits the job and returns at once, so no
worker is held past gunicorn's timeout. The thread commits twice: "running"
on its own, then the import and its outcome together, all rows or none. Its
progress and heartbeat are written beside it (see running.py). If the process
dies, the import's transaction dies with it: nothing is imported, and the job,
its heartbeat stopped, is shown as interrupted.
"""
import threading

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from tracker.core.errors import TrackerError
from tracker.extensions import db
from tracker.imports import running, services
from tracker.imports.csvfile import ImportFailed
from tracker.imports.models import ImportJob


def launch(job_id: int) -> threading.Thread:
    """Import a committed job in a thread of this process."""
    app = current_app._get_current_object()
    progress = running.register(job_id)  # before the redirect: the job page knows at once that it runs here
    thread = threading.Thread(target=run_job, args=(app, job_id, progress), name=f"import-job-{job_id}", daemon=True)
    thread.start()
    return thread


def run_job(app: Flask, job_id: int, progress: running.Progress) -> None:
    """Mark the job running, import its file and record the outcome, in an app context and session of its own."""
    with app.app_context():
        try:
            services.begin_job(db.session.get(ImportJob, job_id))
            db.session.commit()
            with running.Reporter(app, job_id, progress):
                import_and_record(app, job_id, progress)
        finally:
            running.forget(job_id)
            db.session.remove()


def import_and_record(app: Flask, job_id: int, progress: running.Progress) -> None:
    """The import and its outcome in one commit; on any failure, nothing of it, and why."""
    try:
        services.import_job(db.session.get(ImportJob, job_id), progress)
        db.session.commit()
        return
    except ImportFailed as exc:
        outcome = {"failure": exc}
    except IntegrityError:
        outcome = {"error": services.RACED_SENTENCE}
    except TrackerError as exc:
        outcome = {"error": f"Nothing was imported: {exc}"}
    except Exception as exc:  # recorded for the person waiting, and logged with its traceback
        app.logger.exception("import job %s failed", job_id)
        outcome = {"error": f"The import stopped with an unexpected error ({type(exc).__name__}); nothing was imported."}
    db.session.rollback()
    services.fail_job(db.session.get(ImportJob, job_id), **outcome)
    db.session.commit()
