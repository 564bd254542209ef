"""The outbox: every mail the tracker sends, recorded before it is sent, with what became of it."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.clock import utcnow

MAIL_KINDS = ("digest", "invitation")
MAIL_STATUSES = ("pending", "sent", "skipped", "failed")
SKIP_REASONS = ("nothing_to_report", "unsubscribed", "inactive", "password_set", "expired")


class OutboundMail(db.Model):
    """One message to one user: recorded with the change that makes it, then sent, skipped or failed."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        # At most one digest per recipient and ISO week. Other kinds have no
        # week, and NULLs never collide, so they may repeat.
        UniqueConstraint("kind", "recipient_id", "iso_week"),
        CheckConstraint("kind IN ('digest', 'invitation')", name="kind_known"),
        CheckConstraint(
            "(kind = 'digest' AND iso_week IS NOT NULL) OR (kind <> 'digest' AND iso_week IS NULL)",
            name="week_for_digests_only",
        ),
        CheckConstraint("status IN ('pending', 'sent', 'skipped', 'failed')", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        CheckConstraint(
            "skip_reason IS NULL OR skip_reason IN "
            "('nothing_to_report', 'unsubscribed', 'inactive', 'password_set', 'expired')",
            name="skip_reason_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    iso_week: Mapped[str | None] = mapped_column(String(8))  # the week a digest is about
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(255))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # besides From, To, Subject, Date, Message-ID
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # Why a skipped message was not mailed; kept apart from last_error, which is about sending.
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The back-off: the scheduler's retries leave a pending message alone until then.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A sender's claim: no other sender takes the message until then (tracker.infra.leases).
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A message worth nothing after this (an invitation's link expires) is skipped instead of sent.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<OutboundMail {self.id} {self.kind} to {self.recipient_id} {self.status}>"
