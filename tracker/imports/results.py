"""results.csv: trainee_email,module,completed_on,score.

A result is the same one when trainee, module and date are: a row matching
a recorded result updates its score (or changes nothing), so a file
imported twice creates nothing new.
"""
from tracker.catalog.models import TrainingModule
from tracker.core.parsing import parse_score, stored_score
from tracker.imports.checks import RowCheck
from tracker.imports.pipeline import Batch, Planned, RecordImporter
from tracker.trainees.models import ModuleResult

COLUMNS = ("trainee_email", "module", "completed_on", "score")


class ResultsImport(RecordImporter):
    """Module results, found again by trainee, module and date; a row may change the score."""

    kind = "results"
    columns = COLUMNS
    catalogs = (TrainingModule,)
    model = ModuleResult
    identity = ("trainee_id", "module_id", "completed_on")
    changeable = ("score",)
    repeated = "the same result (trainee, module and date) as line {line}"

    def parse(self, check: RowCheck, batch: Batch) -> Planned | None:
        trainee = check.trainee(batch.people)
        module = check.catalog(batch.catalog[TrainingModule], "module", "module")
        completed_on = check.date("completed_on")
        score = check.parsed("score", parse_score) if check.required("score") else None
        if not check.ok:
            return None
        values = {
            "trainee_id": trainee.trainee_id,
            "module_id": module.id,
            "completed_on": completed_on,
            "score": stored_score(score),
        }
        return Planned(check.row.line, values, trainee, module, "module")

    def unchanged(self, planned: Planned) -> bool:
        return stored_score(planned.existing["score"]) == planned.values["score"]
