"""Sign-in and sign-out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth import services
from tracker.auth.forms import LoginForm
from tracker.extensions import db

bp = Blueprint("auth", __name__)

BAD_SIGN_IN = "That email and password do not match an active account."
THROTTLED = "Too many failed attempts. Wait a few minutes and try again."


def safe_next(target: str | None) -> str | None:
    """The `next` target only when it is a path on this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on valid credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = sign_in_attempt(form.email.data, form.password.data)
        if user is not None:
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


def sign_in_attempt(email: str, password: str):
    """Check throttling and credentials; sign in and renew the session on success."""
    address = request.remote_addr
    if services.is_throttled(email, address):
        flash(THROTTLED, "error")
        return None
    user = services.authenticate(email, password)
    if user is None:
        services.record_login_failure(email, address)
        db.session.commit()
        flash(BAD_SIGN_IN, "error")
        return None
    services.forget_login_failures(email)
    db.session.commit()
    session.clear()  # a fresh session at sign-in: nothing from before carries over
    login_user(user)
    return user


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out and drop the session."""
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
