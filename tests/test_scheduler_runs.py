"""Claiming occurrences, leases and takeover, recording runs, and the admin page of job runs."""
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from tests.factories import make_job_type, make_role, make_rotation, make_trainee, make_user
from tracker.extensions import db
from tracker.infra.leases import short_transaction
from tracker.scheduler import runs as claims
from tracker.scheduler.models import JobRun
from tracker.scheduler.occurrences import Heartbeat, run_occurrence
from tracker.readiness import services as readiness_services
from tracker.readiness.models import ReadinessFlag
from tracker.scheduler import process as scheduler_runner
from tracker.scheduler.jobs import JOBS, readiness_work
from tracker.infra.clock import utcnow

READINESS = next(spec for spec in JOBS if spec.name == "readiness")


@pytest.fixture
def ready_trainees(app):
    """Two trainees ready for a role needing 2 weeks of one job type, committed."""
    job = make_job_type()
    make_role("quick", rotations=[(job, 2, None)])
    for _ in range(2):
        trainee = make_trainee(password=None)
        make_rotation(trainee, job, date(2025, 1, 6), date(2025, 1, 19))
    db.session.commit()


def run_row(job: str = "readiness", key: str = "K") -> JobRun:
    db.session.expire_all()
    return db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.period_key == key))


def expire_lease(job: str = "readiness", key: str = "K") -> None:
    """As if the holder died a while ago."""
    with short_transaction(db.engine) as connection:
        connection.execute(update(JobRun).where(JobRun.job == job, JobRun.period_key == key)
                           .values(lease_expires_at=utcnow() - timedelta(seconds=1)))


def count_flags() -> int:
    return db.session.scalar(select(func.count()).select_from(ReadinessFlag))


# --- claims -------------------------------------------------------------------


def test_an_occurrence_is_claimed_once(app):
    first = claims.claim(db.engine, "readiness", "K", 60)
    assert first is not None and first.attempt == 1
    assert claims.claim(db.engine, "readiness", "K", 60) is None
    assert claims.state(db.engine, "readiness", "K", utcnow()) == "held"
    assert claims.claim(db.engine, "readiness", "L", 60) is not None  # another occurrence is another claim
    row = run_row()
    host, pid = claims.owner()
    assert (row.outcome, row.owner_host, row.owner_pid, row.attempts) == ("running", host, pid, 1)
    assert row.lease_expires_at > utcnow() + timedelta(seconds=50)


def test_an_expired_lease_is_taken_over_and_the_old_holder_is_fenced_off(app):
    old = claims.claim(db.engine, "readiness", "K", 60)
    expire_lease()
    assert claims.state(db.engine, "readiness", "K", utcnow()) == "expired"
    new = claims.claim(db.engine, "readiness", "K", 60)
    assert (new.run_id, new.attempt) == (old.run_id, 2)
    assert claims.claim(db.engine, "readiness", "K", 60) is None  # the new lease holds
    assert not claims.renew(db.engine, old, 60)
    assert not claims.finish(db.session, old, {"raised": 1})
    db.session.rollback()
    assert not claims.fail(db.engine, old, "too late")
    assert claims.renew(db.engine, new, 60)
    assert (run_row().attempts, run_row().outcome) == (2, "running")


def test_a_finished_run_is_never_taken_over(app):
    claim = claims.claim(db.engine, "readiness", "K", 60)
    assert claims.finish(db.session, claim, {"raised": 0})
    db.session.commit()
    expire_lease()
    assert claims.state(db.engine, "readiness", "K", utcnow()) == "done"
    assert claims.claim(db.engine, "readiness", "K", 60) is None


def test_the_heartbeat_renews_the_lease(app):
    claim = claims.claim(db.engine, "readiness", "K", 2)
    first_expiry = run_row().lease_expires_at
    with Heartbeat(db.engine, claim, 2, 0.2):
        time.sleep(0.7)
    assert run_row().lease_expires_at > first_expiry


def test_superseded_runs_of_a_dead_holder_are_recorded_as_failed(app):
    claims.claim(db.engine, "readiness", "old", 60)
    claims.claim(db.engine, "readiness", "live", 60)
    claims.claim(db.engine, "readiness", "current", 60)
    expire_lease(key="old")
    expire_lease(key="current")
    assert claims.abandon_superseded(db.engine, "readiness", "current") == ["old"]
    assert (run_row(key="old").outcome, run_row(key="old").error) == ("failed", claims.ABANDONED)
    assert run_row(key="live").outcome == run_row(key="current").outcome == "running"


# --- running an occurrence ----------------------------------------------------------


def test_a_run_commits_its_work_with_its_record(app, ready_trainees):
    outcome = run_occurrence("readiness", "K", lambda: readiness_services.run_readiness(date(2025, 6, 30)))
    assert outcome == "succeeded"
    row = run_row()
    assert (row.outcome, row.counts, row.error) == ("succeeded", {"trainees": 2, "raised": 2, "cleared": 0, "open": 2}, None)
    assert row.finished_at >= row.started_at
    assert count_flags() == 2
    assert run_occurrence("readiness", "K", lambda: pytest.fail("done twice")) == "skipped"


def test_a_failing_run_leaves_no_partial_result_and_records_the_error(app, ready_trainees):
    def half_done():
        readiness_services.run_readiness(date(2025, 6, 30))  # flags flushed...
        raise RuntimeError("disk full")  # ...but never committed

    assert run_occurrence("readiness", "K", half_done) == "failed"
    row = run_row()
    assert row.outcome == "failed" and row.finished_at is not None
    assert row.error.splitlines()[-1] == "RuntimeError: disk full" and "Traceback" in row.error
    assert count_flags() == 0


def test_a_run_whose_lease_was_taken_over_meanwhile_rolls_its_work_back(app, ready_trainees):
    def slow_then_overtaken():
        # Another scheduler takes the run over while this one still works.
        with short_transaction(db.engine) as connection:
            connection.execute(update(JobRun).where(JobRun.period_key == "K").values(attempts=JobRun.attempts + 1))
        readiness_services.run_readiness(date(2025, 6, 30))
        return {"raised": 2}

    assert run_occurrence("readiness", "K", slow_then_overtaken) == "lost"
    assert count_flags() == 0
    assert (run_row().outcome, run_row().attempts) == ("running", 2)


def test_the_readiness_job_evaluates_as_of_the_occurrences_date(app, ready_trainees):
    occurrence = datetime(2025, 1, 19, 0, 30, tzinfo=ZoneInfo("Pacific/Auckland"))  # still 2025-01-18 in UTC
    assert readiness_work(occurrence, "K")["raised"] == 2  # 2025-01-19 there: the rotations have just ended
    assert db.session.scalars(select(ReadinessFlag.raised_on)).all() == [date(2025, 1, 19)] * 2


# --- what is due ----------------------------------------------------------------------


@pytest.fixture
def due_now(app):
    """The readiness cron fires every second; occurrences up to a minute old are caught up."""
    app.config.update(TRACKER_READINESS_CRON="* * * * * *", SCHEDULER_MISFIRE_GRACE_SECONDS=60)
    return app


def test_a_missed_occurrence_is_caught_up_once(due_now, ready_trainees):
    due_now.config["TRACKER_READINESS_CRON"] = "0 0 1 1 *"  # only on new year's midnight...
    due_now.config["SCHEDULER_MISFIRE_GRACE_SECONDS"] = 400 * 24 * 3600  # ...and a grace longer than a year
    assert scheduler_runner.run_due(due_now, READINESS) == "succeeded"
    assert scheduler_runner.run_due(due_now, READINESS) == "done"
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1
    assert count_flags() == 2


def test_nothing_is_due_when_the_last_occurrence_is_older_than_the_grace(due_now, ready_trainees):
    due_now.config["TRACKER_READINESS_CRON"] = "0 0 1 1 *"
    due_now.config["SCHEDULER_MISFIRE_GRACE_SECONDS"] = 3600
    if datetime.now(ZoneInfo("UTC")) < datetime.now(ZoneInfo("UTC")).replace(month=1, day=1, hour=1, minute=0):
        pytest.skip("it is new year's first hour")
    assert scheduler_runner.run_due(due_now, READINESS) is None
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0


def test_a_dead_holders_run_is_taken_over_by_the_watch(due_now, ready_trainees):
    due_now.config["TRACKER_READINESS_CRON"] = "0 0 1 1 *"
    due_now.config["SCHEDULER_MISFIRE_GRACE_SECONDS"] = 400 * 24 * 3600
    _, key = scheduler_runner.current_occurrence(due_now.config, READINESS)
    claims.claim(db.engine, "readiness", key, 60)  # a holder that then died
    assert scheduler_runner.run_due(due_now, READINESS) == "held"
    expire_lease(key=key)
    assert scheduler_runner.run_due(due_now, READINESS) == "succeeded"
    row = run_row(key=key)
    assert (row.outcome, row.attempts) == ("succeeded", 2) and count_flags() == 2


class RecordingScheduler:
    """Stands in for APScheduler: records which jobs the watch wakes."""

    timezone = ZoneInfo("UTC")

    def __init__(self):
        self.woken = []

    def modify_job(self, job_id, next_run_time):
        self.woken.append(job_id)


def test_the_watch_wakes_a_job_whose_occurrence_was_missed_or_whose_holder_died(due_now):
    due_now.config.update(TRACKER_READINESS_CRON="0 0 1 1 *", TRACKER_DIGEST_CRON="0 0 1 1 *",
                          TRACKER_MAIL_RETRY_CRON="0 0 1 1 *", SCHEDULER_MISFIRE_GRACE_SECONDS=400 * 24 * 3600)
    keys = {spec.name: scheduler_runner.current_occurrence(due_now.config, spec)[1] for spec in JOBS}
    for job in ("digest", "mail_retry"):
        claims.finish(db.session, claims.claim(db.engine, job, keys[job], 60), {})
        db.session.commit()
    scheduler = RecordingScheduler()
    assert scheduler_runner.watch(due_now, scheduler) == ["readiness"]  # missed: nobody did it
    claims.claim(db.engine, "readiness", keys["readiness"], 60)
    assert scheduler_runner.watch(due_now, scheduler) == []  # held by a live scheduler
    expire_lease(key=keys["readiness"])
    assert scheduler_runner.watch(due_now, scheduler) == ["readiness"]  # its holder died
    assert scheduler.woken == ["readiness", "readiness"]


def test_the_scheduler_has_each_job_on_its_cron_with_coalescing_one_instance_and_hours_of_grace(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = scheduler_runner.build_scheduler(app, BackgroundScheduler)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"readiness", "digest", "mail_retry", "watch"}
    assert jobs["readiness"].name == "readiness (0 2 * * *)" and jobs["digest"].name == "digest (0 7 * * mon)"
    for job in jobs.values():
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 12 * 3600)
    assert str(jobs["digest"].trigger.timezone) == "UTC"
    assert not scheduler.running  # building it starts nothing; create_app never does


# --- the admin page -------------------------------------------------------------------


@pytest.fixture
def runs(app):
    ok = claims.claim(db.engine, "readiness", "2025-06-30T02:00:00+00:00", 60)
    claims.finish(db.session, ok, {"raised": 3, "cleared": 1})
    db.session.commit()
    failed = claims.claim(db.engine, "digest", "2025-W27", 60)
    claims.fail(db.engine, failed, "Traceback (most recent call last):\n  ...\nConnectionRefusedError: mail server down")
    claims.claim(db.engine, "mail_retry", "2025-06-30T02:15:00+00:00", 60)
    expire_lease("mail_retry", "2025-06-30T02:15:00+00:00")


@pytest.mark.parametrize(("role", "status"), [("supervisor", 403), ("trainee", 403), ("admin", 200)])
def test_only_admins_see_the_job_runs(client, auth, runs, role, status):
    make_user(role, email=f"{role}@example.com")
    db.session.commit()
    auth.login(f"{role}@example.com")
    assert client.get("/admin/jobs/").status_code == status


def test_the_job_runs_page_shows_the_schedule_runs_failures_and_stalled_runs(client, auth, runs):
    make_user("admin", email="admin@example.com")
    db.session.commit()
    assert client.get("/admin/jobs/").headers["Location"].startswith("/login")
    auth.login("admin@example.com")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "<code>0 2 * * *</code>" in page and "<code>0 7 * * mon</code>" in page
    assert "digest 2025-W27</strong>" in page and "ConnectionRefusedError: mail server down\n" in page
    assert '<td class="run-succeeded">Succeeded</td>' in page and "cleared 1, raised 3" in page
    stalled = page[page.index('id="stalled-heading"'):page.index('id="failures-heading"')]
    assert "mail_retry" in stalled and "readiness" not in stalled


def test_create_app_never_starts_a_scheduler(database_url):
    import threading

    from tests.conftest import config_for
    from tracker import create_app

    create_app(config_for(database_url, SCHEDULER_ENABLED=True))
    assert not any(thread.name == "APScheduler" for thread in threading.enumerate())
