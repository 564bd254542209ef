"""Scale: the tracker from 2,000 to 50,000 trainees on SQLite and PostgreSQL, in one command.

    python bench/scale.py [--sizes 2000 10000 50000] [--databases sqlite postgresql] [--requests 20]

For each database and size it generates a programme (`flask demo generate`, fixed seed, around
today), loads it into a fresh database through the real commands (`db upgrade`, `demo supervisors`,
`catalog import`, then each file's `... import`, every one its own process, timed, with its peak
memory), and measures:

- `readiness export` and `readiness run` (first run, then a second at the same date, which raises
  nothing) against a plain Python evaluation of the same CSV files written inside this file from
  SPEC.md's words (no tracker code): the export must equal it byte for byte, or the benchmark stops.
  The commands are timed alone, in a process that has loaded the app (Flask's start-up, a process
  that only loads the app, is measured apart), the plain evaluation inside its own process;
- median and 95th percentile latency of the pages, served by gunicorn with 2 workers, for a
  supervisor and for an admin, against /healthz in the same run (a page answering 404 is skipped);
- `digest send --dry-run` (building every digest of the week), the command alone;
- growth across sizes: each timing per 1,000 trainees.

PostgreSQL: postgresql+psycopg://postgres@127.0.0.1:5432 (--postgres-url), the benchmark creates
and drops its own databases scale_bench_<size>. Output: markdown tables on standard output, progress
on standard error; files under bench/out/scale/. Not a test: the figures depend on the machine.
"""
import argparse
import csv
import http.cookiejar
import io
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLASK = [PYTHON, "-m", "flask", "--app", "wsgi"]
KINDS = ("trainees", "rotations", "results", "credits", "leave")
ADMIN = ("scale-admin@bench.example", "scale-admin-pass-2026")
DEMO_PASSWORD = "demo-pass-2026"  # what `flask demo supervisors` gives every supervisor (docs/commands.md)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- the plain evaluation: SPEC.md's "Readiness, exactly", from the CSV files, no tracker code ---------------


def add_months(day: date, months: int) -> date:
    """Calendar months later, on the same day or the month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    days_in_month = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
                     31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, days_in_month))


def score_text(score: Decimal) -> str:
    """70.00 -> 70, 69.50 -> 69.5."""
    return format(score.normalize(), "f")


def more_weeks(days: int) -> str:
    """days/7 weeks rounded up to one decimal, without a trailing ".0": "2.3 more weeks", "1 more week"."""
    tenths = -(-days * 10 // 7)
    text = f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
    return f"{text} more week" if text == "1" else f"{text} more weeks"


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def plain_export(folder: Path, as_of: date) -> str:
    """The readiness export's CSV at as_of, computed from the import files alone."""
    catalog = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    job_name = {j["code"].lower(): j["name"] for j in catalog["job_types"]}
    modules = {m["code"].lower(): m for m in catalog["modules"]}
    roles = sorted((r for r in catalog["roles"] if r.get("active", True)), key=lambda r: r["code"])
    # Per trainee: days per job type, latest (end, is rotation, rating) per job type, best valid score per module.
    days = defaultdict(lambda: defaultdict(int))
    latest = defaultdict(dict)
    best = defaultdict(dict)
    exempt = defaultdict(dict)
    cutoff = {}  # module -> the earliest completion date still valid at as_of (None: no validity)
    for code, module in modules.items():
        months = module.get("valid_months")
        if months:
            # valid when as_of < completed + V months; completed + V months is increasing in completed
            low = date(1900, 1, 1).toordinal()
            high = as_of.toordinal() + 1
            while low < high:  # the first day whose validity runs past as_of
                mid = (low + high) // 2
                if add_months(date.fromordinal(mid), months) > as_of:
                    high = mid
                else:
                    low = mid + 1
            cutoff[code] = date.fromordinal(low)
        else:
            cutoff[code] = None

    def completed(email: str, job: str, start: date, end: date, rating: int | None, rotation: bool) -> None:
        days[email][job] += (end - start).days + 1
        if rating is not None:
            key = (end, rotation, rating)
            if job not in latest[email] or key > latest[email][job]:
                latest[email][job] = key

    for row in read_csv(folder / "rotations.csv"):
        if row["end_date"]:
            end = date.fromisoformat(row["end_date"])
            if end <= as_of:
                completed(row["trainee_email"].lower(), row["job_type"].lower(), date.fromisoformat(row["start_date"]),
                          end, int(row["rating"]) if row["rating"] else None, True)
    if (folder / "credits.csv").exists():
        for row in read_csv(folder / "credits.csv"):
            granted = date.fromisoformat(row["granted_on"])
            if granted > as_of:
                continue
            email = row["trainee_email"].lower()
            if row["kind"] == "experience":
                weeks = int(row["weeks"])
                start = date.fromordinal(granted.toordinal() - 7 * weeks + 1)
                completed(email, row["job_type"].lower(), start, granted, int(row["rating"]) if row["rating"] else None, False)
            else:
                exempt[email][row["module"].lower()] = True
    for row in read_csv(folder / "results.csv"):
        done = date.fromisoformat(row["completed_on"])
        code = row["module"].lower()
        if done > as_of or (cutoff[code] is not None and done < cutoff[code]):
            continue
        email, score = row["trainee_email"].lower(), Decimal(row["score"])
        if code not in best[email] or score > best[email][code]:
            best[email][code] = score
    emails = sorted(row["email"].lower() for row in read_csv(folder / "trainees.csv"))

    out = io.StringIO()
    out.write("trainee_email,role,status,progress,unmet\n")
    for email in emails:
        job_days, ratings, scores, exemptions = days[email], latest[email], best[email], exempt[email]
        for role in roles:
            progress = []  # (numerator, denominator)
            unmet = []
            if role["min_total_weeks"] > 0:
                have, need = sum(job_days.values()), 7 * role["min_total_weeks"]
                progress.append((min(have, need), need))
                if have < need:
                    unmet.append(f"needs {more_weeks(need - have)} in total")
            if role["min_distinct_job_types"] > 0:
                have, need = sum(1 for d in job_days.values() if d), role["min_distinct_job_types"]
                progress.append((min(have, need), need))
                if have < need:
                    unmet.append(f"needs {need - have} more job type{'' if need - have == 1 else 's'} (has {have} of {need})")
            for req in role["rotations"]:
                job = req["job_type"].lower()
                if req["min_weeks"] > 0:
                    have, need = job_days.get(job, 0), 7 * req["min_weeks"]
                    progress.append((min(have, need), need))
                    if have < need:
                        unmet.append(f"needs {more_weeks(need - have)} in {job_name[job]}")
                if req.get("min_rating") is not None:
                    rating = ratings[job][2] if job in ratings else None
                    met = rating is not None and rating >= req["min_rating"]
                    progress.append((1 if met else 0, 1))
                    if not met:
                        detail = "no rated rotation yet" if rating is None else f"latest {rating}"
                        unmet.append(f"needs a rating of {req['min_rating']} or more in {job_name[job]}, {detail}")
            for req in role["modules"]:
                code = req["module"].lower()
                need = Decimal(str(req["min_score"]))
                score = scores.get(code)
                met = code in exemptions or (score is not None and score >= need)
                progress.append((1 if met else 0, 1))
                if not met:
                    detail = "no valid result" if score is None else f"best valid score {score_text(score)}"
                    unmet.append(f"needs {modules[code]['name']} at {score_text(need)} or more, {detail}")
            if progress:
                common = math.lcm(*(den for _, den in progress))
                total, whole = sum(num * (common // den) for num, den in progress), common * len(progress)
                hundredths = (200 * total + whole) // (2 * whole)  # half up
                if total < whole:
                    hundredths = min(hundredths, 99)
            else:
                hundredths = 100
            status = "not_ready" if unmet else "ready"
            cells = [email, role["code"], status, f"{hundredths // 100}.{hundredths % 100:02d}", "; ".join(unmet)]
            out.write(",".join(f'"{c}"' if ("," in c or '"' in c) else c for c in cells) + "\n")
    return out.getvalue()


def plain_main(folder: str, as_of: str, out: str) -> None:
    """`python bench/scale.py plain FOLDER DATE OUT`: write the CSV to OUT, print the seconds it took."""
    started = time.perf_counter()
    text = plain_export(Path(folder), date.fromisoformat(as_of))
    Path(out).write_text(text, encoding="utf-8")
    print(f"{time.perf_counter() - started:.4f}")


# --- running the tracker -------------------------------------------------------------------------------------


def inside_main(out: str, *args: str) -> None:
    """`python bench/scale.py inside OUT COMMAND...`: load the app (DATABASE_URL from the environment) and configure
    the ORM's mappers (what any process does once), then time the command alone through Flask's CLI runner; write
    its output to OUT, print the seconds."""
    sys.path.insert(0, str(PROJECT))
    from sqlalchemy.orm import configure_mappers

    from wsgi import app

    configure_mappers()  # once per process, on its first query: start-up, like loading the app
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=list(args))
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"{' '.join(args)} failed: {result.output[-2000:]} {result.exception!r}")
    Path(out).write_text(result.stdout, encoding="utf-8")
    print(f"{seconds:.4f}")


class Tracker:
    """The tracker's commands against one database, each a process."""

    def __init__(self, url: str, folder: Path):
        self.url, self.folder = url, folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TRACKER_", "DATABASE_"))}
        # PYTHONFAULTHANDLER: a crashing worker leaves its Python traceback in gunicorn.log.
        self.env |= {"DATABASE_URL": url, "SECRET_KEY": "scale-bench", "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}

    def run(self, *args: str, stdout=None) -> tuple[float, int, str]:
        """Run `flask ... args`: (seconds, peak KB, stdout)."""
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "@@peak %M", *FLASK, *args], cwd=PROJECT, env=self.env,
                              stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        peak = int(re.search(r"@@peak (\d+)", done.stderr).group(1))
        return seconds, peak, done.stdout if stdout is None else ""

    def inside(self, out: Path, *args: str) -> float:
        """The seconds the command takes in a process that has loaded the app already (its output to `out`)."""
        done = subprocess.run([PYTHON, __file__, "inside", str(out), *args], cwd=PROJECT, env=self.env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return float(done.stdout.strip().splitlines()[-1])


def fresh_database(database: str, size: int, folder: Path, postgres_url: str) -> str:
    if database == "sqlite":
        path = folder / "tracker.sqlite"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = f"scale_bench_{size}"
    conninfo = postgres_url.replace("postgresql+psycopg://", "postgresql://").rstrip("/") + "/postgres"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return postgres_url.rstrip("/") + "/" + name


def generate(size: int, seed: int, as_of: date, folder: Path) -> Path:
    """The generated programme's files (made once per size, shared by the databases)."""
    files = folder / "files"
    if not (files / "leave.csv").exists():
        shutil.rmtree(files, ignore_errors=True)
        subprocess.run([*FLASK, "demo", "generate", "--trainees", str(size), "--seed", str(seed), "--out", str(files),
                        "--as-of", as_of.isoformat()], cwd=PROJECT, check=True, capture_output=True,
                       env={**os.environ, "SECRET_KEY": "scale-bench", "DATABASE_URL": "sqlite://"})
    return files


def load(tracker: Tracker, files: Path) -> dict:
    """db upgrade, supervisors, catalogue, an admin, then each file: seconds and peak KB per file."""
    tracker.run("db", "upgrade")
    tracker.run("demo", "supervisors", str(files / "supervisors.csv"))
    tracker.run("catalog", "import", str(files / "catalog.json"))
    tracker.run("users", "create", "--email", ADMIN[0], "--name", "Scale Admin", "--role", "admin", "--password", ADMIN[1])
    figures = {}
    for kind in KINDS:
        path = files / f"{kind}.csv"
        rows = sum(1 for _ in open(path, encoding="utf-8")) - 1
        seconds, peak, _ = tracker.run(kind, "import", "--quiet", str(path))
        figures[kind] = {"rows": rows, "seconds": seconds, "peak_mb": peak / 1024}
        log(f"  {kind} import: {rows} rows in {seconds:.1f}s, peak {peak / 1024:.0f} MB")
    return figures


def readiness(tracker: Tracker, files: Path, as_of: date) -> dict:
    """export (a whole process, and its command alone), plain, run twice: seconds, and the byte-for-byte check.

    The ratio compares the command alone (in a process that has loaded the app: Flask's start-up left
    out, measured apart) with the plain evaluation's own time (Python's start-up left out): best of three,
    interleaved, since a busy machine slows both alike.
    """
    out, inside_out, plain_out = (tracker.folder / name for name in ("export.csv", "export-inside.csv", "plain.csv"))
    day = as_of.isoformat()
    figures = defaultdict(list)
    for _ in range(3):
        with open(out, "w", encoding="utf-8") as handle:
            figures["process"].append(tracker.run("readiness", "export", "--quiet", "--as-of", day, stdout=handle)[0])
        figures["startup"].append(tracker.run("readiness", "--help")[0])
        figures["export"].append(tracker.inside(inside_out, "readiness", "export", "--quiet", "--as-of", day))
        done = subprocess.run([PYTHON, __file__, "plain", str(files), day, str(plain_out)],
                              check=True, capture_output=True, text=True)
        figures["plain"].append(float(done.stdout))
    exported, plain = out.read_bytes(), plain_out.read_bytes()
    for name, other in (("readiness export", exported), ("readiness export (in process)", inside_out.read_bytes())):
        if other == plain:
            continue
        for number, (a, b) in enumerate(zip(other.splitlines(), plain.splitlines(), strict=False), 1):
            if a != b:
                raise SystemExit(f"{name} and the plain evaluation differ at line {number}:\n{a!r}\n{b!r}")
        raise SystemExit(f"{name} and the plain evaluation differ in length")
    run_out = tracker.folder / "run.txt"
    first = tracker.inside(run_out, "readiness", "run", "--quiet", "--as-of", day)
    again = tracker.inside(run_out, "readiness", "run", "--quiet", "--as-of", day)
    best = {name: min(values) for name, values in figures.items()}
    return {**best, "run_first": first, "run_again": again, "rows": exported.count(b"\n") - 1,
            "ready": exported.count(b",ready,"), "run_line": run_out.read_text(encoding="utf-8").strip()}


def digest(tracker: Tracker, as_of: date) -> float:
    """Building (and rendering) every digest of the week: `digest send --dry-run`, the command alone."""
    year, week, _ = as_of.isocalendar()
    return tracker.inside(tracker.folder / "digest.txt", "digest", "send", "--dry-run", "--quiet", "--week", f"{year}-W{week:02d}")


# --- pages ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A signed-in session against the served app (cookies kept, redirects followed)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def sign_in(self, email: str, password: str) -> None:
        _, page = self.get("/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=60) as response:
            page = response.read().decode("utf-8", "replace")
        if "Sign in" in page and "Sign out" not in page:
            raise SystemExit(f"could not sign in as {email}")

    def latency(self, path: str, count: int) -> tuple[int, list[float]]:
        status, _ = self.get(path)  # warm: the first request of a worker loads more
        self.get(path)
        times = []
        for _ in range(count if status == 200 else 0):
            started = time.perf_counter()
            self.get(path)
            times.append((time.perf_counter() - started) * 1000)
        return status, times


def one_trainee(url: str, supervisor: str) -> int:
    """The id of one active trainee of this supervisor."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        trainee_id = connection.execute(text(
            "SELECT t.id FROM trainees t JOIN users s ON s.id = t.supervisor_id "
            "WHERE lower(s.email) = :email AND t.status = 'active' ORDER BY t.id LIMIT 1"), {"email": supervisor}).scalar()
    engine.dispose()
    return trainee_id


def pages(tracker: Tracker, files: Path, count: int) -> dict:
    """Median and 95th percentile per page and person, served by gunicorn with 2 workers."""
    port = free_port()
    server_log = open(tracker.folder / "gunicorn.log", "w")  # noqa: SIM115 - closed with the server below
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "300", "wsgi:app"],
        cwd=PROJECT, env=tracker.env, stdout=server_log, stderr=server_log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        supervisor = read_csv(files / "supervisors.csv")[0]["email"].lower()
        trainee = one_trainee(tracker.url, supervisor)
        paths = {"/healthz": "/healthz", "home (/)": "/", "trainee list": "/trainees/",
                 "trainee page": f"/trainees/{trainee}", "readiness board": "/readiness/", "matrix": "/matrix"}
        figures = {}
        # The admin's first page after the imports (the home, where signing in leads) makes every trainee's
        # readiness snapshot, which later requests read: timed once, apart, before the medians.
        first = Browser(base)
        started = time.perf_counter()
        first.sign_in(*ADMIN)
        figures["first board"] = time.perf_counter() - started
        log(f"  admin's sign-in and first home page (every readiness snapshot made): {figures['first board']:.1f} s")
        for who, (email, password) in (("supervisor", (supervisor, DEMO_PASSWORD)), ("admin", ADMIN)):
            browser = Browser(base)
            browser.sign_in(email, password)
            for name, path in paths.items():
                status, times = browser.latency(path, count)
                figures[(name, who)] = (status, times)
                if times:
                    log(f"  {who} {name}: median {statistics.median(times):.0f} ms")
                else:
                    log(f"  {who} {name}: {status}, skipped")
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --- the run and its tables ------------------------------------------------------------------------------------


def measure(database: str, size: int, args, as_of: date) -> dict:
    folder = args.out / f"{size}"
    folder.mkdir(parents=True, exist_ok=True)
    log(f"{database}, {size} trainees:")
    files = generate(size, args.seed, as_of, folder)
    work = folder / database
    work.mkdir(exist_ok=True)
    tracker = Tracker(fresh_database(database, size, work, args.postgres_url), work)
    imports = load(tracker, files)
    result = {"database": database, "size": size, "imports": imports, "readiness": readiness(tracker, files, as_of)}
    r = result["readiness"]
    result["startup"] = r["startup"]
    log(f"  Flask start-up {r['startup']:.2f}s; export {r['process']:.2f}s as a process, {r['export']:.2f}s alone; "
        f"plain {r['plain']:.2f}s (identical, {r['rows']} rows); run {r['run_first']:.2f}s, again {r['run_again']:.2f}s")
    result["digest"] = digest(tracker, as_of)
    log(f"  digest {result['digest']:.2f}s")
    result["pages"] = pages(tracker, files, args.requests) if args.requests else {}
    return result


def tables(results: list[dict], args, as_of: date) -> str:
    lines = [f"Generated programmes (seed {args.seed}) around {as_of.isoformat()}; times in seconds.", "",
             "Imports: each file through `flask ... import` as its own process (start-up included), with its peak memory.", "",
             "| database | trainees | " + " | ".join(f"{k} (rows, s, peak MB)" for k in KINDS) + " |",
             "|---" * (2 + len(KINDS)) + "|"]
    for res in results:
        cells = [res["database"], f"{res['size']:,}"]
        cells += [f"{i['rows']:,}, {i['seconds']:.1f}, {i['peak_mb']:.0f}" for i in res["imports"].values()]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Readiness: `export` and `run` as the command alone (in a process that has loaded the app), against the "
              "plain evaluation's own time, best of three interleaved; the export's whole process and Flask's start-up "
              "(a process that only loads the app) apart. The export equals the plain evaluation byte for byte (checked). "
              "`run` first raises the flags, then again at the same date raises nothing. Digest: `digest send --dry-run`, "
              "every digest of the week built and rendered.", "",
              "| database | trainees | rows | Flask start-up | export (process) | export | plain | export/plain "
              "| run (first) | run (again) | run/plain | digest |", "|---" * 12 + "|"]
    for res in results:
        r = res["readiness"]
        cells = [res["database"], f"{res['size']:,}", f"{r['rows']:,}", f"{r['startup']:.2f}", f"{r['process']:.2f}",
                 f"{r['export']:.2f}", f"{r['plain']:.2f}", f"{r['export'] / r['plain']:.2f}x", f"{r['run_first']:.2f}",
                 f"{r['run_again']:.2f}", f"{r['run_again'] / r['plain']:.2f}x", f"{res['digest']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Growth: seconds per 1,000 trainees.", "",
              "| database | trainees | imports (all files) | export | plain | run (again) | digest |", "|---" * 7 + "|"]
    for res in results:
        k = res["size"] / 1000
        r = res["readiness"]
        total = sum(i["seconds"] for i in res["imports"].values())
        lines.append(f"| {res['database']} | {res['size']:,} | {total / k:.2f} | {r['export'] / k:.3f} | "
                     f"{r['plain'] / k:.3f} | {r['run_again'] / k:.3f} | {res['digest'] / k:.3f} |")
    with_pages = [res for res in results if res["pages"]]
    if with_pages:
        names = list(dict.fromkeys(key[0] for res in with_pages for key in res["pages"] if isinstance(key, tuple)))
        lines += ["", f"Pages: median / 95th percentile in ms over {args.requests} requests each, gunicorn 2 workers "
                  "(404: the page does not exist on this branch, skipped).", "",
                  "| database | trainees | who | " + " | ".join(names) + " |", "|---" * (3 + len(names)) + "|"]
        for res in with_pages:
            for who in ("supervisor", "admin"):
                cells = []
                for name in names:
                    status, times = res["pages"][(name, who)]
                    cells.append(f"{statistics.median(times):.0f} / {p95(times):.0f}" if times else f"{status}, skipped")
                lines.append(f"| {res['database']} | {res['size']:,} | {who} | " + " | ".join(cells) + " |")
        lines += ["", "The admin's sign-in and first home page after the imports, which makes every readiness snapshot "
                  "(seconds, once; the pages above then read them):", "",
                  "| database | trainees | first page (s) |", "|---|---|---|"]
        lines += [f"| {res['database']} | {res['size']:,} | {res['pages']['first board']:.1f} |" for res in with_pages]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "plain":
        plain_main(*sys.argv[2:])
        return
    if len(sys.argv) > 3 and sys.argv[1] == "inside":
        inside_main(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000, 50000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=20, help="Requests per page and person (0: no pages).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "out" / "scale")
    args = parser.parse_args()
    as_of = date.today()
    results = [measure(database, size, args, as_of) for size in args.sizes for database in args.databases]
    print(tables(results, args, as_of))


if __name__ == "__main__":
    main()
