"""Mail that waits for the database: queued during a change, sent only once the commit succeeds.

Everything a commit queued leaves over one SMTP session (an import may queue
thousands of invitations); a message that fails is logged, and the rest still go.
"""
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.mail.transport import deliver_all

QUEUE_KEY = "mail_after_commit"


def send_after_commit(message: EmailMessage) -> None:
    """Send `message` when the current transaction commits; drop it if it rolls back."""
    db.session.info.setdefault(QUEUE_KEY, []).append(message)


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    for message, error in deliver_all(session.info.pop(QUEUE_KEY, [])):
        current_app.logger.warning("mail to %s not sent: %s", message["To"], error)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction was rolled back
        session.info.pop(QUEUE_KEY, None)
