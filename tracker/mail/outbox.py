"""The outbox: every mail is recorded before it is sent, and its state kept (pending, sent, skipped, failed).

Recording happens in the caller's transaction, in db.session: these
functions flush and never commit, so a message exists only if the change
that made it commits. The state changes a sender makes - claim, sent,
skipped, failed, try again later - are single statements on the connection
the sender passes in, guarded by the lease of `tracker.infra.leases`; the
sender (`tracker.mail.sender`) decides where each of its transactions ends.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, event, func, or_, select, update
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra import leases
from tracker.infra.bulk import insert_rows
from tracker.infra.clock import utcnow
from tracker.infra.leases import Hold
from tracker.infra.upsert import insert_if_absent
from tracker.mail import rules
from tracker.mail.models import OutboundMail
from tracker.mail.rules import RecipientNow

MESSAGES = OutboundMail.__table__
MESSAGE_LEASE = leases.LeasedTable(MESSAGES, MESSAGES.c.status == "pending", MESSAGES.c.lease_expires_at, MESSAGES.c.attempts)
# Where a session keeps the ids of the mail it queued, to be sent once it commits.
QUEUE_KEY = "mail_after_commit"
ERROR_LENGTH = 2000
# A commit that queues more messages than this leaves them all to the mail retry (or `flask mail send`):
# a person waits for the commit's request or command, and 2,000 invitations take minutes to hand over.
INLINE_LIMIT = 50


@dataclass(frozen=True)
class NewMail:
    """A message as recording stores it."""

    kind: str
    recipient_id: int
    address: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    headers: dict[str, str] = field(default_factory=dict)
    iso_week: str | None = None
    status: str = "pending"
    skip_reason: str | None = None
    expires_at: datetime | None = None

    def row(self, now: datetime) -> dict[str, Any]:
        """The message's row in mail_messages, recorded at `now`."""
        return {
            "kind": self.kind, "recipient_id": self.recipient_id, "address": self.address, "iso_week": self.iso_week,
            "subject": self.subject, "body_text": self.body_text, "body_html": self.body_html,
            "message_id": self.message_id, "headers": self.headers, "status": self.status,
            "skip_reason": self.skip_reason, "expires_at": self.expires_at, "attempts": 0, "created_at": now,
        }


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, and its recipient as they are now."""

    id: int
    kind: str
    address: str
    name: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    headers: dict[str, str]
    expires_at: datetime | None
    recipient: RecipientNow


# --- recording, in the caller's transaction ------------------------------------------------------

def queue(mails: list[NewMail]) -> list[int]:
    """Record mail to be sent as soon as the current transaction commits; the new ids.

    Nothing is recorded, and nothing sent, if the transaction rolls back. More than INLINE_LIMIT
    messages in one commit are not tried after it but left, due at once, to the mail retry.
    """
    ids = insert_rows(OutboundMail, [mail.row(utcnow()) for mail in mails])
    db.session.info.setdefault(QUEUE_KEY, []).extend(ids)
    return ids


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction was rolled back
        session.info.pop(QUEUE_KEY, None)


def record_if_absent(mails: list[NewMail]) -> int:
    """Record each mail unless one of its kind exists for that recipient and week; how many were new.

    The unique key decides between concurrent recorders: the database keeps
    one row and the other insert does nothing. Rows go in recipient order.
    """
    now = utcnow()
    rows = [mail.row(now) for mail in sorted(mails, key=lambda mail: mail.recipient_id)]
    return len(insert_if_absent(db.session, MESSAGES, rows, ("kind", "recipient_id", "iso_week"), (MESSAGES.c.id,)))


def retry_failed(message_id: int) -> bool:
    """Put a failed message back in the queue, due now, with a fresh count of attempts."""
    result = db.session.execute(
        update(MESSAGES)
        .where(MESSAGES.c.id == message_id, MESSAGES.c.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# --- reading the queue ---------------------------------------------------------------------------

def is_due(now: datetime) -> ColumnElement[bool]:
    """Pending messages never tried, or whose back-off has run out (a claim is the lease's business)."""
    return or_(MESSAGES.c.next_attempt_at.is_(None), MESSAGES.c.next_attempt_at <= now)


def pending_ids(
    executor: Connection | Session, kind: str | None = None, week: str | None = None, other_than_week: str | None = None,
    due_at: datetime | None = None,
) -> list[int]:
    """Ids of pending messages, oldest first: of a kind, of a week or not, and only those due at `due_at` if given."""
    query = select(MESSAGES.c.id).where(MESSAGES.c.status == "pending").order_by(MESSAGES.c.id)
    if kind is not None:
        query = query.where(MESSAGES.c.kind == kind)
    if week is not None:
        query = query.where(MESSAGES.c.iso_week == week)
    if other_than_week is not None:
        query = query.where(MESSAGES.c.iso_week != other_than_week)
    if due_at is not None:
        query = query.where(is_due(due_at), leases.free(MESSAGE_LEASE, due_at))
    return list(executor.execute(query).scalars())


def recorded_statuses(kind: str, week: str) -> dict[int, str]:
    """recipient id -> status of the messages of a kind already recorded for a week."""
    rows = db.session.execute(
        select(MESSAGES.c.recipient_id, MESSAGES.c.status).where(MESSAGES.c.kind == kind, MESSAGES.c.iso_week == week)
    )
    return dict(rows.all())


def week_counts(kind: str, week: str) -> dict[str, int]:
    """How many of a week's messages of a kind are in each status."""
    rows = db.session.execute(
        select(MESSAGES.c.status, func.count())
        .where(MESSAGES.c.kind == kind, MESSAGES.c.iso_week == week)
        .group_by(MESSAGES.c.status)
    )
    counts = Counter(dict(rows.all()))
    return {status: counts.get(status, 0) for status in ("sent", "skipped", "failed", "pending")}


def next_try(kind: str, week: str) -> datetime | None:
    """The earliest time the scheduler may try a pending message of the week again (None: none pending)."""
    rows = db.session.execute(
        select(MESSAGES.c.next_attempt_at, MESSAGES.c.lease_expires_at)
        .where(MESSAGES.c.kind == kind, MESSAGES.c.iso_week == week, MESSAGES.c.status == "pending")
    )
    times = [rules.next_try(*row) or utcnow() for row in rows]
    return min(times) if times else None


# --- what a sender does, on the connection it passes ---------------------------------------------

def claim(connection: Connection, message_id: int, now: datetime, backoff: bool) -> Hold | None:
    """Take a pending message for one attempt; None when another sender has it (or, with `backoff`, it is not due).

    The caller must commit the claim before contacting the mail server.
    """
    where = MESSAGES.c.id == message_id
    if backoff:
        where = where & is_due(now)
    return leases.take(connection, MESSAGE_LEASE, where, now, rules.CLAIM_LEASE)


def load(connection: Connection, message_id: int) -> Outgoing:
    """A message and its recipient as they are now."""
    row = connection.execute(
        select(
            MESSAGES.c.id, MESSAGES.c.kind, MESSAGES.c.address, User.name, MESSAGES.c.subject, MESSAGES.c.body_text,
            MESSAGES.c.body_html, MESSAGES.c.message_id, MESSAGES.c.headers, MESSAGES.c.expires_at,
            User.active, User.digest_subscribed, User.password_hash.is_not(None),
        )
        .join(User, User.id == MESSAGES.c.recipient_id)
        .where(MESSAGES.c.id == message_id)
    ).one()
    *message, active, subscribed, has_password = row
    return Outgoing(*message, recipient=RecipientNow(active, subscribed, has_password))


def mark_sent(connection: Connection, hold: Hold, now: datetime) -> str | None:
    return _finish(connection, hold, "sent", sent_at=now, last_error=None)


def mark_skipped(connection: Connection, hold: Hold, reason: str) -> str | None:
    return _finish(connection, hold, "skipped", skip_reason=reason)


def mark_failed(connection: Connection, hold: Hold, error: str) -> str | None:
    """A permanent failure: no further automatic attempts."""
    return _finish(connection, hold, "failed", last_error=error[:ERROR_LENGTH])


def mark_retry_later(connection: Connection, hold: Hold, error: str, now: datetime) -> str | None:
    """A temporary failure: pending again after a growing delay, or failed once attempts run out."""
    if rules.gives_up(hold.attempt):
        return mark_failed(connection, hold, f"gave up after {hold.attempt} attempts: {error}")
    retry_at = now + rules.retry_delay(hold.attempt)
    released = leases.release(
        connection, MESSAGE_LEASE, hold, last_error=error[:ERROR_LENGTH], next_attempt_at=retry_at, lease_expires_at=None,
    )
    return "pending" if released else None


def _finish(connection: Connection, hold: Hold, status: str, **values) -> str | None:
    """Record the outcome of our attempt; the new status, or None when another sender has since taken the message over."""
    released = leases.release(
        connection, MESSAGE_LEASE, hold, status=status, next_attempt_at=None, lease_expires_at=None, **values,
    )
    return status if released else None
