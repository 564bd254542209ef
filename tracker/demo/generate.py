"""A generated programme of any size, as the import files: for benchmarks, scale tests and trying imports.

`generate(trainees, seed, as_of)` is pure (no Flask, no database): the same arguments give the same
programme, byte for byte. Its shape follows a real programme: supervisors with 200 to 500 trainees
each, trainees starting over the last two years, about four rotations and three module results each
(the job types and modules of one role's track, as in the demo), ongoing and planned rotations,
some leave between rotations, some prior-learning credits, and target roles in order of preference.
Job-type capacities are set so that every day from `as_of` on has room for what is planned.
"""
import csv
import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

CATALOG_FILE = Path(__file__).with_name("catalog.json")
TRAINEES_PER_SUPERVISOR = 350
# Each track: the job types in the order they are taken, the modules taken, and a second role aimed at.
TRACKS = {
    "strategy": (["planning", "procurement", "warehouse", "logistics", "quality"],
                 ["lean", "data", "strategy-essentials", "safety"], "supply-chain"),
    "audit": (["quality", "procurement", "warehouse", "customer-service"],
              ["audit-fundamentals", "iso-9001", "safety"], "strategy"),
    "supply-chain": (["warehouse", "logistics", "procurement", "customer-service"],
                     ["scm", "contract-law", "safety"], "audit"),
}
FILES = {
    "supervisors.csv": ("email", "name"),
    "trainees.csv": ("email", "name", "supervisor_email", "start_date", "cohort", "target_roles"),
    "rotations.csv": ("trainee_email", "job_type", "supervisor_email", "start_date", "end_date", "rating", "notes"),
    "results.csv": ("trainee_email", "module", "completed_on", "score"),
    "credits.csv": ("trainee_email", "kind", "job_type", "weeks", "rating", "module", "granted_on", "reason"),
    "leave.csv": ("trainee_email", "start_date", "end_date", "reason"),
}
LEAVE_REASONS = ["Annual leave", "Parental leave", "Sick leave", "Study leave"]
CREDIT_REASONS = ["Two years at a distribution centre", "MSc Operations Management", "Apprenticeship",
                  "Previous employer's programme"]


@dataclass
class Programme:
    """A generated programme: the catalogue and the rows of each import file (values as they are written)."""

    catalog: dict
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in FILES})

    def counts(self) -> dict[str, int]:
        return {name.removesuffix(".csv"): len(rows) for name, rows in self.rows.items()}


def generate(trainees: int, seed: int, as_of: date) -> Programme:
    """A programme of `trainees` trainees, the same for the same seed and date."""
    rng = random.Random(seed)
    programme = Programme(json.loads(CATALOG_FILE.read_text(encoding="utf-8")))
    supervisors = [(f"supervisor{n:04d}@generated.example", f"Supervisor {n:04d}")
                   for n in range(max(1, math.ceil(trainees / TRAINEES_PER_SUPERVISOR)))]
    programme.rows["supervisors.csv"] = supervisors
    occupancy: dict[str, Counter] = {}
    for number in range(trainees):
        email = f"trainee{number:06d}@generated.example"
        supervisor = supervisors[number % len(supervisors)][0]
        add_trainee(programme, rng, email, f"Trainee {number:06d}", supervisor, as_of, occupancy)
    set_capacities(programme.catalog, occupancy)
    return programme


def add_trainee(programme: Programme, rng: random.Random, email: str, name: str, supervisor: str,
                as_of: date, occupancy: dict[str, Counter]) -> None:
    """One trainee with their rotations, leave, results and credits."""
    role = rng.choice(list(TRACKS))
    jobs, modules, second_role = TRACKS[role]
    start = as_of - timedelta(days=rng.randint(14, 730))
    cohort = f"{start.year}-{'AB'[start.month > 6]}"
    targets = role if rng.random() < 0.6 else f"{role};{second_role}"
    programme.rows["trainees.csv"].append((email, name, supervisor, start, cohort, targets))
    add_rotations(programme, rng, email, supervisor, jobs, start, as_of, occupancy)
    for code in rng.sample(modules, min(3, len(modules))):
        completed = start + timedelta(days=rng.randint(0, max(0, (as_of - start).days)))
        programme.rows["results.csv"].append((email, code, completed, rng.randint(50, 100)))
    add_credits(programme, rng, email, jobs, modules, start)


def add_rotations(programme: Programme, rng: random.Random, email: str, supervisor: str, jobs: list[str],
                  start: date, as_of: date, occupancy: dict[str, Counter]) -> None:
    """Rotations one after another from the start: completed, one ongoing or planned, leave now and then."""
    cursor = start
    for position in range(rng.choice([3, 4, 4, 5])):
        if position and rng.random() < 0.12:  # a period of leave before the next rotation
            leave_end = cursor + timedelta(days=rng.randint(5, 27))
            programme.rows["leave.csv"].append((email, cursor, leave_end, rng.choice(LEAVE_REASONS)))
            cursor = leave_end + timedelta(days=1)
        job = jobs[position % len(jobs)]
        end = cursor + timedelta(days=rng.randint(6, 12) * 7 - 1)
        planned = cursor > as_of
        ongoing = not planned and end > as_of and rng.random() < 0.5
        rated = end <= as_of and rng.random() < 0.9
        rating = rng.choice([2, 3, 3, 4, 4, 5, 5]) if rated else None
        programme.rows["rotations.csv"].append(
            (email, job, supervisor, cursor, None if ongoing else end, rating, ""))
        occupy(occupancy.setdefault(job, Counter()), cursor, None if ongoing else end, as_of)
        if ongoing or planned:
            return
        cursor = end + timedelta(days=rng.randint(1, 10))
        if cursor > as_of and rng.random() < 0.6:
            return  # nothing planned yet


def occupy(days: Counter, start: date, end: date | None, as_of: date) -> None:
    """Count a rotation on each day from `as_of` on (an open-ended one: on `as_of` and after, as one step)."""
    first = max(start, as_of)
    if end is None:
        days[first] += 1
        days[date.max] -= 1
        return
    if end >= first:
        days[first] += 1
        days[end + timedelta(days=1)] -= 1


def set_capacities(catalog: dict, occupancy: dict[str, Counter]) -> None:
    """Each job type's capacity: the most trainees on it on any day from `as_of` on, plus room to plan."""
    for job_type in catalog["job_types"]:
        steps = occupancy.get(job_type["code"], Counter())
        running, most = 0, 0
        for day in sorted(steps):
            running += steps[day]
            most = max(most, running)
        job_type["capacity"] = max(job_type.get("capacity") or 1, math.ceil(most * 1.25) + 1)


def add_credits(programme: Programme, rng: random.Random, email: str, jobs: list[str], modules: list[str],
                granted_on: date) -> None:
    """Prior learning for some: experience in a job type of the track, or an exemption from a module."""
    draw = rng.random()
    if draw < 0.08:
        rating = rng.choice(["", 3, 4, 5])
        programme.rows["credits.csv"].append(
            (email, "experience", rng.choice(jobs), rng.randint(4, 26), rating, "", granted_on, rng.choice(CREDIT_REASONS)))
    elif draw < 0.12:
        programme.rows["credits.csv"].append(
            (email, "exemption", "", "", "", rng.choice(modules), granted_on, rng.choice(CREDIT_REASONS)))


def write(programme: Programme, folder: Path) -> list[Path]:
    """The catalogue JSON and the CSV files into `folder` (created); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "catalog.json"]
    written[0].write_text(json.dumps(programme.catalog, indent=1) + "\n", encoding="utf-8")
    for name, header in FILES.items():
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(["" if value is None else str(value) for value in row] for row in programme.rows[name])
        written.append(path)
    return written
