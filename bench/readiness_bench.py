"""How fast is `readiness export`? Compared with a plain Python evaluation of the same data as CSV files.

For each size (default 2,000 and 10,000 trainees, about 4 rotations and 3
module results each) this script:

1. generates a programme (the demo catalogue, 50 supervisors, the trainees)
   with a fixed seed;
2. writes it as the SPEC's import files (catalog.json, trainees.csv,
   rotations.csv, results.csv) and bulk-inserts it into a fresh SQLite
   database (bench/out/<size>/tracker.sqlite);
3. times `flask --app wsgi readiness export` against that database, and a
   plain Python evaluation of the CSV files (csv module + the same pure
   rules, tracker.readiness.rules.evaluate), each as its own process (what
   a user waits for) and in-process (without interpreter start-up);
4. checks that both print exactly the same CSV, and prints the figures.

Run from the project folder:  python bench/readiness_bench.py [--sizes 2000 10000] [--repeat 3]
Not a unit test: the figures depend on the machine.
"""
import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

AS_OF = date(2026, 6, 30)
CATALOG = PROJECT / "tracker" / "demo" / "catalog.json"
HEADER = ("trainee_email", "role", "status", "progress", "unmet")


# --- the data -------------------------------------------------------------------


# Each trainee follows one role's track (like the demo programme): its job types in order, its modules.
TRACKS = {
    "strategy": (["planning", "procurement", "warehouse", "logistics", "quality"], ["lean", "data", "strategy-essentials", "safety"]),
    "audit": (["quality", "procurement", "warehouse", "customer-service"], ["audit-fundamentals", "iso-9001", "safety"]),
    "supply-chain": (["warehouse", "logistics", "procurement", "customer-service"], ["scm", "contract-law", "safety"]),
}


def generate(size: int, seed: int = 4) -> dict:
    """Supervisors, trainees, rotations (about 4 each) and results (about 3 each), as plain rows."""
    rng = random.Random(seed)
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    supervisors = [(f"supervisor{n:02d}@bench.example", f"Supervisor {n:02d}") for n in range(50)]
    trainees, rotations, results = [], [], []
    for n in range(size):
        email, supervisor = f"trainee{n:05d}@bench.example", supervisors[n % 50][0]
        jobs, modules = TRACKS[rng.choice(list(TRACKS))]
        start = AS_OF - timedelta(days=rng.randint(150, 600))
        trainees.append((email, f"Trainee {n:05d}", supervisor, start, f"{start.year}-{'AB'[start.month > 6]}"))
        cursor = start
        for position in range(rng.choice([3, 4, 4, 5])):
            end = cursor + timedelta(days=rng.randint(6, 12) * 7 - 1)
            ongoing = end > AS_OF
            rating = None if ongoing or rng.random() < 0.1 else rng.choice([2, 3, 4, 4, 5, 5])
            rotations.append((email, jobs[position % len(jobs)], supervisor, cursor, None if ongoing else end, rating))
            cursor = end + timedelta(days=rng.randint(1, 7))
            if ongoing:
                break
        for code in rng.sample(modules, 3):
            completed = start + timedelta(days=rng.randint(0, (AS_OF - start).days))
            results.append((email, code, completed, Decimal(rng.randint(55, 100))))
    return {"catalog": catalog, "supervisors": supervisors, "trainees": trainees, "rotations": rotations, "results": results}


def write_files(data: dict, folder: Path) -> None:
    """The import files of SPEC.md: catalog.json, trainees.csv, rotations.csv, results.csv."""
    (folder / "catalog.json").write_text(json.dumps(data["catalog"], indent=1), encoding="utf-8")
    tables = {
        "trainees.csv": (("email", "name", "supervisor_email", "start_date", "cohort"), data["trainees"]),
        "rotations.csv": (("trainee_email", "job_type", "supervisor_email", "start_date", "end_date", "rating", "notes"),
                          [(*row, "") for row in data["rotations"]]),
        "results.csv": (("trainee_email", "module", "completed_on", "score"), data["results"]),
    }
    for name, (header, rows) in tables.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(["" if value is None else str(value) for value in row] for row in rows)


def load_database(data: dict, url: str) -> None:
    """A fresh, migrated SQLite database holding the data, inserted in bulk (one transaction)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from config import Config
    from tracker import create_app
    from tracker.auth.models import User
    from tracker.catalog.models import JobType, TrainingModule
    from tracker.catalog.services import import_catalog
    from tracker.extensions import db
    from tracker.trainees.models import ModuleResult, Rotation, Trainee

    settings = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    app = create_app(settings)
    with app.app_context():
        upgrade()
        import_catalog(data["catalog"])
        db.session.execute(insert(User), [
            {"email": email, "name": name, "role": role, "active": True}
            for role, people in (("supervisor", data["supervisors"]), ("trainee", [t[:2] for t in data["trainees"]]))
            for email, name in people
        ])
        users = dict(db.session.execute(select(User.email, User.id)).all())
        db.session.execute(insert(Trainee), [
            {"user_id": users[email], "supervisor_id": users[supervisor], "start_date": start, "cohort": cohort, "status": "active"}
            for email, _, supervisor, start, cohort in data["trainees"]
        ])
        trainees = dict(db.session.execute(select(User.email, Trainee.id).join(Trainee, Trainee.user_id == User.id)).all())
        job_types = dict(db.session.execute(select(JobType.code, JobType.id)).all())
        modules = dict(db.session.execute(select(TrainingModule.code, TrainingModule.id)).all())
        db.session.execute(insert(Rotation), [
            {"trainee_id": trainees[email], "job_type_id": job_types[code], "supervisor_id": users[supervisor],
             "start_date": start, "end_date": end, "rating": rating, "notes": ""}
            for email, code, supervisor, start, end, rating in data["rotations"]
        ])
        db.session.execute(insert(ModuleResult), [
            {"trainee_id": trainees[email], "module_id": modules[code], "completed_on": completed, "score": score}
            for email, code, completed, score in data["results"]
        ])
        db.session.commit()
        db.engine.dispose()


# --- the plain evaluation -----------------------------------------------------------


def plain_export(folder: Path, as_of: date) -> str:
    """The export's CSV, computed from the import files with the csv module and the pure rules."""
    from tracker.readiness import rules

    catalog = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    job_ids = {j["code"]: n for n, j in enumerate(catalog["job_types"])}
    job_names = {j["code"]: j["name"] for j in catalog["job_types"]}
    modules = {m["code"]: (n, m) for n, m in enumerate(catalog["modules"])}
    roles = sorted(
        (rules.RoleSpec(
            n, r["code"], r["name"], r["min_total_weeks"], r["min_distinct_job_types"],
            tuple(rules.RotationRequirement(job_ids[q["job_type"]], job_names[q["job_type"]], q["min_weeks"], q.get("min_rating"))
                  for q in r["rotations"]),
            tuple(rules.ModuleRequirement(modules[q["module"]][0], modules[q["module"]][1]["name"],
                                          modules[q["module"]][1].get("valid_months"), Decimal(str(q["min_score"])))
                  for q in r["modules"]),
        ) for n, r in enumerate(catalog["roles"])),
        key=lambda role: role.code,
    )
    rotations, results = defaultdict(list), defaultdict(list)
    with open(folder / "rotations.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rotations[row["trainee_email"]].append(rules.RotationFact(
                job_ids[row["job_type"]], date.fromisoformat(row["start_date"]),
                date.fromisoformat(row["end_date"]) if row["end_date"] else None, int(row["rating"]) if row["rating"] else None,
            ))
    with open(folder / "results.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            results[row["trainee_email"]].append(rules.ResultFact(
                modules[row["module"]][0], date.fromisoformat(row["completed_on"]), Decimal(row["score"])))
    with open(folder / "trainees.csv", newline="", encoding="utf-8") as handle:
        emails = sorted(row["email"] for row in csv.DictReader(handle))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for email in emails:
        for role in roles:
            evaluation = rules.evaluate(role, rotations[email], results[email], as_of)
            writer.writerow((email, role.code, "ready" if evaluation.ready else "not_ready",
                             rules.format_progress(evaluation.progress), "; ".join(evaluation.unmet)))
    return buffer.getvalue()


# --- timing -----------------------------------------------------------------------


def run_process(command: list[str], env: dict[str, str]) -> str:
    return subprocess.run(command, cwd=PROJECT, env=env, check=True, capture_output=True, text=True).stdout


def export_in_process(url: str, as_of: date) -> str:
    from config import Config
    from tracker import create_app

    app = create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}))
    result = app.test_cli_runner().invoke(args=["readiness", "export", "--as-of", as_of.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def measure(size: int, out: Path, repeat: int) -> dict:
    folder = out / str(size)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = generate(size)
    write_files(data, folder)
    url = "sqlite:///" + str(folder / "tracker.sqlite")
    started = time.perf_counter()
    load_database(data, url)
    loaded = time.perf_counter() - started
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")} | {"DATABASE_URL": url, "SECRET_KEY": "bench"}
    as_of = AS_OF.isoformat()
    outputs = {}
    export_cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "readiness", "export", "--as-of", as_of]
    plain_cmd = [sys.executable, str(Path(__file__).resolve()), "plain", str(folder), as_of]
    # Interleaved, best of `repeat` each: a busy machine slows both sides alike.
    timings = defaultdict(list)
    for _ in range(repeat):
        for name, action in (
            ("export_process", lambda: run_process(export_cmd, env)),
            ("plain_process", lambda: run_process(plain_cmd, env)),
            ("export_inside", lambda: export_in_process(url, AS_OF)),
            ("plain_inside", lambda: plain_export(folder, AS_OF)),
        ):
            started = time.perf_counter()
            outputs[name] = action()
            timings[name].append(time.perf_counter() - started)
    export_process, plain_process, export_inside, plain_inside = (
        min(timings[name]) for name in ("export_process", "plain_process", "export_inside", "plain_inside"))
    exported, plained, exported_inside, plained_inside = (
        outputs[name] for name in ("export_process", "plain_process", "export_inside", "plain_inside"))
    assert exported == plained == exported_inside == plained_inside, "the export and the plain evaluation differ"
    (folder / "export.csv").write_text(exported, encoding="utf-8")
    return {
        "size": size, "rotations": len(data["rotations"]), "results": len(data["results"]), "rows": exported.count("\n") - 1,
        "ready": exported.count(",ready,"), "load": loaded, "export_process": export_process, "plain_process": plain_process,
        "export_inside": export_inside, "plain_inside": plain_inside,
    }


def report(figures: list[dict]) -> None:
    print(f"{'trainees':>9} {'rotations':>9} {'results':>8} {'rows':>6} {'ready':>6} | "
          f"{'export':>8} {'plain':>8} {'ratio':>6} | {'export*':>8} {'plain*':>8} {'ratio*':>6} | {'µs/trainee*':>11}")
    for f in figures:
        print(f"{f['size']:>9} {f['rotations']:>9} {f['results']:>8} {f['rows']:>6} {f['ready']:>6} | "
              f"{f['export_process']:>7.2f}s {f['plain_process']:>7.2f}s {f['export_process'] / f['plain_process']:>5.2f}x | "
              f"{f['export_inside']:>7.2f}s {f['plain_inside']:>7.2f}s {f['export_inside'] / f['plain_inside']:>5.2f}x | "
              f"{f['export_inside'] / f['size'] * 1e6:>11.0f}")
    print("export, plain: each a whole process (Python start-up included); *: in this process "
          "(the export through its CLI command, on a new app). Best of the interleaved runs.")
    if len(figures) >= 2:
        small, large = figures[0], figures[-1]
        growth = large["export_inside"] / small["export_inside"]
        print(f"growth {small['size']} -> {large['size']} trainees (x{large['size'] / small['size']:.0f}): "
              f"export* x{growth:.2f}, plain* x{large['plain_inside'] / small['plain_inside']:.2f}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "plain":
        sys.stdout.write(plain_export(Path(sys.argv[2]), date.fromisoformat(sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "out")
    args = parser.parse_args()
    figures = []
    for size in args.sizes:
        figures.append(measure(size, args.out, args.repeat))
        print(f"{size} trainees: loaded in {figures[-1]['load']:.1f}s, outputs identical", file=sys.stderr)
    report(figures)


if __name__ == "__main__":
    main()
