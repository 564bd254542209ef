"""credits.csv: trainee_email,kind,job_type,weeks,rating,module,granted_on,reason.

`kind` is `experience` (job_type, weeks of at least 1, optional rating 1-5; module empty) or
`exemption` (module; job_type, weeks and rating empty). A credit is the same one when trainee,
kind, job type or module and granted-on date are: a row matching a recorded credit updates its
weeks, rating and reason (or changes nothing), so a file imported twice creates nothing new.
Credits are granted on or before today, always with a reason; the importing admin is recorded
as who granted them (no one, from the command line).
"""
from tracker.catalog.models import JobType, TrainingModule
from tracker.core.parsing import parse_rating
from tracker.imports.checks import RowCheck, sentence
from tracker.imports.pipeline import Batch, Planned, RecordImporter
from tracker.infra.clock import today
from tracker.trainees import rules
from tracker.trainees.models import CREDIT_KINDS, REASON_MAX_LENGTH, Credit

COLUMNS = ("trainee_email", "kind", "job_type", "weeks", "rating", "module", "granted_on", "reason")


class CreditsImport(RecordImporter):
    """Credits for prior learning, found again by trainee, kind, job type or module and granted-on date."""

    kind = "credits"
    columns = COLUMNS
    catalogs = (JobType, TrainingModule)
    model = Credit
    identity = ("trainee_id", "kind", "job_type_id", "module_id", "granted_on")
    changeable = ("weeks", "rating", "reason")
    repeated = "the same credit (trainee, job type or module, and granted-on date) as line {line}"

    def parse(self, check: RowCheck, batch: Batch) -> Planned | None:
        trainee = check.trainee(batch.people)
        kind = check.required("kind").strip().lower()
        if kind and kind not in CREDIT_KINDS:
            check.refuse("kind", f"must be experience or exemption, not '{check.row['kind']}'")
        job_type = module = weeks = rating = None
        if kind == "experience":
            job_type = check.catalog(batch.catalog[JobType], "job_type", "job type")
            weeks = check.parsed("weeks", rules.parse_credit_weeks)
            rating = check.parsed("rating", parse_rating)
            self.empty(check, "module", "an experience credit names a job type, not a module")
        elif kind == "exemption":
            module = check.catalog(batch.catalog[TrainingModule], "module", "module")
            for column in ("job_type", "weeks", "rating"):
                self.empty(check, column, "an exemption names a module only")
        granted_on = check.date("granted_on")
        if granted_on and granted_on > today():
            check.refuse("granted_on", sentence(rules.future_grant_message(granted_on, today())))
        reason = check.text("reason", REASON_MAX_LENGTH)
        if not check.ok:
            return None
        values = {
            "trainee_id": trainee.trainee_id, "kind": kind,
            "job_type_id": job_type.id if job_type else None, "weeks": weeks, "rating": rating,
            "module_id": module.id if module else None, "granted_on": granted_on, "reason": reason.strip(),
        }
        item = job_type or module
        return Planned(check.row.line, values, trainee, item, "job_type" if job_type else "module")

    @staticmethod
    def empty(check: RowCheck, column: str, why: str) -> None:
        if check.row[column].strip():
            check.refuse(column, f"must be empty: {why}")

    def write(self, batch: Batch, creates: list[Planned], updates: list[Planned], actor) -> None:
        """As every record import, each new credit recorded as granted by the importing user."""
        granted_by = getattr(actor, "id", None)
        for p in creates:
            p.values["granted_by_id"] = granted_by
        super().write(batch, creates, updates, actor)
