"""The admins' import page (upload a CSV file; every row or none) and export downloads."""
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.auth.access import admin_required
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.csvfile import ImportFailed
from tracker.imports.forms import ImportForm

bp = Blueprint("imports", __name__, url_prefix="/admin/imports")


@bp.route("/", methods=["GET", "POST"])
@admin_required
def upload():
    """Import an uploaded file; on any bad row, list the bad lines (the first hundred; the rest counted) and save nothing."""
    form = ImportForm()
    failure = None
    if form.validate_on_submit():
        try:
            report = services.import_file(form.kind.data, form.file.data.read(), actor=current_user)
        except ImportFailed as exc:
            db.session.rollback()
            failure = exc
        except IntegrityError:
            db.session.rollback()
            flash(services.RACED[:1].upper() + services.RACED[1:] + ".", "error")
        else:
            db.session.commit()
            flash(report.summary(), "success")
            return redirect(url_for("imports.upload"))
    return render_template("imports/upload.html", form=form, failure=failure, columns=services.COLUMNS)


@bp.route("/<any(trainees, rotations, results, credits, leave):kind>.csv")
@admin_required
def export(kind: str):
    """Download every record of a kind as CSV, in the import format."""
    return Response(
        services.export_file(kind), mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={kind}.csv"},
    )
