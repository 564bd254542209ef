"""Claiming occurrences, leases and takeover, recording runs, and the admin page of job runs."""
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from tests.factories import make_job_type, make_role, make_rotation, make_trainee, make_user
from tests.waiting import wait_for
from tracker.extensions import db
from tracker.infra.clock import utcnow
from tracker.infra.leases import short_transaction
from tracker.readiness import services as readiness_services
from tracker.readiness.models import ReadinessFlag
from tracker.scheduler import process as scheduler_runner
from tracker.scheduler import runs as claims
from tracker.scheduler.jobs import JOBS, readiness_work
from tracker.scheduler.models import JobRun
from tracker.scheduler.occurrences import Heartbeat, run_occurrence

READINESS = next(spec for spec in JOBS if spec.name == "readiness")
UTC = UTC


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


def test_an_expired_lease_is_taken_over_and_the_old_holder_is_fenced_off(app, clock):
    old = claims.claim(db.engine, "readiness", "K", 60)
    clock.advance(seconds=61)  # the holder stopped renewing a minute ago
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


def test_a_finished_run_is_never_taken_over(app, clock):
    claim = claims.claim(db.engine, "readiness", "K", 60)
    assert claims.finish(db.session, claim, {"raised": 0})
    db.session.commit()
    clock.advance(hours=1)
    assert claims.state(db.engine, "readiness", "K", utcnow()) == "done"
    assert claims.claim(db.engine, "readiness", "K", 60) is None


def test_the_heartbeat_renews_the_lease_on_the_apps_clock(app, clock):
    claim = claims.claim(db.engine, "readiness", "K", 2)
    assert run_row().lease_expires_at == datetime(2025, 6, 30, 7, 0, 2)
    clock.advance(minutes=5)
    with Heartbeat(db.engine, claim, 2, 0.01):
        wait_for(lambda: run_row().lease_expires_at == datetime(2025, 6, 30, 7, 5, 2), "the heartbeat to renew the lease")
    assert claims.state(db.engine, "readiness", "K", utcnow()) == "held"


def test_superseded_runs_of_a_dead_holder_are_recorded_as_failed(app, clock):
    claims.claim(db.engine, "readiness", "old", 60)
    claims.claim(db.engine, "readiness", "current", 60)
    clock.advance(seconds=61)  # both holders died
    claims.claim(db.engine, "readiness", "live", 60)
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


# --- what is due: "it is Monday 07:00" on the app's clock ---------------------------------


@pytest.fixture
def schedule(app, clock):
    """Readiness every night at 02:00 and the digest on Mondays at 07:00 (UTC); missed ones caught up within 12 hours."""
    app.config.update(
        TRACKER_TIMEZONE="UTC", TRACKER_READINESS_CRON="0 2 * * *", TRACKER_DIGEST_CRON="0 7 * * mon",
        TRACKER_MAIL_RETRY_CRON="*/15 * * * *", SCHEDULER_MISFIRE_GRACE_SECONDS=12 * 3600,
    )
    return clock


def run_keys() -> list[tuple[str, str]]:
    db.session.expire_all()
    return db.session.execute(select(JobRun.job, JobRun.period_key).order_by(JobRun.id)).all()


def test_the_current_occurrence_is_the_latest_within_the_grace(app, schedule):
    schedule.set(datetime(2025, 6, 30, 1, 59, tzinfo=UTC))  # Monday 01:59: Sunday's run is 23:59 old, Monday's not yet due
    assert scheduler_runner.current_occurrence(app.config, READINESS) is None
    schedule.set(datetime(2025, 6, 30, 2, 0, tzinfo=UTC))
    assert scheduler_runner.current_occurrence(app.config, READINESS) == (
        datetime(2025, 6, 30, 2, 0, tzinfo=ZoneInfo("UTC")), "2025-06-30T02:00:00+00:00")
    schedule.set(datetime(2025, 7, 6, 23, 0, tzinfo=UTC))  # Sunday night: the digest of Monday 07:00 is long past
    assert scheduler_runner.current_occurrence(app.config, next(s for s in JOBS if s.name == "digest")) is None
    schedule.set(datetime(2025, 6, 30, 7, 0, tzinfo=UTC))
    assert scheduler_runner.current_occurrence(app.config, next(s for s in JOBS if s.name == "digest"))[1] == "2025-W27"


def test_a_missed_occurrence_is_caught_up_once(app, schedule, ready_trainees):
    schedule.set(datetime(2025, 6, 30, 9, 30, tzinfo=UTC))  # the scheduler was down at 02:00, up again at 09:30
    assert scheduler_runner.run_due(app, READINESS) == "succeeded"
    assert scheduler_runner.run_due(app, READINESS) == "done"
    assert run_keys() == [("readiness", "2025-06-30T02:00:00+00:00")]
    assert db.session.scalars(select(ReadinessFlag.raised_on)).all() == [date(2025, 6, 30)] * 2


def test_nothing_is_due_when_the_last_occurrence_is_older_than_the_grace(app, schedule, ready_trainees):
    schedule.set(datetime(2025, 6, 30, 14, 30, tzinfo=UTC))  # 12.5 hours after 02:00
    assert scheduler_runner.run_due(app, READINESS) is None
    assert run_keys() == []


def test_a_dead_holders_run_is_taken_over_by_the_watch(app, schedule, ready_trainees):
    schedule.set(datetime(2025, 6, 30, 2, 0, 30, tzinfo=UTC))
    _, key = scheduler_runner.current_occurrence(app.config, READINESS)
    claims.claim(db.engine, "readiness", key, 60)  # a holder that then died
    assert scheduler_runner.run_due(app, READINESS) == "held"
    schedule.advance(seconds=61)
    assert scheduler_runner.run_due(app, READINESS) == "succeeded"
    row = run_row(key=key)
    assert (row.outcome, row.attempts) == ("succeeded", 2) and count_flags() == 2


class RecordingScheduler:
    """Stands in for APScheduler: records which jobs the watch wakes."""

    timezone = ZoneInfo("UTC")

    def __init__(self):
        self.woken = []

    def modify_job(self, job_id, next_run_time):
        self.woken.append(job_id)


def test_the_watch_wakes_a_job_whose_occurrence_was_missed_or_whose_holder_died(app, schedule, caplog):
    caplog.set_level(logging.INFO, logger="tracker.scheduler")
    schedule.set(datetime(2025, 6, 30, 7, 5, tzinfo=UTC))  # Monday 07:05: readiness (02:00), digest and mail retry (07:00) due
    keys = {spec.name: scheduler_runner.current_occurrence(app.config, spec)[1] for spec in JOBS}
    assert keys == {"readiness": "2025-06-30T02:00:00+00:00", "digest": "2025-W27", "mail_retry": "2025-06-30T07:00:00+00:00"}
    for job in ("digest", "mail_retry"):
        claims.finish(db.session, claims.claim(db.engine, job, keys[job], 60), {})
        db.session.commit()
    scheduler = RecordingScheduler()
    assert scheduler_runner.watch(app, scheduler) == ["readiness"]  # missed: nobody did it
    claims.claim(db.engine, "readiness", keys["readiness"], 60)
    assert scheduler_runner.watch(app, scheduler) == []  # held by a live scheduler
    assert "job readiness 2025-06-30T02:00:00+00:00: in progress, its lease is live" in caplog.messages
    schedule.advance(seconds=61)
    assert scheduler_runner.watch(app, scheduler) == ["readiness"]  # its holder died
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
