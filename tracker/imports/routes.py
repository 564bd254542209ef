"""The admins' import page (upload a CSV file; every row or none), import jobs' pages, and export downloads."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.auth.access import admin_required
from tracker.extensions import db
from tracker.imports import background, queries, services
from tracker.imports.csvfile import ImportFailed
from tracker.imports.forms import ImportForm
from tracker.imports.models import ImportJob

bp = Blueprint("imports", __name__, url_prefix="/admin/imports")


@bp.route("/", methods=["GET", "POST"])
@admin_required
def upload():
    """Import an uploaded file; on any bad row, list the bad lines (the first hundred; the rest counted) and save nothing.

    A file of more than TRACKER_IMPORT_INLINE_ROWS rows is imported in the background instead: see `job`.
    """
    form = ImportForm()
    failure = None
    if form.validate_on_submit():
        data = form.file.data.read()
        if services.runs_in_background(data):
            return start_job(form.kind.data, form.file.data.filename, data)
        try:
            report = services.import_file(form.kind.data, data, actor=current_user)
        except ImportFailed as exc:
            db.session.rollback()
            failure = exc
        except IntegrityError:
            db.session.rollback()
            flash(services.RACED_SENTENCE, "error")
        else:
            db.session.commit()
            flash(report.summary(), "success")
            return redirect(url_for("imports.upload"))
    jobs = queries.recent_jobs()
    statuses = services.statuses_closing_lost(jobs)
    db.session.commit()
    return render_template(
        "imports/upload.html", form=form, failure=failure, columns=services.COLUMNS, jobs=list(zip(jobs, statuses, strict=True)),
    )


def start_job(kind: str, filename: str | None, data: bytes):
    """Keep the file as a job, commit it, import it in a thread, and send the browser to the job's page."""
    job = services.queue_import(kind, filename, data, actor=current_user)
    db.session.commit()
    background.launch(job.id)
    return redirect(url_for("imports.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@admin_required
def job(job_id: int):
    """A job's progress while it runs (the page reloads itself), then what it imported or the lines to correct."""
    job = get_job_or_404(job_id)
    [status] = services.statuses_closing_lost([job])
    db.session.commit()
    return render_template("imports/job.html", job=job, status=status)


def get_job_or_404(job_id: int) -> ImportJob:
    """Any job: every admin sees every admin's."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/<any(trainees, rotations, results, credits, leave):kind>.csv")
@admin_required
def export(kind: str):
    """Download every record of a kind as CSV, in the import format."""
    return Response(
        services.export_file(kind), mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={kind}.csv"},
    )
