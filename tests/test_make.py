"""The two commands of the README: `make test` installs what the suite needs, `make run` takes PORT."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_NOT_RUN, SQLITE_ONLY_NOTE

PROJECT = Path(__file__).resolve().parent.parent
# apt-get replaced by echo: what make would run, without installing anything.
DRY_APT = ["APT_GET=echo apt-get", "SUDO="]


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-s", *args], cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False)


def test_missing_chromium_and_java_are_installed_through_apt_get():
    result = make("system-tools", "CHROMIUM=/nonexistent/chromium", "JAVA=/nonexistent/java", *DRY_APT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Installing Chromium for the browser tests",
        "apt-get update -qq",
        "apt-get install -y -qq chromium",
        "Installing Java for the Nu HTML checker",
        "apt-get update -qq",
        "apt-get install -y -qq default-jre-headless",
    ]


def test_nothing_is_installed_when_both_are_there(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result = make("system-tools", f"CHROMIUM={chromium}", f"JAVA={sys.executable}", "APT_GET=false", "SUDO=")
    assert (result.returncode, result.stdout) == (0, "")


def test_a_failed_install_stops_make():
    result = make("system-tools", "CHROMIUM=/nonexistent/chromium", f"JAVA={sys.executable}", "APT_GET=false", "SUDO=")
    assert result.returncode != 0


def test_make_test_checks_the_system_tools_before_running_the_suite():
    lines = make("-n", "test").stdout.splitlines()
    chromium_check = next(i for i, line in enumerate(lines) if "test -x /usr/bin/chromium" in line)
    java_check = next(i for i, line in enumerate(lines) if "command -v java" in line)
    suite = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert chromium_check < suite and java_check < suite


@pytest.mark.parametrize("args, port", [((), "5000"), (("PORT=5050",), "5050")])
def test_make_run_serves_on_port_and_tells_the_app(args, port):
    serve = next(line for line in make("-n", "run", *args).stdout.splitlines() if " serve " in line)
    assert f"TRACKER_PORT={port} " in serve  # config derives BASE_URL from it
    assert serve.endswith(f"serve --host 127.0.0.1 --port {port}")


def pytest_output(*files: str, **env: str) -> str:
    """What collecting `files` (default: this one) prints, with only the TEST_DATABASE_URL of `env`."""
    environment = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"} | env
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider", *(files or ["tests/test_make.py"])],
        cwd=PROJECT, capture_output=True, text=True, env=environment, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_run_says_in_one_line_when_postgresql_is_not_run():
    assert pytest_output().splitlines().count(POSTGRES_NOT_RUN) == 1
    assert POSTGRES_NOT_RUN not in pytest_output(TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/unused")


def test_browser_walks_marked_sqlite_only_are_left_out_of_the_postgresql_half():
    output = pytest_output(
        "tests/test_phone_browser.py", "tests/test_readiness_browser.py",
        TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/unused",
    )
    collected = [line for line in output.splitlines() if "::" in line]
    assert [line for line in collected if "postgresql" in line] == [
        # deciding on a flag commits: on both databases; the progress bars are only looked at
        "tests/test_readiness_browser.py::test_a_supervisor_defers_a_flag_from_the_board_after_a_missing_reason[postgresql]",
    ]
    assert len([line for line in collected if "test_phone_browser.py" in line]) == 4  # on SQLite: three roles, and one more
    assert SQLITE_ONLY_NOTE.format(count=5) in output.splitlines()


def test_make_screenshots_runs_the_screenshot_tool():
    lines = make("-n", "screenshots", *DRY_APT).stdout.splitlines()
    assert lines[-1] == ".venv/bin/python tools/screenshots.py"
    assert "/screenshots/" in (PROJECT / ".gitignore").read_text().splitlines()
