"""The digest outbox: one delivery per recipient and ISO week."""
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.clock import utcnow

DELIVERY_STATUSES = ("pending", "sent", "skipped", "failed")
SKIP_REASONS = ("nothing_to_report", "unsubscribed", "inactive")


class DigestDelivery(db.Model):
    """A weekly digest for one recipient, recorded before it is sent."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("recipient_id", "iso_week"),
        CheckConstraint("status IN ('pending', 'sent', 'skipped', 'failed')", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        CheckConstraint(
            "skip_reason IS NULL OR skip_reason IN ('nothing_to_report', 'unsubscribed', 'inactive')",
            name="skip_reason_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    iso_week: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Why a skipped delivery was not mailed; kept apart from last_error, which is about sending.
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    message_id: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<DigestDelivery {self.recipient_id} {self.iso_week} {self.status}>"
