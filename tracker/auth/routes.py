"""Sign-in and sign-out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth import services
from tracker.auth.forms import LoginForm
from tracker.core.parsing import check_plain_text
from tracker.extensions import db

bp = Blueprint("auth", __name__)

BAD_SIGN_IN = "That email and password do not match an active account."
THROTTLED = "Too many failed attempts. Wait a few minutes and try again."


def safe_next(target: str | None) -> str | None:
    """The `next` target only when it is a path on this site (and holds no control character: a CR/LF cannot go in a header)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    try:
        check_plain_text(target)
    except ValueError:
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
    """Count the attempt, check the credentials only within the limits; sign in and renew the session on success."""
    address = request.remote_addr
    attempt = services.record_attempt(email, address)
    db.session.commit()  # counted by every worker before any password is checked
    if not services.within_limits(email, address):
        services.withdraw_attempt(attempt)
        db.session.commit()
        flash(THROTTLED, "error")
        return None
    user = services.authenticate(email, password)
    if user is None:
        flash(BAD_SIGN_IN, "error")  # the attempt stays counted as a failure
        return None
    services.withdraw_attempt(attempt)
    services.forget_login_failures(email)
    db.session.commit()
    session.clear()  # a fresh session at sign-in: nothing from before carries over
    login_user(user)
    return user


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out: end every session of this user (a copied cookie included) and drop this one."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
