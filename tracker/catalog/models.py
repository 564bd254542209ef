"""The programme's catalogue: job types, training modules, target roles and their requirements.

Codes are kept as written (`SCM201`, `iso9001`) and are unique regardless of
case: a unique index on lower(code) says so in the database. Files, forms and
addresses may name a code in any case; `code_is` and `code_key` match it.
Codes hold only ASCII letters, digits, '-', '_' and '.', so Python's lower()
and the database's agree.
"""
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db

SCORE = Numeric(5, 2)


def code_key(code: str) -> str:
    """A code as compared: trimmed and lower-cased (text that is not ASCII matches no code, so it stays as it is)."""
    code = (code or "").strip()
    return code.lower() if code.isascii() else code


def code_is(model, code: str) -> ColumnElement[bool]:
    """SQL: the record's code is `code`, whatever the case of either."""
    return func.lower(model.code) == code_key(code)


def code_order(model) -> tuple:
    """ORDER BY code the same way on every database: regardless of case, then as written."""
    return func.lower(model.code), model.code


def code_unique_regardless_of_case(table: str) -> Index:
    """The unique index on lower(code); a batch migration that rebuilds the table must create it again."""
    return Index(f"uq_{table}_lower_code", func.lower(literal_column("code")), unique=True)


class JobType(db.Model):
    """A kind of job a trainee rotates through."""

    __tablename__ = "job_types"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        code_unique_regardless_of_case("job_types"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<JobType {self.code}>"


class TrainingModule(db.Model):
    """A training module; results older than its validity no longer count."""

    __tablename__ = "training_modules"
    __table_args__ = (
        CheckConstraint("pass_score >= 0 AND pass_score <= 100", name="pass_score_range"),
        CheckConstraint("valid_months IS NULL OR valid_months > 0", name="valid_months_positive"),
        code_unique_regardless_of_case("training_modules"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    pass_score: Mapped[Decimal] = mapped_column(SCORE)
    valid_months: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<TrainingModule {self.code}>"


class TargetRole(db.Model):
    """A role trainees move into once its requirements are met."""

    __tablename__ = "target_roles"
    __table_args__ = (
        CheckConstraint("min_total_weeks >= 0", name="min_total_weeks_non_negative"),
        CheckConstraint("min_distinct_job_types >= 0", name="min_distinct_non_negative"),
        code_unique_regardless_of_case("target_roles"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    min_total_weeks: Mapped[int] = mapped_column(Integer, default=0)
    min_distinct_job_types: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    rotation_requirements: Mapped[list["RotationRequirement"]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="RotationRequirement.id"
    )
    module_requirements: Mapped[list["ModuleRequirement"]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="ModuleRequirement.id"
    )

    def __repr__(self) -> str:
        return f"<TargetRole {self.code}>"


class RotationRequirement(db.Model):
    """Weeks in a job type, and optionally a minimum latest rating there, that a role asks for."""

    __tablename__ = "role_rotation_requirements"
    __table_args__ = (
        UniqueConstraint("role_id", "job_type_id"),
        CheckConstraint("min_weeks >= 0", name="min_weeks_non_negative"),
        CheckConstraint("min_rating IS NULL OR (min_rating >= 1 AND min_rating <= 5)", name="min_rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id", ondelete="CASCADE"), index=True)
    job_type_id: Mapped[int] = mapped_column(ForeignKey("job_types.id"), index=True)
    min_weeks: Mapped[int] = mapped_column(Integer, default=0)
    min_rating: Mapped[int | None] = mapped_column(Integer)

    role: Mapped[TargetRole] = relationship(back_populates="rotation_requirements")
    job_type: Mapped[JobType] = relationship()

    def __repr__(self) -> str:
        return f"<RotationRequirement role={self.role_id} job_type={self.job_type_id}>"


class ModuleRequirement(db.Model):
    """A module a role asks for, with the score it needs."""

    __tablename__ = "role_module_requirements"
    __table_args__ = (
        UniqueConstraint("role_id", "module_id"),
        CheckConstraint("min_score >= 0 AND min_score <= 100", name="min_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("target_roles.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id"), index=True)
    min_score: Mapped[Decimal] = mapped_column(SCORE)

    role: Mapped[TargetRole] = relationship(back_populates="module_requirements")
    module: Mapped[TrainingModule] = relationship()

    def __repr__(self) -> str:
        return f"<ModuleRequirement role={self.role_id} module={self.module_id}>"
