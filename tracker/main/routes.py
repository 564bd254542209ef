"""Home (each role's start page), the icon at the root, and the health check."""
from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text

from tracker.extensions import db
from tracker.infra.clock import today
from tracker.main.home import what_needs_me
from tracker.trainees.access import visible_trainees
from tracker.trainees.models import Trainee

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Each role's home: a supervisor's is what needs them now; a trainee's is their own page."""
    if current_user.is_trainee:
        return redirect(url_for("main.me"))
    if current_user.is_supervisor:
        return render_template("main/supervisor_home.html", home=what_needs_me(visible_trainees(current_user), today()))
    return redirect(url_for("trainees.index"))


@bp.route("/me")
@login_required
def me():
    """A trainee's own progress page."""
    trainee_id = db.session.scalar(select(Trainee.id).where(Trainee.user_id == current_user.id))
    if trainee_id is None:
        abort(404)
    return redirect(url_for("trainees.show", trainee_id=trainee_id))


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers ask for at the root (pages link static/favicon.svg; this serves what others ask for)."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/healthz")
def healthz():
    """200 when the app can reach its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
