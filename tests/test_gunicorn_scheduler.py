"""SCHEDULER_ENABLED under gunicorn: every worker runs the scheduler, and each occurrence is done once."""
import sys
import urllib.error
import urllib.request
from collections import Counter

import pytest

from tests.digest_support import free_port
from tests.test_scheduler_processes import (
    KINDS,
    SKIPPED,
    STARTED,
    Scheduler,
    environment,
    flag_pairs,
    job_runs,
    scheduler_database,
    schedulers,
    seed,
    wait_for,
)

pytestmark = pytest.mark.slow

WORKERS = 2
SCHEDULER_STARTED = "scheduler started in the web process"


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def readiness_succeeded(times: int):
    return lambda: sum(r.job == "readiness" and r.outcome == "succeeded" for r in job_runs()) >= times


@pytest.mark.parametrize("kind", KINDS)
def test_gunicorn_workers_run_the_scheduler_and_each_occurrence_once(kind, tmp_path):
    with scheduler_database(kind, tmp_path) as (url, app), schedulers() as started:
        expected = seed()
        port = free_port()
        # Nobody dies here, so a long lease: a worker starved for a few seconds on a busy machine keeps its runs.
        env = environment(url, SCHEDULER_ENABLED="1", TRACKER_READINESS_CRON="*/2 * * * * *", TRACKER_JOB_LEASE_SECONDS="60")
        command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                   "--no-control-socket", "wsgi:app"]  # the control socket's default path is shared by every gunicorn
        gunicorn = Scheduler(env, tmp_path / "gunicorn.log", command)
        started.append(gunicorn)
        wait_for(lambda: healthy(port), "gunicorn to answer /healthz", timeout=120)
        wait_for(lambda: gunicorn.output().count(SCHEDULER_STARTED) == WORKERS, "each worker to start its scheduler", timeout=120)
        more = readiness_succeeded(len(job_runs()) + 2)
        wait_for(lambda: more() and SKIPPED.search(gunicorn.output()), "two more readiness runs, the workers competing", timeout=120)
        assert gunicorn.stop() == 0
        output = gunicorn.output()

        runs = job_runs()
        assert runs and all(r.job == "readiness" and r.outcome == "succeeded" and r.attempts == 1 for r in runs), [
            (r.job, r.outcome, r.error) for r in runs
        ]
        # Each occurrence was started once, by the worker its run names, and the other worker skipped it.
        starts = [(m[1], m[2], int(m[4])) for m in STARTED.finditer(output)]
        assert Counter((job, key) for job, key, _ in starts) == Counter((r.job, r.period_key) for r in runs)
        assert {(job, key): pid for job, key, pid in starts} == {(r.job, r.period_key): r.owner_pid for r in runs}
        assert SKIPPED.search(output), output
        assert not any(word in output for word in ("database is locked", "Traceback", "ERROR")), output
        assert flag_pairs() == sorted(expected)
        # The first run to finish raised them all (two runs may overlap; the flags' lock decides which).
        by_finish = sorted(runs, key=lambda r: (r.finished_at, r.id))
        assert [r.counts["raised"] for r in by_finish] == [len(expected)] + [0] * (len(runs) - 1)
