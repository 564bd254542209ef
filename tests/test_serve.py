"""`flask serve`: the interactive debugger and the reloader only in debug mode; the scheduler either way."""
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.digest_support import free_port
from tests.test_scheduler_processes import (
    PROJECT,
    environment,
    job_runs,
    scheduler_database,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

# Werkzeug's debugger answers this itself, before the app sees the request.
DEBUGGER_SCRIPT = "/?__debugger__=yes&cmd=resource&f=debugger.js"
EVERY_SECOND = "* * * * * *"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status_of(port: int, path: str) -> int | None:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


@pytest.fixture
def serve(tmp_path):
    """Start `flask serve` on a migrated SQLite database; every process it started is ended afterwards."""
    started = []

    def start(**settings: str) -> tuple[int, subprocess.Popen]:
        port = free_port()
        env = environment(url, SCHEDULER_ENABLED="1", **settings)
        with open(tmp_path / f"serve-{port}.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)],
                cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        started.append(process)
        wait_for(lambda: status_of(port, "/healthz") == 200, "flask serve to answer", timeout=30)
        return port, process

    with scheduler_database("sqlite", tmp_path) as (url, _app):
        try:
            yield start
        finally:
            for process in started:
                os.killpg(process.pid, signal.SIGTERM)  # the reloader's child too
                process.wait(timeout=20)


def log_of(tmp_path, port: int) -> str:
    return (tmp_path / f"serve-{port}.log").read_text(encoding="utf-8", errors="replace")


def test_without_debug_there_is_no_debugger_and_the_scheduler_still_starts(serve, tmp_path):
    port, _ = serve(TRACKER_READINESS_CRON=EVERY_SECOND)
    assert status_of(port, DEBUGGER_SCRIPT) == 302  # the app's own answer: sign in first
    wait_for(job_runs, "the scheduler in the web process to run a job", timeout=20)
    assert "Debugger is active" not in log_of(tmp_path, port)


def test_in_debug_mode_the_debugger_and_reloader_are_on(serve, tmp_path):
    port, _ = serve(FLASK_DEBUG="1")
    assert status_of(port, DEBUGGER_SCRIPT) == 200
    wait_for(lambda: "scheduler started in the web process" in log_of(tmp_path, port), "the scheduler to start", timeout=20)
    output = log_of(tmp_path, port)
    assert "Debugger is active" in output and "Restarting with" in output
    assert output.count("scheduler started in the web process") == 1  # in the reloader's child only
