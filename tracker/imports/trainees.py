"""trainees.csv: email,name,supervisor_email,start_date,cohort.

Creates trainee users (no password: each gets an invitation to set one)
with their trainee records; supervisors must exist. A trainee is the same
one when the email is (whatever its case): a row for a known trainee
updates their name, supervisor, start date and cohort, or changes nothing.
"""
from dataclasses import dataclass

from tracker.audit.services import record_events_bulk, snapshot_of
from tracker.auth.models import User
from tracker.auth.services import check_email_syntax, normalize_email
from tracker.imports import lookups
from tracker.infra.bulk import insert_rows, update_rows
from tracker.imports.checks import RowCheck, a, refuse_repeats
from tracker.imports.csvfile import Problems, Row, read_rows
from tracker.imports.report import ImportReport
from tracker.invitations.services import invitation_mail, send_invitations
from tracker.trainees.models import Trainee
from tracker.trainees.services import COHORT_MAX_LENGTH, lock_trainees

COLUMNS = ("email", "name", "supervisor_email", "start_date", "cohort")
NAME_MAX_LENGTH = 120
TRAINEE_FIELDS = ("supervisor_id", "start_date", "cohort")


@dataclass
class Planned:
    """A checked row, and the trainee already known by that email, if any."""

    line: int
    email: str
    name: str
    trainee: dict
    existing: lookups.Person | None = None


def import_trainees(data: bytes, actor=None) -> ImportReport:
    """Create or update every trainee in the file, or nothing; new trainees are invited once it commits."""
    problems = Problems()
    rows = read_rows(data, COLUMNS, problems)
    people = lookups.people_by_email(normalize_email(r[c]) for r in rows for c in ("email", "supervisor_email"))
    planned = [p for p in (parse(row, people, problems) for row in rows) if p]
    refuse_repeats(
        planned, lambda p: p.email, problems,
        lambda p, line: f"email: {p.email} is already on line {line}",
    )
    known_ids = [p.existing.trainee_id for p in planned if p.existing]
    lock_trainees(known_ids)
    creates, updates = sort_out(planned)
    problems.raise_if_any()
    write(creates, updates, lookups.trainee_rows(known_ids), actor)
    return ImportReport("trainees", len(creates), len(updates), len(planned) - len(creates) - len(updates), len(creates))


def parse(row: Row, people: dict, problems: Problems) -> Planned | None:
    """One row's fields, checked on their own; None when any is wrong."""
    check = RowCheck(row, problems)
    email = check.parsed("email", check_email_syntax) if check.required("email") else ""
    existing = people.get(email)
    if existing is not None and existing.trainee_id is None:
        check.refuse("email", f"{email} already belongs to {a(existing.role)}, not a trainee")
    name = check.text("name", NAME_MAX_LENGTH)
    supervisor = check.staff(people, "supervisor_email", ("supervisor",), active_only=True)
    start_date = check.date("start_date")
    cohort = check.text("cohort", COHORT_MAX_LENGTH)
    if not check.ok:
        return None
    trainee = {"supervisor_id": supervisor.user_id, "start_date": start_date, "cohort": cohort}
    return Planned(row.line, email, name, trainee, existing)


def sort_out(planned: list[Planned]) -> tuple[list[Planned], list[Planned]]:
    """New trainees, and known ones whose name or trainee record the file changes."""
    creates, updates = [], []
    for p in planned:
        if p.existing is None:
            creates.append(p)
        elif p.existing.name != p.name or any(getattr(p.existing, f) != p.trainee[f] for f in TRAINEE_FIELDS):
            updates.append(p)
    return creates, updates


def write(creates: list[Planned], updates: list[Planned], known: dict[int, dict], actor) -> None:
    """Insert the new users and trainees, change the known ones, audit it all, and queue the invitations."""
    users = [{"email": p.email, "name": p.name, "role": "trainee", "active": True, "digest_subscribed": True} for p in creates]
    user_ids = insert_rows(User, users)
    trainees = [{**p.trainee, "user_id": user_id, "status": "active", "version": 1} for p, user_id in zip(creates, user_ids)]
    trainee_ids = insert_rows(Trainee, trainees)
    record_events_bulk(actor, "create", User, [
        (user_id, trainee_id, None, snapshot_of(User, {**user, "id": user_id}))
        for user, user_id, trainee_id in zip(users, user_ids, trainee_ids)
    ])
    record_events_bulk(actor, "create", Trainee, [
        (trainee_id, trainee_id, None, snapshot_of(Trainee, {**row, "id": trainee_id}))
        for row, trainee_id in zip(trainees, trainee_ids)
    ])
    write_updates(updates, known, actor)
    send_invitations([invitation_mail(user_id, user["email"], user["name"]) for user, user_id in zip(users, user_ids)])


def write_updates(updates: list[Planned], known: dict[int, dict], actor) -> None:
    """Change known trainees' names and trainee records, auditing what changed."""
    renamed = [p for p in updates if p.existing.name != p.name]
    update_rows(User, [{"id": p.existing.user_id, "name": p.name} for p in renamed], ("name",), versioned=False)
    record_events_bulk(actor, "update", User, [
        (p.existing.user_id, p.existing.trainee_id, {"name": p.existing.name}, {"name": p.name}) for p in renamed
    ])
    moved = [p for p in updates if any(getattr(p.existing, f) != p.trainee[f] for f in TRAINEE_FIELDS)]
    before = [known[p.existing.trainee_id] for p in moved]
    after = [{**row, **p.trainee} for row, p in zip(before, moved)]
    update_rows(Trainee, after, TRAINEE_FIELDS)
    record_events_bulk(actor, "update", Trainee, [
        (row["id"], row["id"], snapshot_of(Trainee, row), snapshot_of(Trainee, changed)) for row, changed in zip(before, after)
    ])

