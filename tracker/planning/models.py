"""A planning run: a proposal asked for on the /plan/ pages, solved in the background and kept to accept from."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.clock import utcnow

RUN_STATUSES = ("running", "done", "failed")


class PlanRun(db.Model):
    """What was asked (scope, start, horizon), by whom, and what came of it.

    `result` is the proposal as plain data (see planning.runs.proposal_data) once `status` is "done";
    `error` says why a run failed. `accepted` lists the trainee ids whose rotations were accepted.
    """

    __tablename__ = "plan_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    as_of: Mapped[date] = mapped_column(Date)
    cohort: Mapped[str | None] = mapped_column(String(40))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    start: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    block_weeks: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="running")
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    accepted: Mapped[list[int] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<PlanRun {self.id} {self.status} from {self.start} for {self.weeks} weeks>"
