"""Turning a digest into mail: subject, text and HTML parts, Message-ID, unsubscribe headers."""
from dataclasses import dataclass

from flask import current_app, render_template

from tracker.core.formatting import format_day
from tracker.digest.content import Digest
from tracker.digest.tokens import unsubscribe_url
from tracker.mail.transport import mail_domain


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def subject_for(digest: Digest) -> str:
    """The week and how many trainees became ready, so the inbox line says what matters."""
    count = digest.newly_ready_count
    news = "no one newly ready" if count == 0 else f"{count} newly ready"
    what = "Programme readiness" if digest.is_programme_summary else "Readiness digest"
    return f"{what}, week {digest.week} (from {format_day(digest.week.monday)}): {news}"


def render_digest(digest: Digest) -> RenderedDigest:
    """Both parts from the paired templates email/digest.txt and email/digest.html."""
    context = {
        "digest": digest,
        "sections": digest.sections,
        "day": format_day,
        "unsubscribe_url": unsubscribe_url(digest.recipient.id),
        "settings_url": current_app.config["BASE_URL"] + "/settings",
        "subject": subject_for(digest),
    }
    text = render_template("email/digest.txt", **context).rstrip("\n") + "\n"
    return RenderedDigest(context["subject"], text, render_template("email/digest.html", **context))


def message_id_for(recipient_id: int, week: str) -> str:
    """The same Message-ID for every attempt at one recipient's digest of one week."""
    return f"<digest.{week}.user{recipient_id}@{mail_domain()}>"


def digest_headers(recipient_id: int) -> dict[str, str]:
    """One-click unsubscribe (RFC 2369 and 8058), and a mark that no one should auto-reply."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(recipient_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
