"""SCHEDULER_ENABLED under gunicorn: every worker runs the scheduler, and each occurrence is done once."""
import sys
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from tests.digest_support import free_port
from tests.test_scheduler_processes import (
    KINDS, SKIPPED, STARTED, Scheduler, environment, flag_pairs, job_runs, scheduler_database, schedulers, seed,
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
        env = environment(url, SCHEDULER_ENABLED="1", TRACKER_READINESS_CRON="*/2 * * * * *")
        command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
                   "--no-control-socket", "wsgi:app"]  # the control socket's default path is shared by every gunicorn
        gunicorn = Scheduler(env, tmp_path / "gunicorn.log", command)
        started.append(gunicorn)
        wait_for(lambda: healthy(port), 20, "gunicorn to answer /healthz")
        wait_for(lambda: gunicorn.output().count(SCHEDULER_STARTED) == WORKERS, 20, "each worker to start its scheduler")
        wait_for(readiness_succeeded(len(job_runs()) + 2), 20, "two more readiness runs, with both workers competing")
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
        assert [r.counts["raised"] for r in runs] == [len(expected)] + [0] * (len(runs) - 1)
