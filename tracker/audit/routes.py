"""The admins' audit page: every change, filterable by trainee, user and date."""
from flask import Blueprint, render_template, request

from tracker.audit import queries
from tracker.audit.forms import AuditFilterForm
from tracker.auth.access import admin_required
from tracker.web.pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@admin_required
def index():
    """Audit events, newest first, a page at a time."""
    form = AuditFilterForm(request.args)
    form.validate()
    filters = form.filters()
    page = paginate(queries.filter_events(**filters))
    args = {key: request.args[key] for key in ("trainee", "user", "date_from", "date_to") if request.args.get(key)}
    return render_template("audit/index.html", form=form, page=page, events=queries.describe_events(page.items), args=args)
