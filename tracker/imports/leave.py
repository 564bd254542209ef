"""leave.csv: trainee_email,start_date,end_date,reason.

Leave is the same when trainee and start date are: a row matching recorded leave updates its end
date and reason (or changes nothing), so a file imported twice creates nothing new. Leave never
shares a day with the trainee's other leave or rotations, recorded or in the file.
"""
from tracker.imports.checks import RowCheck, Span, report_overlaps, sentence
from tracker.imports.pipeline import Batch, Planned, RecordImporter
from tracker.imports.spans import recorded_rotation_spans
from tracker.trainees import rules
from tracker.trainees.models import REASON_MAX_LENGTH, Leave

COLUMNS = ("trainee_email", "start_date", "end_date", "reason")


class LeaveImport(RecordImporter):
    """Leave, found again by trainee and start date; it shares no day with other leave or a rotation."""

    kind = "leave"
    columns = COLUMNS
    model = Leave
    identity = ("trainee_id", "start_date")
    changeable = ("end_date", "reason")
    repeated = "the same leave (trainee and start date) as line {line}"

    def parse(self, check: RowCheck, batch: Batch) -> Planned | None:
        trainee = check.trainee(batch.people)
        start, end = check.date("start_date"), check.date("end_date")
        reason = check.text("reason", REASON_MAX_LENGTH)
        if start and end and end < start:
            check.refuse("end_date", sentence(rules.end_before_start(start, end)))
        if not check.ok:
            return None
        values = {"trainee_id": trainee.trainee_id, "start_date": start, "end_date": end, "reason": reason.strip()}
        return Planned(check.row.line, values, trainee)

    def check_together(self, batch: Batch) -> None:
        """No day shared between the file's leave, the recorded leave it does not change, and the recorded rotations."""
        in_file = {self.key(p) for p in batch.planned}
        spans = recorded_rotation_spans(batch.trainee_ids())
        for key, r in batch.recorded.items():
            if key not in in_file:
                label = rules.describe_leave(r["start_date"], r["end_date"]) + " already recorded"
                spans[r["trainee_id"]].append(Span(r["start_date"], r["end_date"], None, label))
        for p in batch.planned:
            label = f"line {p.line} ({rules.describe_leave(p.values['start_date'], p.values['end_date'])})"
            spans[p.values["trainee_id"]].append(Span(p.values["start_date"], p.values["end_date"], p.line, label))
        for trainee_spans in spans.values():
            report_overlaps(sorted(trainee_spans, key=lambda s: (s.start, s.line or 0)), batch.problems)

