"""An import job: an uploaded file too large to import while the browser waits, imported in the background."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.infra.clock import utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class ImportJob(db.Model):
    """A file uploaded on the imports page, its progress, and what came of it.

    `data` holds the file until the job ends (then it is cleared: the file names
    people). `done` of `total` is the progress as the import reports it: each
    row checked, then each row written, so `total` is twice the file's rows.
    A job ends `done` with the report's `summary`, or `failed` with the bad
    lines (`problems`: the first hundred as [line, reason], `bad_lines`: how
    many in all) or an `error` that is not about lines. `heartbeat_at` is
    renewed while the job runs; a queued or running job whose heartbeat
    stopped lost its process (see imports.services.job_state).
    """

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # not loaded by the pages that show the job
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list[Any] | None] = mapped_column(JSON)
    bad_lines: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.kind} {self.filename!r} {self.state}>"
