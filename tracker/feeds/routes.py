"""Calendar feeds: the feed itself (its token is the only key), and making and revoking its address under Settings."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.feeds import queries, services
from tracker.feeds.forms import MakeFeedForm, RevokeFeedForm
from tracker.web.forms import flash_errors

bp = Blueprint("feeds", __name__)


@bp.app_template_global()
def calendar_feed_in_force():
    """For the Settings page's calendar section: the signed-in user's address in force (its record), if any."""
    return queries.active_token(current_user)


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    """The feed of the user the token belongs to; 404 for an unknown or revoked token (no sign-in: the token is the key)."""
    user = queries.owner_of(token)
    if user is None:
        abort(404)
    response = Response(services.feed_for(user), mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = 'inline; filename="rotations.ics"'
    return response


@bp.route("/settings/calendar/new", methods=["POST"])
@login_required
def make_feed():
    """Make a new address and show it, once: only its hash is kept."""
    form = MakeFeedForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("digest.settings"))
    token = services.make_feed_token(current_user, actor=current_user)
    db.session.commit()
    address = current_app.config["BASE_URL"] + url_for("feeds.feed", token=token)
    return render_template("feeds/made.html", address=address)


@bp.route("/settings/calendar/revoke", methods=["POST"])
@login_required
def revoke_feed():
    """Stop the address working."""
    form = RevokeFeedForm()
    if form.validate_on_submit():
        services.revoke_feed_tokens(current_user, actor=current_user)
        db.session.commit()
        flash("Your calendar address no longer works. Calendars subscribed to it stop updating.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("digest.settings"))
