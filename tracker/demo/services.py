"""A realistic demo programme: the catalogue, three supervisors, an admin and thirty trainees."""
import csv
import json
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tracker.audit.services import record_change
from tracker.auth.models import User
from tracker.auth.services import create_user
from tracker.catalog.models import JobType, TargetRole, TrainingModule
from tracker.catalog.services import import_catalog
from tracker.core.errors import TrackerError
from tracker.extensions import db
from tracker.readiness.decisions import defer_flag, place_trainee
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.services import run_readiness
from tracker.trainees import services as trainee_services

CATALOG_FILE = Path(__file__).with_name("catalog.json")
DEMO_PASSWORD = "demo-pass-2026"
ADMIN = ("admin@example.com", "Alex Morgan")
SUPERVISORS = [
    ("maria.lopez@example.com", "Maria Lopez"),
    ("david.chen@example.com", "David Chen"),
    ("fatima.okafor@example.com", "Fatima Okafor"),
]
TRAINEE_NAMES = [
    "Amelia Hughes", "Ben Carter", "Chloe Martin", "Daniel Novak", "Elena Petrova", "Farid Haddad",
    "Grace Kim", "Hugo Silva", "Isla Murphy", "Jonas Weber", "Kavya Reddy", "Liam O'Connor",
    "Mei Tanaka", "Noah Fischer", "Olivia Brown", "Pedro Alves", "Quinn Taylor", "Rosa Jimenez",
    "Samir Khan", "Tessa de Vries", "Umar Farouk", "Vera Lindqvist", "William Osei", "Xinyi Zhao",
    "Yusuf Demir", "Zoe Laurent", "Aaron Blake", "Bianca Rossi", "Caleb Adeyemi", "Dana Cohen",
]
# The rotations each track plans, in order (job type, weeks), and the modules it takes.
TRACKS = {
    "strategy": (
        [("planning", 10), ("procurement", 8), ("warehouse", 8), ("logistics", 6), ("quality", 6)],
        ["safety", "lean", "data", "strategy-essentials"],
    ),
    "audit": (
        [("quality", 12), ("procurement", 8), ("warehouse", 6), ("customer-service", 6)],
        ["safety", "audit-fundamentals", "iso-9001"],
    ),
    "supply-chain": (
        [("warehouse", 10), ("logistics", 10), ("procurement", 8), ("customer-service", 6)],
        ["safety", "scm", "contract-law"],
    ),
}
WITHDRAWN = {"Dana Cohen"}  # left the programme early: kept on record, never evaluated
# How far along each trainee is: share of the planned rotations done, modules passed.
STAGES = ["ready"] * 8 + ["nearly"] * 8 + ["underway"] * 7 + ["starting"] * 7


class DemoError(TrackerError):
    """The demo cannot be loaded here."""


@dataclass(frozen=True)
class Stage:
    rotations_done: float   # share of the planned rotations completed
    modules_passed: int     # how many of the track's modules are passed (from the start of the list)


STAGE_SHAPES = {
    "ready": Stage(1.0, 99),
    "nearly": Stage(0.8, 99),
    "underway": Stage(0.5, 2),
    "starting": Stage(0.1, 1),
}


def database_is_empty() -> bool:
    """True when no user exists yet."""
    return not db.session.scalar(select(func.count()).select_from(User))


def load_demo(today: date, seed: int = 2026) -> dict[str, int]:
    """Fill an empty database with the demo programme (flushed, not committed)."""
    if not database_is_empty():
        raise DemoError("the database already has users: demo load only fills an empty database")
    import_catalog(json.loads(CATALOG_FILE.read_text(encoding="utf-8")))
    admin = make_user(*ADMIN, "admin")
    supervisors = [make_user(email, name, "supervisor") for email, name in SUPERVISORS]
    job_types = {j.code: j for j in db.session.scalars(select(JobType))}
    modules = {m.code: m for m in db.session.scalars(select(TrainingModule))}
    roles = {r.code: r for r in db.session.scalars(select(TargetRole))}
    rng = random.Random(seed)
    counts = {"trainees": 0, "rotations": 0, "results": 0}
    for index, name in enumerate(TRAINEE_NAMES):
        track = list(TRACKS)[index % len(TRACKS)]
        supervisor = supervisors[index % len(supervisors)]
        made = add_demo_trainee(name, track, STAGES[index], supervisor, job_types, modules, today, rng, admin)
        aims_for(made["trainee"], track, roles, rng, supervisor)
        for key in counts:
            counts[key] += made[key]
    counts["flags"] = flag_history(today, supervisors)
    return counts


def flag_history(today: date, supervisors: list[User]) -> int:
    """Nightly runs over the last weeks, so flags were raised on different days; one placed, one deferred."""
    for days_ago in (56, 35, 21, 10, 3, 0):
        run_readiness(today - timedelta(days=days_ago))
    flags = db.session.scalars(
        select(ReadinessFlag)
        .where(ReadinessFlag.cleared_on.is_(None))
        .order_by(ReadinessFlag.raised_on, ReadinessFlag.trainee_id, ReadinessFlag.role_id)
    ).all()
    by_supervisor = {s.id: s for s in supervisors}
    if len(flags) >= 2:
        oldest, second = flags[0], flags[1]
        place_trainee(oldest, oldest.raised_on + timedelta(days=14), "Moved into the team after a two-week handover.",
                      by_supervisor[oldest.trainee.supervisor_id])
        defer_flag(second, "Stays on the quality rotation until the ISO audit in January.", after_january_audit(today),
                   by_supervisor[second.trainee.supervisor_id])
    return len(flags)


def after_january_audit(today: date) -> date:
    """The deferral's revisit date: 1 February, once a January audit is over, at least two weeks away."""
    revisit = date(today.year, 2, 1)
    return revisit if revisit > today + timedelta(days=14) else date(today.year + 1, 2, 1)


@cache
def demo_password_hash() -> str:
    """One hash of the demo password, shared by the demo accounts (hashing is slow on purpose)."""
    return generate_password_hash(DEMO_PASSWORD)


def make_user(email: str, name: str, role: str) -> User:
    """A demo user with the shared demo password."""
    user = create_user(email, name, role)
    user.password_hash = demo_password_hash()
    record_change(None, "create", user, before=None)
    return user


def trainee_email(name: str) -> str:
    """first.last@example.com, without apostrophes or spaces."""
    return name.lower().replace("'", "").replace(" ", ".") + "@example.com"


def add_demo_trainee(name, track, stage_name, supervisor, job_types, modules, today, rng, admin) -> dict[str, int]:
    """One trainee with a history that fits their stage."""
    stage = STAGE_SHAPES[stage_name]
    if stage.rotations_done < 1:  # no two trainees at exactly the same point
        stage = replace(stage, rotations_done=min(0.95, stage.rotations_done * rng.uniform(0.6, 1.6)))
    plan, track_modules = TRACKS[track]
    rotations = planned_rotations(plan, stage, today, rng)
    rotations, ahead = rotations_ahead(plan, rotations, today, rng)
    start = rotations[0][1] - timedelta(days=rng.randint(0, 6))
    cohort = f"{start.year}-{'Spring' if start.month <= 6 else 'Autumn'}"
    trainee = trainee_services.create_trainee(trainee_email(name), name, supervisor, start, cohort, actor=admin)
    trainee.user.password_hash = demo_password_hash()
    for code, begin, end, rating in rotations:
        trainee_services.create_rotation(trainee, job_types[code], supervisor, begin, end, rating, actor=supervisor)
    for code, begin, end, _rating in ahead:
        try:  # a planned rotation the job type has no place for is left out, as a supervisor would
            trainee_services.create_rotation(trainee, job_types[code], supervisor, begin, end, actor=supervisor)
            rotations.append((code, begin, end, None))
        except trainee_services.RecordError:
            pass
    results = planned_results(track_modules, stage, rotations, today, rng)
    for code, completed_on, score in results:
        trainee_services.create_result(trainee, modules[code], completed_on, score, actor=supervisor)
    if name in WITHDRAWN:
        trainee.status = "withdrawn"
    return {"trainees": 1, "rotations": len(rotations), "results": len(results), "trainee": trainee}


def aims_for(trainee, track: str, roles: dict, rng: random.Random, supervisor: User) -> None:
    """The trainee's target roles: their track's role first, and for some a second choice."""
    second = [code for code in roles if code != track]
    chosen = [track] + ([rng.choice(second)] if second and rng.random() < 0.5 else [])
    trainee_services.set_target_roles(trainee, [roles[code] for code in chosen], actor=supervisor)


def rotations_ahead(plan, rotations: list[tuple], today: date, rng: random.Random) -> tuple[list[tuple], list[tuple]]:
    """Most trainees in a rotation know when it ends and what comes next: the running rotation gets an end
    date, and the track's next job type is planned after it (the rest keep running with no end date)."""
    code, begin, end, rating = rotations[-1]
    if end is not None or rng.random() < 0.3:
        return rotations, []
    weeks = dict(plan)
    end = max(begin + timedelta(weeks=weeks[code], days=-1), today + timedelta(days=rng.randint(7, 35)))
    rotations = [*rotations[:-1], (code, begin, end, rating)]
    done = {row[0] for row in rotations}
    following = [(c, w) for c, w in plan if c not in done]
    if not following:
        return rotations, []
    next_code, next_weeks = following[0]
    next_begin = end + timedelta(days=rng.randint(1, 4))
    return rotations, [(next_code, next_begin, next_begin + timedelta(weeks=next_weeks, days=-1), None)]


def planned_rotations(plan, stage: Stage, today: date, rng: random.Random) -> list[tuple]:
    """The rotations of a stage, laid back to back so the last one ends (or runs) around today."""
    weeks = [(code, w + rng.choice([0, 0, 1, 2])) for code, w in plan]
    done_weeks = stage.rotations_done * sum(w for _, w in weeks)
    chosen, total = [], 0
    for code, w in weeks:
        if total >= done_weeks:
            break
        chosen.append((code, min(w, max(1, round(done_weeks - total))) if stage.rotations_done < 1 else w))
        total += w
    days = sum(w * 7 for _, w in chosen) + 3 * len(chosen)
    cursor = today - timedelta(days=days + rng.randint(5, 20))
    rows = []
    for position, (code, w) in enumerate(chosen):
        end = cursor + timedelta(days=w * 7 - 1)
        last = position == len(chosen) - 1
        ongoing = last and stage.rotations_done < 1
        rating = None if ongoing or (last and rng.random() < 0.3) else rng.choice([3, 4, 4, 5, 5])
        if code in ("planning", "quality") and rating is not None:
            rating = max(rating, 4)  # the tracks that need a 4 in these mostly get one
        rows.append((code, cursor, None if ongoing else end, rating))
        cursor = end + timedelta(days=rng.randint(1, 4))
    return rows


def planned_results(track_modules, stage: Stage, rotations, today: date, rng: random.Random) -> list[tuple]:
    """Module results spread over the trainee's time: passed ones, then a near miss or two."""
    first_day = rotations[0][1]
    span = max(1, (today - first_day).days - 7)
    results = []
    for position, code in enumerate(track_modules):
        completed_on = first_day + timedelta(days=rng.randint(7, span) if span > 7 else 1)
        if code == "safety":
            # safety lapses after 12 months: date it inside the year, a few near the end of it
            completed_on = max(first_day, today - timedelta(days=rng.choice([40, 120, 200, 340, 350])))
        passed = position < stage.modules_passed
        if not passed and stage.rotations_done < 0.3:
            continue
        score = rng.choice([72, 78, 81, 85, 88, 91, 94]) if passed else rng.choice([58, 62, 66])
        results.append((code, min(completed_on, today - timedelta(days=1)), Decimal(score)))
    return results


def create_supervisors(path: Path) -> int:
    """Create the supervisors listed in a generated programme's supervisors.csv (email,name), all or none.

    They share the demo's password, hashed once. DemoError names the first bad line; flushed, not committed.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    if not rows or [cell.strip() for cell in rows[0]] != ["email", "name"]:
        raise DemoError(f"{path.name}: the first line must be the header email,name")
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 2:
            raise DemoError(f"{path.name} line {number}: expected 2 values (email,name), found {len(row)}")
        try:
            user = create_user(row[0].strip(), row[1].strip(), "supervisor")
        except TrackerError as exc:
            raise DemoError(f"{path.name} line {number}: {exc}") from exc
        user.password_hash = password_hash
    return len(rows) - 1
