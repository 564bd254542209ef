"""Real scheduler processes against one database: each occurrence once, and takeover after SIGKILL."""
import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import config_for, reset_schema
from tests.factories import make_job_type, make_role, make_rotation, make_trainee
from tests.waiting import wait_for
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.catalog.models import TargetRole
from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag
from tracker.scheduler.models import JobRun
from tracker.trainees.models import Trainee

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parent.parent
KINDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
STARTED = re.compile(r"job (\S+) (\S+): started \(attempt (\d+)\) on \S+:(\d+)")
SKIPPED = re.compile(r"job (\S+) (\S+): skipped")
RUNNING = "Scheduler running on"
LOOKED = re.compile(r"job readiness(?: \S+: in progress, its lease is live|: its current occurrence is not done)")
NEVER = "0 0 1 1 *"  # new year's midnight: as good as never during a test


@contextmanager
def scheduler_database(kind: str, tmp_path: Path):
    """A fresh, migrated database of its own (a file, or a PostgreSQL database made for the test), and an app on it."""
    if kind == "sqlite":
        url = "sqlite:///" + str(tmp_path / "scheduler.sqlite")
        yield from migrated(url)
        return
    name = f"readiness_sched_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(os.environ["TEST_DATABASE_URL"]).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield from migrated(make_url(os.environ["TEST_DATABASE_URL"]).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated(url: str):
    app = create_app(config_for(url))
    reset_schema(app)
    with app.app_context():
        yield url, app
        db.session.remove()
        db.engine.dispose()


def seed() -> set[tuple[str, str]]:
    """Three trainees ready for a role and two who are not; the (email, role) pairs a run flags."""
    job = make_job_type()
    role = make_role("quick", rotations=[(job, 2, None)])
    ready = set()
    for index in range(5):
        trainee = make_trainee(email=f"t{index}@example.com", password=None)
        days = 14 if index < 3 else 13
        make_rotation(trainee, job, date(2025, 1, 6), date(2025, 1, 5) + timedelta(days=days))
        if index < 3:
            ready.add((trainee.user.email, role.code))
    db.session.commit()
    return ready


def environment(url: str, **settings: str) -> dict[str, str]:
    """The environment of a scheduler process: this database, fast leases, quick watches."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "TRACKER_", "DATABASE_"))}
    return env | {
        "DATABASE_URL": url, "SECRET_KEY": "scheduler-test", "PYTHONUNBUFFERED": "1",
        "TRACKER_JOB_LEASE_SECONDS": "3", "TRACKER_JOB_HEARTBEAT_SECONDS": "1",
        "TRACKER_SCHEDULER_WATCH_SECONDS": "1", "TRACKER_SCHEDULER_GRACE_SECONDS": "30",
        "TRACKER_DIGEST_CRON": NEVER, "TRACKER_MAIL_RETRY_CRON": NEVER, **settings,
    }


class Scheduler:
    """One scheduler process, its output in files."""

    def __init__(self, env: dict[str, str], log: Path, command: list[str] | None = None):
        self.log = log
        command = command or [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"]
        with open(log, "wb") as output:
            self.process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)
        self.pid = self.process.pid

    def stop(self) -> int:
        """SIGTERM, and the exit code once it has finished its running jobs."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        """It has built its scheduler and installed its signal handlers (starting takes seconds on a busy machine)."""
        return RUNNING in self.output()


@contextmanager
def schedulers():
    """Scheduler processes that are killed at the end whatever happens."""
    started: list[Scheduler] = []
    try:
        yield started
    finally:
        for scheduler in started:
            scheduler.kill()


def flag_pairs() -> list[tuple[str, str]]:
    db.session.expire_all()
    return sorted(db.session.execute(
        select(User.email, TargetRole.code).select_from(ReadinessFlag)
        .join(Trainee, ReadinessFlag.trainee_id == Trainee.id).join(User, Trainee.user_id == User.id)
        .join(TargetRole, ReadinessFlag.role_id == TargetRole.id)
    ).all())


def job_runs() -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).order_by(JobRun.id)))


def both_competed(schedulers: list[Scheduler]) -> bool:
    """Three readiness runs and a digest and mail retry done, each process has started or skipped one, one was skipped."""
    done = Counter(r.job for r in job_runs() if r.outcome != "running")
    outputs = [s.output() for s in schedulers]
    return (
        done["readiness"] >= 3 and done["digest"] >= 1 and done["mail_retry"] >= 1
        and all(STARTED.search(out) or SKIPPED.search(out) for out in outputs)
        and any(SKIPPED.search(out) for out in outputs)
    )


@pytest.mark.parametrize("kind", KINDS)
def test_two_schedulers_do_each_occurrence_once(kind, tmp_path):
    with scheduler_database(kind, tmp_path) as (url, app), schedulers() as started:
        expected = seed()
        # Nobody dies here, so a long lease: a process starved for a few seconds on a busy machine keeps its runs.
        env = environment(url, TRACKER_READINESS_CRON="*/2 * * * * *", TRACKER_MAIL_RETRY_CRON="*/3 * * * * *",
                          TRACKER_DIGEST_CRON="*/5 * * * * *", TRACKER_JOB_LEASE_SECONDS="60")
        started += [Scheduler(env, tmp_path / f"scheduler-{n}.log") for n in range(2)]
        wait_for(lambda: all(s.running() for s in started), "both schedulers to start", timeout=120)
        wait_for(lambda: both_competed(started), "both schedulers to compete for a few occurrences", timeout=120)
        assert [s.stop() for s in started] == [0, 0]
        outputs = {s.pid: s.output() for s in started}

        runs = job_runs()
        readiness = sorted((r for r in runs if r.job == "readiness"), key=lambda r: (r.finished_at, r.id))
        assert len(readiness) >= 3 and {r.job for r in runs} == {"readiness", "digest", "mail_retry"}
        assert all(r.outcome == "succeeded" and r.attempts == 1 for r in runs), [(r.job, r.outcome, r.error) for r in runs]
        # Each occurrence was started exactly once, by the process its run names.
        starts = [(m[1], m[2], int(m[4])) for pid, out in outputs.items() for m in STARTED.finditer(out) if int(m[4]) == pid]
        assert Counter((job, key) for job, key, _ in starts) == Counter((r.job, r.period_key) for r in runs)
        assert {(job, key): pid for job, key, pid in starts} == {(r.job, r.period_key): r.owner_pid for r in runs}
        # Both processes competed for the occurrences.
        for out in outputs.values():
            assert STARTED.search(out) or SKIPPED.search(out), out
        assert sum(len(SKIPPED.findall(out)) for out in outputs.values()) > 0
        assert not any(word in out for out in outputs.values() for word in ("database is locked", "Traceback", "ERROR"))
        # The flags are those of one run: the first to finish raised them all, the others nothing.
        # (Not necessarily the first to start: two runs may overlap, and the flags' lock decides.)
        assert flag_pairs() == sorted(expected)
        assert [r.counts["raised"] for r in readiness] == [len(expected)] + [0] * (len(readiness) - 1)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "raise")) == len(expected)


@pytest.mark.parametrize("kind", KINDS)
def test_a_scheduler_killed_mid_run_loses_its_lease_and_leaves_no_partial_result(kind, tmp_path):
    with scheduler_database(kind, tmp_path) as (url, app), schedulers() as started:
        expected = seed()
        # One readiness occurrence a few seconds ago (once a year), caught up at start.
        due = datetime.now(UTC) - timedelta(seconds=5)
        env = environment(url, TRACKER_READINESS_CRON=f"{due.second} {due.minute} {due.hour} {due.day} {due.month} *",
                          TRACKER_SCHEDULER_GRACE_SECONDS="3600")
        marker = tmp_path / "stalled"
        stalling = Scheduler(env | {"STALL_MARKER": str(marker)}, tmp_path / "stalling.log",
                             [sys.executable, str(PROJECT / "tests" / "stalling_scheduler.py")])
        started.append(stalling)
        wait_for(marker.exists, "the readiness job to stall mid-run", timeout=120)

        (run,) = job_runs()
        assert (run.job, run.outcome, run.owner_pid, run.attempts) == ("readiness", "running", stalling.pid, 1)
        assert flag_pairs() == []  # flushed by the stalled job, not committed

        successor = Scheduler(env, tmp_path / "successor.log")
        started.append(successor)
        # The successor has looked at the run: on PostgreSQL it finds the lease live; on SQLite the stalled
        # job holds the write lock (so its heartbeat cannot renew) and the successor's claim waits on that lock.
        wait_for(lambda: LOOKED.search(successor.output()), "the successor to look at the stalled run", timeout=120)
        assert (job_runs()[0].outcome, job_runs()[0].attempts) == ("running", 1)  # it waits for the lease
        os.kill(stalling.pid, signal.SIGKILL)
        stalling.process.wait(timeout=10)

        wait_for(lambda: job_runs()[0].outcome != "running", "the run to be taken over and finished", timeout=120)
        (run,) = job_runs()
        assert (run.outcome, run.attempts, run.owner_pid, run.error) == ("succeeded", 2, successor.pid, None)
        assert run.counts["raised"] == len(expected)
        assert flag_pairs() == sorted(expected)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "raise")) == len(expected)
        assert successor.stop() == 0
        output = successor.output()
        assert "started (attempt 2) on" in output and "database is locked" not in output and "Traceback" not in output
