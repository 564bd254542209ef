"""The admins' audit page: every change, filterable by trainee, user and date."""
from flask import Blueprint, render_template, request

from tracker.audit import queries
from tracker.audit.forms import AuditFilterForm
from tracker.auth.access import admin_required
from tracker.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PER_PAGE = 50


@bp.route("/")
@admin_required
def index():
    """Audit events, newest first, 50 a page."""
    form = AuditFilterForm(request.args)
    form.validate()
    filters = form.filters()
    page = db.paginate(queries.filter_events(**filters), per_page=PER_PAGE, error_out=False)
    args = {key: request.args[key] for key in ("trainee", "user", "date_from", "date_to") if request.args.get(key)}
    return render_template("audit/index.html", form=form, page=page, events=queries.describe_events(page.items), args=args)
