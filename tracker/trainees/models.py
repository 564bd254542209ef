"""Trainees and what they have done: rotations through job types and module results."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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
    # Bumped by every change to the trainee's records (services.lock_trainees): a readiness snapshot
    # made at an older stamp is out of date (readiness/snapshots.py). Not the optimistic-lock version,
    # which changes only when the trainee row itself is edited.
    readiness_stamp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

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


CREDIT_KINDS = ("experience", "exemption")
REASON_MAX_LENGTH = 500


class Credit(db.Model):
    """Prior learning granted to a trainee with a reason: `experience` in a job type, or an `exemption` from a module.

    An experience credit counts for readiness as a completed rotation of `weeks` weeks ending on
    `granted_on` (rated `rating`, if set); an exemption meets every requirement on its module from
    `granted_on` on. A revoked credit (`revoked_on` set) counts for nothing.
    """

    __tablename__ = "credits"
    __table_args__ = (
        CheckConstraint("kind IN ('experience', 'exemption')", name="kind_known"),
        CheckConstraint(
            "(kind = 'experience' AND job_type_id IS NOT NULL AND weeks IS NOT NULL AND weeks >= 1 AND module_id IS NULL)"
            " OR (kind = 'exemption' AND module_id IS NOT NULL AND job_type_id IS NULL AND weeks IS NULL AND rating IS NULL)",
            name="kind_fields",
        ),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        # A credit is identified by trainee, what it is for and its date: re-imports find it again.
        UniqueConstraint("trainee_id", "job_type_id", "granted_on"),
        UniqueConstraint("trainee_id", "module_id", "granted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    job_type_id: Mapped[int | None] = mapped_column(ForeignKey("job_types.id"))
    weeks: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[int | None] = mapped_column(Integer)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("training_modules.id"))
    granted_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(REASON_MAX_LENGTH))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    trainee: Mapped[Trainee] = relationship()
    job_type: Mapped[JobType | None] = relationship()
    module: Mapped[TrainingModule | None] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def revoked(self) -> bool:
        return self.revoked_on is not None

    def __repr__(self) -> str:
        what = f"job_type={self.job_type_id} weeks={self.weeks}" if self.kind == "experience" else f"module={self.module_id}"
        return f"<Credit {self.id} trainee={self.trainee_id} {self.kind} {what} {self.granted_on}>"


class Leave(db.Model):
    """A spell of leave; it never shares a day with the trainee's rotations or other leave."""

    __tablename__ = "leave"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="end_not_before_start"),
        # Leave is identified by trainee and start date: re-imports find it again.
        UniqueConstraint("trainee_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(REASON_MAX_LENGTH))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    trainee: Mapped[Trainee] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Leave {self.id} trainee={self.trainee_id} {self.start_date}..{self.end_date}>"


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


# --- readiness stamps: every change to what readiness reads is seen --------------------------------

READINESS_FACTS = (Rotation, ModuleResult, Credit)


@event.listens_for(Session, "after_flush")
def bump_readiness_stamps(session: Session, flush_context) -> None:
    """Bump the readiness stamp of each trainee whose rotations, results or credits this flush changed.

    The services also bump it when they lock a trainee (services.lock_trainees), and bulk imports,
    which write without the ORM, do only that; this catches every ORM write besides, whoever makes
    it, so no change can leave a readiness snapshot looking current (readiness/snapshots.py).
    """
    changed = {
        record.trainee_id for record in (*session.new, *session.dirty, *session.deleted)
        if isinstance(record, READINESS_FACTS) and record.trainee_id is not None
        and (record in session.new or record in session.deleted or session.is_modified(record))
    }
    if changed:
        session.connection().execute(
            update(Trainee.__table__).where(Trainee.__table__.c.id.in_(sorted(changed)))
            .values(readiness_stamp=Trainee.__table__.c.readiness_stamp + 1)
        )
