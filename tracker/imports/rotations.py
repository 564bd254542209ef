"""rotations.csv: trainee_email,job_type,supervisor_email,start_date,end_date,rating,notes.

A rotation is the same one when trainee, job type and start date are: a
row matching a recorded rotation updates it (or changes nothing), so a file
imported twice creates nothing new. Every row is checked against the rules
of the forms, overlaps (with rotations and with leave) included, before anything is written.
"""
from collections import defaultdict

from tracker.catalog.models import JobType
from tracker.core.parsing import parse_rating
from tracker.imports import lookups
from tracker.imports.checks import RowCheck, Span, report_overlaps, sentence
from tracker.imports.pipeline import Batch, Planned, RecordImporter
from tracker.imports.spans import recorded_leave_spans
from tracker.infra.clock import today
from tracker.trainees import rules
from tracker.trainees.models import Rotation
from tracker.trainees.services import lock_job_types

COLUMNS = ("trainee_email", "job_type", "supervisor_email", "start_date", "end_date", "rating", "notes")


class RotationsImport(RecordImporter):
    """Rotations, found again by trainee, job type and start date; no two of a trainee's may share a day."""

    kind = "rotations"
    columns = COLUMNS
    email_columns = ("trainee_email", "supervisor_email")
    catalogs = (JobType,)
    model = Rotation
    identity = ("trainee_id", "job_type_id", "start_date")
    changeable = ("supervisor_id", "end_date", "rating", "notes")
    repeated = "the same rotation (trainee, job type and start date) as line {line}"

    def parse(self, check: RowCheck, batch: Batch) -> Planned | None:
        trainee = check.trainee(batch.people)
        job_type = check.catalog(batch.catalog[JobType], "job_type", "job type")
        supervisor = check.staff(batch.people, "supervisor_email", ("supervisor", "admin"), active_only=False, required=False)
        start, end = check.date("start_date"), check.date("end_date", required=False)
        rating = check.parsed("rating", parse_rating)
        notes = check.text("notes", rules.NOTES_MAX_LENGTH, required=False)
        if start and end and end < start:
            check.refuse("end_date", sentence(rules.end_before_start(start, end)))
        for column, problem in (("end_date", rules.planned_needs_end(start, end, today())), ("rating", rules.rated_too_early(end, rating, today()))):
            if problem:
                check.refuse(column, sentence(problem))
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
        return Planned(check.row.line, values, trainee, job_type, "job_type")

    def lock(self, batch: Batch) -> None:
        """The trainees, then the job types the file names (their capacity), as every other writer locks them."""
        super().lock(batch)
        lock_job_types({p.values["job_type_id"] for p in batch.planned})

    def check_together(self, batch: Batch) -> None:
        self.check_overlaps(batch)
        self.check_capacity(batch)

    def check_overlaps(self, batch: Batch) -> None:
        """No two rotations of a trainee may share a day, nor a rotation and leave, counting the file's rows and what is recorded."""
        names, in_file = lookups.job_type_names(), {self.key(p) for p in batch.planned}
        spans = recorded_leave_spans(batch.trainee_ids())
        for key, r in batch.recorded.items():
            if key not in in_file:
                label = rules.describe_period(names[r["job_type_id"]], r["start_date"], r["end_date"]) + " already recorded"
                spans[r["trainee_id"]].append(Span(r["start_date"], r["end_date"], None, label))
        for p in batch.planned:
            label = f"line {p.line} ({p.item.name} {rules.period_text(p.values['start_date'], p.values['end_date'])})"
            spans[p.values["trainee_id"]].append(Span(p.values["start_date"], p.values["end_date"], p.line, label))
        for trainee_spans in spans.values():
            report_overlaps(sorted(trainee_spans, key=lambda s: (s.start, s.line or 0)), batch.problems)

    def check_capacity(self, batch: Batch) -> None:
        """No day from today on may have more trainees in a job type than its capacity, once the file is imported.

        Each row that adds days to its job type is refused when one of those days is over capacity
        with the file and what is recorded together, naming the first such day.
        """
        from_day = today()
        capacities = lookups.job_type_capacities({p.values["job_type_id"] for p in batch.planned})
        replaced = {p.existing["id"] for p in batch.planned if p.existing}
        periods = defaultdict(list)
        for rotation_id, job_type_id, start, end in lookups.rotations_reaching(capacities, from_day):
            if rotation_id not in replaced:
                periods[job_type_id].append((start, end))
        for p in batch.planned:
            if p.values["job_type_id"] in capacities:
                periods[p.values["job_type_id"]].append((p.values["start_date"], p.values["end_date"]))
        occupancy = {job_type_id: rules.Occupancy(spans) for job_type_id, spans in periods.items()}
        for p in batch.planned:
            job_type_id = p.values["job_type_id"]
            if job_type_id not in capacities:
                continue
            name, capacity = capacities[job_type_id]
            before = (p.existing["start_date"], p.existing["end_date"]) if p.existing else None
            added = rules.days_added(p.values["start_date"], p.values["end_date"], from_day, before)
            full = rules.first_full_day(occupancy[job_type_id], capacity, added, own=1)
            if full:
                batch.problems.add(p.line, sentence(rules.full_message(name, full[0], full[1], capacity)))
