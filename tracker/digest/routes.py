"""Digest pages: preview, unsubscribe links, the digest preference, and the old addresses of the deliveries."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.auth.access import staff_required
from tracker.auth.models import User
from tracker.core.formatting import format_day
from tracker.core.weeks import coming_week, parse_week
from tracker.digest import services
from tracker.digest.access import get_preview_recipient_or_403, preview_choices
from tracker.digest.content import build_digests
from tracker.digest.forms import DigestPreferenceForm, PreviewForm
from tracker.digest.rendering import render_digest
from tracker.digest.tokens import user_id_from_token
from tracker.extensions import csrf, db
from tracker.infra.clock import today
from tracker.mail.queries import recorded_digest
from tracker.web.frames import mail_frame

bp = Blueprint("digest", __name__)


@bp.route("/digest/preview")
@staff_required
def preview():
    """The coming digest of the signed-in supervisor, or for an admin of anyone they pick."""
    form = PreviewForm(request.args, supervisors=preview_choices(current_user))
    form.validate()
    week, recipient_id = preview_target(form)
    digest = preview_digest(week, recipient_id)
    return render_template(
        "digest/preview.html", form=form, week=week, digest=digest, recipient=db.session.get(User, recipient_id),
        rendered=render_digest(digest) if digest else None,
        recorded=recorded_digest(recipient_id, str(week)),
        frame_url=url_for("digest.preview_html", week=str(week), supervisor=recipient_id), day=format_day,
    )


@bp.route("/digest/preview/message.html")
@staff_required
def preview_html():
    """The HTML part of a previewed digest, for the frame on the preview page."""
    form = PreviewForm(request.args, supervisors=preview_choices(current_user))
    form.validate()
    digest = preview_digest(*preview_target(form))
    if digest is None:
        abort(404)
    return mail_frame(render_digest(digest).html)


def preview_target(form: PreviewForm):
    """The week (default: the coming one) and whose digest the preview form asks for."""
    week = parse_week(form.week.data) if form.week.data and not form.week.errors else coming_week(today())
    chosen = form.supervisor.data if not form.supervisor.errors else None
    return week, get_preview_recipient_or_403(chosen)


def preview_digest(week, recipient_id: int):
    """The recipient's digest for the week, or None when they get none (no active trainees)."""
    return next(iter(build_digests(week, recipient_id)), None)


# The deliveries pages became the Mail pages (every mail, not only digests); old links and bookmarks follow.

@bp.route("/digest/deliveries")
def deliveries():
    """The digests on the Mail page, with the same filters."""
    return redirect(url_for("mail.index", **{"kind": "digest", **request.args.to_dict()}), 308)


@bp.route("/digest/deliveries/<int:message_id>")
def delivery(message_id: int):
    return redirect(url_for("mail.message", message_id=message_id), 308)


@bp.route("/digest/deliveries/<int:message_id>/message.html")
def delivery_html(message_id: int):
    return redirect(url_for("mail.message_html", message_id=message_id), 308)


@bp.route("/digest/deliveries/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int):
    """308 keeps the POST and its CSRF token."""
    return redirect(url_for("mail.retry", message_id=message_id), 308)


@bp.route("/digest/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs with no session and no CSRF token; the signed token is the proof
def unsubscribe(token: str):
    """GET: ask to confirm, changing nothing. POST: stop the digest for the user the token names."""
    user_id = user_id_from_token(token)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        abort(404)
    if request.method == "POST":
        services.set_digest_subscription(user, False, actor=user)
        db.session.commit()
        return render_template("digest/unsubscribed.html", user=user)
    return render_template("digest/unsubscribe.html", user=user, token=token)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The signed-in user's settings: the digest preference (staff), and the calendar feed (everyone: see feeds)."""
    form = DigestPreferenceForm(data={"digest_subscribed": current_user.digest_subscribed})
    if current_user.is_trainee and request.method == "POST":
        abort(403)  # trainees get no digest
    if form.validate_on_submit():
        services.set_digest_subscription(current_user, form.digest_subscribed.data, actor=current_user)
        db.session.commit()
        flash("You will get the weekly digest." if form.digest_subscribed.data else "You will not get the weekly digest.", "success")
        return redirect(url_for("digest.settings"))
    return render_template("digest/settings.html", form=form)
