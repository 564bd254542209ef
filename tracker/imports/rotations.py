"""rotations.csv: trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes.

A rotation is the same one when trainee, job type and start date are: a
row matching a recorded rotation updates it (or changes nothing), so a file
imported twice creates nothing new. Every row is checked against the rules
of the forms, overlaps included, before anything is written.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from tracker.audit.services import record_events_bulk, snapshot_of
from tracker.auth.services import normalize_email
from tracker.catalog.models import JobType
from tracker.core.parsing import parse_rating
from tracker.imports import lookups
from tracker.infra.bulk import insert_rows, update_rows
from tracker.imports.checks import RowCheck, refuse_repeats, sentence
from tracker.imports.csvfile import Problems, Row, read_rows
from tracker.imports.report import ImportReport
from tracker.trainees import rules
from tracker.trainees.models import Rotation
from tracker.trainees.services import lock_trainees

COLUMNS = ("trainee_email", "job_type", "supervisor_email", "start_date", "end_date", "rating", "notes")
CHANGEABLE = ("supervisor_id", "end_date", "rating", "notes")


@dataclass
class Planned:
    """A checked row: the rotation it describes, and the recorded one with the same identity, if any."""

    line: int
    trainee: lookups.Person
    job_type: lookups.CatalogItem
    values: dict
    existing: dict | None = None

    @property
    def key(self) -> tuple:
        return self.values["trainee_id"], self.values["job_type_id"], self.values["start_date"]


def import_rotations(data: bytes, actor=None) -> ImportReport:
    """Create or update every rotation in the file, or nothing: ImportFailed lists every bad line."""
    problems = Problems()
    rows = read_rows(data, COLUMNS, problems)
    people = lookups.people_by_email(normalize_email(r[c]) for r in rows for c in ("trainee_email", "supervisor_email"))
    job_types = lookups.catalog_by_code(JobType)
    planned = [p for p in (parse(row, people, job_types, problems) for row in rows) if p]
    refuse_repeats(
        planned, lambda p: p.key, problems,
        lambda p, line: f"the same rotation (trainee, job type and start date) as line {line}",
    )
    trainee_ids = {p.values["trainee_id"] for p in planned}
    lock_trainees(list(trainee_ids))
    existing = [row._asdict() for row in lookups.rotations_of(trainee_ids)]
    creates, updates = sort_out(planned, existing, problems)
    refuse_overlaps(planned, existing, problems, lookups.job_type_names())
    problems.raise_if_any()
    write(creates, updates, actor)
    return ImportReport("rotations", len(creates), len(updates), len(planned) - len(creates) - len(updates))


def parse(row: Row, people: dict, job_types: dict, problems: Problems) -> Planned | None:
    """One row's fields, checked on their own; None when any is wrong."""
    check = RowCheck(row, problems)
    trainee = check.trainee(people)
    job_type = check.catalog(job_types, "job_type", "job type")
    supervisor = check.staff(people, "supervisor_email", ("supervisor", "admin"), active_only=False, required=False)
    start, end = check.date("start_date"), check.date("end_date", required=False)
    rating = check.parsed("rating", parse_rating)
    notes = check.text("notes", rules.NOTES_MAX_LENGTH, required=False)
    if start and end and end < start:
        check.refuse("end_date", sentence(rules.end_before_start(start, end)))
    if not check.ok:
        return None
    values = {
        "trainee_id": trainee.trainee_id,
        "job_type_id": job_type.id,
        "supervisor_id": supervisor.user_id if supervisor else trainee.supervisor_id,
        "start_date": start,
        "end_date": end,
        "rating": rating,
        "notes": notes,
    }
    return Planned(row.line, trainee, job_type, values)


def sort_out(planned: list[Planned], existing: list[dict], problems: Problems) -> tuple[list[Planned], list[Planned]]:
    """Which rows create a rotation and which change one; rows equal to a recorded rotation do neither."""
    recorded = {(r["trainee_id"], r["job_type_id"], r["start_date"]): r for r in existing}
    creates, updates = [], []
    for p in planned:
        p.existing = recorded.get(p.key)
        if p.existing and all(p.existing[c] == p.values[c] for c in CHANGEABLE):
            continue
        if p.trainee.trainee_status != "active":
            problems.add(p.line, sentence(rules.inactive_trainee_message(p.trainee.email, p.trainee.trainee_status)))
        elif p.existing is None and not p.job_type.active:
            problems.add(p.line, f"job_type: {p.job_type.code} is no longer in use")
        else:
            (updates if p.existing else creates).append(p)
    return creates, updates


@dataclass(frozen=True)
class Span:
    """A rotation as the overlap check sees it: from the file (with its line) or already recorded."""

    start: date
    end: date | None
    line: int | None
    label: str


def refuse_overlaps(planned: list[Planned], existing: list[dict], problems: Problems, names: dict[int, str]) -> None:
    """No two rotations of a trainee may share a day, counting the file's rows and what is recorded."""
    in_file = {p.key for p in planned}
    spans = defaultdict(list)
    for r in existing:
        if (r["trainee_id"], r["job_type_id"], r["start_date"]) not in in_file:
            label = rules.describe_period(names[r["job_type_id"]], r["start_date"], r["end_date"]) + " already recorded"
            spans[r["trainee_id"]].append(Span(r["start_date"], r["end_date"], None, label))
    for p in planned:
        label = f"line {p.line} ({p.job_type.name} {rules.period_text(p.values['start_date'], p.values['end_date'])})"
        spans[p.values["trainee_id"]].append(Span(p.values["start_date"], p.values["end_date"], p.line, label))
    for trainee_spans in spans.values():
        report_overlaps(sorted(trainee_spans, key=lambda s: (s.start, s.line or 0)), problems)


def report_overlaps(spans: list[Span], problems: Problems) -> None:
    """Sweep the spans by start date: each one starting before the furthest end so far overlaps that one."""
    furthest = None
    for span in spans:
        if furthest is not None and (furthest.end is None or span.start <= furthest.end):
            if span.line is not None:
                problems.add(span.line, f"overlaps {furthest.label}")
            elif furthest.line is not None:
                problems.add(furthest.line, f"overlaps {span.label}")
        if furthest is None or (furthest.end is not None and (span.end is None or span.end > furthest.end)):
            furthest = span


def write(creates: list[Planned], updates: list[Planned], actor) -> None:
    """Insert the new rotations and change the others, a few statements in all, each change audited."""
    new_rows = [{**p.values, "version": 1} for p in creates]
    ids = insert_rows(Rotation, new_rows)
    record_events_bulk(actor, "create", Rotation, [
        (new_id, row["trainee_id"], None, snapshot_of(Rotation, {**row, "id": new_id})) for new_id, row in zip(ids, new_rows)
    ])
    changed = [{**p.existing, **{c: p.values[c] for c in CHANGEABLE}} for p in updates]
    update_rows(Rotation, changed, CHANGEABLE)
    record_events_bulk(actor, "update", Rotation, [
        (p.existing["id"], p.existing["trainee_id"], snapshot_of(Rotation, p.existing), snapshot_of(Rotation, row))
        for p, row in zip(updates, changed)
    ])
