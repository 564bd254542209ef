"""Digest pages: preview, deliveries for admins, unsubscribe links, and the digest preference."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.auth.access import admin_required, staff_required
from tracker.auth.models import User
from tracker.core.formatting import format_day
from tracker.core.weeks import coming_week, parse_week
from tracker.digest import outbox, services
from tracker.digest.access import get_preview_recipient_or_403, preview_choices
from tracker.digest.content import build_digests
from tracker.digest.forms import DeliveryFilterForm, DigestPreferenceForm, PreviewForm, RetryForm
from tracker.digest.models import DigestDelivery
from tracker.digest.rendering import render_digest
from tracker.digest.tokens import user_id_from_token
from tracker.extensions import csrf, db
from tracker.infra.clock import today
from tracker.web.pagination import paginate

bp = Blueprint("digest", __name__)

# The HTML part of a digest is a mail, not a page: it needs inline styles, and
# runs nothing. It is shown only inside a sandboxed frame on our own pages.
MAIL_FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
STATUS_MESSAGES = {
    "sent": ("The digest was sent.", "success"),
    "failed": ("The mail server refused the digest again; see the error.", "error"),
    "pending": ("The mail server could not be reached; the digest stays queued and is retried.", "info"),
    "skipped": ("The recipient no longer gets the digest, so it was skipped.", "info"),
}


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
        delivery=db.session.scalar(select(DigestDelivery).filter_by(recipient_id=recipient_id, iso_week=str(week))),
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


def mail_frame(html: str):
    """Serve a mail's HTML to be framed by our own pages only, with inline styles allowed and nothing else."""
    response = make_response(html)
    response.headers["Content-Security-Policy"] = MAIL_FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/digest/deliveries")
@admin_required
def deliveries():
    """Every recorded delivery, newest week first, with its status, attempts and last error."""
    form = DeliveryFilterForm(request.args)
    form.validate()
    query = select(DigestDelivery).join(User, DigestDelivery.recipient_id == User.id).options(joinedload(DigestDelivery.recipient))
    if form.week.data and not form.week.errors:
        query = query.where(DigestDelivery.iso_week == form.week.data)
    if form.status.data:
        query = query.where(DigestDelivery.status == form.status.data)
    query = query.order_by(DigestDelivery.iso_week.desc(), User.name, DigestDelivery.id)
    page = paginate(query)
    return render_template("digest/deliveries.html", page=page, form=form, retry_form=RetryForm())


@bp.route("/digest/deliveries/<int:delivery_id>")
@admin_required
def delivery(delivery_id: int):
    """One recorded delivery: the message exactly as recorded, and its state."""
    return render_template(
        "digest/delivery.html", delivery=db.get_or_404(DigestDelivery, delivery_id), retry_form=RetryForm()
    )


@bp.route("/digest/deliveries/<int:delivery_id>/message.html")
@admin_required
def delivery_html(delivery_id: int):
    """The recorded HTML part of a delivery, for the frame on its page."""
    return mail_frame(db.get_or_404(DigestDelivery, delivery_id).body_html)


@bp.route("/digest/deliveries/<int:delivery_id>/retry", methods=["POST"])
@admin_required
def retry(delivery_id: int):
    """Put a failed delivery back in the queue and try it once straight away."""
    db.get_or_404(DigestDelivery, delivery_id)
    if RetryForm().validate_on_submit():
        outcome = outbox.retry_now(delivery_id)
        flash(*STATUS_MESSAGES.get(outcome, ("Only a failed delivery can be retried.", "error")))
    return redirect(request.referrer if is_our_deliveries_page(request.referrer) else url_for("digest.deliveries"))


def is_our_deliveries_page(referrer: str | None) -> bool:
    """True for the deliveries list or a delivery's page on this site (to go back to it, filters kept)."""
    prefix = request.host_url.rstrip("/") + "/digest/deliveries"
    return bool(referrer) and referrer.startswith(prefix)


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
@staff_required
def settings():
    """The signed-in user's digest preference."""
    form = DigestPreferenceForm(data={"digest_subscribed": current_user.digest_subscribed})
    if form.validate_on_submit():
        services.set_digest_subscription(current_user, form.digest_subscribed.data, actor=current_user)
        db.session.commit()
        flash("You will get the weekly digest." if form.digest_subscribed.data else "You will not get the weekly digest.", "success")
        return redirect(url_for("digest.settings"))
    return render_template("digest/settings.html", form=form)
