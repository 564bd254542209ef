"""Readiness flags: a trainee found ready for a role, and what the supervisor decided."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.catalog.models import TargetRole
from tracker.extensions import db
from tracker.trainees.models import Trainee

OPEN_FLAG = text("cleared_on IS NULL AND decision IS NULL")


class ReadinessFlag(db.Model):
    """Raised when a trainee becomes ready for a role; open until cleared or decided."""

    __tablename__ = "readiness_flags"
    __table_args__ = (
        CheckConstraint("decision IS NULL OR decision IN ('placed', 'deferred')", name="decision_known"),
        CheckConstraint("cleared_on IS NULL OR cleared_on >= raised_on", name="cleared_after_raised"),
        # Only a deferral has a revisit date, after the day it was decided (deferrals older than it have none).
        CheckConstraint(
            "revisit_on IS NULL OR (decision = 'deferred' AND decision_on IS NOT NULL AND revisit_on > decision_on)",
            name="revisit_after_deferral",
        ),
        # At most one open flag per trainee and role.
        Index(
            "uq_readiness_flags_open",
            "trainee_id",
            "role_id",
            unique=True,
            sqlite_where=OPEN_FLAG,
            postgresql_where=OPEN_FLAG,
        ),
        Index("ix_readiness_flags_role_raised", "role_id", "raised_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"))
    raised_on: Mapped[date] = mapped_column(Date)
    cleared_on: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(Text)
    decision_on: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A deferral holds back new flags for this trainee and role until this date.
    revisit_on: Mapped[date | None] = mapped_column(Date)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    trainee: Mapped[Trainee] = relationship()
    role: Mapped[TargetRole] = relationship()
    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReadinessFlag trainee={self.trainee_id} role={self.role_id} raised={self.raised_on}>"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None and self.decision is None

    def holds_back_on(self, day: date) -> bool:
        """A deferral whose revisit date is after `day`: no new flag for this trainee and role on that day."""
        return self.decision == "deferred" and self.revisit_on is not None and self.revisit_on > day


class ReadinessSnapshot(db.Model):
    """One trainee's evaluation and forecast for one role, kept so pages need not evaluate everyone.

    Valid while nothing it depends on has changed (readiness/snapshots.py): the trainee's records
    (`stamp` equals the trainee's readiness_stamp), the catalogue (`catalogue`, a fingerprint of the
    active roles and their requirements), and the date: from `as_of` until the day before
    `stable_until`, the first later date on which a rotation ends, a result or credit takes effect or
    a result lapses (none: for good).
    """

    __tablename__ = "readiness_snapshots"
    # The board picks each role's ready, nearly ready and ready-soon entries through these.
    __table_args__ = (
        Index("ix_readiness_snapshots_role_ready", "role_id", "ready"),
        Index("ix_readiness_snapshots_role_nearly", "role_id", "nearly"),
        Index("ix_readiness_snapshots_role_ready_on", "role_id", "ready_on"),
    )

    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id", ondelete="CASCADE"), primary_key=True)
    stamp: Mapped[int] = mapped_column(Integer)
    catalogue: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    stable_until: Mapped[date | None] = mapped_column(Date)
    ready: Mapped[bool] = mapped_column(Boolean)
    nearly: Mapped[bool] = mapped_column(Boolean)  # not ready, progress of at least rules.NEARLY_READY
    # The progress exactly, as a fraction: pages compare and average it without rounding.
    progress_numerator: Mapped[int] = mapped_column(Integer)
    progress_denominator: Mapped[int] = mapped_column(Integer)
    unmet: Mapped[str] = mapped_column(Text)  # the unmet sentences, one per line
    ready_on: Mapped[date | None] = mapped_column(Date)  # the forecast on the current plan
