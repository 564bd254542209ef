"""Contention: gunicorn with several workers on a SQLite database takes thousands of concurrent writes.

What it proves (issue 8, "Also prove"): with the default kind of database
(a SQLite file in WAL mode) behind gunicorn, many signed-in users recording
rotations and module results through the real forms at once get no 5xx,
no "database is locked", and every write the app acknowledged is stored,
exactly once.

For one run this script:

1. makes a fresh SQLite database (bench/out/contention/tracker.sqlite),
   migrated, with one supervisor per client, each with a few trainees, a
   job type and a module;
2. starts gunicorn (default 3 workers) on a free loopback port against it;
3. runs the clients, one thread each: each signs in through /login as its
   own supervisor, takes the CSRF token from its trainee's form page, and
   posts its share of the writes, alternating rotations (one week each,
   never overlapping) and module results (one a day);
4. stops gunicorn and checks the database against what was acknowledged
   (a 302 back to the trainee's page), and gunicorn's log for "database is
   locked" and tracebacks;
5. prints a summary table.

Run from the project folder:  python bench/contention.py [--writes 2000] [--clients 12] [--workers 3]
Exit status 0 when the property holds. Not a unit test: the timings depend on
the machine (tests/test_contention.py runs a small one in the suite).
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

PASSWORD = "contention password"
TRAINEES_PER_CLIENT = 4
FIRST_MONDAY = date(2000, 1, 3)
FIRST_RESULT_DAY = date(2010, 1, 1)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Write:
    """One form post: which kind, for which trainee, with what, and what came back."""

    kind: str
    trainee_id: int
    data: dict
    status: int = 0
    location: str = ""
    seconds: float = 0.0

    @property
    def acknowledged(self) -> bool:
        return self.status == 302 and f"/trainees/{self.trainee_id}" in self.location


@dataclass
class Report:
    """What a run sent, what came back, and what the database holds afterwards."""

    writes: list[Write]
    stored: dict[str, set]
    elapsed: float
    log: str
    sign_in_failures: int = 0
    errors: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Write]:
        return [w for w in self.writes if w.kind == kind]

    @property
    def server_errors(self) -> int:
        return sum(w.status >= 500 for w in self.writes)

    @property
    def locked(self) -> int:
        return self.log.count("database is locked")

    @property
    def tracebacks(self) -> int:
        return self.log.count("Traceback")

    def lost(self) -> list[Write]:
        """Acknowledged writes the database does not hold."""
        return [w for w in self.writes if w.acknowledged and key_of(w) not in self.stored[w.kind]]

    def unacknowledged_stored(self) -> int:
        """Rows stored for writes that were not acknowledged (a refusal must save nothing)."""
        acknowledged = {(w.kind, key_of(w)) for w in self.writes if w.acknowledged}
        return sum((kind, key) not in acknowledged for kind, keys in self.stored.items() for key in keys)

    @property
    def holds(self) -> bool:
        """The property: no 5xx, no lock errors, every acknowledged write stored, every write acknowledged."""
        return (
            not self.errors and self.sign_in_failures == 0 and self.server_errors == 0 and self.locked == 0
            and self.tracebacks == 0 and not self.lost() and self.unacknowledged_stored() == 0
            and all(w.acknowledged for w in self.writes)
        )

    def table(self) -> str:
        lines = [f"{'kind':<10} {'sent':>6} {'acked':>6} {'refused':>7} {'5xx':>5} {'stored':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"]
        for kind in ("rotations", "results"):
            writes = self.of(kind)
            times = sorted(w.seconds * 1000 for w in writes) or [0.0]
            lines.append(
                f"{kind:<10} {len(writes):>6} {sum(w.acknowledged for w in writes):>6} "
                f"{sum(w.status == 200 for w in writes):>7} {sum(w.status >= 500 for w in writes):>5} "
                f"{len(self.stored[kind]):>6} {statistics.median(times):>7.0f} {percentile(times, 95):>7.0f} {times[-1]:>7.0f}"
            )
        total = len(self.writes)
        lines.append(
            f"{total} writes in {self.elapsed:.1f} s ({total / self.elapsed:.0f} writes/s); "
            f"acknowledged but not stored: {len(self.lost())}; stored but not acknowledged: {self.unacknowledged_stored()}; "
            f"'database is locked' in the log: {self.locked}; tracebacks: {self.tracebacks}; failed sign-ins: {self.sign_in_failures}"
        )
        lines.extend(f"error: {error}" for error in self.errors)
        lines.append("PROPERTY HOLDS" if self.holds else "PROPERTY BROKEN")
        return "\n".join(lines)


def percentile(sorted_values: list[float], pct: int) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * pct / 100))]


def key_of(write: Write):
    """What identifies the record a write makes."""
    if write.kind == "rotations":
        return write.trainee_id, write.data["start_date"]
    return write.trainee_id, write.data["completed_on"]


# --- the database -------------------------------------------------------------------


def app_for(url: str):
    from config import Config
    from tracker import create_app

    return create_app(type("ContentionConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "contention", "TESTING": False}))


def seed(url: str, clients: int) -> dict[str, list[int]]:
    """Migrate and fill the database: per client a supervisor and their trainees; their ids by supervisor email."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from tracker.auth.models import User
    from tracker.catalog.models import JobType, TrainingModule
    from tracker.extensions import db
    from tracker.trainees.models import Trainee

    app = app_for(url)
    with app.app_context():
        upgrade()
        password_hash = generate_password_hash(PASSWORD)
        db.session.add_all([
            JobType(code="warehouse", name="Warehouse operations", description="", active=True),
            TrainingModule(code="safety", name="Workplace Safety", pass_score=60, active=True),
        ])
        trainees = {}
        for c in range(clients):
            supervisor = User(email=f"supervisor{c}@example.com", name=f"Supervisor {c}", role="supervisor", password_hash=password_hash)
            db.session.add(supervisor)
            mine = []
            for t in range(TRAINEES_PER_CLIENT):
                user = User(email=f"trainee{c}-{t}@example.com", name=f"Trainee {c}-{t}", role="trainee")
                mine.append(Trainee(user=user, supervisor=supervisor, start_date=date(2000, 1, 3), cohort="bench", status="active"))
            db.session.add_all(mine)
            db.session.flush()
            trainees[supervisor.email] = [t.id for t in mine]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return trainees


def stored(url: str) -> dict[str, set]:
    """The (trainee, date) of every rotation and result in the database, and any stored twice."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.trainees.models import ModuleResult, Rotation

    app = app_for(url)
    with app.app_context():
        rotations = db.session.execute(select(Rotation.trainee_id, Rotation.start_date)).all()
        results = db.session.execute(select(ModuleResult.trainee_id, ModuleResult.completed_on)).all()
        db.engine.dispose()
    found = {
        "rotations": {(t, d.isoformat()) for t, d in rotations},
        "results": {(t, d.isoformat()) for t, d in results},
    }
    assert len(found["rotations"]) == len(rotations) and len(found["results"]) == len(results), "a record stored twice"
    return found


# --- gunicorn -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "TRACKER_", "DATABASE_", "SCHEDULER_"))}
    env |= {"DATABASE_URL": url, "SECRET_KEY": "contention", "SCHEDULER_ENABLED": "0", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"]
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- the clients -----------------------------------------------------------------------


class Browser:
    """One signed-in person: a connection to the server and the session cookie."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookie = ""

    def request(self, method: str, path: str, data: dict | None = None) -> http.client.HTTPResponse:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.connection.close()  # a sync worker closed the kept-alive connection: open a new one
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")
        cookie = response.getheader("Set-Cookie")
        if cookie and cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        return response

    def token(self, path: str) -> str:
        match = TOKEN.search(self.request("GET", path).text)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def sign_in(self, email: str) -> bool:
        response = self.request("POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": self.token("/login")})
        return response.status == 302


def plan(trainees: dict[str, list[int]], writes: int) -> dict[str, list[Write]]:
    """Each client's writes: alternately a rotation (its own week) and a result (its own day), round the client's trainees."""
    emails = sorted(trainees)
    planned = {email: [] for email in emails}
    for n in range(writes):
        email = emails[n % len(emails)]
        mine = planned[email]
        trainee_id = trainees[email][len(mine) % TRAINEES_PER_CLIENT]
        slot = len(mine) // TRAINEES_PER_CLIENT  # the how-manieth write for this trainee
        if n // len(emails) % 2 == 0:
            start = FIRST_MONDAY + timedelta(weeks=slot)
            data = {"job_type": "warehouse", "start_date": start.isoformat(), "end_date": (start + timedelta(days=6)).isoformat(),
                    "rating": "4", "notes": f"write {n}"}
            mine.append(Write("rotations", trainee_id, data))
        else:
            data = {"module": "safety", "completed_on": (FIRST_RESULT_DAY + timedelta(days=slot)).isoformat(), "score": "75"}
            mine.append(Write("results", trainee_id, data))
    return planned


def client(port: int, email: str, writes: list[Write], start: threading.Barrier, failures: list) -> None:
    """Sign in, wait for everyone, then post every write in turn."""
    browser = Browser(port)
    if not browser.sign_in(email):
        failures.append(email)
        start.wait()
        return
    token = browser.token(f"/trainees/{writes[0].trainee_id}/rotations/new") if writes else ""
    start.wait()
    for write in writes:
        began = time.monotonic()
        response = browser.request("POST", f"/trainees/{write.trainee_id}/{write.kind}/new", {**write.data, "csrf_token": token})
        write.seconds = time.monotonic() - began
        write.status, write.location = response.status, response.getheader("Location") or ""


def run(writes: int = 2000, clients: int = 12, workers: int = 3, folder: Path | None = None) -> Report:
    """One contention run in `folder` (emptied first); the report of what happened."""
    folder = folder or PROJECT / "bench" / "out" / "contention"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    url = "sqlite:///" + str(folder / "tracker.sqlite")
    trainees = seed(url, clients)
    planned = plan(trainees, writes)
    port, log = free_port(), folder / "gunicorn.log"
    server = start_gunicorn(url, port, workers, log)
    errors, failures = [], []
    try:
        wait_until_up(port)
        start = threading.Barrier(clients + 1)
        threads = [threading.Thread(target=client, args=(port, email, mine, start, failures)) for email, mine in planned.items()]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.monotonic()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    except Exception as exc:  # noqa: BLE001 (reported in the table, never hidden)
        errors.append(repr(exc))
        elapsed = 1.0
    finally:
        stop(server)
    all_writes = [w for mine in planned.values() for w in mine]
    return Report(all_writes, stored(url), elapsed, log.read_text(errors="replace"), len(failures), errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    print(f"Contention: gunicorn -w {args.workers} on SQLite (WAL), {args.clients} signed-in clients, {args.writes} writes through the forms")
    report = run(args.writes, args.clients, args.workers)
    print(report.table())
    return 0 if report.holds else 1


if __name__ == "__main__":
    sys.exit(main())
