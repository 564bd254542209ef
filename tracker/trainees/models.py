"""Trainees and what they have done: rotations through job types and module results."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.catalog.models import SCORE, JobType, TargetRole, TrainingModule
from tracker.extensions import db
from tracker.infra.clock import utcnow

TRAINEE_STATUSES = ("active", "placed", "withdrawn")


class Trainee(db.Model):
    """A trainee's place in the programme; one per trainee user."""

    __tablename__ = "trainees"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'placed', 'withdrawn')", name="status_known"),
        CheckConstraint(
            "status <> 'placed' OR (placed_role_id IS NOT NULL AND placed_on IS NOT NULL)",
            name="placed_has_role_and_date",
        ),
        Index("ix_trainees_supervisor_status", "supervisor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date] = mapped_column(Date)
    cohort: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    placed_role_id: Mapped[int | None] = mapped_column(ForeignKey("target_roles.id"))
    placed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    placed_role: Mapped[TargetRole | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Trainee {self.id} user={self.user_id} {self.status}>"


class Rotation(db.Model):
    """A spell in one job type; ongoing while it has no end date."""

    __tablename__ = "rotations"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_not_before_start"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        # A rotation is identified by trainee, job type and start: re-imports find it again.
        UniqueConstraint("trainee_id", "job_type_id", "start_date"),
        Index("ix_rotations_trainee_start", "trainee_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"))
    job_type_id: Mapped[int] = mapped_column(ForeignKey("job_types.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    trainee: Mapped[Trainee] = relationship()
    job_type: Mapped[JobType] = relationship()
    supervisor: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Rotation {self.id} trainee={self.trainee_id} {self.start_date}..{self.end_date}>"


class ModuleResult(db.Model):
    """A trainee's score in a training module on a date."""

    __tablename__ = "module_results"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        UniqueConstraint("trainee_id", "module_id", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[Decimal] = mapped_column(SCORE)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    trainee: Mapped[Trainee] = relationship()
    module: Mapped[TrainingModule] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ModuleResult {self.id} trainee={self.trainee_id} module={self.module_id} {self.score}>"


class TraineeTargetRole(db.Model):
    """A role a trainee aims for; `position` 1 is their first preference."""

    __tablename__ = "trainee_target_roles"
    __table_args__ = (
        UniqueConstraint("trainee_id", "role_id"),
        UniqueConstraint("trainee_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    role: Mapped[TargetRole] = relationship()

    def __repr__(self) -> str:
        return f"<TraineeTargetRole trainee={self.trainee_id} {self.position}: role={self.role_id}>"
