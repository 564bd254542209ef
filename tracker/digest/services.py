"""The digest outbox (recording deliveries, claiming them, recording what sending did) and the preference.

Every function here flushes (or executes one statement) and never commits:
the outbox protocol in `tracker.digest.outbox` decides where each
transaction ends, because a claim must be committed before the mail server
is contacted.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.audit.services import record_change, snapshot
from tracker.auth.models import User
from tracker.digest.content import Digest
from tracker.digest.models import DigestDelivery
from tracker.digest.rendering import message_id_for, render_digest
from tracker.extensions import db

# A claimed delivery is left alone by other senders for this long; a sender
# that dies mid-send is thereby retried once it has passed.
CLAIM_LEASE = timedelta(minutes=10)
FIRST_RETRY_DELAY = timedelta(minutes=5)
LONGEST_RETRY_DELAY = timedelta(hours=6)
# After this many temporary failures the delivery is marked failed for an admin to look at.
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class PlannedDelivery:
    """What recording a digest would store."""

    recipient_id: int
    status: str
    skip_reason: str | None
    message_id: str
    subject: str
    body_text: str
    body_html: str


def plan_delivery(digest: Digest) -> PlannedDelivery:
    """Render the digest and decide whether it is to be sent or skipped (and why)."""
    rendered = render_digest(digest)
    skip_reason = None
    if not digest.recipient.subscribed:
        skip_reason = "unsubscribed"
    elif not digest.has_news():
        skip_reason = "nothing_to_report"
    return PlannedDelivery(
        digest.recipient.id, "skipped" if skip_reason else "pending", skip_reason,
        message_id_for(digest.recipient.id, str(digest.week)), rendered.subject, rendered.text, rendered.html,
    )


def insert_if_absent(week: str, planned: list[PlannedDelivery], now: datetime) -> int:
    """Record each planned delivery unless one exists for that recipient and week; how many were new.

    INSERT ... ON CONFLICT DO NOTHING: a concurrent sender recording the same
    week makes the database keep one row and the other insert a no-op,
    instead of an error. Rows go in recipient order so concurrent inserters
    wait on each other in the same order and never deadlock.
    """
    if not planned:
        return 0
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "recipient_id": p.recipient_id, "iso_week": week, "status": p.status, "skip_reason": p.skip_reason,
            "attempts": 0, "message_id": p.message_id, "subject": p.subject, "body_text": p.body_text,
            "body_html": p.body_html, "created_at": now,
        }
        for p in sorted(planned, key=lambda p: p.recipient_id)
    ]
    statement = insert(DigestDelivery).on_conflict_do_nothing(index_elements=["recipient_id", "iso_week"])
    # RETURNING tells a new row from a conflict on both databases (rowcount does not, through the ORM).
    return sum(
        db.session.execute(statement.values(**row).returning(DigestDelivery.id)).first() is not None for row in rows
    )


def plan_week(digests: list[Digest]) -> list[PlannedDelivery]:
    """What recording these digests would store (nothing is written)."""
    return [plan_delivery(digest) for digest in digests]


def recorded_statuses(week: str) -> dict[int, str]:
    """recipient id -> status of the deliveries already recorded for a week."""
    rows = db.session.execute(
        select(DigestDelivery.recipient_id, DigestDelivery.status).where(DigestDelivery.iso_week == week)
    )
    return dict(rows.all())


def due_deliveries(now: datetime) -> list[tuple[int, str]]:
    """(id, week) of pending deliveries whose next attempt is due, oldest first."""
    query = (
        select(DigestDelivery.id, DigestDelivery.iso_week)
        .where(DigestDelivery.status == "pending", is_due(now))
        .order_by(DigestDelivery.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def is_due(now: datetime):
    """Pending deliveries never tried, or whose back-off or claim lease has run out."""
    return or_(DigestDelivery.next_attempt_at.is_(None), DigestDelivery.next_attempt_at <= now)


def claim(delivery_id: int, now: datetime) -> int | None:
    """Take a due pending delivery for one attempt; the attempt number, or None if another sender has it.

    One conditional UPDATE: it matches only while the delivery is pending and
    due, and pushes its next attempt a lease ahead, so of two senders racing
    for it exactly one sees a row changed. The caller must commit before
    sending.
    """
    result = db.session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == delivery_id, DigestDelivery.status == "pending", is_due(now))
        .values(attempts=DigestDelivery.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return db.session.scalar(select(DigestDelivery.attempts).where(DigestDelivery.id == delivery_id))


def _finish(delivery_id: int, attempt: int, **values) -> bool:
    """Record the outcome of our attempt, unless another sender has since taken the delivery over."""
    result = db.session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == delivery_id, DigestDelivery.status == "pending", DigestDelivery.attempts == attempt)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(delivery_id: int, attempt: int, now: datetime) -> bool:
    return _finish(delivery_id, attempt, status="sent", sent_at=now, next_attempt_at=None, last_error=None)


def mark_skipped(delivery_id: int, attempt: int, reason: str) -> bool:
    return _finish(delivery_id, attempt, status="skipped", skip_reason=reason, next_attempt_at=None)


def mark_failed(delivery_id: int, attempt: int, error: str) -> bool:
    """A permanent failure: no further automatic attempts."""
    return _finish(delivery_id, attempt, status="failed", last_error=error[:2000], next_attempt_at=None)


def mark_retry_later(delivery_id: int, attempt: int, error: str, now: datetime) -> str:
    """A temporary failure: pending again after a growing delay, or failed once attempts run out."""
    if attempt >= MAX_ATTEMPTS:
        mark_failed(delivery_id, attempt, f"gave up after {attempt} attempts: {error}")
        return "failed"
    _finish(delivery_id, attempt, last_error=error[:2000], next_attempt_at=now + retry_delay(attempt))
    return "pending"


def retry_delay(attempt: int) -> timedelta:
    """5 minutes after the first failure, doubling each time, at most 6 hours."""
    return min(FIRST_RETRY_DELAY * 2 ** (attempt - 1), LONGEST_RETRY_DELAY)


def retry_failed(delivery_id: int) -> bool:
    """Put a failed delivery back in the queue, due now, with a fresh count of attempts."""
    result = db.session.execute(
        update(DigestDelivery)
        .where(DigestDelivery.id == delivery_id, DigestDelivery.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def week_counts(week: str) -> dict[str, int]:
    """How many of a week's deliveries are in each status."""
    rows = db.session.execute(
        select(DigestDelivery.status, func.count()).where(DigestDelivery.iso_week == week).group_by(DigestDelivery.status)
    )
    counts = Counter(dict(rows.all()))
    return {status: counts.get(status, 0) for status in ("sent", "skipped", "failed", "pending")}


def set_digest_subscription(user: User, subscribed: bool, actor=None) -> bool:
    """Turn a user's weekly digest on or off (audited); whether anything changed."""
    if user.digest_subscribed == subscribed:
        return False
    before = snapshot(user)
    user.digest_subscribed = subscribed
    record_change(actor, "update", user, before=before)
    return True
