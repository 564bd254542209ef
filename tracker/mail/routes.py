"""The Mail pages for admins: every message in the outbox, one message as recorded, and retrying a failed one."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.auth.access import admin_required
from tracker.extensions import db
from tracker.mail import queries, sender
from tracker.mail.forms import MailFilterForm, RetryForm
from tracker.mail.models import OutboundMail
from tracker.mail.rules import SKIP_REASON_TEXT, shown_to_admins
from tracker.web.frames import mail_frame
from tracker.web.pagination import paginate

bp = Blueprint("mail", __name__, url_prefix="/admin/mail")

RETRY_MESSAGES = {
    "sent": ("The {kind} was sent.", "success"),
    "failed": ("The mail server refused the {kind} again; see the error.", "error"),
    "pending": ("The mail server could not be reached; the {kind} stays queued and is retried.", "info"),
    "skipped": ("The {kind} was skipped: see why below.", "info"),
}


@bp.route("/")
@admin_required
def index():
    """Every recorded message, newest first, with its status, attempts and last error."""
    form = MailFilterForm(request.args)
    form.validate()
    filters = form.filters()
    page = paginate(queries.messages(**filters))
    return render_template(
        "mail/index.html", page=page, form=form, filters=filters, retry_form=RetryForm(), reasons=SKIP_REASON_TEXT,
    )


@bp.route("/<int:message_id>")
@admin_required
def message(message_id: int):
    """One message exactly as recorded, and its state."""
    mail = db.get_or_404(OutboundMail, message_id)
    return render_template(
        "mail/message.html", mail=mail, body_text=shown_to_admins(mail.body_text), retry_form=RetryForm(),
        reasons=SKIP_REASON_TEXT,
    )


@bp.route("/<int:message_id>/message.html")
@admin_required
def message_html(message_id: int):
    """The recorded HTML part of a message, for the frame on its page."""
    return mail_frame(shown_to_admins(db.get_or_404(OutboundMail, message_id).body_html))


@bp.route("/<int:message_id>/retry", methods=["POST"])
@admin_required
def retry(message_id: int):
    """Put a failed message back in the queue and try it once straight away."""
    mail = db.get_or_404(OutboundMail, message_id)
    kind = mail.kind
    if RetryForm().validate_on_submit():
        outcome = sender.retry_failed_now(message_id)
        text, category = RETRY_MESSAGES.get(outcome, ("Only a failed message can be retried.", "error"))
        flash(text.format(kind=kind), category)
    return redirect(request.referrer if is_our_mail_page(request.referrer) else url_for("mail.index"))


def is_our_mail_page(referrer: str | None) -> bool:
    """True for the Mail list or a message's page on this site (to go back to it, filters kept)."""
    prefix = request.host_url.rstrip("/") + url_for("mail.index")
    return bool(referrer) and referrer.startswith(prefix)
