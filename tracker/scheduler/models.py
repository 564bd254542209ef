"""Job runs: each occurrence of a scheduled job, claimed once in the database and recorded."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.infra.clock import utcnow

RUN_OUTCOMES = ("running", "succeeded", "failed")


class JobRun(db.Model):
    """One occurrence (job, period key) of a scheduled job; the unique row is the claim."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "period_key"),
        CheckConstraint("outcome IN ('running', 'succeeded', 'failed')", name="outcome_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[str] = mapped_column(String(40))
    owner_host: Mapped[str] = mapped_column(String(255))
    owner_pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_expires_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.period_key} {self.outcome}>"
